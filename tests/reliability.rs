//! The guarantees of `docs/RELIABILITY.md`, one test per class: a results folder has one owner
//! and holds one result set; nothing nonsensical is accepted silently; errors are short, in the
//! scenario's own words, and point at the right place; plans and progress show at once.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

mod common;
use common::cli::{agora, preset_file, write};

/// A sweep over the free chat group, `points` values of word of mouth.
fn sweep_file(dir: &Path, name: &str, points: usize, replicates: u32, size: u32) -> PathBuf {
    let values: Vec<String> = (0..points)
        .map(|i| format!("{:.3}", 0.02 + 0.01 * i as f64))
        .collect();
    write(
        dir,
        &format!("{name}.toml"),
        &format!(
            "name = \"{name}\"\nbase = \"{}\"\nreplicates = {replicates}\n\
             set = {{ \"population.size\" = {size}, days = 60 }}\n\
             [[axes]]\nkey = \"acquisition.word_of_mouth\"\nvalues = [{}]\n",
            preset_file("free-chat-group").display(),
            values.join(", ")
        ),
    )
}

/// The stderr of a failed `agora ARGS`; asserts it failed, without a panic, in one paragraph.
fn failure(args: &[&str]) -> String {
    let out = agora().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success(), "expected failure of {args:?}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

/// The error `agora check` gives for a scenario text.
fn check_error(text: &str, extra: &[&str]) -> String {
    let dir = TempDir::new().unwrap();
    let file = write(dir.path(), "bad.toml", text);
    let mut args = vec!["check", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    let e = failure(&args);
    assert_eq!(e.trim_end().lines().count(), 1, "one line: {e}");
    e
}

/// Words of serde and Rust that must never reach an operator.
const JARGON: &[&str] = &[
    "invalid type",
    "expected struct",
    "exactly 1 element",
    "serde",
    "u32",
    "u64",
    "f64",
    "sequence",
    "variant",
    "map,",
];

fn assert_plain(e: &str) {
    // Only the message: the file's path is a random temporary name, which may spell `u32`.
    let e = e.split_once(".toml").map_or(e, |(_, message)| message);
    for word in JARGON {
        assert!(!e.contains(word), "`{word}` in: {e}");
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    n.sort();
    n
}

#[test]
fn a_folder_held_by_another_writer_is_refused_at_once_naming_it() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    let held = agora::folder::ResultsFolder::acquire(
        &out,
        "agora sweep other.toml",
        agora::folder::Partial::Resumes,
    )
    .unwrap();
    let file = sweep_file(dir.path(), "s", 2, 1, 2000);
    for resume in [false, true] {
        let mut args = vec![
            "sweep",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        if resume {
            args.push("--resume");
        }
        let e = failure(&args);
        assert!(
            e.contains("being written") && e.contains("agora sweep other.toml"),
            "{e}"
        );
        assert!(
            !e.contains("interrupted"),
            "a running batch is not interrupted: {e}"
        );
    }
    drop(held);
    agora()
        .args(["sweep", file.to_str().unwrap(), "--out"])
        .arg(&out)
        .assert()
        .success();
}

#[test]
fn two_sweeps_racing_for_one_folder_one_runs_and_the_other_is_refused() {
    let dir = TempDir::new().unwrap();
    // Runs long enough (a few tenths of a second) that the two always overlap.
    let a = sweep_file(dir.path(), "a", 3, 2, 100_000);
    let b = sweep_file(dir.path(), "b", 2, 2, 100_000);
    for race in 0..20 {
        let out = dir.path().join(format!("out{race}"));
        let start = |file: &Path| {
            Process::new(assert_cmd::cargo::cargo_bin("agora"))
                .arg("sweep")
                .arg(file)
                .arg("--out")
                .arg(&out)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (pa, pb) = (start(&a), start(&b));
        let (ra, rb) = (
            pa.wait_with_output().unwrap(),
            pb.wait_with_output().unwrap(),
        );
        let ok = [ra.status.success(), rb.status.success()];
        assert_eq!(
            ok.iter().filter(|&&x| x).count(),
            1,
            "race {race}: exactly one writer runs"
        );
        let loser = if ok[0] { &rb } else { &ra };
        let e = String::from_utf8_lossy(&loser.stderr);
        assert!(e.contains("being written"), "race {race}: {e}");
        // The folder holds the winner's set, whole: 3 or 2 points of 2 replicates.
        let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
        let expected = if ok[0] { 6 } else { 4 };
        assert_eq!(runs.lines().count(), expected + 1, "race {race}");
    }
}

#[test]
fn resume_refuses_an_edited_design_and_names_what_changed() {
    let dir = TempDir::new().unwrap();
    let file = sweep_file(dir.path(), "long", 5, 3, 20_000);
    let out = dir.path().join("out");
    let partial = out.join(".partial").join("runs.csv");
    let mut child = Process::new(assert_cmd::cargo::cargo_bin("agora"))
        .arg("sweep")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while fs::read_to_string(&partial).map_or(0, |t| t.lines().count()) < 2
        && start.elapsed() < Duration::from_secs(60)
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(partial.exists(), "the sweep was killed part way");
    let e = resume_edited(&file, &out, "replicates = 3", "replicates = 1");
    assert!(
        e.contains("`replicates` was 3 and is now 1"),
        "names what changed: {e}"
    );
}

#[test]
fn a_folder_holds_exactly_the_files_of_the_last_command() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    let file = sweep_file(dir.path(), "s", 2, 2, 2000);
    agora()
        .args(["sweep", file.to_str().unwrap(), "--timeseries", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(
        names(&out),
        [".agora", "points.csv", "runs.csv", "timeseries.csv"]
    );
    agora()
        .arg("run")
        .arg(preset_file("bass-diffusion"))
        .args([
            "--days",
            "5",
            "--replicates",
            "1",
            "--set",
            "population.size=1000",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(
        names(&out),
        [
            ".agora",
            "cohorts.csv",
            "funnel.csv",
            "groups.csv",
            "newcomers.csv",
            "poster_cohorts.csv",
            "posters.csv",
            "scenario.toml",
            "segments.csv",
            "summary.csv",
            "timeseries.csv",
            "weekly.csv"
        ],
        "no stale points.csv or runs.csv"
    );
    // Nothing is left beside the folder either.
    assert_eq!(names(dir.path()), ["out", "s.toml"]);
}

#[test]
fn folders_agora_did_not_write_are_never_written_into() {
    let dir = TempDir::new().unwrap();
    let mine = dir.path().join("mine");
    fs::create_dir(&mine).unwrap();
    write(&mine, "thesis.docx", "years of work");
    let e = failure(&[
        "run",
        preset_file("bass-diffusion").to_str().unwrap(),
        "--out",
        mine.to_str().unwrap(),
    ]);
    assert!(
        e.contains("did not write") && e.contains("thesis.docx"),
        "{e}"
    );
    assert_eq!(names(&mine), ["thesis.docx"]);
    // A folder named like one of agora's files is the user's, not agora's.
    let named = dir.path().join("named");
    let inside = named.join("summary.csv");
    fs::create_dir_all(&inside).unwrap();
    write(&inside, "keep.txt", "mine");
    let e = failure(&[
        "run",
        preset_file("bass-diffusion").to_str().unwrap(),
        "--out",
        named.to_str().unwrap(),
    ]);
    assert!(e.contains("summary.csv/"), "{e}");
    assert_eq!(names(&inside), ["keep.txt"]);
}

#[test]
fn tables_written_as_lists_and_lists_as_tables_are_refused() {
    for (text, key) in [
        (
            "name = \"x\"\n[community]\noffer = [0.3]\n",
            "community.offer",
        ),
        (
            "name = \"x\"\n[population]\nnetwork = [\"small-world\"]\n",
            "population.network",
        ),
        (
            "name = \"x\"\n[community]\nhealth = [10, 5.0]\n",
            "community.health",
        ),
    ] {
        let e = check_error(text, &[]);
        assert!(
            e.contains(key) && e.contains("is a table, not a list"),
            "{e}"
        );
        assert_plain(&e);
    }
    let e = check_error("name = \"x\"\n[events]\nkind = \"topic\"\n", &[]);
    assert!(e.contains("line 2") && e.contains("[[events]]"), "{e}");
}

#[test]
fn no_input_can_make_an_output_infinite_or_wrap_a_day() {
    for (text, key) in [
        (
            "name = \"x\"\n[community]\nseed_commitment = 4e38\n",
            "community.seed_commitment",
        ),
        (
            "name = \"x\"\n[[population.segments]]\nad_aversion = 1e308\n",
            "population.segments.0.ad_aversion",
        ),
        (
            "name = \"x\"\n[acquisition]\ncost_per_exposure = 1e308\n",
            "acquisition.cost_per_exposure",
        ),
        (
            "name = \"x\"\n[behavior]\nvisit_base = nan\n",
            "behavior.visit_base",
        ),
        (
            "name = \"x\"\n[behavior]\ngrace_days = 4294967295\n",
            "behavior.grace_days",
        ),
        (
            "name = \"x\"\n[entry]\nperiod_days = 4294967295\n",
            "entry.period_days",
        ),
        (
            "name = \"x\"\n[rules]\nkick_after = 255\n",
            "rules.kick_after",
        ),
    ] {
        let e = check_error(text, &[]);
        assert!(e.contains(key) && e.contains("expected"), "{e}");
        assert_plain(&e);
    }
    // An undefined metric is an empty cell, never NaN: ROI without cost, retention without a
    // cohort.
    let dir = TempDir::new().unwrap();
    agora()
        .arg("run")
        .arg(preset_file("bass-diffusion"))
        .args([
            "--days",
            "10",
            "--replicates",
            "1",
            "--set",
            "population.size=1000",
            "--out",
        ])
        .arg(dir.path().join("o"))
        .assert()
        .success();
    let summary = fs::read_to_string(dir.path().join("o/summary.csv")).unwrap();
    assert!(
        !summary.contains("NaN") && !summary.contains("inf"),
        "{summary}"
    );
    assert!(
        summary.lines().nth(1).unwrap().ends_with(','),
        "empty ROI: {summary}"
    );
}

#[test]
fn seeds_and_replicates_are_the_batch_files_own() {
    let dir = TempDir::new().unwrap();
    let base = preset_file("free-chat-group");
    let base = base.to_str().unwrap();
    let cases = [
        (
            "sweep",
            format!("name = \"x\"\nbase = \"{base}\"\n[[axes]]\nkey = \"seed\"\nvalues = [1, 2]\n"),
            "axes.0.key",
        ),
        (
            "sweep",
            format!(
                "name = \"x\"\nbase = \"{base}\"\nset = {{ replicates = 5 }}\n[[axes]]\n\
                 key = \"entry.fee\"\nvalues = [1.0]\n"
            ),
            "set.replicates",
        ),
        (
            "compare",
            format!(
                "name = \"x\"\nbase = \"{base}\"\n[[policies]]\nname = \"a\"\n\
                 set = {{ seed = 3 }}\n"
            ),
            "policies.0.set.seed",
        ),
    ];
    for (command, text, key) in cases {
        let file = write(dir.path(), "b.toml", &text);
        let e = failure(&[command, file.to_str().unwrap(), "--out", "/nonexistent/x"]);
        assert!(e.contains(key) && e.contains("cannot vary"), "{e}");
    }
}

#[test]
fn repeated_axes_values_segments_and_empty_names_are_refused() {
    let dir = TempDir::new().unwrap();
    let base = preset_file("free-chat-group");
    let base = base.to_str().unwrap();
    let cases = [
        (
            "sweep",
            format!(
                "name = \"x\"\nbase = \"{base}\"\n[[axes]]\nkey = \"entry.fee\"\nvalues = [1.0]\n\
                 [[axes]]\nkey = \"entry.fee\"\nvalues = [2.0]\n"
            ),
            "overlaps axis 0",
        ),
        (
            "sweep",
            format!(
                "name = \"x\"\nbase = \"{base}\"\n[[axes]]\nkey = \"rules.moderators_per_group\"\n\
                 range = {{ start = 0, stop = 2, steps = 5 }}\n"
            ),
            "comes twice",
        ),
        (
            "sweep",
            format!(
                "name = \"x\"\nbase = \"{base}\"\n[[axes]]\nkey = \"entry.fee\"\n\
                 values = [1.0, 2.0, 1.0]\n"
            ),
            "listed twice",
        ),
        (
            "compare",
            format!("name = \"x\"\nbase = \"{base}\"\n[[policies]]\nname = \"\"\n"),
            "non-empty name",
        ),
    ];
    for (command, text, expected) in cases {
        let file = write(dir.path(), "b.toml", &text);
        let e = failure(&[command, file.to_str().unwrap(), "--out", "/nonexistent/x"]);
        assert!(e.contains(expected), "{expected}: {e}");
    }
    let e = check_error(
        "name = \"x\"\n[[population.segments]]\nname = \"a\"\nshare = 0.5\n\
         [[population.segments]]\nname = \"a\"\nshare = 0.5\n",
        &[],
    );
    assert!(
        e.contains("population.segments.1.name") && e.contains("both named"),
        "{e}"
    );
}

#[test]
fn levers_that_cannot_act_get_a_warning_and_the_run_goes() {
    let cases = [
        (
            "days = 30\n[[events]]\nstart_day = 40\n",
            "events.0.start_day",
        ),
        (
            "days = 30\n[incentives]\nred_envelope = { start_day = 31 }\n",
            "red_envelope.start_day",
        ),
        ("[entry]\nfee = 49.0\n", "entry.fee"),
        (
            // 30 days of at most 100 messages a day: 5,000 posts are out of reach.
            "days = 30\n[incentives]\nbadges = { levels = [5, 5000] }\n",
            "badges.levels",
        ),
        (
            "[population]\nsize = 100\n[community]\nhealth = { members = 500 }\n",
            "health",
        ),
        ("[team]\nburnout_after = 600\n", "team.burnout_after"),
        (
            "[team]\nanswers_per_day = 5\nminutes_per_day = 60\novertime_minutes = 3\n\
             burnout_after = 30\n",
            "team.overtime_minutes",
        ),
        (
            "[team]\nanswers_per_day = 5\nminutes_per_day = 60\novertime_minutes = 30\n\
             burnout_after = 630\n",
            "team.burnout_after",
        ),
        (
            "days = 30\n[acquisition]\nopen_day = 31\n",
            "acquisition.open_day",
        ),
        (
            "[acquisition]\nopening_reach = 0.2\n",
            "acquisition.opening_reach",
        ),
        (
            "[behavior]\nlapse_rate = 0.0\nepisode_rate = 0.02\n",
            "behavior.episode_rate",
        ),
        (
            "[behavior]\nlapse_rate = 0.0\nlapse_commitment = 5.0\n",
            "behavior.lapse_commitment",
        ),
        (
            "[behavior]\npromotion_mute = 0.5\n",
            "behavior.promotion_mute",
        ),
        (
            "[population]\nnetwork = { kind = \"erdos-renyi\", degree = 10 }\n[community]\n\
             seed_members = 1\nfounders = \"owner-ties\"\n",
            "community.founders",
        ),
        (
            "[population]\nnetwork = { kind = \"erdos-renyi\", degree = 0 }\n[community]\n\
             seed_members = 5\nfounders = \"owner-ties\"\n",
            "community.founders",
        ),
    ];
    let dir = TempDir::new().unwrap();
    for (body, key) in cases {
        let file = write(dir.path(), "w.toml", &format!("name = \"w\"\n{body}"));
        let out = agora().arg("check").arg(&file).output().unwrap();
        assert!(out.status.success(), "{body}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("warning:") && stderr.contains(key) && stderr.contains("w.toml, line"),
            "{key}: {stderr}"
        );
    }
    // A comparison whose objective is undefined for every policy ranks none, and says so.
    let file = write(
        dir.path(),
        "c.toml",
        &format!(
            "name = \"c\"\nbase = \"{}\"\nreplicates = 2\nobjective = \"roi\"\n\
             set = {{ \"population.size\" = 1000, days = 20 }}\n\
             [[policies]]\nname = \"a\"\n[[policies]]\nname = \"b\"\n\
             set = {{ \"acquisition.word_of_mouth\" = 0.2 }}\n",
            preset_file("free-chat-group").display()
        ),
    );
    let out = agora()
        .arg("compare")
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("c"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("undefined for every policy"), "{stderr}");
    let csv = fs::read_to_string(dir.path().join("c/compare.csv")).unwrap();
    assert!(
        csv.lines().skip(1).all(|l| l.split(',').nth(1) == Some("")),
        "{csv}"
    );
    // A comparison cannot rank by a word: it is refused, pointing at the number to use.
    let words = write(
        dir.path(),
        "h.toml",
        &fs::read_to_string(&file)
            .unwrap()
            .replace("objective = \"roi\"", "objective = \"health\""),
    );
    let out = agora().arg("compare").arg(&words).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("h.toml") && stderr.contains("objective") && stderr.contains("`alive`"),
        "{stderr}"
    );
}

#[test]
fn set_inside_an_unwritten_table_keeps_the_tables_other_defaults() {
    let dir = TempDir::new().unwrap();
    let file = write(dir.path(), "x.toml", "name = \"x\"\n");
    let out = agora()
        .arg("check")
        .arg(&file)
        .args(["--set", "community.offer.learning=0.9"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let offer = text.split("[community.offer]").nth(1).unwrap();
    assert!(
        offer.contains("learning = 0.9") && offer.contains("service = 0.3"),
        "{text}"
    );
    // join_threshold = { sd = 0.1 } keeps the default mean.
    let file = write(
        dir.path(),
        "y.toml",
        "name = \"y\"\n[[population.segments]]\njoin_threshold = { sd = 0.1 }\n",
    );
    let out = agora().arg("check").arg(&file).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("mean = 0.15"), "{text}");
}

#[test]
fn errors_point_at_the_right_place_in_plain_words() {
    // A --set mistake names --set.
    let e = check_error("name = \"x\"\n", &["--set", "population.size=0"]);
    assert!(e.contains("--set population.size"), "{e}");
    // A sweep file's unknown key is matched against the sweep file's keys.
    let dir = TempDir::new().unwrap();
    let base = preset_file("free-chat-group");
    let file = write(
        dir.path(),
        "s.toml",
        &format!(
            "name = \"s\"\nbase = \"{}\"\nreplicate = 3\n[[axes]]\nkey = \"entry.fee\"\n\
             values = [1.0]\n",
            base.display()
        ),
    );
    let e = failure(&["sweep", file.to_str().unwrap()]);
    assert!(
        e.contains("did you mean `replicates`") && e.contains("sweep file"),
        "{e}"
    );
    // A grid too large blames the axes, not `samples`.
    let many: Vec<String> = (0..1001).map(|i| format!("{i}.0")).collect();
    let file = write(
        dir.path(),
        "g.toml",
        &format!(
            "name = \"g\"\nbase = \"{}\"\n[[axes]]\nkey = \"entry.fee\"\nvalues = [{m}]\n\
             [[axes]]\nkey = \"behavior.post_base\"\nvalues = [{m}]\n",
            base.display(),
            m = many.join(", ")
        ),
    );
    let e = failure(&["sweep", file.to_str().unwrap()]);
    assert!(e.contains("`axes`") && !e.contains("samples"), "{e}");
    // A shares error caused by an axis names the axis and the point.
    let file = write(
        dir.path(),
        "sh.toml",
        &format!(
            "name = \"sh\"\nbase = \"{}\"\n[[axes]]\nkey = \"population.segments.0.share\"\n\
             values = [0.88, 0.5]\n",
            base.display()
        ),
    );
    let e = failure(&["sweep", file.to_str().unwrap()]);
    assert!(e.contains("axes.0.key") && e.contains("point 1"), "{e}");
    // Suggestions never show a placeholder and come from the right table.
    let e = check_error("name = \"x\"\n[rules]\nfee = 3\n", &[]);
    assert!(e.contains("did you mean `entry.fee`"), "{e}");
    let e = check_error("name = \"x\"\n[[population.segments]]\nshar = 1.0\n", &[]);
    assert!(
        e.contains("`population.segments.0.share`") && !e.contains(".N."),
        "{e}"
    );
    assert_plain(&e);
}

#[test]
fn messages_are_short_and_name_the_real_line() {
    let long_key = "k".repeat(1_000_000);
    let e = check_error(&format!("name = \"x\"\n{long_key} = 1\n"), &[]);
    assert!(e.len() < 400, "{} characters", e.len());
    let deep = vec!["a"; 5000].join(".");
    let e = check_error(&format!("name = \"x\"\n{deep} = 1\n"), &[]);
    assert!(
        e.contains("line 2") && e.contains("nests too deeply"),
        "{e}"
    );
    let e = check_error("name = \"x\"\ndays =\n", &[]);
    assert!(e.contains("line 2") && e.contains("missing"), "{e}");
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("latin1.toml");
    fs::write(&file, b"name = \"x\"\n# caf\xe9\ndays = 3\n").unwrap();
    let e = failure(&["check", file.to_str().unwrap()]);
    assert!(e.contains("line 2") && e.contains("UTF-8"), "{e}");
    let e = check_error("name = \"a\\nb\"\n", &[]);
    assert!(e.contains("one line"), "{e}");
}

#[test]
fn init_refuses_names_that_would_make_a_bad_or_hidden_file() {
    let dir = TempDir::new().unwrap();
    for name in [".", "..", ".hidden", "a/b", "two\nlines"] {
        let out = agora()
            .current_dir(dir.path())
            .args(["init", name])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{name:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be a scenario name"));
    }
    assert!(names(dir.path()).is_empty());
}

#[test]
fn plans_show_at_once_and_threads_beyond_the_cores_are_capped() {
    let dir = TempDir::new().unwrap();
    let file = sweep_file(dir.path(), "p", 2, 1, 1000);
    let out = agora()
        .args([
            "sweep",
            file.to_str().unwrap(),
            "--threads",
            "1000",
            "--out",
        ])
        .arg(dir.path().join("o"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("2 points x 1 replicates") && stdout.contains("plan:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("peak memory about") && stdout.contains("agent-days"),
        "{stdout}"
    );
    assert!(stderr.contains("--threads 1000 is more than"), "{stderr}");
}

#[test]
fn red_team_findings_stay_fixed() {
    let dir = TempDir::new().unwrap();
    let t1 = write(
        dir.path(),
        "t1.toml",
        "name = \"t1\"\ndays = 20\n[population]\nsize = 1500\n",
    );
    let t1s = t1.to_str().unwrap();
    // Axes that overlap, where one would overwrite the other, are refused.
    let sz = write(
        dir.path(),
        "sz.toml",
        &format!(
            "name = \"sx\"\nbase = \"{t1s}\"\n[[axes]]\nkey = \"acquisition\"\n\
             values = [{{ad_reach = 0.001}}, {{ad_reach = 0.002}}]\n\
             [[axes]]\nkey = \"acquisition.ad_reach\"\nvalues = [0.1, 0.2]\n"
        ),
    );
    let e = failure(&["sweep", sz.to_str().unwrap()]);
    assert!(e.contains("overlaps axis 0"), "{e}");
    // Two points that are the same scenario are refused.
    let twice = write(
        dir.path(),
        "tw.toml",
        &format!(
            "name = \"tw\"\nbase = \"{t1s}\"\n[[axes]]\nkey = \"acquisition\"\n\
             values = [{{ad_reach = 0.1}}, {{ad_reach = 0.1, word_of_mouth = 0.05}}]\n"
        ),
    );
    let e = failure(&["sweep", twice.to_str().unwrap(), "--out", "/nonexistent/tw"]);
    assert!(e.contains("same scenario"), "{e}");
    // `agora run` does not throw away an interrupted batch.
    let out = dir.path().join("bg");
    fs::create_dir_all(out.join(".partial")).unwrap();
    fs::write(out.join(".partial/runs.csv"), "").unwrap();
    let e = failure(&["run", t1s, "--out", out.to_str().unwrap()]);
    assert!(e.contains("interrupted"), "{e}");
    assert!(out.join(".partial").exists());
    // A sweep refused for memory leaves nothing behind.
    let sweep = sweep_file(dir.path(), "mem", 2, 1, 2000);
    let res = dir.path().join("res");
    let e = failure(&[
        "sweep",
        sweep.to_str().unwrap(),
        "--out",
        res.to_str().unwrap(),
        "--max-memory",
        "1KB",
    ]);
    assert!(e.contains("only 1 KiB are available"), "{e}");
    assert!(!res.exists(), "nothing left in {}", res.display());
    assert!(
        !names(dir.path())
            .iter()
            .any(|n| n.contains("agora-staging")),
        "{:?}",
        names(dir.path())
    );
    // Files a user added to a results folder are never deleted.
    let o2 = dir.path().join("o2");
    agora()
        .args(["run", t1s, "--out"])
        .arg(&o2)
        .assert()
        .success();
    fs::write(o2.join("notes.txt"), "mine").unwrap();
    let e = failure(&["run", t1s, "--out", o2.to_str().unwrap()]);
    assert!(e.contains("notes.txt"), "{e}");
    assert!(o2.join("notes.txt").exists());
    // A scenario file given to `sweep`, and a sweep file given to `run`, say so.
    let e = failure(&["run", sz.to_str().unwrap()]);
    assert!(e.contains("agora sweep"), "{e}");
    // compare.csv holds no NaN when a metric is undefined.
    let c = write(
        dir.path(),
        "c.toml",
        &format!(
            "name = \"c\"\nbase = \"{t1s}\"\nreplicates = 2\nobjective = \"retention_30d\"\n\
             [[policies]]\nname = \"a\"\n[[policies]]\nname = \"b\"\n\
             set = {{ \"acquisition.ad_reach\" = 0.01 }}\n"
        ),
    );
    agora()
        .args(["compare", c.to_str().unwrap(), "--out"])
        .arg(dir.path().join("cp"))
        .assert()
        .success();
    let csv = fs::read_to_string(dir.path().join("cp/compare.csv")).unwrap();
    assert!(!csv.contains("NaN"), "{csv}");
}

#[test]
fn batch_files_that_would_run_nothing_useful_are_refused() {
    // A second red-team pass: each of these ran (or panicked) before.
    let dir = TempDir::new().unwrap();
    let base = preset_file("free-chat-group");
    let head = format!("name = \"x\"\nbase = \"{}\"\n", base.display());
    let axis = |rest: &str| format!("{head}[[axes]]\nkey = \"entry.fee\"\n{rest}\n");
    let cases = [
        ("compare", head.clone(), "write a [[policies]] section"),
        ("sweep", head.clone(), "write a [[axes]] section"),
        (
            "sweep",
            format!("{head}[[axes]]\nkey = \"name\"\nvalues = [\"a\", \"b\"]\n"),
            "only names the results folder",
        ),
        (
            "sweep",
            axis("values = [1.0]").replace("[[axes]]", "design = \"latin-hypercube\"\n[[axes]]"),
            "one value would give the same value at every point",
        ),
        (
            "sweep",
            axis("values = [1.0, 2.0]")
                .replace("[[axes]]", "set = { \"entry.fee\" = 5.0 }\n[[axes]]"),
            "also fixed by `set`",
        ),
        (
            "sweep",
            axis("range = { start = 1.0, stop = 1.0, steps = 3 }"),
            "starts and stops at 1",
        ),
    ];
    for (command, text, expected) in cases {
        let file = write(dir.path(), "b.toml", &text);
        let e = failure(&[command, file.to_str().unwrap(), "--out", "/nonexistent/x"]);
        assert!(e.contains(expected), "{expected}: {e}");
        assert_eq!(e.trim_end().lines().count(), 1, "one line: {e}");
    }
    // A batch file given to the wrong command says which it is.
    let cal = write(
        dir.path(),
        "cal.toml",
        &format!(
            "{head}[observed]\ntargets = {{ final_members = {{ value = 10, sd = 2 }} }}\n\
             [[parameters]]\nkey = \"entry.fee\"\nprior = {{ uniform = [0.0, 9.0] }}\n"
        ),
    );
    let sw = write(dir.path(), "sw.toml", &axis("values = [1.0, 2.0]"));
    for (command, file, expected) in [
        ("run", &cal, "this is a calibration file, not a scenario"),
        (
            "compare",
            &sw,
            "this is a sweep file, not a comparison file: run it with `agora sweep",
        ),
        (
            "sweep",
            &cal,
            "this is a calibration file, not a sweep file",
        ),
    ] {
        let e = failure(&[command, file.to_str().unwrap(), "--out", "/nonexistent/x"]);
        assert!(e.contains(expected), "{command}: {e}");
    }
    let e = failure(&[
        "slurm",
        sw.to_str().unwrap(),
        "--out",
        cal.to_str().unwrap(),
    ]);
    assert!(
        e.contains("cal.toml is a file: --out names the folder"),
        "{e}"
    );
    // A split into more tasks than runs would leave tasks with nothing to do.
    let sweep = write(dir.path(), "s.toml", &axis("values = [1.0, 2.0]"));
    let out = dir.path().join("s");
    let e = failure(&[
        "sweep",
        sweep.to_str().unwrap(),
        "--tasks",
        "18446744073709551615",
        "--task",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(e.contains("is more than the 2 runs of the sweep"), "{e}");
    assert!(!out.exists(), "nothing written");
    // A comparison folder with no rows gets an error from the report, not a crash.
    let empty = dir.path().join("empty");
    fs::create_dir_all(&empty).unwrap();
    fs::write(empty.join("compare.csv"), "policy,final_members_mean\n").unwrap();
    let e = failure(&["report", empty.to_str().unwrap()]);
    assert!(e.contains("no policy rows"), "{e}");
    // --until-separated stops at once when no two policies can be ranked.
    let tiny = write(
        dir.path(),
        "tiny.toml",
        "name = \"tiny\"\ndays = 10\n[population]\nsize = 200\n\
         network = { kind = \"small-world\", degree = 4, rewire = 0.1 }\n\
         [community]\nseed_members = 5\n",
    );
    let c = write(
        dir.path(),
        "roi.toml",
        &format!(
            "name = \"roi\"\nbase = \"{}\"\nreplicates = 2\nobjective = \"roi\"\n\
             [[policies]]\nname = \"a\"\n[[policies]]\nname = \"b\"\n\
             set = {{ \"acquisition.word_of_mouth\" = 0.2 }}\n",
            tiny.display()
        ),
    );
    let out = dir.path().join("roi");
    let o = agora()
        .args(["compare", c.to_str().unwrap(), "--until-separated", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success());
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        said.contains("after 2 replicates") && said.contains("nothing to separate"),
        "{said}"
    );
    let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 2 * 2, "{runs}");
    // TOML's own complaints, said in the file's terms.
    for (text, expected) in [
        (
            "name = \"x\"\ndays = 5\ndays = 6\n",
            "line 3: `days` is written twice",
        ),
        (
            "name = \"x\"\n[rules]\n[rules]\n",
            "the table [rules] is written twice",
        ),
        (
            "name = \"x\"\ndays = 99999999999999999999\n",
            "this number is too large",
        ),
    ] {
        let e = check_error(text, &[]);
        assert!(e.contains(expected), "{expected}: {e}");
    }
    // System error numbers are left out.
    let e = failure(&["run", dir.path().join("nowhere.toml").to_str().unwrap()]);
    assert!(e.contains("No such file") && !e.contains("os error"), "{e}");
}

#[test]
fn a_reader_that_goes_away_neither_stops_the_run_nor_panics_it() {
    // `agora run … | head -1`: the reader closes the pipe before agora has said everything.
    // The lines are dropped, the run goes on to write its results, and it ends well.
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    let mut child = Process::new(env!("CARGO_BIN_EXE_agora"))
        .arg("run")
        .arg(preset_file("free-chat-group"))
        .args([
            "--replicates",
            "3",
            "--set",
            "population.size=2000",
            "--out",
        ])
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let done = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(done.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let summary = fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 4, "a header and three replicates");
}

#[test]
fn resuming_a_finished_batch_is_refused_and_its_results_stay() {
    // `--resume` on a folder whose batch finished has nothing to finish: it must neither rerun
    // the batch nor let an edited file replace the results.
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    let file = sweep_file(dir.path(), "s", 2, 2, 1000);
    agora()
        .args(["sweep", file.to_str().unwrap(), "--out"])
        .arg(&out)
        .assert()
        .success();
    let before = fs::read(out.join("runs.csv")).unwrap();
    let e = resume_edited(&file, &out, "replicates = 2", "replicates = 1");
    assert!(e.contains("nothing to resume"), "{e}");
    assert_eq!(fs::read(out.join("runs.csv")).unwrap(), before);
}

#[test]
fn a_file_too_large_to_be_a_scenario_is_refused_before_it_is_read_whole() {
    // A 9 MiB file of comments, and a device that never ends: neither is read to its end.
    let dir = TempDir::new().unwrap();
    let big = dir.path().join("big.toml");
    fs::write(&big, "# a comment line\n".repeat(9 << 16)).unwrap();
    for path in [big.to_str().unwrap(), "/dev/zero"] {
        if !Path::new(path).exists() {
            continue;
        }
        let e = failure(&["check", path]);
        assert!(e.contains("over 8 MiB") && e.contains(path), "{e}");
    }
}

/// Edits the sweep `file` (`from` becomes `to`) and runs it again into `out` with `--resume`,
/// which must fail: its error.
fn resume_edited(file: &Path, out: &Path, from: &str, to: &str) -> String {
    let edited = fs::read_to_string(file).unwrap().replace(from, to);
    fs::write(file, edited).unwrap();
    failure(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--resume",
    ])
}

#[test]
fn a_run_whose_daily_series_outgrow_the_memory_allowed_is_refused_before_it_starts() {
    // Issue 31: 10 agents over 36,500 days. Each replicate's daily series is kept until the
    // files are written (about 18 MB a replicate), so 40 replicates need far more than a
    // replicate's agents: the plan counts them, and --max-memory refuses before any work.
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("long");
    let file = preset_file("free-chat-group");
    let long = |replicates: &str, memory: &str| -> Vec<String> {
        [
            "run",
            file.to_str().unwrap(),
            "--set",
            "population.size=10",
            "--set",
            "population.network.degree=4",
            "--days",
            "36500",
            "--replicates",
            replicates,
            "--max-memory",
            memory,
            "--out",
            out.to_str().unwrap(),
        ]
        .map(String::from)
        .to_vec()
    };
    let args = long("40", "160MiB");
    let e = failure(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        e.contains("40 replicate(s) of 36500 days") && e.contains("--max-memory"),
        "{e}"
    );
    let errors = e.lines().filter(|l| l.starts_with("error")).count();
    assert_eq!(errors, 1, "one error line: {e}");
    assert!(!out.exists(), "nothing written: {}", out.display());
    // Two replicates fit, and the plan says what they keep and what they write.
    let args = long("2", "160MiB");
    let ran = agora().args(&args).output().unwrap();
    let said = String::from_utf8_lossy(&ran.stdout);
    assert!(
        ran.status.success(),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    let plan = said.lines().find(|l| l.starts_with("plan:")).unwrap();
    assert!(plan.contains("files about"), "{plan}");
    let written: u64 = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    // The plan's size of the files, within a factor of two of what was written.
    let planned = plan.split("files about ").nth(1).unwrap().trim();
    let mib: f64 = planned.trim_end_matches(" MiB").parse().unwrap_or(0.0);
    let got = written as f64 / (1u64 << 20) as f64;
    assert!(
        mib > 0.0 && got / mib < 2.0 && mib / got < 2.0,
        "{planned} against {got:.1} MiB"
    );
}

#[test]
fn identical_policies_are_refused_and_a_lone_policy_is_warned_of() {
    // Issue 31: two policies that are the same scenario were ranked 1 and 2 on chance alone, and
    // a comparison of one policy ranked it first with nothing said.
    let dir = TempDir::new().unwrap();
    let base = preset_file("free-chat-group");
    let file = |policies: &str| {
        write(
            dir.path(),
            "c.toml",
            &format!(
                "name = \"c\"\nbase = \"{}\"\nreplicates = 2\n\
                 set = {{ \"population.size\" = 1000, days = 20 }}\n{policies}",
                base.display()
            ),
        )
    };
    // The same value written twice, once as the base's own value: still the same scenario.
    let same = file(
        "[[policies]]\nname = \"a\"\nset = { \"acquisition.word_of_mouth\" = 0.2 }\n\
         [[policies]]\nname = \"b\"\nset = { \"acquisition.word_of_mouth\" = 0.20 }\n",
    );
    let out = agora()
        .args(["compare", same.to_str().unwrap(), "--out"])
        .arg(dir.path().join("same"))
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("`b` is the same scenario as policy `a`"), "{e}");
    let lone = file("[[policies]]\nname = \"a\"\n");
    let out = agora()
        .args(["compare", lone.to_str().unwrap(), "--out"])
        .arg(dir.path().join("lone"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("one policy, nothing to compare"),
        "{stderr}"
    );
}

#[test]
fn an_event_field_its_kind_does_not_read_is_refused_naming_the_field() {
    // Issue 31: a stray `[[events]]` line turned a meetup's seats and cost into a weekly topic
    // night's, and fields no kind of the event reads were accepted in silence.
    let e = check_error(
        "name = \"ev\"\ndays = 60\n[[events]]\nkind = \"offline\"\n[[events]]\ncost = 300\n\
         capacity = 20\n",
        &[],
    );
    assert!(
        e.contains("line 7") && e.contains("events.1.capacity") && e.contains("no `kind` written"),
        "{e}"
    );
    let e = check_error(
        "name = \"ev\"\ndays = 60\n[[events]]\nkind = \"topic\"\nvalue = 0.9\n",
        &[],
    );
    assert!(
        e.contains("events.0.value") && e.contains("`guest` and `offline` events only"),
        "{e}"
    );
    let e = check_error(
        "name = \"ev\"\ndays = 60\n[[events]]\n[[events]]\nkind = \"guest\"\n",
        &[],
    );
    assert!(
        e.contains("events.0") && e.contains("nothing written"),
        "{e}"
    );
    assert_plain(&e);
    // Written for the kind that reads it, every field is accepted.
    let dir = TempDir::new().unwrap();
    let fine = write(
        dir.path(),
        "fine.toml",
        "name = \"ev\"\ndays = 60\n[[events]]\nkind = \"offline\"\ncapacity = 20\nvalue = 0.4\n\
         persistence_days = 10\ncost = 300\n[[events]]\nkind = \"promotion\"\nconversion = 0.05\n",
    );
    agora()
        .args(["check", fine.to_str().unwrap()])
        .assert()
        .success();
}

#[test]
fn a_flag_out_of_range_is_named_as_the_flag() {
    // Issue 31: `--days 0` and `--replicates 0` were blamed on `--set`.
    let file = preset_file("free-chat-group");
    for (flag, name) in [("--days", "'--days"), ("--replicates", "'--replicates")] {
        let e = failure(&[
            "run",
            file.to_str().unwrap(),
            flag,
            "0",
            "--out",
            "/nonexistent/x",
        ]);
        assert!(e.contains(name) && !e.contains("--set"), "{e}");
    }
}

#[test]
fn an_unknown_table_is_named_by_the_key_written_in_it() {
    // Issue 31: `--set foo.bar=1` named `foo`, not what was written.
    let file = preset_file("free-chat-group");
    let e = failure(&[
        "run",
        file.to_str().unwrap(),
        "--set",
        "foo.bar=1",
        "--out",
        "/x/y",
    ]);
    assert!(
        e.contains("--set foo.bar, key `foo.bar`") && e.contains("there is no `foo`"),
        "{e}"
    );
    let e = check_error("name = \"x\"\n[comunity]\nseed_members = 1\n", &[]);
    assert!(
        e.contains("line 3") && e.contains("comunity.seed_members") && e.contains("`community`"),
        "{e}"
    );
}
