//! The pieces of ABC-SMC (population Monte Carlo approximate Bayesian computation; Beaumont et
//! al. 2009, with the adaptive tolerance of Del Moral et al. 2012): priors, the perturbation
//! kernel, importance weights, and weighted summaries. Pure functions of their inputs; the
//! sequence of generations is driven by `calibrate::run`.
//!
//! Parameters are handled on their *internal scale*: the logarithm for a log-uniform prior, the
//! value itself otherwise. The kernel perturbs on that scale, where a log-uniform prior is flat.

use nalgebra::{DMatrix, DVector};
use rand::RngExt;
use rand_distr::{Distribution, Normal};

/// A parameter's prior.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Prior {
    /// Uniform on [low, high].
    Uniform { low: f64, high: f64 },
    /// Uniform in log on [low, high], both above 0.
    LogUniform { low: f64, high: f64 },
    /// Normal of `mean` and `sd`, truncated to [min, max].
    Normal {
        mean: f64,
        sd: f64,
        min: f64,
        max: f64,
    },
}

impl Prior {
    /// A value's internal-scale coordinate.
    pub fn internal(&self, value: f64) -> f64 {
        match self {
            Prior::LogUniform { .. } => value.ln(),
            _ => value,
        }
    }

    /// The value at an internal-scale coordinate.
    pub fn value(&self, x: f64) -> f64 {
        match self {
            Prior::LogUniform { .. } => x.exp(),
            _ => x,
        }
    }

    /// The support on the internal scale.
    fn bounds(&self) -> (f64, f64) {
        match *self {
            Prior::Uniform { low, high } => (low, high),
            Prior::LogUniform { low, high } => (low.ln(), high.ln()),
            Prior::Normal { min, max, .. } => (min, max),
        }
    }

    /// Whether an internal-scale coordinate is inside the support.
    pub fn contains(&self, x: f64) -> bool {
        let (lo, hi) = self.bounds();
        x.is_finite() && lo <= x && x <= hi
    }

    /// The prior density on the internal scale, up to a constant factor (which cancels in the
    /// normalised weights); 0 outside the support.
    pub fn density(&self, x: f64) -> f64 {
        if !self.contains(x) {
            return 0.0;
        }
        match *self {
            Prior::Uniform { .. } | Prior::LogUniform { .. } => 1.0,
            Prior::Normal { mean, sd, .. } => (-0.5 * ((x - mean) / sd).powi(2)).exp(),
        }
    }

    /// The internal-scale coordinate below which a share `u` (in [0, 1]) of the prior's mass
    /// lies: its quantile function, which turns evenly spread points of [0, 1) into points
    /// spread as the prior is.
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        match *self {
            Prior::Uniform { .. } | Prior::LogUniform { .. } => {
                let (lo, hi) = self.bounds();
                lo + u * (hi - lo)
            }
            Prior::Normal { mean, sd, min, max } => {
                use statrs::distribution::{ContinuousCDF, Normal as StdNormal};
                let n = StdNormal::new(mean, sd).expect("a validated sd > 0");
                let (a, b) = (n.cdf(min), n.cdf(max));
                n.inverse_cdf(a + u * (b - a)).clamp(min, max)
            }
        }
    }

    /// A draw on the internal scale (the truncated normal by rejection, which the validated
    /// bounds keep efficient: they must hold some of the normal's mass).
    pub fn sample(&self, rng: &mut impl RngExt) -> f64 {
        match *self {
            Prior::Uniform { .. } | Prior::LogUniform { .. } => {
                let (lo, hi) = self.bounds();
                lo + rng.random::<f64>() * (hi - lo)
            }
            Prior::Normal { mean, sd, min, max } => {
                let n = Normal::new(mean, sd).expect("a validated sd > 0");
                for _ in 0..100_000 {
                    let x = n.sample(rng);
                    if (min..=max).contains(&x) {
                        return x;
                    }
                }
                // Bounds far in a tail: fall back to uniform within them.
                min + rng.random::<f64>() * (max - min)
            }
        }
    }
}

/// One particle: its internal-scale coordinates, weight and distance.
#[derive(Debug, Clone, PartialEq)]
pub struct Particle {
    pub x: Vec<f64>,
    pub weight: f64,
    pub distance: f64,
}

/// The perturbation kernel: a multivariate Gaussian whose covariance is twice the weighted
/// covariance of the previous population (Beaumont et al. 2009; Filippi et al. 2013), so that
/// it steps along the correlations of the posterior rather than across them. It is held as the
/// Cholesky factor of that covariance over the coordinates that vary; a coordinate on which
/// every particle agrees stays where it is.
#[derive(Debug, Clone)]
pub struct Kernel {
    /// The coordinates that vary in the previous population.
    active: Vec<usize>,
    /// Lower-triangular L with L Lᵀ = 2 Σ over the active coordinates.
    factor: DMatrix<f64>,
}

impl Kernel {
    /// The kernel around `population` (weights need not be normalised).
    pub fn of(population: &[Particle]) -> Kernel {
        let k = population.first().map_or(0, |p| p.x.len());
        let total: f64 = population.iter().map(|p| p.weight).sum();
        let mean: Vec<f64> = (0..k)
            .map(|j| population.iter().map(|p| p.weight * p.x[j]).sum::<f64>() / total)
            .collect();
        let cov = |a: usize, b: usize| {
            population
                .iter()
                .map(|p| p.weight * (p.x[a] - mean[a]) * (p.x[b] - mean[b]))
                .sum::<f64>()
                / total
        };
        let active: Vec<usize> = (0..k).filter(|&j| cov(j, j) > 0.0).collect();
        let n = active.len();
        let twice = DMatrix::from_fn(n, n, |a, b| 2.0 * cov(active[a], active[b]));
        // Collinear particles leave no Cholesky factor: then each coordinate alone.
        let factor = match twice.clone().cholesky() {
            Some(c) => c.l(),
            None => DMatrix::from_diagonal(&twice.diagonal().map(f64::sqrt)),
        };
        Kernel { active, factor }
    }

    /// The standard deviation of the kernel's step on each coordinate (0 where it stays).
    pub fn sd(&self, coordinates: usize) -> Vec<f64> {
        let mut sd = vec![0.0; coordinates];
        for (a, &j) in self.active.iter().enumerate() {
            sd[j] = self.factor.row(a).norm();
        }
        sd
    }

    /// `from` moved by one step of the kernel.
    fn step(&self, from: &[f64], rng: &mut impl RngExt) -> Vec<f64> {
        let unit = Normal::new(0.0, 1.0).expect("unit normal");
        let z = DVector::from_fn(self.active.len(), |_, _| unit.sample(rng));
        let dx = &self.factor * z;
        let mut x = from.to_vec();
        for (a, &j) in self.active.iter().enumerate() {
            x[j] += dx[a];
        }
        x
    }

    /// The kernel's density (up to a constant) of moving from `from` to `to`; 0 if `to` differs
    /// on a coordinate the kernel does not move.
    fn density(&self, from: &[f64], to: &[f64]) -> f64 {
        let fixed_differ = (0..from.len())
            .filter(|j| !self.active.contains(j))
            .any(|j| from[j] != to[j]);
        if fixed_differ {
            return 0.0;
        }
        let d = DVector::from_fn(self.active.len(), |a, _| {
            to[self.active[a]] - from[self.active[a]]
        });
        // |L⁻¹ d|², by forward substitution.
        let z = self
            .factor
            .solve_lower_triangular(&d)
            .expect("a Cholesky factor or a positive diagonal is invertible");
        (-0.5 * z.norm_squared()).exp()
    }
}

/// A proposal: a particle drawn from the previous population by weight, perturbed by the kernel
/// until inside the prior's support.
pub fn propose(
    previous: &[Particle],
    kernel: &Kernel,
    priors: &[Prior],
    rng: &mut impl RngExt,
) -> Vec<f64> {
    let total: f64 = previous.iter().map(|p| p.weight).sum();
    loop {
        let mut u = rng.random::<f64>() * total;
        let mut pick = &previous[previous.len() - 1];
        for p in previous {
            if u < p.weight {
                pick = p;
                break;
            }
            u -= p.weight;
        }
        let x = kernel.step(&pick.x, rng);
        if x.iter().zip(priors).all(|(&v, p)| p.contains(v)) {
            return x;
        }
    }
}

/// The importance weight of an accepted proposal: its prior density over the mixture density of
/// the kernel around the previous population.
pub fn weight(x: &[f64], priors: &[Prior], previous: &[Particle], kernel: &Kernel) -> f64 {
    let prior: f64 = x.iter().zip(priors).map(|(&v, p)| p.density(v)).product();
    let mixture: f64 = previous
        .iter()
        .map(|p| p.weight * kernel.density(&p.x, x))
        .sum();
    if mixture > 0.0 {
        prior / mixture
    } else {
        0.0
    }
}

/// Normalises weights to sum to 1.
pub fn normalise(population: &mut [Particle]) {
    let total: f64 = population.iter().map(|p| p.weight).sum();
    for p in population.iter_mut() {
        p.weight /= total;
    }
}

/// Effective sample size of normalised weights: 1 / Σ w².
pub fn ess(population: &[Particle]) -> f64 {
    1.0 / population.iter().map(|p| p.weight * p.weight).sum::<f64>()
}

/// The weighted `q`-quantile of `values` (the smallest value whose cumulative weight reaches q).
pub fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let total: f64 = weights.iter().sum();
    let mut cum = 0.0;
    for &i in &order {
        cum += weights[i];
        if cum >= q * total - 1e-12 * total {
            return values[i];
        }
    }
    values[order[order.len() - 1]]
}

/// The next tolerance: the `alpha` quantile of the current population's distances (Del Moral et
/// al. 2012's adaptive schedule, unweighted as in Beaumont et al.'s practice).
pub fn next_tolerance(population: &[Particle], alpha: f64) -> f64 {
    let d: Vec<f64> = population.iter().map(|p| p.distance).collect();
    weighted_quantile(&d, &vec![1.0; d.len()], alpha)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// One-coordinate particles of equal weight.
    fn particles(xs: &[f64]) -> Vec<Particle> {
        xs.iter()
            .map(|&x| Particle {
                x: vec![x],
                weight: 1.0,
                distance: 0.0,
            })
            .collect()
    }

    #[test]
    fn a_priors_quantiles_split_its_mass_evenly() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        let flat = Prior::Uniform {
            low: -3.0,
            high: -1.0,
        };
        assert!(close(flat.quantile(0.0), -3.0) && close(flat.quantile(1.0), -1.0));
        assert!(close(flat.quantile(0.25), -2.5));
        // Log-uniform on [1, 100]: the median is 10, on the internal (log) scale.
        let log = Prior::LogUniform {
            low: 1.0,
            high: 100.0,
        };
        assert!(close(log.value(log.quantile(0.5)), 10.0));
        // A normal truncated far out is the normal: its 97.5% point is 1.959964 sd above the
        // mean (the textbook value).
        let wide = Prior::Normal {
            mean: 2.0,
            sd: 0.5,
            min: -8.0,
            max: 12.0,
        };
        assert!((wide.quantile(0.975) - (2.0 + 0.5 * 1.959964)).abs() < 1e-6);
        // Truncated to [-1, 1] about 0: the middle and symmetry; a quarter of the
        // cut mass lies below the 25% point: Φ(q) = Φ(-1) + 0.25 (Φ(1) − Φ(-1)), Φ(-1) =
        // 0.158655 and Φ(1) − Φ(-1) = 0.682689, so Φ(q) = 0.329328 and q = −0.441771.
        let cut = Prior::Normal {
            mean: 0.0,
            sd: 1.0,
            min: -1.0,
            max: 1.0,
        };
        assert!(close(cut.quantile(0.5), 0.0));
        assert!(close(cut.quantile(0.25), -cut.quantile(0.75)));
        assert!((cut.quantile(0.25) + 0.441771).abs() < 1e-5);
    }

    #[test]
    fn proposals_redrawn_inside_the_bounds_are_weighted_back_to_the_prior() {
        // Two particles near the lower bound of a uniform prior on [0, 1]: many of the kernel's
        // steps fall below 0 and are redrawn, particle and step (Toni et al. 2009). The
        // proposal is then the kernel mixture cut to [0, 1], scaled by one constant, so the
        // importance weights (prior over mixture) give back the flat prior where the proposal
        // reaches: equal mass on [0, 0.1], [0.1, 0.2] and [0.2, 0.3].
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let prior = [Prior::Uniform {
            low: 0.0,
            high: 1.0,
        }];
        let previous = particles(&[0.05, 0.25]);
        let kernel = Kernel::of(&previous);
        let n = 40_000;
        let (mut mass, mut total) = ([0.0f64; 3], 0.0);
        let mut below = 0;
        for _ in 0..n {
            let x = propose(&previous, &kernel, &prior, &mut rng);
            let w = weight(&x, &prior, &previous, &kernel);
            total += w;
            let bin = (x[0] * 10.0) as usize;
            if bin < 3 {
                mass[bin] += w;
                below += 1;
            }
        }
        assert!(below > n / 2, "the bins are well covered: {below}");
        for m in &mass[1..] {
            let ratio = mass[0] / m;
            // Each bin holds thousands of proposals with weights varying by a factor of a few:
            // a 10% band is several standard errors wide, and a per-particle truncation would
            // put [0, 0.1] off by a third.
            assert!((ratio - 1.0).abs() < 0.1, "{ratio} ({mass:?} of {total})");
        }
    }

    #[test]
    fn priors_draw_inside_their_support_on_their_scale() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let log = Prior::LogUniform {
            low: 0.01,
            high: 1.0,
        };
        let xs: Vec<f64> = (0..4000).map(|_| log.sample(&mut rng)).collect();
        assert!(xs.iter().all(|&x| log.contains(x)));
        // Log-uniform: half the draws below the geometric midpoint 0.1.
        let below = xs.iter().filter(|&&x| log.value(x) < 0.1).count() as f64 / 4000.0;
        assert!((below - 0.5).abs() < 0.04, "{below}");
        let normal = Prior::Normal {
            mean: 0.0,
            sd: 1.0,
            min: 0.0,
            max: 5.0,
        };
        assert!((0..1000).all(|_| (0.0..=5.0).contains(&normal.sample(&mut rng))));
        assert_eq!(normal.density(-0.1), 0.0);
        assert!(normal.density(0.0) > normal.density(1.0));
    }

    #[test]
    fn weighted_quantiles_and_ess() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(weighted_quantile(&v, &[1.0; 4], 0.5), 2.0);
        assert_eq!(weighted_quantile(&v, &[0.0, 0.0, 0.0, 1.0], 0.05), 4.0);
        assert_eq!(weighted_quantile(&v, &[1.0, 1.0, 1.0, 5.0], 0.5), 4.0);
        let mut pop: Vec<Particle> = (0..4)
            .map(|i| Particle {
                x: vec![i as f64],
                weight: 2.0,
                distance: i as f64,
            })
            .collect();
        normalise(&mut pop);
        assert!((ess(&pop) - 4.0).abs() < 1e-12, "equal weights: ESS = N");
        assert_eq!(next_tolerance(&pop, 0.5), 1.0);
        // Kernel sd: twice the variance of 0, 1, 2, 3 (1.25), square-rooted.
        assert!((Kernel::of(&pop).sd(1)[0] - 2.5f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn a_proposal_near_a_crowded_region_weighs_less_than_one_in_a_sparse_one() {
        let priors = [Prior::Uniform {
            low: 0.0,
            high: 10.0,
        }];
        let mut pop = particles(&[1.0, 1.1, 1.2, 9.0]);
        normalise(&mut pop);
        let kernel = Kernel::of(&pop);
        assert!(weight(&[1.1], &priors, &pop, &kernel) < weight(&[9.0], &priors, &pop, &kernel));
        assert_eq!(
            weight(&[11.0], &priors, &pop, &kernel),
            0.0,
            "outside the prior"
        );
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
        for _ in 0..200 {
            assert!(priors[0].contains(propose(&pop, &kernel, &priors, &mut rng)[0]));
        }
    }

    #[test]
    fn the_kernel_steps_along_the_populations_correlation() {
        // Particles on a line x1 = x0, with a little scatter across it.
        let pop: Vec<Particle> = (0..50)
            .map(|i| {
                let a = i as f64 / 10.0;
                let across = if i % 2 == 0 { 0.05 } else { -0.05 };
                Particle {
                    x: vec![a + across, a - across, 7.0],
                    weight: 1.0,
                    distance: 0.0,
                }
            })
            .collect();
        let kernel = Kernel::of(&pop);
        let origin = [2.0, 2.0, 7.0];
        let (along, across) = ([2.5, 2.5, 7.0], [2.5, 1.5, 7.0]);
        assert!(
            kernel.density(&origin, &along) > 100.0 * kernel.density(&origin, &across),
            "a step along the line is far likelier than one of the same length across it"
        );
        assert_eq!(
            kernel.density(&origin, &[2.0, 2.0, 7.5]),
            0.0,
            "a coordinate every particle agrees on stays"
        );
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let steps: Vec<Vec<f64>> = (0..4000).map(|_| kernel.step(&origin, &mut rng)).collect();
        let d = |s: &Vec<f64>, j: usize| s[j] - origin[j];
        let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
        for s in &steps {
            sxy += d(s, 0) * d(s, 1);
            sxx += d(s, 0) * d(s, 0);
            syy += d(s, 1) * d(s, 1);
            assert_eq!(s[2], 7.0);
        }
        let r = sxy / (sxx * syy).sqrt();
        assert!(
            r > 0.95,
            "the steps are correlated as the particles are: r = {r}"
        );
        // Twice the population's variance on each coordinate, as before.
        let var = sxx / steps.len() as f64;
        let sd = kernel.sd(3);
        assert!(
            (var - sd[0] * sd[0]).abs() < 0.1 * sd[0] * sd[0],
            "{var} vs {}",
            sd[0]
        );
        assert_eq!(sd[2], 0.0);
    }
}
