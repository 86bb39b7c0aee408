//! The pieces of ABC-SMC (population Monte Carlo approximate Bayesian computation; Beaumont et
//! al. 2009, with the adaptive tolerance of Del Moral et al. 2012): priors, the perturbation
//! kernel, importance weights, and weighted summaries. Pure functions of their inputs; the
//! sequence of generations is driven by `calibrate::run`.
//!
//! Parameters are handled on their *internal scale*: the logarithm for a log-uniform prior, the
//! value itself otherwise. The kernel perturbs on that scale, where a log-uniform prior is flat.

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

/// The perturbation kernel's standard deviation on each coordinate: twice the weighted variance
/// of the previous population (Beaumont et al. 2009), a component-wise Gaussian.
pub fn kernel_sd(population: &[Particle]) -> Vec<f64> {
    let k = population.first().map_or(0, |p| p.x.len());
    let total: f64 = population.iter().map(|p| p.weight).sum();
    (0..k)
        .map(|j| {
            let mean = population.iter().map(|p| p.weight * p.x[j]).sum::<f64>() / total;
            let var = population
                .iter()
                .map(|p| p.weight * (p.x[j] - mean).powi(2))
                .sum::<f64>()
                / total;
            (2.0 * var).sqrt()
        })
        .collect()
}

/// Gaussian kernel density (up to a constant) of moving from `from` to `to`.
fn kernel(from: &[f64], to: &[f64], sd: &[f64]) -> f64 {
    let z2: f64 = from
        .iter()
        .zip(to)
        .zip(sd)
        .map(|((a, b), s)| if *s > 0.0 { ((a - b) / s).powi(2) } else { 0.0 })
        .sum();
    (-0.5 * z2).exp()
}

/// A proposal: a particle drawn from the previous population by weight, perturbed by the kernel
/// until inside the prior's support.
pub fn propose(
    previous: &[Particle],
    sd: &[f64],
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
        let x: Vec<f64> = pick
            .x
            .iter()
            .zip(sd)
            .map(|(&m, &s)| {
                if s > 0.0 {
                    m + s * Normal::new(0.0, 1.0).expect("unit normal").sample(rng)
                } else {
                    m
                }
            })
            .collect();
        if x.iter().zip(priors).all(|(&v, p)| p.contains(v)) {
            return x;
        }
    }
}

/// The importance weight of an accepted proposal: its prior density over the mixture density of
/// the kernel around the previous population.
pub fn weight(x: &[f64], priors: &[Prior], previous: &[Particle], sd: &[f64]) -> f64 {
    let prior: f64 = x.iter().zip(priors).map(|(&v, p)| p.density(v)).product();
    let mixture: f64 = previous
        .iter()
        .map(|p| p.weight * kernel(&p.x, x, sd))
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
        assert!((kernel_sd(&pop)[0] - 2.5f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn a_proposal_near_a_crowded_region_weighs_less_than_one_in_a_sparse_one() {
        let priors = [Prior::Uniform {
            low: 0.0,
            high: 10.0,
        }];
        let mut pop: Vec<Particle> = [1.0, 1.1, 1.2, 9.0]
            .iter()
            .map(|&x| Particle {
                x: vec![x],
                weight: 1.0,
                distance: 0.0,
            })
            .collect();
        normalise(&mut pop);
        let sd = [1.0];
        assert!(weight(&[1.1], &priors, &pop, &sd) < weight(&[9.0], &priors, &pop, &sd));
        assert_eq!(
            weight(&[11.0], &priors, &pop, &sd),
            0.0,
            "outside the prior"
        );
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
        for _ in 0..200 {
            assert!(priors[0].contains(propose(&pop, &sd, &priors, &mut rng)[0]));
        }
    }
}
