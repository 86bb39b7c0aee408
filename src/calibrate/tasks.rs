//! A calibration split into the tasks of a job array, a round at a time.
//!
//! A generation of ABC-SMC needs proposals until `particles` of them are within its tolerance,
//! and how many that takes is known only as they are simulated. A single machine simulates them
//! in rounds of `particles` (round b holds proposals b·n to (b+1)·n − 1) and accepts them in
//! index order; a split calibration runs each round as the N tasks of a job array, task I
//! simulating the I-th of N contiguous chunks of the round into its own part,
//! `.tasks/generation-T/round-B/task-I-of-N/`, under its own lock. `agora merge` then accepts
//! the round's proposals in index order, with those of the generation's earlier rounds (kept in
//! `.partial/generation-T-round-B.csv`): the generation is finished, and written exactly as a
//! single machine writes it, or another round is needed. When the last generation is finished
//! the merge writes the outputs. Every step is the single machine's, so the posterior is byte for
//! byte the same.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rayon::prelude::*;

use super::output::write_outputs;
use super::records::{generation_file, numbers, parse_proposal, proposal_cells, proposal_header};
use super::run::{
    check_memory, drive, ensure_partial, Acceptance, Driven, Made, Proposals, Simulated,
};
use super::Calibration;
use crate::batch::tasks::{
    self, chunk, is_done, lock, mark_done, Plan, State, TaskOutcome, TaskSpec,
};
use crate::export::{csv_rows, csv_table, write_atomic};
use crate::memory::Budget;
use crate::progress::Progress;

/// The kind of a split calibration in its plan.
pub const KIND: &str = "calibrate";

/// The round a split calibration is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub generation: u32,
    pub round: usize,
}

impl Round {
    /// The folder of a generation's rounds under `.tasks/`.
    fn generation_folder(generation: u32) -> String {
        format!("generation-{generation}")
    }

    /// The folder of this round's parts under `.tasks/`.
    pub fn folder(&self) -> String {
        format!(
            "{}/round-{}",
            Round::generation_folder(self.generation),
            self.round
        )
    }
}

/// The round the calibration in `dir` is at, from what `.partial/` holds; None when every
/// generation is made and only the merge's outputs remain.
pub fn standing(cal: &Calibration, dir: &Path) -> Result<Option<Round>> {
    Ok(position(cal, dir)?.map(|(round, _)| round))
}

/// The round the calibration in `dir` is at, and the population its proposals perturb.
fn position(cal: &Calibration, dir: &Path) -> Result<Option<(Round, Vec<Simulated>)>> {
    let partial = dir.join(".partial");
    Ok(
        match drive(cal, &partial, false, &mut |_, _| Ok(Made::Pending))? {
            Driven::Finished { .. } => None,
            Driven::Pending {
                generation,
                population,
            } => {
                let round = merged_rounds(&partial, generation);
                Some((Round { generation, round }, population))
            }
        },
    )
}

/// The file of a merged round of an unfinished generation.
fn round_file(partial: &Path, generation: u32, round: usize) -> PathBuf {
    partial.join(format!("generation-{generation}-round-{round}.csv"))
}

/// How many rounds of `generation` are merged.
fn merged_rounds(partial: &Path, generation: u32) -> usize {
    (0..)
        .take_while(|&b| round_file(partial, generation, b).exists())
        .count()
}

/// Task `spec`'s part of `round` in `dir`.
pub fn part(dir: &Path, round: Round, spec: TaskSpec) -> PathBuf {
    tasks::part_in(dir, &round.folder(), spec)
}

/// Runs task `spec` of the round the calibration (read from `file`) is at, into its part of
/// `dir`. A task whose part is done, or of a calibration whose generations are all made, does
/// nothing.
pub fn run_task(
    cal: &Calibration,
    dir: &Path,
    file: &Path,
    spec: TaskSpec,
    budget: &Budget,
) -> Result<(TaskOutcome, Option<Round>)> {
    check_memory(cal, budget)?;
    let plan = Plan {
        kind: KIND.into(),
        file: fs::canonicalize(file).with_context(|| format!("cannot find {}", file.display()))?,
        tasks: spec.tasks,
        timeseries: false,
    };
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    crate::folder::check_ownership(dir)?;
    plan.record(dir)?;
    ensure_partial(cal, &dir.join(".partial"))?;
    let Some((round, population)) = position(cal, dir)? else {
        return Ok((TaskOutcome::AlreadyDone, None));
    };
    let part = part(dir, round, spec);
    let _lock = lock(&part)?;
    if is_done(&part) {
        return Ok((TaskOutcome::AlreadyDone, Some(round)));
    }
    fs::create_dir_all(&part).with_context(|| format!("cannot create {}", part.display()))?;
    let proposals = Proposals::new(cal, round.generation, &population);
    let indices: Vec<usize> = proposals.round(round.round).collect();
    let mine = chunk(&indices, spec);
    let records = part.join("proposals.csv");
    crate::batch::cut_torn_record(&records)?;
    let recorded: std::collections::BTreeSet<usize> = read_records(cal, &records, Records::Part)?
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    let todo: Vec<usize> = mine
        .iter()
        .copied()
        .filter(|i| !recorded.contains(i))
        .collect();
    let progress = Progress::new(mine.len() as u64, "proposals");
    let mut out = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&records)
        .with_context(|| format!("cannot open {}", records.display()))?;
    // Simulated a thread-load at a time and recorded in index order, each record made durable
    // before the next, so that a killed task goes on from its last recorded proposal.
    for batch in todo.chunks(rayon::current_num_threads().max(1) * 2) {
        let simulated: Vec<Simulated> = batch
            .par_iter()
            .map(|&i| proposals.simulate(i))
            .collect::<Result<_>>()?;
        for (&i, s) in batch.iter().zip(&simulated) {
            out.write_all(&csv_rows([indexed_cells(i, s)])?)?;
            out.sync_data()?;
            progress.tick();
        }
    }
    progress.finish();
    mark_done(&part)?;
    let runs = mine.len() * cal.replicates as usize * cal.cases.len();
    Ok((TaskOutcome::Ran { runs }, Some(round)))
}

/// Which file of proposals is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Records {
    /// A task's part: records appended one by one as they are made, with no header.
    Part,
    /// A merged round: written at once, under `round_header`.
    Round,
}

/// The proposals recorded in a part's or a round's file, with their indices; a file that is not
/// there holds none.
fn read_records(cal: &Calibration, file: &Path, kind: Records) -> Result<Vec<(usize, Simulated)>> {
    if !file.exists() {
        return Ok(Vec::new());
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(kind == Records::Round)
        .from_path(file)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let damaged = || format!("{} is damaged: remove it to redo", file.display());
    if kind == Records::Round && reader.headers().with_context(damaged)? != round_header(cal) {
        bail!("{}", damaged());
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.with_context(damaged)?;
        let v = numbers(&record, file)?;
        let s = parse_proposal(cal, &v[1..]).with_context(damaged)?;
        out.push((v[0] as usize, s));
    }
    Ok(out)
}

/// Where each task of the round stands.
pub fn states(dir: &Path, plan: &Plan, round: Round) -> Result<Vec<State>> {
    tasks::states_in(dir, plan, &round.folder())
}

/// What a merge did.
pub enum Merged {
    /// The calibration is finished: its outputs are staged, with the summary to print.
    Finished(String),
    /// A round was merged and the generation needs another: the round to run next.
    Next {
        merged: Round,
        /// The merged round's proposals within the tolerance.
        taken: usize,
        /// The generation's accepted proposals so far.
        accepted: usize,
        next: Round,
    },
}

/// Merges the finished round of the split calibration in `dir` (its outputs, when it finishes,
/// into `staging`); refuses while a task of the round is not done.
pub fn merge(cal: &Calibration, dir: &Path, staging: &Path, plan: &Plan) -> Result<Merged> {
    let partial = dir.join(".partial");
    if !partial.join("manifest.toml").exists() {
        bail!("no task of the calibration has run in {}", dir.display());
    }
    ensure_partial(cal, &partial)?;
    let mut merged: Option<(Round, usize, usize)> = None;
    let driven = drive(cal, &partial, true, &mut |generation, previous| {
        if merged.is_some() {
            return Ok(Made::Pending);
        }
        let proposals = Proposals::new(cal, generation, previous);
        let round = merged_rounds(&partial, generation);
        let mut acceptance = Acceptance::default();
        for b in 0..round {
            let earlier = read_records(cal, &round_file(&partial, generation, b), Records::Round)?;
            acceptance.take(&proposals, earlier.into_iter().map(|(_, s)| s).collect());
        }
        let this = Round { generation, round };
        let gathered = gather(cal, dir, plan, this, &proposals)?;
        let cells = round_cells(&gathered);
        let taken = acceptance.take(&proposals, gathered.into_iter().map(|(_, s)| s).collect());
        merged = Some((this, taken, acceptance.count()));
        if acceptance.is_full(&proposals) {
            return Ok(Made::Done(proposals.finish(acceptance)));
        }
        if round + 1 >= cal.abc.max_proposals {
            return Ok(Made::Exhausted);
        }
        write_atomic(
            &round_file(&partial, generation, round),
            &csv_table(&round_header(cal), cells)?,
        )?;
        Ok(Made::Pending)
    })?;
    tidy(dir)?;
    match driven {
        Driven::Finished {
            population,
            history,
        } => {
            let printed = write_outputs(cal, staging, &population, &history)?;
            Ok(Merged::Finished(printed))
        }
        Driven::Pending { generation, .. } => {
            let Some((merged, taken, accepted)) = merged else {
                bail!("nothing to merge in {}", dir.display());
            };
            Ok(Merged::Next {
                merged,
                taken,
                accepted,
                next: Round {
                    generation,
                    round: merged_rounds(&partial, generation),
                },
            })
        }
    }
}

/// The header of a round's file: the proposal's index, then its cells.
fn round_header(cal: &Calibration) -> Vec<String> {
    let mut h = vec!["proposal".to_string()];
    h.extend(proposal_header(cal));
    h
}

/// The rows of a round's file: each proposal's index, then its cells.
fn round_cells(round: &[(usize, Simulated)]) -> Vec<Vec<String>> {
    round.iter().map(|(i, s)| indexed_cells(*i, s)).collect()
}

/// A proposal's record in a part or a round's file: its index, then its cells.
fn indexed_cells(i: usize, s: &Simulated) -> Vec<String> {
    let mut row = vec![i.to_string()];
    row.extend(proposal_cells(s));
    row
}

/// The proposals of `round`, from its tasks' parts, in index order: refuses while a task is not
/// done, or when a part lacks a proposal of its chunk or holds one that is not.
fn gather(
    cal: &Calibration,
    dir: &Path,
    plan: &Plan,
    round: Round,
    proposals: &Proposals,
) -> Result<Vec<(usize, Simulated)>> {
    let which = format!(" of generation {} round {}", round.generation, round.round);
    tasks::require_done(dir, plan, &round.folder(), &which)?;
    let indices: Vec<usize> = proposals.round(round.round).collect();
    let mut all = Vec::with_capacity(indices.len());
    for task in 0..plan.tasks {
        let spec = TaskSpec {
            tasks: plan.tasks,
            task,
        };
        let part = part(dir, round, spec);
        let mut records = read_records(cal, &part.join("proposals.csv"), Records::Part)?;
        records.sort_by_key(|(i, _)| *i);
        let got: Vec<usize> = records.iter().map(|(i, _)| *i).collect();
        if got != chunk(&indices, spec) {
            bail!(
                "task {task}'s part of generation {} round {} does not hold exactly its \
                 proposals: remove {} and run the task again",
                round.generation,
                round.round,
                part.display()
            );
        }
        all.extend(records);
    }
    Ok(all)
}

/// Removes the parts and round files that merged generations and rounds no longer need.
fn tidy(dir: &Path) -> Result<()> {
    let partial = dir.join(".partial");
    let generations = dir.join(".tasks");
    for t in 0.. {
        let made = generation_file(&partial, t).exists();
        let parts = generations.join(Round::generation_folder(t));
        if !made && !parts.exists() {
            break;
        }
        let rounds = merged_rounds(&partial, t);
        if made {
            for b in 0..rounds {
                fs::remove_file(round_file(&partial, t, b))?;
            }
            if parts.exists() {
                fs::remove_dir_all(&parts)?;
            }
        } else {
            for round in 0..rounds {
                let done = generations.join(
                    Round {
                        generation: t,
                        round,
                    }
                    .folder(),
                );
                if done.exists() {
                    fs::remove_dir_all(&done)?;
                }
            }
        }
    }
    Ok(())
}
