//! `agora report DIR`: one self-contained HTML page (inline SVG and CSS, no script, no network)
//! that shows what a results folder holds. It reads only the folder's files, so a folder copied
//! from another machine reports the same. Each chart has a title, labelled axes, a one-sentence
//! reading and, one click away, the numbers it draws.

mod calibrate;
mod chart;
mod compare;
mod run;
mod sweep;
mod table;

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use maud::{html, Markup, PreEscaped, DOCTYPE};

pub use table::{daily, median, Table};

/// The numbers a chart draws, as a table.
pub struct Numbers {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One chart of the report.
pub struct Section {
    /// A stable identifier, unique in the page (the HTML id), e.g. `members`.
    pub id: String,
    pub title: String,
    /// One sentence saying what the chart shows.
    pub reading: String,
    pub svg: String,
    pub numbers: Numbers,
}

/// A report: its title, the facts its header states, and its charts.
pub struct Report {
    pub title: String,
    pub facts: Vec<(String, String)>,
    pub sections: Vec<Section>,
}

/// What a results folder holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Run,
    Sweep,
    Compare,
    Calibrate,
}

/// Recognises a results folder by the files agora wrote into it.
pub fn kind_of(dir: &Path) -> Result<Kind> {
    let has = |f: &str| dir.join(f).is_file();
    Ok(if has("posterior.csv") {
        Kind::Calibrate
    } else if has("compare.csv") {
        Kind::Compare
    } else if has("points.csv") {
        Kind::Sweep
    } else if has("summary.csv") && has("timeseries.csv") {
        Kind::Run
    } else {
        bail!(
            "{} is not a results folder of agora (no summary.csv, points.csv, compare.csv or \
             posterior.csv)",
            dir.display()
        )
    })
}

/// Writes `DIR/report.html` into a results folder agora wrote, holding its lock, and returns
/// its path.
pub fn write(dir: &Path) -> Result<PathBuf> {
    let html = render(dir)?;
    crate::folder::add_file(dir, "agora report", "report.html", html.as_bytes())
}

/// The report of what `dir` holds, as HTML.
pub fn render(dir: &Path) -> Result<String> {
    let report = match kind_of(dir)? {
        Kind::Run => run::report(dir)?,
        Kind::Sweep => sweep::report(dir)?,
        Kind::Compare => compare::report(dir)?,
        Kind::Calibrate => calibrate::report(dir)?,
    };
    Ok(page(&report))
}

/// The report's style: plain, readable on screen and on paper.
const STYLE: &str = "
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #111; line-height: 1.45; }
header dl { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; }
header dt { font-weight: 600; }
section { margin: 2.5rem 0; page-break-inside: avoid; }
figure { margin: 0; }
figure svg { width: 100%; height: auto; border: 1px solid #ddd; }
p.reading { font-style: italic; }
table { border-collapse: collapse; font-size: 0.8rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ccc; padding: 0.15rem 0.4rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
details { margin-top: 0.5rem; }
@media print { body { margin: 0; max-width: none; } details { display: none; } }
";

fn page(r: &Report) -> String {
    let (title, facts, sections) = (&r.title, &r.facts, &r.sections);
    let markup: Markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy"
                    content="default-src 'none'; style-src 'unsafe-inline'; img-src data:";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { (title) }
                    dl {
                        @for (k, v) in facts {
                            dt { (k) }
                            dd { (v) }
                        }
                    }
                }
                @for s in sections {
                    section id=(s.id) {
                        h2 { (s.title) }
                        p.reading { (s.reading) }
                        figure { (PreEscaped(&s.svg)) }
                        details {
                            summary { "The numbers" }
                            table.numbers data-chart=(s.id) {
                                thead { tr { @for h in &s.numbers.header { th { (h) } } } }
                                tbody {
                                    @for row in &s.numbers.rows {
                                        tr { @for c in row { td { (c) } } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    markup.into_string()
}

/// The facts a batch's report states: the command that wrote the folder and when (from its
/// marker), the seed and replicates (from runs.csv), and agora's version and today's date.
fn batch_facts(dir: &Path) -> Result<Vec<(String, String)>> {
    let mut facts = Vec::new();
    if let Ok(marker) = std::fs::read_to_string(dir.join(".agora")) {
        if let Ok(doc) = marker.parse::<toml_edit::DocumentMut>() {
            if let Some(by) = doc.get("written_by").and_then(|v| v.as_str()) {
                facts.push(("written by".to_string(), by.to_string()));
            }
        }
    }
    let runs = dir.join("runs.csv");
    if runs.is_file() {
        let t = Table::read(&runs)?;
        let seeds = t.numbers("seed")?;
        let replicates = t.numbers("replicate")?;
        if let Some(seed) = seeds.first() {
            facts.push(("seed".into(), crate::export::cell(*seed)));
        }
        let most = replicates.iter().copied().fold(-1.0, f64::max) + 1.0;
        facts.push(("replicates".into(), crate::export::cell(most)));
        if let Ok(draws) = t.numbers("draw") {
            let most = draws.iter().copied().fold(-1.0, f64::max) + 1.0;
            facts.push((
                "draws of the unknown constants".into(),
                crate::export::cell(most),
            ));
        }
    }
    facts.extend(stamp());
    Ok(facts)
}

/// The facts every report's header states: agora's version and the date it was made.
fn stamp() -> Vec<(String, String)> {
    vec![
        ("agora".into(), env!("CARGO_PKG_VERSION").into()),
        (
            "report made".into(),
            humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        ),
    ]
}
