//! The fingerprint of a batch: everything that decides its runs and its files (the resolved base
//! scenario, every item's overrides, the design, replicates, seed, the output format and agora's
//! version), as a TOML document kept in `.partial/manifest.toml`. `--resume` refuses any
//! difference and names what changed.

use toml_edit::{DocumentMut, Item, Table, Value};

/// Version of the layout of the files agora writes; a change of columns bumps it.
pub const FORMAT: i64 = 2;

/// The fingerprint of a batch, built key by key.
pub struct Manifest {
    doc: DocumentMut,
}

impl Manifest {
    /// A fingerprint for `command` (`sweep` or `compare`) named `name`.
    pub fn new(command: &str, name: &str) -> Manifest {
        let mut doc = DocumentMut::new();
        doc["format"] = toml_edit::value(FORMAT);
        doc["agora"] = toml_edit::value(env!("CARGO_PKG_VERSION"));
        doc["command"] = toml_edit::value(command);
        doc["name"] = toml_edit::value(name);
        Manifest { doc }
    }

    /// Records a value.
    pub fn set(&mut self, key: &str, value: impl Into<Value>) {
        self.doc[key] = Item::Value(value.into());
    }

    /// Records a table parsed from TOML text (the resolved base scenario).
    pub fn set_toml(&mut self, key: &str, toml: &str) {
        let parsed: DocumentMut = toml.parse().expect("agora writes valid TOML");
        let table: Table = parsed.as_table().clone();
        self.doc[key] = Item::Table(table);
    }

    /// The fingerprint as text.
    pub fn text(&self) -> String {
        self.doc.to_string()
    }
}

/// What differs between a recorded fingerprint and the current one, in words, at most `max`
/// differences (and how many more).
pub fn changes(recorded: &str, current: &str, max: usize) -> Vec<String> {
    let Ok(old) = recorded.parse::<DocumentMut>() else {
        return vec!["the recorded batch cannot be read (it was written by another agora)".into()];
    };
    let current: DocumentMut = current.parse().expect("agora writes valid TOML");
    let (a, b) = (flatten(old.as_item()), flatten(current.as_item()));
    for key in ["command", "agora", "format"] {
        if a.get(key) != b.get(key) {
            return vec![format!(
                "it was written by `{}` {} (agora {}), not this `{}`",
                a.get("command").map_or("?", |s| s.trim_matches('"')),
                a.get("name").map_or("?", |s| s.trim_matches('"')),
                a.get("agora").map_or("?", |s| s.trim_matches('"')),
                b.get("command").map_or("?", |s| s.trim_matches('"')),
            )];
        }
    }
    let mut out = Vec::new();
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let (x, y) = (a.get(key), b.get(key));
        if x == y {
            continue;
        }
        let show = |v: Option<&String>| v.cloned().unwrap_or_else(|| "(absent)".into());
        out.push(format!(
            "`{key}` was {} and is now {}",
            crate::scenario::keys::elide(&show(x), 60),
            crate::scenario::keys::elide(&show(y), 60)
        ));
    }
    if out.len() > max {
        let more = out.len() - max;
        out.truncate(max);
        out.push(format!("and {more} more"));
    }
    out
}

/// Every value of a document by dotted path, as TOML text.
fn flatten(item: &Item) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    walk(item, "", &mut out);
    out
}

fn walk(item: &Item, prefix: &str, out: &mut std::collections::BTreeMap<String, String>) {
    let join = |k: &str| crate::scenario::keys::join(prefix, k);
    match item {
        Item::Table(t) => t.iter().for_each(|(k, v)| walk(v, &join(k), out)),
        Item::ArrayOfTables(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, t)| walk(&Item::Table(t.clone()), &join(&i.to_string()), out)),
        Item::Value(Value::InlineTable(t)) => t
            .iter()
            .for_each(|(k, v)| walk(&Item::Value(v.clone()), &join(k), out)),
        Item::Value(v) => {
            out.insert(prefix.to_string(), crate::scenario::value_text(v));
        }
        Item::None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_name_each_key_that_differs() {
        let mut a = Manifest::new("sweep", "x");
        a.set("replicates", 3);
        a.set_toml("base", "days = 180\n[entry]\nfee = 49.0\n");
        let mut b = Manifest::new("sweep", "x");
        b.set("replicates", 1);
        b.set_toml("base", "days = 180\n[entry]\nfee = 59.0\n");
        let c = changes(&a.text(), &b.text(), 5);
        assert_eq!(
            c,
            vec![
                "`base.entry.fee` was 49.0 and is now 59.0".to_string(),
                "`replicates` was 3 and is now 1".to_string(),
            ]
        );
        assert!(changes(&a.text(), &a.text(), 5).is_empty());
    }
}
