//! The only place random streams are derived.
//!
//! Every random number of a run is a pure function of (seed, replicate, agent, day, decision):
//! a counter-based generator in the spirit of Random123's Philox/Threefry, built from the
//! SplitMix64 finaliser (Steele, Lea & Flood 2014), a bijective 64-bit mixer with full avalanche.
//! Keys are chained: `run = mix(mix(seed ^ K3) ^ (replicate+1)·K1)`,
//! `day = mix(run ^ (day+1)·K2)`, `agent = mix(day ^ (agent+1)·K3)`, and a draw is
//! `mix(agent ^ decision·S)` with a distinct odd multiplier per decision.
//!
//! Why counter-based rather than a sequential generator:
//! - output does not depend on which thread handles which agent, or in which order;
//! - two policies run on the same seed see the same draw for the same (agent, day, decision)
//!   wherever their decisions coincide, even after their histories diverge (common random
//!   numbers that survive divergence), which is what makes paired comparisons sharp.
//!
//! Setup work that is naturally sequential (population traits, networks, seed members) uses
//! `Xoshiro256PlusPlus` seeded from a key of this module, never `StdRng`.

const K1: u64 = 0x9E37_79B9_7F4A_7C15;
const K2: u64 = 0xC2B2_AE3D_27D4_EB4F;
const K3: u64 = 0x1656_67B1_9E37_79F9;

/// SplitMix64's finaliser: a bijection of u64 with strong avalanche.
#[inline(always)]
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Each random decision an agent can take on a day has its own stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Decision {
    AdExposure = 1,
    Contact,
    WordOfMouth,
    Review,
    Renew,
    Quit,
    Visit,
    Post,
    Advert,
    Purchase,
    Moderation,
    Meetup,
    MeetupSeat,
    Ask,
    Answer,
    Messages,
    Mute,
    LateAnswer,
    Nudge,
    NudgeAnswer,
    Lapse,
    Episode,
    PromotionMute,
    Reply,
}

impl Decision {
    #[inline(always)]
    fn salt(self) -> u64 {
        (self as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93)
    }
}

/// Setup tasks that draw from a sequential generator seeded by the run's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Setup {
    Traits = 1,
    Network,
    SeedMembers,
}

/// The random stream of one replicate of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunStream {
    key: u64,
}

impl RunStream {
    pub fn new(seed: u64, replicate: u32) -> RunStream {
        RunStream {
            key: mix(mix(seed ^ K3) ^ (replicate as u64 + 1).wrapping_mul(K1)),
        }
    }

    /// The stream of day `day`.
    #[inline]
    pub fn day(&self, day: u32) -> DayStream {
        DayStream {
            key: mix(self.key ^ (day as u64 + 1).wrapping_mul(K2)),
        }
    }

    /// A seed for a sequential setup generator.
    pub fn setup_seed(&self, task: Setup) -> u64 {
        mix(self.key ^ (task as u64).wrapping_mul(0xA24B_AED4_963E_E407))
    }

    /// A seed for agent `agent`'s trait draws.
    #[inline]
    pub fn agent_seed(&self, task: Setup, agent: u32) -> u64 {
        mix(self.setup_seed(task) ^ (agent as u64 + 1).wrapping_mul(K3))
    }
}

/// The random stream of one day of a replicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayStream {
    key: u64,
}

impl DayStream {
    /// The draws of agent `agent` on this day.
    #[inline(always)]
    pub fn agent(&self, agent: u32) -> Draws {
        Draws {
            key: mix(self.key ^ (agent as u64 + 1).wrapping_mul(K3)),
        }
    }
}

/// The draws of one agent on one day, one per decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Draws {
    key: u64,
}

impl Draws {
    #[inline(always)]
    fn bits(&self, d: Decision) -> u64 {
        mix(self.key ^ d.salt())
    }

    /// A uniform number in [0, 1) with 53 random bits.
    #[inline(always)]
    pub fn uniform(&self, d: Decision) -> f64 {
        (self.bits(d) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    #[inline(always)]
    pub fn chance(&self, d: Decision, p: f64) -> bool {
        self.uniform(d) < p
    }

    /// A uniform integer in `0..n` (Lemire's multiply-shift; bias below 2^-32 for n < 2^32).
    #[inline(always)]
    pub fn below(&self, d: Decision, n: u32) -> u32 {
        (((self.bits(d) >> 32) * n as u64) >> 32) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_uniform_by_chi_square() {
        // 100 bins over 200,000 draws: chi-square with 99 degrees of freedom has mean 99 and
        // sd 14; 99 + 5 sd = 169 is essentially never exceeded by a uniform generator.
        let run = RunStream::new(7, 0);
        let mut bins = [0u32; 100];
        let n = 200_000u32;
        for a in 0..n {
            let u = run.day(a % 17).agent(a).uniform(Decision::Visit);
            bins[(u * 100.0) as usize] += 1;
        }
        let expected = n as f64 / 100.0;
        let chi2: f64 = bins
            .iter()
            .map(|&b| (b as f64 - expected).powi(2) / expected)
            .sum();
        assert!(chi2 < 169.0, "chi-square {chi2}");
    }

    #[test]
    fn decisions_of_one_agent_are_uncorrelated() {
        let day = RunStream::new(1, 0).day(3);
        let n = 100_000;
        let (mut sx, mut sy, mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for a in 0..n {
            let d = day.agent(a);
            let (x, y) = (d.uniform(Decision::Visit), d.uniform(Decision::Post));
            sx += x;
            sy += y;
            sxy += x * y;
            sxx += x * x;
            syy += y * y;
        }
        let nf = n as f64;
        let cov = sxy / nf - sx / nf * sy / nf;
        let r = cov / ((sxx / nf - (sx / nf).powi(2)) * (syy / nf - (sy / nf).powi(2))).sqrt();
        // Sampling sd of r is 1/sqrt(n) = 0.0032; 5 sd.
        assert!(r.abs() < 0.016, "correlation {r}");
    }

    #[test]
    fn streams_differ_by_seed_replicate_day_and_agent_and_repeat_exactly() {
        let u = |s, r, d, a| RunStream::new(s, r).day(d).agent(a).uniform(Decision::Quit);
        let base = u(1, 0, 0, 0);
        assert_eq!(base, u(1, 0, 0, 0));
        for other in [u(2, 0, 0, 0), u(1, 1, 0, 0), u(1, 0, 1, 0), u(1, 0, 0, 1)] {
            assert_ne!(base, other);
        }
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let day = RunStream::new(3, 2).day(5);
        let mut seen = [false; 7];
        for a in 0..1000 {
            let k = day.agent(a).below(Decision::Contact, 7);
            assert!(k < 7);
            seen[k as usize] = true;
        }
        assert!(seen.iter().all(|&s| s));
    }
}
