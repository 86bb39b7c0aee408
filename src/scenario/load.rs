//! From text to a valid [`Scenario`]: TOML parsing, `--set` overrides, the document check
//! against the key declarations, serde, the cross-key rules, and errors that say where (file,
//! line or `--set`), which key, what was expected, and which key was probably meant.
//!
//! The file is parsed once by `toml_edit`, keeping byte spans so that any key path can be traced
//! back to its line; overrides are applied to a mutable copy before anything is checked.

use std::fmt;
use std::path::Path;

use toml_edit::{DocumentMut, Item, Value};

use super::file::ScenarioFile;
use super::keys::{elide, within, Table};
use super::lint::lint;
use super::schema::{Problem, Schema};
use super::validate::{validate, Invalid};
use super::Scenario;

/// Largest file agora reads as a scenario, sweep, comparison or calibration: the presets are a
/// few KiB, and parsing a larger file would take seconds and gigabytes before its first error.
pub const MAX_FILE_BYTES: u64 = 8 << 20;

/// A `--set key=value` override: a dotted key path (list elements by number, e.g.
/// `population.segments.0.share`) and a value read as TOML, or as plain text when it is not
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
            Some((key, _)) if key.trim().split('.').any(str::is_empty) => Err(format!(
                "`{}` has an empty part between its dots; write e.g. `population.size=5000`",
                elide(key.trim(), 60)
            )),
            Some((key, value)) if !key.trim().is_empty() => Ok(Override {
                key: key.trim().to_string(),
                value: value.trim().to_string(),
            }),
            _ => Err(format!(
                "`{}` is not of the form key=value (for example `entry.fee=49`)",
                elide(s, 60)
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

    /// Whether this override bears on `key`: it sets `key`, a table holding it, or a key
    /// inside it (a rule on `population.segments` is broken by a `--set` of one share).
    fn covers(&self, key: &str) -> bool {
        super::keys::overlap(key, &self.key)
    }

    /// Whether this override writes `key`: it sets `key`, or a table holding it whose value
    /// writes `key` (`events` as a list writes `events.0.kind` if its first event has a kind).
    fn writes(&self, key: &str) -> bool {
        let Some(rest) = key.strip_prefix(self.key.as_str()) else {
            return false;
        };
        match rest.strip_prefix('.') {
            None => rest.is_empty(),
            Some(inner) => item_at(&Item::Value(self.toml_value()), inner).is_some(),
        }
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
    /// The `--set` that broke a rule on `key`, when it set another key the rule involves.
    pub via: Option<Box<str>>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = elide(&self.key, 80);
        write!(f, "{}", self.file)?;
        match &self.origin {
            Origin::Line(line) => write!(f, ", line {line}")?,
            Origin::Override => {
                let via = self.via.as_deref().map(|v| elide(v, 80));
                write!(f, ", --set {}", via.as_deref().unwrap_or(&key))?
            }
            Origin::Default => write!(f, " (not written: its default)")?,
            Origin::File => {}
        }
        if !self.key.is_empty() {
            write!(f, ", key `{key}`")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(s) = &self.suggestion {
            write!(f, "; did you mean `{}`?", elide(s, 80))?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// The schema of scenario files.
pub fn scenario_schema() -> Schema {
    Schema {
        keys: <ScenarioFile as Table>::KEYS,
        what: "scenario",
    }
}

/// Reads, overrides and validates a scenario file.
pub fn load_file(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    load_source(&TomlSource::read(path, "scenario")?, overrides)
}

/// The top-level keys that tell a batch file's kind: (key, what the file is, its command).
pub const BATCH_MARKERS: [(&str, &str, &str); 4] = [
    ("axes", "sweep file", "sweep"),
    ("policies", "comparison file", "compare"),
    ("parameters", "calibration file", "calibrate"),
    ("observed", "calibration file", "calibrate"),
];

/// Parses, overrides and validates scenario text; `file` names it in errors.
pub fn load_str(text: &str, file: &str, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    let source = TomlSource::parse(text, file)?;
    load_source(&source, overrides)
}

/// Overrides and validates a parsed scenario file.
pub fn load_source(source: &TomlSource, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    let root = source.root();
    for (marker, what, command) in BATCH_MARKERS {
        if item_at(root, "base").is_some() && item_at(root, marker).is_some() {
            return Err(ScenarioError {
                file: source.file.clone(),
                origin: Origin::File,
                key: String::new(),
                message: format!(
                    "this is a {what}, not a scenario: run it with `agora {command} {}`",
                    source.file
                ),
                suggestion: None,
                via: None,
            });
        }
    }
    let overridden = |key: &str| overrides.iter().any(|o| o.covers(key));
    let mut doc = source.to_mut();
    let defaults = default_document();
    for o in overrides {
        apply_override(
            doc.as_item_mut(),
            defaults.as_item(),
            &o.key,
            o.toml_value(),
        )
        .map_err(|message| ScenarioError {
            file: source.file.clone(),
            origin: Origin::Override,
            key: o.key.clone(),
            message,
            suggestion: None,
            via: None,
        })?;
    }
    let file: ScenarioFile = source.deserialize(doc, scenario_schema(), &overridden)?;
    let located = |Invalid {
                       key,
                       message,
                       involved,
                   }| {
        let mut err = source.error(&key, message, None);
        if overridden(&key) {
            err.origin = Origin::Override;
        } else if let Some(o) = overrides
            .iter()
            .find(|o| involved.iter().any(|k| o.covers(k)))
        {
            // A rule tying this key to others, broken by a `--set` of one of them.
            err.origin = Origin::Override;
            err.via = Some(o.key.as_str().into());
        }
        err
    };
    // Written by the last override that sets it or a table holding it, else by the file.
    let written = |key: &str| match overrides.iter().rev().find(|o| within(key, &o.key)) {
        Some(o) => o.writes(key),
        None => item_at(source.root(), key).is_some(),
    };
    validate(&file, &written).map_err(located)?;
    let warnings = lint(&file, &written).into_iter().map(located).collect();
    Ok(Scenario::from_valid(file, warnings))
}

/// The document of a scenario that writes nothing but its name: every default.
fn default_document() -> DocumentMut {
    toml_edit::ser::to_document(&ScenarioFile::default()).expect("a scenario always serialises")
}

/// A TOML file parsed with the byte spans of its keys, so that any key path can be traced back
/// to its line. Scenario, sweep and comparison files are all read through it.
#[derive(Clone)]
pub struct TomlSource {
    pub file: String,
    text: String,
    spanned: toml_edit::Document<String>,
}

impl TomlSource {
    /// Parses `text`; a syntax error names the file, the line and the problem in plain words.
    pub fn parse(text: &str, file: &str) -> Result<TomlSource, ScenarioError> {
        let spanned = toml_edit::Document::parse(text.to_string()).map_err(|e| {
            let (line, message) = syntax_problem(text, e.message(), e.span());
            ScenarioError {
                file: file.to_string(),
                origin: Origin::Line(line),
                key: String::new(),
                message,
                suggestion: None,
                via: None,
            }
        })?;
        Ok(TomlSource {
            file: file.to_string(),
            text: text.to_string(),
            spanned,
        })
    }

    /// Reads a file and parses it (at most [`MAX_FILE_BYTES`]: `/dev/zero` is not read to the end).
    pub fn read(path: &Path, what: &str) -> Result<TomlSource, ScenarioError> {
        let file = path.display().to_string();
        let error = |origin, message| ScenarioError {
            file: file.clone(),
            origin,
            key: String::new(),
            message,
            suggestion: None,
            via: None,
        };
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| {
                use std::io::Read as _;
                f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)
            })
            .map_err(|e| error(Origin::File, format!("cannot read the {what} file: {e}")))?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(error(
                Origin::File,
                format!(
                    "the {what} file is over {} MiB, more than any scenario, sweep, comparison or \
                     calibration a person writes: is it the right file?",
                    MAX_FILE_BYTES >> 20
                ),
            ));
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..valid]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            error(
                Origin::Line(line),
                "this line is not valid UTF-8 text: save the file as UTF-8".into(),
            )
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
            None if key.is_empty() => Origin::File,
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
            via: None,
        }
    }

    /// An error for a problem the document check found.
    fn problem(&self, p: Problem, overridden: &dyn Fn(&str) -> bool) -> ScenarioError {
        let mut err = self.error(&p.key, p.message, p.suggestion);
        if let Some(written) = &p.written_as {
            if let Some(i) = self.text.lines().position(|l| l.contains(written.as_str())) {
                err.origin = Origin::Line(i + 1);
            }
        }
        if overridden(&p.key) {
            err.origin = Origin::Override;
        } else if p.missing {
            err.origin = Origin::File;
        }
        err
    }

    /// Checks `doc` (this file, possibly modified) against `schema`, then deserialises it.
    pub fn deserialize<T: Table>(
        &self,
        doc: DocumentMut,
        schema: Schema,
        overridden: &dyn Fn(&str) -> bool,
    ) -> Result<T, ScenarioError> {
        schema
            .check(doc.as_item())
            .map_err(|p| self.problem(p, overridden))?;
        let deserializer = toml_edit::de::Deserializer::from(doc);
        serde_path_to_error::deserialize(deserializer).map_err(|e| {
            // The check above lets through only what deserialises; this is a bug in agora.
            let key = dotted_path(e.path());
            self.problem(
                Problem {
                    message: format!(
                        "this value cannot be read (please report this as a bug in agora: {})",
                        elide(&e.inner().to_string(), 200)
                    ),
                    key,
                    suggestion: None,
                    missing: false,
                    written_as: None,
                },
                overridden,
            )
        })
    }

    /// The document as a mutable copy.
    pub fn to_mut(&self) -> DocumentMut {
        self.spanned.clone().into_mut()
    }
}

/// How deeply keys, tables and lists may nest before the parser gives up.
const NESTING_SHOWN: usize = 100;

/// The line of a TOML syntax error and what is wrong, in plain words.
fn syntax_problem(
    text: &str,
    message: &str,
    span: Option<std::ops::Range<usize>>,
) -> (usize, String) {
    let message = message.trim().trim_end_matches('.');
    if message.contains("recursion limit") {
        // The parser does not say where: find the first line that nests too deeply.
        let depth = |l: &str| {
            let key = l.split('=').next().unwrap_or("");
            key.matches('.').count() + l.matches(['[', '{']).count()
        };
        let line = text
            .lines()
            .position(|l| depth(l) >= NESTING_SHOWN)
            .map_or(1, |i| i + 1);
        return (
            line,
            format!(
                "this key or value nests too deeply (more than {NESTING_SHOWN} levels of dotted \
                 keys, tables or lists)"
            ),
        );
    }
    let line = span.map(|s| line_of(text, s.start)).unwrap_or(1);
    let written = text.lines().nth(line - 1).unwrap_or("");
    let after_equals = written.split_once('=').map(|(_, v)| v.trim());
    let missing_value = matches!(after_equals, Some(v) if v.is_empty() || v.starts_with('#'));
    let plain = if missing_value {
        "the value after `=` is missing".to_string()
    } else if message.contains("string values must be quoted") {
        "text values must be in quotes, e.g. kind = \"paid\"".to_string()
    } else if message.starts_with("duplicate key") {
        let line = written.trim();
        match line.strip_prefix('[') {
            Some(_) => format!("the table {line} is written twice: put its keys under one {line}"),
            None => {
                let key = line.split('=').next().unwrap_or(line).trim();
                format!(
                    "`{}` is written twice in its table: keep one",
                    elide(key, 60)
                )
            }
        }
    } else if message.contains("number overflowed") {
        "this number is too large".to_string()
    } else {
        format!("this is not valid TOML: {}", elide(message, 200))
    };
    (line, plain)
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

/// Sets `key` (dotted) to `value` in the document. A table or list on the way that the file
/// does not write starts from its default (so `community.offer.learning` keeps the other seven
/// offers, and `population.segments.0.share` edits the default segment); any other missing table
/// is created empty.
fn apply_override(root: &mut Item, defaults: &Item, key: &str, value: Value) -> Result<(), String> {
    let segs: Vec<&str> = key.split('.').collect();
    if let Some(absent) = (1..segs.len()).find(|&i| item_at(root, &segs[..i].join(".")).is_none()) {
        let prefix = segs[..absent].join(".");
        if let Some(default) = item_at(defaults, &prefix) {
            let default = match default {
                Item::Table(t) => Value::InlineTable(t.into_inline_table()),
                Item::ArrayOfTables(a) => Value::Array(a.into_array()),
                Item::Value(v) => v,
                Item::None => return set_in_item(root, &segs, value),
            };
            set_in_item(root, &segs[..absent], default)?;
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
    let index: usize = seg.parse().map_err(|_| {
        format!(
            "`{}` is not a list index (this key holds a list)",
            elide(seg, 40)
        )
    })?;
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
            "this value is not a table, so it has no key `{}`",
            elide(head, 40)
        )),
    }
}
