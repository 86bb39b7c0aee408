//! The document check: a parsed TOML file walked against the key declarations before serde sees
//! it. It refuses unknown keys (suggesting the key probably meant), values of the wrong kind or
//! form (a list where a table belongs, `[events]` where `[[events]]` was meant), and numbers
//! outside their range, each in the scenario's own words. What passes it always deserialises.

use toml_edit::{Item, Value};

use super::keys::{
    elide, expectation, flatten, in_range, join, label_problem, name_problem, spec_at, KeySpec,
    Kind, Rule,
};

/// A problem found in a document: the concrete dotted key, what is wrong, and what was probably
/// meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub key: String,
    pub message: String,
    pub suggestion: Option<String>,
    /// The key is missing: the problem is the file's, not a line's.
    pub missing: bool,
    /// The key as written, when it cannot be found by its path (a quoted key with dots).
    pub written_as: Option<String>,
}

impl Problem {
    fn new(key: &str, message: impl Into<String>) -> Problem {
        Problem {
            key: key.to_string(),
            message: message.into(),
            suggestion: None,
            missing: false,
            written_as: None,
        }
    }
}

/// What a file of this kind is called in messages ("scenario", "sweep file").
#[derive(Debug, Clone, Copy)]
pub struct Schema {
    pub keys: &'static [KeySpec],
    pub what: &'static str,
}

impl Schema {
    /// Checks a whole document.
    pub fn check(&self, root: &Item) -> Result<(), Problem> {
        let Some(table) = root.as_table_like() else {
            return Err(Problem::new(
                "",
                "expected a TOML document of keys and tables",
            ));
        };
        self.check_table(table, self.keys, "")
    }

    fn check_table(
        &self,
        table: &dyn toml_edit::TableLike,
        keys: &'static [KeySpec],
        prefix: &str,
    ) -> Result<(), Problem> {
        for (name, item) in table.iter() {
            let path = join(prefix, name);
            let Some(spec) = keys.iter().find(|k| k.name == name) else {
                if name.contains('.') && spec_at(self.keys, &path).is_some() {
                    return Err(Problem {
                        written_as: Some(format!("\"{name}\"")),
                        ..Problem::new(
                            &path,
                            format!(
                                "\"{}\" in quotes is one key with dots in its name; write it \
                                 without quotes ({} = …) to reach the key inside its table",
                                elide(name, 60),
                                elide(name, 60)
                            ),
                        )
                    });
                }
                // A table nobody declared is named by the key written inside it (`foo.bar`),
                // as the user wrote it, not by the table alone.
                let (mut key, mut inner) = (path.clone(), item);
                while let Some((k, v)) = inner.as_table_like().and_then(|t| t.iter().next()) {
                    key = join(&key, k);
                    inner = v;
                }
                let message = if key == path {
                    format!("this key does not exist in a {}", self.what)
                } else {
                    format!("there is no `{name}` in a {}", self.what)
                };
                return Err(Problem {
                    message,
                    suggestion: self.nearest(prefix, name, keys),
                    key,
                    missing: false,
                    written_as: None,
                });
            };
            self.check_item(item, spec, &path)?;
        }
        for spec in keys {
            if spec.required && table.get(spec.name).is_none_or(Item::is_none) {
                let path = join(prefix, spec.name);
                return Err(Problem {
                    missing: true,
                    ..Problem::new(
                        &path,
                        match spec.kind {
                            Kind::List(_) => format!(
                                "at least one entry is required: write a [[{path}]] section"
                            ),
                            _ => format!("this key is required: write {} = …", spec.name),
                        },
                    )
                });
            }
        }
        Ok(())
    }

    fn check_item(&self, item: &Item, spec: &KeySpec, path: &str) -> Result<(), Problem> {
        let leaf = spec.name;
        match spec.kind {
            Kind::Table(keys) | Kind::Optional(keys) => match item.as_table_like() {
                Some(t) => self.check_table(t, keys, path),
                None if is_list(item) => Err(Problem::new(
                    path,
                    format!(
                        "{leaf} is a table, not a list: write {leaf} = {{ key = value, … }} or a \
                         [{path}] section"
                    ),
                )),
                None => Err(wrong(path, spec, item)),
            },
            Kind::List(keys) => {
                let elements: Vec<&dyn toml_edit::TableLike> = match item {
                    Item::ArrayOfTables(a) => a.iter().map(|t| t as _).collect(),
                    Item::Value(Value::Array(a)) => {
                        let mut out = Vec::new();
                        for (i, v) in a.iter().enumerate() {
                            match v.as_inline_table() {
                                Some(t) => out.push(t as &dyn toml_edit::TableLike),
                                None => {
                                    return Err(Problem::new(
                                        &format!("{path}.{i}"),
                                        format!(
                                            "each entry of {leaf} is a table, found {}",
                                            found(&Item::Value(v.clone()))
                                        ),
                                    ))
                                }
                            }
                        }
                        out
                    }
                    Item::Table(_) | Item::Value(Value::InlineTable(_)) => {
                        return Err(Problem::new(
                            path,
                            format!("{leaf} is a list: write each entry as a [[{path}]] section"),
                        ))
                    }
                    _ => return Err(wrong(path, spec, item)),
                };
                if let Rule::Count { min, max } = spec.rule {
                    if elements.len() < min || elements.len() > max {
                        return Err(Problem::new(
                            path,
                            format!(
                                "expected {min} to {max} entries in {leaf}, found {}",
                                elements.len()
                            ),
                        ));
                    }
                }
                for (i, t) in elements.into_iter().enumerate() {
                    self.check_table(t, keys, &format!("{path}.{i}"))?;
                }
                Ok(())
            }
            Kind::Settings => match item.as_table_like() {
                Some(_) => Ok(()),
                None => Err(wrong(path, spec, item)),
            },
            Kind::Values => match item.as_array() {
                Some(_) => Ok(()),
                None => Err(wrong(path, spec, item)),
            },
            _ => {
                let Some(value) = item.as_value() else {
                    return Err(wrong(path, spec, item));
                };
                check_value(value, spec, path)
            }
        }
    }

    /// The key probably meant by an unknown `name` in the table at `prefix`: a sibling one
    /// letter off; else a key of that name inside this table (`[community] learning` →
    /// `community.offer.learning`), then anywhere (`[rules] fee` → `entry.fee`); else a sibling
    /// by spelling; else the nearest full path that is not the wrong key's own table. Never a
    /// placeholder like `segments.N`.
    fn nearest(&self, prefix: &str, name: &str, siblings: &[KeySpec]) -> Option<String> {
        let sibling_names = || siblings.iter().map(|k| k.name);
        if let Some(s) = sibling_names().find(|s| strsim::levenshtein(name, s) <= 1) {
            return Some(join(prefix, s));
        }
        let all = flatten(self.keys);
        let concrete = |generic: &str| concrete_path(generic, prefix);
        let generic_prefix = generic_path(prefix);
        let named = |(path, _): &&(String, &KeySpec)| path.rsplit('.').next() == Some(name);
        let inside = all.iter().filter(named).find(|(path, _)| {
            generic_prefix.is_empty() || path.starts_with(&format!("{generic_prefix}."))
        });
        if let Some((path, _)) = inside.or_else(|| all.iter().find(named)) {
            return Some(concrete(path));
        }
        if let Some(s) = nearest(name, sibling_names()) {
            return Some(join(prefix, &s));
        }
        let wanted = generic_path(&join(prefix, name));
        let candidates = all
            .iter()
            .map(|(p, _)| p.as_str())
            .filter(|p| !wanted.starts_with(&format!("{p}.")) && *p != wanted);
        nearest(&wanted, candidates).map(|p| concrete(&p))
    }
}

/// A value of a scalar or list kind against its spec.
fn check_value(value: &Value, spec: &KeySpec, path: &str) -> Result<(), Problem> {
    let item = Item::Value(value.clone());
    let bad = || wrong(path, spec, &item);
    match spec.kind {
        Kind::Number => {
            let x = match value {
                Value::Float(f) => *f.value(),
                Value::Integer(i) => *i.value() as f64,
                _ => return Err(bad()),
            };
            if in_range(spec.rule, x) {
                Ok(())
            } else {
                Err(bad())
            }
        }
        Kind::Integer | Kind::OptionalInteger => match value {
            Value::Integer(i) if in_range(spec.rule, *i.value() as f64) => Ok(()),
            _ => Err(bad()),
        },
        Kind::Bool => match value {
            Value::Boolean(_) => Ok(()),
            _ => Err(bad()),
        },
        Kind::Text => {
            let Some(text) = value.as_str() else {
                return Err(bad());
            };
            let problem = match spec.rule {
                Rule::Name => name_problem(text),
                Rule::Label => label_problem(text),
                _ if spec.required && text.trim().is_empty() => {
                    Some("expected non-empty text".into())
                }
                _ => None,
            };
            match problem {
                Some(p) => Err(Problem::new(path, p)),
                None => Ok(()),
            }
        }
        Kind::Choice(words) => match value.as_str() {
            Some(word) if words.contains(&word) => Ok(()),
            Some(word) => Err(Problem {
                missing: false,
                written_as: None,
                key: path.to_string(),
                message: format!(
                    "`{}` is not allowed here; expected {}",
                    elide(word, 40),
                    expectation(spec)
                ),
                suggestion: nearest(word, words.iter().copied()),
            }),
            None => Err(bad()),
        },
        Kind::Integers => check_integers(value, spec, path),
        Kind::Texts => match value.as_array() {
            Some(list) if list.iter().all(|v| v.as_str().is_some()) => Ok(()),
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

/// A list of whole numbers against its rule (badge levels: increasing, within range).
fn check_integers(value: &Value, spec: &KeySpec, path: &str) -> Result<(), Problem> {
    let item = Item::Value(value.clone());
    let Some(list) = value.as_array() else {
        return Err(wrong(path, spec, &item));
    };
    let numbers: Option<Vec<i64>> = list.iter().map(Value::as_integer).collect();
    let Some(numbers) = numbers else {
        return Err(wrong(path, spec, &item));
    };
    if let Rule::Increasing { min, max } = spec.rule {
        let ok = !numbers.is_empty()
            && numbers.iter().all(|&n| (min..=max).contains(&(n as f64)))
            && numbers.windows(2).all(|w| w[0] < w[1]);
        if !ok {
            return Err(Problem::new(
                path,
                format!(
                    "expected at least one whole number from {} to {}, in strictly increasing \
                     order, e.g. [5, 20, 100]; found {}",
                    super::keys::bound(min),
                    super::keys::bound(max),
                    found(&item)
                ),
            ));
        }
    }
    Ok(())
}

/// "expected X, found Y" for a value of the wrong kind or out of range.
fn wrong(path: &str, spec: &KeySpec, item: &Item) -> Problem {
    Problem::new(
        path,
        format!("expected {}, found {}", expectation(spec), found(item)),
    )
}

/// A value as it was written, short.
pub fn found(item: &Item) -> String {
    match item {
        Item::None => "nothing".into(),
        Item::Table(_) => "a table".into(),
        Item::ArrayOfTables(_) => "a list of tables".into(),
        Item::Value(v) => match v {
            Value::InlineTable(_) => "a table".into(),
            Value::Array(_) => format!("the list {}", elide(&value_text(v), 40)),
            Value::String(s) if s.value().parse::<f64>().is_ok() => {
                format!("the number {}, out of reach", elide(s.value(), 40))
            }
            Value::String(s) => format!("the text \"{}\"", elide(s.value(), 40)),
            Value::Boolean(b) => b.value().to_string(),
            Value::Datetime(_) => format!("the date {}", elide(&value_text(v), 40)),
            Value::Float(_) | Value::Integer(_) => elide(&value_text(v), 40),
        },
    }
}

/// A TOML value as text, without surrounding whitespace or comments.
pub fn value_text(v: &Value) -> String {
    let mut v = v.clone();
    v.decor_mut().clear();
    v.to_string()
}

fn is_list(item: &Item) -> bool {
    matches!(item, Item::ArrayOfTables(_) | Item::Value(Value::Array(_)))
}

/// A key path with list indices replaced by `N`.
pub fn generic_path(key: &str) -> String {
    key.split('.')
        .map(|s| if s.parse::<usize>().is_ok() { "N" } else { s })
        .collect::<Vec<_>>()
        .join(".")
}

/// A generic path made concrete: each `N` takes the index the user wrote at that place in
/// `context` when the paths agree up to there, else 0.
fn concrete_path(generic: &str, context: &str) -> String {
    let ctx: Vec<&str> = context.split('.').collect();
    generic
        .split('.')
        .enumerate()
        .map(|(i, seg)| {
            if seg == "N" {
                ctx.get(i)
                    .filter(|c| c.parse::<usize>().is_ok())
                    .map_or("0".to_string(), |c| c.to_string())
            } else {
                seg.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The candidate closest to `given` by edit distance, if close enough to be a likely typo;
/// failing that, the shortest candidate that `given` begins (a truncated key).
pub fn nearest<'a>(given: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    if given.len() > 200 {
        return None;
    }
    let limit = (given.chars().count() / 3).max(2);
    let candidates: Vec<&str> = candidates.collect();
    let by_distance = candidates
        .iter()
        .map(|c| (strsim::levenshtein(given, c), *c))
        .filter(|(d, _)| *d <= limit)
        .min();
    let by_prefix = || {
        candidates
            .iter()
            .filter(|c| given.len() >= 3 && c.starts_with(given))
            .min_by_key(|c| (c.len(), **c))
            .map(|c| (0, *c))
    };
    by_distance.or_else(by_prefix).map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::keys::Table;

    fn schema() -> Schema {
        Schema {
            keys: <crate::scenario::file::ScenarioFile as Table>::KEYS,
            what: "scenario",
        }
    }

    fn check(text: &str) -> Result<(), Problem> {
        let doc: toml_edit::DocumentMut = text.parse().unwrap();
        schema().check(doc.as_item())
    }

    #[test]
    fn a_table_written_as_a_list_is_refused_in_plain_words() {
        for (text, key) in [
            (
                "name = \"x\"\n[community]\noffer = [0.3]\n",
                "community.offer",
            ),
            (
                "name = \"x\"\n[[population.segments]]\nneeds = [0.5]\n",
                "population.segments.0.needs",
            ),
            (
                "name = \"x\"\n[population]\nnetwork = [1]\n",
                "population.network",
            ),
            (
                "name = \"x\"\n[[population.segments]]\njoin_threshold = [0.1, 0.2]\n",
                "population.segments.0.join_threshold",
            ),
            (
                "name = \"x\"\n[community]\nhealth = [1]\n",
                "community.health",
            ),
        ] {
            let p = check(text).unwrap_err();
            assert_eq!(p.key, key);
            assert!(p.message.contains("is a table, not a list"), "{p:?}");
        }
    }

    #[test]
    fn a_list_written_as_a_table_says_how_to_write_it() {
        let p = check("name = \"x\"\n[events]\nkind = \"topic\"\n").unwrap_err();
        assert_eq!(p.key, "events");
        assert!(p.message.contains("[[events]]"), "{p:?}");
    }

    #[test]
    fn suggestions_prefer_siblings_then_the_same_key_elsewhere_and_never_show_placeholders() {
        let p = check("name = \"x\"\n[rules]\nfee = 3\n").unwrap_err();
        assert_eq!(p.suggestion.as_deref(), Some("entry.fee"));
        let p = check("name = \"x\"\n[[population.segments]]\n[[population.segments]]\nshar = 1\n")
            .unwrap_err();
        assert_eq!(p.suggestion.as_deref(), Some("population.segments.1.share"));
        let p = check("name = \"x\"\n[community]\nspread = 1\n").unwrap_err();
        assert_eq!(
            p.suggestion.as_deref(),
            Some("population.segments.0.spread")
        );
    }

    #[test]
    fn non_finite_and_out_of_range_numbers_are_refused() {
        for text in [
            "name = \"x\"\n[community]\nseed_commitment = 4e38\n",
            "name = \"x\"\n[[population.segments]]\nad_aversion = 1e308\n",
            "name = \"x\"\n[acquisition]\ncost_per_exposure = inf\n",
            "name = \"x\"\n[behavior]\ngrace_days = 4294967295\n",
            "name = \"x\"\n[rules]\nkick_after = 255\n",
            "name = \"x\"\n[entry]\nperiod_days = 100000\n",
        ] {
            let p = check(text).unwrap_err();
            assert!(p.message.starts_with("expected "), "{text}: {p:?}");
        }
    }

    #[test]
    fn every_default_is_within_its_declared_range() {
        // The resolved default scenario, with every optional table present, passes the check.
        let text = "name = \"x\"\n[community]\nmax_groups = 3\n[incentives]\nred_envelope = {}\n\
                    badges = {}\n[[events]]\nkind = \"topic\"\n";
        check(text).unwrap();
        let s = crate::scenario::load_str(text, "x.toml", &[]).unwrap();
        let doc: toml_edit::DocumentMut = s.to_toml().parse().unwrap();
        schema().check(doc.as_item()).unwrap();
    }
}
