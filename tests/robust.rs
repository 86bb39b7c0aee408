//! `agora compare` with `[robust]`: policies run under draws of a calibrated posterior (or of
//! priors written in the file), with
//! common random numbers within a draw, ranked over that uncertainty. robust.csv is checked
//! against a recomputation from runs.csv, the draws against the posterior's weights, and the
//! verdict against a case built so the best policy depends on an unknown constant.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

mod common;
use common::cli::{agora, col, table};

/// A posterior over `behavior.fee_reference` (the fee at which a fully price-sensitive member
/// feels a price of 1) and a comparison of a low and a high fee by revenue. With members
/// barely feeling fees (reference 3000) the high fee earns more; with members feeling them
/// strongly (reference 30) almost nobody pays it, and the low fee earns more. Price
/// sensitivity varies little between members here (trait spread 0.1), so that no segment holds
/// a share of members who would pay any fee.
fn price_case(dir: &Path, weights: [f64; 2], extra_policy: &str) -> PathBuf {
    fs::write(
        dir.join("posterior.csv"),
        format!(
            "behavior.fee_reference,weight,distance\n30,{},0.1\n3000,{},0.2\n",
            weights[0], weights[1]
        ),
    )
    .unwrap();
    let path = dir.join("price.toml");
    let base =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/paid-knowledge-community.toml");
    fs::write(
        &path,
        format!(
            r#"name = "price"
base = "{}"
replicates = 3
objective = "total_revenue"
metrics = ["final_members"]
set = {{ "population.size" = 3000, days = 60, "population.segments.0.trait_spread" = 0.1, "population.segments.1.trait_spread" = 0.1, "population.segments.2.trait_spread" = 0.1 }}

[[policies]]
name = "fee 20"
set = {{ "entry.fee" = 20.0 }}

[[policies]]
name = "fee 200"
set = {{ "entry.fee" = 200.0 }}
{extra_policy}
[robust]
posterior = "posterior.csv"
draws = 4
"#,
            base.display()
        ),
    )
    .unwrap();
    path
}

fn compare(file: &Path, out: &Path) -> String {
    let o = agora()
        .arg("compare")
        .arg(file)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// Each policy's mean objective in each draw, recomputed from runs.csv.
fn means_by_draw(out: &Path) -> BTreeMap<(String, usize), f64> {
    let (h, rows) = table(&out.join("runs.csv"));
    let (p, d, y) = (col(&h, "policy"), col(&h, "draw"), col(&h, "total_revenue"));
    let mut sums: BTreeMap<(String, usize), (f64, f64)> = BTreeMap::new();
    for r in &rows {
        let e = sums
            .entry((r[p].clone(), r[d].parse().unwrap()))
            .or_default();
        e.0 += r[y].parse::<f64>().unwrap();
        e.1 += 1.0;
    }
    sums.into_iter().map(|(k, (s, n))| (k, s / n)).collect()
}

#[test]
fn when_the_best_fee_depends_on_an_unknown_constant_the_comparison_says_so() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    let stdout = compare(&price_case(dir.path(), [0.5, 0.5], ""), &out);
    // Two particles of equal weight, four draws: each particle twice, in particle order.
    let (h, rows) = table(&out.join("runs.csv"));
    let (d, k) = (col(&h, "draw"), col(&h, "behavior.fee_reference"));
    for r in &rows {
        let expected = if r[d].parse::<usize>().unwrap() < 2 {
            "30"
        } else {
            "3000"
        };
        assert_eq!(r[k], expected, "draw {} runs under its particle", r[d]);
    }
    assert_eq!(rows.len(), 2 * 4 * 3, "policies x draws x replicates");
    let means = means_by_draw(&out);
    // The case is what it was built to be: each fee is best under one of the constants.
    for draw in 0..4 {
        let (low, high) = (
            means[&("fee 20".to_string(), draw)],
            means[&("fee 200".to_string(), draw)],
        );
        if draw < 2 {
            assert!(low > high, "draw {draw}: fee 20 {low} vs fee 200 {high}");
        } else {
            assert!(high > low, "draw {draw}: fee 200 {high} vs fee 20 {low}");
        }
    }
    // robust.csv against the same numbers, recomputed here.
    let (h, rows) = table(&out.join("robust.csv"));
    for r in &rows {
        let name = &r[col(&h, "policy")];
        let mine: Vec<f64> = (0..4).map(|d| means[&(name.clone(), d)]).collect();
        let best: Vec<f64> = (0..4)
            .map(|d| means[&("fee 20".to_string(), d)].max(means[&("fee 200".to_string(), d)]))
            .collect();
        let regret: Vec<f64> = (0..4).map(|d| best[d] - mine[d]).collect();
        let num = |c: &str| r[col(&h, c)].parse::<f64>().unwrap();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
        assert!(close(num("objective_mean"), mine.iter().sum::<f64>() / 4.0));
        assert!(close(num("p_best"), 0.5), "{name} wins half the draws");
        assert!(close(num("regret_mean"), regret.iter().sum::<f64>() / 4.0));
        assert!(close(
            num("regret_max"),
            regret.iter().copied().fold(0.0, f64::max)
        ));
        assert!(close(num("top_order_share"), 0.5));
    }
    assert!(
        stdout.contains("the best policy depends on what is unknown"),
        "{stdout}"
    );
    // compare.csv: one value per replicate, its mean over the draws (the draws share seeds).
    let (h, rows) = table(&out.join("compare.csv"));
    for r in &rows {
        assert_eq!(r[col(&h, "replicates")], "3");
        let name = &r[col(&h, "policy")];
        let mean: f64 = r[col(&h, "total_revenue_mean")].parse().unwrap();
        let over: f64 = (0..4).map(|d| means[&(name.clone(), d)]).sum::<f64>() / 4.0;
        assert!((mean - over).abs() <= 1e-9 * over.abs().max(1.0), "{name}");
    }
}

#[test]
fn a_posterior_that_settles_the_constant_gives_a_stable_ranking() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    let stdout = compare(&price_case(dir.path(), [0.0, 1.0], ""), &out);
    let (h, rows) = table(&out.join("runs.csv"));
    let k = col(&h, "behavior.fee_reference");
    assert!(
        rows.iter().all(|r| r[k] == "3000"),
        "weight 0 is never drawn"
    );
    let (h, rows) = table(&out.join("robust.csv"));
    let high = rows.iter().find(|r| r[0] == "fee 200").unwrap();
    assert_eq!(high[col(&h, "rank")], "1");
    let num = |c: &str| high[col(&h, c)].parse::<f64>().unwrap();
    assert_eq!((num("p_best"), num("regret_max")), (1.0, 0.0));
    assert!(stdout.contains("the ranking holds"), "{stdout}");
    // Run again into its own folder: allowed, and the same files.
    let first = fs::read(out.join("robust.csv")).unwrap();
    compare(&dir.path().join("price.toml"), &out);
    assert_eq!(fs::read(out.join("robust.csv")).unwrap(), first);
}

#[test]
fn policies_share_random_numbers_within_a_draw() {
    // A third policy identical to the first: in every draw and replicate its run is the same
    // run, so its regret equals the first's and their paired difference is exactly 0.
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    let twin = "\n[[policies]]\nname = \"fee 20 again\"\nset = { \"entry.fee\" = 20.0 }\n";
    compare(&price_case(dir.path(), [0.5, 0.5], twin), &out);
    let (h, rows) = table(&out.join("runs.csv"));
    let key = |r: &Vec<String>| (r[col(&h, "draw")].clone(), r[col(&h, "replicate")].clone());
    let of = |name: &str| -> BTreeMap<_, _> {
        rows.iter()
            .filter(|r| r[0] == name)
            .map(|r| (key(r), r[col(&h, "final_members")].clone()))
            .collect()
    };
    assert_eq!(of("fee 20"), of("fee 20 again"));
    assert_ne!(of("fee 20"), of("fee 200"), "the fee does change the runs");
    let (h, rows) = table(&out.join("robust.csv"));
    let regret =
        |name: &str| rows.iter().find(|r| r[0] == name).unwrap()[col(&h, "regret_mean")].clone();
    assert_eq!(regret("fee 20"), regret("fee 20 again"));
}

fn refusal(dir: &Path, file: &Path, args: &[&str]) -> String {
    let o = agora()
        .arg("compare")
        .arg(file)
        .arg("--out")
        .arg(dir.join("refused"))
        .args(args)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(!dir.join("refused").join("robust.csv").exists());
    String::from_utf8(o.stderr).unwrap()
}

#[test]
fn bad_robust_comparisons_are_refused_naming_the_file_line_and_key() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let file = price_case(d, [0.5, 0.5], "");
    let text = fs::read_to_string(&file).unwrap();
    // A policy may not set what the posterior leaves uncertain.
    let bad = d.join("fixed.toml");
    fs::write(
        &bad,
        text.replace(
            "\"entry.fee\" = 200.0 }",
            "\"entry.fee\" = 200.0, \"behavior.fee_reference\" = 100.0 }",
        ),
    )
    .unwrap();
    let e = refusal(d, &bad, &[]);
    assert!(
        e.contains("fixed.toml") && e.contains("line 14") && e.contains("uncertain"),
        "{e}"
    );
    // A missing posterior is blamed on `robust.posterior`.
    let missing = d.join("missing.toml");
    fs::write(&missing, text.replace("posterior.csv", "nowhere.csv")).unwrap();
    let e = refusal(d, &missing, &[]);
    assert!(
        e.contains("robust.posterior") && e.contains("nowhere.csv"),
        "{e}"
    );
    // A bad weight names the posterior's line and column.
    fs::write(
        d.join("posterior.csv"),
        "behavior.fee_reference,weight,distance\n30,0.5,0.1\n3000,-1,0.2\n",
    )
    .unwrap();
    let e = refusal(d, &file, &[]);
    assert!(
        e.contains("posterior.csv") && e.contains("line 3") && e.contains("weight"),
        "{e}"
    );
    // A column that is not a scenario key.
    fs::write(
        d.join("posterior.csv"),
        "behavior.fee_refrence,weight,distance\n30,1,0.1\n",
    )
    .unwrap();
    let e = refusal(d, &file, &[]);
    assert!(e.contains("behavior.fee_refrence"), "{e}");
    // A table that holds an uncertain key counts as setting it.
    fs::write(
        d.join("posterior.csv"),
        "behavior.fee_reference,weight,distance\n30,0.5,0.1\n3000,0.5,0.2\n",
    )
    .unwrap();
    let table = d.join("table.toml");
    fs::write(
        &table,
        text.replace(
            "set = { \"population.size\" = 3000, days = 60,",
            "set = { \"population.size\" = 3000, days = 60, behavior = { fee_reference = 50.0 },",
        ),
    )
    .unwrap();
    let e = refusal(d, &table, &[]);
    assert!(e.contains("uncertain") && e.contains("line 6"), "{e}");
    // Values the scenario cannot take are blamed on the posterior, with the draw.
    for (cell, why) in [("-5", "out of range"), (".5", "not a TOML number")] {
        fs::write(
            d.join("posterior.csv"),
            format!("behavior.fee_reference,weight,distance\n{cell},1,0.1\n"),
        )
        .unwrap();
        let e = refusal(d, &file, &[]);
        assert!(
            e.contains("fee_reference")
                && (e.contains("robust.posterior") || e.contains("posterior.csv")),
            "{why}: {e}"
        );
    }
    // The seed is the file's, never a posterior's.
    fs::write(d.join("posterior.csv"), "seed,weight\n3,1\n").unwrap();
    let e = refusal(d, &file, &[]);
    assert!(e.contains("`seed` cannot vary"), "{e}");
    // Two columns for one key.
    fs::write(
        d.join("posterior.csv"),
        "behavior.fee_reference,behavior.fee_reference,weight\n30,40,1\n",
    )
    .unwrap();
    let e = refusal(d, &file, &[]);
    assert!(e.contains("is given twice"), "{e}");
    fs::write(
        d.join("posterior.csv"),
        "behavior.fee_reference,weight,distance\n30,0.5,0.1\n3000,0.5,0.2\n",
    )
    .unwrap();
    // The results may not replace the folder the posterior is in.
    let o = agora()
        .arg("compare")
        .arg(&file)
        .arg("--out")
        .arg(d)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let e = String::from_utf8(o.stderr).unwrap();
    assert!(e.contains("holds the posterior"), "{e}");
    assert!(d.join("posterior.csv").exists());
}

#[test]
fn a_comparison_runs_on_the_posterior_of_a_calibration() {
    // The whole path: calibrate word of mouth to a target, then rank two policies over what the
    // calibration left uncertain.
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let fan_club = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/brand-fan-club.toml");
    fs::write(
        d.join("cal.toml"),
        format!(
            r#"name = "wom"
base = "{}"
set = {{ "population.size" = 2000, days = 40 }}
replicates = 1

[observed]
targets = {{ final_members = {{ value = 150, sd = 30 }} }}

[[parameters]]
key = "acquisition.word_of_mouth"
prior = {{ uniform = [0.0, 0.2] }}

[abc]
particles = 20
generations = 1
"#,
            fan_club.display()
        ),
    )
    .unwrap();
    let o = agora()
        .arg("calibrate")
        .arg(d.join("cal.toml"))
        .arg("--out")
        .arg(d.join("cal"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    fs::write(
        d.join("robust.toml"),
        format!(
            r#"name = "launch"
base = "{}"
replicates = 2
set = {{ "population.size" = 2000, days = 40 }}

[[policies]]
name = "as it is"

[[policies]]
name = "referral reward"
set = {{ "incentives.referral_reward" = 5.0 }}

[robust]
posterior = "cal/posterior.csv"
draws = 5
"#,
            fan_club.display()
        ),
    )
    .unwrap();
    let out = d.join("out");
    let stdout = compare(&d.join("robust.toml"), &out);
    let (ph, particles) = table(&d.join("cal/posterior.csv"));
    let drawn_from: Vec<&String> = particles
        .iter()
        .map(|r| &r[col(&ph, "acquisition.word_of_mouth")])
        .collect();
    let (h, rows) = table(&out.join("runs.csv"));
    assert_eq!(rows.len(), 2 * 5 * 2);
    for r in &rows {
        assert!(drawn_from.contains(&&r[col(&h, "acquisition.word_of_mouth")]));
    }
    let (h, rows) = table(&out.join("robust.csv"));
    assert_eq!(rows.len(), 2);
    let p_best: f64 = rows
        .iter()
        .map(|r| r[col(&h, "p_best")].parse::<f64>().unwrap())
        .sum();
    assert!(
        (p_best - 1.0).abs() < 1e-12,
        "P(best) sums to one: {p_best}"
    );
    assert!(stdout.contains("over 5 posterior draws"), "{stdout}");
}

#[test]
fn a_robust_comparisons_daily_series_carry_the_draw_and_match_plain_runs() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let file = price_case(d, [0.5, 0.5], "");
    let out = d.join("out");
    let o = agora()
        .arg("compare")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .arg("--timeseries")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (h, rows) = table(&out.join("timeseries.csv"));
    assert_eq!(&h[..2], ["policy", "draw"], "{h:?}");
    assert_eq!(
        rows.len(),
        2 * 4 * 3 * 61,
        "policies x draws x replicates x days 0..60"
    );
    // Draw 2 is the particle fee_reference = 3000: the policy "fee 200" under it is a plain run
    // of the base with the comparison's settings, the policy's and the draw's.
    let plain = d.join("plain");
    let base =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/paid-knowledge-community.toml");
    let mut run = agora();
    run.arg("run").arg(&base).arg("--out").arg(&plain);
    for set in [
        "population.size=3000",
        "days=60",
        "population.segments.0.trait_spread=0.1",
        "population.segments.1.trait_spread=0.1",
        "population.segments.2.trait_spread=0.1",
        "entry.fee=200.0",
        "behavior.fee_reference=3000",
    ] {
        run.args(["--set", set]);
    }
    run.args(["--replicates", "3"]).assert().success();
    let (ph, prows) = table(&plain.join("timeseries.csv"));
    assert_eq!(
        &h[2..],
        &ph[..],
        "the columns of agora run after policy and draw"
    );
    let mine: Vec<&[String]> = rows
        .iter()
        .filter(|r| r[0] == "fee 200" && r[1] == "2")
        .map(|r| &r[2..])
        .collect();
    let theirs: Vec<&[String]> = prows.iter().map(|r| &r[..]).collect();
    assert_eq!(mine, theirs, "fee 200 under draw 2 against the plain run");
}

/// The price case with at most `max` replicates, added `replicates` (3) at a time.
fn price_case_up_to(dir: &Path, weights: [f64; 2], extra_policy: &str, max: u32) -> PathBuf {
    let file = price_case(dir, weights, extra_policy);
    let text = fs::read_to_string(&file).unwrap().replacen(
        "replicates = 3\n",
        &format!("replicates = 3\nmax_replicates = {max}\n"),
        1,
    );
    fs::write(&file, text).unwrap();
    file
}

fn until_separated(file: &Path, out: &Path) -> (String, usize) {
    let o = agora()
        .arg("compare")
        .arg(file)
        .arg("--out")
        .arg(out)
        .arg("--until-separated")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (_, rows) = table(&out.join("runs.csv"));
    (String::from_utf8(o.stdout).unwrap(), rows.len())
}

#[test]
fn until_separated_adds_replicates_to_a_robust_comparison_over_all_its_draws() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    // Every draw is the particle under which the low fee earns far more: the first 3
    // replicates separate it.
    let file = price_case_up_to(d, [1.0, 0.0], "", 9);
    let (stdout, rows) = until_separated(&file, &d.join("clear"));
    assert!(stdout.contains("separated: after 3 replicates"), "{stdout}");
    assert_eq!(rows, 2 * 4 * 3, "policies x draws x replicates");
    // Every draw favours the high fee, and a second policy is the same high fee: the best two
    // never separate, so every draw gets replicates up to max_replicates.
    let twin = "[[policies]]\nname = \"fee 200 again\"\nset = { \"entry.fee\" = 200.0 }\n";
    let file = price_case_up_to(d, [0.0, 1.0], twin, 9);
    let (stdout, rows) = until_separated(&file, &d.join("twins"));
    assert!(
        stdout.contains("not separated: at max_replicates = 9"),
        "{stdout}"
    );
    assert_eq!(rows, 3 * 4 * 9, "policies x draws x replicates");
}

/// The price case with priors instead of a posterior: the fee reference log-uniform over two
/// orders of magnitude and the renewal base uniform, and `draws` draws.
fn prior_case(dir: &Path, draws: u32) -> PathBuf {
    let text = fs::read_to_string(price_case(dir, [0.5, 0.5], "")).unwrap();
    let path = dir.join("priors.toml");
    let robust = format!(
        "[robust]\ndraws = {draws}\n\n[[robust.parameters]]\nkey = \"behavior.fee_reference\"\n\
         prior = {{ log_uniform = [30.0, 3000.0] }}\n\n[[robust.parameters]]\nkey = \
         \"behavior.renew_base\"\nprior = {{ uniform = [-1.0, 1.0] }}\n"
    );
    let head = &text[..text.find("[robust]").unwrap()];
    fs::write(&path, format!("{head}{robust}")).unwrap();
    path
}

#[test]
fn constants_nobody_calibrated_are_drawn_from_their_priors_as_a_latin_hypercube() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("out");
    let stdout = compare(&prior_case(dir.path(), 5), &out);
    let (h, rows) = table(&out.join("runs.csv"));
    assert_eq!(rows.len(), 2 * 5 * 3, "policies x draws x replicates");
    let draw_values = |key: &str| -> BTreeMap<usize, f64> {
        rows.iter()
            .map(|r| {
                (
                    r[col(&h, "draw")].parse().unwrap(),
                    r[col(&h, key)].parse().unwrap(),
                )
            })
            .collect()
    };
    // One draw in each fifth of every prior's mass: for the log-uniform, each fifth of
    // [ln 30, ln 3000]; for the uniform, each fifth of [-1, 1].
    let stratum = |x: f64, lo: f64, hi: f64| (((x - lo) / (hi - lo)) * 5.0).floor() as usize;
    let fee: Vec<usize> = draw_values("behavior.fee_reference")
        .values()
        .map(|x| stratum(x.ln(), 30f64.ln(), 3000f64.ln()))
        .collect();
    let renew: Vec<usize> = draw_values("behavior.renew_base")
        .values()
        .map(|&x| stratum(x, -1.0, 1.0))
        .collect();
    for strata in [fee, renew] {
        let mut sorted = strata.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            vec![0, 1, 2, 3, 4],
            "one draw per stratum: {strata:?}"
        );
    }
    // Every policy runs under the same draw with the same values.
    for r in &rows {
        let d: usize = r[col(&h, "draw")].parse().unwrap();
        let v: f64 = r[col(&h, "behavior.renew_base")].parse().unwrap();
        assert_eq!(v, draw_values("behavior.renew_base")[&d]);
    }
    assert!(stdout.contains("over 5 prior draws"), "{stdout}");
    // P(best) over the draws, recomputed from runs.csv.
    let means = means_by_draw(&out);
    let (h, rows) = table(&out.join("robust.csv"));
    let low_wins = (0..5)
        .filter(|&d| means[&("fee 20".to_string(), d)] > means[&("fee 200".to_string(), d)])
        .count();
    let low = rows.iter().find(|r| r[0] == "fee 20").unwrap();
    let p: f64 = low[col(&h, "p_best")].parse().unwrap();
    assert!(
        (p - low_wins as f64 / 5.0).abs() < 1e-12,
        "{p} against {low_wins} of 5"
    );
    // robust-keys.csv: the rank correlation of each key with the lead of the best policy over
    // the runner-up, recomputed by the formula for untied ranks, 1 − 6 Σ d² / (n (n² − 1)).
    let (kh, keys) = table(&out.join("robust-keys.csv"));
    assert_eq!(keys.len(), 2);
    let (best, runner) = (&keys[0][col(&kh, "best")], &keys[0][col(&kh, "runner_up")]);
    let rank_of = |name: &str| rows.iter().find(|r| r[0] == name).unwrap()[col(&h, "rank")].clone();
    assert_eq!((rank_of(best), rank_of(runner)), ("1".into(), "2".into()));
    let lead: Vec<f64> = (0..5)
        .map(|d| means[&(best.clone(), d)] - means[&(runner.clone(), d)])
        .collect();
    let ranks = |xs: &[f64]| -> Vec<f64> {
        xs.iter()
            .map(|x| xs.iter().filter(|y| *y < x).count() as f64)
            .collect()
    };
    for k in &keys {
        let values = draw_values(&k[col(&kh, "key")]);
        let v: Vec<f64> = (0..5).map(|d| values[&d]).collect();
        let (rv, rl) = (ranks(&v), ranks(&lead));
        let d2: f64 = rv.iter().zip(&rl).map(|(a, b)| (a - b).powi(2)).sum();
        let expected = 1.0 - 6.0 * d2 / (5.0 * 24.0);
        let got: f64 = k[col(&kh, "rank_correlation")].parse().unwrap();
        assert!(
            (got - expected).abs() < 1e-9,
            "{}: {got} against {expected}",
            k[0]
        );
    }
    // The report shows it: a section naming every key with its correlation.
    agora().arg("report").arg(&out).assert().success();
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("What the choice turns on"));
    for k in &keys {
        assert!(html.contains(&k[0]) && html.contains(&k[col(&kh, "rank_correlation")]));
    }
    // The same file draws the same values: byte-identical runs.
    let first = fs::read(out.join("runs.csv")).unwrap();
    compare(&dir.path().join("priors.toml"), &out);
    assert_eq!(fs::read(out.join("runs.csv")).unwrap(), first);
}

#[test]
fn bad_priors_in_a_robust_comparison_are_refused_naming_the_line_and_key() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let file = prior_case(d, 4);
    let text = fs::read_to_string(&file).unwrap();
    let refused = |name: &str, text: String| {
        let bad = d.join(name);
        fs::write(&bad, text).unwrap();
        let e = refusal(d, &bad, &[]);
        assert!(e.contains(name), "{e}");
        e
    };
    // A posterior and priors both, or neither.
    let e = refused(
        "both.toml",
        text.replace("draws = 4", "draws = 4\nposterior = \"posterior.csv\""),
    );
    assert!(e.contains("not both") && e.contains("robust"), "{e}");
    let head = &text[..text.find("[[robust.parameters]]").unwrap()];
    let e = refused("neither.toml", head.to_string());
    assert!(e.contains("say what is not known"), "{e}");
    // A prior that reaches values the scenario cannot take, however few of them: its lowest
    // 0.003% is below 0, where no draw of the four is likely to land; its end is checked.
    let e = refused(
        "negative.toml",
        text.replace("log_uniform = [30.0, 3000.0]", "uniform = [-0.1, 3000.0]"),
    );
    assert!(
        e.contains("robust.parameters.0.prior")
            && e.contains("fee_reference")
            && e.contains("end -0.1"),
        "{e}"
    );
    // A key that does not exist, a malformed prior, a key given two priors.
    let e = refused(
        "unknown.toml",
        text.replace("\"behavior.renew_base\"", "\"behavior.renew_bse\""),
    );
    assert!(
        e.contains("robust.parameters.1.key") && e.contains("line"),
        "{e}"
    );
    let e = refused(
        "shape.toml",
        text.replace("uniform = [-1.0, 1.0]", "uniform = [1.0, -1.0]"),
    );
    assert!(e.contains("robust.parameters.1.prior"), "{e}");
    let e = refused(
        "twice.toml",
        text.replace("\"behavior.renew_base\"", "\"behavior.fee_reference\""),
    );
    assert!(e.contains("is given twice"), "{e}");
    // A policy may not fix what a prior draws.
    let e = refused(
        "fixed.toml",
        text.replace(
            "\"entry.fee\" = 200.0 }",
            "\"entry.fee\" = 200.0, \"behavior.renew_base\" = 0.5 }",
        ),
    );
    assert!(
        e.contains("uncertain") && e.contains("robust.parameters.1.prior"),
        "{e}"
    );
}

#[test]
#[ignore = "not reproduced at the fitted constants (issue 29): with `visit_base` drawn on [-5, -1] (from the fitted default to the placeholder before the fit), at setting 1 (members who visit often and lapse fast) moderation keeps 1,097 fewer members than the paid group with a weekly topic night in draw 0 (margin 200); docs/MODEL.md §9.4"]
fn the_levers_directions_hold_over_the_constants_nobody_measured() {
    // The example of docs/MODEL.md §12: the launch strategies under 20 prior draws of the visit,
    // memory and quit constants, 10 replicates each, at both settings of the posting constants
    // and prepotency.
    for setting in common::SETTINGS {
        let dir = TempDir::new().unwrap();
        let out = dir.path().join("out");
        let file = common::example_at("robust-unmeasured", &setting, dir.path());
        compare(&file, &out);
        directions_hold(&out, &common::label(&setting));
    }
}

/// The three statements of the_levers_directions_hold_over_the_constants_nobody_measured, on
/// the runs in `out`.
fn directions_hold(out: &Path, setting: &str) {
    let (h, rows) = table(&out.join("runs.csv"));
    // metric[(policy, draw)] = values by replicate, in replicate order.
    let by = |metric: &str| -> BTreeMap<(String, usize), Vec<f64>> {
        let mut m: BTreeMap<(String, usize), Vec<(usize, f64)>> = BTreeMap::new();
        for r in &rows {
            m.entry((r[0].clone(), r[col(&h, "draw")].parse().unwrap()))
                .or_default()
                .push((
                    r[col(&h, "replicate")].parse().unwrap(),
                    r[col(&h, metric)].parse().unwrap(),
                ));
        }
        m.into_iter()
            .map(|(k, mut v)| {
                v.sort_by_key(|x| x.0);
                (k, v.into_iter().map(|x| x.1).collect())
            })
            .collect()
    };
    let (members, alive) = (by("final_members"), by("alive"));
    let draws = 20;
    let of =
        |m: &BTreeMap<(String, usize), Vec<f64>>, p: &str, d: usize| m[&(p.to_string(), d)].clone();
    let (free, app, moderated, paid) = (
        "free, no rules",
        "application",
        "ads banned, 2 moderators",
        "paid 49/yr + weekly topic night",
    );
    // Moderation keeps more members than every other strategy in every draw.
    for d in 0..draws {
        for other in [free, app, paid] {
            common::assert_greater(
                &of(&members, moderated, d),
                &of(&members, other, d),
                &format!("members, moderated against {other}, draw {d} ({setting})"),
            );
        }
    }
    // The application keeps more groups alive than free chat over the draws: per replicate, the
    // mean over the draws (they share the replicate's seed), paired.
    let over_draws = |p: &str| -> Vec<f64> {
        (0..10)
            .map(|r| (0..draws).map(|d| of(&alive, p, d)[r]).sum::<f64>() / draws as f64)
            .collect()
    };
    common::assert_greater(
        &over_draws(app),
        &over_draws(free),
        &format!("alive, application against free, over the draws ({setting})"),
    );
    // Whether free chat dies is not settled by them: it lives in most replicates of some draws
    // and in none of others.
    let free_alive: Vec<f64> = (0..draws)
        .map(|d| common::mean(&of(&alive, free, d)))
        .collect();
    assert!(
        free_alive.iter().any(|&a| a > 0.5) && free_alive.contains(&0.0),
        "free chat alive by draw ({setting}): {free_alive:?}"
    );
}
