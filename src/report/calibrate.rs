//! The report of an `agora calibrate` folder: each parameter's posterior (a weighted histogram
//! of the last generation), the tolerance by generation, and the posterior predictive band
//! against each observed series.

use std::path::Path;

use anyhow::Result;

use super::chart::{bands, bars, Band};
use super::table::Table;
use super::{batch_facts, Numbers, Report, Section};
use crate::export::cell;

/// Bins of a posterior histogram.
const BINS: usize = 12;

pub fn report(dir: &Path) -> Result<Report> {
    let posterior = Table::read(&dir.join("posterior.csv"))?;
    let weights = posterior.numbers("weight")?;
    let mut sections = Vec::new();
    for key in posterior
        .header
        .iter()
        .filter(|h| *h != "weight" && *h != "distance")
    {
        sections.push(marginal(key, &posterior.numbers(key)?, &weights)?);
    }
    sections.push(tolerance(&Table::read(&dir.join("generations.csv"))?)?);
    let predictive = Table::read(&dir.join("predictive.csv"))?;
    let columns = {
        let at = predictive.col("column")?;
        let mut c: Vec<String> = predictive.rows.iter().map(|r| r[at].clone()).collect();
        c.dedup();
        c
    };
    for column in columns {
        if let Some(s) = predicted(&predictive, &column)? {
            sections.push(s);
        }
    }
    let generations = Table::read(&dir.join("generations.csv"))?.rows.len();
    let mut facts = batch_facts(dir)?;
    facts.insert(0, ("particles".into(), weights.len().to_string()));
    facts.insert(1, ("generations".into(), generations.to_string()));
    Ok(Report {
        title: "Calibration".into(),
        facts,
        sections,
    })
}

/// A weighted histogram of one parameter over `BINS` equal bins of its posterior's range.
fn marginal(key: &str, values: &[f64], weights: &[f64]) -> Result<Section> {
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    let width = if hi > lo {
        (hi - lo) / BINS as f64
    } else {
        1.0
    };
    let mut mass = [0.0; BINS];
    for (v, w) in values.iter().zip(weights) {
        let b = (((v - lo) / width) as usize).min(BINS - 1);
        mass[b] += w;
    }
    let total: f64 = mass.iter().sum();
    let mass: Vec<f64> = mass
        .iter()
        .map(|m| m / total.max(f64::MIN_POSITIVE))
        .collect();
    let centres: Vec<f64> = (0..BINS).map(|b| lo + width * (b as f64 + 0.5)).collect();
    let labels: Vec<String> = centres.iter().map(|&c| super::chart::label(c)).collect();
    let mode = centres[mass
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i)];
    Ok(Section {
        id: format!("posterior-{key}"),
        title: format!("Posterior of {key}"),
        reading: format!(
            "The weighted share of the last generation's particles in each bin of {key}; the \
             fullest bin is centred on {mode:.4}."
        ),
        svg: bars("posterior weight", &labels, &mass)?,
        numbers: Numbers {
            header: vec!["bin centre".into(), "weight".into()],
            rows: centres
                .iter()
                .zip(&mass)
                .map(|(c, m)| vec![cell(*c), cell(*m)])
                .collect(),
        },
    })
}

fn tolerance(g: &Table) -> Result<Section> {
    let (gen, tol, acc) = (
        g.numbers("generation")?,
        g.numbers("tolerance")?,
        g.numbers("acceptance_rate")?,
    );
    let points: Vec<(f64, f64, f64, f64)> = gen
        .iter()
        .zip(&tol)
        .filter(|(_, t)| t.is_finite())
        .map(|(&x, &t)| (x, t, t, t))
        .collect();
    Ok(Section {
        id: "tolerance".into(),
        title: "Tolerance by generation".into(),
        reading: format!(
            "Each generation accepts particles closer to the observations than its tolerance; \
             the last accepted {:.0}% of its proposals.",
            100.0 * acc.last().copied().unwrap_or(f64::NAN)
        ),
        svg: bands(
            "generation",
            "tolerance (distance)",
            &[Band {
                name: "tolerance".into(),
                points: points.clone(),
            }],
        )?,
        numbers: Numbers {
            header: vec![
                "generation".into(),
                "tolerance".into(),
                "acceptance_rate".into(),
            ],
            rows: (0..gen.len())
                .map(|i| vec![cell(gen[i]), cell(tol[i]), cell(acc[i])])
                .collect(),
        },
    })
}

/// The predictive band of one observed column against the observations (None for targets,
/// which have no day).
fn predicted(p: &Table, column: &str) -> Result<Option<Section>> {
    let at = p.col("column")?;
    let rows: Vec<&Vec<String>> = p.rows.iter().filter(|r| r[at] == column).collect();
    let num = |r: &Vec<String>, c: &str| -> f64 {
        p.col(c)
            .ok()
            .and_then(|i| r[i].parse().ok())
            .unwrap_or(f64::NAN)
    };
    if rows.iter().any(|r| num(r, "day").is_nan()) {
        return Ok(None);
    }
    let band: Vec<(f64, f64, f64, f64)> = rows
        .iter()
        .map(|r| {
            (
                num(r, "day"),
                num(r, "median"),
                num(r, "q05"),
                num(r, "q95"),
            )
        })
        .collect();
    let observed: Vec<(f64, f64, f64, f64)> = rows
        .iter()
        .map(|r| {
            let o = num(r, "observed");
            (num(r, "day"), o, o, o)
        })
        .collect();
    let inside = observed
        .iter()
        .zip(&band)
        .filter(|(o, b)| o.1 >= b.2 && o.1 <= b.3)
        .count();
    Ok(Some(Section {
        id: format!("predictive-{}", column.replace(':', "-")),
        title: format!("Observed {column} and the posterior predictive band"),
        reading: format!(
            "The median and 90% band of {column} simulated under the posterior, against what was \
             observed: {inside} of {} observed days fall inside the band.",
            band.len()
        ),
        svg: bands(
            "day",
            column,
            &[
                Band {
                    name: "posterior predictive".into(),
                    points: band.clone(),
                },
                Band {
                    name: "observed".into(),
                    points: observed,
                },
            ],
        )?,
        numbers: Numbers {
            header: vec![
                "day".into(),
                "observed".into(),
                "median".into(),
                "q05".into(),
                "q95".into(),
            ],
            rows: rows
                .iter()
                .map(|r| {
                    ["day", "observed", "median", "q05", "q95"]
                        .iter()
                        .map(|c| cell(num(r, c)))
                        .collect()
                })
                .collect(),
        },
    }))
}
