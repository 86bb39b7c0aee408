//! The outputs of a finished calibration: `posterior.csv`, `calibration.csv`, `generations.csv`
//! and `predictive.csv` of its last generation, and the summary printed at the end.

use std::path::Path;

use anyhow::Result;
use rayon::prelude::*;

use super::abc::weighted_quantile;
use super::run::{Simulated, Stats};
use super::Calibration;
use crate::export::{cell, csv_table, write_atomic};

/// The four output files of the last generation (five with `best.csv` when `[abc] refine` is
/// set); returns what to print at the end.
pub(super) fn write_outputs(
    cal: &Calibration,
    staging: &Path,
    pop: &[Simulated],
    history: &[Stats],
) -> Result<String> {
    write_posterior(cal, staging, pop, history)?;
    let mut printed = summary(cal, pop);
    if cal.abc.refine > 0 {
        printed.push_str(&write_best(cal, staging, pop)?);
    }
    Ok(printed)
}

/// `best.csv`: every particle of the last generation simulated `refine` more times, and the one
/// whose mean over them is nearest what was observed (the first, on a tie); returns the lines
/// that say so.
fn write_best(cal: &Calibration, staging: &Path, pop: &[Simulated]) -> Result<String> {
    let replicates = cal.abc.refine;
    let refined: Vec<Simulated> = (0..pop.len())
        .into_par_iter()
        .map(|i| cal.refine(i, pop[i].particle.x.clone(), replicates))
        .collect::<Result<_>>()?;
    let best = (refined.iter().map(|s| s.particle.distance).enumerate())
        .filter(|(_, d)| d.is_finite())
        .min_by(|(_, a), (_, b)| a.total_cmp(b));
    let Some((i, distance)) = best else {
        anyhow::bail!(
            "refining the posterior: no particle's mean over {replicates} replicates has a \
             defined value for every target and column"
        );
    };
    let mut header: Vec<String> = cal.parameters.iter().map(|p| p.key.clone()).collect();
    header.extend(["distance".to_string(), "replicates".to_string()]);
    let mut row: Vec<String> = cal
        .parameters
        .iter()
        .zip(&refined[i].particle.x)
        .map(|(p, &x)| p.text(x))
        .collect();
    row.extend([cell(distance), replicates.to_string()]);
    write_atomic(&staging.join("best.csv"), &csv_table(&header, [row])?)?;
    let mut out = format!(
        "best fit (best.csv: distance {distance:.4}, the mean of {replicates} replicates; \
         posterior particle {i}):\n"
    );
    for (p, &x) in cal.parameters.iter().zip(&refined[i].particle.x) {
        out.push_str(&format!("  {}: {}\n", p.key, p.text(x)));
    }
    Ok(out)
}

/// `posterior.csv`, `calibration.csv`, `generations.csv` and `predictive.csv`.
fn write_posterior(
    cal: &Calibration,
    staging: &Path,
    pop: &[Simulated],
    history: &[Stats],
) -> Result<()> {
    if pop.is_empty() {
        anyhow::bail!(
            "no simulation came close enough to keep: every one gave an undefined value for a \
             target or an observed column (a share with nothing to share, a figure the run is too \
             short to have); check that each target and column can be computed over `days`"
        );
    }
    let weights: Vec<f64> = pop.iter().map(|s| s.particle.weight).collect();
    // posterior.csv
    let mut header: Vec<String> = cal.parameters.iter().map(|p| p.key.clone()).collect();
    header.extend(["weight".to_string(), "distance".to_string()]);
    let rows = pop.iter().map(|s| {
        let mut row: Vec<String> = cal
            .parameters
            .iter()
            .zip(&s.particle.x)
            .map(|(p, &x)| p.text(x))
            .collect();
        row.extend([cell(s.particle.weight), cell(s.particle.distance)]);
        row
    });
    write_atomic(&staging.join("posterior.csv"), &csv_table(&header, rows)?)?;
    // calibration.csv
    let rows = cal.parameters.iter().enumerate().map(|(j, p)| {
        let values: Vec<f64> = pop.iter().map(|s| p.prior.value(s.particle.x[j])).collect();
        let mean = values.iter().zip(&weights).map(|(v, w)| v * w).sum::<f64>();
        let q = |x: f64| cell(weighted_quantile(&values, &weights, x));
        vec![p.key.clone(), cell(mean), q(0.5), q(0.05), q(0.95)]
    });
    write_atomic(
        &staging.join("calibration.csv"),
        &csv_table(&["key", "mean", "median", "q05", "q95"], rows)?,
    )?;
    // generations.csv
    let rows = history.iter().enumerate().map(|(t, s)| {
        vec![
            t.to_string(),
            cell(s.tolerance),
            s.proposals.to_string(),
            s.accepted.to_string(),
            cell(s.accepted as f64 / s.proposals as f64),
            cell(s.ess),
        ]
    });
    let header = [
        "generation",
        "tolerance",
        "proposals",
        "accepted",
        "acceptance_rate",
        "ess",
    ];
    write_atomic(&staging.join("generations.csv"), &csv_table(&header, rows)?)?;
    write_predictive(cal, staging, pop, &weights)
}

/// `predictive.csv`: for each observed column and day, and each target, the observed value and
/// the weighted median and 90% band of the particles' simulated values.
fn write_predictive(
    cal: &Calibration,
    staging: &Path,
    pop: &[Simulated],
    weights: &[f64],
) -> Result<()> {
    let band =
        |values: Vec<f64>| [0.5, 0.05, 0.95].map(|q| cell(weighted_quantile(&values, weights, q)));
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (c, (case, col)) in cal.columns().enumerate() {
        for t in 0..col.at.len() {
            let day = col.day_of(t);
            let [median, q05, q95] = band(pop.iter().map(|s| s.series[c][t]).collect());
            rows.push(vec![
                case.named(&col.name),
                day.to_string(),
                cell(col.values[t]),
                median,
                q05,
                q95,
            ]);
        }
    }
    for (m, (case, target)) in cal.targets().enumerate() {
        let [median, q05, q95] = band(pop.iter().map(|s| s.targets[m]).collect());
        rows.push(vec![
            case.named(&target.name),
            String::new(),
            cell(target.value),
            median,
            q05,
            q95,
        ]);
    }
    write_atomic(
        &staging.join("predictive.csv"),
        &csv_table(&["column", "day", "observed", "median", "q05", "q95"], rows)?,
    )
}

/// What to print at the end: each parameter's posterior median and 90% interval.
pub(super) fn summary(cal: &Calibration, pop: &[Simulated]) -> String {
    let weights: Vec<f64> = pop.iter().map(|s| s.particle.weight).collect();
    let mut out = String::from("posterior (median and 90% interval):\n");
    for (j, p) in cal.parameters.iter().enumerate() {
        let values: Vec<f64> = pop.iter().map(|s| p.prior.value(s.particle.x[j])).collect();
        let q = |x: f64| weighted_quantile(&values, &weights, x);
        out.push_str(&format!(
            "  {}: {:.4} [{:.4}, {:.4}]\n",
            p.key,
            q(0.5),
            q(0.05),
            q(0.95)
        ));
    }
    out
}
