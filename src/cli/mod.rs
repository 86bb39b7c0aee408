//! The command line: `agora run`, `check`, `sweep`, `compare`, `calibrate`, `report`, the
//! cluster commands, `init` and `keys`.

mod args;

pub use args::*;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::folder::{Partial, ResultsFolder};
use crate::memory::Budget;
use crate::run::{default_out_dir, describe, run_all, write_outputs};
use crate::scenario::{load_file, Origin, Override, Scenario, ScenarioError};

/// Results of a run from which the plan warns of the room they take on disk.
const LARGE_FILES: u64 = 100 << 20;

/// Runs a parsed command line.
pub fn execute(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(args) => run(args),
        Command::Check(args) => {
            let s = load_checked(&args.file, &args.overrides.set, &args.memory)?;
            for w in s.warnings() {
                eprintln!("warning: {w}");
            }
            crate::say_text!("{}", s.to_toml());
            Ok(())
        }
        Command::Init { name } => init(&name),
        Command::Keys { markdown, table } => keys(markdown, table.as_deref()),
        Command::Sweep(args) => sweep(args),
        Command::Compare(args) => compare(args),
        Command::Calibrate(args) => calibrate(args),
        Command::Status { dir } => crate::cluster::status(&dir),
        Command::Merge { dir } => crate::cluster::merge(&dir),
        Command::Slurm {
            file,
            out,
            tasks,
            max_running,
            timeseries,
        } => crate::cluster::slurm(&file, out.as_deref(), tasks, max_running, timeseries),
        Command::Report { dir } => {
            let path = crate::report::write(&dir)?;
            crate::say!("wrote {}", path.display());
            Ok(())
        }
    }
}

/// Loads a scenario and checks that one replicate fits the memory budget; a population too
/// large is blamed on `population.size`.
fn load_checked(path: &Path, overrides: &[Override], memory: &Memory) -> Result<Scenario> {
    let s = load_file(path, overrides)?;
    if let Err(message) = Budget::new(memory.max_memory).check(&s) {
        let source = crate::scenario::TomlSource::read(path, "scenario")?;
        let key = "population.size";
        let mut err: ScenarioError = source.error(key, message, None);
        if overrides.iter().any(|o| o.key == key) {
            err.origin = Origin::Override;
        }
        return Err(err.into());
    }
    Ok(s)
}

fn keys(markdown: bool, table: Option<&str>) -> Result<()> {
    match (markdown, table) {
        (true, Some(t)) => match crate::scenario::markdown_table(t) {
            Some(text) => crate::say_text!("{text}"),
            None => bail!("`{t}` is not a table of the scenario; `agora keys` lists them"),
        },
        (true, None) => crate::say_text!("{}", crate::scenario::markdown_tables()),
        (false, Some(t)) => {
            bail!("`{t}`: name a table only with --markdown (agora keys --markdown {t})")
        }
        (false, None) => crate::say_text!("{}", crate::scenario::key_listing()),
    }
    Ok(())
}

fn sweep(args: SweepArgs) -> Result<()> {
    let env = |name: &str| std::env::var(name).ok();
    if let Some(spec) = crate::batch::tasks::spec(args.split.tasks, args.split.task, &env)? {
        announce_task(args.split.task, spec);
        return crate::cluster::sweep_task(&args, spec);
    }
    let sweep = crate::sweep::Sweep::load(&args.file)?;
    let out = args
        .output
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(&sweep.name));
    let points = sweep.points.len() as u64;
    let runs = points * sweep.replicates as u64;
    crate::say!(
        "{}: {points} points x {} replicates = {runs} runs -> {}",
        sweep.name,
        sweep.replicates,
        out.display()
    );
    let pool = thread_pool(args.output.threads)?;
    let progress = crate::batch::Progress::new(points, "points checked");
    if points >= 20_000 {
        progress.announce();
    }
    let checked = pool.install(|| sweep.check(&|| progress.tick()))?;
    progress.finish();
    let budget = Budget::new(args.output.memory.max_memory);
    crate::say!(
        "plan: {:.3e} agent-days; {}",
        checked.agent_days,
        crate::memory::estimate(
            checked.agent_days,
            runs,
            checked.max_bytes,
            0,
            pool.current_num_threads(),
            &budget
        )
    );
    for w in &checked.warnings {
        eprintln!("warning: {w}");
    }
    let folder = ResultsFolder::acquire(&out, &command_line(), Partial::Resumes)?;
    let options = crate::batch::Options {
        resume: args.resume,
        timeseries: args.timeseries,
        announce: crate::memory::seconds(checked.agent_days, pool.current_num_threads()) > 2.0,
        budget,
    };
    let ranking = pool.install(|| sweep.run(&folder, options, &checked))?;
    add_report(&folder, args.output.report)?;
    folder.publish()?;
    crate::say!(
        "wrote runs.csv, points.csv{}{}",
        if ranking.is_some() {
            ", sensitivity.csv"
        } else {
            ""
        },
        if args.timeseries {
            " and timeseries.csv"
        } else {
            ""
        }
    );
    if let Some(ranking) = ranking {
        crate::say_text!("{ranking}");
    }
    Ok(())
}

fn calibrate(args: CalibrateArgs) -> Result<()> {
    let env = |name: &str| std::env::var(name).ok();
    if let Some(spec) = crate::batch::tasks::spec(args.split.tasks, args.split.task, &env)? {
        announce_task(args.split.task, spec);
        return crate::cluster::calibrate_task(&args, spec);
    }
    let cal = crate::calibrate::Calibration::load(&args.file)?;
    let out = args.output.out.clone().unwrap_or_else(|| cal.default_out());
    let abc = &cal.abc;
    let scenarios = match cal.cases.len() {
        1 => String::new(),
        n => format!(" x {n} scenarios"),
    };
    crate::say!(
        "{}: {} parameters, {} particles x {} replicates{scenarios} a generation, up to {} \
         generations after the prior -> {}",
        cal.name,
        cal.parameters.len(),
        abc.particles,
        cal.replicates,
        abc.generations,
        out.display()
    );
    let pool = thread_pool(args.output.threads)?;
    let budget = Budget::new(args.output.memory.max_memory);
    let folder = ResultsFolder::acquire(&out, &command_line(), Partial::Resumes)?;
    let summary = pool.install(|| {
        crate::calibrate::run(&cal, folder.dir(), folder.staging(), args.resume, &budget)
    })?;
    add_report(&folder, args.output.report)?;
    folder.publish()?;
    crate::say!("wrote posterior.csv, calibration.csv, generations.csv and predictive.csv");
    crate::say_text!("{summary}");
    Ok(())
}

fn compare(args: CompareArgs) -> Result<()> {
    use crate::compare::Comparison;
    let env = |name: &str| std::env::var(name).ok();
    if let Some(spec) = crate::batch::tasks::spec(args.split.tasks, args.split.task, &env)? {
        if args.until_separated {
            bail!("--until-separated does not combine with --tasks: give `replicates`");
        }
        announce_task(args.split.task, spec);
        return crate::cluster::compare_task(&args, spec);
    }
    let c = Comparison::load(&args.file)?;
    let out = args
        .output
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(&c.name));
    crate::say!("{}", plan_line(&c, &out));
    refuse_posterior_inside(&c, &out)?;
    let pool = thread_pool(args.output.threads)?;
    let budget = Budget::new(args.output.memory.max_memory);
    let agent_days: f64 = c
        .scenarios
        .iter()
        .map(|s| s.size() as f64 * s.days() as f64 * c.replicates as f64)
        .sum();
    let max_bytes = c.scenarios.iter().map(crate::memory::replicate_bytes).max();
    let runs = c.scenarios.len() as u64 * c.replicates as u64;
    crate::say!(
        "plan: {:.3e} agent-days; {}",
        agent_days,
        crate::memory::estimate(
            agent_days,
            runs,
            max_bytes.unwrap_or(0),
            0,
            pool.current_num_threads(),
            &budget
        )
    );
    for w in c.warnings() {
        eprintln!("warning: {w}");
    }
    let folder = ResultsFolder::acquire(&out, &command_line(), Partial::Resumes)?;
    let options = crate::batch::Options {
        resume: args.resume,
        timeseries: args.timeseries,
        announce: crate::memory::seconds(agent_days, pool.current_num_threads()) > 2.0,
        budget,
    };
    let outcome = pool.install(|| c.run(&folder, options, args.until_separated))?;
    add_report(&folder, args.output.report)?;
    folder.publish()?;
    let (results, separation) = (&outcome.results, &outcome.separation);
    crate::say!("{}", c.table(results));
    if c.policies.len() > 1 {
        crate::say!("{}", c.flows_report(&outcome.flows));
    }
    if let Some(ranking) = &outcome.robust {
        crate::say!("{}", c.robust_report(ranking));
    }
    if results.iter().all(|r| r.rank.is_none()) {
        eprintln!(
            "warning: the objective `{}` is undefined for every policy (e.g. `roi` of runs that \
             spend nothing), so no policy is ranked",
            crate::metrics::Metrics::NAMES[c.objective]
        );
    }
    say_separation(separation);
    Ok(())
}

/// What `--until-separated` found, in words.
fn say_separation(separation: &crate::compare::Separation) {
    use crate::compare::Separation;
    match separation {
        Separation::NotAsked => {}
        Separation::Separated { replicates } => crate::say!(
            "separated: after {replicates} replicates the best policy's paired difference to the \
             runner-up excludes zero"
        ),
        Separation::NotSeparated { replicates } => crate::say!(
            "not separated: at max_replicates = {replicates} the best two policies' paired \
             difference still includes zero"
        ),
        Separation::Unranked { replicates } => crate::say!(
            "not separated: after {replicates} replicates fewer than two policies have a defined              objective, so there is nothing to separate; choose an objective every policy has"
        ),
    }
}

/// A robust comparison may not write into the folder holding the posterior it reads:
/// publishing replaces the whole folder.
pub(crate) fn refuse_posterior_inside(c: &crate::compare::Comparison, out: &Path) -> Result<()> {
    if let Some(crate::compare::Unknowns::Posterior(read)) = c.robust.as_ref().map(|r| &r.unknowns)
    {
        // Publishing replaces the whole folder: it must not hold the posterior it reads.
        let inside = |p: &Path| std::fs::canonicalize(p).ok();
        if let (Some(posterior), Some(dir)) = (inside(read), inside(out)) {
            if posterior.starts_with(&dir) {
                bail!(
                    "{} holds the posterior this comparison reads ({}); writing the results \
                     there would replace it: choose another --out",
                    out.display(),
                    read.display()
                );
            }
        }
    }
    Ok(())
}

/// Says on stderr when the job array's environment, not `--task`, chose the task: a plain
/// sweep inside an array job becomes one of its tasks.
fn announce_task(flag: Option<usize>, spec: crate::batch::tasks::TaskSpec) {
    if flag.is_none() {
        eprintln!(
            "task {} of {}, from the job array's environment ({})",
            spec.task,
            spec.tasks,
            crate::batch::tasks::INDEX_VARIABLES.join(", ")
        );
    }
}

/// With `--report`, writes report.html beside the staged results, so that it is published
/// with them. A report that cannot be made costs a warning, never the results.
fn add_report(folder: &ResultsFolder, wanted: bool) -> Result<()> {
    if wanted {
        match crate::report::render(folder.staging()) {
            Ok(html) => {
                crate::export::write_atomic(&folder.staging().join("report.html"), html.as_bytes())?
            }
            Err(e) => eprintln!("warning: no report.html: {e:#}"),
        }
    }
    Ok(())
}

/// The first line a comparison prints: what runs, on what, and where it goes.
fn plan_line(c: &crate::compare::Comparison, out: &Path) -> String {
    match &c.robust {
        Some(r) => format!(
            "{}: {} policies x {} {} draws of {} x {} replicates (same seeds for every policy) \
             -> {}",
            c.name,
            c.policies.len(),
            c.draws(),
            r.of(),
            r.keys.join(", "),
            c.replicates,
            out.display()
        ),
        None => format!(
            "{}: {} policies x {} replicates (same seeds for every policy) -> {}",
            c.name,
            c.policies.len(),
            c.replicates,
            out.display()
        ),
    }
}

fn run(args: RunArgs) -> Result<()> {
    let mut overrides = args.overrides.set.clone();
    let flag = |key: &str, value: Option<String>| {
        value.map(|value| Override {
            key: key.to_string(),
            value,
        })
    };
    overrides.extend(flag("seed", args.seed.map(|v| v.to_string())));
    overrides.extend(flag("days", args.days.map(|v| v.to_string())));
    overrides.extend(flag("replicates", args.replicates.map(|v| v.to_string())));
    let scenario = load_checked(&args.file, &overrides, &args.output.memory)?;
    for w in scenario.warnings() {
        eprintln!("warning: {w}");
    }
    let budget = Budget::new(args.output.memory.max_memory);
    if let Err(message) = budget.check_run(&scenario) {
        bail!("{}: {message}", args.file.display());
    }
    let out = args
        .output
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&scenario));
    let pool = thread_pool(args.output.threads)?;
    let replicates = scenario.replicates() as u64;
    let agent_days = scenario.size() as f64 * scenario.days() as f64 * replicates as f64;
    crate::say!(
        "{}: {} replicate(s) of {} days, {} agents -> {}",
        scenario.name(),
        replicates,
        scenario.days(),
        scenario.size(),
        out.display()
    );
    let files = crate::memory::csv_bytes(&scenario);
    crate::say!(
        "plan: {agent_days:.3e} agent-days; {}; files about {}",
        crate::memory::estimate(
            agent_days,
            replicates,
            crate::memory::replicate_bytes(&scenario),
            replicates * crate::memory::kept_bytes(&scenario),
            pool.current_num_threads(),
            &budget
        ),
        crate::memory::size(files)
    );
    if files >= LARGE_FILES {
        eprintln!(
            "warning: the results will take about {} on disk ({} replicate(s) of {} days of \
             daily series)",
            crate::memory::size(files),
            replicates,
            scenario.days()
        );
    }
    let folder = ResultsFolder::acquire(&out, &command_line(), Partial::Refuses)?;
    let progress =
        crate::batch::Progress::new(replicates * scenario.days() as u64, "replicate-days");
    if crate::memory::seconds(agent_days, pool.current_num_threads()) > 2.0 {
        progress.announce();
    }
    let started = std::time::Instant::now();
    let runs = pool.install(|| run_all(&scenario, &budget, &|| progress.tick()));
    let seconds = started.elapsed().as_secs_f64();
    progress.finish();
    write_outputs(&scenario, &runs, folder.staging())?;
    add_report(&folder, args.output.report)?;
    folder.publish()?;
    for r in &runs {
        crate::say!("{}", describe(r, scenario.days()));
    }
    if args.bench {
        print_bench(&scenario, seconds, pool.current_num_threads());
    }
    Ok(())
}

/// The speed of a run (set-up and days, output excluded) and the process's peak memory.
fn print_bench(scenario: &Scenario, seconds: f64, threads: usize) {
    let n = scenario.size();
    let agent_days = n as f64 * scenario.days() as f64 * scenario.replicates() as f64;
    let peak = match crate::memory::peak_rss_bytes() {
        Some(b) => format!(
            "{:.1} MiB ({:.1} bytes/agent)",
            b as f64 / 1048576.0,
            b as f64 / n as f64
        ),
        None => "unknown".to_string(),
    };
    crate::say!(
        "bench: {n} agents x {} days x {} replicate(s) in {seconds:.3} s (set-up and days, \
         output excluded) = {:.0} agent-days/s on {threads} thread(s); peak RSS {peak}",
        scenario.days(),
        scenario.replicates(),
        agent_days / seconds,
    );
}

/// The command line as typed, for the holder of a results folder.
pub(crate) fn command_line() -> String {
    let args: Vec<String> = std::env::args().collect();
    crate::scenario::keys::elide(&args.join(" "), 200)
}

/// A rayon pool of `threads` workers (all cores when None); more threads than cores only slow a
/// run down, so they are capped with a warning.
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    if threads == Some(0) {
        bail!("--threads must be at least 1");
    }
    let system = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cores = usable_cores(system, std::env::var("SLURM_CPUS_PER_TASK").ok().as_deref());
    let threads = match threads {
        Some(t) if t > cores => {
            eprintln!(
                "warning: --threads {t} is more than the {cores} cores this process may use; using \
                 {cores}"
            );
            cores
        }
        Some(t) => t,
        None => cores,
    };
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start the worker threads")
}

/// Cores this process may use: what the system allows it (affinity, a cgroup's CPU quota), and
/// no more than a Slurm task was given (`SLURM_CPUS_PER_TASK`), which a cluster that does not
/// confine tasks to their cores (`TaskPlugin=task/none`) only says in the environment.
fn usable_cores(system: usize, slurm_cpus_per_task: Option<&str>) -> usize {
    match slurm_cpus_per_task.and_then(|v| v.trim().parse::<usize>().ok()) {
        Some(given) if given >= 1 => given.min(system),
        _ => system,
    }
}

fn init(name: &str) -> Result<()> {
    let name = name.strip_suffix(".toml").unwrap_or(name);
    if let Some(problem) = crate::scenario::keys::name_problem(name) {
        let shown: String = name
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect();
        bail!(
            "`{}` cannot be a scenario name: {problem}",
            crate::scenario::keys::elide(&shown, 60)
        );
    }
    let path = PathBuf::from(format!("{name}.toml"));
    if path.exists() {
        bail!(
            "{} already exists; choose another name or remove it",
            path.display()
        );
    }
    let text = crate::scenario::starter_file(name);
    crate::export::write_atomic(&path, text.as_bytes())?;
    let shown = path.display().to_string();
    // A name starting with `-` would read as a flag: ./ keeps it a file.
    let shown = if shown.starts_with('-') {
        format!("./{shown}")
    } else {
        shown
    };
    let quoted = if shown.contains(|c: char| c.is_whitespace() || "'\"$`\\".contains(c)) {
        format!("'{}'", shown.replace('\'', "'\\''"))
    } else {
        shown.clone()
    };
    crate::say!("wrote {shown} — try: agora run {quoted}");
    Ok(())
}

/// An error as `agora` prints it: the chain of contexts, without the system's error numbers.
pub fn error_words(err: &anyhow::Error) -> String {
    without_os_codes(&format!("{err:#}"))
}

/// The message without the system's error numbers (" (os error 2)"): "No such file or
/// directory" says it to an operator; the number says it to nobody.
fn without_os_codes(message: &str) -> String {
    const CODE: &str = " (os error ";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(CODE) {
        out.push_str(&rest[..at]);
        let tail = &rest[at + CODE.len()..];
        match tail.find(')') {
            Some(end) if end > 0 && tail[..end].bytes().all(|b| b.is_ascii_digit()) => {
                rest = &tail[end + 1..]
            }
            _ => {
                out.push_str(CODE);
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::{usable_cores, without_os_codes};

    #[test]
    fn system_error_numbers_are_left_out_and_the_rest_kept() {
        assert_eq!(
            without_os_codes("cannot read a.toml: No such file or directory (os error 2)"),
            "cannot read a.toml: No such file or directory"
        );
        assert_eq!(
            without_os_codes("x: Is a directory (os error 21); y (os error z) (os error 13)"),
            "x: Is a directory; y (os error z)"
        );
        assert_eq!(without_os_codes("no code here"), "no code here");
    }

    #[test]
    fn a_slurm_task_uses_the_cores_it_was_given_and_no_more_than_the_machine_has() {
        assert_eq!(usable_cores(8, None), 8);
        assert_eq!(usable_cores(8, Some("2")), 2);
        assert_eq!(usable_cores(2, Some("16")), 2);
        assert_eq!(usable_cores(8, Some("0")), 8, "nonsense is ignored");
        assert_eq!(usable_cores(8, Some("two")), 8, "nonsense is ignored");
    }
}
