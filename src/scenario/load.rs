//! From text to a valid [`Scenario`]: TOML parsing, `--set` overrides, serde, range validation,
//! and errors that say where (file, line or `--set`), which key, what was expected, and which valid
//! key was probably meant.
//!
//! The file is parsed twice by `toml_edit`: once keeping byte spans, to find the line of any key
//! path, and once mutable, to apply overrides before serde sees it. Serde runs through
//! `serde_path_to_error`, so every type error carries the dotted key path it happened at.

use std::fmt;
use std::path::Path;

use toml_edit::{DocumentMut, Item, Value};

use super::validate::{validate, Invalid};
use super::Scenario;

/// A `--set key=value` override: a dotted key path (array elements by number, e.g.
/// `population.segments.0.share`) and a value read as TOML, or as a plain string when it is not
/// valid TOML.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub key: String,
    pub value: String,
}

impl std::str::FromStr for Override {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() => Ok(Override {
                key: key.trim().to_string(),
                value: value.trim().to_string(),
            }),
            _ => Err(format!(
                "`{s}` is not of the form key=value (for example `entry.fee=49`)"
            )),
        }
    }
}

impl Override {
    /// The override's value as a TOML value; text that is not TOML is taken as a string.
    pub fn toml_value(&self) -> Value {
        self.value
            .parse::<Value>()
            .unwrap_or_else(|_| Value::from(self.value.as_str()))
    }
}

/// Where a problem in a scenario was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A line of the file (1-based).
    Line(usize),
    /// A `--set` override on the command line.
    Override,
    /// Not written anywhere: the key's default value.
    Default,
    /// The file as a whole (it could not be read, or the problem has no key).
    File,
}

/// Anything wrong with a scenario, said in one paragraph that names the file, the line and the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub file: String,
    pub origin: Origin,
    /// Dotted key path, empty when the problem is not about one key.
    pub key: String,
    pub message: String,
    /// The valid key or value the user probably meant.
    pub suggestion: Option<String>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        match &self.origin {
            Origin::Line(line) => write!(f, ", line {line}")?,
            Origin::Override => write!(f, ", --set {}", self.key)?,
            Origin::Default => write!(f, " (default value)")?,
            Origin::File => {}
        }
        if !self.key.is_empty() {
            write!(f, ", key `{}`", self.key)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(s) = &self.suggestion {
            write!(f, "; did you mean `{s}`?")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// Reads, overrides and validates a scenario file.
pub fn load_file(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    load_source(&TomlSource::read(path, "scenario")?, overrides)
}

/// A TOML file parsed with the byte spans of its keys, so that any key path can be traced back
/// to its line. Scenario, sweep and comparison files are all read through it.
pub struct TomlSource {
    pub file: String,
    text: String,
    spanned: toml_edit::Document<String>,
}

impl TomlSource {
    /// Parses `text`; a syntax error names the file and line.
    pub fn parse(text: &str, file: &str) -> Result<TomlSource, ScenarioError> {
        let spanned = toml_edit::Document::parse(text.to_string()).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
            ScenarioError {
                file: file.to_string(),
                origin: Origin::Line(line),
                key: String::new(),
                message: format!(
                    "this is not valid TOML: {}",
                    e.message().trim().trim_end_matches('.')
                ),
                suggestion: None,
            }
        })?;
        Ok(TomlSource {
            file: file.to_string(),
            text: text.to_string(),
            spanned,
        })
    }

    /// Reads a file and parses it.
    pub fn read(path: &Path, what: &str) -> Result<TomlSource, ScenarioError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
            file: file.clone(),
            origin: Origin::File,
            key: String::new(),
            message: format!("cannot read the {what} file: {e}"),
            suggestion: None,
        })?;
        TomlSource::parse(&text, &file)
    }

    /// The parsed document.
    pub fn root(&self) -> &Item {
        self.spanned.as_item()
    }

    /// Where `key` is written: its line, or its deepest written ancestor's, or nowhere.
    pub fn origin(&self, key: &str) -> Origin {
        match span_of(self.spanned.as_item(), key) {
            Some(offset) => Origin::Line(line_of(&self.text, offset)),
            None => Origin::Default,
        }
    }

    /// An error about `key` of this file.
    pub fn error(
        &self,
        key: &str,
        message: impl Into<String>,
        suggestion: Option<String>,
    ) -> ScenarioError {
        ScenarioError {
            file: self.file.clone(),
            origin: self.origin(key),
            key: key.to_string(),
            message: message.into(),
            suggestion,
        }
    }

    /// Deserialises `doc` (this file, possibly modified) into `T`; an error names the key, its
    /// line, and the nearest of `valid_keys` for an unknown key.
    pub fn deserialize<T: serde::de::DeserializeOwned>(
        &self,
        doc: DocumentMut,
        valid_keys: &[String],
        overridden: &dyn Fn(&str) -> bool,
    ) -> Result<T, ScenarioError> {
        let deserializer = toml_edit::de::Deserializer::from(doc);
        serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let path = dotted_path(e.path());
            let raw = e.inner().message().trim().to_string();
            let (key, message, suggestion) = explain_serde_error(&path, &raw, valid_keys);
            let mut err = self.error(&key, message, suggestion);
            if overridden(&key) {
                err.origin = Origin::Override;
            }
            err
        })
    }

    /// The document as a mutable copy.
    pub fn to_mut(&self) -> DocumentMut {
        self.spanned.clone().into_mut()
    }
}

/// Parses, overrides and validates scenario text; `file` names it in errors.
pub fn load_str(text: &str, file: &str, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    let source = TomlSource::parse(text, file)?;
    load_source(&source, overrides)
}

/// Overrides and validates a parsed scenario file.
pub fn load_source(source: &TomlSource, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    let overridden = |key: &str| {
        overrides
            .iter()
            .any(|o| key == o.key || key.starts_with(&format!("{}.", o.key)))
    };
    let mut doc = source.to_mut();
    for o in overrides {
        apply_override(doc.as_item_mut(), &o.key, o.toml_value()).map_err(|message| {
            ScenarioError {
                file: source.file.clone(),
                origin: Origin::Override,
                key: o.key.clone(),
                message,
                suggestion: None,
            }
        })?;
    }
    let scenario: Scenario = source.deserialize(doc, valid_keys(), &overridden)?;
    validate(&scenario).map_err(|Invalid { key, message }| {
        let mut err = source.error(&key, message, None);
        if overridden(&key) {
            err.origin = Origin::Override;
        }
        err
    })?;
    Ok(scenario)
}

/// The resolved scenario as a complete TOML file, every default written out.
pub fn resolved_toml(scenario: &Scenario) -> String {
    toml_edit::ser::to_string_pretty(scenario).expect("a scenario always serialises to TOML")
}

/// Every valid dotted key of a scenario file, array elements written as `N`
/// (e.g. `population.segments.N.share`, `events.N.kind`).
pub fn valid_keys() -> &'static [String] {
    static KEYS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    KEYS.get_or_init(all_keys)
}

/// Collects the keys of a scenario with every optional table present.
fn all_keys() -> Vec<String> {
    let mut full = Scenario {
        name: String::new(),
        ..serde_default_scenario()
    };
    full.community.max_groups = Some(1);
    full.incentives.red_envelope = Some(Default::default());
    full.incentives.badges = Some(Default::default());
    full.events = vec![Default::default()];
    let doc = toml_edit::ser::to_document(&full).expect("a scenario always serialises");
    let mut keys = Vec::new();
    collect_keys(doc.as_item(), String::new(), &mut keys);
    keys.sort();
    keys
}

/// A scenario with every default, as a file containing only `name` would give.
fn serde_default_scenario() -> Scenario {
    let deserializer = toml_edit::de::Deserializer::parse("name = \"x\"").expect("valid TOML");
    serde::Deserialize::deserialize(deserializer).expect("defaults deserialise")
}

fn collect_keys(item: &Item, prefix: String, out: &mut Vec<String>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match item {
        Item::Table(t) => {
            for (k, v) in t.iter() {
                out.push(join(k));
                collect_keys(v, join(k), out);
            }
        }
        Item::ArrayOfTables(a) => {
            if let Some(t) = a.iter().next() {
                collect_keys(&Item::Table(t.clone()), join("N").replace("..", "."), out);
            }
        }
        Item::Value(Value::InlineTable(t)) => {
            for (k, v) in t.iter() {
                out.push(join(k));
                collect_keys(&Item::Value(v.clone()), join(k), out);
            }
        }
        Item::Value(Value::Array(a)) => {
            if let Some(Value::InlineTable(t)) = a.iter().next() {
                collect_keys(&Item::Value(Value::InlineTable(t.clone())), join("N"), out);
            }
        }
        _ => {}
    }
}

/// Turns a serde message into what the user needs: the full key, what was wrong, and the key or
/// value it was probably meant to be.
fn explain_serde_error(
    path: &str,
    raw: &str,
    valid_keys: &[String],
) -> (String, String, Option<String>) {
    // serde_path_to_error's path may or may not already end with the offending key.
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else if path == k || path.ends_with(&format!(".{k}")) {
            path.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    if let Some(field) = backticked(raw)
        .first()
        .filter(|_| raw.starts_with("unknown field"))
    {
        let key = join(field);
        let suggestion = nearest_key(&key, valid_keys);
        let message = "this key does not exist in a scenario".to_string();
        return (key, message, suggestion);
    }
    if raw.starts_with("unknown variant") {
        let words = backticked(raw);
        let given = words.first().cloned().unwrap_or_default();
        let allowed: Vec<String> = words.into_iter().skip(1).collect();
        let suggestion = nearest(&given, allowed.iter().map(String::as_str));
        let message = format!(
            "`{given}` is not allowed here; expected one of {}",
            allowed.join(", ")
        );
        return (path.to_string(), message, suggestion);
    }
    if let Some(field) = backticked(raw)
        .first()
        .filter(|_| raw.starts_with("missing field"))
    {
        return (join(field), "this key is required".to_string(), None);
    }
    let message = raw
        .replace("expected f64", "expected a number")
        .replace("expected u64", "expected a whole number ≥ 0")
        .replace("expected u32", "expected a whole number ≥ 0")
        .replace("expected a boolean", "expected true or false")
        .replace("expected a string", "expected text in quotes");
    (path.to_string(), message, None)
}

fn backticked(s: &str) -> Vec<String> {
    s.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, w)| w.to_string())
        .collect()
}

/// The valid key nearest to an unknown one: among its siblings first, then anywhere.
pub fn nearest_key(key: &str, keys: &[String]) -> Option<String> {
    let generic = generic_path(key);
    let parent = generic.rsplit_once('.').map(|(p, _)| p).unwrap_or("");
    let leaf = generic.rsplit_once('.').map(|(_, l)| l).unwrap_or(&generic);
    let siblings = keys.iter().filter(|k| {
        let kp = k.rsplit_once('.').map(|(p, _)| p).unwrap_or("");
        kp == parent
    });
    let sibling_leaf = nearest(leaf, siblings.map(|k| k.rsplit('.').next().unwrap_or(k)));
    if let Some(l) = sibling_leaf {
        let concrete_parent = key.rsplit_once('.').map(|(p, _)| p).unwrap_or("");
        return Some(if concrete_parent.is_empty() {
            l
        } else {
            format!("{concrete_parent}.{l}")
        });
    }
    nearest(&generic, keys.iter().map(String::as_str))
}

/// A key path with array indices replaced by `N`.
pub fn generic_path(key: &str) -> String {
    key.split('.')
        .map(|s| if s.parse::<usize>().is_ok() { "N" } else { s })
        .collect::<Vec<_>>()
        .join(".")
}

/// The candidate closest to `given` by edit distance, if close enough to be a likely typo;
/// failing that, the shortest candidate that `given` begins (a truncated key).
fn nearest<'a>(given: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
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

fn dotted_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|s| match s {
            Segment::Seq { index } => Some(index.to_string()),
            Segment::Map { key } => Some(key.clone()),
            Segment::Enum { variant } => Some(variant.clone()),
            Segment::Unknown => None,
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Byte offset where `key` (dotted) is written in the spanned document, or where its deepest
/// written ancestor is, or None if not even the first segment is written.
fn span_of(root: &Item, key: &str) -> Option<usize> {
    /// One step of a walk through a parsed document: tables, inline tables and arrays alike.
    enum Node<'a> {
        Item(&'a Item),
        Table(&'a toml_edit::Table),
        Value(&'a Value),
    }
    let start = |r: Option<std::ops::Range<usize>>| r.map(|s| s.start);
    let mut node = Node::Item(root);
    let mut found = None;
    for seg in key.split('.') {
        let index = seg.parse::<usize>().ok();
        let (span, next) = match node {
            Node::Item(Item::Table(t)) | Node::Table(t) => match t.get_key_value(seg) {
                Some((k, v)) => (start(k.span()).or(start(v.span())), Node::Item(v)),
                None => break,
            },
            Node::Item(Item::ArrayOfTables(a)) => match index.and_then(|i| a.get(i)) {
                Some(t) => (start(t.span()), Node::Table(t)),
                None => break,
            },
            Node::Item(Item::Value(v)) | Node::Value(v) => match v {
                Value::InlineTable(t) => match t.get_key_value(seg) {
                    Some((k, v)) => (start(k.span()).or(start(v.span())), Node::Item(v)),
                    None => break,
                },
                Value::Array(a) => match index.and_then(|i| a.get(i)) {
                    Some(v) => (start(v.span()), Node::Value(v)),
                    None => break,
                },
                _ => break,
            },
            Node::Item(Item::None) => break,
        };
        found = span.or(found);
        node = next;
    }
    found
}

/// Sets `key` (dotted) to `value` in the document, creating tables on the way. A key into an
/// element of a list the file does not write (e.g. `population.segments.0.share` when the
/// segments are left to their default) starts from the default list.
fn apply_override(root: &mut Item, key: &str, value: Value) -> Result<(), String> {
    let segs: Vec<&str> = key.split('.').collect();
    if let Some(i) = (1..segs.len()).find(|&i| segs[i].parse::<usize>().is_ok()) {
        let list = segs[..i].join(".");
        if item_at(root, &list).is_none() {
            let defaults = toml_edit::ser::to_document(&serde_default_scenario())
                .expect("a scenario always serialises");
            if let Some(Ok(default)) = item_at(defaults.as_item(), &list).map(Item::into_value) {
                set_in_item(root, &segs[..i], default)?;
            }
        }
    }
    set_in_item(root, &segs, value)
}

/// The item at a dotted path of a document (tables, arrays of tables, inline tables, arrays).
pub fn item_at(root: &Item, key: &str) -> Option<Item> {
    let mut item = root.clone();
    for seg in key.split('.') {
        item = match &item {
            Item::Table(t) => t.get(seg)?.clone(),
            Item::ArrayOfTables(a) => Item::Table(a.get(seg.parse().ok()?)?.clone()),
            Item::Value(Value::InlineTable(t)) => Item::Value(t.get(seg)?.clone()),
            Item::Value(Value::Array(a)) => Item::Value(a.get(seg.parse().ok()?)?.clone()),
            _ => return None,
        };
    }
    match item {
        Item::None => None,
        found => Some(found),
    }
}

fn list_index(seg: &str, len: usize) -> Result<usize, String> {
    let index: usize = seg
        .parse()
        .map_err(|_| format!("`{seg}` is not a list index (this key holds a list)"))?;
    if index < len {
        Ok(index)
    } else {
        Err(format!(
            "there is no element {index} here (the list has {len})"
        ))
    }
}

fn set_in_item(item: &mut Item, segs: &[&str], value: Value) -> Result<(), String> {
    let Some((head, rest)) = segs.split_first() else {
        *item = Item::Value(value);
        return Ok(());
    };
    match item {
        Item::None => {
            *item = Item::Table(toml_edit::Table::new());
            set_in_item(item, segs, value)
        }
        Item::Table(t) => set_in_item(t.entry(head).or_insert(Item::None), rest, value),
        Item::ArrayOfTables(a) => {
            let i = list_index(head, a.len())?;
            let table = a.get_mut(i).expect("index checked");
            let Some((key, rest)) = rest.split_first() else {
                return Err("a whole list element cannot be set; set one of its keys".into());
            };
            set_in_item(table.entry(key).or_insert(Item::None), rest, value)
        }
        Item::Value(v) => set_in_value(v, segs, value),
    }
}

fn set_in_value(v: &mut Value, segs: &[&str], value: Value) -> Result<(), String> {
    let Some((head, rest)) = segs.split_first() else {
        *v = value;
        return Ok(());
    };
    match v {
        Value::InlineTable(t) => {
            let empty = Value::InlineTable(toml_edit::InlineTable::new());
            set_in_value(t.entry(*head).or_insert(empty), rest, value)
        }
        Value::Array(a) => {
            let i = list_index(head, a.len())?;
            set_in_value(a.get_mut(i).expect("index checked"), rest, value)
        }
        _ => Err(format!(
            "this value is not a table, so it has no key `{head}`"
        )),
    }
}
