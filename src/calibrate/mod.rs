//! `agora calibrate`: the behaviour constants (or any scenario keys) that make the model
//! reproduce what was observed, as a posterior distribution found by ABC-SMC ([`abc`]).
//!
//! A calibration file names a base scenario, the observed data (a daily series in a CSV file
//! with timeseries.csv columns, and/or summary targets with a tolerance), the parameters with
//! their priors, and the ABC settings. Each particle is simulated `replicates` times, on random
//! streams of its own, and compared through their mean.
//!
//! Distance (documented in `docs/CALIBRATION.md`): each observed column c contributes the mean,
//! over the observed days, of ((simulated − observed) / s_c)², s_c the standard deviation of the
//! observed column (its mean's size, at least 1, for a constant column); each target m
//! contributes ((simulated − value) / sd)²; the distance is the square root of the mean of these
//! contributions.

pub mod abc;
pub(crate) mod observed;
mod output;
mod records;
mod run;
pub(crate) mod tasks;

use std::path::{Path, PathBuf};

use toml_edit::{Item, Value};

use crate::batch::file::{check_scenario_key, read, Base};
use crate::metrics::Metrics;
use crate::scenario::keys::{overlap, table, within, Rule, Settings, Table};
use crate::scenario::{item_at, Override, Scenario, ScenarioError, Schema, TomlSource};
use abc::Prior;
pub use observed::Observed;
pub use run::run;

table! {
    /// A calibration file as written.
    pub(crate) struct CalibrationFile {
        name: String = String::new(), Rule::Name, "",
            "Name of the calibration; results go to `results/<name>/` by default.", required;
        base: String = String::new(), Rule::Any, "",
            "The base scenario file, relative to this file.", required;
        replicates: u32 = 4, Rule::closed(1.0, 1e4), "runs",
            "Simulations of every particle (each on random streams of its own); the particle is \
             compared through their mean.";
        seed: Option<u64> = None, Rule::closed(0.0, i64::MAX as f64), "",
            "Master seed of the simulations and of the ABC draws (absent: the base scenario's).";
        set: Settings = Settings::default(), Rule::Any, "",
            "Scenario keys fixed for every particle, e.g. { \"population.size\" = 20000 }.";
        observed: ObservedFile = ObservedFile::default(), Rule::Any, "",
            "What was observed: a daily series and/or summary targets.", required;
        parameters: Vec<ParameterFile> = Vec::new(), Rule::Count { min: 1, max: 32 }, "",
            "The calibrated scenario keys, each with its prior.", required;
        abc: AbcFile = AbcFile::default(), Rule::Any, "",
            "Settings of the ABC-SMC algorithm.";
        also: Vec<AlsoFile> = Vec::new(), Rule::Count { min: 0, max: 16 }, "",
            "More scenarios calibrated at once, each with its own base, `set` and observed data: \
             every particle's parameters apply to all of them, and their terms enter one \
             distance.";
    }
}

table! {
    /// One more scenario of a joint calibration, as written.
    pub(crate) struct AlsoFile {
        name: String = String::new(), Rule::Any, "",
            "Its label in the outputs (absent: its base scenario's `name`).";
        base: String = String::new(), Rule::Any, "",
            "Its base scenario file, relative to this file.", required;
        set: Settings = Settings::default(), Rule::Any, "",
            "Scenario keys fixed for every particle of this scenario.";
        observed: ObservedFile = ObservedFile::default(), Rule::Any, "",
            "What was observed of this scenario: a daily series and/or summary targets.",
            required;
    }
}

table! {
    /// The observed data as written.
    pub(crate) struct ObservedFile {
        file: String = String::new(), Rule::Any, "",
            "A CSV file (relative to this file) with a `day` column and columns named as in \
             timeseries.csv, one row per observed day.";
        columns: Vec<String> = Vec::new(), Rule::Any, "",
            "The columns of `file` to match (absent: all but `day`).";
        weekly: String = String::new(), Rule::Any, "",
            "A CSV file (relative to this file) with a `week` column and columns named as in \
             weekly.csv, one row per observed week (week 1 holds days 1 to 7), as the real \
             launches' `weekly.csv`.";
        weekly_columns: Vec<String> = Vec::new(), Rule::Any, "",
            "The columns of `weekly` to match (absent: all but `week`).";
        targets: Settings = Settings::default(), Rule::Any, "",
            "Summary metrics to match, each `metric = { value = V, sd = S }`.";
    }
}

table! {
    /// One calibrated key as written.
    pub(crate) struct ParameterFile {
        key: String = String::new(), Rule::Any, "",
            "The scenario key, e.g. `acquisition.word_of_mouth`.", required;
        prior: Settings = Settings::default(), Rule::Any, "",
            "`{ uniform = [a, b] }`, `{ log_uniform = [a, b] }` (a > 0) or `{ normal = { mean, \
             sd, min, max } }`.", required;
    }
}

table! {
    /// ABC-SMC settings as written.
    #[derive(Copy)]
    pub(crate) struct AbcFile {
        particles: u32 = 200, Rule::closed(10.0, 1e5), "particles",
            "Particles of every generation.";
        generations: u32 = 8, Rule::closed(1.0, 100.0), "generations",
            "Most generations after the first (drawn from the prior).";
        quantile: f64 = 0.5, Rule::closed(0.05, 0.95), "share",
            "Each generation's tolerance: this quantile of the previous generation's distances.";
        min_acceptance: f64 = 0.02, Rule::closed(0.0, 1.0), "share",
            "Stop after a generation that accepted fewer of its proposals than this.";
        max_proposals: u32 = 50, Rule::closed(2.0, 1e4), "proposals/particle",
            "Most proposals a generation may simulate, per particle, before it stops short.";
        refine: u32 = 0, Rule::closed(0.0, 1000.0), "replicates",
            "After the last generation, simulate each of its particles this many more times, on \
             streams of their own, and write the one whose mean fits best to best.csv: a point \
             estimate less subject to the luck of one replicate than the posterior's best \
             distance; 0: none.";
    }
}

/// The schema of calibration files.
pub fn calibration_schema() -> Schema {
    Schema {
        keys: <CalibrationFile as Table>::KEYS,
        what: "calibration file",
    }
}

/// A calibrated key and its prior.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub key: String,
    pub prior: Prior,
    /// Whether the key holds whole numbers (values are rounded).
    pub integer: bool,
}

impl Parameter {
    /// The value at an internal-scale coordinate, as the TOML text of an override.
    pub fn text(&self, x: f64) -> String {
        let v = self.prior.value(x);
        if self.integer {
            format!("{}", v.round() as i64)
        } else {
            format!("{v}")
        }
    }
}

/// One scenario of a calibration and what was observed of it. A calibration has one case, its
/// own `base`, `set` and `[observed]`, and one more for each `[[also]]` entry.
pub struct Case {
    /// The case's name in the outputs: empty when the calibration has one case; else its
    /// `name`, or its base scenario's.
    pub label: String,
    pub base: Base,
    pub observed: Observed,
}

impl Case {
    /// A column or metric's name in the outputs: `label:name` in a joint calibration.
    pub fn named(&self, name: &str) -> String {
        if self.label.is_empty() {
            name.to_string()
        } else {
            format!("{}:{name}", self.label)
        }
    }
}

/// A validated calibration.
pub struct Calibration {
    pub name: String,
    /// The scenarios calibrated, the file's own first.
    pub cases: Vec<Case>,
    /// The master seed of the ABC draws (and of every case's simulations when the file sets
    /// `seed`).
    pub seed: u64,
    pub replicates: u32,
    pub parameters: Vec<Parameter>,
    pub abc: AbcSettings,
}

/// The ABC-SMC settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AbcSettings {
    pub particles: usize,
    pub generations: u32,
    pub quantile: f64,
    pub min_acceptance: f64,
    pub max_proposals: usize,
    /// Replicates to simulate each particle of the last generation with, to name the best.
    pub refine: u32,
}

/// Reads a `[a, b]` pair at `at`.
fn pair(source: &TomlSource, at: &str, v: &Value) -> Result<(f64, f64), ScenarioError> {
    let bad = || source.error(at, "expected two numbers, e.g. [0.0, 0.5]", None);
    let arr = v.as_array().ok_or_else(bad)?;
    let nums: Vec<f64> = arr
        .iter()
        .map(|x| x.as_float().or_else(|| x.as_integer().map(|i| i as f64)))
        .collect::<Option<_>>()
        .ok_or_else(bad)?;
    match nums[..] {
        [a, b] if a.is_finite() && b.is_finite() => {
            if a < b {
                Ok((a, b))
            } else {
                Err(source.error(at, "the first bound must be below the second", None))
            }
        }
        _ => Err(bad()),
    }
}

/// Reads the keys and priors of `[[<at>]]` (`parameters` in a calibration file): each key a
/// sweepable scenario key, none written twice nor inside another's table.
pub(crate) fn read_parameters(
    source: &TomlSource,
    at: &str,
    raw: &[ParameterFile],
) -> Result<Vec<Parameter>, ScenarioError> {
    let mut parameters: Vec<Parameter> = Vec::new();
    for (i, p) in raw.iter().enumerate() {
        let earlier: Vec<&str> = parameters.iter().map(|q| q.key.as_str()).collect();
        check_varied_key(source, &format!("{at}.{i}.key"), &p.key, &earlier)?;
        let prior = prior(source, &format!("{at}.{i}.prior"))?;
        let integer =
            crate::scenario::keys::spec_at(crate::scenario::scenario_schema().keys, &p.key)
                .is_some_and(|s| {
                    use crate::scenario::keys::Kind;
                    matches!(s.kind, Kind::Integer | Kind::OptionalInteger)
                });
        parameters.push(Parameter {
            key: p.key.clone(),
            prior,
            integer,
        });
    }
    Ok(parameters)
}

/// Checks a key that varies from run to run (a calibrated key, a key with a prior, a posterior's
/// column), blamed on `at`: a scenario key, one that may vary, and neither one of `earlier` nor
/// in a table with one of them.
pub(crate) fn check_varied_key(
    source: &TomlSource,
    at: &str,
    key: &str,
    earlier: &[&str],
) -> Result<(), ScenarioError> {
    check_scenario_key(source, at, key)?;
    if let Some(why) = crate::sweep::not_sweepable(key) {
        return Err(source.error(at, why, None));
    }
    if let Some(other) = earlier.iter().find(|k| overlap(k, key)) {
        let why = if *other == key {
            format!("`{key}` is given twice")
        } else {
            format!("`{other}` and `{key}` set the same key")
        };
        return Err(source.error(at, why, None));
    }
    Ok(())
}

/// Reads the prior written at `at` (e.g. `parameters.0.prior`).
fn prior(source: &TomlSource, at: &str) -> Result<Prior, ScenarioError> {
    let shape = "expected one of `{ uniform = [a, b] }`, `{ log_uniform = [a, b] }` or \
                 `{ normal = { mean = M, sd = S, min = A, max = B } }`";
    let item = item_at(source.root(), at);
    let Some(table) = item.as_ref().and_then(Item::as_table_like) else {
        return Err(source.error(at, shape, None));
    };
    let entries: Vec<(&str, &Item)> = table.iter().collect();
    let [(kind, value)] = entries[..] else {
        return Err(source.error(at, shape, None));
    };
    let here = format!("{at}.{kind}");
    let value = value.as_value();
    match (kind, value) {
        ("uniform", Some(v)) => {
            let (low, high) = pair(source, &here, v)?;
            Ok(Prior::Uniform { low, high })
        }
        ("log_uniform", Some(v)) => {
            let (low, high) = pair(source, &here, v)?;
            if low <= 0.0 {
                return Err(source.error(&here, "a log-uniform prior needs a > 0", None));
            }
            Ok(Prior::LogUniform { low, high })
        }
        ("normal", Some(v)) => {
            let t = v
                .as_inline_table()
                .ok_or_else(|| source.error(&here, shape, None))?;
            let num = |k: &str| {
                t.get(k)
                    .and_then(|x| x.as_float().or_else(|| x.as_integer().map(|i| i as f64)))
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| {
                        source.error(
                            &here,
                            format!("a normal prior needs a number `{k}` (mean, sd, min, max)"),
                            None,
                        )
                    })
            };
            let (mean, sd, min, max) = (num("mean")?, num("sd")?, num("min")?, num("max")?);
            if let Some(extra) = t
                .iter()
                .map(|(k, _)| k)
                .find(|k| !["mean", "sd", "min", "max"].contains(k))
            {
                return Err(source.error(
                    &here,
                    format!("unknown key `{extra}`: a normal prior has mean, sd, min and max"),
                    None,
                ));
            }
            if sd <= 0.0 || min >= max {
                return Err(source.error(&here, "needs sd > 0 and min < max", None));
            }
            if (min - mean) / sd > 6.0 || (mean - max) / sd > 6.0 {
                return Err(source.error(
                    &here,
                    "the bounds leave almost none of the normal's mass: move them towards the \
                     mean",
                    None,
                ));
            }
            Ok(Prior::Normal { mean, sd, min, max })
        }
        _ => Err(source.error(at, shape, None)),
    }
}

impl Calibration {
    /// Reads and validates a calibration file, its observed data and its priors. Each prior's
    /// bounds are checked to give valid scenarios.
    pub fn load(path: &Path) -> Result<Calibration, ScenarioError> {
        let (source, raw): (_, CalibrationFile) = read(path, calibration_schema())?;
        let base = Base::load(source.clone(), path, &raw.base, raw.seed)?;
        let parameters = read_parameters(&base.source, "parameters", &raw.parameters)?;
        let observed = Observed::load(&base, &raw.observed, path, base.scenario.days())?;
        let seed = base.seed;
        let mut cases = vec![Case {
            label: String::new(),
            base,
            observed,
        }];
        for (i, also) in raw.also.iter().enumerate() {
            cases.push(Case::load(&source, path, i, also, raw.seed)?);
        }
        for case in &cases {
            refuse_set_calibrated(&case.base, &parameters)?;
        }
        label_cases(&mut cases, &source)?;
        let calibration = Calibration {
            name: raw.name,
            cases,
            seed,
            replicates: raw.replicates,
            parameters,
            abc: AbcSettings {
                particles: raw.abc.particles as usize,
                generations: raw.abc.generations,
                quantile: raw.abc.quantile,
                min_acceptance: raw.abc.min_acceptance,
                max_proposals: raw.abc.max_proposals as usize,
                refine: raw.abc.refine,
            },
        };
        calibration.check_bounds()?;
        Ok(calibration)
    }

    /// Checks that every prior's bounds give a valid scenario (others at their prior's middle).
    fn check_bounds(&self) -> Result<(), ScenarioError> {
        let middle: Vec<f64> = self.parameters.iter().map(|p| middle(&p.prior)).collect();
        for (i, p) in self.parameters.iter().enumerate() {
            let (lo, hi) = bounds(&p.prior);
            for end in [lo, hi] {
                let mut x = middle.clone();
                x[i] = end;
                self.scenarios(&x).map_err(|e| {
                    let mut e = e;
                    e.message = format!("at the prior's bound {}: {}", p.text(end), e.message);
                    e
                })?;
            }
        }
        Ok(())
    }

    /// The scenarios of a particle at internal-scale coordinates `x`, one per case.
    pub fn scenarios(&self, x: &[f64]) -> Result<Vec<Scenario>, ScenarioError> {
        self.cases.iter().map(|c| self.scenario(c, x)).collect()
    }

    /// The scenario of `case` for a particle at internal-scale coordinates `x`.
    fn scenario(&self, case: &Case, x: &[f64]) -> Result<Scenario, ScenarioError> {
        let overrides: Vec<Override> = self
            .parameters
            .iter()
            .zip(x)
            .map(|(p, &v)| Override {
                key: p.key.clone(),
                value: p.text(v),
            })
            .collect();
        let origin_of = |key: &str| {
            self.parameters
                .iter()
                .position(|p| within(key, &p.key))
                .map(|i| format!("parameters.{i}.prior"))
        };
        case.base
            .item(&overrides, Some(self.replicates), &origin_of, "a particle")
    }

    /// Every observed column of every case, in order, with its case.
    pub fn columns(&self) -> impl Iterator<Item = (&Case, &observed::Column)> {
        self.cases
            .iter()
            .flat_map(|c| c.observed.columns.iter().map(move |col| (c, col)))
    }

    /// Every target of every case, in order, with its case.
    pub fn targets(&self) -> impl Iterator<Item = (&Case, &observed::Target)> {
        self.cases
            .iter()
            .flat_map(|c| c.observed.targets.iter().map(move |t| (c, t)))
    }

    /// The output folder by default.
    pub fn default_out(&self) -> PathBuf {
        Path::new("results").join(&self.name)
    }
}

impl Case {
    /// Reads `[[also]]` entry `i` of the calibration file at `path`.
    fn load(
        source: &TomlSource,
        path: &Path,
        i: usize,
        raw: &AlsoFile,
        seed: Option<u64>,
    ) -> Result<Case, ScenarioError> {
        let base = Base::load_at(source.clone(), path, &raw.base, seed, &format!("also.{i}."))?;
        let observed = Observed::load(&base, &raw.observed, path, base.scenario.days())?;
        Ok(Case {
            label: raw.name.clone(),
            base,
            observed,
        })
    }
}

/// Refuses a case whose `set` fixes a calibrated key: the calibration's draws would overwrite it.
fn refuse_set_calibrated(base: &Base, parameters: &[Parameter]) -> Result<(), ScenarioError> {
    for o in &base.set {
        if let Some(p) = parameters.iter().find(|p| overlap(&p.key, &o.key)) {
            return Err(base.source.error(
                &base.at(&format!("set.{}", o.key)),
                format!(
                    "`{}` is calibrated (`parameters`), so `set` cannot also fix `{}`: the \
                     draws would overwrite it; remove it from one",
                    p.key, o.key
                ),
                None,
            ));
        }
    }
    Ok(())
}

/// Names the cases of a joint calibration: each `[[also]]` entry by its `name` or its base
/// scenario's, the file's own by its base scenario's; two cases may not share a name. A
/// calibration of one case keeps the plain metric names.
fn label_cases(cases: &mut [Case], source: &TomlSource) -> Result<(), ScenarioError> {
    if cases.len() == 1 {
        return Ok(());
    }
    for (i, case) in cases.iter_mut().enumerate() {
        if case.label.is_empty() {
            case.label = case.base.scenario.name().to_string();
        }
        if i > 0 && (case.label.is_empty() || case.label.contains([':', ',', '"', '\n'])) {
            return Err(source.error(
                &format!("also.{}.name", i - 1),
                "give this scenario a `name` of letters, digits and dashes",
                None,
            ));
        }
    }
    for i in 1..cases.len() {
        if let Some(j) = (0..i).find(|&j| cases[j].label == cases[i].label) {
            let first = if j == 0 {
                "the file's own base".to_string()
            } else {
                format!("also.{}", j - 1)
            };
            return Err(source.error(
                &format!("also.{}.name", i - 1),
                format!(
                    "`{}` names {first} too: give this scenario a `name` of its own",
                    cases[i].label
                ),
                None,
            ));
        }
    }
    Ok(())
}

/// The middle of a prior's support, on the internal scale.
fn middle(p: &Prior) -> f64 {
    let (lo, hi) = bounds(p);
    0.5 * (lo + hi)
}

/// A prior's support on the internal scale.
fn bounds(p: &Prior) -> (f64, f64) {
    match *p {
        Prior::Uniform { low, high } => (low, high),
        Prior::LogUniform { low, high } => (low.ln(), high.ln()),
        Prior::Normal { min, max, .. } => (min, max),
    }
}

/// Index of a summary metric by name.
pub fn metric_index(name: &str) -> Option<usize> {
    Metrics::NAMES.iter().position(|m| *m == name)
}
