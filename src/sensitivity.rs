//! Global sensitivity analysis of a sweep's outcomes: Morris elementary effects and Sobol'
//! indices, with seeded bootstrap intervals. Pure estimators over the outputs of a design (see
//! `sweep::design` for the designs themselves); they follow SALib's definitions so that a user
//! can recompute them from `runs.csv` with SALib and find the same values (`docs/SENSITIVITY.md`).

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// z of a two-sided 95% normal interval: a bootstrap interval is ±z × the bootstrap standard
/// deviation (SALib's `conf_level = 0.95`).
pub const Z_95: f64 = 1.959_963_984_540_054;

/// Where a point of a Morris design stands in its trajectory.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisStep {
    pub trajectory: usize,
    /// 0 for a trajectory's first point; then each step moves one axis.
    pub step: usize,
    /// The axis this step moved (none for step 0).
    pub moved: Option<usize>,
    /// How far it moved, on the axis's unit scale (±Δ).
    pub delta: f64,
}

/// The elementary effects of each axis: for every step that moved it, the change in the output
/// over the change in the axis (both signed, the axis on its unit scale). `points` and `y` are
/// in design order: each trajectory's points one after the other.
pub fn elementary_effects(axes: usize, points: &[MorrisStep], y: &[f64]) -> Vec<Vec<f64>> {
    let mut ee = vec![Vec::new(); axes];
    for j in 1..points.len() {
        let (prev, here) = (points[j - 1], points[j]);
        if let (Some(i), true) = (here.moved, here.trajectory == prev.trajectory) {
            ee[i].push((y[j] - y[j - 1]) / here.delta);
        }
    }
    ee
}

/// Morris measures of one axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Morris {
    /// Mean elementary effect (effects of opposite signs cancel).
    pub mu: f64,
    /// Mean absolute elementary effect: the screening measure of influence.
    pub mu_star: f64,
    /// Standard deviation of the elementary effects (n − 1): nonlinearity or interactions.
    pub sigma: f64,
    /// Half-width of the 95% bootstrap interval of `mu_star`.
    pub mu_star_ci: f64,
}

/// Morris measures from an axis's elementary effects, the interval from `resamples` seeded
/// bootstrap resamples.
pub fn morris(ee: &[f64], resamples: usize, seed: u64) -> Morris {
    let n = ee.len();
    let mean = |xs: &mut dyn Iterator<Item = f64>| {
        let (s, k) = xs.fold((0.0, 0usize), |(s, k), x| (s + x, k + 1));
        s / k as f64
    };
    let mu = mean(&mut ee.iter().copied());
    let mu_star = mean(&mut ee.iter().map(|x| x.abs()));
    let sigma = sd(ee);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let boot: Vec<f64> = (0..resamples)
        .map(|_| mean(&mut (0..n).map(|_| ee[rng.random_range(0..n)].abs())))
        .collect();
    Morris {
        mu,
        mu_star,
        sigma,
        mu_star_ci: Z_95 * sd(&boot),
    }
}

/// The outputs of a Saltelli design, centred on their overall mean: for each of the N base rows,
/// f(A), f(B), f(A with axis i from B) for each axis, and (second order) f(B with axis i from A).
#[derive(Debug, Clone, PartialEq)]
pub struct Saltelli {
    pub a: Vec<f64>,
    pub b: Vec<f64>,
    /// `ab[i][row]`.
    pub ab: Vec<Vec<f64>>,
    /// `ba[i][row]`, empty without second order.
    pub ba: Vec<Vec<f64>>,
}

impl Saltelli {
    /// Centres the outputs on the mean of all of them (as SALib does: estimators of S1 are
    /// biased for outputs far from 0).
    pub fn centred(mut self) -> Saltelli {
        let all: Vec<f64> = self.all().collect();
        let m = all.iter().sum::<f64>() / all.len() as f64;
        for v in [&mut self.a, &mut self.b]
            .into_iter()
            .chain(self.ab.iter_mut())
            .chain(self.ba.iter_mut())
        {
            v.iter_mut().for_each(|x| *x -= m);
        }
        self
    }

    fn all(&self) -> impl Iterator<Item = f64> + '_ {
        self.a
            .iter()
            .chain(&self.b)
            .chain(self.ab.iter().flatten())
            .chain(self.ba.iter().flatten())
            .copied()
    }
}

/// Sobol' indices of one axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sobol {
    /// First-order index (Saltelli et al. 2010): the share of variance the axis explains alone.
    pub s1: f64,
    pub s1_ci: f64,
    /// Total index (Jansen 1999): its share including every interaction.
    pub st: f64,
    pub st_ci: f64,
}

/// A second-order index (Saltelli 2002): the share of variance of the interaction of two axes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolPair {
    pub i: usize,
    pub j: usize,
    pub s2: f64,
    pub s2_ci: f64,
}

/// Variance (n) of f(A) and f(B) together, over `rows`.
fn variance(o: &Saltelli, rows: &[usize]) -> f64 {
    let values = rows.iter().flat_map(|&r| [o.a[r], o.b[r]]);
    let n = 2 * rows.len();
    let m = values.clone().sum::<f64>() / n as f64;
    values.map(|x| (x - m) * (x - m)).sum::<f64>() / n as f64
}

fn mean_over(rows: &[usize], f: impl Fn(usize) -> f64) -> f64 {
    rows.iter().map(|&r| f(r)).sum::<f64>() / rows.len() as f64
}

/// S1 of axis `i` over `rows`: mean f(B) (f(AB_i) − f(A)) / V.
fn first_order(o: &Saltelli, i: usize, rows: &[usize], v: f64) -> f64 {
    mean_over(rows, |r| o.b[r] * (o.ab[i][r] - o.a[r])) / v
}

/// ST of axis `i` over `rows`: mean (f(A) − f(AB_i))² / 2V.
fn total_order(o: &Saltelli, i: usize, rows: &[usize], v: f64) -> f64 {
    0.5 * mean_over(rows, |r| (o.a[r] - o.ab[i][r]).powi(2)) / v
}

/// The closed second-order share of axes `i` < `j` over `rows`: mean (f(BA_i) f(AB_j) − f(A)
/// f(B)) / V; S2 is it less S1_i and S1_j (Saltelli 2002).
fn joint_order(o: &Saltelli, i: usize, j: usize, rows: &[usize], v: f64) -> f64 {
    mean_over(rows, |r| o.ba[i][r] * o.ab[j][r] - o.a[r] * o.b[r]) / v
}

/// Sobol' indices of every axis (and of every pair, when the design has second order), the
/// intervals from `resamples` seeded bootstrap resamples of the base rows. A constant output
/// has no variance to share: every index is 0 then.
pub fn sobol(o: &Saltelli, resamples: usize, seed: u64) -> (Vec<Sobol>, Vec<SobolPair>) {
    let o = &o.clone().centred();
    let n = o.a.len();
    let k = o.ab.len();
    let pairs: Vec<(usize, usize)> = if o.ba.is_empty() {
        Vec::new()
    } else {
        (0..k)
            .flat_map(|i| (i + 1..k).map(move |j| (i, j)))
            .collect()
    };
    let all: Vec<usize> = (0..n).collect();
    let point = sobol_over(o, &pairs, &all);
    // Every index of a resample is computed on the same rows, one resample at a time, so memory
    // does not grow with `resamples`; the spread of each is gathered as it goes.
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut rows = vec![0; n];
    let mut spread = vec![Spread::default(); point.len()];
    for _ in 0..resamples {
        rows.iter_mut().for_each(|r| *r = rng.random_range(0..n));
        for (s, x) in spread.iter_mut().zip(sobol_over(o, &pairs, &rows)) {
            s.push(x);
        }
    }
    let ci = |m: usize| Z_95 * spread[m].sd();
    let singles = (0..k)
        .map(|i| Sobol {
            s1: point[i],
            s1_ci: ci(i),
            st: point[k + i],
            st_ci: ci(k + i),
        })
        .collect();
    let pairs = pairs
        .iter()
        .enumerate()
        .map(|(p, &(i, j))| SobolPair {
            i,
            j,
            s2: point[2 * k + p],
            s2_ci: ci(2 * k + p),
        })
        .collect();
    (singles, pairs)
}

/// The indices over `rows`: S1 of every axis, then ST of every axis, then S2 of every pair; all
/// 0 when the output does not vary over them.
fn sobol_over(o: &Saltelli, pairs: &[(usize, usize)], rows: &[usize]) -> Vec<f64> {
    let k = o.ab.len();
    let v = variance(o, rows);
    if v <= 0.0 {
        return vec![0.0; 2 * k + pairs.len()];
    }
    let s1: Vec<f64> = (0..k).map(|i| first_order(o, i, rows, v)).collect();
    let mut out = s1.clone();
    out.extend((0..k).map(|i| total_order(o, i, rows, v)));
    out.extend(
        pairs
            .iter()
            .map(|&(i, j)| joint_order(o, i, j, rows, v) - s1[i] - s1[j]),
    );
    out
}

/// A running mean and sum of squared deviations (Welford 1962), for a sample sd without keeping
/// the sample.
#[derive(Debug, Clone, Copy, Default)]
struct Spread {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Spread {
    fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// Sample standard deviation (n − 1); 0 for fewer than two values.
    fn sd(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2 / (self.n - 1) as f64).sqrt()
        }
    }
}

/// Sample standard deviation (n − 1); 0 for fewer than two values.
fn sd(xs: &[f64]) -> f64 {
    let n = xs.len();
    if n < 2 {
        return 0.0;
    }
    let m = xs.iter().sum::<f64>() / n as f64;
    (xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64).sqrt()
}

/// How much of the variance the indices decompose is replicate noise. A point's output is the
/// mean of its R replicates, and replicate r of every point shares its random numbers, so a
/// replicate's common offset cancels between points; what does not is the residual of the
/// two-way decomposition y_pr = m + point_p + replicate_r + e_pr. The noise left in a point's
/// mean has variance var(e) / R; this is its share of the variance of the point means (capped at
/// 1: the design's inputs cannot be told from noise). `runs[p]` holds point p's replicates, in
/// replicate order; None without two replicates at two points, or without variance.
pub fn noise_share(runs: &[Vec<f64>]) -> Option<f64> {
    let p = runs.len();
    let r = runs.first()?.len();
    if p < 2 || r < 2 || runs.iter().any(|x| x.len() != r) {
        return None;
    }
    let point_mean: Vec<f64> = runs
        .iter()
        .map(|x| x.iter().sum::<f64>() / r as f64)
        .collect();
    let rep_mean: Vec<f64> = (0..r)
        .map(|k| runs.iter().map(|x| x[k]).sum::<f64>() / p as f64)
        .collect();
    let grand = point_mean.iter().sum::<f64>() / p as f64;
    let residual: f64 = runs
        .iter()
        .enumerate()
        .flat_map(|(i, x)| {
            let (pm, rm) = (&point_mean, &rep_mean);
            x.iter()
                .enumerate()
                .map(move |(k, y)| (y - pm[i] - rm[k] + grand).powi(2))
        })
        .sum();
    let noise = residual / ((p - 1) * (r - 1)) as f64 / r as f64;
    let spread = sd(&point_mean).powi(2);
    if spread <= 0.0 {
        return None;
    }
    Some((noise / spread).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_linear_output_has_its_slope_as_every_elementary_effect() {
        // y = 3 x0 − 2 x1 on one trajectory moving x0 up, then x1 down.
        let steps = [
            MorrisStep {
                trajectory: 0,
                step: 0,
                moved: None,
                delta: 0.0,
            },
            MorrisStep {
                trajectory: 0,
                step: 1,
                moved: Some(0),
                delta: 2.0 / 3.0,
            },
            MorrisStep {
                trajectory: 0,
                step: 2,
                moved: Some(1),
                delta: -2.0 / 3.0,
            },
        ];
        let x = [[0.0, 1.0], [2.0 / 3.0, 1.0], [2.0 / 3.0, 1.0 / 3.0]];
        let y: Vec<f64> = x.iter().map(|p| 3.0 * p[0] - 2.0 * p[1]).collect();
        let ee = elementary_effects(2, &steps, &y);
        assert!((ee[0][0] - 3.0).abs() < 1e-12 && (ee[1][0] + 2.0).abs() < 1e-12);
        let m = morris(&ee[1], 100, 1);
        assert!((m.mu + 2.0).abs() < 1e-12 && (m.mu_star - 2.0).abs() < 1e-12);
        assert_eq!((m.sigma, m.mu_star_ci), (0.0, 0.0), "one effect: no spread");
    }

    #[test]
    fn an_additive_output_splits_its_variance_by_first_order_indices() {
        // y = a + 2 b on independent uniform columns: S1 = 1/5 and 4/5, ST = S1, no interaction.
        let n = 4096;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let a_rows: Vec<[f64; 2]> = (0..n).map(|_| [rng.random(), rng.random()]).collect();
        let b_rows: Vec<[f64; 2]> = (0..n).map(|_| [rng.random(), rng.random()]).collect();
        let f = |x: [f64; 2]| x[0] + 2.0 * x[1];
        let mix = |base: &[[f64; 2]], from: &[[f64; 2]], i: usize| -> Vec<f64> {
            base.iter()
                .zip(from)
                .map(|(p, q)| {
                    let mut x = *p;
                    x[i] = q[i];
                    f(x)
                })
                .collect()
        };
        let o = Saltelli {
            a: a_rows.iter().map(|&x| f(x)).collect(),
            b: b_rows.iter().map(|&x| f(x)).collect(),
            ab: (0..2).map(|i| mix(&a_rows, &b_rows, i)).collect(),
            ba: (0..2).map(|i| mix(&b_rows, &a_rows, i)).collect(),
        };
        let (s, pairs) = sobol(&o, 200, 9);
        for (i, want) in [(0, 0.2), (1, 0.8)] {
            assert!((s[i].s1 - want).abs() < 3.0 * s[i].s1_ci.max(0.01), "{s:?}");
            assert!((s[i].st - want).abs() < 3.0 * s[i].st_ci.max(0.01), "{s:?}");
        }
        assert!(
            pairs[0].s2.abs() < 3.0 * pairs[0].s2_ci.max(0.01),
            "{pairs:?}"
        );
        // The same resamples give the same intervals.
        assert_eq!(sobol(&o, 200, 9), (s, pairs));
    }

    #[test]
    fn noise_share_counts_only_the_noise_common_random_numbers_leave() {
        assert_eq!(noise_share(&[vec![1.0], vec![2.0]]), None, "no replicates");
        // A replicate offset shared by every point cancels: no noise at all.
        let shared = noise_share(&[vec![0.0, 5.0], vec![1.0, 6.0], vec![3.0, 8.0]]).unwrap();
        assert!(shared.abs() < 1e-12, "{shared}");
        // Replicates that disagree point by point as much as the points differ: all noise.
        let noise = noise_share(&[vec![0.0, 2.0], vec![2.0, 0.0]]);
        assert_eq!(noise, None, "point means equal: nothing to decompose");
        let some = noise_share(&[vec![0.0, 0.2], vec![10.2, 10.0], vec![20.0, 20.2]]).unwrap();
        // Replicate means 10.0667 and 10.1333, grand mean 10.1: residuals ±1/15, ±2/15, ±1/15,
        // sum of squares 6/225 × 2 = 0.05333 over (3 − 1)(2 − 1) = 2 degrees of freedom, over
        // R = 2; point means 0.1, 10.1, 20.1 have variance 100.
        let want = (12.0 / 225.0) / 2.0 / 2.0 / 100.0;
        assert!((some - want).abs() < 1e-12, "{some} vs {want}");
    }
}
