//! Who knows whom: the ties that carry word of mouth and social proof, stored as a compressed
//! sparse row (CSR) adjacency, 4 bytes a tie end plus 4 bytes an agent.
//!
//! Every builder is sequential and driven by one `Xoshiro256PlusPlus` seeded from the run's
//! stream, so a network depends only on (seed, replicate) and never on thread count. Builders
//! that generate edges from the generator are replayed twice (count degrees, then fill) rather
//! than storing an edge list, which keeps the peak memory near the final CSR size. Self-loops are
//! never made and duplicate ties are merged, so an agent's neighbour list is sorted and unique.

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::scenario::{NetworkKind, NetworkSpec};

/// The network of a population. `WellMixed` has no ties: contacts are drawn uniformly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// `offsets[i]..offsets[i + 1]` indexes agent i's neighbours in `targets`; empty when
    /// well-mixed.
    offsets: Vec<u32>,
    targets: Vec<u32>,
    well_mixed: bool,
}

impl Network {
    /// Builds the network described by `spec` over `n` agents, from `seed`.
    pub fn build(spec: &NetworkSpec, n: u32, seed: u64) -> Network {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        match spec.kind {
            NetworkKind::WellMixed => Network {
                offsets: Vec::new(),
                targets: Vec::new(),
                well_mixed: true,
            },
            NetworkKind::ErdosRenyi => {
                let edges = (n as f64 * spec.degree / 2.0).round() as u64;
                from_edges(n, |emit| {
                    let mut rng = rng.clone();
                    if n < 2 {
                        return;
                    }
                    for _ in 0..edges {
                        let u = rng.random_range(0..n);
                        let mut v = rng.random_range(0..n - 1);
                        if v >= u {
                            v += 1;
                        }
                        emit(u, v);
                    }
                })
            }
            NetworkKind::SmallWorld => {
                let half = (spec.degree as u32) / 2;
                let rewire = spec.rewire;
                from_edges(n, |emit| {
                    let mut rng = rng.clone();
                    for i in 0..n {
                        for j in 1..=half {
                            let mut target = ((i as u64 + j as u64) % n as u64) as u32;
                            if rewire > 0.0 && rng.random::<f64>() < rewire && n > 1 {
                                target = rng.random_range(0..n - 1);
                                if target >= i {
                                    target += 1;
                                }
                            }
                            emit(i, target);
                        }
                    }
                })
            }
            NetworkKind::ScaleFree => {
                let m = (spec.degree as usize / 2).max(1);
                let endpoints = preferential_attachment(n as usize, m, &mut rng);
                from_edges(n, |emit| {
                    for pair in endpoints.chunks_exact(2) {
                        emit(pair[0], pair[1]);
                    }
                })
            }
        }
    }

    /// Whether contacts are uniform draws from the whole population (no ties).
    pub fn is_well_mixed(&self) -> bool {
        self.well_mixed
    }

    /// The agents `agent` is tied to, sorted, without duplicates.
    #[inline]
    pub fn neighbours(&self, agent: u32) -> &[u32] {
        if self.well_mixed {
            return &[];
        }
        let i = agent as usize;
        &self.targets[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// Number of tie ends (twice the number of ties).
    pub fn tie_ends(&self) -> usize {
        self.targets.len()
    }

    /// Bytes held by the adjacency.
    pub fn heap_bytes(&self) -> usize {
        (self.offsets.capacity() + self.targets.capacity()) * 4
    }
}

/// Builds a CSR adjacency from an edge generator that can be replayed: it is called once to
/// count degrees and once to fill, and must emit the same edges both times.
fn from_edges(n: u32, generate: impl Fn(&mut dyn FnMut(u32, u32))) -> Network {
    let n = n as usize;
    let mut degree = vec![0u32; n];
    generate(&mut |u, v| {
        if u != v {
            degree[u as usize] += 1;
            degree[v as usize] += 1;
        }
    });
    let mut offsets = Vec::with_capacity(n + 1);
    let mut total = 0u32;
    offsets.push(0);
    for d in &degree {
        total += d;
        offsets.push(total);
    }
    let mut targets = vec![0u32; total as usize];
    // Reuse `degree` as the fill cursor of each agent.
    degree.copy_from_slice(&offsets[..n]);
    let mut cursor = degree;
    generate(&mut |u, v| {
        if u != v {
            targets[cursor[u as usize] as usize] = v;
            cursor[u as usize] += 1;
            targets[cursor[v as usize] as usize] = u;
            cursor[v as usize] += 1;
        }
    });
    drop(cursor);
    // Sort each list, merge duplicate ties, and compact in place.
    let mut write = 0usize;
    let mut start = 0usize;
    for i in 0..n {
        let end = offsets[i + 1] as usize;
        targets[start..end].sort_unstable();
        let mut last = None;
        for r in start..end {
            let t = targets[r];
            if last != Some(t) {
                targets[write] = t;
                write += 1;
                last = Some(t);
            }
        }
        start = end;
        offsets[i + 1] = write as u32;
    }
    targets.truncate(write);
    targets.shrink_to_fit();
    Network {
        offsets,
        targets,
        well_mixed: false,
    }
}

/// Barabási–Albert growth: a clique of `m + 1` agents, then each new agent ties to `m` distinct
/// earlier agents chosen in proportion to their degree. Returns the edge list as endpoint pairs.
fn preferential_attachment(n: usize, m: usize, rng: &mut Xoshiro256PlusPlus) -> Vec<u32> {
    let core = (m + 1).min(n);
    let mut endpoints: Vec<u32> = Vec::with_capacity(2 * (core * core / 2 + (n - core) * m));
    for a in 0..core {
        for b in (a + 1)..core {
            endpoints.push(a as u32);
            endpoints.push(b as u32);
        }
    }
    let mut chosen: Vec<u32> = Vec::with_capacity(m);
    for t in core..n {
        chosen.clear();
        while chosen.len() < m {
            let pick = endpoints[rng.random_range(0..endpoints.len())];
            if !chosen.contains(&pick) {
                chosen.push(pick);
            }
        }
        for &target in &chosen {
            endpoints.push(t as u32);
            endpoints.push(target);
        }
    }
    endpoints
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: NetworkKind, degree: f64, rewire: f64) -> NetworkSpec {
        NetworkSpec {
            kind,
            degree,
            rewire,
        }
    }

    fn check_symmetric_simple(net: &Network, n: u32) {
        for i in 0..n {
            let nb = net.neighbours(i);
            assert!(nb.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
            assert!(!nb.contains(&i), "no self-loop");
            for &j in nb {
                assert!(
                    net.neighbours(j).binary_search(&i).is_ok(),
                    "tie {i}-{j} is mutual"
                );
            }
        }
    }

    #[test]
    fn small_world_without_rewiring_is_the_ring_lattice() {
        let net = Network::build(&spec(NetworkKind::SmallWorld, 4.0, 0.0), 10, 1);
        assert_eq!(net.neighbours(0), &[1, 2, 8, 9]);
        assert_eq!(net.neighbours(5), &[3, 4, 6, 7]);
        check_symmetric_simple(&net, 10);
    }

    #[test]
    fn small_world_rewiring_keeps_mean_degree_and_moves_ties() {
        let n = 5_000;
        let net = Network::build(&spec(NetworkKind::SmallWorld, 10.0, 0.2), n, 3);
        check_symmetric_simple(&net, n);
        let mean = net.tie_ends() as f64 / n as f64;
        assert!((mean - 10.0).abs() < 0.05, "mean degree {mean}");
        let far = (0..n)
            .flat_map(|i| net.neighbours(i).iter().map(move |&j| (i, j)))
            .filter(|&(i, j)| {
                let d = (i as i64 - j as i64).unsigned_abs();
                d.min(n as u64 - d) > 5
            })
            .count();
        let share = far as f64 / net.tie_ends() as f64;
        // About 20% of ties were rewired (a few land back within the lattice range).
        assert!((share - 0.2).abs() < 0.02, "rewired share {share}");
    }

    #[test]
    fn erdos_renyi_has_the_requested_mean_degree_and_poisson_spread() {
        let n = 20_000;
        let net = Network::build(&spec(NetworkKind::ErdosRenyi, 3.0, 0.0), n, 9);
        check_symmetric_simple(&net, n);
        let degrees: Vec<f64> = (0..n).map(|i| net.neighbours(i).len() as f64).collect();
        let mean = degrees.iter().sum::<f64>() / n as f64;
        let var = degrees.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / n as f64;
        assert!((mean - 3.0).abs() < 0.05, "mean {mean}");
        assert!((var - 3.0).abs() < 0.2, "Poisson variance {var}");
        let isolated = degrees.iter().filter(|&&d| d == 0.0).count() as f64 / n as f64;
        assert!(
            (isolated - (-3.0f64).exp()).abs() < 0.01,
            "isolated {isolated}"
        );
    }

    #[test]
    fn scale_free_has_hubs_and_mean_degree_two_m() {
        let n = 20_000;
        let net = Network::build(&spec(NetworkKind::ScaleFree, 6.0, 0.0), n, 5);
        check_symmetric_simple(&net, n);
        let mean = net.tie_ends() as f64 / n as f64;
        assert!((mean - 6.0).abs() < 0.1, "mean {mean}");
        let max = (0..n).map(|i| net.neighbours(i).len()).max().unwrap();
        // A power law with exponent 3 has a largest degree near m * sqrt(n) (about 400 here);
        // a Poisson graph of the same mean would top out near 20.
        assert!(max > 100, "largest hub {max}");
        assert!((0..n).all(|i| net.neighbours(i).len() >= 3));
    }

    #[test]
    fn the_same_seed_gives_the_same_network_and_another_seed_another() {
        let s = spec(NetworkKind::SmallWorld, 6.0, 0.3);
        let a = Network::build(&s, 1000, 42);
        assert_eq!(a, Network::build(&s, 1000, 42));
        assert_ne!(a, Network::build(&s, 1000, 43));
    }

    #[test]
    fn well_mixed_has_no_ties() {
        let net = Network::build(&spec(NetworkKind::WellMixed, 10.0, 0.0), 100, 1);
        assert!(net.is_well_mixed());
        assert!(net.neighbours(7).is_empty());
    }
}
