//! A batch split into tasks for a cluster's job array (Slurm, Kubernetes Indexed Jobs, AWS Batch):
//! task I of N runs the I-th of N contiguous, disjoint chunks of the batch's (item, replicate)
//! runs, in key order, and records them in its own part, `DIR/.tasks/task-I-of-N/`, under its
//! own lock. A finished task leaves a `done` mark, so running it again does nothing; a killed
//! one, run again, goes on from its last recorded run. `agora merge` gathers the parts into the
//! files a single machine would have written.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use std::collections::BTreeMap;

use super::{read_records, Batch, Progress, RunKey, RunRow};

/// Which task of how many this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskSpec {
    pub tasks: usize,
    pub task: usize,
}

/// The environment variables that carry a task's index, by engine.
pub const INDEX_VARIABLES: [&str; 3] = [
    "SLURM_ARRAY_TASK_ID",
    "JOB_COMPLETION_INDEX",
    "AWS_BATCH_JOB_ARRAY_INDEX",
];

/// The task of this process: `--tasks` and `--task` as given, else the task index from the job
/// array's environment (and the task count where the engine gives it: Slurm's
/// `SLURM_ARRAY_TASK_COUNT`). None when the batch is not split.
pub fn spec(
    tasks: Option<usize>,
    task: Option<usize>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<TaskSpec>> {
    let number = |name: &str, value: String| -> Result<usize> {
        value
            .trim()
            .parse::<usize>()
            .with_context(|| format!("{name} = `{value}` is not a task number"))
    };
    let task = match task {
        Some(t) => Some(t),
        None => INDEX_VARIABLES
            .iter()
            .find_map(|v| env(v).map(|value| number(v, value)))
            .transpose()?,
    };
    let tasks = match tasks {
        Some(n) => Some(n),
        None if task.is_some() => env("SLURM_ARRAY_TASK_COUNT")
            .map(|v| number("SLURM_ARRAY_TASK_COUNT", v))
            .transpose()?,
        None => None,
    };
    match (tasks, task) {
        (None, None) => Ok(None),
        (Some(_), None) => bail!(
            "--tasks needs --task (or a job array's index in {})",
            INDEX_VARIABLES.join(", ")
        ),
        (None, Some(_)) => bail!("--task needs --tasks, the number of tasks in the array"),
        (Some(0), _) => bail!("--tasks must be at least 1"),
        (Some(n), Some(i)) if i >= n => {
            bail!(
                "task {i} is not one of the {n} tasks (numbered 0 to {})",
                n - 1
            )
        }
        (Some(tasks), Some(task)) => Ok(Some(TaskSpec { tasks, task })),
    }
}

/// Task `spec.task`'s chunk of `keys`: the keys from ⌊I·K/N⌋ to ⌊(I+1)·K/N⌋, so that the chunks
/// are disjoint, cover every key, and differ in size by at most one.
pub fn chunk<T>(keys: &[T], spec: TaskSpec) -> &[T] {
    let k = keys.len();
    let from = spec.task * k / spec.tasks;
    let to = (spec.task + 1) * k / spec.tasks;
    &keys[from..to]
}

/// The name of a task's part.
pub fn part_name(spec: TaskSpec) -> String {
    format!("task-{}-of-{}", spec.task, spec.tasks)
}

/// Where a task records its runs.
pub fn part_dir(dir: &Path, part: &str) -> PathBuf {
    dir.join(".tasks").join(part)
}

/// Task `spec`'s part when the parts are in `round` under `.tasks/` (a split calibration's
/// round; "" for a sweep or comparison).
pub fn part_in(dir: &Path, round: &str, spec: TaskSpec) -> PathBuf {
    if round.is_empty() {
        part_dir(dir, &part_name(spec))
    } else {
        part_dir(dir, &format!("{round}/{}", part_name(spec)))
    }
}

/// The plan of a split batch: which command and file, in how many tasks, and whether the tasks
/// keep every run's daily series. Every task writes the same; `agora status` and `agora merge`
/// read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// `sweep` or `compare`.
    pub kind: String,
    /// The batch file, as an absolute path on the shared filesystem.
    pub file: PathBuf,
    pub tasks: usize,
    /// The tasks ran with `--timeseries`.
    pub timeseries: bool,
}

impl Plan {
    fn path(dir: &Path) -> PathBuf {
        dir.join(".tasks").join("plan.toml")
    }

    /// Records the plan, or checks it against the one already there.
    pub fn record(&self, dir: &Path) -> Result<()> {
        let path = Plan::path(dir);
        if path.exists() {
            let existing = Plan::read(dir)?;
            if existing != *self {
                bail!(
                    "{} holds the tasks of another split ({} {} in {} tasks{}); finish or \
                     merge it, or choose another --out",
                    dir.display(),
                    existing.kind,
                    existing.file.display(),
                    existing.tasks,
                    if existing.timeseries {
                        ", with --timeseries"
                    } else {
                        ", without --timeseries"
                    }
                );
            }
            return Ok(());
        }
        fs::create_dir_all(path.parent().expect("a parent"))?;
        let mut doc = toml_edit::DocumentMut::new();
        doc["kind"] = toml_edit::value(self.kind.as_str());
        doc["file"] = toml_edit::value(self.file.display().to_string());
        doc["tasks"] = toml_edit::value(self.tasks as i64);
        doc["timeseries"] = toml_edit::value(self.timeseries);
        crate::export::write_atomic(&path, doc.to_string().as_bytes())
    }

    pub fn read(dir: &Path) -> Result<Plan> {
        let path = Plan::path(dir);
        let text = fs::read_to_string(&path).with_context(|| {
            format!(
                "{} holds no split batch (no {})",
                dir.display(),
                path.display()
            )
        })?;
        let doc: toml_edit::DocumentMut = text
            .parse()
            .with_context(|| format!("{} is not TOML", path.display()))?;
        let bad = |k: &str| anyhow::anyhow!("{}: `{k}` is missing or malformed", path.display());
        let text = |k: &str| doc.get(k).and_then(|v| v.as_str()).ok_or_else(|| bad(k));
        let tasks = doc
            .get("tasks")
            .and_then(|v| v.as_integer())
            .filter(|&n| n >= 1)
            .ok_or_else(|| bad("tasks"))?;
        let timeseries = match doc.get("timeseries") {
            None => false,
            Some(v) => v.as_bool().ok_or_else(|| bad("timeseries"))?,
        };
        Ok(Plan {
            kind: text("kind")?.to_string(),
            file: PathBuf::from(text("file")?),
            tasks: tasks as usize,
            timeseries,
        })
    }
}

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Done,
    /// Another process holds its lock now.
    Running,
    /// Never started, or stopped before it finished.
    Missing,
}

fn done_mark(part: &Path) -> PathBuf {
    part.join("done")
}

/// Takes a task's lock (a file beside its part), refusing when another process (a second copy
/// of the task) holds it for longer than `agora status` holds it to look (2 seconds).
pub fn lock(part: &Path) -> Result<File> {
    for _ in 0..20 {
        if let Some(file) = try_lock(part)? {
            return Ok(file);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    bail!(
        "{} is being run by another process; two copies of a task may not write its part",
        part.display()
    )
}

/// The task's lock if it is free now, None if another process holds it.
fn try_lock(part: &Path) -> Result<Option<File>> {
    let parent = part.parent().expect("a part is in .tasks");
    fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let path = part.with_extension("lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(fs::TryLockError::WouldBlock) => Ok(None),
        Err(fs::TryLockError::Error(e)) => Err(e).context(format!(
            "cannot lock {} (the shared filesystem must support file locks across nodes)",
            path.display()
        )),
    }
}

pub fn is_done(part: &Path) -> bool {
    done_mark(part).exists()
}

/// Marks a task finished (after every one of its runs is recorded).
pub fn mark_done(part: &Path) -> Result<()> {
    crate::export::write_atomic(&done_mark(part), b"")
}

/// Where each of the plan's tasks stands.
pub fn states(dir: &Path, plan: &Plan) -> Result<Vec<State>> {
    states_in(dir, plan, "")
}

/// Where each of the plan's tasks stands, their parts in `round` under `.tasks/` (a split
/// calibration's round; "" for a sweep or comparison).
pub fn states_in(dir: &Path, plan: &Plan, round: &str) -> Result<Vec<State>> {
    (0..plan.tasks)
        .map(|task| {
            let part = part_in(
                dir,
                round,
                TaskSpec {
                    tasks: plan.tasks,
                    task,
                },
            );
            Ok(if is_done(&part) {
                State::Done
            } else if try_lock(&part)?.is_none() {
                State::Running
            } else {
                State::Missing
            })
        })
        .collect()
}

/// What running a task did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskOutcome {
    /// It ran (or finished) its runs.
    Ran { runs: usize },
    /// It had finished before: nothing to do.
    AlreadyDone,
}

/// Runs task `spec`'s chunk of `all` (every key of the batch) with `batch`, whose part is the
/// task's, after recording the plan (the batch's `kind` and `file`) in its folder.
pub fn run_task(
    batch: &Batch,
    kind: &str,
    file: &Path,
    spec: TaskSpec,
    all: &[RunKey],
    announce: bool,
) -> Result<TaskOutcome> {
    let plan = &Plan {
        kind: kind.into(),
        file: fs::canonicalize(file).with_context(|| format!("cannot find {}", file.display()))?,
        tasks: spec.tasks,
        timeseries: batch.keep_timeseries,
    };
    let dir = &batch.dir;
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    crate::folder::check_ownership(dir)?;
    plan.record(dir)?;
    let part = batch.partial();
    let _lock = lock(&part)?;
    // Opening checks that a part already there is this batch's.
    let mut done = batch.open(true)?;
    if is_done(&part) {
        return Ok(TaskOutcome::AlreadyDone);
    }
    let keys = chunk(all, spec);
    let progress = Progress::new(keys.len() as u64, "runs");
    if announce {
        progress.announce();
    }
    batch.run(keys, &mut done, &progress)?;
    progress.finish();
    mark_done(&part)?;
    Ok(TaskOutcome::Ran { runs: keys.len() })
}

/// Refuses, naming them, while any task of `plan` (its parts in `round` under `.tasks/`, as for
/// [`states_in`]) is not done; `which` says which tasks in the message (e.g. " of generation 1
/// round 2").
pub fn require_done(dir: &Path, plan: &Plan, round: &str, which: &str) -> Result<()> {
    let states = states_in(dir, plan, round)?;
    let waiting: Vec<String> = (0..plan.tasks)
        .filter(|&t| states[t] != State::Done)
        .map(|t| t.to_string())
        .collect();
    if !waiting.is_empty() {
        bail!(
            "{} of {} tasks{which} have not finished (tasks {}): `agora status {}` says how to \
             run them",
            waiting.len(),
            plan.tasks,
            waiting.join(","),
            dir.display()
        );
    }
    Ok(())
}

/// What the tasks of a split batch recorded: every run, and where each run's daily series is
/// (empty unless the plan keeps them).
pub struct Gathered {
    pub runs: BTreeMap<RunKey, RunRow>,
    pub timeseries: BTreeMap<RunKey, PathBuf>,
}

/// The runs of every task of `plan` in `dir`, once all are done and each ran the batch whose
/// manifest is `manifest`; refuses, naming the tasks, while any is not done.
pub fn gather(dir: &Path, plan: &Plan, manifest: &str, all: &[RunKey]) -> Result<Gathered> {
    require_done(dir, plan, "", "")?;
    let mut done = BTreeMap::new();
    let mut timeseries = BTreeMap::new();
    for task in 0..plan.tasks {
        let part = part_dir(
            dir,
            &part_name(TaskSpec {
                tasks: plan.tasks,
                task,
            }),
        );
        let recorded = fs::read_to_string(part.join("manifest.toml")).unwrap_or_default();
        let changed = super::manifest::changes(&recorded, manifest, 3);
        if !changed.is_empty() {
            bail!(
                "task {task} ran another {} than {} is now: {}",
                plan.kind,
                plan.file.display(),
                changed.join("; ")
            );
        }
        let spec = TaskSpec {
            tasks: plan.tasks,
            task,
        };
        let records = read_records(&part);
        let own = chunk(all, spec);
        if let Some(k) = records.keys().find(|k| own.binary_search(k).is_err()) {
            bail!(
                "task {task}'s part holds a run that is not its own (item {}, replicate {}): \
                 remove {} and run the task again",
                k.item,
                k.replicate,
                part.display()
            );
        }
        if plan.timeseries {
            for &key in records.keys() {
                let path = super::timeseries_file(&part, key);
                if !path.exists() {
                    bail!(
                        "task {task}'s part lacks the daily series of item {} replicate {}: \
                         remove {} and run the task again",
                        key.item,
                        key.replicate,
                        part.display()
                    );
                }
                timeseries.insert(key, path);
            }
        }
        done.extend(records);
    }
    if let Some(k) = all.iter().find(|k| !done.contains_key(k)) {
        bail!(
            "the tasks' parts lack item {} replicate {}: run its task again",
            k.item,
            k.replicate
        );
    }
    Ok(Gathered {
        runs: done,
        timeseries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: usize) -> Vec<RunKey> {
        (0..n)
            .map(|i| RunKey {
                item: i / 3,
                replicate: (i % 3) as u32,
            })
            .collect()
    }

    #[test]
    fn chunks_are_disjoint_cover_every_key_and_differ_by_at_most_one() {
        for (k, n) in [(10, 3), (3, 5), (100, 7), (1, 1), (12, 4)] {
            let all = keys(k);
            let mut seen = Vec::new();
            let sizes: Vec<usize> = (0..n)
                .map(|task| {
                    let c = chunk(&all, TaskSpec { tasks: n, task });
                    seen.extend_from_slice(c);
                    c.len()
                })
                .collect();
            assert_eq!(seen, all, "{k} keys in {n} tasks");
            let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            assert!(hi - lo <= 1, "{sizes:?}");
        }
    }

    #[test]
    fn the_task_comes_from_the_flags_or_the_job_arrays_environment() {
        let none = |_: &str| None;
        assert_eq!(spec(None, None, &none).unwrap(), None);
        assert_eq!(
            spec(Some(4), Some(2), &none).unwrap(),
            Some(TaskSpec { tasks: 4, task: 2 })
        );
        let slurm = |v: &str| match v {
            "SLURM_ARRAY_TASK_ID" => Some("3".to_string()),
            "SLURM_ARRAY_TASK_COUNT" => Some("8".to_string()),
            _ => None,
        };
        assert_eq!(
            spec(None, None, &slurm).unwrap(),
            Some(TaskSpec { tasks: 8, task: 3 })
        );
        let k8s = |v: &str| (v == "JOB_COMPLETION_INDEX").then(|| "1".to_string());
        assert_eq!(
            spec(Some(5), None, &k8s).unwrap(),
            Some(TaskSpec { tasks: 5, task: 1 })
        );
        assert!(
            spec(None, None, &k8s).is_err(),
            "Kubernetes does not say how many"
        );
        let aws = |v: &str| (v == "AWS_BATCH_JOB_ARRAY_INDEX").then(|| "0".to_string());
        assert_eq!(
            spec(Some(2), None, &aws).unwrap(),
            Some(TaskSpec { tasks: 2, task: 0 })
        );
        assert!(spec(Some(3), Some(3), &none).is_err());
        assert!(spec(Some(3), None, &none).is_err());
        assert!(spec(Some(0), Some(0), &none).is_err());
        let bad = |v: &str| (v == "SLURM_ARRAY_TASK_ID").then(|| "x".to_string());
        assert!(spec(Some(2), None, &bad).is_err());
    }
}
