//! Hostile and careless inputs, generated: the presets' TOML mutated at random (a key deleted, a
//! value's type swapped, extreme numbers, a table duplicated, the text truncated, junk added).
//! Every result is either a scenario that runs with every output finite, or an error of at most
//! 15 lines that names the file and a line or key. Never a panic.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use agora::engine::run_replicate;
use agora::metrics::AsNumber;
use agora::scenario::{load_str, Override};
use proptest::prelude::*;

fn presets() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut texts: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    texts.sort();
    texts
}

/// Values of every kind and extreme magnitude, to put where another value was.
const VALUES: &[&str] = &[
    "\"x\"",
    "\"\"",
    "{}",
    "{ a = 1 }",
    "[1]",
    "[]",
    "[[1]]",
    "true",
    "1e308",
    "-1e308",
    "4e38",
    "-1",
    "0",
    "0.0",
    "nan",
    "inf",
    "-inf",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "1979-05-27",
    "\"\\n\"",
];

#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    SwapValue(usize, usize),
    DuplicateLine(usize),
    Truncate(usize),
    InsertJunk(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteLine),
        (any::<usize>(), 0..VALUES.len()).prop_map(|(l, v)| Mutation::SwapValue(l, v)),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 0..6usize).prop_map(|(l, j)| Mutation::InsertJunk(l, j)),
    ]
}

fn apply(text: &str, m: &Mutation) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let n = lines.len().max(1);
    match *m {
        Mutation::DeleteLine(l) => {
            if !lines.is_empty() {
                lines.remove(l % n);
            }
        }
        Mutation::SwapValue(l, v) => {
            let candidates: Vec<usize> = (0..lines.len())
                .filter(|&i| lines[i].contains('=') && !lines[i].trim_start().starts_with('#'))
                .collect();
            if !candidates.is_empty() {
                let i = candidates[l % candidates.len()];
                let key = lines[i].split('=').next().unwrap().to_string();
                lines[i] = format!("{key}= {}", VALUES[v]);
            }
        }
        Mutation::DuplicateLine(l) => {
            if !lines.is_empty() {
                let line = lines[l % n].clone();
                lines.insert(l % n, line);
            }
        }
        Mutation::Truncate(at) => {
            let mut cut = at % (text.len() + 1);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            return text[..cut].to_string();
        }
        Mutation::InsertJunk(l, j) => {
            let junk = [
                "[",
                "= 3",
                "x.y.z = [",
                "[[events]]",
                "a = 1\na = 2",
                "\u{7f}",
            ][j];
            lines.insert(l % n, junk.to_string());
        }
    }
    lines.join("\n")
}

/// A run of the scenario (made short) with every output finite, if it is cheap enough.
fn run_briefly(text: &str) {
    let set = |key: &str, value: &str| Override {
        key: key.into(),
        value: value.into(),
    };
    let short = [set("days", "15"), set("population.size", "4000")];
    let Ok(s) = load_str(text, "preset.toml", &short)
        .or_else(|_| load_str(text, "preset.toml", &short[..1]))
    else {
        return; // shortening made it invalid (e.g. seed members no longer fit): nothing to run
    };
    if s.size() > 30_000 {
        return;
    }
    let r = run_replicate(&s, 0, &mut |_| {});
    for d in &r.series {
        for x in [
            d.mean_commitment,
            d.sat_safety,
            d.sat_belonging,
            d.sat_esteem,
            d.sat_self_actualization,
            d.revenue,
            d.cost,
        ] {
            assert!(x.is_finite(), "day {}: {x} in {d:?}", d.day);
        }
    }
    let m = &r.summary.metrics;
    for (name, x) in agora::metrics::Metrics::NAMES.iter().zip(m.values()) {
        assert!(x.is_finite() || x.is_nan(), "{name} = {x}");
    }
    for x in [m.retention_30d, m.never_posted_share, m.post_gini, m.roi] {
        assert!(x.is_none_or(f64::is_finite), "{m:?}");
        assert!(!x.as_number().is_infinite());
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 3000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_mutated_preset_runs_finite_or_fails_with_a_short_located_error(
        preset in 0..11usize,
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let texts = presets();
        let mut text = texts[preset % texts.len()].clone();
        for m in &mutations {
            text = apply(&text, m);
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| load_str(&text, "preset.toml", &[])));
        let Ok(loaded) = outcome else {
            panic!("panic while loading:\n{text}");
        };
        match loaded {
            Ok(_) => {
                let ran = catch_unwind(AssertUnwindSafe(|| run_briefly(&text)));
                prop_assert!(ran.is_ok(), "panic or non-finite output while running:\n{}", text);
            }
            Err(e) => {
                let message = e.to_string();
                prop_assert!(message.lines().count() <= 15, "{}", message);
                prop_assert!(message.starts_with("preset.toml"), "{}", message);
                prop_assert!(
                    message.contains("line ") || message.contains("key `"),
                    "neither a line nor a key: {}", message
                );
                prop_assert!(message.len() < 600, "{} characters: {}", message.len(), message);
            }
        }
    }
}

/// A scenario with every optional table present, to set any key of.
const FULL: &str = r#"
name = "full"
days = 12
seed = 5
[population]
size = 600
[[population.segments]]
name = "a"
share = 0.7
[[population.segments]]
name = "b"
share = 0.3
needs = { promotion = 0.8, work = 0.3 }
advertiser_share = 0.5
[community]
seed_members = 5
group_cap = 100
max_groups = 20
[entry]
kind = "paid"
fee = 20.0
period_days = 5
[rules]
moderators_per_group = 1
[incentives]
red_envelope = { per_post = 1.0 }
badges = { levels = [2, 5] }
referral_reward = 1.0
crowding_out = 0.2
[[events]]
kind = "offline"
every_days = 3
[monetization]
purchase_rate = 0.1
price = 5.0
"#;

#[test]
fn every_number_at_either_end_of_its_range_runs_finite_or_is_refused_plainly() {
    use agora::scenario::keys::{flatten, Kind, Rule};
    let mut ran = 0;
    for (path, spec) in flatten(agora::scenario::scenario_schema().keys) {
        let (Kind::Number | Kind::Integer | Kind::OptionalInteger, Rule::Range { min, max, .. }) =
            (spec.kind, spec.rule)
        else {
            continue;
        };
        let key = path.replace(".N.", ".0.");
        // Sizes are kept small: the run must stay cheap whatever the key.
        let max = match key.as_str() {
            "population.size" => 600.0,
            "days" => 400.0,
            _ => max,
        };
        let tiny = if min == 0.0 { 1e-300 } else { min };
        for value in [min, max, tiny] {
            let text = if matches!(spec.kind, Kind::Number) {
                format!("{value:e}")
            } else {
                format!("{}", value as i64)
            };
            let set = Override {
                key: key.clone(),
                value: text.clone(),
            };
            let outcome = catch_unwind(AssertUnwindSafe(|| load_str(FULL, "full.toml", &[set])));
            match outcome {
                Ok(Ok(s)) => {
                    let r = catch_unwind(AssertUnwindSafe(|| run_replicate(&s, 0, &mut |_| {})))
                        .unwrap_or_else(|_| panic!("panic running {key} = {text}"));
                    for d in &r.series {
                        let values = [
                            d.mean_commitment,
                            d.revenue,
                            d.cost,
                            d.sat_safety,
                            d.sat_belonging,
                            d.sat_esteem,
                            d.sat_self_actualization,
                        ];
                        assert!(
                            values.iter().all(|x| x.is_finite()),
                            "{key} = {text}: {d:?}"
                        );
                    }
                    let m = &r.summary.metrics;
                    assert!(
                        m.values().iter().all(|x| !x.is_infinite()),
                        "{key} = {text}"
                    );
                    ran += 1;
                }
                Ok(Err(e)) => {
                    let m = e.to_string();
                    assert!(
                        m.len() < 600 && m.contains("full.toml"),
                        "{key} = {text}: {m}"
                    );
                }
                Err(_) => panic!("panic loading {key} = {text}"),
            }
        }
    }
    assert!(ran > 200, "only {ran} runs");
}
