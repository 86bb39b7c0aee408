//! A sweep split into the tasks of a job array, and the tasks merged into the files a single
//! machine would have written.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Result};

use super::{Checked, Sweep};
use crate::batch::tasks::{self, Plan, State, TaskSpec};
use crate::batch::{read_records, Options, Progress, RunKey, RunRow};

/// What running a task did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskOutcome {
    /// It ran (or finished) its runs.
    Ran { runs: usize },
    /// It had finished before: nothing to do.
    AlreadyDone,
}

impl Sweep {
    /// Runs task `spec` of this sweep (read from `file`) into its own part of `dir`.
    pub fn run_task(
        &self,
        dir: &Path,
        file: &Path,
        spec: TaskSpec,
        options: Options,
        checked: &Checked,
    ) -> Result<TaskOutcome> {
        if options.timeseries {
            bail!("--timeseries does not combine with --tasks yet");
        }
        std::fs::create_dir_all(dir)?;
        crate::folder::check_ownership(dir)?;
        Plan {
            kind: "sweep".into(),
            file: std::fs::canonicalize(file)?,
            tasks: spec.tasks,
        }
        .record(dir)?;
        let part = tasks::part_name(spec);
        let part_dir = tasks::part_dir(dir, &part);
        let _lock = tasks::lock(&part_dir)?;
        let scenario = |p: usize| self.scenario(p).map_err(anyhow::Error::from);
        let batch = self.batch(dir, &part_dir, &scenario, &options, checked, Some(part));
        // Opening checks that a part already there is this sweep's.
        let mut done = batch.open(true)?;
        if tasks::is_done(&part_dir) {
            return Ok(TaskOutcome::AlreadyDone);
        }
        let all = self.keys();
        let keys = tasks::chunk(&all, spec);
        let progress = Progress::new(keys.len() as u64, "runs");
        if options.announce {
            progress.announce();
        }
        batch.run(keys, &mut done, &progress)?;
        progress.finish();
        tasks::mark_done(&part_dir)?;
        Ok(TaskOutcome::Ran { runs: keys.len() })
    }

    /// Gathers the finished tasks' runs of `dir` and writes the sweep's outputs into `folder`'s
    /// staging; refuses while a task is missing or a part is of another sweep.
    pub fn merge(
        &self,
        folder: &crate::folder::ResultsFolder,
        plan: &Plan,
        checked: &Checked,
    ) -> Result<Option<String>> {
        let dir = folder.dir();
        let states = tasks::states(dir, plan);
        let waiting: Vec<usize> = (0..plan.tasks)
            .filter(|&t| states[t] != State::Done)
            .collect();
        if !waiting.is_empty() {
            bail!(
                "{} of {} tasks have not finished (tasks {}): `agora status {}` says how to \
                 run them",
                waiting.len(),
                plan.tasks,
                list(&waiting),
                dir.display()
            );
        }
        let options = Options {
            resume: true,
            timeseries: false,
            announce: false,
            budget: crate::memory::Budget::new(None),
        };
        let manifest = self.manifest(false);
        let mut done: BTreeMap<RunKey, RunRow> = BTreeMap::new();
        for task in 0..plan.tasks {
            let part = tasks::part_dir(
                dir,
                &tasks::part_name(TaskSpec {
                    tasks: plan.tasks,
                    task,
                }),
            );
            let recorded = std::fs::read_to_string(part.join("manifest.toml")).unwrap_or_default();
            let changed = crate::batch::manifest::changes(&recorded, &manifest, 3);
            if !changed.is_empty() {
                bail!(
                    "task {task} ran another sweep than {} is now: {}",
                    plan.file.display(),
                    changed.join("; ")
                );
            }
            done.extend(read_records(&part));
        }
        if let Some(missing) = self.keys().iter().find(|k| !done.contains_key(k)) {
            bail!(
                "the tasks' parts lack point {} replicate {}: run its task again",
                missing.item,
                missing.replicate
            );
        }
        let scenario = |p: usize| self.scenario(p).map_err(anyhow::Error::from);
        let batch = self.batch(dir, folder.staging(), &scenario, &options, checked, None);
        self.finish(&batch, &done, folder.staging())
    }
}

/// Task numbers as a comma-separated list (Slurm's `--array` syntax).
pub fn list(tasks: &[usize]) -> String {
    tasks
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(",")
}
