//! The report of an `agora sweep` folder: each headline metric against the axes, with 95%
//! intervals over replicates, and the Morris or Sobol' indices when the design has them.

use std::path::Path;

use anyhow::Result;

use super::chart::{bands, bars, heat, scatter, Band};
use super::table::Table;
use super::{batch_facts, Numbers, Report, Section};
use crate::export::cell;

/// The metrics a sweep report draws, when points.csv has them.
const HEADLINE: [&str; 6] = [
    "final_members",
    "alive",
    "retention_30d",
    "posts_per_member_day",
    "total_revenue",
    "total_cost",
];

/// The axes of points.csv: the columns between `point` and the first metric.
fn axes(points: &Table) -> Vec<String> {
    points
        .header
        .iter()
        .skip(1)
        .take_while(|h| !h.ends_with("_mean"))
        .cloned()
        .collect()
}

pub fn report(dir: &Path) -> Result<Report> {
    let points = Table::read(&dir.join("points.csv"))?;
    let axes = axes(&points);
    let mut sections = Vec::new();
    for metric in HEADLINE {
        if points.col(&format!("{metric}_mean")).is_err() {
            continue;
        }
        sections.push(match axes.len() {
            1 => against_one_axis(&points, &axes[0], metric)?,
            2 if is_grid(&points, &axes)? => heat_over_two(&points, &axes, metric)?,
            _ => small_multiples(&points, &axes, metric)?,
        });
    }
    let sensitivity = dir.join("sensitivity.csv");
    if sensitivity.is_file() {
        let s = Table::read(&sensitivity)?;
        for metric in HEADLINE {
            if let Some(section) = indices(&s, metric)? {
                sections.push(section);
            }
        }
    }
    let mut facts = batch_facts(dir)?;
    facts.insert(0, ("axes".into(), axes.join(", ")));
    facts.insert(1, ("points".into(), points.rows.len().to_string()));
    Ok(Report {
        title: "Sweep".into(),
        facts,
        sections,
    })
}

fn against_one_axis(points: &Table, axis: &str, metric: &str) -> Result<Section> {
    let x = points.numbers(axis)?;
    let (m, lo, hi) = (
        points.numbers(&format!("{metric}_mean"))?,
        points.numbers(&format!("{metric}_ci_low"))?,
        points.numbers(&format!("{metric}_ci_high"))?,
    );
    let mut rows: Vec<(f64, f64, f64, f64)> = (0..x.len())
        .map(|i| {
            let (l, h) = if lo[i].is_finite() {
                (lo[i], hi[i])
            } else {
                (m[i], m[i])
            };
            (x[i], m[i], l, h)
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let best = rows
        .iter()
        .filter(|r| r.1.is_finite())
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(f64::NAN, |r| r.0);
    Ok(Section {
        id: format!("axis-{metric}"),
        title: format!("{metric} against {axis}"),
        reading: format!(
            "The mean over replicates with its 95% interval at each point; {metric} is highest \
             at {axis} = {}.",
            cell(best)
        ),
        svg: bands(
            axis,
            metric,
            &[Band {
                name: metric.into(),
                points: rows.clone(),
            }],
        )?,
        numbers: Numbers {
            header: vec![
                axis.into(),
                "mean".into(),
                "ci_low".into(),
                "ci_high".into(),
            ],
            rows: rows
                .iter()
                .map(|r| vec![cell(r.0), cell(r.1), cell(r.2), cell(r.3)])
                .collect(),
        },
    })
}

/// The distinct values of a column, in order.
fn levels(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.to_vec();
    v.sort_by(f64::total_cmp);
    v.dedup();
    v
}

fn is_grid(points: &Table, axes: &[String]) -> Result<bool> {
    let (a, b) = (points.numbers(&axes[0])?, points.numbers(&axes[1])?);
    Ok(levels(&a).len() * levels(&b).len() == points.rows.len() && points.rows.len() <= 400)
}

fn heat_over_two(points: &Table, axes: &[String], metric: &str) -> Result<Section> {
    let (a, b) = (points.numbers(&axes[0])?, points.numbers(&axes[1])?);
    let m = points.numbers(&format!("{metric}_mean"))?;
    let (la, lb) = (levels(&a), levels(&b));
    let mut grid = vec![vec![f64::NAN; la.len()]; lb.len()];
    for i in 0..m.len() {
        let c = la.iter().position(|&v| v == a[i]).unwrap_or(0);
        let r = lb.iter().position(|&v| v == b[i]).unwrap_or(0);
        grid[r][c] = m[i];
    }
    let (lo, hi) = m
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    let scaled: Vec<Vec<f64>> = grid
        .iter()
        .map(|r| {
            r.iter()
                .map(|&v| if hi > lo { (v - lo) / (hi - lo) } else { 0.5 })
                .collect()
        })
        .collect();
    let mut header = vec![format!("{} \\ {}", axes[1], axes[0])];
    header.extend(la.iter().map(|&v| cell(v)));
    let rows = grid
        .iter()
        .zip(&lb)
        .map(|(r, &v)| {
            let mut row = vec![cell(v)];
            row.extend(r.iter().map(|&x| cell(x)));
            row
        })
        .collect();
    Ok(Section {
        id: format!("grid-{metric}"),
        title: format!("{metric} over {} and {}", axes[0], axes[1]),
        reading: format!(
            "The mean of {metric} at each point of the grid, from {} (lightest) to {} (darkest); \
             columns are {} levels, rows {} levels, in increasing order.",
            cell(lo),
            cell(hi),
            axes[0],
            axes[1]
        ),
        svg: heat(
            &format!("{} (level, increasing)", axes[0]),
            &format!("{} (level, increasing)", axes[1]),
            &scaled,
        )?,
        numbers: Numbers { header, rows },
    })
}

fn small_multiples(points: &Table, axes: &[String], metric: &str) -> Result<Section> {
    let m = points.numbers(&format!("{metric}_mean"))?;
    let mut series = Vec::new();
    let mut header = vec!["point".to_string()];
    for axis in axes {
        let x = points.numbers(axis)?;
        // Each axis on its own unit scale, so that all fit one chart.
        let (lo, hi) = x
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                (l.min(v), h.max(v))
            });
        let unit: Vec<(f64, f64)> = x
            .iter()
            .zip(&m)
            .map(|(&v, &y)| (if hi > lo { (v - lo) / (hi - lo) } else { 0.5 }, y))
            .collect();
        series.push((axis.clone(), unit));
        header.push(axis.clone());
    }
    header.push(format!("{metric} (mean)"));
    let rows = (0..m.len())
        .map(|i| {
            let mut row = vec![points.rows[i][0].clone()];
            for axis in axes {
                row.push(points.rows[i][points.col(axis).unwrap_or(0)].clone());
            }
            row.push(cell(m[i]));
            row
        })
        .collect();
    Ok(Section {
        id: format!("multiples-{metric}"),
        title: format!("{metric} against each axis"),
        reading: format!(
            "Each point's mean {metric} against each axis, every axis on its own range from 0 \
             (lowest value swept) to 1 (highest): a trend in one colour is that axis's effect."
        ),
        svg: scatter("axis value on its range (0 to 1)", metric, &series)?,
        numbers: Numbers { header, rows },
    })
}

/// Morris (mu_star) or Sobol' (ST and S1) bars of one metric, if sensitivity.csv has it.
fn indices(s: &Table, metric: &str) -> Result<Option<Section>> {
    let metric_at = s.col("metric")?;
    let axis_at = s.col("axis")?;
    let morris = s.col("mu_star").is_ok();
    let value = if morris { "mu_star" } else { "ST" };
    let v_at = s.col(value)?;
    let other = s.col("other_axis").ok();
    let rows: Vec<&Vec<String>> = s
        .rows
        .iter()
        .filter(|r| r[metric_at] == metric && other.is_none_or(|o| r[o].is_empty()))
        .collect();
    if rows.is_empty() {
        return Ok(None);
    }
    let names: Vec<String> = rows.iter().map(|r| r[axis_at].clone()).collect();
    let values: Vec<f64> = rows
        .iter()
        .map(|r| r[v_at].parse().unwrap_or(f64::NAN))
        .collect();
    let top = names
        .iter()
        .zip(&values)
        .filter(|(_, v)| v.is_finite())
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(String::new(), |(n, _)| n.clone());
    let ci = s.col(&format!("{value}_ci")).ok();
    Ok(Some(Section {
        id: format!("indices-{metric}"),
        title: format!(
            "Which axes move {metric}: {}",
            if morris {
                "Morris mu*"
            } else {
                "Sobol' total index"
            }
        ),
        reading: format!(
            "{} per axis; {top} moves {metric} most.",
            if morris {
                "The mean absolute elementary effect (mu*)"
            } else {
                "The share of the variance each axis causes, alone or with others (ST)"
            }
        ),
        svg: bars(value, &names, &values)?,
        numbers: Numbers {
            header: vec!["axis".into(), value.into(), format!("{value}_ci")],
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        r[axis_at].clone(),
                        r[v_at].clone(),
                        ci.map_or(String::new(), |c| r[c].clone()),
                    ]
                })
                .collect(),
        },
    }))
}
