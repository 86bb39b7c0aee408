//! agora on a cluster: a sweep, comparison or calibration run as the tasks of a job array (Slurm,
//! Kubernetes Indexed Jobs, AWS Batch), where each task is, and the merge of their parts into the
//! files one machine would have written. See docs/CLUSTER.md.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

use crate::batch::tasks::{Plan, State, TaskOutcome, TaskSpec};
use crate::calibrate::tasks::{self as calibration, Merged, Round};
use crate::calibrate::Calibration;
use crate::cli::{command_line, thread_pool, CalibrateArgs, CompareArgs, SweepArgs};
use crate::compare::Comparison;
use crate::folder::{Partial, ResultsFolder};
use crate::memory::Budget;
use crate::sweep::Sweep;

/// `agora sweep FILE --tasks N --task I`: runs task I's chunk of the sweep into its part.
pub fn sweep_task(args: &SweepArgs, spec: TaskSpec) -> Result<()> {
    let sweep = Sweep::load(&args.file)?;
    refuse_more_tasks_than(
        spec,
        sweep.points.len() * sweep.replicates as usize,
        "runs of the sweep",
    )?;
    let out = out_dir(args.output.out.as_deref(), &sweep.name);
    let pool = thread_pool(args.output.threads)?;
    let checked = pool.install(|| sweep.check(&|| {}))?;
    let options = crate::batch::Options {
        resume: true,
        timeseries: args.timeseries,
        announce: false,
        budget: Budget::new(args.output.memory.max_memory),
    };
    let outcome = pool.install(|| sweep.run_task(&out, &args.file, spec, options, &checked))?;
    say(&sweep.name, spec, outcome, &out);
    Ok(())
}

/// Refuses a split into more tasks than there are `units` of work (`what`): a task would have
/// nothing to do, and the plan of a huge number of tasks could not be read back.
fn refuse_more_tasks_than(spec: TaskSpec, units: usize, what: &str) -> Result<()> {
    if spec.tasks > units {
        bail!("--tasks {} is more than the {units} {what}", spec.tasks);
    }
    Ok(())
}

/// `agora compare FILE --tasks N --task I`: runs task I's chunk of the comparison into its part.
pub fn compare_task(args: &CompareArgs, spec: TaskSpec) -> Result<()> {
    let c = Comparison::load(&args.file)?;
    refuse_more_tasks_than(
        spec,
        c.scenarios.len() * c.replicates as usize,
        "runs of the comparison",
    )?;
    let out = out_dir(args.output.out.as_deref(), &c.name);
    let pool = thread_pool(args.output.threads)?;
    let options = crate::batch::Options {
        resume: true,
        timeseries: args.timeseries,
        announce: false,
        budget: Budget::new(args.output.memory.max_memory),
    };
    crate::cli::refuse_posterior_inside(&c, &out)?;
    let outcome = pool.install(|| c.run_task(&out, &args.file, spec, options))?;
    say(&c.name, spec, outcome, &out);
    Ok(())
}

/// `agora calibrate FILE --tasks N --task I`: runs task I's chunk of the calibration's current
/// round of proposals into its part.
pub fn calibrate_task(args: &CalibrateArgs, spec: TaskSpec) -> Result<()> {
    let cal = Calibration::load(&args.file)?;
    let out = out_dir(args.output.out.as_deref(), &cal.name);
    refuse_more_tasks_than(
        spec,
        cal.abc.particles,
        "proposals of a round (abc.particles)",
    )?;
    let pool = thread_pool(args.output.threads)?;
    let budget = Budget::new(args.output.memory.max_memory);
    let (outcome, round) =
        pool.install(|| calibration::run_task(&cal, &out, &args.file, spec, &budget))?;
    match round {
        Some(r) => say(
            &format!(
                "{} (generation {} round {})",
                cal.name, r.generation, r.round
            ),
            spec,
            outcome,
            &out,
        ),
        None => crate::say!(
            "{}: every generation is made; nothing to do: agora merge {}",
            cal.name,
            out.display()
        ),
    }
    Ok(())
}

fn say(name: &str, spec: TaskSpec, outcome: TaskOutcome, out: &Path) {
    match outcome {
        TaskOutcome::Ran { runs } => crate::say!(
            "{name}: task {} of {} ran its {runs} runs -> {}",
            spec.task,
            spec.tasks,
            out.display()
        ),
        TaskOutcome::AlreadyDone => crate::say!(
            "{name}: task {} of {} was already done; nothing to do",
            spec.task,
            spec.tasks
        ),
    }
}

fn out_dir(out: Option<&Path>, name: &str) -> PathBuf {
    out.map_or_else(|| Path::new("results").join(name), Path::to_path_buf)
}

/// `agora status DIR`: each task's state, and the command that runs the missing ones.
pub fn status(dir: &Path) -> Result<()> {
    let plan = Plan::read(dir)?;
    let (states, at) = if plan.kind == calibration::KIND {
        let cal = Calibration::load(&plan.file)?;
        let Some(round) = calibration::standing(&cal, dir)? else {
            crate::say!(
                "calibrate {}: every generation is made: agora merge {}",
                plan.file.display(),
                dir.display()
            );
            return Ok(());
        };
        let at = format!(", generation {} round {}", round.generation, round.round);
        (calibration::states(dir, &plan, round)?, at)
    } else {
        (crate::batch::tasks::states(dir, &plan)?, String::new())
    };
    let of = |s: State| -> Vec<usize> { (0..plan.tasks).filter(|&t| states[t] == s).collect() };
    let (done, running, missing) = (of(State::Done), of(State::Running), of(State::Missing));
    crate::say!(
        "{} {}{at}: {} tasks: {} done, {} running, {} missing",
        plan.kind,
        plan.file.display(),
        plan.tasks,
        done.len(),
        running.len(),
        missing.len()
    );
    for (what, tasks) in [("running", &running), ("missing", &missing)] {
        if !tasks.is_empty() {
            crate::say!("{what}: {}", crate::sweep::task_list(tasks));
        }
    }
    if missing.is_empty() && running.is_empty() {
        crate::say!("all done: agora merge {}", dir.display());
    } else if !missing.is_empty() {
        crate::say!(
            "run the missing ones on Slurm with the script of `agora slurm`: ARRAY_TASKS={} bash \
             SCRIPT",
            crate::sweep::task_list(&missing)
        );
        crate::say!("or one by one:");
        for t in &missing {
            crate::say!(
                "  agora {} {} --out {} --tasks {} --task {t}{}",
                plan.kind,
                plan.file.display(),
                dir.display(),
                plan.tasks,
                if plan.timeseries { " --timeseries" } else { "" }
            );
        }
    }
    Ok(())
}

/// `agora merge DIR`: the finished tasks' parts into the sweep's or comparison's result files.
pub fn merge(dir: &Path) -> Result<()> {
    let plan = Plan::read(dir)?;
    match plan.kind.as_str() {
        "sweep" => {
            let sweep = Sweep::load(&plan.file)?;
            let pool = thread_pool(None)?;
            let checked = pool.install(|| sweep.check(&|| {}))?;
            let folder = ResultsFolder::acquire(dir, &command_line(), Partial::Merges)?;
            let ranking = sweep.merge(&folder, &plan, &checked)?;
            folder.publish()?;
            crate::say!("merged {} tasks into {}", plan.tasks, dir.display());
            if let Some(r) = ranking {
                crate::say_text!("{r}");
            }
        }
        "compare" => {
            let c = Comparison::load(&plan.file)?;
            crate::cli::refuse_posterior_inside(&c, dir)?;
            let folder = ResultsFolder::acquire(dir, &command_line(), Partial::Merges)?;
            let outcome = c.merge(&folder, &plan)?;
            folder.publish()?;
            crate::say!("merged {} tasks into {}", plan.tasks, dir.display());
            crate::say!("{}", c.table(&outcome.results));
            if c.policies.len() > 1 {
                crate::say!("{}", c.flows_report(&outcome.flows));
            }
            if let Some(ranking) = &outcome.robust {
                crate::say!("{}", c.robust_report(ranking));
            }
        }
        calibration::KIND => {
            let cal = Calibration::load(&plan.file)?;
            let folder = ResultsFolder::acquire(dir, &command_line(), Partial::Merges)?;
            match calibration::merge(&cal, folder.dir(), folder.staging(), &plan)? {
                Merged::Finished(summary) => {
                    folder.publish()?;
                    crate::say!(
                        "merged; the calibration is finished: wrote posterior.csv, \
                         calibration.csv, generations.csv and predictive.csv into {}",
                        dir.display()
                    );
                    crate::say_text!("{summary}");
                }
                Merged::Next {
                    merged,
                    taken,
                    accepted,
                    next,
                } => {
                    let Round { generation, round } = merged;
                    if next.generation == generation {
                        crate::say!(
                            "merged generation {generation} round {round}: {taken} proposals \
                             within the tolerance, {accepted} of the {} particles so far",
                            cal.abc.particles
                        );
                    } else {
                        crate::say!("merged generation {generation} round {round}: it is made");
                    }
                    crate::say!(
                        "next: generation {} round {}: run the {} tasks again, then agora merge {}",
                        next.generation,
                        next.round,
                        plan.tasks,
                        dir.display()
                    );
                }
            }
        }
        other => bail!("{} holds tasks of an unknown kind `{other}`", dir.display()),
    }
    Ok(())
}

/// What `agora slurm` submits.
struct Submitted {
    /// `sweep`, `compare` or `calibrate`.
    kind: &'static str,
    name: String,
    /// Runs in all (a calibration: in each round of proposals).
    runs: usize,
    /// The most tasks it can be split into: its runs (a calibration: a round's proposals).
    units: usize,
}

/// What kind of batch `file` is, its name and how many runs it has.
fn batch_of(file: &Path) -> Result<Submitted> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let doc = text.parse::<toml_edit::DocumentMut>().ok();
    let has = |key: &str| doc.as_ref().is_some_and(|d| d.contains_key(key));
    Ok(if has("policies") {
        let c = Comparison::load(file)?;
        let runs = c.scenarios.len() * c.replicates as usize;
        Submitted {
            kind: "compare",
            name: c.name.clone(),
            runs,
            units: runs,
        }
    } else if has("observed") {
        let cal = Calibration::load(file)?;
        Submitted {
            kind: calibration::KIND,
            runs: cal.abc.particles * cal.replicates as usize * cal.cases.len(),
            units: cal.abc.particles,
            name: cal.name,
        }
    } else {
        let sweep = Sweep::load(file)?;
        let runs = sweep.points.len() * sweep.replicates as usize;
        Submitted {
            kind: "sweep",
            name: sweep.name,
            runs,
            units: runs,
        }
    })
}

/// Runs a task packs at least, when `agora slurm` chooses the number of tasks: short tasks waste
/// a scheduler's time.
const RUNS_PER_TASK: usize = 20;

/// Refuses a submission of `kind` (of `units` runs, or proposals a round) that cannot be made.
fn refuse_bad_submission(
    kind: &str,
    units: usize,
    tasks: usize,
    timeseries: bool,
    max_running: Option<usize>,
) -> Result<()> {
    if tasks == 0 || tasks > units {
        bail!(
            "--tasks must be from 1 to the {}",
            if kind == calibration::KIND {
                format!("{units} proposals of a round of the calibration (abc.particles)")
            } else {
                format!("{kind}'s {units} runs")
            }
        );
    }
    if timeseries && kind == calibration::KIND {
        bail!("--timeseries is for a sweep or a comparison: a calibration keeps no daily series");
    }
    if max_running == Some(0) {
        bail!("--max-running must be at least 1");
    }
    Ok(())
}

/// `agora slurm FILE`: prints a bash script that submits the sweep or comparison as an array
/// job of `tasks` tasks (at most `max_running` at once, each keeping its runs' daily series if
/// `timeseries`) and a merge job that starts when all have succeeded; or, for a calibration, that
/// submits each round of proposals as such an array and merges it, until the calibration is
/// finished.
pub fn slurm(
    file: &Path,
    out: Option<&Path>,
    tasks: Option<usize>,
    max_running: Option<usize>,
    timeseries: bool,
) -> Result<()> {
    let Submitted {
        kind,
        name,
        runs,
        units,
    } = batch_of(file)?;
    let tasks = tasks.unwrap_or(runs.div_ceil(RUNS_PER_TASK).clamp(1, 1000).min(units));
    refuse_bad_submission(kind, units, tasks, timeseries, max_running)?;
    let absolute = |p: &Path| -> Result<PathBuf> {
        Ok(if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir()?.join(p)
        })
    };
    let file = std::fs::canonicalize(file)?;
    let out = absolute(&out_dir(out, &name))?;
    if out.exists() && !out.is_dir() {
        bail!(
            "{} is a file: --out names the folder the tasks write their results into",
            out.display()
        );
    }
    let agora = std::env::current_exe()?;
    let throttle = max_running.map_or(String::new(), |k| format!("%{k}"));
    // Single-quoted for bash: a ' inside becomes '\''.
    let quote = |t: &str| format!("'{}'", t.replace('\'', "'\\''"));
    let path = |p: &Path| quote(&p.display().to_string());
    let logs = PathBuf::from(format!("{}.slurm-logs", out.display()));
    let about = about(kind, &name, runs, tasks, max_running);
    let job = quote(&format!("agora-{name}"));
    let merge_job = quote(&format!("agora-{name}-merge"));
    let last = tasks - 1;
    let array = format!(
        "--job-name={job} \\
    --array=\"${{ARRAY_TASKS:-0-{last}}}{throttle}\" --output=\"$LOGS/task-%A_%a.out\" \\
    --wrap \"$TASK\""
    );
    let submit = submission(kind, &array, &merge_job);
    crate::say_text!(
        "#!/usr/bin/env bash
{about}
set -euo pipefail
set -f   # no globbing of SBATCH_EXTRA
AGORA=${{AGORA:-{agora}}}
FILE={file}
OUT={out}
LOGS={logs}
mkdir -p \"$LOGS\"
printf -v TASK '%q ' \"$AGORA\" {kind} \"$FILE\" --out \"$OUT\" --tasks {tasks}{timeseries}
printf -v MERGE_CMD '%q ' \"$AGORA\" merge \"$OUT\"
{submit}",
        timeseries = if timeseries { " --timeseries" } else { "" },
        agora = path(&agora),
        file = path(&file),
        out = path(&out),
        logs = path(&logs),
    );
    Ok(())
}

/// The comment at the head of a Slurm script: what it submits and how to use it.
fn about(kind: &str, name: &str, runs: usize, tasks: usize, max_running: Option<usize>) -> String {
    let limit = max_running.map_or(String::new(), |k| format!(", at most {k} at once"));
    if kind == calibration::KIND {
        format!(
            "# Submits calibration {name} to Slurm, a round at a time: each round of proposals
# ({runs} runs) is an array of {tasks} tasks{limit}; when they have all succeeded, the merge (a
# short job) finishes a generation or asks for another round. The script waits for each round
# and stops when the merge has written the outputs: run it where it can keep running (tmux,
# screen or nohup on the login node). Written by `agora slurm`.
# OUT must be on a filesystem every node shares, with file locks that work across nodes. Task
# and merge logs go to LOGS. If a task fails, the script stops: `agora status OUT` lists the
# missing tasks; ARRAY_TASKS=3,7 bash THIS_SCRIPT runs only those, then goes on round by round.
# SBATCH_EXTRA adds sbatch options, split at spaces (e.g. SBATCH_EXTRA='--partition=long')."
        )
    } else {
        format!(
            "# Submits {kind} {name} to Slurm: {runs} runs as an array of {tasks} tasks{limit}, then the merge
# of their parts, which starts only when every task succeeded. Written by `agora slurm`.
# Run it with bash on the cluster's login node; OUT must be on a filesystem every node shares,
# with file locks that work across nodes. Task and merge logs go to LOGS.
# `agora status OUT` lists missing tasks; to run only those (and the merge), give their numbers:
# ARRAY_TASKS=3,7 bash THIS_SCRIPT. SBATCH_EXTRA adds sbatch options, split at spaces
# (e.g. SBATCH_EXTRA='--partition=long --mem=8G'); AGORA_WAIT=1 waits for the merge to end."
        )
    }
}

/// The submissions of a Slurm script: the array and its merge; for a calibration, one of each
/// a round, in a loop until the calibration is finished.
fn submission(kind: &str, array: &str, merge_job: &str) -> String {
    if kind == calibration::KIND {
        format!(
            "while :; do
    # shellcheck disable=SC2086
    sbatch --wait --parsable ${{SBATCH_EXTRA:-}} {array}
    unset ARRAY_TASKS
    # shellcheck disable=SC2086
    sbatch --wait --parsable ${{SBATCH_EXTRA:-}} --job-name={merge_job} \\
        --output=\"$LOGS/merge-%j.out\" --wrap \"$MERGE_CMD\"
    # The merge that finishes the calibration publishes its outputs, and its tasks go.
    [ -e \"$OUT/.tasks/plan.toml\" ] || break
done
echo \"calibration finished: $OUT\"
"
        )
    } else {
        format!(
            "# shellcheck disable=SC2086
ARRAY=$(sbatch --parsable ${{SBATCH_EXTRA:-}} {array})
ARRAY=${{ARRAY%%;*}}   # --parsable prints JOBID;CLUSTER on a multi-cluster setup
# shellcheck disable=SC2086
MERGE=$(sbatch --parsable ${{SBATCH_EXTRA:-}} ${{AGORA_WAIT:+--wait}} --job-name={merge_job} \\
    --dependency=afterok:\"$ARRAY\" --kill-on-invalid-dep=yes --output=\"$LOGS/merge-%j.out\" \\
    --wrap \"$MERGE_CMD\")
MERGE=${{MERGE%%;*}}
echo \"submitted array $ARRAY and merge $MERGE\"
"
        )
    }
}
