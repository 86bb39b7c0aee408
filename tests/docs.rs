//! The documents that are generated from the code stay equal to it: the key tables of
//! `docs/SCENARIO.md` come from the key declarations (`agora keys --markdown TABLE`).
//!
//! To update the committed docs after changing a key, run the tests with `AGORA_BLESS=1`.

use std::path::Path;

use agora::scenario::{markdown_table, section_marker, section_paths};

#[test]
fn the_scenario_key_tables_are_generated_from_the_declarations() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/SCENARIO.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let mut updated = doc.clone();
    let mut stale = Vec::new();
    for section in section_paths() {
        let marker = section_marker(&section);
        let open = format!("<!-- keys: {marker} -->\n");
        let start = doc
            .find(&open)
            .unwrap_or_else(|| panic!("docs/SCENARIO.md has no table for `{marker}`"))
            + open.len();
        let end = start
            + doc[start..]
                .find("<!-- /keys -->")
                .expect("a closing marker");
        let generated = markdown_table(&section).unwrap();
        if doc[start..end] != generated {
            stale.push(marker.to_string());
            updated = updated.replace(&doc[start - open.len()..end], &format!("{open}{generated}"));
        }
    }
    assert_eq!(
        doc.matches("<!-- keys: ").count(),
        section_paths().len(),
        "every table of docs/SCENARIO.md is one the code declares"
    );
    if std::env::var_os("AGORA_BLESS").is_some() {
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert!(
        stale.is_empty(),
        "docs/SCENARIO.md differs from the key declarations in {stale:?}; rerun the tests with \
         AGORA_BLESS=1 to regenerate the tables (or see `agora keys --markdown TABLE`)"
    );
}

#[test]
fn the_outputs_page_is_generated_from_the_column_declarations() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/OUTPUTS.md");
    let generated = agora::metrics::outputs_markdown();
    if std::env::var_os("AGORA_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let doc = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        doc == generated,
        "docs/OUTPUTS.md differs from the column declarations; rerun the tests with \
         AGORA_BLESS=1 to regenerate it"
    );
}
