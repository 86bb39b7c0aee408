//! The sensitivity designs of a sweep, on the unit hypercube of its axes (each axis's range scaled
//! as declared, linearly or geometrically; a `values` axis is its list spread evenly over [0, 1)):
//!
//! - `morris`: `trajectories` elementary-effects trajectories on a grid of `levels` levels (Morris
//!   1991): each starts at a random grid point and moves every axis once, in random order, by
//!   Δ = levels / (2 (levels − 1)), up or down; r (k + 1) points for k axes.
//! - `sobol`: Saltelli's scheme (Saltelli 2002; Saltelli et al. 2010): two N × k matrices A and B
//!   from the first and last k dimensions of an Owen-scrambled Sobol' sequence (Burley 2020) of
//!   `samples` = N rows, a power of 2, and for each axis i the matrix AB_i (A with column i from B)
//!   and, for second-order indices, BA_i; N (k + 2) or N (2k + 2) points, in SALib's order (for
//!   each row: A, AB_1..AB_k, BA_1..BA_k, B).
//!
//! And the analysis of a sweep's runs by them: every metric averaged over a point's replicates
//! (which share their random numbers with every other point's), then [`crate::sensitivity`]'s
//! estimators.

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::sensitivity::{
    elementary_effects, morris, noise_share, sobol, MorrisStep, Saltelli, Sobol, SobolPair,
};

/// Where each point of a sensitivity design stands in it.
#[derive(Debug, Clone, PartialEq)]
pub enum Placement {
    Morris(Vec<MorrisStep>),
    Sobol {
        /// Base rows N.
        rows: usize,
        second_order: bool,
        /// Each point's block and row.
        blocks: Vec<(Block, usize)>,
    },
}

/// A block of Saltelli's scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    A,
    B,
    /// A with axis i from B.
    AB(usize),
    /// B with axis i from A.
    BA(usize),
}

/// Δ of a Morris grid of `levels` levels.
pub fn morris_delta(levels: u32) -> f64 {
    levels as f64 / (2.0 * (levels as f64 - 1.0))
}

/// A Morris design: each point's unit coordinates and place. With `candidates`, that many
/// trajectories are drawn and the `trajectories` most spread are kept ([`most_spread`]).
pub fn morris_design(
    axes: usize,
    trajectories: u32,
    candidates: Option<u32>,
    levels: u32,
    seed: u64,
) -> (Vec<Vec<f64>>, Vec<MorrisStep>) {
    let drawn = candidates.unwrap_or(trajectories) as usize;
    let (points, steps) = draw_trajectories(axes, drawn, levels, seed);
    if drawn == trajectories as usize {
        return (points, steps);
    }
    let per = axes + 1;
    let keep = most_spread(&points, per, trajectories as usize);
    let mut out = (Vec::new(), Vec::new());
    for (t, &c) in keep.iter().enumerate() {
        for s in 0..per {
            out.0.push(points[c * per + s].clone());
            out.1.push(MorrisStep {
                trajectory: t,
                ..steps[c * per + s]
            });
        }
    }
    out
}

/// The spread of two trajectories (Campolongo et al. 2007): the sum of the Euclidean distances
/// between every point of one and every point of the other.
fn spread(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    a.iter()
        .flat_map(|p| {
            b.iter().map(move |q| {
                p.iter()
                    .zip(q)
                    .map(|(x, y)| (x - y) * (x - y))
                    .sum::<f64>()
                    .sqrt()
            })
        })
        .sum()
}

/// The `keep` trajectories (of `per` points each) that cover the unit cube best: Campolongo et
/// al. (2007) keep the set with the largest sum of squared pairwise spreads; this chooses it
/// greedily (as SALib's local optimisation does, after Ruano et al. 2012): the two most spread
/// first, then each time the candidate adding most.
fn most_spread(points: &[Vec<f64>], per: usize, keep: usize) -> Vec<usize> {
    let n = points.len() / per;
    let traj = |t: usize| &points[t * per..(t + 1) * per];
    let d: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| spread(traj(i), traj(j))).collect())
        .collect();
    let (mut best, mut pair) = (-1.0, (0, 1));
    for i in 0..n {
        for j in i + 1..n {
            if d[i][j] > best {
                (best, pair) = (d[i][j], (i, j));
            }
        }
    }
    let mut chosen = vec![pair.0, pair.1];
    while chosen.len() < keep {
        let next = (0..n)
            .filter(|c| !chosen.contains(c))
            .max_by(|&a, &b| {
                let gain = |c: usize| chosen.iter().map(|&s| d[c][s] * d[c][s]).sum::<f64>();
                gain(a).total_cmp(&gain(b)).then(b.cmp(&a))
            })
            .expect("more candidates than trajectories");
        chosen.push(next);
    }
    chosen
}

/// `trajectories` Morris trajectories drawn from the seed.
fn draw_trajectories(
    axes: usize,
    trajectories: usize,
    levels: u32,
    seed: u64,
) -> (Vec<Vec<f64>>, Vec<MorrisStep>) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(crate::rng::mix(seed ^ 0x4D4F_5252));
    let delta = morris_delta(levels);
    let top = levels as f64 - 1.0;
    let (mut points, mut steps) = (Vec::new(), Vec::new());
    for t in 0..trajectories {
        // Each axis starts on a level from which a move of Δ stays in [0, 1], and moves up or
        // down: a start at x* moving up, or at x* + Δ moving down.
        let mut x = Vec::with_capacity(axes);
        let mut dir = Vec::with_capacity(axes);
        for _ in 0..axes {
            let base = rng.random_range(0..levels / 2) as f64 / top;
            let up = rng.random::<bool>();
            x.push(if up { base } else { base + delta });
            dir.push(if up { delta } else { -delta });
        }
        let mut order: Vec<usize> = (0..axes).collect();
        order.shuffle(&mut rng);
        points.push(x.clone());
        steps.push(MorrisStep {
            trajectory: t,
            step: 0,
            moved: None,
            delta: 0.0,
        });
        for (s, &i) in order.iter().enumerate() {
            x[i] += dir[i];
            points.push(x.clone());
            steps.push(MorrisStep {
                trajectory: t,
                step: s + 1,
                moved: Some(i),
                delta: dir[i],
            });
        }
    }
    (points, steps)
}

/// A Saltelli design of `rows` base rows (a power of 2): each point's unit coordinates, with its
/// placement.
pub fn sobol_design(
    axes: usize,
    rows: usize,
    second_order: bool,
    seed: u64,
) -> (Vec<Vec<f64>>, Placement) {
    let scramble = (crate::rng::mix(seed ^ 0x534F_424C) >> 32) as u32;
    let unit =
        |row: usize, dim: usize| sobol_burley::sample(row as u32, dim as u32, scramble) as f64;
    let (mut points, mut blocks) = (Vec::new(), Vec::new());
    for r in 0..rows {
        let a: Vec<f64> = (0..axes).map(|i| unit(r, i)).collect();
        let b: Vec<f64> = (0..axes).map(|i| unit(r, axes + i)).collect();
        let swap = |base: &[f64], from: &[f64], i: usize| {
            let mut x = base.to_vec();
            x[i] = from[i];
            x
        };
        points.push(a.clone());
        blocks.push((Block::A, r));
        for i in 0..axes {
            points.push(swap(&a, &b, i));
            blocks.push((Block::AB(i), r));
        }
        if second_order {
            for i in 0..axes {
                points.push(swap(&b, &a, i));
                blocks.push((Block::BA(i), r));
            }
        }
        points.push(b);
        blocks.push((Block::B, r));
    }
    (
        points,
        Placement::Sobol {
            rows,
            second_order,
            blocks,
        },
    )
}

/// Points of a Sobol' design of `rows` base rows.
pub fn sobol_points(axes: usize, rows: usize, second_order: bool) -> usize {
    rows * if second_order { 2 * axes + 2 } else { axes + 2 }
}

/// The powers of 2 nearest `n`, for a refusal's message.
pub fn nearest_powers_of_two(n: u32) -> (u32, u32) {
    let above = n.max(1).next_power_of_two();
    (above / 2, above)
}

/// The sensitivity of one metric to every axis.
#[derive(Debug, Clone, PartialEq)]
pub enum Indices {
    Morris(Vec<crate::sensitivity::Morris>),
    Sobol(Vec<Sobol>, Vec<SobolPair>),
}

/// The indices of one metric from its per-point values (the mean over replicates); `resamples`
/// bootstrap resamples seeded by `seed`.
pub fn analyse(
    placement: &Placement,
    axes: usize,
    y: &[f64],
    resamples: usize,
    seed: u64,
) -> Indices {
    match placement {
        Placement::Morris(steps) => {
            let ee = elementary_effects(axes, steps, y);
            Indices::Morris(ee.iter().map(|e| morris(e, resamples, seed)).collect())
        }
        Placement::Sobol {
            rows,
            second_order,
            blocks,
        } => {
            let mut o = Saltelli {
                a: vec![0.0; *rows],
                b: vec![0.0; *rows],
                ab: vec![vec![0.0; *rows]; axes],
                ba: if *second_order {
                    vec![vec![0.0; *rows]; axes]
                } else {
                    Vec::new()
                },
            };
            for (&(block, r), &v) in blocks.iter().zip(y) {
                match block {
                    Block::A => o.a[r] = v,
                    Block::B => o.b[r] = v,
                    Block::AB(i) => o.ab[i][r] = v,
                    Block::BA(i) => o.ba[i][r] = v,
                }
            }
            let (singles, pairs) = sobol(&o, resamples, seed);
            Indices::Sobol(singles, pairs)
        }
    }
}

/// Share of a metric's variance over the runs that is replicate noise (see
/// [`crate::sensitivity::noise_share`]).
pub fn replicate_noise(per_point: &[Vec<f64>]) -> Option<f64> {
    noise_share(per_point)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_morris_trajectory_moves_every_axis_once_by_delta_within_the_unit_cube() {
        let (x, steps) = morris_design(3, 5, None, 4, 1);
        assert_eq!(x.len(), 5 * 4);
        let delta = morris_delta(4);
        for t in 0..5 {
            let pts = &x[t * 4..(t + 1) * 4];
            let mut moved = Vec::new();
            for s in 1..4 {
                let changed: Vec<usize> = (0..3).filter(|&i| pts[s][i] != pts[s - 1][i]).collect();
                assert_eq!(changed.len(), 1, "one axis a step");
                let i = changed[0];
                assert!(((pts[s][i] - pts[s - 1][i]).abs() - delta).abs() < 1e-12);
                assert_eq!(steps[t * 4 + s].moved, Some(i));
                moved.push(i);
            }
            moved.sort();
            assert_eq!(moved, vec![0, 1, 2], "every axis once");
            for p in pts {
                for &v in p {
                    assert!((0.0..=1.0 + 1e-12).contains(&v));
                    // On the grid of 4 levels.
                    assert!(((v * 3.0).round() - v * 3.0).abs() < 1e-9, "{v}");
                }
            }
        }
        assert_eq!(
            morris_design(3, 5, None, 4, 1),
            (x, steps),
            "a seed repeats it"
        );
    }

    #[test]
    fn chosen_trajectories_are_more_spread_than_the_first_ones_drawn() {
        let total = |(x, _): &(Vec<Vec<f64>>, Vec<MorrisStep>)| {
            let t = |i: usize| &x[i * 4..(i + 1) * 4];
            (0..5)
                .flat_map(|i| (i + 1..5).map(move |j| (i, j)))
                .map(|(i, j)| spread(t(i), t(j)).powi(2))
                .sum::<f64>()
        };
        let plain = morris_design(3, 5, None, 4, 1);
        let chosen = morris_design(3, 5, Some(40), 4, 1);
        assert!(
            total(&chosen) > total(&plain),
            "{} vs {}",
            total(&chosen),
            total(&plain)
        );
        // Still five whole trajectories, numbered 0 to 4.
        assert_eq!(chosen.0.len(), 20);
        let numbers: Vec<usize> = chosen.1.iter().map(|s| s.trajectory).collect();
        assert_eq!(numbers, (0..5).flat_map(|t| [t; 4]).collect::<Vec<_>>());
    }

    #[test]
    fn a_saltelli_design_swaps_one_column_between_a_and_b() {
        let (x, placement) = sobol_design(2, 8, true, 3);
        assert_eq!(x.len(), sobol_points(2, 8, true));
        let Placement::Sobol { blocks, .. } = placement else {
            panic!("a Sobol' placement")
        };
        let at = |b: Block, r: usize| &x[blocks.iter().position(|&p| p == (b, r)).unwrap()];
        for r in 0..8 {
            let (a, b) = (at(Block::A, r), at(Block::B, r));
            assert_eq!(at(Block::AB(0), r), &vec![b[0], a[1]]);
            assert_eq!(at(Block::AB(1), r), &vec![a[0], b[1]]);
            assert_eq!(at(Block::BA(0), r), &vec![a[0], b[1]]);
        }
        // The base rows are stratified: each half of [0, 1) holds half of the rows, on every
        // dimension (a Sobol' sequence's first 2^m points are balanced).
        for dim in 0..2 {
            let low = (0..8).filter(|&r| at(Block::A, r)[dim] < 0.5).count();
            assert_eq!(low, 4);
        }
    }

    #[test]
    fn sizes_off_a_power_of_two_get_the_nearest_ones() {
        assert_eq!(nearest_powers_of_two(100), (64, 128));
        assert_eq!(nearest_powers_of_two(3), (2, 4));
    }
}
