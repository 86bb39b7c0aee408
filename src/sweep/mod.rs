//! `agora sweep`: a base scenario, axes of scenario keys, a design (grid, random or Latin
//! hypercube) of points over them, and replicates of every point.
//!
//! Seed rule: every run of a sweep uses the sweep's master seed `S` (the `seed` key, or the base
//! scenario's) and its replicate number `r`, so its random stream is `RunStream(S, r)`, exactly
//! the stream of replicate `r` of `agora run` on the point's scenario. Replicate r of every point
//! therefore shares its random numbers with replicate r of every other point (differences between
//! points are paired), and a point's results do not depend on which other points are in the sweep.

mod design;

use std::path::Path;

use toml_edit::Value;

use crate::batch::file::{check_scenario_key, read, Base};
use crate::batch::manifest::Manifest;
use crate::scenario::keys::{choice, spec_at, table, Kind, Rule, Settings, Table, Values};
use crate::scenario::{
    item_at, scenario_schema, value_text, Override, Scenario, ScenarioError, Schema,
};
pub use design::{latin_hypercube_strata, MAX_POINTS};

choice! {
    /// Which points of the axes a sweep runs.
    pub enum Sampling {
        /// Every combination of every axis's values.
        Grid = "grid",
        /// Points drawn independently and uniformly.
        Random = "random",
        /// Points stratified on every axis.
        LatinHypercube = "latin-hypercube",
    }
}

table! {
    /// A sweep file as written.
    pub(crate) struct SweepFile {
        name: String = String::new(), Rule::Name, "",
            "Name of the sweep; results go to `results/<name>/` by default.", required;
        base: String = String::new(), Rule::Any, "",
            "The base scenario file, relative to this file.", required;
        replicates: u32 = 1, Rule::closed(1.0, 1e6), "runs",
            "Replicates of every point; replicate r of every point uses the same random numbers.";
        sampling: Sampling = Sampling::Grid, Rule::Any, "",
            "`grid`: every combination of the axes' values; `random`: points drawn uniformly; \
             `latin-hypercube`: points stratified on every axis.";
        samples: u32 = 16, Rule::closed(1.0, MAX_POINTS as f64), "points",
            "Points of a `random` or `latin-hypercube` design.";
        seed: Option<u64> = None, Rule::closed(0.0, i64::MAX as f64), "",
            "Master seed of every run (absent: the base scenario's).";
        set: Settings = Settings::default(), Rule::Any, "",
            "Scenario keys fixed for every point, e.g. { \"population.size\" = 20000 }.";
        axes: Vec<AxisFile> = Vec::new(), Rule::Count { min: 1, max: 64 }, "",
            "The swept scenario keys, each with `values`, a `range` or a `log_range`.";
    }
}

table! {
    /// One swept key as written.
    pub(crate) struct AxisFile {
        key: String = String::new(), Rule::Any, "",
            "The scenario key swept, e.g. `entry.fee`.", required;
        values: Values = Values::default(), Rule::Any, "",
            "The values it takes, listed.";
        range: Option<RangeFile> = None, Rule::Any, "",
            "Evenly spaced values from `start` to `stop`.";
        log_range: Option<RangeFile> = None, Rule::Any, "",
            "Geometrically spaced values from `start` to `stop` (both above 0).";
    }
}

table! {
    /// A range of values as written.
    #[derive(Copy)]
    pub(crate) struct RangeFile {
        start: f64 = 0.0, Rule::closed(-1e12, 1e12), "", "First value.", required;
        stop: f64 = 1.0, Rule::closed(-1e12, 1e12), "", "Last value.", required;
        steps: u32 = 2, Rule::closed(1.0, MAX_POINTS as f64), "values",
            "Number of values on a grid (random designs draw between start and stop).", required;
    }
}

/// The schema of sweep files.
pub fn sweep_schema() -> Schema {
    Schema {
        keys: <SweepFile as Table>::KEYS,
        what: "sweep file",
    }
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

/// A validated sweep: its design and its points. Each point's scenario is built when it is
/// checked and again when it runs, so a grid of a million points does not hold a million
/// scenarios.
pub struct Sweep {
    pub name: String,
    pub base: Base,
    pub replicates: u32,
    pub sampling: Sampling,
    pub samples: u32,
    pub seed: u64,
    pub axes: Vec<Axis>,
    /// Each point's axis values, as TOML text, in axis order.
    pub points: Vec<Vec<String>>,
}

/// What checking every point found.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// Memory of the largest replicate of any point.
    pub max_bytes: u64,
    /// Agent-days of all the runs.
    pub agent_days: f64,
    /// Warnings about levers that cannot act, each once.
    pub warnings: Vec<String>,
}

/// Reads axis `i` of the file.
fn axis(base: &Base, i: usize, a: &AxisFile, sampling: Sampling) -> Result<Axis, ScenarioError> {
    let source = &base.source;
    let at = |f: &str| format!("axes.{i}.{f}");
    check_scenario_key(source, &at("key"), &a.key)?;
    if let Some(why) = not_sweepable(&a.key) {
        return Err(source.error(&at("key"), why, None));
    }
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
            return Err(source.error(&at("values"), "an axis needs at least one value", None));
        }
        AxisValues::List(arr.iter().map(value_text).collect())
    } else {
        let (r, log, name) = match (a.range, a.log_range) {
            (Some(r), _) => (r, false, "range"),
            (_, Some(r)) => (r, true, "log_range"),
            _ => unreachable!("exactly one is given"),
        };
        if log && (r.start <= 0.0 || r.stop <= 0.0) {
            return Err(source.error(&at(name), "a log range needs start and stop > 0", None));
        }
        if r.steps == 1 && r.start != r.stop && sampling == Sampling::Grid {
            return Err(source.error(
                &at(&format!("{name}.steps")),
                "a range of 1 step gives only its start: use steps = 2 or more, or `values`",
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
    let integer = spec_at(scenario_schema().keys, &a.key)
        .is_some_and(|s| matches!(s.kind, Kind::Integer | Kind::OptionalInteger));
    let axis = Axis {
        key: a.key.clone(),
        values,
        integer,
    };
    // A value twice on one axis gives points that are the same runs twice (a random design
    // draws between a range's ends, where steps do not matter).
    let listed = matches!(axis.values, AxisValues::List(_));
    let grid = if listed || sampling == Sampling::Grid {
        design::grid_values(&axis)
    } else {
        Vec::new()
    };
    if let Some(twice) = (1..grid.len()).find(|&k| grid[..k].contains(&grid[k])) {
        let (at_key, how) = match &axis.values {
            AxisValues::List(_) => (at("values"), "is listed twice".to_string()),
            AxisValues::Range { .. } => (
                at(if a.log_range.is_some() {
                    "log_range"
                } else {
                    "range"
                }),
                "comes twice: this whole-number key has fewer distinct values than the range's \
                 steps; use fewer steps"
                    .to_string(),
            ),
        };
        return Err(source.error(&at_key, format!("the value {} {how}", grid[twice]), None));
    }
    Ok(axis)
}

/// Why a scenario key cannot be an axis or be set by a batch file, if it cannot.
pub fn not_sweepable(key: &str) -> Option<&'static str> {
    match key {
        "seed" => Some(
            "`seed` cannot vary by point or policy: every run uses the file's own `seed` with \
             its replicate number, so that all share their random numbers; for more seeds, \
             raise `replicates`",
        ),
        "replicates" => {
            Some("`replicates` cannot vary by point or policy: write the file's own `replicates`")
        }
        _ => None,
    }
}

impl Sweep {
    /// Reads and validates a sweep file, its axes and its design; the points' scenarios are
    /// checked by [`Sweep::check`].
    pub fn load(path: &Path) -> Result<Sweep, ScenarioError> {
        let (source, raw): (_, SweepFile) = read(path, sweep_schema())?;
        let base = Base::load(source, path, &raw.base, raw.seed)?;
        let mut axes: Vec<Axis> = Vec::new();
        for (i, a) in raw.axes.iter().enumerate() {
            let axis = axis(&base, i, a, raw.sampling)?;
            let overlaps = |b: &Axis| {
                b.key == axis.key
                    || b.key.starts_with(&format!("{}.", axis.key))
                    || axis.key.starts_with(&format!("{}.", b.key))
            };
            if let Some(j) = axes.iter().position(overlaps) {
                return Err(base.source.error(
                    &format!("axes.{i}.key"),
                    format!(
                        "`{}` overlaps axis {j} (`{}`): one would overwrite the other; sweep each \
                         key once",
                        axis.key, axes[j].key
                    ),
                    None,
                ));
            }
            axes.push(axis);
        }
        if raw.sampling == Sampling::Grid && item_at(base.source.root(), "samples").is_some() {
            return Err(base.source.error(
                "samples",
                "`samples` sets the points of a `random` or `latin-hypercube` design; a grid \
                 runs every combination of the axes' values",
                None,
            ));
        }
        let points = design::points(&axes, raw.sampling, raw.samples, base.seed)
            .map_err(|m| base.source.error("axes", m, None))?;
        Ok(Sweep {
            name: raw.name,
            replicates: raw.replicates,
            sampling: raw.sampling,
            samples: raw.samples,
            seed: base.seed,
            base,
            axes,
            points,
        })
    }

    /// The scenario of point `p`: the base with `set`, the point's axis values, the sweep's
    /// seed and replicates. Errors name the axis that set the offending value.
    pub fn scenario(&self, p: usize) -> Result<Scenario, ScenarioError> {
        let values = &self.points[p];
        let overrides: Vec<Override> = self
            .axes
            .iter()
            .zip(values)
            .map(|(a, v)| Override {
                key: a.key.clone(),
                value: v.clone(),
            })
            .collect();
        // The axis that set a key, or whose key lies under it (a shares error is reported on
        // `population.segments` when an axis set `population.segments.0.share`).
        let origin_of = |key: &str| {
            self.axes
                .iter()
                .position(|a| {
                    key == a.key
                        || key.starts_with(&format!("{}.", a.key))
                        || a.key.starts_with(&format!("{key}."))
                })
                .map(|i| format!("axes.{i}.key"))
        };
        let context = format!("point {p} ({})", values.join(", "));
        self.base
            .item(&overrides, Some(self.replicates), &origin_of, &context)
    }

    /// Checks every point's scenario (in parallel, ticking `tick` for each), and measures what
    /// the sweep will need.
    pub fn check(&self, tick: &(dyn Fn() + Sync)) -> Result<Checked, ScenarioError> {
        use rayon::prelude::*;
        use std::hash::{Hash, Hasher};
        let parts: Vec<Result<(Checked, u64), ScenarioError>> = (0..self.points.len())
            .into_par_iter()
            .map(|p| {
                let s = self.scenario(p)?;
                tick();
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                s.to_toml().hash(&mut hasher);
                let checked = Checked {
                    max_bytes: crate::memory::replicate_bytes(&s),
                    agent_days: s.size() as f64 * s.days() as f64 * self.replicates as f64,
                    warnings: s.warnings().iter().map(|w| w.to_string()).collect(),
                };
                Ok((checked, hasher.finish()))
            })
            .collect();
        let mut checked = Checked::default();
        let mut seen = std::collections::HashMap::new();
        for (p, part) in parts.into_iter().enumerate() {
            let (part, fingerprint) = part?;
            if let Some(q) = seen.insert(fingerprint, p) {
                let same = self.scenario(q)?.to_toml() == self.scenario(p)?.to_toml();
                if same && self.sampling == Sampling::Grid {
                    return Err(self.base.source.error(
                        "axes",
                        format!(
                            "points {q} ({}) and {p} ({}) are the same scenario: the grid would \
                             run it twice",
                            self.points[q].join(", "),
                            self.points[p].join(", ")
                        ),
                        None,
                    ));
                }
            }
            checked.max_bytes = checked.max_bytes.max(part.max_bytes);
            checked.agent_days += part.agent_days;
            for w in part.warnings {
                if !checked.warnings.contains(&w) {
                    checked.warnings.push(w);
                }
            }
        }
        Ok(checked)
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
    /// The fingerprint that identifies this sweep for `--resume`: the resolved base, the set,
    /// the design, its axes, replicates and seed.
    fn manifest(&self, timeseries: bool) -> String {
        let mut m = Manifest::new("sweep", &self.name);
        m.set("replicates", self.replicates as i64);
        m.set("seed", self.seed.to_string());
        m.set("timeseries", timeseries);
        m.set("sampling", self.sampling.word());
        m.set("samples", self.samples as i64);
        let mut axes = toml_edit::Array::new();
        for a in &self.axes {
            let mut t = toml_edit::InlineTable::new();
            t.insert("key", a.key.as_str().into());
            match &a.values {
                AxisValues::List(v) => t.insert("values", v.join(", ").into()),
                &AxisValues::Range {
                    start,
                    stop,
                    steps,
                    log,
                } => t.insert(
                    "range",
                    format!(
                        "{start} to {stop} in {steps} steps{}",
                        if log { ", log" } else { "" }
                    )
                    .into(),
                ),
            };
            axes.push(t);
        }
        m.set("axes", axes);
        m.set_toml("base", &self.base.scenario.to_toml());
        m.text()
    }

    /// Runs every (point, replicate) not yet done, and writes `runs.csv`, `points.csv` (and
    /// `timeseries.csv`) to `dir`.
    pub fn run(
        &self,
        folder: &crate::folder::ResultsFolder,
        options: crate::batch::Options,
        checked: &Checked,
    ) -> anyhow::Result<()> {
        let timeseries = options.timeseries;
        use crate::batch::{metric_values, Batch, Progress, RunKey};
        use crate::metrics::Metrics;
        let scenario = |p: usize| self.scenario(p).map_err(anyhow::Error::from);
        let batch = Batch {
            dir: folder.dir().to_path_buf(),
            staging: folder.staging().to_path_buf(),
            scenario: &scenario,
            max_bytes: checked.max_bytes,
            lead: (0..self.points.len()).map(|p| p.to_string()).collect(),
            lead_header: "point",
            extra: self
                .points
                .iter()
                .map(|vals| vals.iter().map(|v| display_value(v)).collect())
                .collect(),
            extra_header: self.axes.iter().map(|a| a.key.clone()).collect(),
            manifest: self.manifest(timeseries),
            keep_timeseries: timeseries,
            budget: options.budget,
        };
        let mut done = batch.open(options.resume)?;
        let keys: Vec<RunKey> = (0..self.points.len())
            .flat_map(|item| (0..self.replicates).map(move |replicate| RunKey { item, replicate }))
            .collect();
        let progress = Progress::new(keys.len() as u64, "runs");
        if options.announce {
            progress.announce();
        }
        batch.run(&keys, &mut done, &progress)?;
        progress.finish();
        batch.finish(&done)?;

        // points.csv: per point, per metric, mean, sd and 95% CI over replicates.
        let mut header = vec!["point".to_string()];
        header.extend(batch.extra_header.iter().cloned());
        for m in Metrics::NAMES {
            for stat in ["mean", "sd", "ci_low", "ci_high"] {
                header.push(format!("{m}_{stat}"));
            }
        }
        let rows = batch.extra.iter().enumerate().map(|(p, extra)| {
            let mut row = vec![p.to_string()];
            row.extend(extra.iter().cloned());
            for i in 0..Metrics::NAMES.len() {
                let e = crate::stats::estimate(&metric_values(&done, p, i));
                row.extend([e.mean, e.sd, e.ci_low, e.ci_high].map(crate::export::cell));
            }
            row
        });
        crate::export::write_atomic(
            &folder.staging().join("points.csv"),
            &crate::export::csv_table(&header, rows)?,
        )
    }
}
