//! Summaries of replicates: mean, standard deviation and 95% confidence intervals
//! (Student's t, from statrs), for one sample or for paired differences.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Mean, sample standard deviation and two-sided 95% t-interval of a sample.
/// Non-finite values (e.g. an ROI with no cost) are left out; `n` counts what remains.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub n: usize,
    pub mean: f64,
    pub sd: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile_975(df: usize) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64)
        .expect("df >= 1")
        .inverse_cdf(0.975)
}

/// Estimates the mean of `values` with a 95% confidence interval.
pub fn estimate(values: &[f64]) -> Estimate {
    let xs: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let n = xs.len();
    if n == 0 {
        return Estimate {
            n,
            mean: f64::NAN,
            sd: f64::NAN,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
        };
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return Estimate {
            n,
            mean,
            sd: f64::NAN,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
        };
    }
    let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
    let half = t_quantile_975(n - 1) * sd / (n as f64).sqrt();
    Estimate {
        n,
        mean,
        sd,
        ci_low: mean - half,
        ci_high: mean + half,
    }
}

/// Estimates the mean paired difference `a[i] - b[i]`, over pairs where both are finite.
pub fn paired_difference(a: &[f64], b: &[f64]) -> Estimate {
    let diffs: Vec<f64> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(x, y)| x - y)
        .collect();
    estimate(&diffs)
}

/// Ranks of `xs` from 1, ties given the mean of the ranks they span.
fn ranks(xs: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let mut ranks = vec![0.0; xs.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && xs[order[j + 1]] == xs[order[i]] {
            j += 1;
        }
        let mean_rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = mean_rank;
        }
        i = j + 1;
    }
    ranks
}

/// Spearman's rank correlation of paired samples: Pearson's correlation of their ranks (ties at
/// mean ranks), over the pairs where both are finite. NaN with fewer than 3 pairs or when
/// either side does not vary.
pub fn rank_correlation(a: &[f64], b: &[f64]) -> f64 {
    let (x, y): (Vec<f64>, Vec<f64>) = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(x, y)| (*x, *y))
        .unzip();
    if x.len() < 3 {
        return f64::NAN;
    }
    let (rx, ry) = (ranks(&x), ranks(&y));
    let mean = (x.len() as f64 + 1.0) / 2.0;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (u, v) in rx.iter().zip(&ry) {
        sxy += (u - mean) * (v - mean);
        sxx += (u - mean).powi(2);
        syy += (v - mean).powi(2);
    }
    if sxx == 0.0 || syy == 0.0 {
        return f64::NAN;
    }
    sxy / (sxx * syy).sqrt()
}

/// The rank correlation below which `n` pairs cannot tell a relation from none, two-sided at
/// 5%: the t approximation r = t / sqrt(n − 2 + t²), t the 97.5% quantile with n − 2 degrees of
/// freedom (NaN below 3 pairs).
pub fn rank_correlation_critical(n: usize) -> f64 {
    if n < 3 {
        return f64::NAN;
    }
    let t = t_quantile_975(n - 2);
    t / (n as f64 - 2.0 + t * t).sqrt()
}

/// Welch's 95% interval for the difference of means of two independent samples (what the
/// comparison would give without pairing).
pub fn unpaired_difference(a: &[f64], b: &[f64]) -> Estimate {
    let (ea, eb) = (estimate(a), estimate(b));
    let (va, vb) = (ea.sd.powi(2) / ea.n as f64, eb.sd.powi(2) / eb.n as f64);
    let se = (va + vb).sqrt();
    let df =
        (va + vb).powi(2) / (va.powi(2) / (ea.n as f64 - 1.0) + vb.powi(2) / (eb.n as f64 - 1.0));
    let t = StudentsT::new(0.0, 1.0, df.max(1.0))
        .expect("df > 0")
        .inverse_cdf(0.975);
    let mean = ea.mean - eb.mean;
    Estimate {
        n: ea.n.min(eb.n),
        mean,
        sd: se * (ea.n.min(eb.n) as f64).sqrt(),
        ci_low: mean - t * se,
        ci_high: mean + t * se,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_correlation_reads_order_not_size() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(rank_correlation(&a, &[1.0, 4.0, 9.0, 16.0, 25.0]), 1.0);
        assert_eq!(rank_correlation(&a, &[50.0, 4.0, 3.0, 2.0, -1.0]), -1.0);
        // With a tie, by hand: ranks (1, 2.5, 2.5, 4) and (1, 3, 2, 4) about 2.5 give
        // 4.5 / sqrt(4.5 × 5) = 3 / sqrt(10).
        let r = rank_correlation(&[1.0, 2.0, 2.0, 3.0], &[1.0, 3.0, 2.0, 4.0]);
        assert!((r - 3.0 / 10f64.sqrt()).abs() < 1e-12, "{r}");
        // Pairs with a non-finite value are left out; a side that does not vary gives NaN.
        assert_eq!(
            rank_correlation(&[1.0, f64::NAN, 2.0, 3.0], &[3.0, 0.0, 2.0, 1.0]),
            -1.0
        );
        assert!(rank_correlation(&a, &[2.0; 5]).is_nan());
        assert!(rank_correlation(&a[..2], &a[..2]).is_nan());
        // The 5% critical value at 20 pairs: t(0.975, 18) = 2.1009 (tables), so
        // 2.1009 / sqrt(18 + 2.1009²) = 0.4438 (the exact table gives 0.447).
        assert!((rank_correlation_critical(20) - 0.4438).abs() < 1e-3);
    }

    #[test]
    fn t_quantiles_match_tables() {
        // Standard tables: t_{0.975} = 12.706 (df 1), 2.262 (df 9), 2.045 (df 29).
        assert!((t_quantile_975(1) - 12.706).abs() < 1e-3);
        assert!((t_quantile_975(9) - 2.262).abs() < 1e-3);
        assert!((t_quantile_975(29) - 2.045).abs() < 1e-3);
    }

    #[test]
    fn estimate_of_a_known_sample() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sample variance 32/7.
        let e = estimate(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(e.n, 8);
        assert!((e.mean - 5.0).abs() < 1e-12);
        assert!((e.sd - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        let half = 2.364624 * e.sd / 8f64.sqrt(); // t_{0.975, 7}
        assert!((e.ci_high - 5.0 - half).abs() < 1e-5);
        assert!((5.0 - e.ci_low - half).abs() < 1e-5);
    }

    #[test]
    fn non_finite_values_are_left_out_and_tiny_samples_have_no_interval() {
        let e = estimate(&[1.0, f64::NAN, 3.0]);
        assert_eq!((e.n, e.mean), (2, 2.0));
        assert!(estimate(&[4.0]).ci_low.is_nan());
        assert!(estimate(&[]).mean.is_nan());
    }

    #[test]
    fn pairing_removes_shared_noise() {
        let base = [10.0, 20.0, 30.0, 40.0, 50.0];
        let shifted: Vec<f64> = base.iter().map(|x| x + 1.0).collect();
        let paired = paired_difference(&shifted, &base);
        assert_eq!(paired.mean, 1.0);
        assert_eq!(paired.sd, 0.0);
        let unpaired = unpaired_difference(&shifted, &base);
        assert!((unpaired.mean - 1.0).abs() < 1e-12);
        assert!(unpaired.ci_high - unpaired.ci_low > 10.0);
    }
}
