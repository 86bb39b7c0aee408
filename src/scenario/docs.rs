//! The key declarations as documents: the key tables of `docs/SCENARIO.md` (`agora keys
//! --markdown`), the plain listing of `agora keys`, and the commented starter file of
//! `agora init`. All three are generated, so they cannot drift from the code.

use toml_edit::Item;

use super::file::{Badges, Event, RedEnvelope, ScenarioFile};
use super::keys::{doc_line, join, kind_name, rule_text, KeySpec, Kind, Table};
use super::load::item_at;
use super::schema::value_text;

/// A scenario with every optional table present (one event, a red envelope, badges), at their
/// defaults: where the default column of every key is read from.
fn full_defaults() -> Item {
    let mut full = ScenarioFile {
        events: vec![Event::default()],
        ..ScenarioFile::default()
    };
    full.incentives.red_envelope = Some(RedEnvelope::default());
    full.incentives.badges = Some(Badges::default());
    toml_edit::ser::to_document(&full)
        .expect("a scenario always serialises")
        .as_item()
        .clone()
}

/// One documented table: its path (`""` for the top level, `population.segments` for a list),
/// and its rows (dotted name within the table, spec, concrete path of the default).
struct Section {
    path: String,
    list: bool,
    rows: Vec<(String, &'static KeySpec, String)>,
}

/// The sections of the scenario's key tables, in file order. Every top-level table and every
/// list or optional table has its own section; tables nested deeper are written inline, as
/// dotted rows of their parent (`needs.learning`, `health.members`).
fn sections() -> Vec<Section> {
    let mut out = Vec::new();
    collect(<ScenarioFile as Table>::KEYS, "", "", false, &mut out);
    out
}

fn collect(
    keys: &'static [KeySpec],
    path: &str,
    concrete: &str,
    list: bool,
    out: &mut Vec<Section>,
) {
    let mut section = Section {
        path: path.to_string(),
        list,
        rows: Vec::new(),
    };
    let mut nested = Vec::new();
    rows(
        keys,
        "",
        concrete,
        path.is_empty(),
        &mut section,
        &mut nested,
    );
    out.push(section);
    for (spec, sub_path, sub_concrete, is_list) in nested {
        if let Kind::Table(k) | Kind::Optional(k) | Kind::List(k) = spec.kind {
            collect(k, &sub_path, &sub_concrete, is_list, out);
        }
    }
}

type Nested = Vec<(&'static KeySpec, String, String, bool)>;

fn rows(
    keys: &'static [KeySpec],
    prefix: &str,
    concrete: &str,
    top: bool,
    section: &mut Section,
    nested: &mut Nested,
) {
    for spec in keys {
        let name = join(prefix, spec.name);
        let at = join(concrete, spec.name);
        section.rows.push((name.clone(), spec, at.clone()));
        let own_path = join(&section.path, &name);
        match spec.kind {
            Kind::Table(inner) if !top => rows(inner, &name, &at, false, section, nested),
            Kind::Table(_) | Kind::Optional(_) => nested.push((spec, own_path, at, false)),
            Kind::List(_) => nested.push((spec, own_path, format!("{at}.0"), true)),
            _ => {}
        }
    }
}

/// The default of a key, as written in the tables.
fn default_text(spec: &KeySpec, defaults: &Item, at: &str) -> String {
    if spec.required {
        return "**required**".into();
    }
    match (spec.kind, spec.rule) {
        (Kind::Table(_), _) => "see below".into(),
        (Kind::Optional(_), _) => "absent (not used)".into(),
        (Kind::OptionalInteger, _) => "absent (no limit)".into(),
        (Kind::List(_), _) => {
            let n = item_at(
                &toml_edit::ser::to_document(&ScenarioFile::default())
                    .expect("a scenario always serialises")
                    .as_item()
                    .clone(),
                at,
            )
            .and_then(|i| match i {
                Item::ArrayOfTables(a) => Some(a.len()),
                Item::Value(v) => v.as_array().map(|a| a.len()),
                _ => None,
            })
            .unwrap_or(0);
            match n {
                0 => "none".into(),
                1 => "one, with the defaults below".into(),
                n => format!("{n}, with the defaults below"),
            }
        }
        _ => match item_at(defaults, at).as_ref().and_then(Item::as_value) {
            Some(v) => format!("`{}`", value_text(v)),
            None => "—".into(),
        },
    }
}

/// The heading of a section, as the table is written in a file.
fn heading(s: &Section) -> String {
    if s.path.is_empty() {
        "top level".into()
    } else if s.list {
        format!("[[{}]]", s.path)
    } else {
        format!("[{}]", s.path)
    }
}

/// The markdown table of one section (`top` or `""`, `population`, `population.segments`,
/// ...), or None if there is no such section.
pub fn markdown_table(path: &str) -> Option<String> {
    let path = if path == "top" { "" } else { path };
    let defaults = full_defaults();
    let section = sections().into_iter().find(|s| s.path == path)?;
    let mut out = String::from(
        "| key | type | default | range | unit | meaning |\n|---|---|---|---|---|---|\n",
    );
    for (name, spec, at) in &section.rows {
        out.push_str(&format!(
            "| `{name}` | {} | {} | {} | {} | {} |\n",
            kind_name(spec.kind).replace('|', "\\|"),
            default_text(spec, &defaults, at),
            rule_text(spec.kind, spec.rule),
            if spec.unit.is_empty() {
                "—"
            } else {
                spec.unit
            },
            doc_line(spec.doc).replace('|', "\\|"),
        ));
    }
    Some(out)
}

/// The name of a section in the markers of `docs/SCENARIO.md`: its path, or `top`.
pub fn section_marker(path: &str) -> &str {
    if path.is_empty() {
        "top"
    } else {
        path
    }
}

/// The paths of every section of the key tables, in file order (`""` is the top level).
pub fn section_paths() -> Vec<String> {
    sections().into_iter().map(|s| s.path).collect()
}

/// Every section's markdown table, each after a `### heading` and between the markers that
/// `docs/SCENARIO.md` uses (`<!-- keys: PATH -->` … `<!-- /keys -->`).
pub fn markdown_tables() -> String {
    sections()
        .iter()
        .map(|s| {
            format!(
                "### `{}`\n\n<!-- keys: {} -->\n{}<!-- /keys -->\n",
                heading(s),
                section_marker(&s.path),
                markdown_table(&s.path).expect("a listed section")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every key, one a line: path, type, default, range, unit and meaning.
pub fn key_listing() -> String {
    let defaults = full_defaults();
    let mut out = String::new();
    for s in sections() {
        out.push_str(&format!("{}\n", heading(&s)));
        for (name, spec, at) in &s.rows {
            let path = join(&s.path, name);
            let path = if s.list {
                path.replacen(&s.path, &format!("{}.<i>", s.path), 1)
            } else {
                path
            };
            out.push_str(&format!(
                "  {path}  ({}; default {}; {}{})\n      {}\n",
                kind_name(spec.kind),
                default_text(spec, &defaults, at).replace("**", ""),
                rule_text(spec.kind, spec.rule),
                if spec.unit.is_empty() {
                    String::new()
                } else {
                    format!("; {}", spec.unit)
                },
                doc_line(spec.doc)
            ));
        }
        out.push('\n');
    }
    out
}

/// `text` as comment lines of at most 96 characters.
fn comment(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::from("#");
    for word in text.split_whitespace() {
        if line.len() + 1 + word.len() > 96 && line.len() > 1 {
            out.push_str(&line);
            out.push('\n');
            line = String::from("#");
        }
        line.push(' ');
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// A commented starter scenario named `name`: every key with its meaning, range and default.
/// Optional tables, the list of events and the behaviour weights are commented out.
pub fn starter_file(name: &str) -> String {
    let defaults = full_defaults();
    let mut out = String::from(
        "# A starter scenario for agora: every key, at its default, with what it means.\n\
         # Change what your strategy changes; `agora check FILE` validates it, and\n\
         # docs/SCENARIO.md and docs/MODEL.md explain each key and each default.\n",
    );
    for s in sections() {
        // Behaviour weights are constants of the model, not levers: left commented out.
        let commented =
            s.path == "behavior" || s.path == "events" || s.path.starts_with("incentives.");
        let c = if commented { "# " } else { "" };
        if !s.path.is_empty() {
            out.push_str(&format!("\n{c}{}\n", heading(&s)));
        }
        for (row, spec, at) in &s.rows {
            if row.contains('.') && matches!(spec.kind, Kind::Table(_)) {
                continue;
            }
            if matches!(
                spec.kind,
                Kind::Table(_) | Kind::Optional(_) | Kind::List(_)
            ) && !row.contains('.')
            {
                continue;
            }
            let value = if spec.name == "name" && s.path.is_empty() {
                Some(format!(
                    "\"{}\"",
                    name.replace('\\', "\\\\").replace('"', "\\\"")
                ))
            } else {
                item_at(&defaults, at)
                    .as_ref()
                    .and_then(Item::as_value)
                    .map(value_text)
            };
            let unit = if spec.unit.is_empty() {
                String::new()
            } else {
                format!(", in {}", spec.unit)
            };
            let range = match spec.kind {
                Kind::Choice(_) => format!("(one of {})", kind_name(spec.kind)),
                _ => format!("(range {}{unit})", rule_text(spec.kind, spec.rule)),
            };
            out.push_str(&comment(&format!("{} {range}", doc_line(spec.doc))));
            match value {
                Some(v) => out.push_str(&format!("{c}{row} = {v}\n")),
                None => out.push_str(&format!("# {row} = (absent)\n")),
            }
        }
    }
    comment_out_inert(out)
}

/// The starter with the keys that have no effect at the defaults (a fee with free entry, a
/// price nobody pays) commented out, so that `agora check` of a fresh starter warns of nothing;
/// uncommenting one shows its warning until the key it depends on is set.
fn comment_out_inert(text: String) -> String {
    let Ok(scenario) = super::load_str(&text, "starter.toml", &[]) else {
        return text;
    };
    let inert: std::collections::BTreeSet<usize> = scenario
        .warnings()
        .iter()
        .filter_map(|w| match w.origin {
            super::Origin::Line(n) => Some(n),
            _ => None,
        })
        .collect();
    let mut out = String::with_capacity(text.len() + 2 * inert.len());
    for (i, line) in text.lines().enumerate() {
        if inert.contains(&(i + 1)) && !line.starts_with('#') {
            out.push_str("# ");
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}
