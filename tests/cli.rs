//! The command line as a user drives it: runs, reproducibility, and errors on bad input.

use std::fs;
use std::path::Path;

use predicates::prelude::*;
use tempfile::TempDir;

mod common;
use common::cli::{agora, preset_file};

/// Runs a scenario with extra arguments into a fresh folder and returns it.
fn run(file: &Path, args: &[&str]) -> TempDir {
    let dir = TempDir::new().unwrap();
    agora()
        .arg("run")
        .arg(file)
        .arg("--out")
        .arg(dir.path())
        .args(args)
        .assert()
        .success();
    dir
}

fn read(dir: &TempDir, name: &str) -> String {
    fs::read_to_string(dir.path().join(name)).unwrap()
}

/// The documented columns of each file of `agora run` (docs/OUTPUTS.md), written out here as the
/// format's contract: a change of columns changes this test deliberately.
const TIMESERIES_HEADER: &str = "replicate,day,members,absent,muted,dormant,lurkers,posters,advertisers,joins,quits,kicks,posts,ads_posted,ads_removed,ads_seen,promotions,groups,groups_alive,questions,answered,nudges,nudges_answered,answered_late,overtime,team_away,mean_commitment,sat_safety,sat_belonging,sat_esteem,sat_self_actualization,revenue,revenue_fees,revenue_sales,cost,cost_acquisition,cost_moderation,cost_team,cost_events,cost_red_envelopes,cost_referrals,cost_other,budget";
const SUMMARY_HEADER: &str = "replicate,seed,final_members,muted_share,dormant_share,peak_members,peak_day,health,alive,groups_opened,groups_alive,groups_dead_share,joined,quits,kicks,answered_share,answered_same_day,answered_7d,team_overtime,team_days_away,question_share,retention_30d,visit_rate,posts_per_member_day,ad_share,never_posted_share,posted_again_share,top1_post_share,top10_post_share,post_gini,posters,one_post_share,poster_gini,poster_top1_share,poster_top10_share,still_posting_30d,still_posting_90d,lifespan_q25,lifespan_median,lifespan_q75,reply_lift,active_posters_peak_week,active_posters_m3_m1,total_revenue,revenue_fees,revenue_sales,total_cost,cost_acquisition,cost_moderation,cost_team,cost_events,cost_red_envelopes,cost_referrals,cost_other,cost_per_joined,cost_per_retained_30,cost_per_active_member_day,payback_day,roi";
const FUNNEL_HEADER: &str = "replicate,exposed,exposed_ads,exposed_word_of_mouth,exposed_referral,considered,declined_no_need,declined_price,rejected_review,turned_away_full,joined,activated,first_post,eligible_30,retained_30,active_30,eligible_90,retained_90,renewed,quit,kicked";
const GROUPS_HEADER: &str = "replicate,group,opened_day,tier,members_final,seeds_final,seated_final,members_peak,peak_day,posts_last30,ads_last30,health,alive_final,died_day,member_posts_28d,member_posts_trend,ad_share_week,members_joined,members_left";
const COHORTS_HEADER: &str = "replicate,cohort_week,week,size,members,active,posters";
const SEGMENTS_HEADER: &str = "replicate,segment,joined,members_final,quit,kicked,posts,ads,mean_commitment,sat_service,sat_work,sat_contact,sat_friendship,sat_life,sat_belonging,sat_promotion,sat_learning";
const WEEKLY_HEADER: &str = "replicate,week,complete,new_posters,active_posters,active_founders,questions,answers,members,joins,answered_same_day,answered_7d,answered_ever";
const POSTERS_HEADER: &str = "replicate,members,ever_members,posters,never_posted_share,one_post_share,poster_gini,poster_top1_share,poster_top10_share,eligible_30d,still_posting_30d,eligible_90d,still_posting_90d,lifespan_q25,lifespan_median,lifespan_q75,reply_lift";
const NEWCOMERS_HEADER: &str = "replicate,members,first_post,reply,newcomers,posted_again,posted_again_share,posted_again_30d,posted_again_30d_share";
const POSTER_COHORTS_HEADER: &str = "replicate,members,cohort_month,month,size,posting,share";

#[test]
fn every_preset_runs_and_writes_the_documented_columns() {
    let mut names: Vec<String> =
        fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"))
            .unwrap()
            .filter_map(|e| {
                let p = e.unwrap().path();
                (p.extension()? == "toml")
                    .then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
            })
            .collect();
    names.sort();
    assert!(names.len() >= 11, "presets: {names:?}");
    for name in names {
        let out = run(
            &preset_file(&name),
            &[
                "--days",
                "20",
                "--replicates",
                "2",
                "--set",
                "population.size=3000",
            ],
        );
        let ts = read(&out, "timeseries.csv");
        assert_eq!(ts.lines().next().unwrap(), TIMESERIES_HEADER, "{name}");
        assert_eq!(
            ts.lines().count(),
            1 + 2 * 21,
            "{name}: days 0..=20 for 2 replicates"
        );
        let summary = read(&out, "summary.csv");
        assert_eq!(summary.lines().next().unwrap(), SUMMARY_HEADER, "{name}");
        assert_eq!(summary.lines().count(), 3, "{name}");
        for (file, header) in [
            ("funnel.csv", FUNNEL_HEADER),
            ("groups.csv", GROUPS_HEADER),
            ("cohorts.csv", COHORTS_HEADER),
            ("segments.csv", SEGMENTS_HEADER),
            ("weekly.csv", WEEKLY_HEADER),
            ("posters.csv", POSTERS_HEADER),
            ("newcomers.csv", NEWCOMERS_HEADER),
        ] {
            let text = read(&out, file);
            assert_eq!(text.lines().next().unwrap(), header, "{name}: {file}");
            assert!(text.lines().count() >= 3, "{name}: {file} has rows");
            assert!(
                !text.contains("NaN") && !text.contains("inf"),
                "{name}: {file}"
            );
        }
        // 20 days hold no whole month: the cohorts of posters have a header only.
        let cohorts = read(&out, "poster_cohorts.csv");
        assert_eq!(cohorts.trim_end(), POSTER_COHORTS_HEADER, "{name}");
        assert!(read(&out, "scenario.toml").contains(&format!("name = \"{name}\"")));
    }
}

#[test]
fn the_resolved_scenario_reproduces_the_run_exactly() {
    let first = run(
        &preset_file("free-chat-group"),
        &[
            "--days",
            "30",
            "--replicates",
            "2",
            "--set",
            "population.size=4000",
            "--seed",
            "5",
        ],
    );
    let resolved = first.path().join("scenario.toml");
    let again = run(&resolved, &[]);
    for f in ["timeseries.csv", "summary.csv", "scenario.toml"] {
        assert_eq!(read(&first, f), read(&again, f), "{f}");
    }
}

#[test]
fn same_seed_gives_identical_files_whatever_the_thread_count_and_another_seed_differs() {
    let args = [
        "--days",
        "40",
        "--replicates",
        "3",
        "--set",
        "population.size=30000",
        "--seed",
        "3",
    ];
    let file = preset_file("store-customer-group");
    let once = run(&file, &args);
    let twice = run(&file, &args);
    let one_thread = run(&file, &[&args[..], &["--threads", "1"]].concat());
    let two_threads = run(&file, &[&args[..], &["--threads", "2"]].concat());
    for f in ["timeseries.csv", "summary.csv"] {
        assert_eq!(read(&once, f), read(&twice, f), "{f}: twice");
        assert_eq!(
            read(&one_thread, f),
            read(&two_threads, f),
            "{f}: 1 vs 2 threads"
        );
        assert_eq!(
            read(&once, f),
            read(&two_threads, f),
            "{f}: default vs 2 threads"
        );
    }
    let other = run(
        &file,
        &[
            "--days",
            "40",
            "--replicates",
            "3",
            "--set",
            "population.size=30000",
            "--seed",
            "4",
        ],
    );
    assert_ne!(
        read(&once, "timeseries.csv"),
        read(&other, "timeseries.csv")
    );
}

#[test]
fn check_prints_the_resolved_scenario_and_init_writes_a_valid_starter() {
    agora()
        .arg("check")
        .arg(preset_file("bass-diffusion"))
        .assert()
        .success()
        .stdout(
            predicate::str::contains("[behavior]").and(predicate::str::contains("half_saturation")),
        );
    let dir = TempDir::new().unwrap();
    agora()
        .current_dir(dir.path())
        .args(["init", "my-club"])
        .assert()
        .success();
    let starter = dir.path().join("my-club.toml");
    // A fresh starter warns of nothing: keys that act only with others are commented out.
    agora()
        .arg("check")
        .arg(&starter)
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").not());
    let text = fs::read_to_string(&starter).unwrap();
    assert!(
        text.contains("\n# fee = "),
        "a fee with free entry is commented out"
    );
    agora()
        .current_dir(dir.path())
        .args(["init", "--", "-x"])
        .assert()
        .success()
        .stdout(predicate::str::contains("agora run ./-x.toml"));
    agora()
        .current_dir(dir.path())
        .args(["init", "my-club"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
}

/// Writes `text` as a scenario file and returns the error `agora check` prints for it.
fn error_for(text: &str, extra: &[&str]) -> String {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("bad.toml");
    fs::write(&file, text).unwrap();
    let out = agora()
        .arg("check")
        .arg(&file)
        .args(extra)
        .output()
        .unwrap();
    assert!(!out.status.success(), "expected failure for:\n{text}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "panic on:\n{text}\n{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one paragraph: {stderr}"
    );
    stderr
}

fn assert_names(err: &str, line: usize, key: &str) {
    assert!(
        err.contains(&format!("line {line}")),
        "line {line} in: {err}"
    );
    assert!(err.contains(&format!("`{key}`")), "key {key} in: {err}");
    assert!(err.contains("bad.toml"), "file in: {err}");
}

#[test]
fn unknown_keys_name_line_and_nearest_valid_key() {
    let e = error_for("name = \"x\"\n\n[entry]\nkind = \"paid\"\nfe = 49\n", &[]);
    assert_names(&e, 5, "entry.fe");
    assert!(e.contains("did you mean `entry.fee`"), "{e}");
    let e = error_for("name = \"x\"\n[population]\nsize = 10\n[[population.segments]]\nshare = 1.0\nneeds = { lerning = 0.5 }\n", &[]);
    assert_names(&e, 6, "population.segments.0.needs.lerning");
    assert!(e.contains("`population.segments.0.needs.learning`"), "{e}");
}

#[test]
fn wrong_types_and_bad_enum_values_name_line_and_expectation() {
    let e = error_for("name = \"x\"\ndays = \"long\"\n", &[]);
    assert_names(&e, 2, "days");
    assert!(e.contains("whole number"), "{e}");
    let e = error_for("name = \"x\"\n[rules]\nads = \"bannd\"\n", &[]);
    assert_names(&e, 3, "rules.ads");
    assert!(e.contains("did you mean `banned`"), "{e}");
}

#[test]
fn out_of_range_values_name_line_key_and_range() {
    let cases: &[(&str, usize, &str, &str)] = &[
        ("name = \"x\"\n[acquisition]\nword_of_mouth = 1.5\n", 3, "acquisition.word_of_mouth", "[0, 1]"),
        ("name = \"x\"\n[entry]\nfee = -5.0\n", 3, "entry.fee", "in [0, 1e9], found -5.0"),
        ("name = \"x\"\n[rules]\ndaily_cost = -1\n", 3, "rules.daily_cost", "in [0, 1e9], found -1"),
        ("name = \"x\"\n[population]\nsize = 0\n", 3, "population.size", "from 1 to"),
        (
            "name = \"x\"\n[population]\nsize = 100\n[[population.segments]]\nshare = 0.5\n[[population.segments]]\nshare = 0.3\n",
            4,
            "population.segments",
            "sum to 1",
        ),
        (
            "name = \"x\"\n[population]\nsize = 8\nnetwork = { kind = \"small-world\", degree = 10 }\n",
            4,
            "population.network.degree",
            "does not fit",
        ),
        ("name = \"x\"\n[[events]]\nkind = \"topic\"\nevery_days = 0\n", 4, "events.0.every_days", "from 1 to 36500, found 0"),
        ("name = \"x\"\n[community]\ncore = true\n", 3, "community.core", "needs seed members"),
        ("name = \"x\"\n[community]\nseed_members = 90\ngroup_cap = 50\ncore = true\n", 5, "community.core", "does not fit one group of 50"),
        ("name = \"x\"\n[community]\nseed_members = 9\ncore = true\nmax_groups = 1\n", 4, "community.core", "at least one group for joiners"),
        ("name = \"x\"\n[community]\nseed_members = 9\nclone_seeds = 10\n", 4, "community.clone_seeds", "only 9 seed members"),
        ("name = \"x\"\n[community]\nseed_members = 90\nclone_seeds = 50\ngroup_cap = 50\n", 4, "community.clone_seeds", "leave no place for joiners"),
        ("name = \"x\"\n[team]\novertime_minutes = 30\n", 3, "team.overtime_minutes", "sets none"),
        ("name = \"x\"\n[community]\nadmin_reviews = 20\n", 3, "community.admin_reviews", "no admin among the seed members"),
        ("name = \"x\"\n[community]\nfounders = \"owner-ties\"\n", 3, "community.founders", "no seed members to pull in"),
        ("name = \"x\"\n[population]\nnetwork = { kind = \"well-mixed\" }\n[community]\nseed_members = 5\nfounders = \"owner-ties\"\n", 6, "community.founders", "need a network"),
        ("name = \"x\"\n[community]\nseed_members = 5\nadmins = 0\nadmin_reviews = 20\n", 5, "community.admin_reviews", "no admin"),
        ("name = \"x\"\n[team]\nminutes_per_day = 0\novertime_minutes = 30\n", 4, "team.overtime_minutes", "sets none"),
        ("name = \"x\"\n[team]\nminutes_per_day = 60\novertime_minutes = 30\n", 4, "team.overtime_minutes", "before it burns out"),
    ];
    for (text, line, key, expected) in cases {
        let e = error_for(text, &[]);
        assert_names(&e, *line, key);
        assert!(e.contains(expected), "{expected} in {e}");
    }
}

#[test]
fn populations_too_large_for_memory_are_refused_before_allocating() {
    // The limit is given, so the test does not depend on this machine's memory.
    let e = error_for(
        "name = \"x\"\n[population]\nsize = 100_000_000\nnetwork = { kind = \"well-mixed\" }\n",
        &["--max-memory", "1GiB"],
    );
    assert_names(&e, 3, "population.size");
    assert!(e.contains("GiB"), "{e}");
    let e = error_for(
        "name = \"x\"\n",
        &["--max-memory", "1GiB", "--set", "population.size=100000000"],
    );
    assert!(e.contains("--set population.size"), "{e}");
}

#[test]
fn overrides_are_validated_and_blamed_on_the_command_line() {
    let e = error_for("name = \"x\"\n", &["--set", "entry.fe=49"]);
    assert!(
        e.contains("--set entry.fe") && e.contains("did you mean `entry.fee`"),
        "{e}"
    );
    let e = error_for("name = \"x\"\n", &["--set", "acquisition.ad_reach=2"]);
    assert!(
        e.contains("--set acquisition.ad_reach") && e.contains("[0, 1]"),
        "{e}"
    );
    // A valid override applies: plain text becomes a string, numbers stay numbers.
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("ok.toml");
    fs::write(&file, "name = \"x\"\n").unwrap();
    agora()
        .arg("check")
        .arg(&file)
        .args([
            "--set",
            "rules.ads=allowed",
            "--set",
            "entry.fee=49",
            "--set",
            "population.network.degree=6",
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("ads = \"allowed\"")
                .and(predicate::str::contains("fee = 49.0")),
        );
}

#[test]
fn bench_reports_speed_and_peak_memory_without_changing_results() {
    let args = [
        "--days",
        "20",
        "--replicates",
        "1",
        "--set",
        "population.size=5000",
    ];
    let plain = run(&preset_file("bass-diffusion"), &args);
    let dir = TempDir::new().unwrap();
    let out = agora()
        .arg("run")
        .arg(preset_file("bass-diffusion"))
        .arg("--out")
        .arg(dir.path())
        .args(args)
        .arg("--bench")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let line = stdout
        .lines()
        .find(|l| l.starts_with("bench: "))
        .expect("a bench line");
    assert!(
        line.contains("5000 agents x 20 days") && line.contains("agent-days/s"),
        "{line}"
    );
    assert!(line.contains("bytes/agent"), "{line}");
    let rate: f64 = line
        .split(" = ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(rate > 0.0, "{line}");
    assert_eq!(
        read(&plain, "timeseries.csv"),
        fs::read_to_string(dir.path().join("timeseries.csv")).unwrap()
    );
}

#[test]
fn overrides_can_reach_into_default_lists() {
    // The file leaves the segments to their default; --set edits the default segment.
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("ok.toml");
    fs::write(&file, "name = \"x\"\n").unwrap();
    agora()
        .arg("check")
        .arg(&file)
        .args(["--set", "population.segments.0.needs.learning=0.9"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("learning = 0.9")
                .and(predicate::str::contains("name = \"everyone\"")),
        );
    let e = error_for("name = \"x\"\n", &["--set", "events.0.every_days=3"]);
    assert!(
        e.contains("--set events.0.every_days") && e.contains("no element 0"),
        "{e}"
    );
}

#[test]
fn missing_files_and_syntax_errors_are_reported_without_panic() {
    agora()
        .args(["run", "no/such/file.toml"])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("no/such/file.toml")
                .and(predicate::str::contains("cannot read")),
        );
    let e = error_for("name = \"x\"\n[entry\nfee = 1\n", &[]);
    assert!(e.contains("line 2") && e.contains("not valid TOML"), "{e}");
    let e = error_for("days = 10\n", &[]);
    assert!(e.contains("`name`") && e.contains("required"), "{e}");
}

#[test]
fn every_example_comparison_and_sweep_base_loads_without_warnings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let files = |dir: &str| -> Vec<std::path::PathBuf> {
        let mut v: Vec<_> = fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        v.sort();
        v
    };
    let quiet = |scenarios: &[agora::scenario::Scenario], path: &Path| {
        for s in scenarios {
            assert!(
                s.warnings().is_empty(),
                "{}: {:?}",
                path.display(),
                s.warnings()
            );
        }
    };
    let comparisons = files("compare");
    assert!(comparisons.len() >= 4, "{comparisons:?}");
    for path in comparisons {
        match agora::compare::Comparison::load(&path) {
            Ok(c) => quiet(&c.scenarios, &path),
            // A robust comparison reads a posterior that `agora calibrate` writes first.
            Err(e) => assert!(
                e.to_string().contains("posterior.csv"),
                "{}: {e}",
                path.display()
            ),
        }
    }
    for path in files("sweeps") {
        let s = agora::sweep::Sweep::load(&path).unwrap_or_else(|e| panic!("{e}"));
        quiet(std::slice::from_ref(&s.base.scenario), &path);
    }
}
