//! What sweep and comparison files share, loaded one way: the file checked against its own key
//! declarations, the base scenario resolved relative to it (and blamed on its `base` line when
//! it cannot be read), the `set` table of fixed overrides, the master seed, and each item's
//! scenario loaded with its overrides, errors traced back to the line that set the value.

use std::path::{Path, PathBuf};

use toml_edit::{Item, Value};

use crate::scenario::keys::{flatten, Table};
use crate::scenario::{
    generic_path, item_at, load_source, nearest, scenario_schema, value_text, Origin, Override,
    Scenario, ScenarioError, Schema, TomlSource,
};

/// Reads a sweep or comparison file and checks it against its declarations.
pub fn read<T: Table>(path: &Path, schema: Schema) -> Result<(TomlSource, T), ScenarioError> {
    let source = TomlSource::read(path, schema.what)?;
    if item_at(source.root(), "base").is_none() && item_at(source.root(), "population").is_some() {
        return Err(source.error(
            "",
            format!(
                "this is a scenario file, not a {}: run it with `agora run {}`",
                schema.what,
                path.display()
            ),
            None,
        ));
    }
    for (marker, what, command) in crate::scenario::BATCH_MARKERS {
        if what != schema.what && item_at(source.root(), marker).is_some() {
            return Err(source.error(
                marker,
                format!(
                    "this is a {what}, not a {}: run it with `agora {command} {}`",
                    schema.what,
                    path.display()
                ),
                None,
            ));
        }
    }
    let raw = source.deserialize(source.to_mut(), schema, &|_| false)?;
    Ok((source, raw))
}

/// The base scenario of a batch, with the file's `set` applied.
pub struct Base {
    /// The batch file itself (for errors).
    pub source: TomlSource,
    pub path: PathBuf,
    base_source: TomlSource,
    /// The fixed overrides of `set`.
    pub set: Vec<Override>,
    /// The base with `set` applied.
    pub scenario: Scenario,
    /// The batch's master seed: its own `seed`, else the base's.
    pub seed: u64,
    /// Where in the batch file its `base` and `set` are: empty, or e.g. `also.0.`.
    prefix: String,
}

impl Base {
    /// Resolves `base` (relative to the batch file at `path`) and applies `set`.
    pub fn load(
        source: TomlSource,
        path: &Path,
        base: &str,
        seed: Option<u64>,
    ) -> Result<Base, ScenarioError> {
        Base::load_at(source, path, base, seed, "")
    }

    /// [`Base::load`] for a `base` and `set` written under `prefix` (e.g. `also.0.`), errors
    /// named there.
    pub fn load_at(
        source: TomlSource,
        path: &Path,
        base: &str,
        seed: Option<u64>,
        prefix: &str,
    ) -> Result<Base, ScenarioError> {
        let base_path = path.parent().unwrap_or(Path::new(".")).join(base);
        let base_source = TomlSource::read(&base_path, "base scenario").map_err(|e| {
            if e.origin == Origin::File {
                // The base cannot be read: blame the `base` line of the batch file.
                let mut blamed = source.error(&format!("{prefix}base"), e.message, None);
                blamed.message = format!("{} ({})", blamed.message, base_path.display());
                blamed
            } else {
                e
            }
        })?;
        let set = read_set(&source, &format!("{prefix}set"))?;
        let scenario = load_source(&base_source, &set).map_err(|e| {
            let at = |k: &str| Some(format!("{prefix}set.{k}"));
            blame(&source, e, &at, &format!("in `{prefix}set`"))
        })?;
        let seed = seed.unwrap_or(scenario.seed());
        Ok(Base {
            source,
            path: base_path,
            base_source,
            set,
            scenario,
            seed,
            prefix: prefix.to_string(),
        })
    }

    /// The path of `key` of this base's part of the batch file, for errors.
    pub fn at(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// One item's scenario: the base with `set`, then `overrides`, then the batch's seed (and
    /// `replicates` when given). `origin_of` maps a scenario key to where the batch file set it.
    pub fn item(
        &self,
        overrides: &[Override],
        replicates: Option<u32>,
        origin_of: &dyn Fn(&str) -> Option<String>,
        context: &str,
    ) -> Result<Scenario, ScenarioError> {
        let mut all = self.set.clone();
        all.extend(overrides.iter().cloned());
        all.push(Override {
            key: "seed".into(),
            value: self.seed.to_string(),
        });
        if let Some(r) = replicates {
            all.push(Override {
                key: "replicates".into(),
                value: r.to_string(),
            });
        }
        let origin = |key: &str| {
            origin_of(key).or_else(|| {
                self.set
                    .iter()
                    .any(|o| crate::scenario::keys::within(key, &o.key))
                    .then(|| format!("{}set.{key}", self.prefix))
            })
        };
        load_source(&self.base_source, &all)
            .map(|s| s.map_warnings(|w| blame(&self.source, w, &origin, context)))
            .map_err(|e| blame(&self.source, e, &origin, context))
    }
}

/// The `set` table at `at` of a batch file, as overrides, each checked to be a scenario key.
pub fn read_set(source: &TomlSource, at: &str) -> Result<Vec<Override>, ScenarioError> {
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
    let mut out: Vec<Override> = Vec::new();
    for (key, value) in pairs {
        if let Some(other) = out
            .iter()
            .find(|o| crate::scenario::keys::overlap(&key, &o.key))
        {
            let mut err = source.error(
                &format!("{at}.{key}"),
                format!(
                    "`{key}` and `{}` set the same values twice: keep one",
                    other.key
                ),
                None,
            );
            err.key = format!("{at}.{key}");
            return Err(err);
        }
        check_scenario_key(source, &format!("{at}.{key}"), &key)?;
        if let Some(why) = crate::sweep::not_sweepable(&key) {
            let mut err = source.error(&format!("{at}.{key}"), why, None);
            err.key = format!("{at}.{key}");
            return Err(err);
        }
        out.push(Override {
            key,
            value: value_text(&value),
        });
    }
    Ok(out)
}

/// Errors unless `key` names a scenario key; `at` is where the batch file writes it.
pub fn check_scenario_key(source: &TomlSource, at: &str, key: &str) -> Result<(), ScenarioError> {
    let keys = flatten(scenario_schema().keys);
    let generic = generic_path(key);
    if keys.iter().any(|(k, _)| *k == generic) {
        return Ok(());
    }
    let suggestion =
        nearest(&generic, keys.iter().map(|(k, _)| k.as_str())).map(|k| k.replace(".N.", ".0."));
    let mut err = source.error(at, format!("`{key}` is not a scenario key"), suggestion);
    err.key = at.to_string();
    Err(err)
}

/// Re-attributes an error in an item's scenario to the line of the batch file that set the
/// offending value (`origin_of` maps a scenario key to where it was set).
pub fn blame(
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
