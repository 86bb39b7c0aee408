//! Reproducibility, day by day: two runs of one scenario and seed, on different thread counts
//! and in sequential or parallel passes, give the same record every day. A failure names the
//! first day the runs diverge, and what differs on it.
//!
//! And a pinned regression run: a small run whose complete output is committed in
//! `tests/regression/`. It guards against unintended changes of results; when a change of the
//! model is intended, regenerate it deliberately with `AGORA_BLESS=1 cargo test --release --test
//! reproducibility` and say why in the commit.

use std::path::Path;

use agora::engine::{run_replicate, Simulation};
use agora::metrics::DayRecord;
use agora::scenario::{load_file, Scenario};

mod common;
use common::preset;

/// The daily records of replicate `r`, on a pool of `threads` workers, with parallel passes
/// or not.
fn days(s: &Scenario, r: u32, threads: usize, parallel: bool) -> Vec<DayRecord> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let mut sim = Simulation::new(s, r);
        sim.set_parallel(parallel);
        let mut out = vec![sim.record_day0()];
        for _ in 0..s.days() {
            out.push(sim.step());
        }
        out
    })
}

/// Panics at the first day `a` and `b` differ, naming it and the fields that differ.
fn assert_same_days(a: &[DayRecord], b: &[DayRecord], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: number of days");
    if let Some(d) = (0..a.len()).find(|&d| a[d] != b[d]) {
        let fa = format!("{:?}", a[d]);
        let fb = format!("{:?}", b[d]);
        let differing: Vec<String> = fa
            .split(", ")
            .zip(fb.split(", "))
            .filter(|(x, y)| x != y)
            .map(|(x, y)| format!("{x} vs {y}"))
            .collect();
        panic!("{what}: the runs first diverge on day {d}: {differing:?}");
    }
}

#[test]
fn runs_agree_day_by_day_whatever_the_threads_and_the_passes() {
    // Presets that exercise joining, moderation and kicks, fees and renewals, events, rewards
    // and fission, made small.
    for (name, size) in [
        ("free-chat-group", "20000"),
        ("paid-knowledge-community", "30000"),
        ("course-community", "20000"),
        ("store-customer-group", "20000"),
    ] {
        let s = preset(name, &[("population.size", size), ("days", "90")]);
        let reference = days(&s, 1, 1, false);
        assert_same_days(
            &reference,
            &days(&s, 1, 4, true),
            &format!("{name}: 1 vs 4 threads"),
        );
        assert_same_days(
            &reference,
            &days(&s, 1, 3, true),
            &format!("{name}: 1 vs 3 threads"),
        );
        assert_same_days(
            &reference,
            &run_replicate(&s, 1, &mut |_| {}).series,
            &format!("{name}: step by step vs a whole run"),
        );
    }
}

#[test]
fn a_divergence_is_reported_on_the_day_it_happens() {
    // The check itself can fail: two seeds diverge, and it says on which day.
    let a = preset(
        "free-chat-group",
        &[("population.size", "5000"), ("days", "20")],
    );
    let b = preset(
        "free-chat-group",
        &[("population.size", "5000"), ("days", "20"), ("seed", "2")],
    );
    let result = std::panic::catch_unwind(|| {
        assert_same_days(
            &days(&a, 0, 1, false),
            &days(&b, 0, 1, false),
            "seeds 1 and 2",
        )
    });
    let message = *result.unwrap_err().downcast::<String>().unwrap();
    assert!(message.contains("first diverge on day"), "{message}");
}

#[test]
fn the_pinned_regression_run_is_unchanged() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regression");
    let s = load_file(&dir.join("pinned.toml"), &[]).expect("the pinned scenario is valid");
    let out = tempfile::TempDir::new().unwrap();
    let runs: Vec<_> = (0..s.replicates())
        .map(|r| run_replicate(&s, r, &mut |_| {}))
        .collect();
    agora::run::write_outputs(&s, &runs, out.path()).unwrap();
    for file in ["timeseries.csv", "summary.csv"] {
        let got = std::fs::read_to_string(out.path().join(file)).unwrap();
        let pinned_path = dir.join(format!("pinned-{file}"));
        if std::env::var_os("AGORA_BLESS").is_some() {
            std::fs::write(&pinned_path, &got).unwrap();
            continue;
        }
        let pinned = std::fs::read_to_string(&pinned_path).unwrap();
        if let Some((line, (p, g))) = pinned
            .lines()
            .zip(got.lines())
            .enumerate()
            .find(|(_, (p, g))| p != g)
        {
            panic!(
                "{file} differs from the pinned run at line {}:\n  pinned: {p}\n  now:    {g}\n\
                 If the change of results is intended, regenerate with AGORA_BLESS=1 and say why \
                 in the commit.",
                line + 1
            );
        }
        assert_eq!(pinned.lines().count(), got.lines().count(), "{file}: lines");
    }
}
