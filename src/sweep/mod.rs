//! `agora sweep`: a base scenario, axes of scenario keys, a design (grid, random or Latin
//! hypercube) of points over them, and replicates of every point.
//!
//! Seed rule: every run of a sweep uses the sweep's master seed `S` (the `seed` key, or the base
//! scenario's) and its replicate number `r`, so its random stream is `RunStream(S, r)`, exactly
//! the stream of replicate `r` of `agora run` on the point's scenario. Replicate r of every point
//! therefore shares its random numbers with replicate r of every other point (differences between
//! points are paired), and a point's results do not depend on which other points are in the sweep.

mod analysis;
mod checks;

use checks::{axis, check_design_keys, check_sensitivity_axes};
mod design;
mod run;
pub mod sensitivity;
mod tasks;

pub use tasks::list as task_list;

use std::path::Path;

use toml_edit::Value;

use crate::batch::file::{read, Base};
use crate::batch::manifest::Manifest;
use crate::scenario::keys::{choice, overlap, table, Rule, Settings, Table, Values};
use crate::scenario::{Override, Scenario, ScenarioError, Schema};
pub use design::{drawn_value, latin_hypercube_strata, MAX_POINTS};

choice! {
    /// Which points of the axes a sweep runs.
    pub enum Design {
        /// Every combination of every axis's values.
        Grid = "grid",
        /// Points drawn independently and uniformly.
        Random = "random",
        /// Points stratified on every axis.
        LatinHypercube = "latin-hypercube",
        /// Morris elementary-effects trajectories: which axes matter, cheaply.
        Morris = "morris",
        /// Saltelli's scheme for Sobol' indices: how much of each outcome's variance each axis
        /// explains.
        Sobol = "sobol",
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
        design: Design = Design::Grid, Rule::Any, "",
            "`grid`: every combination of the axes' values; `random`: points drawn uniformly; \
             `latin-hypercube`: points stratified on every axis; `morris`: elementary-effects \
             trajectories; `sobol`: Saltelli's scheme for Sobol' indices (see \
             `docs/SENSITIVITY.md`).";
        samples: u32 = 16, Rule::closed(1.0, MAX_POINTS as f64), "points",
            "Points of a `random` or `latin-hypercube` design; base rows N of a `sobol` design \
             (a power of 2).";
        trajectories: u32 = 10, Rule::closed(2.0, MAX_POINTS as f64), "trajectories",
            "`morris`: trajectories r; the design has r (k + 1) points for k axes.";
        candidates: Option<u64> = None, Rule::closed(3.0, 1000.0), "trajectories",
            "`morris`: draw this many trajectories and keep the `trajectories` most spread \
             over the unit cube (Campolongo et al. 2007, chosen greedily); absent: keep them \
             all.";
        levels: u32 = 4, Rule::closed(2.0, 1000.0), "levels",
            "`morris`: levels of the grid each axis moves on (even).";
        second_order: bool = false, Rule::Any, "",
            "`sobol`: also estimate second-order indices (N (2k + 2) points instead of N (k + 2)).";
        resamples: u32 = 1000, Rule::closed(10.0, 1e5), "resamples",
            "`morris` and `sobol`: bootstrap resamples of the indices' 95% intervals (at most \
             100,000: 10,000 already give the intervals' bootstrap SD within about 1%).";
        seed: Option<u64> = None, Rule::closed(0.0, i64::MAX as f64), "",
            "Master seed of every run (absent: the base scenario's).";
        set: Settings = Settings::default(), Rule::Any, "",
            "Scenario keys fixed for every point, e.g. { \"population.size\" = 20000 }.";
        axes: Vec<AxisFile> = Vec::new(), Rule::Count { min: 1, max: 64 }, "",
            "The swept scenario keys, each with `values`, a `range` or a `log_range`.", required;
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
    pub design: Design,
    pub samples: u32,
    pub seed: u64,
    pub axes: Vec<Axis>,
    /// Each point's axis values, as TOML text, in axis order.
    pub points: Vec<Vec<String>>,
    /// Where each point stands in a sensitivity design (`morris`, `sobol`).
    pub placement: Option<sensitivity::Placement>,
    /// Bootstrap resamples of the sensitivity indices' intervals.
    pub resamples: u32,
    /// The design's own sizes, as written (for the fingerprint).
    sizes: String,
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

/// The design's points, their placement in a sensitivity design, and its sizes as written.
type Built = (Vec<Vec<String>>, Option<sensitivity::Placement>, String);

/// Builds the design of a checked sweep file over its axes.
fn build_design(base: &Base, axes: &[Axis], raw: &SweepFile) -> Result<Built, ScenarioError> {
    let (points, placement) = match raw.design {
        Design::Morris | Design::Sobol => {
            let (unit, placement) = if raw.design == Design::Morris {
                let (unit, steps) = sensitivity::morris_design(
                    axes.len(),
                    raw.trajectories,
                    raw.candidates.map(|m| m as u32),
                    raw.levels,
                    base.seed,
                );
                (unit, sensitivity::Placement::Morris(steps))
            } else {
                sensitivity::sobol_design(
                    axes.len(),
                    raw.samples as usize,
                    raw.second_order,
                    base.seed,
                )
            };
            (design::from_unit(axes, unit), Some(placement))
        }
        _ => (
            design::points(axes, raw.design, raw.samples, base.seed)
                .map_err(|m| base.source.error("axes", m, None))?,
            None,
        ),
    };
    let sizes = match raw.design {
        Design::Morris => format!(
            "{} trajectories{}, {} levels",
            raw.trajectories,
            raw.candidates
                .map_or(String::new(), |m| format!(" of {m} candidates")),
            raw.levels
        ),
        Design::Sobol => format!(
            "N = {}{}",
            raw.samples,
            if raw.second_order {
                ", second order"
            } else {
                ""
            }
        ),
        _ => format!("{} samples", raw.samples),
    };
    Ok((points, placement, sizes))
}

/// Why a scenario key cannot be an axis or be set by a batch file, if it cannot.
pub fn not_sweepable(key: &str) -> Option<&'static str> {
    match key {
        "seed" => Some(
            "`seed` cannot vary by point or policy: every run uses the file's own `seed` with \
             its replicate number, so that all share their random numbers; for more seeds, \
             raise `replicates`",
        ),
        "name" => Some(
            "`name` only names the results folder and cannot vary by point or policy: every \
             run would be the same",
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
            let axis = axis(&base, i, a, raw.design)?;
            let overlaps = |b: &Axis| overlap(&b.key, &axis.key);
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
            if let Some(o) = base.set.iter().find(|o| overlap(&o.key, &axis.key)) {
                return Err(base.source.error(
                    &format!("axes.{i}.key"),
                    format!(
                        "`{}` is swept here and also fixed by `set` (`{}`): the axis would \
                         overwrite it; remove it from one",
                        axis.key, o.key
                    ),
                    None,
                ));
            }
            axes.push(axis);
        }
        check_design_keys(&base, &raw)?;
        check_sensitivity_axes(&base, &axes, &raw)?;
        let (points, placement, sizes) = build_design(&base, &axes, &raw)?;
        Ok(Sweep {
            name: raw.name,
            replicates: raw.replicates,
            design: raw.design,
            samples: raw.samples,
            seed: base.seed,
            base,
            axes,
            points,
            placement,
            resamples: raw.resamples,
            sizes,
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
                .position(|a| crate::scenario::keys::overlap(key, &a.key))
                .map(|i| format!("axes.{i}.key"))
        };
        let context = self.context(p);
        self.base
            .item(&overrides, Some(self.replicates), &origin_of, &context)
    }

    /// How a point is named in messages.
    fn context(&self, p: usize) -> String {
        format!("point {p} ({})", self.points[p].join(", "))
    }

    /// Checks every point's scenario (in parallel, ticking `tick` for each), and measures what
    /// the sweep will need. A warning that comes at many points is reported once, at the first,
    /// with the number of others.
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
                    warnings: s
                        .warnings()
                        .iter()
                        .map(|w| w.to_string().replacen(&self.context(p), "{point}", 1))
                        .collect(),
                };
                Ok((checked, hasher.finish()))
            })
            .collect();
        let mut checked = Checked::default();
        let mut seen = std::collections::HashMap::new();
        // Each warning with the point's name taken out, the first point, the other points.
        let mut classes: Vec<(String, usize, usize)> = Vec::new();
        for (p, part) in parts.into_iter().enumerate() {
            let (part, fingerprint) = part?;
            if let Some(q) = seen.insert(fingerprint, p) {
                let same = self.scenario(q)?.to_toml() == self.scenario(p)?.to_toml();
                if same && self.design == Design::Grid {
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
                match classes.iter().position(|(class, _, _)| *class == w) {
                    Some(i) => classes[i].2 += 1,
                    None => classes.push((w, p, 0)),
                }
            }
        }
        checked.warnings = classes
            .into_iter()
            .map(|(class, p, others)| {
                let text = class.replacen("{point}", &self.context(p), 1);
                match others {
                    0 => text,
                    1 => format!("{text} (and at 1 other point)"),
                    n => format!("{text} (and at {n} other points)"),
                }
            })
            .collect();
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
        m.set("design", self.design.word());
        m.set("samples", self.samples as i64);
        m.set("sizes", self.sizes.as_str());
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

    /// The columns that place a run in a sensitivity design.
    fn placement_header(&self) -> &'static [&'static str] {
        match &self.placement {
            Some(sensitivity::Placement::Morris(_)) => &["trajectory", "step", "moved", "delta"],
            Some(sensitivity::Placement::Sobol { .. }) => &["block", "row"],
            None => &[],
        }
    }

    /// Point `p`'s place in a sensitivity design: its trajectory, step, the axis it moved and by
    /// how much (unit scale), or its Saltelli block and base row.
    fn placement_cells(&self, p: usize) -> Vec<String> {
        match &self.placement {
            Some(sensitivity::Placement::Morris(steps)) => {
                let s = steps[p];
                vec![
                    s.trajectory.to_string(),
                    s.step.to_string(),
                    s.moved.map_or(String::new(), |i| self.axes[i].key.clone()),
                    if s.moved.is_some() {
                        s.delta.to_string()
                    } else {
                        String::new()
                    },
                ]
            }
            Some(sensitivity::Placement::Sobol { blocks, .. }) => {
                let (block, row) = blocks[p];
                let name = match block {
                    sensitivity::Block::A => "A".to_string(),
                    sensitivity::Block::B => "B".to_string(),
                    sensitivity::Block::AB(i) => format!("AB_{}", self.axes[i].key),
                    sensitivity::Block::BA(i) => format!("BA_{}", self.axes[i].key),
                };
                vec![name, row.to_string()]
            }
            None => Vec::new(),
        }
    }
}
