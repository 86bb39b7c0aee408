//! One declaration per key: its name, kind, default, valid range, unit and meaning.
//!
//! Every table of a scenario (and of a sweep or comparison file) is declared once with the
//! [`table!`] macro, which generates the serde struct, its `Default`, and a static list of
//! [`KeySpec`]s. Everything else reads that list: the document check that runs before serde (so
//! no serde message ever reaches an operator), the nearest-key suggestions, `agora keys`, the
//! starter file of `agora init`, and the key tables of `docs/SCENARIO.md`.
//!
//! Adding a key is one line in the `table!` of its table plus the code that uses it.

use serde::de::DeserializeOwned;

/// What a key holds.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A number (TOML integer or float).
    Number,
    /// A whole number (TOML integer).
    Integer,
    /// A whole number that may be left out (absent means "no limit" or "none").
    OptionalInteger,
    Bool,
    Text,
    /// One of a fixed list of words.
    Choice(&'static [&'static str]),
    /// A list of whole numbers.
    Integers,
    /// A list of texts.
    Texts,
    /// A table with its own keys.
    Table(&'static [KeySpec]),
    /// A table that may be left out (absent means the lever is not used).
    Optional(&'static [KeySpec]),
    /// A list of tables, written `[[key]]`.
    List(&'static [KeySpec]),
    /// A table of scenario keys and values (`set` of sweep and comparison files).
    Settings,
    /// A list of values of any kind (an axis's `values`).
    Values,
}

/// What a key's value must satisfy beyond its kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// Nothing beyond the kind.
    Any,
    /// A number or whole number in `[min, max]`, or `(min, max]` when `min_open`.
    Range { min: f64, max: f64, min_open: bool },
    /// Text that names a results folder (`results/<name>/`).
    Name,
    /// A non-empty label on one line.
    Label,
    /// Whole numbers in strictly increasing order, each in `[min, max]`, at least one.
    Increasing { min: f64, max: f64 },
    /// A list with `min` to `max` elements.
    Count { min: usize, max: usize },
}

impl Rule {
    /// `[min, max]`.
    pub const fn closed(min: f64, max: f64) -> Rule {
        Rule::Range {
            min,
            max,
            min_open: false,
        }
    }

    /// `(min, max]`.
    pub const fn above(min: f64, max: f64) -> Rule {
        Rule::Range {
            min,
            max,
            min_open: true,
        }
    }

    /// A probability or share: `[0, 1]`.
    pub const UNIT: Rule = Rule::closed(0.0, 1.0);
}

/// One key of a table.
#[derive(Debug, Clone, Copy)]
pub struct KeySpec {
    pub name: &'static str,
    pub kind: Kind,
    pub rule: Rule,
    /// Unit of the value (empty for none).
    pub unit: &'static str,
    /// What the key means in the model, in a sentence or two.
    pub doc: &'static str,
    /// Whether the key must be written (it has no default).
    pub required: bool,
}

/// A type that is declared as a table.
pub trait Table: Default + DeserializeOwned {
    const KEYS: &'static [KeySpec];
}

/// The kind of value a Rust type holds in a file.
pub trait Declared {
    const KIND: Kind;
}

impl Declared for f64 {
    const KIND: Kind = Kind::Number;
}
impl Declared for u32 {
    const KIND: Kind = Kind::Integer;
}
impl Declared for u64 {
    const KIND: Kind = Kind::Integer;
}
impl Declared for Option<u64> {
    const KIND: Kind = Kind::OptionalInteger;
}
impl Declared for bool {
    const KIND: Kind = Kind::Bool;
}
impl Declared for String {
    const KIND: Kind = Kind::Text;
}
impl Declared for Vec<u32> {
    const KIND: Kind = Kind::Integers;
}
impl Declared for Vec<String> {
    const KIND: Kind = Kind::Texts;
}
impl<T: Table> Declared for Vec<T> {
    const KIND: Kind = Kind::List(T::KEYS);
}
impl<T: Table> Declared for Option<T> {
    const KIND: Kind = Kind::Optional(T::KEYS);
}

/// A value that is read from the document rather than through serde (a `set` table or an
/// axis's `values`): serde only skips it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Opaque;

impl<'de> serde::Deserialize<'de> for Opaque {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| Opaque)
    }
}

/// A `set` table: scenario keys and their values.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Deserialize)]
#[serde(transparent)]
pub struct Settings(Opaque);
impl Declared for Settings {
    const KIND: Kind = Kind::Settings;
}

/// A list of values of any kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Deserialize)]
#[serde(transparent)]
pub struct Values(Opaque);
impl Declared for Values {
    const KIND: Kind = Kind::Values;
}

/// Declares a table: the struct (serde, `deny_unknown_fields`, missing keys from `Default`),
/// its `Default`, and its [`KeySpec`]s. Each key is written
/// `name: Type = default, rule, "unit", "meaning";`, with `, required` before the `;` for a key
/// that must be written (its default then only fills the struct before serde).
macro_rules! table {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(
                $field:ident : $ty:ty = $default:expr, $rule:expr, $unit:literal, $doc:literal
                    $(, $required:ident)?;
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Deserialize)]
        #[serde(deny_unknown_fields, default)]
        $vis struct $name {
            $(
                #[doc = $doc]
                pub $field: $ty,
            )*
        }

        impl Default for $name {
            fn default() -> Self {
                $name { $($field: $default,)* }
            }
        }

        impl $crate::scenario::keys::Table for $name {
            const KEYS: &'static [$crate::scenario::keys::KeySpec] = &[
                $(
                    $crate::scenario::keys::KeySpec {
                        name: stringify!($field),
                        kind: <$ty as $crate::scenario::keys::Declared>::KIND,
                        rule: $rule,
                        unit: $unit,
                        doc: $doc,
                        required: { let marks: &[&str] = &[$(stringify!($required)),*]; !marks.is_empty() },
                    },
                )*
            ];
        }

        impl $crate::scenario::keys::Declared for $name {
            const KIND: $crate::scenario::keys::Kind = $crate::scenario::keys::Kind::Table(
                <$name as $crate::scenario::keys::Table>::KEYS,
            );
        }
    };
}
pub(crate) use table;

/// Declares a choice: an enum whose variants are written as kebab-case words.
macro_rules! choice {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[doc = $doc:literal])* $variant:ident = $word:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $(
                $(#[doc = $doc])*
                #[serde(rename = $word)]
                $variant,
            )*
        }

        impl $name {
            /// The words that may be written, in declaration order.
            pub const WORDS: &'static [&'static str] = &[$($word),*];

            /// The word written for this choice.
            pub fn word(self) -> &'static str {
                match self { $($name::$variant => $word,)* }
            }
        }

        impl $crate::scenario::keys::Declared for $name {
            const KIND: $crate::scenario::keys::Kind =
                $crate::scenario::keys::Kind::Choice($name::WORDS);
        }
    };
}
pub(crate) use choice;

/// Every key under `keys`, as (generic dotted path, spec), depth first in declaration order.
/// List elements are written `N` in the path (`events.N.kind`).
pub fn flatten(keys: &'static [KeySpec]) -> Vec<(String, &'static KeySpec)> {
    let mut out = Vec::new();
    walk(keys, "", &mut out);
    out
}

fn walk(keys: &'static [KeySpec], prefix: &str, out: &mut Vec<(String, &'static KeySpec)>) {
    for spec in keys {
        let path = join(prefix, spec.name);
        out.push((path.clone(), spec));
        match spec.kind {
            Kind::Table(inner) | Kind::Optional(inner) => walk(inner, &path, out),
            Kind::List(inner) => walk(inner, &format!("{path}.N"), out),
            _ => {}
        }
    }
}

/// Whether the dotted key `key` is `table` itself or a key inside it
/// (`population.segments.0.share` is within `population.segments`; `rules.ads_x` is not within
/// `rules.ads`).
pub fn within(key: &str, table: &str) -> bool {
    key.strip_prefix(table)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// Whether two dotted keys set the same value: equal, or one a table holding the other.
pub fn overlap(a: &str, b: &str) -> bool {
    within(a, b) || within(b, a)
}

/// `prefix.name`, or `name` at the top.
pub fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// The spec of the key at a concrete dotted path (`population.segments.0.share`), if any.
pub fn spec_at(keys: &'static [KeySpec], path: &str) -> Option<&'static KeySpec> {
    let mut table = keys;
    let mut found = None;
    let mut segments = path.split('.').peekable();
    while let Some(seg) = segments.next() {
        let spec = table.iter().find(|k| k.name == seg)?;
        found = Some(spec);
        match spec.kind {
            Kind::Table(inner) | Kind::Optional(inner) => table = inner,
            Kind::List(inner) => {
                if segments.peek().is_some() {
                    segments.next()?.parse::<usize>().ok()?;
                }
                table = inner;
            }
            _ => {
                if segments.peek().is_some() {
                    return None;
                }
            }
        }
    }
    found
}

/// How a kind is named in messages and tables.
pub fn kind_name(kind: Kind) -> String {
    match kind {
        Kind::Number => "number".into(),
        Kind::Integer | Kind::OptionalInteger => "whole number".into(),
        Kind::Bool => "true or false".into(),
        Kind::Text => "text".into(),
        Kind::Choice(words) => words
            .iter()
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(" | "),
        Kind::Integers => "list of whole numbers".into(),
        Kind::Texts => "list of texts".into(),
        Kind::Table(_) | Kind::Optional(_) => "table".into(),
        Kind::List(_) => "list of tables".into(),
        Kind::Settings => "table of scenario keys".into(),
        Kind::Values => "list of values".into(),
    }
}

/// A bound as people write it: `1e9` rather than `1000000000`.
pub fn bound(x: f64) -> String {
    if x >= i64::MAX as f64 {
        "2^63 − 1".into()
    } else if x.abs() >= 1e6 && (x.log10().fract() == 0.0) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// The valid range of a rule, in words (`[0, 1]`, `1 to 36500`, `(0, 1e6]`).
pub fn rule_text(kind: Kind, rule: Rule) -> String {
    let whole = matches!(kind, Kind::Integer | Kind::OptionalInteger | Kind::Integers);
    match rule {
        Rule::Any => match kind {
            Kind::Choice(_) => "one of these".into(),
            Kind::Bool => "true or false".into(),
            Kind::Table(_) | Kind::Optional(_) => "—".into(),
            _ => "any".into(),
        },
        Rule::Range { min, max, min_open } if whole => {
            let min = if min_open { min + 1.0 } else { min };
            let text = format!("{} to {}", bound(min), bound(max));
            if matches!(kind, Kind::OptionalInteger) {
                format!("{text}, or leave it out")
            } else {
                text
            }
        }
        Rule::Range { min, max, min_open } => {
            format!(
                "{}{}, {}]",
                if min_open { "(" } else { "[" },
                bound(min),
                bound(max)
            )
        }
        Rule::Name => "not empty, one line, no `/` or `\\`, not `.` or `..`".into(),
        Rule::Label => "not empty, one line".into(),
        Rule::Increasing { min, max } => format!(
            "at least one, each {} to {}, strictly increasing",
            bound(min),
            bound(max)
        ),
        Rule::Count { min, max } => format!("{min} to {max} entries"),
    }
}

/// What a key expects, as said in an error: "a number in [0, 1]", "a whole number from 1 to
/// 36500", "one of \"free\", \"paid\"".
pub fn expectation(spec: &KeySpec) -> String {
    let range = match spec.rule {
        Rule::Range { .. } => format!(" {}", range_words(spec)),
        _ => String::new(),
    };
    match spec.kind {
        Kind::Number => format!("a number{range}"),
        Kind::Integer | Kind::OptionalInteger => format!("a whole number{range}"),
        Kind::Bool => "true or false".into(),
        Kind::Text => "text in quotes".into(),
        Kind::Choice(words) => format!(
            "one of {}",
            words
                .iter()
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Kind::Integers => "a list of whole numbers, e.g. [5, 20, 100]".into(),
        Kind::Texts => "a list of texts in quotes, e.g. [\"a\", \"b\"]".into(),
        Kind::Table(_) | Kind::Optional(_) => "a table".into(),
        Kind::List(_) => "a list of tables".into(),
        Kind::Settings => "a table of scenario keys and values".into(),
        Kind::Values => "a list of values".into(),
    }
}

/// The range of a numeric key in words, for messages.
fn range_words(spec: &KeySpec) -> String {
    let Rule::Range { min, max, min_open } = spec.rule else {
        return String::new();
    };
    if matches!(spec.kind, Kind::Integer | Kind::OptionalInteger) {
        let min = if min_open { min + 1.0 } else { min };
        format!("from {} to {}", bound(min), bound(max))
    } else if min_open {
        format!("above {} and at most {}", bound(min), bound(max))
    } else {
        format!("in [{}, {}]", bound(min), bound(max))
    }
}

/// Whether `x` satisfies a numeric rule.
pub fn in_range(rule: Rule, x: f64) -> bool {
    match rule {
        Rule::Range { min, max, min_open } => {
            x.is_finite() && x <= max && if min_open { x > min } else { x >= min }
        }
        _ => true,
    }
}

/// What is wrong with `name` as the name of a results folder, if anything.
pub fn name_problem(name: &str) -> Option<String> {
    if name.trim().is_empty() {
        Some("expected a non-empty name".to_string())
    } else if name.contains(['\n', '\r', '\0']) {
        Some("a name must be one line of text, without newlines or NUL".to_string())
    } else if name.contains(['/', '\\']) || name == "." || name == ".." {
        Some(format!(
            "`{}` names a results folder, so it cannot contain `/` or `\\` or be `.` or `..`",
            elide(name, 60)
        ))
    } else if name.chars().count() > 100 {
        Some(format!(
            "`{}` is {} characters long: a results folder's name has at most 100",
            elide(name, 40),
            name.chars().count()
        ))
    } else if name.starts_with('.') {
        Some(format!(
            "`{}` would name a hidden results folder: start it with a letter or digit",
            elide(name, 60)
        ))
    } else {
        None
    }
}

/// What is wrong with a label (a segment or policy name), if anything.
pub fn label_problem(label: &str) -> Option<String> {
    if label.trim().is_empty() {
        Some("expected a non-empty name".to_string())
    } else if label.contains(['\n', '\r', '\0']) {
        Some("a name must be one line of text, without newlines or NUL".to_string())
    } else {
        None
    }
}

/// `text` cut to at most `max` characters, with an ellipsis when cut.
pub fn elide(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let head: String = text.chars().take(max).collect();
        format!("{head}…")
    }
}

/// Text for the meaning column: the declared doc on one line.
pub fn doc_line(doc: &str) -> String {
    doc.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_within_itself_and_its_tables_only() {
        assert!(within("rules.ads", "rules.ads"));
        assert!(within("population.segments.0.share", "population.segments"));
        assert!(
            !within("rules.ads_x", "rules.ads"),
            "a longer name is not inside"
        );
        assert!(
            !within("rules", "rules.ads"),
            "a table is not inside its key"
        );
        assert!(overlap("rules", "rules.ads") && overlap("rules.ads", "rules"));
        assert!(!overlap("rules.ads", "rules.ads_x"));
    }
}
