//! The synthetic population: who the prospects are (segment, needs, traits, thresholds) and
//! whom they know. Everything here is fixed for a replicate once drawn; what changes day to day
//! lives in `engine::state`.
//!
//! Traits are stored as a struct of arrays in compact types (needs and traits in a byte each,
//! thresholds in f32) because the daily step reads them for every agent.

pub mod needs;
pub mod network;

use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Normal};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use crate::rng::{RunStream, Setup};
use crate::scenario::{NetworkKind, NetworkSpec, PopulationCoefficients, SegmentDraw};
use needs::{quantize, NEEDS};
pub use network::Network;

/// The fixed characteristics of every agent of a replicate.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// Segment of each agent (index into `scenario.population.segments`).
    pub segment: Vec<u8>,
    /// Need intensities, a byte each (`q / 255`), in the order of `scenario::NEED_NAMES`.
    pub needs: Vec<[u8; NEEDS]>,
    /// Defence against speaking to strangers (`q / 255`).
    pub shyness: Vec<u8>,
    /// Sensitivity to fees (`q / 255`).
    pub price_sensitivity: Vec<u8>,
    /// Response to material rewards (`q / 255`).
    pub incentive_sensitivity: Vec<u8>,
    /// Advertiser at heart: joins to push its own products.
    pub advertiser: Vec<bool>,
    /// The agent's own posting constant around `behavior.post_base`, its talkativeness, in
    /// sixteenths of a logit (`q / 16`).
    pub talkativeness: Vec<i8>,
    /// Whether talkativeness is spread at all: when not, the posting decision does not read it
    /// (a load from one more array on every visit).
    pub talkative: bool,
    /// Utility the group's promise must reach for the agent to join.
    pub join_threshold: Vec<f32>,
    /// Share of members among the agent's ties (or everyone, well-mixed) needed to join.
    pub social_threshold: Vec<f32>,
    pub network: Network,
}

/// Bytes of traits per agent (the arrays of [`Population`] but the network).
pub const TRAIT_BYTES_PER_AGENT: u64 = 1 + 8 + 1 + 1 + 1 + 1 + 1 + 4 + 4;

/// Peak bytes per agent of building and holding the network described by `spec`.
pub fn network_bytes_per_agent(spec: &NetworkSpec) -> f64 {
    match spec.kind {
        NetworkKind::WellMixed => 0.0,
        // CSR: an offset per agent and a target per tie end.
        NetworkKind::ErdosRenyi | NetworkKind::SmallWorld => 4.0 + 4.0 * spec.degree,
        // The growth process keeps its edge list while the CSR is filled.
        NetworkKind::ScaleFree => 4.0 + 8.0 * spec.degree,
    }
}

impl Population {
    /// Draws the population of one replicate.
    pub fn generate(p: &PopulationCoefficients, stream: &RunStream) -> Population {
        let n = p.size;
        let network = Network::build(&p.network, n, stream.setup_seed(Setup::Network));
        let segments = &p.segments;
        let draws: Vec<AgentTraits> = (0..n)
            .into_par_iter()
            .map(|i| draw_agent(segments, stream.agent_seed(Setup::Traits, i)))
            .collect();
        let mut p = Population {
            segment: Vec::with_capacity(n as usize),
            needs: Vec::with_capacity(n as usize),
            shyness: Vec::with_capacity(n as usize),
            price_sensitivity: Vec::with_capacity(n as usize),
            incentive_sensitivity: Vec::with_capacity(n as usize),
            advertiser: Vec::with_capacity(n as usize),
            talkativeness: Vec::with_capacity(n as usize),
            talkative: segments.iter().any(|s| s.post_spread > 0.0),
            join_threshold: Vec::with_capacity(n as usize),
            social_threshold: Vec::with_capacity(n as usize),
            network,
        };
        for a in draws {
            p.segment.push(a.segment);
            p.needs.push(a.needs);
            p.shyness.push(a.shyness);
            p.price_sensitivity.push(a.price_sensitivity);
            p.incentive_sensitivity.push(a.incentive_sensitivity);
            p.advertiser.push(a.advertiser);
            p.talkativeness.push(a.talkativeness);
            p.join_threshold.push(a.join_threshold);
            p.social_threshold.push(a.social_threshold);
        }
        p
    }

    /// Number of agents.
    pub fn size(&self) -> u32 {
        self.segment.len() as u32
    }
}

/// One agent's draws, before they are spread into the arrays.
struct AgentTraits {
    segment: u8,
    needs: [u8; NEEDS],
    shyness: u8,
    price_sensitivity: u8,
    incentive_sensitivity: u8,
    advertiser: bool,
    talkativeness: i8,
    join_threshold: f32,
    social_threshold: f32,
}

/// A normal draw; `sd = 0` gives the mean exactly.
fn normal(rng: &mut Xoshiro256PlusPlus, mean: f64, sd: f64) -> f64 {
    Normal::new(mean, sd)
        .expect("validated: finite mean and sd >= 0")
        .sample(rng)
}

/// Draws one agent's segment, needs and traits from its own generator, always in the same order.
fn draw_agent(segments: &[SegmentDraw], seed: u64) -> AgentTraits {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let u: f64 = rng.random();
    let mut cumulative = 0.0;
    let mut index = segments.len() - 1;
    for (i, s) in segments.iter().enumerate() {
        cumulative += s.share;
        if u < cumulative {
            index = i;
            break;
        }
    }
    let seg = &segments[index];
    let mut needs = [0u8; NEEDS];
    for (k, &mean) in seg.needs.iter().enumerate() {
        // A need the segment does not have is absent in all its agents.
        let x = normal(&mut rng, mean, seg.spread);
        needs[k] = if mean > 0.0 { quantize(x) } else { 0 };
    }
    let mut trait_draw = |mean: f64| quantize(normal(&mut rng, mean, seg.trait_spread));
    let shyness = trait_draw(seg.shyness);
    let drawn_sensitivity = trait_draw(seg.price_sensitivity);
    let incentive_sensitivity = trait_draw(seg.incentive_sensitivity);
    let advertiser = rng.random::<f64>() < seg.advertiser_share;
    // An advertiser at heart values the group for its audience, not its content: a fee is a
    // cost of reaching that audience, felt in full. This is how an entry fee screens out
    // spammers.
    let price_sensitivity = if advertiser {
        quantize(1.0)
    } else {
        drawn_sensitivity
    };
    let join_threshold = normal(&mut rng, seg.join_threshold.mean, seg.join_threshold.sd) as f32;
    let social_threshold =
        normal(&mut rng, seg.social_threshold.mean, seg.social_threshold.sd) as f32;
    // Drawn last, so that the draws before it do not depend on whether it is spread.
    let talkativeness = quantize_logit(normal(&mut rng, 0.0, seg.post_spread));
    AgentTraits {
        segment: index as u8,
        needs,
        shyness,
        price_sensitivity,
        incentive_sensitivity,
        advertiser,
        talkativeness,
        join_threshold,
        social_threshold,
    }
}

/// A logit offset in sixteenths, clamped to what a byte holds (−8 to 7.94).
fn quantize_logit(x: f64) -> i8 {
    (x * 16.0).round().clamp(-128.0, 127.0) as i8
}

/// The logit offset of a talkativeness byte.
pub fn talkativeness(q: i8) -> f32 {
    q as f32 / 16.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::{Continuous, ContinuousCDF, Normal as StdNormal};

    fn population(text: &str) -> PopulationCoefficients {
        let s = crate::scenario::load_str(text, "t.toml", &[]).unwrap();
        s.coefficients().population.clone()
    }

    /// Mean of a normal N(mean, sd) clamped to [0, 1]: what a need drawn from it averages.
    fn clamped_mean(mean: f64, sd: f64) -> f64 {
        let z = StdNormal::new(0.0, 1.0).unwrap();
        let (a, b) = ((0.0 - mean) / sd, (1.0 - mean) / sd);
        // E[clamp(X, 0, 1)] = 0·Φ(a) + 1·(1 − Φ(b)) + mean·(Φ(b) − Φ(a)) − sd·(φ(b) − φ(a))
        (1.0 - z.cdf(b)) + mean * (z.cdf(b) - z.cdf(a)) - sd * (z.pdf(b) - z.pdf(a))
    }

    #[test]
    fn segment_shares_and_trait_means_are_reproduced() {
        let p = population(
            r#"
name = "t"
[population]
size = 40000
[[population.segments]]
name = "a"
share = 0.3
advertiser_share = 0.1
needs = { learning = 0.8 }
spread = 0.25
[[population.segments]]
name = "b"
share = 0.7
needs = {}
social_threshold = { mean = 0.2, sd = 0.05 }
"#,
        );
        let p = Population::generate(&p, &RunStream::new(1, 0));
        let n = p.size() as f64;
        let in_a: Vec<usize> = (0..p.size() as usize)
            .filter(|&i| p.segment[i] == 0)
            .collect();
        let share_a = in_a.len() as f64 / n;
        // Binomial sd of a share at n = 40,000 is 0.0023; allow 5 sd.
        assert!((share_a - 0.3).abs() < 0.012, "share {share_a}");
        let adv = in_a.iter().filter(|&&i| p.advertiser[i]).count() as f64 / in_a.len() as f64;
        // Binomial sd of 0.1 over 12,000 agents is 0.0027; 5 sd.
        assert!((adv - 0.1).abs() < 0.014, "advertisers {adv}");
        let learning: Vec<f64> = in_a
            .iter()
            .map(|&i| needs::intensity(p.needs[i][7]) as f64)
            .collect();
        let mean = learning.iter().sum::<f64>() / learning.len() as f64;
        let sd = (learning.iter().map(|x| (x - mean).powi(2)).sum::<f64>()
            / (learning.len() - 1) as f64)
            .sqrt();
        // The draw is N(0.8, 0.25) clamped to [0, 1], then rounded to 1/255. Its mean is
        // 0.76999 (by numerical quadrature of the clamped density), well below 0.8: allow 5
        // standard errors plus half a rounding step.
        let expected = clamped_mean(0.8, 0.25);
        assert!((expected - 0.76999).abs() < 1e-5, "clamped mean {expected}");
        let tolerance = 5.0 * sd / (learning.len() as f64).sqrt() + 0.5 / 255.0;
        assert!(
            (mean - expected).abs() < tolerance,
            "learning {mean} vs clamped mean {expected} (tolerance {tolerance})"
        );
        // Segment b has no needs at all, and no advertisers.
        assert!((0..p.size() as usize)
            .filter(|&i| p.segment[i] == 1)
            .all(|i| p.needs[i] == [0; NEEDS] && !p.advertiser[i]));
        let phi: Vec<f64> = (0..p.size() as usize)
            .filter(|&i| p.segment[i] == 1)
            .map(|i| p.social_threshold[i] as f64)
            .collect();
        let mean = phi.iter().sum::<f64>() / phi.len() as f64;
        // Thresholds are not clamped: the sample mean has sd 0.05 / sqrt(28,000) = 0.0003.
        assert!((mean - 0.2).abs() < 0.0015, "social threshold mean {mean}");
    }

    #[test]
    fn populations_repeat_for_a_seed_and_differ_across_replicates() {
        let p = population("name = \"t\"\n[population]\nsize = 2000\n");
        let a = Population::generate(&p, &RunStream::new(5, 0));
        assert_eq!(a, Population::generate(&p, &RunStream::new(5, 0)));
        assert_ne!(
            a.needs,
            Population::generate(&p, &RunStream::new(5, 1)).needs
        );
    }

    #[test]
    fn the_trait_byte_count_matches_the_arrays() {
        let p = population(
            "name = \"t\"\n[population]\nsize = 1000\nnetwork = { kind = \"well-mixed\" }\n",
        );
        let p = Population::generate(&p, &RunStream::new(1, 0));
        let bytes = p.segment.len()
            + p.needs.len() * NEEDS
            + p.shyness.len()
            + p.price_sensitivity.len()
            + p.incentive_sensitivity.len()
            + p.advertiser.len()
            + p.talkativeness.len()
            + 4 * p.join_threshold.len()
            + 4 * p.social_threshold.len();
        assert_eq!(bytes as u64, TRAIT_BYTES_PER_AGENT * 1000);
    }
}
