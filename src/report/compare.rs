//! The report of an `agora compare` folder: a forest plot of each policy's paired difference to
//! the first, P(best), each policy's trajectories (with `--timeseries`), and the ranking across
//! draws of a robust comparison (of a posterior or of priors).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;

use super::chart::{bands, bars, forest, Band};
use super::table::{daily, Table};
use super::{batch_facts, Numbers, Report, Section};
use crate::compare::flows;
use crate::export::cell;
use crate::stats::paired_difference;

/// The metrics of compare.csv, in its order (the names before `_mean`).
fn metrics(c: &Table) -> Vec<String> {
    c.header
        .iter()
        .filter_map(|h| h.strip_suffix("_diff_ci_high"))
        .map(str::to_string)
        .collect()
}

pub fn report(dir: &Path) -> Result<Report> {
    let c = Table::read(&dir.join("compare.csv"))?;
    let policies: Vec<String> = c.rows.iter().map(|r| r[0].clone()).collect();
    if policies.is_empty() {
        anyhow::bail!(
            "{}: no policy rows: the comparison wrote no results",
            dir.join("compare.csv").display()
        );
    }
    let mut sections = Vec::new();
    for metric in metrics(&c).iter().take(6) {
        sections.push(paired(&c, &policies, metric)?);
    }
    sections.push(p_best(&c, &policies)?);
    if policies.len() > 1 {
        let runs = Table::read(&dir.join("runs.csv"))?;
        // A runs.csv without the flows' columns (written by another tool) leaves this out.
        if flows::COLUMNS.iter().all(|c| runs.col(c).is_ok()) {
            sections.push(where_members_went(&runs, &policies)?);
        }
    }
    let ts = dir.join("timeseries.csv");
    if ts.is_file() {
        sections.push(trajectories(&Table::read(&ts)?, &policies)?);
    }
    let robust = dir.join("robust.csv");
    if robust.is_file() {
        sections.push(over_draws(&Table::read(&robust)?)?);
    }
    let keys = dir.join("robust-keys.csv");
    if keys.is_file() {
        sections.push(turns_on(&Table::read(&keys)?)?);
    }
    let mut facts = batch_facts(dir)?;
    facts.insert(0, ("policies".into(), policies.join("; ")));
    Ok(Report {
        title: "Comparison".into(),
        facts,
        sections,
    })
}

fn paired(c: &Table, policies: &[String], metric: &str) -> Result<Section> {
    let (d, lo, hi) = (
        c.numbers(&format!("{metric}_diff"))?,
        c.numbers(&format!("{metric}_diff_ci_low"))?,
        c.numbers(&format!("{metric}_diff_ci_high"))?,
    );
    let rows: Vec<(f64, f64, f64)> = (0..d.len()).map(|i| (d[i], lo[i], hi[i])).collect();
    let clear: Vec<&String> = policies
        .iter()
        .zip(&rows)
        .skip(1)
        .filter(|(_, r)| r.1 > 0.0 || r.2 < 0.0)
        .map(|(p, _)| p)
        .collect();
    Ok(Section {
        id: format!("paired-{metric}"),
        title: format!("{metric}: each policy against `{}`", policies[0]),
        reading: format!(
            "The paired difference to the first policy with its 95% interval (same seeds for \
             every policy); {} interval{} exclude{} zero.",
            if clear.is_empty() {
                "no".to_string()
            } else {
                clear.len().to_string()
            },
            if clear.len() == 1 { "" } else { "s" },
            if clear.len() == 1 { "s" } else { "" }
        ),
        svg: forest(&format!("difference in {metric}"), policies, &rows)?,
        numbers: Numbers {
            header: vec![
                "policy".into(),
                "diff".into(),
                "diff_ci_low".into(),
                "diff_ci_high".into(),
            ],
            rows: policies
                .iter()
                .zip(&rows)
                .map(|(p, r)| vec![p.clone(), cell(r.0), cell(r.1), cell(r.2)])
                .collect(),
        },
    })
}

fn p_best(c: &Table, policies: &[String]) -> Result<Section> {
    let p = c.numbers("p_best")?;
    let best = policies
        .iter()
        .zip(&p)
        .filter(|(_, v)| v.is_finite())
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(String::new(), |(n, _)| n.clone());
    Ok(Section {
        id: "p-best".into(),
        title: "How often each policy is best".into(),
        reading: format!(
            "The share of replicates in which each policy had the best objective; {best} most \
             often."
        ),
        svg: bars("P(best)", policies, &p)?,
        numbers: Numbers {
            header: vec!["policy".into(), "p_best".into()],
            rows: policies
                .iter()
                .zip(&p)
                .map(|(n, v)| vec![n.clone(), cell(*v)])
                .collect(),
        },
    })
}

/// A policy's runs in runs.csv as rows of `compare::flows::COLUMNS`, by draw and replicate.
fn flow_rows(runs: &Table, policy: &str) -> Result<BTreeMap<(String, String), [f64; 4]>> {
    let at = runs.col("policy")?;
    let (draw, replicate) = (runs.col("draw").ok(), runs.col("replicate")?);
    let columns = flows::COLUMNS.map(|c| runs.col(c));
    let columns: Vec<usize> = columns.into_iter().collect::<Result<_>>()?;
    let number = |r: &[String], i: usize| r[i].parse::<f64>().unwrap_or(f64::NAN);
    Ok(runs
        .rows
        .iter()
        .filter(|r| r[at] == policy)
        .map(|r| {
            let key = (
                draw.map_or(String::new(), |d| r[d].clone()),
                r[replicate].clone(),
            );
            (key, [0, 1, 2, 3].map(|k| number(r, columns[k])))
        })
        .collect())
}

/// The rows of `policy` and of `first` for the runs both have (same draw, same replicate).
fn pair_rows(
    policy: &BTreeMap<(String, String), [f64; 4]>,
    first: &BTreeMap<(String, String), [f64; 4]>,
) -> (Vec<[f64; 4]>, Vec<[f64; 4]>) {
    policy
        .iter()
        .filter_map(|(key, row)| first.get(key).map(|f| (*row, *f)))
        .unzip()
}

/// Where the members went: each policy's difference in members against the first, split into
/// joins, quits and kicks, with what made it (`compare::flows`).
fn where_members_went(runs: &Table, policies: &[String]) -> Result<Section> {
    let rows: Vec<_> = policies
        .iter()
        .map(|p| flow_rows(runs, p))
        .collect::<Result<_>>()?;
    let pairs: Vec<_> = rows.iter().map(|r| pair_rows(r, &rows[0])).collect();
    let found: Vec<flows::Flows> = pairs.iter().map(|(p, f)| flows::paired(p, f)).collect();
    let members = |r: &[[f64; 4]]| r.iter().map(|x| x[0]).collect::<Vec<f64>>();
    let intervals: Vec<(f64, f64, f64)> = pairs
        .iter()
        .map(|(p, f)| {
            let d = paired_difference(&members(p), &members(f));
            (d.mean, d.ci_low, d.ci_high)
        })
        .collect();
    let lines: Vec<String> = policies
        .iter()
        .zip(&found)
        .skip(1)
        .map(|(p, f)| flows::line(p, f))
        .collect();
    Ok(Section {
        id: "members-went".into(),
        title: format!(
            "Where the members went: each policy against `{}`",
            policies[0]
        ),
        reading: format!(
            "Members at the end are the seed members plus those who joined, less those who \
             quit and those who were kicked, so each policy's difference in members is the sum \
             of these (paired means over the same seeds and draws): {}.",
            lines.join("; ")
        ),
        svg: forest("difference in members at the end", policies, &intervals)?,
        numbers: Numbers {
            header: [
                "policy",
                "members",
                "seed_members",
                "joined",
                "quits",
                "kicks",
                "reason",
            ]
            .map(String::from)
            .to_vec(),
            rows: policies
                .iter()
                .zip(&found)
                .enumerate()
                .map(|(i, (p, f))| {
                    let reason = if i == 0 {
                        "the reference"
                    } else {
                        flows::reason(f)
                    };
                    vec![
                        p.clone(),
                        cell(f.members),
                        cell(f.seeds),
                        cell(f.joined),
                        cell(f.quits),
                        cell(f.kicks),
                        reason.to_string(),
                    ]
                })
                .collect(),
        },
    })
}

fn trajectories(ts: &Table, policies: &[String]) -> Result<Section> {
    let at = ts.col("policy")?;
    let mut series = Vec::new();
    for p in policies {
        let own = Table {
            file: ts.file.clone(),
            header: ts.header.clone(),
            rows: ts.rows.iter().filter(|r| &r[at] == p).cloned().collect(),
        };
        series.push(Band {
            name: p.clone(),
            points: daily(&own, "members")?,
        });
    }
    let mut header = vec!["day".to_string()];
    header.extend(policies.iter().map(|p| format!("{p} (median)")));
    let rows = (0..series[0].points.len())
        .map(|i| {
            let mut row = vec![cell(series[0].points[i].0)];
            row.extend(
                series
                    .iter()
                    .map(|s| cell(s.points.get(i).map_or(f64::NAN, |p| p.1))),
            );
            row
        })
        .collect();
    Ok(Section {
        id: "trajectories".into(),
        title: "Members over time, per policy".into(),
        reading: "Each policy's median members per day over its replicates, with their range."
            .into(),
        svg: bands("day", "members", &series)?,
        numbers: Numbers { header, rows },
    })
}

fn over_draws(r: &Table) -> Result<Section> {
    let names: Vec<String> = r.rows.iter().map(|x| x[0].clone()).collect();
    let p = r.numbers("p_best")?;
    let share = r
        .numbers("top_order_share")?
        .first()
        .copied()
        .unwrap_or(f64::NAN);
    let columns = [
        "rank",
        "objective_mean",
        "p_best",
        "regret_mean",
        "regret_max",
    ];
    let at: Vec<usize> = columns.iter().map(|c| r.col(c)).collect::<Result<_>>()?;
    Ok(Section {
        id: "robust".into(),
        title: "Across what is not known: P(best) over the draws".into(),
        reading: if share >= crate::compare::STABLE_SHARE {
            format!(
                "The top policies keep their order in {:.0}% of the draws: the ranking holds.",
                (share * 100.0).floor()
            )
        } else {
            format!(
                "The top policies keep their order in only {:.0}% of the draws: the best policy \
                 depends on what is unknown.",
                (share * 100.0).floor()
            )
        },
        svg: bars("P(best) across draws", &names, &p)?,
        numbers: Numbers {
            header: std::iter::once("policy".to_string())
                .chain(columns.iter().map(|c| c.to_string()))
                .collect(),
            rows: r
                .rows
                .iter()
                .map(|x| {
                    std::iter::once(x[0].clone())
                        .chain(at.iter().map(|&i| x[i].clone()))
                        .collect()
                })
                .collect(),
        },
    })
}

/// What the choice turns on: each unknown key's rank correlation with the best policy's lead.
fn turns_on(k: &Table) -> Result<Section> {
    let keys: Vec<String> = k.rows.iter().map(|x| x[0].clone()).collect();
    let r = k.numbers("rank_correlation")?;
    let criticals = k.numbers("critical")?;
    let critical = criticals.first().copied().unwrap_or(f64::NAN);
    let (best, runner_up) = match k.rows.first() {
        Some(row) => (
            row[k.col("best")?].clone(),
            row[k.col("runner_up")?].clone(),
        ),
        None => (String::new(), String::new()),
    };
    let strong: Vec<&str> = keys
        .iter()
        .zip(r.iter().zip(&criticals))
        .filter(|(_, (x, c))| x.abs() >= **c)
        .map(|(key, _)| key.as_str())
        .collect();
    let size: Vec<f64> = r.iter().map(|x| x.abs()).collect();
    Ok(Section {
        id: "turns-on".into(),
        title: "What the choice turns on: the unknown constants to measure first".into(),
        reading: format!(
            "How the lead of {best} over {runner_up} moves, across the draws, with each unknown \
             constant (Spearman's rank correlation; a size of {critical:.2} or more tells a \
             relation from none). {}",
            if strong.is_empty() {
                "It moves with none of them beyond chance.".to_string()
            } else {
                format!("Measure first: {}.", strong.join(", "))
            }
        ),
        svg: bars("size of the rank correlation", &keys, &size)?,
        numbers: Numbers {
            header: ["key", "rank_correlation", "critical"]
                .map(String::from)
                .to_vec(),
            rows: k.rows.iter().map(|x| x[..3].to_vec()).collect(),
        },
    })
}
