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
use crate::scenario::{NetworkKind, Scenario, Segment};
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
    /// Utility the group's promise must reach for the agent to join.
    pub join_threshold: Vec<f32>,
    /// Share of members among the agent's ties (or everyone, well-mixed) needed to join.
    pub social_threshold: Vec<f32>,
    pub network: Network,
}

/// Bytes of population and state per agent, excluding the network (see `estimated_bytes`).
pub const BYTES_PER_AGENT: u64 = 21 + crate::engine::STATE_BYTES_PER_AGENT;

/// Estimated peak memory of one replicate, in bytes, before anything is allocated.
pub fn estimated_bytes(s: &Scenario) -> u64 {
    let n = s.population.size;
    let net = &s.population.network;
    let network_per_agent = match net.kind {
        NetworkKind::WellMixed => 0.0,
        // CSR: an offset per agent and a target per tie end.
        NetworkKind::ErdosRenyi | NetworkKind::SmallWorld => 4.0 + 4.0 * net.degree,
        // The growth process keeps its edge list while the CSR is filled.
        NetworkKind::ScaleFree => 4.0 + 8.0 * net.degree,
    };
    let per_agent = BYTES_PER_AGENT as f64 + network_per_agent;
    (n as f64 * per_agent) as u64 + (64 << 20)
}

impl Population {
    /// Draws the population of one replicate.
    pub fn generate(s: &Scenario, stream: &RunStream) -> Population {
        let n = s.population.size as u32;
        let network = Network::build(&s.population.network, n, stream.setup_seed(Setup::Network));
        let segments = &s.population.segments;
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
fn draw_agent(segments: &[Segment], seed: u64) -> AgentTraits {
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
    for (k, mean) in seg.needs.to_array().into_iter().enumerate() {
        // A need the segment does not have is absent in all its agents.
        let x = normal(&mut rng, mean, seg.spread);
        needs[k] = if mean > 0.0 { quantize(x) } else { 0 };
    }
    let mut trait_draw = |mean: f64| quantize(normal(&mut rng, mean, seg.trait_spread));
    let shyness = trait_draw(seg.shyness);
    let price_sensitivity = trait_draw(seg.price_sensitivity);
    let incentive_sensitivity = trait_draw(seg.incentive_sensitivity);
    let advertiser = rng.random::<f64>() < seg.advertiser_share;
    let join_threshold = normal(&mut rng, seg.join_threshold.mean, seg.join_threshold.sd) as f32;
    let social_threshold =
        normal(&mut rng, seg.social_threshold.mean, seg.social_threshold.sd) as f32;
    AgentTraits {
        segment: index as u8,
        needs,
        shyness,
        price_sensitivity,
        incentive_sensitivity,
        advertiser,
        join_threshold,
        social_threshold,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Needs, Threshold};

    fn scenario(segments: Vec<Segment>, size: u64) -> Scenario {
        let mut s = crate::scenario::load_str("name = \"t\"", "t.toml", &[]).unwrap();
        s.population.size = size;
        s.population.segments = segments;
        s
    }

    #[test]
    fn segment_shares_and_trait_means_are_reproduced() {
        let a = Segment {
            share: 0.3,
            advertiser_share: 0.1,
            needs: Needs {
                learning: 0.8,
                ..Needs::default()
            },
            ..Segment::default()
        };
        let b = Segment {
            share: 0.7,
            needs: Needs::default(),
            social_threshold: Threshold {
                mean: 0.2,
                sd: 0.05,
            },
            ..Segment::default()
        };
        let s = scenario(vec![a, b], 40_000);
        let p = Population::generate(&s, &RunStream::new(1, 0));
        let n = p.size() as f64;
        let in_a: Vec<usize> = (0..p.size() as usize)
            .filter(|&i| p.segment[i] == 0)
            .collect();
        let share_a = in_a.len() as f64 / n;
        // Binomial sd of a share at n = 40,000 is 0.0023; allow 5 sd.
        assert!((share_a - 0.3).abs() < 0.012, "share {share_a}");
        let adv = in_a.iter().filter(|&&i| p.advertiser[i]).count() as f64 / in_a.len() as f64;
        assert!((adv - 0.1).abs() < 0.015, "advertisers {adv}");
        let learning = in_a
            .iter()
            .map(|&i| needs::intensity(p.needs[i][7]) as f64)
            .sum::<f64>()
            / in_a.len() as f64;
        assert!((learning - 0.8).abs() < 0.01, "learning {learning}");
        // Segment b has no needs at all, and no advertisers.
        assert!((0..p.size() as usize)
            .filter(|&i| p.segment[i] == 1)
            .all(|i| p.needs[i] == [0; NEEDS] && !p.advertiser[i]));
        let phi: Vec<f64> = (0..p.size() as usize)
            .filter(|&i| p.segment[i] == 1)
            .map(|i| p.social_threshold[i] as f64)
            .collect();
        let mean = phi.iter().sum::<f64>() / phi.len() as f64;
        assert!((mean - 0.2).abs() < 0.002, "social threshold mean {mean}");
    }

    #[test]
    fn populations_repeat_for_a_seed_and_differ_across_replicates() {
        let s = scenario(vec![Segment::default()], 2_000);
        let a = Population::generate(&s, &RunStream::new(5, 0));
        assert_eq!(a, Population::generate(&s, &RunStream::new(5, 0)));
        assert_ne!(
            a.needs,
            Population::generate(&s, &RunStream::new(5, 1)).needs
        );
    }
}
