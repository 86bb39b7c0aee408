//! A sensitivity sweep's results: the indices of every metric, `sensitivity.csv`, and the ranking
//! of axes by influence printed at the end.

use rayon::prelude::*;

use super::sensitivity::{analyse as indices_of, replicate_noise, Indices, Placement};
use super::Sweep;
use crate::export::cell;
use crate::metrics::Metrics;

/// The sensitivity of one metric.
pub struct MetricIndices {
    pub metric: &'static str,
    /// None when the metric is undefined in some run (e.g. retention before anyone joined).
    pub indices: Option<Indices>,
    /// Share of the metric's variance over the runs that is replicate noise.
    pub noise: Option<f64>,
    /// The same at every point: no axis moves it (its indices are all 0).
    pub constant: bool,
}

/// Indices of every metric. `per_point(m)` gives metric m's values at each point, one per
/// replicate; a point's output is their mean (replicates share their random numbers across
/// points, so the mean's noise is common to all points and cancels in the differences).
pub fn analyse(
    sweep: &Sweep,
    placement: &Placement,
    per_point: &(dyn Fn(usize) -> Vec<Vec<f64>> + Sync),
) -> Vec<MetricIndices> {
    let seed = crate::rng::mix(sweep.seed ^ 0x424F_4F54);
    // Each metric's bootstrap is seeded alike and independent of the others: in parallel, in
    // metric order.
    Metrics::NAMES
        .par_iter()
        .enumerate()
        .map(|(m, &metric)| {
            let runs = per_point(m);
            let y: Vec<f64> = runs
                .iter()
                .map(|r| r.iter().sum::<f64>() / r.len() as f64)
                .collect();
            let defined = y.iter().all(|v| v.is_finite());
            let constant = defined && y.iter().all(|&v| v == y[0]);
            MetricIndices {
                constant,
                metric,
                indices: defined.then(|| {
                    indices_of(
                        placement,
                        sweep.axes.len(),
                        &y,
                        sweep.resamples as usize,
                        seed,
                    )
                }),
                noise: if defined {
                    replicate_noise(&runs)
                } else {
                    None
                },
            }
        })
        .collect()
}

/// `sensitivity.csv`: one row per metric and axis (and, for second-order Sobol' indices, per
/// metric and pair of axes).
pub fn csv(sweep: &Sweep, table: &[MetricIndices]) -> anyhow::Result<Vec<u8>> {
    let axis = |i: usize| sweep.axes[i].key.clone();
    let noise = |t: &MetricIndices| cell(t.noise.unwrap_or(f64::NAN));
    let morris = matches!(sweep.placement, Some(Placement::Morris(_)));
    let header: &[&str] = if morris {
        &[
            "metric",
            "axis",
            "mu",
            "mu_star",
            "sigma",
            "mu_star_ci",
            "noise_share",
        ]
    } else {
        &[
            "metric",
            "axis",
            "other_axis",
            "S1",
            "S1_ci",
            "ST",
            "ST_ci",
            "S2",
            "S2_ci",
            "noise_share",
        ]
    };
    let mut rows: Vec<Vec<String>> = Vec::new();
    for t in table {
        match &t.indices {
            None => {
                for i in 0..sweep.axes.len() {
                    let mut row = vec![t.metric.to_string(), axis(i)];
                    row.resize(header.len(), String::new());
                    rows.push(row);
                }
            }
            Some(Indices::Morris(m)) => {
                for (i, x) in m.iter().enumerate() {
                    rows.push(vec![
                        t.metric.to_string(),
                        axis(i),
                        cell(x.mu),
                        cell(x.mu_star),
                        cell(x.sigma),
                        cell(x.mu_star_ci),
                        noise(t),
                    ]);
                }
            }
            Some(Indices::Sobol(s, pairs)) => {
                for (i, x) in s.iter().enumerate() {
                    let mut row = vec![t.metric.to_string(), axis(i), String::new()];
                    row.extend([x.s1, x.s1_ci, x.st, x.st_ci].map(cell));
                    row.extend([String::new(), String::new(), noise(t)]);
                    rows.push(row);
                }
                for p in pairs {
                    let mut row = vec![t.metric.to_string(), axis(p.i), axis(p.j)];
                    row.extend(std::iter::repeat_n(String::new(), 4));
                    row.extend([cell(p.s2), cell(p.s2_ci), noise(t)]);
                    rows.push(row);
                }
            }
        }
    }
    crate::export::csv_table(header, rows)
}

/// For each metric, the axes in order of influence (μ* for Morris, the total index for
/// Sobol'), with the share of its variance that is replicate noise.
pub fn ranking(sweep: &Sweep, table: &[MetricIndices]) -> String {
    let mut out = String::from("which axes matter (most first):\n");
    for t in table {
        let Some(indices) = &t.indices else {
            out.push_str(&format!("  {}: undefined in some runs\n", t.metric));
            continue;
        };
        if t.constant {
            out.push_str(&format!("  {}: the same at every point\n", t.metric));
            continue;
        }
        let (measure, values): (&str, Vec<f64>) = match indices {
            Indices::Morris(m) => ("mu*", m.iter().map(|x| x.mu_star).collect()),
            Indices::Sobol(s, _) => ("ST", s.iter().map(|x| x.st).collect()),
        };
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
        let ranked: Vec<String> = order
            .iter()
            .map(|&i| format!("{} ({measure} {})", sweep.axes[i].key, short(values[i])))
            .collect();
        let noise = t.noise.map_or(String::new(), |n| {
            format!("; replicate noise {:.0}%", 100.0 * n)
        });
        out.push_str(&format!(
            "  {}: {}{noise}{}\n",
            t.metric,
            ranked.join(", "),
            doubt(&values, t.noise, matches!(indices, Indices::Sobol(..)))
        ));
    }
    out
}

/// Why a metric's ranking is not to be trusted, if it is not: a total index above 1 when
/// `values` are `shares` of variance (Sobol'; the estimator exceeds 1 when a few runs' values
/// dwarf the rest), or more replicate noise than signal.
fn doubt(values: &[f64], noise: Option<f64>, shares: bool) -> String {
    if shares && values.iter().any(|&v| v > 1.0) {
        " (not to be trusted: an index above 1 means a few runs' values dwarf the rest; add \
         samples, or rank a steadier metric)"
            .into()
    } else if noise.is_some_and(|n| n > 0.5) {
        " (not to be trusted: most of its variance is replicate noise; add replicates)".into()
    } else {
        String::new()
    }
}

/// A number short enough for the ranking: 3 decimals, or 3 significant digits when large or
/// tiny.
fn short(x: f64) -> String {
    if x == 0.0 || (0.01..1e4).contains(&x.abs()) {
        format!("{x:.3}")
    } else {
        format!("{x:.2e}")
    }
}

#[cfg(test)]
mod tests {
    use super::doubt;

    #[test]
    fn impossible_indices_and_noisy_metrics_are_flagged() {
        assert_eq!(doubt(&[0.6, 0.3], Some(0.01), true), "");
        assert!(doubt(&[706.7, 0.4], Some(0.01), true).contains("above 1"));
        assert!(doubt(&[0.6, 0.3], Some(0.82), true).contains("replicate noise"));
        assert_eq!(
            doubt(&[5.0], Some(0.0), false),
            "",
            "mu* has the metric's units"
        );
    }
}
