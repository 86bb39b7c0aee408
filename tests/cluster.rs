//! Sweeps, comparisons and calibrations as the tasks of a job array: split, run out of order,
//! killed and run again, merged, and compared byte for byte with the same batch run on one
//! machine; then the same on a real one-node Slurm cluster (`.ci/slurm/up.sh` installs Debian's slurm-wlm and munge when missing,
//! starts the daemons, and `.ci/slurm/down.sh` stops them again).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::time::Duration;

use assert_cmd::Command;
use tempfile::TempDir;

mod common;
use common::cli::agora;

/// A sweep of 3 points × 3 replicates on the fan club, with `size` agents for `days` days.
fn sweep_file(dir: &Path, size: u32, days: u32) -> PathBuf {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/brand-fan-club.toml");
    let path = dir.join("s.toml");
    fs::write(
        &path,
        format!(
            "name = \"s\"\nbase = \"{}\"\nreplicates = 3\nset = {{ \"population.size\" = {size}, \
             days = {days} }}\n\n[[axes]]\nkey = \"acquisition.word_of_mouth\"\nvalues = [0.02, \
             0.06, 0.1]\n",
            base.display()
        ),
    )
    .unwrap();
    path
}

fn same_files(a: &Path, b: &Path) {
    same(a, b, &["runs.csv", "points.csv"]);
}

fn same(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        assert_eq!(
            fs::read(a.join(f)).unwrap(),
            fs::read(b.join(f)).unwrap(),
            "{f} differs from the single-machine run"
        );
    }
}

/// A comparison of two policies × 4 replicates on the fan club, with `size` agents.
fn compare_file(dir: &Path, size: u32) -> PathBuf {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/brand-fan-club.toml");
    let path = dir.join("c.toml");
    fs::write(
        &path,
        format!(
            "name = \"c\"\nbase = \"{}\"\nreplicates = 4\nset = {{ \"population.size\" = {size}, \
             days = 40 }}\n\n[[policies]]\nname = \"as it is\"\n\n[[policies]]\nname = \
             \"referral reward\"\nset = {{ \"incentives.referral_reward\" = 5.0 }}\n",
            base.display()
        ),
    )
    .unwrap();
    path
}

fn stdout(c: &mut Command) -> String {
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn a_split_sweep_merges_into_the_files_of_one_machine() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let file = sweep_file(d, 2000, 40);
    let (local, split) = (d.join("local"), d.join("split"));
    agora()
        .arg("sweep")
        .arg(&file)
        .arg("--out")
        .arg(&local)
        .assert()
        .success();
    // Tasks out of order; task 1 missing.
    for task in ["2", "0"] {
        agora()
            .arg("sweep")
            .arg(&file)
            .arg("--out")
            .arg(&split)
            .args(["--tasks", "3", "--task", task])
            .assert()
            .success();
    }
    // While tasks are under way, nothing but a merge may write the folder.
    let whole = agora()
        .arg("sweep")
        .arg(&file)
        .arg("--out")
        .arg(&split)
        .output()
        .unwrap();
    assert!(
        !whole.status.success(),
        "a whole sweep wrote over the tasks"
    );
    let e = String::from_utf8(whole.stderr).unwrap();
    assert!(e.contains("holds the tasks of a split"), "{e}");
    let merge = agora().arg("merge").arg(&split).output().unwrap();
    assert!(!merge.status.success(), "merged with a task missing");
    let e = String::from_utf8(merge.stderr).unwrap();
    assert!(e.contains("tasks 1"), "{e}");
    let status = stdout(agora().arg("status").arg(&split));
    assert!(status.contains("2 done, 0 running, 1 missing"), "{status}");
    assert!(status.contains("--tasks 3 --task 1"), "{status}");
    assert!(status.contains("ARRAY_TASKS=1 bash SCRIPT"), "{status}");
    // Task 1 from a Slurm array's environment; a second run of it does nothing.
    let slurm = stdout(
        agora()
            .arg("sweep")
            .arg(&file)
            .arg("--out")
            .arg(&split)
            .env("SLURM_ARRAY_TASK_ID", "1")
            .env("SLURM_ARRAY_TASK_COUNT", "3"),
    );
    assert!(slurm.contains("task 1 of 3 ran its 3 runs"), "{slurm}");
    let again = stdout(
        agora()
            .arg("sweep")
            .arg(&file)
            .arg("--out")
            .arg(&split)
            .args(["--tasks", "3", "--task", "1"]),
    );
    assert!(again.contains("already done"), "{again}");
    stdout(agora().arg("merge").arg(&split));
    same_files(&local, &split);
    assert!(
        !split.join(".tasks").exists(),
        "the parts are gone once merged"
    );
    // Kubernetes and AWS Batch give the index; the count comes from --tasks.
    let other = d.join("other");
    for (var, task) in [
        ("JOB_COMPLETION_INDEX", "0"),
        ("AWS_BATCH_JOB_ARRAY_INDEX", "1"),
    ] {
        agora()
            .arg("sweep")
            .arg(&file)
            .arg("--out")
            .arg(&other)
            .args(["--tasks", "2"])
            .env(var, task)
            .assert()
            .success();
    }
    stdout(agora().arg("merge").arg(&other));
    same_files(&local, &other);
}

#[test]
fn a_split_comparison_merges_into_the_files_of_one_machine() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let file = compare_file(d, 2000);
    let (local, split) = (d.join("local"), d.join("split"));
    agora()
        .arg("compare")
        .arg(&file)
        .arg("--out")
        .arg(&local)
        .arg("--timeseries")
        .assert()
        .success();
    for task in ["1", "0", "2"] {
        agora()
            .arg("compare")
            .arg(&file)
            .arg("--out")
            .arg(&split)
            .args(["--tasks", "3", "--timeseries"])
            .env("AWS_BATCH_JOB_ARRAY_INDEX", task)
            .assert()
            .success();
        // A task of the same split without the daily series would leave a hole in them.
        let mixed = agora()
            .arg("compare")
            .arg(&file)
            .arg("--out")
            .arg(&split)
            .args(["--tasks", "3", "--task", task])
            .output()
            .unwrap();
        assert!(
            !mixed.status.success(),
            "a task without --timeseries joined"
        );
        let e = String::from_utf8(mixed.stderr).unwrap();
        assert!(e.contains("with --timeseries"), "{e}");
    }
    let merged = stdout(agora().arg("merge").arg(&split));
    assert!(merged.contains("referral reward"), "{merged}");
    same(
        &local,
        &split,
        &["runs.csv", "compare.csv", "timeseries.csv"],
    );
}

#[test]
fn a_split_robust_comparison_merges_and_says_what_one_machine_says() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let file = compare_file(d, 2000);
    let mut text = fs::read_to_string(&file).unwrap();
    text.push_str(
        "\n[robust]\ndraws = 4\n\n[[robust.parameters]]\nkey = \"behavior.visit_base\"\n\
         prior = { uniform = [-2.0, -1.0] }\n",
    );
    fs::write(&file, text).unwrap();
    let (local, split) = (d.join("local"), d.join("split"));
    let said = stdout(agora().arg("compare").arg(&file).arg("--out").arg(&local));
    // The verdict over the draws and what the lead turns on, as one machine prints them.
    let at = said.find("over 4 prior draws").expect(&said);
    let verdict = &said[said[..at].rfind('\n').map_or(0, |i| i + 1)..];
    assert!(verdict.contains("distinct draws"), "{said}");
    for task in ["1", "0"] {
        stdout(
            agora()
                .arg("compare")
                .arg(&file)
                .arg("--out")
                .arg(&split)
                .args(["--tasks", "2", "--task", task]),
        );
    }
    let merged = stdout(agora().arg("merge").arg(&split));
    assert!(
        merged.contains(verdict.trim_end()),
        "{merged}\nagainst\n{said}"
    );
    same(
        &local,
        &split,
        &["runs.csv", "compare.csv", "robust.csv", "robust-keys.csv"],
    );
}

#[test]
fn a_task_killed_mid_run_goes_on_from_its_last_recorded_run() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let file = sweep_file(d, 20_000, 40);
    let (local, split) = (d.join("local"), d.join("split"));
    agora()
        .arg("sweep")
        .arg(&file)
        .arg("--out")
        .arg(&local)
        .assert()
        .success();
    let bin = assert_cmd::cargo::cargo_bin("agora");
    let part = split.join(".tasks/task-0-of-1/runs.csv");
    let mut child = Process::new(&bin)
        .arg("sweep")
        .arg(&file)
        .arg("--out")
        .arg(&split)
        .args(["--tasks", "1", "--task", "0", "--threads", "1"])
        .spawn()
        .unwrap();
    // Kill it once some runs are recorded, before all are.
    loop {
        let recorded = fs::read_to_string(&part).map_or(0, |t| t.lines().count());
        if recorded >= 2 || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().ok();
    child.wait().unwrap();
    let recorded = fs::read_to_string(&part).unwrap().lines().count();
    // As if the kill had come in the middle of writing a record.
    let mut torn = fs::read(&part).unwrap();
    torn.extend_from_slice(b"1,0,99");
    fs::write(&part, torn).unwrap();
    let ran = stdout(
        agora()
            .arg("sweep")
            .arg(&file)
            .arg("--out")
            .arg(&split)
            .args(["--tasks", "1", "--task", "0"]),
    );
    assert!(ran.contains("ran its 9 runs"), "{ran}");
    assert!(
        recorded < 9,
        "the kill came too late to test anything ({recorded} runs)"
    );
    stdout(agora().arg("merge").arg(&split));
    same_files(&local, &split);
}

/// A calibration of word of mouth on the small fan club to a target number of final members,
/// with `particles` particles a generation and a tolerance at the 30% quantile.
fn calibration_file(dir: &Path, particles: u32) -> PathBuf {
    calibration_file_with(dir, particles, "quantile = 0.3")
}

/// The same calibration with `abc` as the rest of its ABC settings.
fn calibration_file_with(dir: &Path, particles: u32, abc: &str) -> PathBuf {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/brand-fan-club.toml");
    let path = dir.join("cal.toml");
    fs::write(
        &path,
        format!(
            "name = \"cal\"\nbase = \"{}\"\nreplicates = 2\nset = {{ \"population.size\" = 2000, \
             days = 40 }}\n\n[observed]\ntargets = {{ final_members = {{ value = 300, sd = 30 }} }}\n\n\
             [[parameters]]\nkey = \"acquisition.word_of_mouth\"\nprior = {{ uniform = [0.0, \
             0.3] }}\n\n[abc]\nparticles = {particles}\ngenerations = 2\n{abc}\n",
            base.display()
        ),
    )
    .unwrap();
    path
}

const CALIBRATION_FILES: [&str; 4] = [
    "posterior.csv",
    "calibration.csv",
    "generations.csv",
    "predictive.csv",
];

/// Runs task `task` of `tasks` of the calibration's current round, and returns what it said.
fn calibration_task(file: &Path, out: &Path, tasks: usize, task: usize) -> String {
    stdout(
        agora()
            .arg("calibrate")
            .arg(file)
            .arg("--out")
            .arg(out)
            .args(["--tasks", &tasks.to_string(), "--task", &task.to_string()]),
    )
}

#[test]
fn a_split_calibration_merges_round_by_round_into_the_files_of_one_machine() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let file = calibration_file(d, 12);
    let (local, split) = (d.join("local"), d.join("split"));
    stdout(agora().arg("calibrate").arg(&file).arg("--out").arg(&local));
    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds < 50, "the split calibration never finished");
        // Out of order; task 1 waits, so the merge must refuse and status must name it.
        for task in [2, 0] {
            calibration_task(&file, &split, 3, task);
        }
        let refused = agora().arg("merge").arg(&split).output().unwrap();
        assert!(!refused.status.success(), "merged without task 1");
        let why = String::from_utf8_lossy(&refused.stderr);
        assert!(why.contains("(tasks 1)"), "{why}");
        let status = stdout(agora().arg("status").arg(&split));
        assert!(status.contains("missing: 1"), "{status}");
        assert!(status.contains("ARRAY_TASKS=1 bash SCRIPT"), "{status}");
        assert!(status.contains("--tasks 3 --task 1"), "{status}");
        if rounds == 2 {
            // As if task 1 had been killed after two proposals, in the middle of a third.
            calibration_task(&file, &split, 3, 1);
            let part = fs::read_dir(split.join(".tasks"))
                .unwrap()
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .find(|p| p.is_dir())
                .expect("the round's generation folder");
            let round = fs::read_dir(&part).unwrap().next().unwrap().unwrap().path();
            let task = round.join("task-1-of-3");
            let records = fs::read_to_string(task.join("proposals.csv")).unwrap();
            let mut kept: String = records.lines().take(2).map(|l| format!("{l}\n")).collect();
            kept.push_str("7,1,0.5");
            fs::write(task.join("proposals.csv"), kept).unwrap();
            fs::remove_file(task.join("done")).unwrap();
        }
        let ran = calibration_task(&file, &split, 3, 1);
        assert!(ran.contains("ran its 8 runs"), "{ran}");
        let again = calibration_task(&file, &split, 3, 1);
        assert!(again.contains("already done"), "{again}");
        let merged = stdout(agora().arg("merge").arg(&split));
        if merged.contains("the calibration is finished") {
            break;
        }
        assert!(merged.contains("next: generation"), "{merged}");
    }
    let generations = fs::read_to_string(local.join("generations.csv")).unwrap();
    assert!(
        rounds > generations.lines().count() - 1,
        "no generation needed a second round, so rounds were not tested:\n{generations}"
    );
    same(&local, &split, &CALIBRATION_FILES);
    assert!(!split.join(".tasks").exists() && !split.join(".partial").exists());
}

#[test]
fn a_split_calibration_that_runs_out_of_proposals_stops_where_one_machine_stops() {
    // A tolerance at the 5% quantile and two rounds of proposals allowed: generation 1 cannot
    // fill, and the calibration ends on the prior's generation.
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let file = calibration_file_with(d, 12, "quantile = 0.05\nmax_proposals = 2");
    let (local, split) = (d.join("local"), d.join("split"));
    let said = stdout(agora().arg("calibrate").arg(&file).arg("--out").arg(&local));
    assert!(said.contains("generation 1: stopped"), "{said}");
    let mut merges = Vec::new();
    for _ in 0..3 {
        for task in 0..2 {
            calibration_task(&file, &split, 2, task);
        }
        let merged = stdout(agora().arg("merge").arg(&split));
        let finished = merged.contains("the calibration is finished");
        merges.push(merged);
        if finished {
            break;
        }
    }
    let last = merges.last().unwrap();
    assert!(last.contains("generation 1: stopped"), "{merges:?}");
    assert_eq!(
        merges.len(),
        3,
        "the prior, then generation 1's two rounds: {merges:?}"
    );
    same(&local, &split, &CALIBRATION_FILES);
}

/// Stops the one-node cluster however the test ends.
struct Cluster;

impl Drop for Cluster {
    fn drop(&mut self) {
        let down = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/slurm/down.sh");
        Process::new("bash").arg(down).status().ok();
    }
}

/// Starts the one-node cluster and returns its SLURM_CONF.
fn start_cluster() -> (Cluster, String) {
    let up = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/slurm/up.sh");
    let out = Process::new("bash").arg(up).output().unwrap();
    let cluster = Cluster;
    assert!(
        out.status.success(),
        "the one-node Slurm did not start (it needs root and Debian's slurm-wlm):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exports = String::from_utf8(out.stdout).unwrap();
    let conf = exports
        .lines()
        .find_map(|l| l.strip_prefix("export SLURM_CONF="))
        .expect("up.sh exports SLURM_CONF")
        .to_string();
    (cluster, conf)
}

#[test]
fn a_sweep_a_comparison_and_a_calibration_run_as_slurm_arrays_and_a_cancelled_task_is_resubmitted()
{
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    // Runs of about a second each, so that a task can be cancelled while it runs.
    let file = sweep_file(d, 200_000, 120);
    let local = d.join("local");
    agora()
        .arg("sweep")
        .arg(&file)
        .arg("--out")
        .arg(&local)
        .arg("--timeseries")
        .assert()
        .success();
    let (_cluster, conf) = start_cluster();
    let bin = assert_cmd::cargo::cargo_bin("agora");
    let script = |out: &Path| -> PathBuf {
        let text = stdout(agora().arg("slurm").arg(&file).arg("--out").arg(out).args([
            "--tasks",
            "3",
            "--max-running",
            "2",
            "--timeseries",
        ]));
        assert!(text.contains("--array=\"${ARRAY_TASKS:-0-2}%2\""), "{text}");
        assert!(text.contains("--tasks 3 --timeseries"), "{text}");
        assert!(text.contains("--dependency=afterok:"), "{text}");
        let path = out.with_extension("sh");
        fs::write(&path, text).unwrap();
        path
    };
    let submit = |script: &Path, envs: &[(&str, &str)]| {
        let out = Process::new("bash")
            .arg(script)
            .env("SLURM_CONF", &conf)
            .env("AGORA", &bin)
            .envs(envs.iter().copied())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    // The whole array, then its merge, waited for; a quote and a space in the path.
    let first = d.join("it's first");
    submit(&script(&first), &[("AGORA_WAIT", "1")]);
    same(
        &local,
        &first,
        &["runs.csv", "points.csv", "timeseries.csv"],
    );
    // A comparison as an array too.
    let cfile = compare_file(d, 20_000);
    let clocal = d.join("clocal");
    agora()
        .arg("compare")
        .arg(&cfile)
        .arg("--out")
        .arg(&clocal)
        .assert()
        .success();
    let cout = d.join("compared");
    let ctext = stdout(
        agora()
            .arg("slurm")
            .arg(&cfile)
            .arg("--out")
            .arg(&cout)
            .args(["--tasks", "4"]),
    );
    assert!(ctext.contains("\" compare \"$FILE\""), "{ctext}");
    let cscript = d.join("compared.sh");
    fs::write(&cscript, ctext).unwrap();
    submit(&cscript, &[("AGORA_WAIT", "1")]);
    same(&clocal, &cout, &["runs.csv", "compare.csv"]);
    // A calibration, an array and a merge a round, until it is finished.
    let kfile = calibration_file(d, 12);
    let klocal = d.join("klocal");
    stdout(
        agora()
            .arg("calibrate")
            .arg(&kfile)
            .arg("--out")
            .arg(&klocal),
    );
    let kout = d.join("calibrated");
    let ktext = stdout(
        agora()
            .arg("slurm")
            .arg(&kfile)
            .arg("--out")
            .arg(&kout)
            .args(["--tasks", "3", "--max-running", "2"]),
    );
    assert!(ktext.contains("\" calibrate \"$FILE\""), "{ktext}");
    assert!(
        ktext.contains("--array=\"${ARRAY_TASKS:-0-2}%2\""),
        "{ktext}"
    );
    let kscript = d.join("calibrated.sh");
    fs::write(&kscript, ktext).unwrap();
    let said = submit(&kscript, &[]);
    assert!(said.contains("calibration finished"), "{said}");
    same(&klocal, &kout, &CALIBRATION_FILES);
    // Cancel task 2 while it waits behind the two running (--max-running 2), so that it cannot
    // have finished first: the merge never starts; status names the task; run it again.
    let second = d.join("second");
    let job = script(&second);
    let submitted = submit(&job, &[]);
    let array = submitted
        .split_whitespace()
        .nth(2)
        .expect("submitted array ID and merge ID")
        .to_string();
    let squeue = |fmt: &str| -> String {
        let o = Process::new("squeue")
            .args(["-h", "-r", "-o", fmt])
            .env("SLURM_CONF", &conf)
            .output()
            .unwrap();
        String::from_utf8(o.stdout).unwrap()
    };
    let task2 = format!("{array}_2");
    let mut cancelled = false;
    for _ in 0..600 {
        if squeue("%i %T")
            .lines()
            .any(|l| l == format!("{task2} PENDING"))
        {
            Process::new("scancel")
                .arg(&task2)
                .env("SLURM_CONF", &conf)
                .status()
                .unwrap();
            cancelled = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(cancelled, "task 2 was never seen waiting");
    // Wait until nothing of ours is queued or running.
    for _ in 0..1200 {
        if squeue("%i").trim().is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!second.join("runs.csv").exists(), "merged without task 2");
    let status = stdout(agora().arg("status").arg(&second));
    assert!(
        status.contains("1 missing") && status.contains("missing: 2\n"),
        "{status}"
    );
    submit(&job, &[("ARRAY_TASKS", "2"), ("AGORA_WAIT", "1")]);
    same(
        &local,
        &second,
        &["runs.csv", "points.csv", "timeseries.csv"],
    );
}
