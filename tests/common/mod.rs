//! What the statistical tests share: presets with overrides, replicates on the same seeds, and
//! the paired comparison whose margin is the t quantile of the replicates run.
#![allow(dead_code)] // each test file uses its own part

pub mod cli;

use std::path::Path;

use agora::engine::{run_replicate, Replicate};
use agora::metrics::DayRecord;
use agora::scenario::{load_file, Override, Scenario};
use agora::stats::t_quantile_975;

/// The two settings of the behaviour constants that move results most (docs/SENSITIVITY.md:
/// talkativeness, the posting constant and Maslow's prepotency), each one standard deviation of
/// the joint participation posterior either side of its default (docs/CALIBRATION.md, rounded):
/// `post_spread` 2.8 ± 0.3, `post_base` −8.4 ± 0.4, `prepotency` 1 ± 0.5. They pair as the
/// posterior's two strongest correlations do: a wider spread goes with a lower constant (−0.39)
/// and a stronger prepotency (0.39).
pub const SETTINGS: [[(&str, &str); 3]; 2] = [
    [
        ("behavior.post_spread", "2.5"),
        ("behavior.post_base", "-8.0"),
        ("community.prepotency", "0.5"),
    ],
    [
        ("behavior.post_spread", "3.1"),
        ("behavior.post_base", "-8.8"),
        ("community.prepotency", "1.5"),
    ],
];

/// A setting as `key=value, ...`, for assertion messages.
pub fn label(setting: &[(&str, &str)]) -> String {
    setting
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A preset of `scenarios/`, with `key = value` overrides as on the command line.
pub fn preset(name: &str, sets: &[(&str, &str)]) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"));
    let overrides: Vec<Override> = sets
        .iter()
        .map(|(k, v)| Override {
            key: k.to_string(),
            value: v.to_string(),
        })
        .collect();
    load_file(&path, &overrides).expect("valid preset")
}

/// Replicates 0..n of a scenario: two scenarios run this way are paired by replicate (the same
/// seeds).
pub fn runs(s: &Scenario, replicates: u32) -> Vec<Replicate> {
    (0..replicates)
        .map(|r| run_replicate(s, r, &mut |_| {}))
        .collect()
}

/// A per-replicate statistic over days 1 onwards.
pub fn per_run(runs: &[Replicate], f: impl Fn(&[DayRecord]) -> f64) -> Vec<f64> {
    runs.iter().map(|r| f(&r.series[1..])).collect()
}

/// A per-replicate statistic of the summary.
pub fn per_summary(runs: &[Replicate], f: impl Fn(&Replicate) -> f64) -> Vec<f64> {
    runs.iter().map(f).collect()
}

/// A replicate's members at the end.
pub fn final_members(r: &Replicate) -> f64 {
    r.summary.metrics.final_members as f64
}

pub fn sum(days: &[DayRecord], f: impl Fn(&DayRecord) -> f64) -> f64 {
    days.iter().map(f).sum()
}

/// Share of what members see that is ads, over the given days.
pub fn ad_share(days: &[DayRecord]) -> f64 {
    let ads = sum(days, |d| d.ads_seen as f64);
    ads / (ads + sum(days, |d| d.posts as f64)).max(1.0)
}

/// Genuine posts per member-day.
pub fn posts_per_member_day(days: &[DayRecord]) -> f64 {
    sum(days, |d| d.posts as f64) / sum(days, |d| d.members as f64).max(1.0)
}

/// Asserts that `a` exceeds `b`, paired by replicate: the paired mean difference exceeds
/// t(0.975, n − 1) standard errors.
pub fn assert_greater(a: &[f64], b: &[f64], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: paired replicates");
    let diffs: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let n = diffs.len();
    assert!(n >= 2, "{what}: at least two replicates");
    let mean = diffs.iter().sum::<f64>() / n as f64;
    let sd = (diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0)).sqrt();
    let margin = t_quantile_975(n - 1) * sd / (n as f64).sqrt();
    assert!(
        mean > 0.0 && mean > margin,
        "{what}: expected {a:?} > {b:?}; paired mean difference {mean:.4}, margin {margin:.4} \
         (t quantile for {n} replicates)"
    );
}

pub fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// A copy, in `dir`, of the example comparison `scenarios/compare/<name>.toml` at a setting: its
/// keys added to the file's top-level `set` (written if it has none), its base made absolute.
pub fn example_at(name: &str, setting: &[(&str, &str)], dir: &Path) -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let text = std::fs::read_to_string(root.join("compare").join(format!("{name}.toml")))
        .expect("the example comparison");
    let policies = text.find("\n[[policies]]").expect("policies");
    let (head, tail) = text.split_at(policies);
    assert!(head.contains("\nbase = \"../"), "{name}: a relative base");
    let keys: Vec<String> = setting
        .iter()
        .map(|(k, v)| format!("\"{k}\" = {v}"))
        .collect();
    let head = head.replace("\nbase = \"../", &format!("\nbase = \"{}/", root.display()));
    let head = if head.contains("\nset = { ") {
        head.replacen(
            "\nset = { ",
            &format!("\nset = {{ {}, ", keys.join(", ")),
            1,
        )
    } else {
        format!("{head}\nset = {{ {} }}\n", keys.join(", "))
    };
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, format!("{head}{tail}")).unwrap();
    path
}
