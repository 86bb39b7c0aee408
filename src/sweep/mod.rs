//! `agora sweep`: a base scenario, axes of scenario keys, a design (grid, random or Latin
//! hypercube) of points over them, and replicates of every point.
//!
//! Seed rule: every run of a sweep uses the sweep's master seed `S` (the `seed` key, or the base
//! scenario's) and its replicate number `r`, so its random stream is `RunStream(S, r)`, exactly
//! the stream of replicate `r` of `agora run` on the point's scenario. Replicate r of every point
//! therefore shares its random numbers with replicate r of every other point (differences between
//! points are paired), and a point's results do not depend on which other points are in the sweep.

mod design;

use std::path::{Path, PathBuf};

use serde::de::IgnoredAny;
use serde::Deserialize;
use toml_edit::{Item, Value};

pub(crate) use crate::scenario::item_at;
use crate::scenario::{
    generic_path, load_source, nearest_key, valid_keys, Origin, Override, Scenario, ScenarioError,
    TomlSource,
};
pub use design::{latin_hypercube_strata, Sampling};

/// A sweep file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepFile {
    name: String,
    base: String,
    #[serde(default = "one")]
    replicates: u32,
    #[serde(default)]
    sampling: Sampling,
    #[serde(default = "default_samples")]
    samples: u32,
    #[serde(default)]
    seed: Option<u64>,
    /// Fixed overrides applied to the base before the axes (read from the document).
    #[serde(default)]
    #[allow(dead_code)]
    set: Option<IgnoredAny>,
    #[serde(default)]
    axes: Vec<AxisFile>,
}

fn one() -> u32 {
    1
}
fn default_samples() -> u32 {
    16
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AxisFile {
    key: String,
    /// A list of values (read from the document, as TOML).
    #[serde(default)]
    #[allow(dead_code)]
    values: Option<IgnoredAny>,
    #[serde(default)]
    range: Option<RangeFile>,
    #[serde(default)]
    log_range: Option<RangeFile>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
struct RangeFile {
    start: f64,
    stop: f64,
    steps: u32,
}

/// The keys a sweep file may have.
pub fn sweep_keys() -> Vec<String> {
    [
        "name",
        "base",
        "replicates",
        "sampling",
        "samples",
        "seed",
        "set",
        "axes",
        "axes.N.key",
        "axes.N.values",
        "axes.N.range",
        "axes.N.range.start",
        "axes.N.range.stop",
        "axes.N.range.steps",
        "axes.N.log_range",
        "axes.N.log_range.start",
        "axes.N.log_range.stop",
        "axes.N.log_range.steps",
    ]
    .map(String::from)
    .to_vec()
}

/// What an axis ranges over.
#[derive(Debug, Clone, PartialEq)]
pub enum AxisValues {
    /// Listed values, each as TOML text.
    List(Vec<String>),
    /// `steps` evenly spaced values from `start` to `stop` (geometrically when `log`).
    Range {
        start: f64,
        stop: f64,
        steps: u32,
        log: bool,
    },
}

/// One swept scenario key.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub key: String,
    pub values: AxisValues,
    /// Whether the key holds whole numbers (drawn values are rounded).
    pub integer: bool,
}

/// A validated sweep: its points, each a scenario.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub name: String,
    pub base_path: PathBuf,
    pub replicates: u32,
    pub sampling: Sampling,
    pub seed: u64,
    pub axes: Vec<Axis>,
    /// Each point's axis values, as TOML text, in axis order.
    pub points: Vec<Vec<String>>,
    /// Each point's scenario.
    pub scenarios: Vec<Scenario>,
    /// The fixed overrides of `set`.
    pub set: Vec<Override>,
}

/// A TOML value as text, without surrounding whitespace or comments.
pub(crate) fn value_text(v: &Value) -> String {
    let mut v = v.clone();
    v.decor_mut().clear();
    v.to_string()
}

/// The `set = { key = value, ... }` table of a file, as overrides, checked against scenario keys.
pub(crate) fn read_set(source: &TomlSource, at: &str) -> Result<Vec<Override>, ScenarioError> {
    let Some(item) = item_at(source.root(), at) else {
        return Ok(Vec::new());
    };
    let pairs: Vec<(String, Value)> = match &item {
        Item::Table(t) => t
            .iter()
            .filter_map(|(k, v)| v.as_value().map(|v| (k.to_string(), v.clone())))
            .collect(),
        Item::Value(Value::InlineTable(t)) => {
            t.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
        }
        _ => return Err(source.error(at, "expected a table of scenario keys and values", None)),
    };
    let mut out = Vec::new();
    for (key, value) in pairs {
        check_scenario_key(source, &format!("{at}.{key}"), &key)?;
        out.push(Override {
            key,
            value: value_text(&value),
        });
    }
    Ok(out)
}

/// Errors unless `key` names a scenario key; `at` is where the file writes it.
pub(crate) fn check_scenario_key(
    source: &TomlSource,
    at: &str,
    key: &str,
) -> Result<(), ScenarioError> {
    let keys = valid_keys();
    let generic = generic_path(key);
    if keys.contains(&generic) {
        return Ok(());
    }
    let mut err = source.error(
        at,
        format!("`{key}` is not a scenario key"),
        nearest_key(key, keys),
    );
    err.key = at.to_string();
    Err(err)
}

/// Re-attributes an error in a point's scenario to the line of the sweep or comparison file that
/// set the offending value (`origin_of` maps a scenario key to where it was set).
pub(crate) fn blame(
    source: &TomlSource,
    err: ScenarioError,
    origin_of: &dyn Fn(&str) -> Option<String>,
    context: &str,
) -> ScenarioError {
    if err.origin != Origin::Override {
        return err;
    }
    match origin_of(&err.key) {
        Some(at) => {
            let mut e = source.error(
                &at,
                format!("{context}: `{}`: {}", err.key, err.message),
                err.suggestion,
            );
            e.key = at;
            e
        }
        None => err,
    }
}

impl Sweep {
    /// Reads and validates a sweep file and every point's scenario.
    pub fn load(path: &Path) -> Result<Sweep, ScenarioError> {
        let source = TomlSource::read(path, "sweep")?;
        let raw: SweepFile = source.deserialize(source.to_mut(), &sweep_keys(), &|_| false)?;
        if raw.replicates == 0 {
            return Err(source.error("replicates", "expected at least 1 replicate, found 0", None));
        }
        if raw.axes.is_empty() {
            return Err(source.error("axes", "a sweep needs at least one [[axes]]", None));
        }
        if let Some(problem) = crate::scenario::results_name_problem(&raw.name) {
            return Err(source.error("name", problem, None));
        }
        let base_path = path.parent().unwrap_or(Path::new(".")).join(&raw.base);
        let base_source = TomlSource::read(&base_path, "base scenario").map_err(|mut e| {
            if e.origin == Origin::File {
                let blamed = source.error("base", e.message.clone(), None);
                e = ScenarioError {
                    file: blamed.file,
                    origin: blamed.origin,
                    key: "base".into(),
                    ..e
                };
            }
            e
        })?;
        let set = read_set(&source, "set")?;
        let base = load_source(&base_source, &set)
            .map_err(|e| blame(&source, e, &|k| Some(format!("set.{k}")), "in `set`"))?;
        let seed = raw.seed.unwrap_or(base.seed);
        let resolved = toml_edit::ser::to_document(&base).expect("a scenario serialises");

        let mut axes = Vec::new();
        for (i, a) in raw.axes.iter().enumerate() {
            let at = |f: &str| format!("axes.{i}.{f}");
            check_scenario_key(&source, &at("key"), &a.key)?;
            let list = item_at(source.root(), &at("values"));
            let given = [list.is_some(), a.range.is_some(), a.log_range.is_some()];
            if given.iter().filter(|&&g| g).count() != 1 {
                return Err(source.error(
                    &at("key"),
                    "an axis needs exactly one of `values`, `range` or `log_range`",
                    None,
                ));
            }
            let values = if let Some(item) = list {
                let Some(Value::Array(arr)) = item.as_value() else {
                    return Err(source.error(&at("values"), "expected a list of values", None));
                };
                if arr.is_empty() {
                    return Err(source.error(
                        &at("values"),
                        "an axis needs at least one value",
                        None,
                    ));
                }
                AxisValues::List(arr.iter().map(value_text).collect())
            } else {
                let (r, log, name) = match (a.range, a.log_range) {
                    (Some(r), _) => (r, false, "range"),
                    (_, Some(r)) => (r, true, "log_range"),
                    _ => unreachable!("exactly one is given"),
                };
                if r.steps == 0 {
                    return Err(source.error(
                        &at(&format!("{name}.steps")),
                        "expected at least 1 step",
                        None,
                    ));
                }
                if !(r.start.is_finite() && r.stop.is_finite())
                    || (log && (r.start <= 0.0 || r.stop <= 0.0))
                {
                    return Err(source.error(
                        &at(name),
                        if log {
                            "a log range needs finite start and stop > 0"
                        } else {
                            "expected finite start and stop"
                        },
                        None,
                    ));
                }
                AxisValues::Range {
                    start: r.start,
                    stop: r.stop,
                    steps: r.steps,
                    log,
                }
            };
            let integer = matches!(
                item_at(resolved.as_item(), &a.key)
                    .as_ref()
                    .and_then(Item::as_value),
                Some(Value::Integer(_))
            );
            axes.push(Axis {
                key: a.key.clone(),
                values,
                integer,
            });
        }

        let points = design::points(&axes, raw.sampling, raw.samples, seed)
            .map_err(|m| source.error("samples", m, None))?;
        let mut scenarios = Vec::with_capacity(points.len());
        for (p, values) in points.iter().enumerate() {
            let mut overrides = set.clone();
            overrides.extend(axes.iter().zip(values).map(|(a, v)| Override {
                key: a.key.clone(),
                value: v.clone(),
            }));
            overrides.push(Override {
                key: "seed".into(),
                value: seed.to_string(),
            });
            overrides.push(Override {
                key: "replicates".into(),
                value: raw.replicates.to_string(),
            });
            let origin_of = |key: &str| {
                axes.iter()
                    .position(|a| key == a.key || key.starts_with(&format!("{}.", a.key)))
                    .map(|i| format!("axes.{i}.key"))
                    .or_else(|| {
                        set.iter()
                            .any(|o| key == o.key)
                            .then(|| format!("set.{key}"))
                    })
            };
            let s = load_source(&base_source, &overrides).map_err(|e| {
                blame(
                    &source,
                    e,
                    &origin_of,
                    &format!("point {p} ({})", values.join(", ")),
                )
            })?;
            scenarios.push(s);
        }
        Ok(Sweep {
            name: raw.name,
            base_path,
            replicates: raw.replicates,
            sampling: raw.sampling,
            seed,
            axes,
            points,
            scenarios,
            set,
        })
    }
}

/// Text shown in CSV for an axis value: TOML strings lose their quotes.
fn display_value(toml: &str) -> String {
    toml.parse::<Value>()
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| toml.to_string())
}

impl Sweep {
    /// The manifest that identifies this sweep for `--resume`: every point's resolved scenario.
    fn manifest(&self, timeseries: bool) -> String {
        let mut m = format!("sweep {}\ntimeseries {timeseries}\n", self.name);
        for s in &self.scenarios {
            m.push_str(&crate::scenario::resolved_toml(&Scenario {
                replicates: 1,
                ..s.clone()
            }));
            m.push_str("\n---\n");
        }
        m
    }

    /// Runs every (point, replicate) not yet done, and writes `runs.csv`, `points.csv` (and
    /// `timeseries.csv`) to `dir`.
    pub fn run(&self, dir: &Path, resume: bool, timeseries: bool) -> anyhow::Result<()> {
        use crate::batch::{csv_field, Batch, Progress, RunKey};
        let batch = Batch {
            dir: dir.to_path_buf(),
            scenarios: &self.scenarios,
            lead: (0..self.points.len()).map(|p| p.to_string()).collect(),
            lead_header: "point",
            extra: self
                .points
                .iter()
                .map(|vals| {
                    vals.iter()
                        .map(|v| csv_field(&display_value(v)))
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .collect(),
            extra_header: self
                .axes
                .iter()
                .map(|a| csv_field(&a.key))
                .collect::<Vec<_>>()
                .join(","),
            manifest: self.manifest(timeseries),
            keep_timeseries: timeseries,
        };
        let mut done = batch.open(resume)?;
        let keys: Vec<RunKey> = (0..self.points.len())
            .flat_map(|item| (0..self.replicates).map(move |replicate| RunKey { item, replicate }))
            .collect();
        let progress = Progress::new(keys.len() as u64, "runs");
        batch.run(&keys, &mut done, &progress)?;
        progress.finish();
        batch.finish(&done)?;

        // points.csv: per point, per metric, mean, sd and 95% CI over replicates.
        let mut header = format!("point,{}", batch.extra_header);
        for m in crate::metrics::Summary::METRICS {
            header.push_str(&format!(",{m}_mean,{m}_sd,{m}_ci_low,{m}_ci_high"));
        }
        let mut out = header + "\n";
        for (p, extra) in batch.extra.iter().enumerate() {
            out.push_str(&format!("{p},{extra}"));
            for (i, _) in crate::metrics::Summary::METRICS.iter().enumerate() {
                let values = crate::batch::metric_values(&done, p, i);
                let e = crate::stats::estimate(&values);
                out.push_str(&format!(",{},{},{},{}", e.mean, e.sd, e.ci_low, e.ci_high));
            }
            out.push('\n');
        }
        crate::export::write_atomic(&dir.join("points.csv"), out.as_bytes())?;
        batch.clean()
    }
}
