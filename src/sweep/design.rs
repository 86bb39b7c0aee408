//! Designs: which points of the axes a sweep runs.
//!
//! - `grid`: every combination of every axis's values (ranges give `steps` evenly spaced values,
//!   geometrically spaced for `log_range`); the first axis varies slowest.
//! - `random`: `samples` points, each axis drawn independently: a listed value uniformly, a range
//!   uniformly between start and stop (log-uniformly for `log_range`).
//! - `latin-hypercube`: `samples` points such that, on every axis, each of `samples` equal strata
//!   of [0, 1) holds exactly one point; a listed axis maps the unit interval onto its values.
//!
//! Random and Latin-hypercube draws come from `Xoshiro256PlusPlus` seeded from the sweep's seed.

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::{Axis, AxisValues, Design};

/// Most points a sweep may have.
pub const MAX_POINTS: usize = 1_000_000;

fn format_number(x: f64, integer: bool) -> String {
    if integer {
        format!("{}", x.round() as i64)
    } else {
        format!("{x}")
    }
}

/// A computed grid value to 12 significant digits: `0.1`, not `0.09999999999999999`, where the
/// arithmetic of the range lands a hair off the value meant.
fn tidy(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// A value drawn in [low, high], as TOML text: to 12 significant digits like grid values, within
/// the ends exactly, rounded for a whole-number key.
pub fn drawn_value(x: f64, low: f64, high: f64, integer: bool) -> String {
    format_number(tidy(x).clamp(low.min(high), low.max(high)), integer)
}

/// The grid values of an axis, as TOML text.
pub fn grid_values(a: &Axis) -> Vec<String> {
    match &a.values {
        AxisValues::List(v) => v.clone(),
        &AxisValues::Range {
            start,
            stop,
            steps,
            log,
        } => (0..steps)
            .map(|i| {
                let t = if steps == 1 {
                    0.0
                } else {
                    i as f64 / (steps - 1) as f64
                };
                let x = if log {
                    (start.ln() + t * (stop.ln() - start.ln())).exp()
                } else {
                    start + t * (stop - start)
                };
                format_number(tidy(x), a.integer)
            })
            .collect(),
    }
}

/// An axis's value at a position `u` in [0, 1] (1 is reached by Morris grids): within the range's
/// ends exactly, to 12 significant digits like grid values.
fn value_at(a: &Axis, u: f64) -> String {
    match &a.values {
        AxisValues::List(v) => v[((u * v.len() as f64) as usize).min(v.len() - 1)].clone(),
        &AxisValues::Range {
            start, stop, log, ..
        } => {
            let x = if log {
                (start.ln() + u * (stop.ln() - start.ln())).exp()
            } else {
                start + u * (stop - start)
            };
            drawn_value(x, start, stop, a.integer)
        }
    }
}

/// The points at unit-cube positions: each axis's value at its coordinate.
pub fn from_unit(axes: &[Axis], unit: Vec<Vec<f64>>) -> Vec<Vec<String>> {
    unit.into_iter()
        .map(|u| axes.iter().zip(u).map(|(a, x)| value_at(a, x)).collect())
        .collect()
}

/// `samples` points in [0, 1)^dims with exactly one point in each of `samples` strata per axis.
pub fn latin_hypercube_strata(samples: usize, dims: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(crate::rng::mix(seed ^ 0x4C48_5300));
    let mut points = vec![vec![0.0; dims]; samples];
    for d in 0..dims {
        let mut strata: Vec<usize> = (0..samples).collect();
        strata.shuffle(&mut rng);
        for (p, &stratum) in points.iter_mut().zip(&strata) {
            p[d] = (stratum as f64 + rng.random::<f64>()) / samples as f64;
        }
    }
    points
}

/// The design's points: each a list of axis values as TOML text.
pub fn points(
    axes: &[Axis],
    design: Design,
    samples: u32,
    seed: u64,
) -> Result<Vec<Vec<String>>, String> {
    match design {
        Design::Grid => {
            let lists: Vec<Vec<String>> = axes.iter().map(grid_values).collect();
            let total = lists.iter().try_fold(1usize, |n, l| n.checked_mul(l.len()));
            match total {
                Some(n) if n <= MAX_POINTS => {}
                _ => {
                    return Err(format!(
                        "the grid of these axes has more than {MAX_POINTS} points (the product \
                         of their numbers of values); sweep fewer values"
                    ))
                }
            }
            let mut out: Vec<Vec<String>> = vec![Vec::new()];
            for list in &lists {
                out = out
                    .into_iter()
                    .flat_map(|prefix| {
                        list.iter().map(move |v| {
                            let mut p = prefix.clone();
                            p.push(v.clone());
                            p
                        })
                    })
                    .collect();
            }
            Ok(out)
        }
        Design::Morris | Design::Sobol => {
            unreachable!("sensitivity designs are built by `sensitivity`")
        }
        Design::Random | Design::LatinHypercube => {
            if samples == 0 || samples as usize > MAX_POINTS {
                return Err(format!(
                    "expected 1 to {MAX_POINTS} samples, found {samples}"
                ));
            }
            let n = samples as usize;
            let unit = if design == Design::Random {
                let mut rng =
                    Xoshiro256PlusPlus::seed_from_u64(crate::rng::mix(seed ^ 0x5241_4E44));
                (0..n)
                    .map(|_| (0..axes.len()).map(|_| rng.random::<f64>()).collect())
                    .collect()
            } else {
                latin_hypercube_strata(n, axes.len(), seed)
            };
            Ok(from_unit(axes, unit))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(key: &str, start: f64, stop: f64, steps: u32, log: bool, integer: bool) -> Axis {
        Axis {
            key: key.into(),
            values: AxisValues::Range {
                start,
                stop,
                steps,
                log,
            },
            integer,
        }
    }

    #[test]
    fn the_grid_holds_every_combination_exactly_once() {
        let axes = [
            Axis {
                key: "entry.fee".into(),
                values: AxisValues::List(vec!["0.0".into(), "19.0".into(), "49.0".into()]),
                integer: false,
            },
            range("rules.moderators_per_group", 0.0, 4.0, 5, false, true),
        ];
        let pts = points(&axes, Design::Grid, 0, 1).unwrap();
        assert_eq!(pts.len(), 15);
        let unique: std::collections::BTreeSet<_> = pts.iter().collect();
        assert_eq!(unique.len(), 15);
        assert_eq!(pts[0], vec!["0.0", "0"]);
        assert_eq!(pts[4], vec!["0.0", "4"]);
        assert_eq!(pts[5], vec!["19.0", "0"], "the first axis varies slowest");
    }

    #[test]
    fn log_ranges_are_geometric() {
        let a = range("acquisition.ad_reach", 0.001, 0.1, 3, true, false);
        let v: Vec<f64> = grid_values(&a).iter().map(|s| s.parse().unwrap()).collect();
        assert!(
            (v[0] - 0.001).abs() < 1e-12
                && (v[1] - 0.01).abs() < 1e-12
                && (v[2] - 0.1).abs() < 1e-12
        );
    }

    #[test]
    fn grid_values_are_the_values_meant() {
        let a = range("x", 0.0, 1.0, 11, false, false);
        let v = grid_values(&a);
        assert_eq!(v[1], "0.1");
        assert_eq!(v[3], "0.3");
        assert_eq!(v[7], "0.7");
        let b = range("x", 0.0, 0.15, 4, false, false);
        assert_eq!(grid_values(&b), vec!["0", "0.05", "0.1", "0.15"]);
        let c = range("x", 0.001, 1.0, 4, true, false);
        assert_eq!(grid_values(&c), vec!["0.001", "0.01", "0.1", "1"]);
    }

    #[test]
    fn latin_hypercube_puts_one_sample_in_each_stratum_of_each_axis() {
        for (n, d) in [(7, 3), (64, 2), (1, 4)] {
            let pts = latin_hypercube_strata(n, d, 42);
            for axis in 0..d {
                let mut strata: Vec<usize> =
                    pts.iter().map(|p| (p[axis] * n as f64) as usize).collect();
                strata.sort_unstable();
                assert_eq!(strata, (0..n).collect::<Vec<_>>(), "n={n} axis {axis}");
            }
        }
    }

    #[test]
    fn random_and_lhs_designs_repeat_for_a_seed() {
        let axes = [range("entry.fee", 0.0, 100.0, 2, false, false)];
        for s in [Design::Random, Design::LatinHypercube] {
            assert_eq!(
                points(&axes, s, 10, 3).unwrap(),
                points(&axes, s, 10, 3).unwrap()
            );
            assert_ne!(
                points(&axes, s, 10, 3).unwrap(),
                points(&axes, s, 10, 4).unwrap()
            );
        }
    }
}
