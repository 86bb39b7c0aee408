//! The shape of the code that `docs/ARCHITECTURE.md` promises: data flows one way between the
//! modules, no file in `src/` is over 600 lines, and no function over 80.

use std::fs;
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.strip_prefix(&root).unwrap().display().to_string();
            (name, fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// The code of a file without its unit tests.
fn without_tests(text: &str) -> &str {
    text.split("#[cfg(test)]\nmod tests").next().unwrap()
}

#[test]
fn no_file_is_over_600_lines() {
    for (name, text) in src() {
        let n = text.lines().count();
        assert!(n <= 600, "src/{name} has {n} lines");
    }
}

#[test]
fn no_function_is_over_80_lines() {
    let mut checked = 0;
    for (name, text) in src() {
        let lines: Vec<&str> = without_tests(&text).lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            let is_fn = ["fn ", "pub fn ", "pub(crate) fn ", "pub(super) fn "]
                .iter()
                .any(|p| trimmed.starts_with(p));
            if !is_fn || line.trim_end().ends_with(';') {
                continue;
            }
            let indent = line.len() - trimmed.len();
            let closing = " ".repeat(indent) + "}";
            let end = lines[i..]
                .iter()
                .position(|l| l.trim_end() == closing)
                .unwrap_or_else(|| panic!("src/{name}:{}: no end of function", i + 1));
            assert!(
                end < 80,
                "src/{name}:{}: function of {} lines: {trimmed}",
                i + 1,
                end + 1
            );
            checked += 1;
        }
    }
    assert!(checked > 200, "only {checked} functions found");
}

/// Whether a module's files name another module of the crate.
fn imports(module: &str, other: &str) -> Vec<String> {
    src()
        .into_iter()
        .filter(|(name, _)| {
            name.starts_with(&format!("{module}/")) || *name == format!("{module}.rs")
        })
        .filter(|(_, text)| {
            let code = without_tests(text);
            code.contains(&format!("crate::{other}::"))
                || code.contains(&format!("crate::{other};"))
        })
        .map(|(name, _)| name)
        .collect()
}

#[test]
fn data_flows_one_way_between_modules() {
    for (module, forbidden) in [
        (
            "scenario",
            ["population", "engine", "metrics", "model"].as_slice(),
        ),
        ("population", ["engine", "metrics", "model"].as_slice()),
        ("model", ["engine", "metrics"].as_slice()),
        ("metrics", ["engine", "model", "population"].as_slice()),
    ] {
        for other in forbidden {
            let found = imports(module, other);
            assert!(found.is_empty(), "{module} imports {other} in {found:?}");
        }
    }
}
