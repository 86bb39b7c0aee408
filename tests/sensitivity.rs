//! The sensitivity estimators agree with SALib's on the same outputs: Sobol' indices of the
//! Ishigami function and Morris measures of the Sobol' g-function, computed once with SALib 1.6
//! by `tests/reference/sensitivity/salib_reference.py` and committed beside it.

use std::path::Path;

use agora::sensitivity::{elementary_effects, morris, sobol, MorrisStep, Saltelli};

fn reference(name: &str) -> Vec<csv::StringRecord> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reference/sensitivity")
        .join(name);
    csv::Reader::from_path(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .records()
        .map(|r| r.unwrap())
        .collect()
}

fn number(r: &csv::StringRecord, i: usize) -> f64 {
    r[i].parse().unwrap()
}

/// Agreement of two estimates computed by the same formula from the same outputs: only
/// floating-point summation order differs.
fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn sobol_indices_of_the_ishigami_function_match_salib() {
    let y: Vec<f64> = reference("sobol_ishigami.csv")
        .iter()
        .map(|r| number(r, 0))
        .collect();
    // SALib's order, per base row: A, AB_1..AB_k, BA_1..BA_k, B.
    let k = 3;
    let step = 2 * k + 2;
    let column = |c: usize| y.iter().skip(c).step_by(step).copied().collect::<Vec<_>>();
    let o = Saltelli {
        a: column(0),
        ab: (0..k).map(|i| column(1 + i)).collect(),
        ba: (0..k).map(|i| column(1 + k + i)).collect(),
        b: column(step - 1),
    };
    let (singles, pairs) = sobol(&o, 1000, 1);
    let names = ["x1", "x2", "x3"];
    for r in reference("sobol_ishigami_indices.csv") {
        let i = names.iter().position(|n| *n == &r[0]).unwrap();
        if r[1].is_empty() {
            let (s1, st) = (number(&r, 2), number(&r, 3));
            assert!(
                same(singles[i].s1, s1),
                "S1 {}: {} vs SALib {s1}",
                &r[0],
                singles[i].s1
            );
            assert!(
                same(singles[i].st, st),
                "ST {}: {} vs SALib {st}",
                &r[0],
                singles[i].st
            );
        } else {
            let j = names.iter().position(|n| *n == &r[1]).unwrap();
            let s2 = number(&r, 4);
            let p = pairs.iter().find(|p| p.i == i && p.j == j).unwrap();
            assert!(same(p.s2, s2), "S2 {i},{j}: {} vs SALib {s2}", p.s2);
        }
    }
    // And they estimate the known indices (Ishigami, a = 7, b = 0.1): within their intervals'
    // reach at this small N.
    let exact_s1 = [0.3139, 0.4424, 0.0];
    let exact_st = [0.5576, 0.4424, 0.2437];
    for i in 0..k {
        let s = singles[i];
        assert!((s.s1 - exact_s1[i]).abs() < 2.0 * s.s1_ci, "S1 {i}: {s:?}");
        assert!((s.st - exact_st[i]).abs() < 2.0 * s.st_ci, "ST {i}: {s:?}");
    }
}

#[test]
fn morris_measures_of_the_g_function_match_salib() {
    let rows = reference("morris_g.csv");
    let k = 6;
    let x: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| (0..k).map(|i| number(r, i)).collect())
        .collect();
    let y: Vec<f64> = rows.iter().map(|r| number(r, k)).collect();
    // Place each point in its trajectory from the inputs alone: k + 1 points a trajectory,
    // each step moving one axis.
    let steps: Vec<MorrisStep> = (0..x.len())
        .map(|p| {
            let (trajectory, step) = (p / (k + 1), p % (k + 1));
            let moved = (step > 0).then(|| (0..k).find(|&i| x[p][i] != x[p - 1][i]).unwrap());
            MorrisStep {
                trajectory,
                step,
                moved,
                delta: moved.map_or(0.0, |i| x[p][i] - x[p - 1][i]),
            }
        })
        .collect();
    let ee = elementary_effects(k, &steps, &y);
    for r in reference("morris_g_indices.csv") {
        let i: usize = r[0][1..].parse::<usize>().unwrap() - 1;
        let m = morris(&ee[i], 1000, 1);
        let (mu, mu_star, sigma) = (number(&r, 1), number(&r, 2), number(&r, 3));
        assert!(same(m.mu, mu), "mu x{}: {} vs SALib {mu}", i + 1, m.mu);
        assert!(
            same(m.mu_star, mu_star),
            "mu* x{}: {} vs {mu_star}",
            i + 1,
            m.mu_star
        );
        assert!(
            same(m.sigma, sigma),
            "sigma x{}: {} vs {sigma}",
            i + 1,
            m.sigma
        );
    }
    // The g-function's importance falls with a: the screening ranks x1 > x2 > x3 > x4 > x5, x6.
    let mu_star: Vec<f64> = ee.iter().map(|e| morris(e, 10, 1).mu_star).collect();
    assert!(mu_star[0] > mu_star[1] && mu_star[1] > mu_star[2] && mu_star[2] > mu_star[3]);
    assert!(mu_star[3] > mu_star[4].max(mu_star[5]));
}

// ---- Sensitivity sweeps, end to end ----

use std::collections::BTreeMap;
use std::fs;

use tempfile::TempDir;

mod common;
use common::cli::agora;

/// A sensitivity sweep of the paid knowledge community (small and short) over the fee, the
/// content saturation constant, and `behavior.renew_price`, which cannot act in a 60-day run of
/// a 365-day membership: a dummy axis whose indices must be exactly 0.
fn sensitivity_sweep(dir: &std::path::Path, design: &str) -> std::path::PathBuf {
    let base =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/paid-knowledge-community.toml");
    let path = dir.join("sweep.toml");
    fs::write(
        &path,
        format!(
            r#"name = "what-matters-small"
base = "{}"
replicates = 2
{design}
set = {{ "population.size" = 3000, days = 60 }}
[[axes]]
key = "entry.fee"
range = {{ start = 0.0, stop = 200.0, steps = 2 }}
[[axes]]
key = "community.half_saturation"
log_range = {{ start = 5.0, stop = 20.0, steps = 2 }}
[[axes]]
key = "behavior.renew_price"
range = {{ start = 0.0, stop = 6.0, steps = 2 }}
"#,
            base.display()
        ),
    )
    .unwrap();
    path
}

/// Runs a sweep into `out` and returns its stdout.
fn sweep(file: &std::path::Path, out: &std::path::Path, threads: &str) -> String {
    let o = agora()
        .args(["sweep"])
        .arg(file)
        .arg("--out")
        .arg(out)
        .args(["--threads", threads])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// `runs.csv` as rows of named fields.
fn runs(out: &std::path::Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(out.join("runs.csv")).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|x| {
            header
                .iter()
                .cloned()
                .zip(x.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

/// A metric's mean over each point's replicates, recomputed from `runs.csv`, by point.
fn point_means(rows: &[BTreeMap<String, String>], metric: &str) -> BTreeMap<usize, f64> {
    let mut sums: BTreeMap<usize, (f64, f64)> = BTreeMap::new();
    for r in rows {
        let e = sums.entry(r["point"].parse().unwrap()).or_default();
        e.0 += r[metric].parse::<f64>().unwrap();
        e.1 += 1.0;
    }
    sums.into_iter().map(|(p, (s, n))| (p, s / n)).collect()
}

/// `sensitivity.csv` rows of `metric`, by axis (first-order rows only).
fn indices(out: &std::path::Path, metric: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(out.join("sensitivity.csv")).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|x| -> BTreeMap<String, String> {
            header
                .iter()
                .cloned()
                .zip(x.unwrap().iter().map(String::from))
                .collect()
        })
        .filter(|row| row["metric"] == metric && row.get("other_axis").is_none_or(|o| o.is_empty()))
        .map(|row| (row["axis"].clone(), row))
        .collect()
}

const AXES: [&str; 3] = [
    "entry.fee",
    "community.half_saturation",
    "behavior.renew_price",
];

#[test]
fn sobol_indices_recomputed_from_runs_csv_equal_sensitivity_csv_and_reruns_are_identical() {
    let dir = TempDir::new().unwrap();
    let file = sensitivity_sweep(dir.path(), "design = \"sobol\"\nsamples = 16");
    let out = dir.path().join("a");
    let printed = sweep(&file, &out, "2");
    assert!(printed.contains("which axes matter"), "{printed}");
    let rows = runs(&out);
    assert_eq!(
        rows.len(),
        16 * (3 + 2) * 2,
        "N (k + 2) points, 2 replicates"
    );
    // Rebuild the Saltelli matrices from the placement columns alone.
    let y = point_means(&rows, "final_members");
    let mut o = Saltelli {
        a: vec![0.0; 16],
        b: vec![0.0; 16],
        ab: vec![vec![0.0; 16]; 3],
        ba: Vec::new(),
    };
    for r in rows.iter().filter(|r| r["replicate"] == "0") {
        let (row, v): (usize, f64) = (r["row"].parse().unwrap(), y[&r["point"].parse().unwrap()]);
        match r["block"].as_str() {
            "A" => o.a[row] = v,
            "B" => o.b[row] = v,
            block => {
                let axis = block.strip_prefix("AB_").expect("A, B or AB_<axis>");
                o.ab[AXES.iter().position(|a| *a == axis).unwrap()][row] = v;
            }
        }
    }
    let (singles, _) = sobol(&o, 10, 1);
    let written = indices(&out, "final_members");
    for (i, axis) in AXES.iter().enumerate() {
        let w = &written[*axis];
        let (s1, st): (f64, f64) = (w["S1"].parse().unwrap(), w["ST"].parse().unwrap());
        assert!(
            same(singles[i].s1, s1) && same(singles[i].st, st),
            "{axis}: {w:?}"
        );
    }
    // The dummy axis changes nothing, run by run: its indices are exactly 0.
    let dummy = &written["behavior.renew_price"];
    assert_eq!((dummy["S1"].as_str(), dummy["ST"].as_str()), ("0", "0"));
    // The fee turns prospects away; it explains more than the dummy by far.
    assert!(written["entry.fee"]["ST"].parse::<f64>().unwrap() > 0.1);
    // A rerun, on one thread, writes the same bytes.
    let again = dir.path().join("b");
    sweep(&file, &again, "1");
    for f in ["runs.csv", "points.csv", "sensitivity.csv"] {
        assert_eq!(
            fs::read(out.join(f)).unwrap(),
            fs::read(again.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn morris_effects_recomputed_from_runs_csv_equal_sensitivity_csv() {
    let dir = TempDir::new().unwrap();
    let file = sensitivity_sweep(
        dir.path(),
        "design = \"morris\"\ntrajectories = 6\ncandidates = 30",
    );
    let out = dir.path().join("a");
    sweep(&file, &out, "2");
    let rows = runs(&out);
    assert_eq!(
        rows.len(),
        6 * (3 + 1) * 2,
        "r (k + 1) points, 2 replicates"
    );
    let y = point_means(&rows, "final_members");
    let mut effects: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let first: Vec<&BTreeMap<String, String>> =
        rows.iter().filter(|r| r["replicate"] == "0").collect();
    for pair in first.windows(2) {
        let (prev, here) = (pair[0], pair[1]);
        if here["moved"].is_empty() {
            continue;
        }
        assert_eq!(here["trajectory"], prev["trajectory"]);
        let delta: f64 = here["delta"].parse().unwrap();
        let (p0, p1): (usize, usize) = (
            prev["point"].parse().unwrap(),
            here["point"].parse().unwrap(),
        );
        effects
            .entry(here["moved"].clone())
            .or_default()
            .push((y[&p1] - y[&p0]) / delta);
    }
    let written = indices(&out, "final_members");
    for axis in AXES {
        let m = morris(&effects[axis], 10, 1);
        let w = &written[axis];
        let (mu, mu_star): (f64, f64) = (w["mu"].parse().unwrap(), w["mu_star"].parse().unwrap());
        assert!(
            same(m.mu, mu) && same(m.mu_star, mu_star),
            "{axis}: {w:?} vs {m:?}"
        );
        assert_eq!(effects[axis].len(), 6, "one effect a trajectory");
    }
    assert_eq!(written["behavior.renew_price"]["mu_star"], "0");
    assert!(written["entry.fee"]["mu_star"].parse::<f64>().unwrap() > 0.0);
}

/// The one-paragraph error `agora sweep` gives for a sweep file with `design_keys`.
fn refusal(design_keys: &str) -> String {
    let dir = TempDir::new().unwrap();
    let file = sensitivity_sweep(dir.path(), design_keys);
    refused(&file, &dir.path().join("o"))
}

/// Runs the sweep `file`, expects it refused, and returns its one-paragraph error.
fn refused(file: &std::path::Path, out: &std::path::Path) -> String {
    let o = agora()
        .arg("sweep")
        .arg(file)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let e = String::from_utf8(o.stderr).unwrap();
    assert!(!o.status.success(), "{} was accepted", file.display());
    assert!(
        !e.contains("panicked") && e.trim_end().lines().count() == 1,
        "{e}"
    );
    e
}

#[test]
fn sizes_and_keys_a_design_cannot_use_are_refused_with_what_would_do() {
    let e = refusal("design = \"sobol\"\nsamples = 100");
    assert!(e.contains("`samples`") && e.contains("64 or 128"), "{e}");
    let e = refusal("design = \"sobol\"\nsamples = 1");
    assert!(e.contains("use 2"), "{e}");
    let e = refusal("design = \"morris\"\nlevels = 5");
    assert!(e.contains("`levels`") && e.contains("4 or 6"), "{e}");
    let e = refusal("design = \"morris\"\nsamples = 16");
    assert!(e.contains("`samples` applies to"), "{e}");
    let e = refusal("design = \"grid\"\ntrajectories = 4");
    assert!(
        e.contains("`trajectories` applies to a `morris` design"),
        "{e}"
    );
    let e = refusal("design = \"morris\"\ntrajectories = 6\ncandidates = 6");
    assert!(
        e.contains("`candidates`") && e.contains("more candidates than trajectories"),
        "{e}"
    );
    let e = refusal("design = \"sobol\"\ncandidates = 20");
    assert!(
        e.contains("`candidates` applies to a `morris` design"),
        "{e}"
    );
    let e = refusal("design = \"morris\"\nsecond_order = true");
    assert!(
        e.contains("`second_order` applies to a `sobol` design"),
        "{e}"
    );
    let e = refusal("design = \"sobol\"\nsamples = 262144\nsecond_order = true");
    assert!(e.contains("more than the 1000000"), "{e}");
}

/// The error for a sensitivity sweep over `axes` (TOML of `[[axes]]` tables) with `design_keys`.
fn refusal_axes(design_keys: &str, axes: &str) -> String {
    let dir = TempDir::new().unwrap();
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/brand-fan-club.toml");
    let file = dir.path().join("sweep.toml");
    fs::write(
        &file,
        format!(
            "name = \"x\"\nbase = \"{}\"\n{design_keys}\nset = {{ days = 20, \"population.size\" = 1000 }}\n{axes}",
            base.display()
        ),
    )
    .unwrap();
    refused(&file, &dir.path().join("o"))
}

#[test]
fn axes_a_sensitivity_design_cannot_read_are_refused_and_range_ends_are_exact() {
    let wom = "[[axes]]\nkey = \"acquisition.word_of_mouth\"\n";
    let e = refusal_axes(
        "design = \"morris\"",
        &format!("{wom}range = {{ start = 0.12, stop = 0.03, steps = 2 }}\n"),
    );
    assert!(e.contains("start = 0.03, stop = 0.12"), "{e}");
    let e = refusal_axes(
        "design = \"sobol\"",
        &format!("{wom}range = {{ start = 0.05, stop = 0.05, steps = 2 }}\n"),
    );
    assert!(e.contains("does not vary"), "{e}");
    let e = refusal_axes(
        "design = \"morris\"",
        &format!("{wom}values = [0.03, 0.06, 0.12]\n"),
    );
    assert!(e.contains("levels = 4") && e.contains("lists 3"), "{e}");
    let e = refusal_axes(
        "design = \"sobol\"\nsecond_order = true",
        &format!("{wom}range = {{ start = 0.03, stop = 0.12, steps = 2 }}\n"),
    );
    assert!(e.contains("two axes"), "{e}");
    // A log range up to a key's upper limit reaches it exactly, and is accepted.
    let dir = TempDir::new().unwrap();
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/brand-fan-club.toml");
    let file = dir.path().join("edge.toml");
    fs::write(
        &file,
        format!(
            "name = \"edge\"\nbase = \"{}\"\ndesign = \"morris\"\ntrajectories = 4\nset = {{ days = 20, \"population.size\" = 1000 }}\n[[axes]]\nkey = \"incentives.badges.esteem\"\nlog_range = {{ start = 0.1, stop = 10.0, steps = 2 }}\n{wom}range = {{ start = 0.03, stop = 0.12, steps = 2 }}\n",
            base.display()
        ),
    )
    .unwrap();
    let out = dir.path().join("o");
    sweep(&file, &out, "2");
    let values: Vec<String> = runs(&out)
        .iter()
        .map(|r| r["incentives.badges.esteem"].clone())
        .collect();
    // The four levels of a log range from 0.1 to 10: 10^(−1 + 2l/3), to 12 digits.
    let levels = ["0.1", "0.464158883361", "2.15443469003", "10"];
    assert!(
        values.iter().all(|v| levels.contains(&v.as_str())),
        "{values:?}"
    );
    assert!(values.iter().any(|v| v == "10"), "the upper end is reached");
}
