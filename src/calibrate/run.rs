//! Running a calibration: the generations of ABC-SMC, each simulated in parallel and kept in the
//! folder's `.partial/` as it finishes (so a killed calibration resumes at the generation it was
//! in), then the outputs of the last one.
//!
//! Reproducibility: proposal i of generation t draws from a generator seeded by (seed, t, i),
//! its replicates use run streams numbered from (t, i, replicate) under the master seed, and
//! proposals are simulated in batches and accepted in index order: the same file and seed give
//! the same posterior whatever the thread count.

use std::fs;
use std::path::Path;

use anyhow::{bail, Context, Result};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use super::abc::{
    ess, next_tolerance, normalise, propose, weight, weighted_quantile, Kernel, Particle,
};
use super::Calibration;
use crate::batch::manifest::{changes, Manifest};
use crate::engine::run_replicate_with;
use crate::export::{cell, csv_table, write_atomic};
use crate::memory::Budget;
use crate::progress::Progress;

/// A particle with what its simulations gave: the mean over replicates of each observed column
/// on the observed days, and of each target metric.
#[derive(Debug, Clone, PartialEq)]
struct Simulated {
    particle: Particle,
    series: Vec<Vec<f64>>,
    targets: Vec<f64>,
}

/// What a finished generation was.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Stats {
    tolerance: f64,
    proposals: usize,
    accepted: usize,
    /// Effective sample size of its weights.
    ess: f64,
}

impl Calibration {
    /// The fingerprint that identifies this calibration for `--resume`.
    fn manifest(&self) -> String {
        let mut m = Manifest::new("calibrate", &self.name);
        m.set("replicates", self.replicates as i64);
        m.set("seed", self.base.seed.to_string());
        m.set("abc", format!("{:?}", self.abc));
        let params: Vec<String> = self
            .parameters
            .iter()
            .map(|p| format!("{} ~ {:?}", p.key, p.prior))
            .collect();
        m.set("parameters", params.join("; "));
        m.set("observed", format!("{:?}", self.observed));
        m.set_toml("base", &self.base.scenario.to_toml());
        m.text()
    }

    /// Simulates proposal `i` of generation `t`, at `x`: the mean over its replicates of what
    /// the distance needs. Each proposal's replicates have their own random streams: ABC's
    /// acceptance must see the model's noise, or the posterior collapses onto the one value
    /// that best fits the shared draws.
    fn simulate(&self, t: u32, i: usize, x: Vec<f64>) -> Result<Simulated> {
        let s = self.scenario(&x)?;
        let o = &self.observed;
        let mut series = vec![vec![0.0; o.days.len()]; o.columns.len()];
        let mut targets = vec![0.0; o.targets.len()];
        let r = self.replicates as f64;
        for k in 0..self.replicates {
            let stream = crate::rng::mix(((t as u64) << 48) ^ ((i as u64) << 16) ^ k as u64);
            let replicate = (stream >> 32) as u32;
            let run = run_replicate_with(&s, replicate, false, &mut |_| {});
            let (cols, mets) = o.simulated(&run.series, &run.summary.metrics);
            for (acc, col) in series.iter_mut().zip(cols) {
                for (a, v) in acc.iter_mut().zip(col) {
                    *a += v / r;
                }
            }
            for (a, v) in targets.iter_mut().zip(mets) {
                *a += v / r;
            }
        }
        let distance = o.distance(&series, &targets);
        Ok(Simulated {
            particle: Particle {
                x,
                weight: 1.0,
                distance,
            },
            series,
            targets,
        })
    }
}

/// The generator of proposal `i` of generation `t`.
fn proposal_rng(seed: u64, t: u32, i: usize) -> Xoshiro256PlusPlus {
    let key = crate::rng::mix(seed ^ 0xCA11_B8A7_E000_0000 ^ ((t as u64) << 40) ^ i as u64);
    Xoshiro256PlusPlus::seed_from_u64(key)
}

/// Runs the calibration into `dir` (outputs to `staging`), resuming finished generations when
/// `resume`. Prints a line per generation; returns the summary to print at the end.
pub fn run(
    cal: &Calibration,
    dir: &Path,
    staging: &Path,
    resume: bool,
    budget: &Budget,
) -> Result<String> {
    budget
        .check_bytes(crate::memory::replicate_bytes(&cal.base.scenario) * 2)
        .map_err(|m| anyhow::anyhow!("a particle's run would {m}"))?;
    let partial = dir.join(".partial");
    open_partial(cal, &partial, resume)?;
    let n = cal.abc.particles;
    let mut history: Vec<Stats> = Vec::new();
    let mut population: Vec<Simulated> = Vec::new();
    for t in 0..=cal.abc.generations {
        let file = partial.join(format!("generation-{t}.csv"));
        let (next, stats) = if file.exists() {
            read_generation(cal, &file)?
        } else {
            let Some((next, stats)) = generation(cal, t, &population)? else {
                println!(
                    "generation {t}: stopped: fewer than {n} of {} proposals were within the \
                     tolerance",
                    n * cal.abc.max_proposals
                );
                break;
            };
            write_generation(cal, &file, &next, stats)?;
            (next, stats)
        };
        let rate = stats.accepted as f64 / stats.proposals as f64;
        println!(
            "generation {t}: tolerance {}, accepted {} of {} proposals ({:.0}%), ESS {:.0}",
            if stats.tolerance.is_finite() {
                format!("{:.4}", stats.tolerance)
            } else {
                "none (the prior)".into()
            },
            stats.accepted,
            stats.proposals,
            100.0 * rate,
            stats.ess
        );
        history.push(stats);
        population = next;
        if t > 0 && rate < cal.abc.min_acceptance {
            println!(
                "stopped: acceptance below {:.0}%",
                100.0 * cal.abc.min_acceptance
            );
            break;
        }
    }
    write_outputs(cal, staging, &population, &history)?;
    fs::remove_dir_all(&partial).ok();
    Ok(summary(cal, &population))
}

/// Creates `.partial/` with the manifest, or checks an existing one matches (`--resume`).
fn open_partial(cal: &Calibration, partial: &Path, resume: bool) -> Result<()> {
    let manifest = partial.join("manifest.toml");
    let text = cal.manifest();
    if partial.exists() {
        if !resume {
            bail!(
                "{} holds an interrupted calibration; run again with --resume to finish it, or \
                 remove {} to start over",
                partial.parent().unwrap_or(partial).display(),
                partial.display()
            );
        }
        let previous = fs::read_to_string(&manifest).unwrap_or_default();
        let changed = changes(&previous, &text, 5);
        if !changed.is_empty() {
            bail!(
                "the interrupted calibration in {} was not this one, so --resume cannot finish \
                 it: {}. Run it as it was, or remove {} to start over",
                partial.parent().unwrap_or(partial).display(),
                changed.join("; "),
                partial.display()
            );
        }
        return Ok(());
    }
    fs::create_dir_all(partial).with_context(|| format!("cannot create {}", partial.display()))?;
    write_atomic(&manifest, text.as_bytes())
}

/// Generation `t`: from the prior (t = 0), or by perturbing `previous` and keeping proposals
/// within the tolerance. None when the proposals allowed run out first.
fn generation(
    cal: &Calibration,
    t: u32,
    previous: &[Simulated],
) -> Result<Option<(Vec<Simulated>, Stats)>> {
    let n = cal.abc.particles;
    let priors: Vec<_> = cal.parameters.iter().map(|p| p.prior).collect();
    let seed = cal.base.seed;
    let last: Vec<Particle> = previous.iter().map(|s| s.particle.clone()).collect();
    let kernel = Kernel::of(&last);
    let tolerance = if t == 0 {
        f64::INFINITY
    } else {
        next_tolerance(&last, cal.abc.quantile)
    };
    let draw = |i: usize| -> Vec<f64> {
        let mut rng = proposal_rng(seed, t, i);
        if t == 0 {
            priors.iter().map(|p| p.sample(&mut rng)).collect()
        } else {
            propose(&last, &kernel, &priors, &mut rng)
        }
    };
    let progress = Progress::new(n as u64, "particles");
    let mut accepted: Vec<Simulated> = Vec::new();
    let mut proposals = 0;
    while accepted.len() < n {
        if proposals >= n * cal.abc.max_proposals {
            progress.finish();
            return Ok(None);
        }
        let batch: Vec<Simulated> = (proposals..proposals + n)
            .into_par_iter()
            .map(|i| cal.simulate(t, i, draw(i)))
            .collect::<Result<_>>()?;
        for s in batch {
            proposals += 1;
            if s.particle.distance <= tolerance && s.particle.distance.is_finite() {
                accepted.push(s);
                progress.tick();
                if accepted.len() == n {
                    break;
                }
            }
        }
    }
    progress.finish();
    if t > 0 {
        for s in accepted.iter_mut() {
            s.particle.weight = weight(&s.particle.x, &priors, &last, &kernel);
        }
    }
    let mut particles: Vec<Particle> = accepted.iter().map(|s| s.particle.clone()).collect();
    normalise(&mut particles);
    let ess = ess(&particles);
    for (s, p) in accepted.iter_mut().zip(particles) {
        s.particle.weight = p.weight;
    }
    Ok(Some((
        accepted,
        Stats {
            tolerance,
            proposals,
            accepted: n,
            ess,
        },
    )))
}

/// The header of a generation file.
fn generation_header(cal: &Calibration) -> Vec<String> {
    let mut h: Vec<String> = ["tolerance", "proposals", "accepted", "weight", "distance"]
        .map(String::from)
        .to_vec();
    h.extend((0..cal.parameters.len()).map(|j| format!("x{j}")));
    for c in &cal.observed.columns {
        h.extend(cal.observed.days.iter().map(|d| format!("{}@{d}", c.name)));
    }
    h.extend(cal.observed.targets.iter().map(|t| t.name.clone()));
    h
}

/// Writes a finished generation, every number in full (Rust's shortest round-trip form).
fn write_generation(cal: &Calibration, file: &Path, pop: &[Simulated], s: Stats) -> Result<()> {
    let rows = pop.iter().map(|p| {
        let mut row = vec![
            s.tolerance.to_string(),
            s.proposals.to_string(),
            s.accepted.to_string(),
            p.particle.weight.to_string(),
            p.particle.distance.to_string(),
        ];
        row.extend(p.particle.x.iter().map(f64::to_string));
        row.extend(p.series.iter().flatten().map(f64::to_string));
        row.extend(p.targets.iter().map(f64::to_string));
        row
    });
    write_atomic(file, &csv_table(&generation_header(cal), rows)?)
}

/// Reads a generation written by [`write_generation`].
fn read_generation(cal: &Calibration, file: &Path) -> Result<(Vec<Simulated>, Stats)> {
    let mut reader = csv::Reader::from_path(file)?;
    let (k, days, cols) = (
        cal.parameters.len(),
        cal.observed.days.len(),
        cal.observed.columns.len(),
    );
    let mut stats = None;
    let mut pop = Vec::new();
    for record in reader.records() {
        let record = record?;
        let v: Vec<f64> = record
            .iter()
            .map(|s| s.parse::<f64>())
            .collect::<std::result::Result<_, _>>()
            .with_context(|| format!("{} is damaged: remove it to redo", file.display()))?;
        stats = Some(Stats {
            tolerance: v[0],
            proposals: v[1] as usize,
            accepted: v[2] as usize,
            ess: 0.0,
        });
        let x = v[5..5 + k].to_vec();
        let flat = &v[5 + k..5 + k + cols * days];
        pop.push(Simulated {
            particle: Particle {
                x,
                weight: v[3],
                distance: v[4],
            },
            series: flat.chunks(days.max(1)).map(<[f64]>::to_vec).collect(),
            targets: v[5 + k + cols * days..].to_vec(),
        });
    }
    let mut stats =
        stats.with_context(|| format!("{} is empty: remove it to redo", file.display()))?;
    let particles: Vec<Particle> = pop.iter().map(|s: &Simulated| s.particle.clone()).collect();
    stats.ess = ess(&particles);
    Ok((pop, stats))
}

/// The four output files of the last generation.
fn write_outputs(
    cal: &Calibration,
    staging: &Path,
    pop: &[Simulated],
    history: &[Stats],
) -> Result<()> {
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
    let o = &cal.observed;
    let band =
        |values: Vec<f64>| [0.5, 0.05, 0.95].map(|q| cell(weighted_quantile(&values, weights, q)));
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (c, col) in o.columns.iter().enumerate() {
        for (t, &day) in o.days.iter().enumerate() {
            let [median, q05, q95] = band(pop.iter().map(|s| s.series[c][t]).collect());
            rows.push(vec![
                col.name.clone(),
                day.to_string(),
                cell(col.values[t]),
                median,
                q05,
                q95,
            ]);
        }
    }
    for (m, target) in o.targets.iter().enumerate() {
        let [median, q05, q95] = band(pop.iter().map(|s| s.targets[m]).collect());
        rows.push(vec![
            target.name.clone(),
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
fn summary(cal: &Calibration, pop: &[Simulated]) -> String {
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
