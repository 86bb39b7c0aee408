//! What the command-line tests share: the binary, the presets' files, and the CSV files a
//! command writes, read back as text.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The `agora` binary built by cargo for the tests.
pub fn agora() -> Command {
    Command::cargo_bin("agora").expect("the agora binary is built")
}

/// The folder of the presets, `scenarios/`.
pub fn presets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// The file of the preset `name`.
pub fn preset_file(name: &str) -> PathBuf {
    presets().join(format!("{name}.toml"))
}

/// Writes `text` as `name` in `dir` and returns its path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

/// Reads a CSV file as a header and rows of fields.
pub fn table(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// The index of column `name` in `header`.
pub fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}
