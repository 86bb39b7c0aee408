//! Running a calibration: the generations of ABC-SMC, each simulated in parallel and kept in the
//! folder's `.partial/` as it finishes (so a killed calibration resumes at the generation it was
//! in), then the outputs of the last one.
//!
//! Reproducibility: proposal i of generation t draws from a generator seeded by (seed, t, i),
//! its replicates use run streams numbered from (t, i, replicate) under the master seed, and
//! proposals are simulated in rounds of `particles` (round b holds proposals b·n to (b+1)·n − 1)
//! and accepted in index order: the same file and seed give the same posterior whatever the
//! thread count, and whether a round runs on one machine or as the tasks of a job array
//! (`calibrate::tasks`).

use std::fs;
use std::ops::Range;
use std::path::Path;

use anyhow::{bail, Context, Result};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use super::abc::{ess, next_tolerance, normalise, propose, weight, Kernel, Particle, Prior};
use super::observed::distance;
use super::output::write_outputs;
use super::records::{generation_file, read_generation, write_generation};
use super::Calibration;
use crate::batch::manifest::{changes, Manifest};
use crate::engine::run_replicate_with;
use crate::export::write_atomic;
use crate::memory::Budget;
use crate::progress::Progress;

/// A particle with what its simulations gave: the mean over replicates of each observed column
/// on the observed days, and of each target metric.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Simulated {
    pub particle: Particle,
    pub series: Vec<Vec<f64>>,
    pub targets: Vec<f64>,
}

/// What a finished generation was.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Stats {
    pub tolerance: f64,
    pub proposals: usize,
    pub accepted: usize,
    /// Effective sample size of its weights.
    pub ess: f64,
}

impl Calibration {
    /// The fingerprint that identifies this calibration for `--resume`.
    pub(super) fn manifest(&self) -> String {
        let mut m = Manifest::new("calibrate", &self.name);
        m.set("replicates", self.replicates as i64);
        m.set("seed", self.seed.to_string());
        m.set("abc", format!("{:?}", self.abc));
        let params: Vec<String> = self
            .parameters
            .iter()
            .map(|p| format!("{} ~ {:?}", p.key, p.prior))
            .collect();
        m.set("parameters", params.join("; "));
        for (i, case) in self.cases.iter().enumerate() {
            let at = |key: &str| match i {
                0 => key.to_string(),
                _ => format!("also.{}.{key}", i - 1),
            };
            if i > 0 {
                m.set(&at("name"), case.label.clone());
            }
            m.set(&at("observed"), format!("{:?}", case.observed));
            m.set_toml(&at("base"), &case.base.scenario.to_toml());
        }
        m.text()
    }

    /// Simulates proposal `i` of generation `t`, at `x`: the mean over its replicates of what
    /// the distance needs. Each proposal's replicates have their own random streams: ABC's
    /// acceptance must see the model's noise, or the posterior collapses onto the one value
    /// that best fits the shared draws.
    fn simulate(&self, t: u32, i: usize, x: Vec<f64>) -> Result<Simulated> {
        self.simulate_with(t, i, x, self.replicates)
    }

    /// Simulates particle `i` of the last generation again, with `replicates` replicates on
    /// streams no generation uses (numbered as generation 65,535, the largest the stream's 16
    /// bits of generation hold; `[abc] generations` stops at 100).
    pub(super) fn refine(&self, i: usize, x: Vec<f64>, replicates: u32) -> Result<Simulated> {
        self.simulate_with(u32::MAX >> 16, i, x, replicates)
    }

    fn simulate_with(&self, t: u32, i: usize, x: Vec<f64>, replicates: u32) -> Result<Simulated> {
        let scenarios = self.scenarios(&x)?;
        let mut series: Vec<Vec<f64>> =
            self.columns().map(|(_, c)| vec![0.0; c.at.len()]).collect();
        let mut targets = vec![0.0; self.targets().count()];
        let r = replicates as f64;
        let (mut columns_before, mut targets_before) = (0, 0);
        for (case, s) in self.cases.iter().zip(&scenarios) {
            let o = &case.observed;
            let series = &mut series[columns_before..columns_before + o.columns.len()];
            let targets = &mut targets[targets_before..targets_before + o.targets.len()];
            for k in 0..replicates {
                let stream = crate::rng::mix(((t as u64) << 48) ^ ((i as u64) << 16) ^ k as u64);
                let replicate = (stream >> 32) as u32;
                let run = run_replicate_with(s, replicate, false, &mut |_| {});
                let (cols, mets) = o.simulated(&run);
                for (acc, col) in series.iter_mut().zip(cols) {
                    for (a, v) in acc.iter_mut().zip(col) {
                        *a += v / r;
                    }
                }
                for (a, v) in targets.iter_mut().zip(mets) {
                    *a += v / r;
                }
            }
            columns_before += o.columns.len();
            targets_before += o.targets.len();
        }
        let distance = self.distance(&series, &targets);
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

    /// The distance of a particle's simulated columns and targets (every case's, in order) to
    /// what was observed.
    fn distance(&self, series: &[Vec<f64>], targets: &[f64]) -> f64 {
        let mut terms = Vec::new();
        let (mut columns_before, mut targets_before) = (0, 0);
        for case in &self.cases {
            let o = &case.observed;
            o.terms(
                &series[columns_before..columns_before + o.columns.len()],
                &targets[targets_before..targets_before + o.targets.len()],
                &mut terms,
            );
            columns_before += o.columns.len();
            targets_before += o.targets.len();
        }
        distance(&terms)
    }
}

/// The generator of proposal `i` of generation `t`.
fn proposal_rng(seed: u64, t: u32, i: usize) -> Xoshiro256PlusPlus {
    let key = crate::rng::mix(seed ^ 0xCA11_B8A7_E000_0000 ^ ((t as u64) << 40) ^ i as u64);
    Xoshiro256PlusPlus::seed_from_u64(key)
}

/// What became of the generation after a population.
pub(super) enum Made {
    /// It was simulated: the new population and its statistics.
    Done((Vec<Simulated>, Stats)),
    /// Its proposals ran out before enough were within the tolerance.
    Exhausted,
    /// It is not finished yet: a split calibration waits for a round of tasks.
    Pending,
}

/// Where the generations stand after [`drive`].
pub(super) enum Driven {
    /// The calibration has its last generation, and the history of every generation.
    Finished {
        population: Vec<Simulated>,
        history: Vec<Stats>,
    },
    /// Generation `generation` is still to be made, from `population`.
    Pending {
        generation: u32,
        population: Vec<Simulated>,
    },
}

/// Goes through the generations: each one already in `partial` is read, the next is asked of
/// `make` (and kept in `partial` when made), until the last generation, a stop, or a generation
/// `make` cannot finish yet. Prints a line per generation when `say`.
pub(super) fn drive(
    cal: &Calibration,
    partial: &Path,
    say: bool,
    make: &mut dyn FnMut(u32, &[Simulated]) -> Result<Made>,
) -> Result<Driven> {
    let n = cal.abc.particles;
    let mut history: Vec<Stats> = Vec::new();
    let mut population: Vec<Simulated> = Vec::new();
    for t in 0..=cal.abc.generations {
        let file = generation_file(partial, t);
        let (next, stats) = if file.exists() {
            read_generation(cal, &file)?
        } else {
            match make(t, &population)? {
                Made::Done((next, stats)) => {
                    write_generation(cal, &file, &next, stats)?;
                    (next, stats)
                }
                Made::Exhausted => {
                    if say {
                        crate::say!(
                            "generation {t}: stopped: fewer than {n} of {} proposals were within \
                             the tolerance",
                            n * cal.abc.max_proposals
                        );
                    }
                    break;
                }
                Made::Pending => {
                    return Ok(Driven::Pending {
                        generation: t,
                        population,
                    })
                }
            }
        };
        let rate = stats.accepted as f64 / stats.proposals as f64;
        if say {
            crate::say!(
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
        }
        history.push(stats);
        population = next;
        if t > 0 && rate < cal.abc.min_acceptance {
            if say {
                crate::say!(
                    "stopped: acceptance below {:.0}%",
                    100.0 * cal.abc.min_acceptance
                );
            }
            break;
        }
    }
    Ok(Driven::Finished {
        population,
        history,
    })
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
    check_memory(cal, budget)?;
    let partial = dir.join(".partial");
    open_partial(cal, &partial, resume)?;
    let mut make = |t: u32, previous: &[Simulated]| -> Result<Made> {
        let proposals = Proposals::new(cal, t, previous);
        let progress = Progress::new(cal.abc.particles as u64, "particles");
        let mut acceptance = Acceptance::default();
        for b in 0..cal.abc.max_proposals {
            let batch: Vec<Simulated> = proposals
                .round(b)
                .into_par_iter()
                .map(|i| proposals.simulate(i))
                .collect::<Result<_>>()?;
            for _ in 0..acceptance.take(&proposals, batch) {
                progress.tick();
            }
            if acceptance.is_full(&proposals) {
                progress.finish();
                return Ok(Made::Done(proposals.finish(acceptance)));
            }
        }
        progress.finish();
        Ok(Made::Exhausted)
    };
    let Driven::Finished {
        population,
        history,
    } = drive(cal, &partial, true, &mut make)?
    else {
        unreachable!("one machine makes every generation it reaches");
    };
    let printed = write_outputs(cal, staging, &population, &history)?;
    fs::remove_dir_all(&partial).ok();
    Ok(printed)
}

/// Refuses a calibration whose particle runs would not fit the memory budget.
pub(super) fn check_memory(cal: &Calibration, budget: &Budget) -> Result<()> {
    let largest = cal
        .cases
        .iter()
        .map(|c| &c.base.scenario)
        .max_by_key(|s| crate::memory::replicate_bytes(s))
        .expect("a calibration has a case");
    budget
        .check_bytes(crate::memory::replicate_bytes(largest) * 2)
        .map_err(|m| anyhow::anyhow!("a particle's run would {m}"))
}

/// Creates `.partial/` with the manifest, or checks an existing one matches (`--resume`).
fn open_partial(cal: &Calibration, partial: &Path, resume: bool) -> Result<()> {
    if partial.exists() && !resume {
        bail!(
            "{} holds an interrupted calibration; run again with --resume to finish it, or \
             remove {} to start over",
            partial.parent().unwrap_or(partial).display(),
            partial.display()
        );
    }
    let dir = partial.parent().unwrap_or(partial);
    if resume && !partial.exists() && crate::folder::holds_results(dir) {
        bail!(
            "{} holds finished results and no interrupted calibration: nothing to resume. Run \
             without --resume to calibrate again (its results will replace these)",
            dir.display()
        );
    }
    ensure_partial(cal, partial)
}

/// Creates `.partial/` with the calibration's manifest, or checks that the one there is this
/// calibration's. Several tasks may do this at once: each writes the same manifest, atomically.
pub(super) fn ensure_partial(cal: &Calibration, partial: &Path) -> Result<()> {
    let manifest = partial.join("manifest.toml");
    let text = cal.manifest();
    if manifest.exists() {
        let previous = fs::read_to_string(&manifest).unwrap_or_default();
        let changed = changes(&previous, &text, 5);
        if !changed.is_empty() {
            bail!(
                "the interrupted calibration in {} was not this one, so it cannot be finished: \
                 {}. Run it as it was, or remove {} to start over",
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

/// The proposals of generation `t`: drawn from the prior (t = 0), or by perturbing the previous
/// population, and accepted within the generation's tolerance.
pub(super) struct Proposals<'a> {
    cal: &'a Calibration,
    t: u32,
    priors: Vec<Prior>,
    last: Vec<Particle>,
    kernel: Kernel,
    tolerance: f64,
}

impl<'a> Proposals<'a> {
    pub fn new(cal: &'a Calibration, t: u32, previous: &[Simulated]) -> Proposals<'a> {
        let last: Vec<Particle> = previous.iter().map(|s| s.particle.clone()).collect();
        let tolerance = if t == 0 {
            f64::INFINITY
        } else {
            next_tolerance(&last, cal.abc.quantile)
        };
        Proposals {
            cal,
            t,
            priors: cal.parameters.iter().map(|p| p.prior).collect(),
            kernel: Kernel::of(&last),
            last,
            tolerance,
        }
    }

    /// The indices of round `b`'s proposals.
    pub fn round(&self, b: usize) -> Range<usize> {
        let n = self.cal.abc.particles;
        b * n..(b + 1) * n
    }

    /// Proposal `i`, drawn and simulated; its distance says whether it is accepted.
    pub fn simulate(&self, i: usize) -> Result<Simulated> {
        let mut rng = proposal_rng(self.cal.seed, self.t, i);
        let x = if self.t == 0 {
            self.priors.iter().map(|p| p.sample(&mut rng)).collect()
        } else {
            propose(&self.last, &self.kernel, &self.priors, &mut rng)
        };
        self.cal.simulate(self.t, i, x)
    }

    /// The generation made of the accepted proposals: their importance weights (equal on the
    /// prior), normalised, and the generation's statistics.
    pub fn finish(&self, acceptance: Acceptance) -> (Vec<Simulated>, Stats) {
        let mut accepted = acceptance.accepted;
        if self.t > 0 {
            for s in accepted.iter_mut() {
                s.particle.weight = weight(&s.particle.x, &self.priors, &self.last, &self.kernel);
            }
        }
        let mut particles: Vec<Particle> = accepted.iter().map(|s| s.particle.clone()).collect();
        normalise(&mut particles);
        let ess = ess(&particles);
        for (s, p) in accepted.iter_mut().zip(particles) {
            s.particle.weight = p.weight;
        }
        let stats = Stats {
            tolerance: self.tolerance,
            proposals: acceptance.proposals,
            accepted: accepted.len(),
            ess,
        };
        (accepted, stats)
    }

    /// Whether a simulated proposal is within the tolerance.
    fn accepts(&self, s: &Simulated) -> bool {
        s.particle.distance <= self.tolerance && s.particle.distance.is_finite()
    }
}

/// The proposals of a generation accepted so far, in index order, and how many were looked at.
#[derive(Default)]
pub(super) struct Acceptance {
    accepted: Vec<Simulated>,
    proposals: usize,
}

impl Acceptance {
    /// Looks at a round of `proposals` in index order, accepting those within the tolerance,
    /// until the generation has its particles; returns how many it accepted.
    pub fn take(&mut self, proposals: &Proposals, round: Vec<Simulated>) -> usize {
        let n = proposals.cal.abc.particles;
        let before = self.accepted.len();
        for s in round {
            if self.accepted.len() == n {
                break;
            }
            self.proposals += 1;
            if proposals.accepts(&s) {
                self.accepted.push(s);
            }
        }
        self.accepted.len() - before
    }

    /// How many proposals are accepted so far.
    pub fn count(&self) -> usize {
        self.accepted.len()
    }

    /// Whether the generation has its particles.
    pub fn is_full(&self, proposals: &Proposals) -> bool {
        self.accepted.len() == proposals.cal.abc.particles
    }
}
