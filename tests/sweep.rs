//! `agora sweep` and `agora compare` as a user drives them: aggregation checked against values
//! computed here, common random numbers, resume after kill -9, designs, seeds, and bad files.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tempfile::TempDir;

mod common;
use common::cli::{agora, col, presets, table, write};

fn num(s: &str) -> f64 {
    s.parse().unwrap()
}

/// A small sweep over the free chat group, written in `dir`.
fn small_sweep(dir: &Path, name: &str, fees: &str, replicates: u32) -> PathBuf {
    let base = presets().join("paid-knowledge-community.toml");
    write(
        dir,
        &format!("{name}.toml"),
        &format!(
            r#"name = "{name}"
base = "{}"
replicates = {replicates}
set = {{ "population.size" = 3000, days = 60 }}
[[axes]]
key = "entry.fee"
values = {fees}
[[axes]]
key = "rules.moderators_per_group"
range = {{ start = 0, stop = 2, steps = 2 }}
"#,
            base.display()
        ),
    )
}

/// Student's t 97.5% quantiles from a printed table, by degrees of freedom.
fn t975(df: usize) -> f64 {
    match df {
        4 => 2.776_445,
        5 => 2.570_582,
        9 => 2.262_157,
        _ => panic!("no table value for df {df}"),
    }
}

#[test]
fn points_csv_holds_the_mean_sd_and_t_interval_of_runs_csv() {
    let dir = TempDir::new().unwrap();
    let file = small_sweep(dir.path(), "agg", "[0.0, 49.0]", 5);
    let out = dir.path().join("out");
    agora()
        .arg("sweep")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let (rh, runs) = table(&out.join("runs.csv"));
    let (ph, points) = table(&out.join("points.csv"));
    assert_eq!(points.len(), 4, "grid: 2 fees x 2 moderator counts");
    assert_eq!(runs.len(), 20);
    for metric in [
        "final_members",
        "retention_30d",
        "post_gini",
        "total_revenue",
    ] {
        for point in &points {
            let p = &point[col(&ph, "point")];
            let xs: Vec<f64> = runs
                .iter()
                .filter(|r| &r[col(&rh, "point")] == p)
                .map(|r| num(&r[col(&rh, metric)]))
                .filter(|x| x.is_finite())
                .collect();
            let n = xs.len() as f64;
            let mean = xs.iter().sum::<f64>() / n;
            let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            let half = t975(xs.len() - 1) * sd / n.sqrt();
            let got = |c: &str| num(&point[col(&ph, &format!("{metric}_{c}"))]);
            let close = |a: f64, b: f64| {
                (a - b).abs() <= 1e-9 * (1.0 + b.abs()) || (a.is_nan() && b.is_nan())
            };
            assert!(
                close(got("mean"), mean),
                "{metric} point {p}: mean {} vs {mean}",
                got("mean")
            );
            assert!(close(got("sd"), sd), "{metric} point {p}: sd");
            assert!(
                (got("ci_low") - (mean - half)).abs() <= 1e-5 * (1.0 + mean.abs()),
                "{metric} ci_low"
            );
            assert!(
                (got("ci_high") - (mean + half)).abs() <= 1e-5 * (1.0 + mean.abs()),
                "{metric} ci_high"
            );
        }
    }
    // Every axis value appears in its own column, named by its key.
    assert!(
        rh.contains(&"entry.fee".to_string())
            && rh.contains(&"rules.moderators_per_group".to_string())
    );
    let combos: std::collections::BTreeSet<(String, String)> = points
        .iter()
        .map(|p| {
            (
                p[col(&ph, "entry.fee")].clone(),
                p[col(&ph, "rules.moderators_per_group")].clone(),
            )
        })
        .collect();
    assert_eq!(combos.len(), 4, "grid completeness: {combos:?}");
}

#[test]
fn a_points_results_do_not_depend_on_the_other_points_or_the_thread_count() {
    let dir = TempDir::new().unwrap();
    let a = small_sweep(dir.path(), "a", "[0.0, 49.0]", 3);
    let b = small_sweep(dir.path(), "b", "[49.0, 99.0]", 3);
    let (oa, ob, oc) = (
        dir.path().join("oa"),
        dir.path().join("ob"),
        dir.path().join("oc"),
    );
    agora()
        .arg("sweep")
        .arg(&a)
        .arg("--out")
        .arg(&oa)
        .assert()
        .success();
    agora()
        .arg("sweep")
        .arg(&b)
        .arg("--out")
        .arg(&ob)
        .args(["--threads", "1"])
        .assert()
        .success();
    agora()
        .arg("sweep")
        .arg(&a)
        .arg("--out")
        .arg(&oc)
        .args(["--threads", "2"])
        .assert()
        .success();
    assert_eq!(
        fs::read(oa.join("runs.csv")).unwrap(),
        fs::read(oc.join("runs.csv")).unwrap()
    );
    let rows_for_fee = |dir: &Path| -> Vec<Vec<String>> {
        let (h, rows) = table(&dir.join("runs.csv"));
        rows.into_iter()
            .filter(|r| r[col(&h, "entry.fee")] == "49.0")
            .map(|r| r[1..].to_vec()) // drop the point number, which differs
            .collect()
    };
    let (ra, rb) = (rows_for_fee(&oa), rows_for_fee(&ob));
    assert_eq!(ra.len(), 6);
    assert_eq!(ra, rb, "fee 49 gives the same runs in both sweeps");
}

/// A comparison of the paid knowledge community at two nearby fees.
fn nearby_fees(dir: &Path) -> PathBuf {
    let base = presets().join("paid-knowledge-community.toml");
    write(
        dir,
        "fees.toml",
        &format!(
            r#"name = "fees"
base = "{}"
replicates = 10
objective = "final_members"
set = {{ "population.size" = 4000, days = 90 }}
[[policies]]
name = "fee 99"
[[policies]]
name = "fee 89"
set = {{ "entry.fee" = 89.0 }}
[[policies]]
name = "fee 49"
set = {{ "entry.fee" = 49.0 }}
"#,
            base.display()
        ),
    )
}

#[test]
fn compare_csv_matches_runs_csv_and_common_random_numbers_narrow_the_interval() {
    let dir = TempDir::new().unwrap();
    let file = nearby_fees(dir.path());
    let out = dir.path().join("out");
    let ran = agora()
        .arg("compare")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let printed = String::from_utf8_lossy(&ran.get_output().stdout).to_string();
    let (rh, runs) = table(&out.join("runs.csv"));
    assert_eq!(&rh[..3], &["policy", "replicate", "seed"]);
    let by_policy = |p: &str, m: &str| -> Vec<f64> {
        runs.iter()
            .filter(|r| r[0] == p)
            .map(|r| num(&r[col(&rh, m)]))
            .collect()
    };
    let (ch, rows) = table(&out.join("compare.csv"));
    let row = |p: &str| rows.iter().find(|r| r[0] == p).unwrap().clone();
    let first = by_policy("fee 99", "final_members");
    let mut objective: BTreeMap<String, f64> = BTreeMap::new();
    for p in ["fee 99", "fee 89", "fee 49"] {
        let xs = by_policy(p, "final_members");
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        objective.insert(p.into(), mean);
        let r = row(p);
        assert!((num(&r[col(&ch, "final_members_mean")]) - mean).abs() < 1e-9 * (1.0 + mean));
        let d: Vec<f64> = xs.iter().zip(&first).map(|(a, b)| a - b).collect();
        let dm = d.iter().sum::<f64>() / n;
        let dsd = (d.iter().map(|x| (x - dm).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let half = t975(9) * dsd / n.sqrt();
        assert!((num(&r[col(&ch, "final_members_diff")]) - dm).abs() < 1e-9 * (1.0 + dm.abs()));
        assert!(
            (num(&r[col(&ch, "final_members_diff_ci_low")]) - (dm - half)).abs()
                < 1e-5 * (1.0 + dm.abs())
        );
        // P(best): share of replicates where this policy has the most members, a tie of k
        // policies giving each of them 1/k of that replicate.
        let wins: f64 = (0..xs.len())
            .map(|i| {
                let all: Vec<f64> = ["fee 99", "fee 89", "fee 49"]
                    .iter()
                    .map(|q| by_policy(q, "final_members")[i])
                    .collect();
                let best = all.iter().copied().fold(f64::MIN, f64::max);
                let tied = all.iter().filter(|&&x| x == best).count() as f64;
                if xs[i] == best {
                    1.0 / tied
                } else {
                    0.0
                }
            })
            .sum();
        assert!(
            (num(&r[col(&ch, "p_best")]) - wins / n).abs() < 1e-9,
            "{p}: p_best"
        );
    }
    let best = objective
        .iter()
        .max_by(|a, b| a.1.partial_cmp(b.1).unwrap())
        .unwrap()
        .0
        .clone();
    assert_eq!(row(&best)[col(&ch, "rank")], "1");

    // Where the members went: members at the end are the seed members plus the joins, less the
    // quits and the kicks, in every run; the terminal splits each policy's paired difference in
    // members into those three.
    let seeds: Vec<f64> = runs
        .iter()
        .map(|r| {
            let at = |m: &str| num(&r[col(&rh, m)]);
            at("final_members") - at("joined") + at("quits") + at("kicks")
        })
        .collect();
    assert!(seeds.iter().all(|&s| s == seeds[0]), "{seeds:?}");
    let paired_mean = |p: &str, m: &str| {
        let (a, b) = (by_policy(p, m), by_policy("fee 99", m));
        a.iter().zip(&b).map(|(x, y)| x - y).sum::<f64>() / a.len() as f64
    };
    for p in ["fee 89", "fee 49"] {
        let line = format!(
            "{p}: members {:+.1} = joined {:+.1}, quits {:+.1}, kicks {:+.1}: ",
            paired_mean(p, "final_members"),
            paired_mean(p, "joined"),
            paired_mean(p, "quits"),
            paired_mean(p, "kicks"),
        );
        assert!(printed.contains(&line), "{line} in\n{printed}");
    }

    // Common random numbers: the paired interval of fee 89 vs fee 99 is far narrower than the
    // interval the same runs would give unpaired (Welch).
    let b = by_policy("fee 89", "final_members");
    let n = b.len() as f64;
    let var = |x: &[f64]| {
        let m = x.iter().sum::<f64>() / n;
        x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0)
    };
    let d: Vec<f64> = b.iter().zip(&first).map(|(x, y)| x - y).collect();
    let paired_se = (var(&d) / n).sqrt();
    let unpaired_se = ((var(&b) + var(&first)) / n).sqrt();
    assert!(
        paired_se < 0.5 * unpaired_se,
        "paired se {paired_se} vs unpaired {unpaired_se}"
    );
}

#[test]
fn until_separated_adds_replicates_and_says_what_happened() {
    let dir = TempDir::new().unwrap();
    let base = presets().join("free-chat-group.toml");
    let file = write(
        dir.path(),
        "sep.toml",
        &format!(
            r#"name = "sep"
base = "{}"
replicates = 2
max_replicates = 8
set = {{ "population.size" = 3000, days = 40 }}
[[policies]]
name = "same"
[[policies]]
name = "same again"
set = {{ "rules.daily_cost" = 0.0 }}
"#,
            base.display()
        ),
    );
    let out = dir.path().join("out");
    let assert = agora()
        .arg("compare")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .arg("--until-separated")
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    // Two identical policies never separate: it must run up to max_replicates and say so.
    assert!(
        stdout.contains("not separated") && stdout.contains("8"),
        "{stdout}"
    );
    let (_, runs) = table(&out.join("runs.csv"));
    assert_eq!(runs.len(), 16);
}

/// A sweep long enough to be killed part-way: 30 runs of the fan club, 20,000 agents, 120 days.
fn long_sweep(dir: &Path) -> PathBuf {
    let base = presets().join("brand-fan-club.toml");
    write(
        dir,
        "long.toml",
        &format!(
            r#"name = "long"
base = "{}"
replicates = 6
set = {{ "population.size" = 20000, days = 120 }}
[[axes]]
key = "acquisition.word_of_mouth"
values = [0.02, 0.04, 0.06, 0.08, 0.1]
"#,
            base.display()
        ),
    )
}

/// Starts `agora sweep FILE --out OUT EXTRA` and kills it (SIGKILL, no chance to clean up) once
/// at least `runs` runs are recorded; returns how many were.
fn kill_part_way(file: &Path, out: &Path, extra: &[&str], runs: usize) -> usize {
    let partial = out.join(".partial").join("runs.csv");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("agora"))
        .arg("sweep")
        .arg(file)
        .arg("--out")
        .arg(out)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let recorded = || {
        fs::read_to_string(&partial)
            .map(|t| t.lines().count())
            .unwrap_or(0)
    };
    while recorded() < runs && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    recorded()
}

#[test]
fn a_sweep_killed_part_way_and_resumed_equals_an_uninterrupted_one() {
    let dir = TempDir::new().unwrap();
    let file = long_sweep(dir.path());
    let whole = dir.path().join("whole");
    agora()
        .arg("sweep")
        .arg(&file)
        .arg("--out")
        .arg(&whole)
        .arg("--timeseries")
        .assert()
        .success();

    let cut = dir.path().join("cut");
    let before = kill_part_way(&file, &cut, &["--timeseries"], 4);
    assert!(
        (4..30).contains(&before),
        "killed part-way: {before} of 30 runs recorded"
    );

    agora()
        .arg("sweep")
        .arg(&file)
        .arg("--out")
        .arg(&cut)
        .arg("--timeseries")
        .assert()
        .failure()
        .stderr(predicates::str::contains("--resume"));
    agora()
        .arg("sweep")
        .arg(&file)
        .arg("--out")
        .arg(&cut)
        .args(["--timeseries", "--resume"])
        .assert()
        .success();
    for f in ["runs.csv", "points.csv", "timeseries.csv"] {
        assert_eq!(
            fs::read(whole.join(f)).unwrap(),
            fs::read(cut.join(f)).unwrap(),
            "{f} differs after resume"
        );
    }
    assert!(
        !cut.join(".partial").exists(),
        "partial state is cleaned up"
    );
}

#[test]
fn records_of_runs_the_sweep_does_not_have_are_dropped_on_resume() {
    // A damaged `.partial/runs.csv` (a point or replicate this sweep does not have) must neither
    // crash the resume nor reach the results: they equal an uninterrupted sweep's.
    let dir = TempDir::new().unwrap();
    let file = long_sweep(dir.path());
    let whole = dir.path().join("whole");
    agora()
        .args(["sweep", file.to_str().unwrap(), "--out"])
        .arg(&whole)
        .assert()
        .success();
    let cut = dir.path().join("cut");
    let before = kill_part_way(&file, &cut, &["--threads", "1"], 2);
    assert!(
        (2..30).contains(&before),
        "killed part-way: {before} of 30 runs"
    );
    let partial = cut.join(".partial").join("runs.csv");
    let text = fs::read_to_string(&partial).unwrap();
    let first = text.lines().next().unwrap();
    let rest = first.splitn(3, ',').nth(2).unwrap();
    let damaged = format!("{text}999999,0,{rest}\n0,99,{rest}\n");
    fs::write(&partial, damaged).unwrap();
    agora()
        .args(["sweep", file.to_str().unwrap(), "--resume", "--out"])
        .arg(&cut)
        .assert()
        .success();
    for f in ["runs.csv", "points.csv"] {
        assert_eq!(
            fs::read(whole.join(f)).unwrap(),
            fs::read(cut.join(f)).unwrap(),
            "{f} differs after resume"
        );
    }
}

#[test]
fn latin_hypercube_sweeps_stratify_each_axis_and_repeat() {
    let dir = TempDir::new().unwrap();
    let base = presets().join("free-chat-group.toml");
    let file = write(
        dir.path(),
        "lhs.toml",
        &format!(
            r#"name = "lhs"
base = "{}"
replicates = 1
design = "latin-hypercube"
samples = 10
set = {{ "population.size" = 500, days = 5 }}
[[axes]]
key = "acquisition.ad_reach"
range = {{ start = 0.0, stop = 0.01, steps = 2 }}
[[axes]]
key = "acquisition.word_of_mouth"
range = {{ start = 0.0, stop = 0.2, steps = 2 }}
"#,
            base.display()
        ),
    );
    let (o1, o2) = (dir.path().join("o1"), dir.path().join("o2"));
    agora()
        .arg("sweep")
        .arg(&file)
        .arg("--out")
        .arg(&o1)
        .assert()
        .success();
    agora()
        .arg("sweep")
        .arg(&file)
        .arg("--out")
        .arg(&o2)
        .assert()
        .success();
    assert_eq!(
        fs::read(o1.join("points.csv")).unwrap(),
        fs::read(o2.join("points.csv")).unwrap()
    );
    let (h, points) = table(&o1.join("points.csv"));
    for (key, stop) in [
        ("acquisition.ad_reach", 0.01),
        ("acquisition.word_of_mouth", 0.2),
    ] {
        let mut strata: Vec<usize> = points
            .iter()
            .map(|p| (num(&p[col(&h, key)]) / stop * 10.0) as usize)
            .collect();
        strata.sort_unstable();
        assert_eq!(strata, (0..10).collect::<Vec<_>>(), "{key}");
    }
}

/// Runs a sweep or comparison file with `text` and returns its one-paragraph error.
fn error_for(command: &str, text: &str) -> String {
    let dir = TempDir::new().unwrap();
    let base = presets().join("free-chat-group.toml");
    let file = write(
        dir.path(),
        "bad.toml",
        &text.replace("BASE", &base.display().to_string()),
    );
    let out = agora()
        .arg(command)
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("o"))
        .output()
        .unwrap();
    assert!(!out.status.success(), "expected failure:\n{text}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one paragraph: {stderr}"
    );
    stderr
}

#[test]
fn bad_sweep_and_compare_files_name_the_key_and_line() {
    let e = error_for(
        "sweep",
        "name = \"x\"\nbase = \"BASE\"\n[[axes]]\nkey = \"entry.fe\"\nvalues = [1.0]\n",
    );
    assert!(
        e.contains("line 4") && e.contains("axes.0.key") && e.contains("`entry.fee`"),
        "{e}"
    );
    let e = error_for(
        "sweep",
        "name = \"x\"\nbase = \"BASE\"\n[[axes]]\nkey = \"entry.fee\"\nvalues = []\n",
    );
    assert!(
        e.contains("line 5") && e.contains("axes.0.values") && e.contains("at least one"),
        "{e}"
    );
    let e = error_for(
        "sweep",
        "name = \"x\"\nbase = \"BASE\"\n[[axes]]\nkey = \"entry.fee\"\nvalues = [\"cheap\"]\n",
    );
    assert!(
        e.contains("line 4") && e.contains("entry.fee") && e.contains("cheap"),
        "{e}"
    );
    let e = error_for("sweep", "name = \"x\"\nbase = \"BASE\"\ndesign = \"lhs\"\n[[axes]]\nkey = \"entry.fee\"\nvalues = [1.0]\n");
    assert!(e.contains("line 3") && e.contains("latin-hypercube"), "{e}");
    // A results folder name that would escape results/ is refused, as for scenarios.
    let e = error_for(
        "sweep",
        "name = \"..\"\nbase = \"BASE\"\n[[axes]]\nkey = \"entry.fee\"\nvalues = [1.0]\n",
    );
    assert!(
        e.contains("line 1") && e.contains("`name`") && e.contains("results folder"),
        "{e}"
    );
    let e = error_for(
        "compare",
        "name = \".\"\nbase = \"BASE\"\n[[policies]]\nname = \"a\"\n",
    );
    assert!(e.contains("line 1") && e.contains("results folder"), "{e}");
    let e = error_for("sweep", "name = \"x\"\nbase = \"BASE\"\nreplicatez = 3\n");
    assert!(e.contains("line 3") && e.contains("`replicates`"), "{e}");
    let e = error_for(
        "compare",
        "name = \"x\"\nbase = \"BASE\"\n[[policies]]\nname = \"a\"\n[[policies]]\nname = \"b\"\nset = { \"rules.moderator\" = 2 }\n",
    );
    assert!(
        e.contains("line 7")
            && e.contains("rules.moderator")
            && e.contains("`rules.moderators_per_group`"),
        "{e}"
    );
    let e = error_for(
        "compare",
        "name = \"x\"\nbase = \"BASE\"\n[[policies]]\nname = \"a\"\nset = { \"entry.fee\" = -3.0 }\n",
    );
    assert!(
        e.contains("line 5") && e.contains("entry.fee") && e.contains("in [0, 1e9]"),
        "{e}"
    );
    let e = error_for(
        "compare",
        "name = \"x\"\nbase = \"BASE\"\nobjective = \"members\"\n[[policies]]\nname = \"a\"\n",
    );
    assert!(e.contains("line 3") && e.contains("final_members"), "{e}");
    let e = error_for(
        "compare",
        "name = \"x\"\nbase = \"nowhere.toml\"\n[[policies]]\nname = \"a\"\n",
    );
    assert!(
        e.contains("nowhere.toml") && e.contains("cannot read"),
        "{e}"
    );
    // An unreadable base is blamed on the `base` line, in comparisons as in sweeps.
    assert!(e.contains("line 2") && e.contains("`base`"), "{e}");
}

#[test]
fn compare_timeseries_holds_every_policys_daily_series() {
    let dir = TempDir::new().unwrap();
    let file = write(
        dir.path(),
        "c.toml",
        &format!(
            "name = \"c\"\nbase = \"{}\"\nreplicates = 2\n\
             set = {{ \"population.size\" = 2000, days = 15 }}\n\
             [[policies]]\nname = \"free\"\n[[policies]]\nname = \"banned\"\n\
             set = {{ \"rules.ads\" = \"banned\" }}\n",
            presets().join("free-chat-group.toml").display()
        ),
    );
    let out = dir.path().join("out");
    agora()
        .args(["compare", file.to_str().unwrap(), "--timeseries", "--out"])
        .arg(&out)
        .assert()
        .success();
    let (header, rows) = table(&out.join("timeseries.csv"));
    assert_eq!(&header[..3], &["policy", "replicate", "day"]);
    assert_eq!(
        rows.len(),
        2 * 2 * 16,
        "2 policies x 2 replicates x days 0..=15"
    );
    for policy in ["free", "banned"] {
        assert_eq!(rows.iter().filter(|r| r[0] == policy).count(), 32);
    }
}
