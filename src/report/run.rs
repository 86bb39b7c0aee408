//! The report of an `agora run` folder: members by what they do, joins and quits, the funnel,
//! cohort retention, groups, satisfaction per need level, participation inequality and money.

use std::path::Path;

use anyhow::{Context, Result};

use super::chart::{bands, bars, heat, lines, Band};
use super::table::{daily, daily_cumulative, mean, median, Table};
use super::{stamp, Numbers, Report, Section};
use crate::export::cell;
use crate::metrics::tally;

/// The title, header facts and sections of a run's report.
pub fn report(dir: &Path) -> Result<Report> {
    let scenario = std::fs::read_to_string(dir.join("scenario.toml"))
        .with_context(|| format!("cannot read {}", dir.join("scenario.toml").display()))?;
    let doc: toml_edit::DocumentMut = scenario.parse().context("scenario.toml is not TOML")?;
    let get = |k: &str| {
        doc.get(k)
            .map(|v| v.to_string().trim().trim_matches('"').to_string())
    };
    let name = get("name").unwrap_or_default();
    let mut facts = vec![
        ("scenario".to_string(), name.clone()),
        ("seed".into(), get("seed").unwrap_or_default()),
        ("replicates".into(), get("replicates").unwrap_or_default()),
        ("days".into(), get("days").unwrap_or_default()),
    ];
    facts.extend(stamp());
    let ts = Table::read(&dir.join("timeseries.csv"))?;
    let summary = Table::read(&dir.join("summary.csv"))?;
    let mut sections = vec![
        members(&ts)?,
        flows(&ts)?,
        funnel(&Table::read(&dir.join("funnel.csv"))?)?,
        cohorts(
            &Table::read(&dir.join("cohorts.csv"))?,
            "members",
            "membership",
        )?,
        cohorts(
            &Table::read(&dir.join("cohorts.csv"))?,
            "active",
            "activity",
        )?,
        groups(&ts)?,
        lifelines(&Table::read(&dir.join("groups.csv"))?, &ts)?,
        satisfaction(&ts)?,
        inequality(&summary)?,
        money(&ts, &summary)?,
        money_by_line(&ts)?,
    ];
    if let Some(team) = overtime(&ts, &summary)? {
        sections.push(team);
    }
    Ok(Report {
        title: format!("Run of {name}"),
        facts,
        sections,
    })
}

/// Per-day bands of several timeseries columns, and the table of their medians.
fn daily_bands(ts: &Table, columns: &[&str]) -> Result<(Vec<Band>, Numbers)> {
    let mut series = Vec::new();
    for c in columns {
        series.push(Band {
            name: c.to_string(),
            points: daily(ts, c)?,
        });
    }
    let mut header = vec!["day".to_string()];
    header.extend(columns.iter().map(|c| format!("{c} (median)")));
    let rows = (0..series[0].points.len())
        .map(|i| {
            let mut row = vec![cell(series[0].points[i].0)];
            row.extend(series.iter().map(|s| cell(s.points[i].1)));
            row
        })
        .collect();
    Ok((series, Numbers { header, rows }))
}

fn last_median(b: &Band) -> f64 {
    b.points.last().map_or(f64::NAN, |p| p.1)
}

fn members(ts: &Table) -> Result<Section> {
    let (series, numbers) = daily_bands(ts, &["lurkers", "posters", "advertisers", "absent"])?;
    let total: f64 = series.iter().map(last_median).sum();
    let posters = last_median(&series[1]);
    Ok(Section {
        id: "members".into(),
        title: "Members by what they did each day".into(),
        reading: format!(
            "On the last day the median run had about {total:.0} members, of whom {posters:.0} \
             posted ({:.1}%); lines are medians over replicates, bands their range.",
            100.0 * posters / total.max(1.0)
        ),
        svg: bands("day", "members", &series)?,
        numbers,
    })
}

fn flows(ts: &Table) -> Result<Section> {
    let (series, numbers) = daily_bands(ts, &["joins", "quits"])?;
    let joins: f64 = series[0].points.iter().map(|p| p.1).sum();
    let quits: f64 = series[1].points.iter().map(|p| p.1).sum();
    Ok(Section {
        id: "flows".into(),
        title: "Joins and quits per day".into(),
        reading: format!(
            "Summing the daily medians, about {joins:.0} joined and {quits:.0} quit over the run."
        ),
        svg: bands("day", "members per day", &series)?,
        numbers,
    })
}

/// The funnel's stages, in order, as funnel.csv names them.
const STAGES: [&str; 6] = [
    "exposed",
    "considered",
    "joined",
    "activated",
    "first_post",
    "retained_30",
];

fn funnel(f: &Table) -> Result<Section> {
    let means: Vec<f64> = STAGES
        .iter()
        .map(|s| Ok(mean(&f.numbers(s)?)))
        .collect::<Result<_>>()?;
    let rows = STAGES
        .iter()
        .zip(&means)
        .enumerate()
        .map(|(i, (s, &m))| {
            let kept = if i == 0 { f64::NAN } else { m / means[i - 1] };
            vec![s.to_string(), cell(m), cell(kept)]
        })
        .collect();
    Ok(Section {
        id: "funnel".into(),
        title: "The funnel: from exposure to retention".into(),
        reading: format!(
            "Of about {:.0} prospects exposed, {:.0} joined ({:.1}%) and {:.0} were still members \
             30 days after joining (mean over replicates).",
            means[0],
            means[2],
            100.0 * means[2] / means[0].max(1.0),
            means[5]
        ),
        svg: bars(
            "people (mean over replicates)",
            &STAGES.map(String::from),
            &means,
        )?,
        numbers: Numbers {
            header: vec![
                "stage".into(),
                "mean".into(),
                "share of the stage before".into(),
            ],
            rows,
        },
    })
}

/// The most join weeks, and weeks since joining, the cohort heatmaps show.
const COHORT_WEEKS_SHOWN: usize = 104;

fn cohorts(c: &Table, column: &str, what: &str) -> Result<Section> {
    let (cw, w, size, value) = (
        c.numbers("cohort_week")?,
        c.numbers("week")?,
        c.numbers("size")?,
        c.numbers(column)?,
    );
    // A page shows at most two years of it; cohorts.csv holds the whole triangle.
    let rows_n = (cw.iter().copied().fold(0.0, f64::max) as usize + 1).min(COHORT_WEEKS_SHOWN);
    let cols_n = (w.iter().copied().fold(0.0, f64::max) as usize + 1).min(COHORT_WEEKS_SHOWN);
    let mut sums = vec![vec![(0.0, 0.0); cols_n]; rows_n];
    for i in 0..cw.len() {
        if size[i] > 0.0 && (cw[i] as usize) < rows_n && (w[i] as usize) < cols_n {
            let s = &mut sums[cw[i] as usize][w[i] as usize];
            s.0 += value[i] / size[i];
            s.1 += 1.0;
        }
    }
    let grid: Vec<Vec<f64>> = sums
        .iter()
        .map(|r| {
            r.iter()
                .map(|&(s, n)| if n > 0.0 { s / n } else { f64::NAN })
                .collect()
        })
        .collect();
    let mut header = vec!["cohort week".to_string()];
    header.extend((0..cols_n).map(|k| format!("week {k}")));
    let rows = grid
        .iter()
        .enumerate()
        .map(|(r, row)| {
            let mut out = vec![r.to_string()];
            out.extend(row.iter().map(|&v| cell(v)));
            out
        })
        .collect();
    let first = grid
        .first()
        .and_then(|r| r.get(4))
        .copied()
        .unwrap_or(f64::NAN);
    Ok(Section {
        id: if column == "members" {
            "cohorts".into()
        } else {
            "cohort-activity".into()
        },
        title: format!("Cohort {what}: share of each week's joiners, week by week"),
        reading: format!(
            "Each row is the members who joined in one week; darker is a larger share still \
             {}. Four weeks on, the first cohort's share was {:.2} (mean over replicates).",
            if column == "members" {
                "members"
            } else {
                "active that week"
            },
            first
        ),
        svg: heat(
            "weeks since the cohort joined",
            "cohort (week joined)",
            &grid,
        )?,
        numbers: Numbers { header, rows },
    })
}

fn groups(ts: &Table) -> Result<Section> {
    let (series, numbers) = daily_bands(ts, &["groups", "groups_alive"])?;
    Ok(Section {
        id: "groups".into(),
        title: "Groups open and healthy".into(),
        reading: format!(
            "On the last day the median run had {:.0} groups open, {:.0} of them healthy (their \
             members other than the founders post, for their size, at least as much as the \
             quietest month of the real launches that lived).",
            last_median(&series[0]),
            last_median(&series[1])
        ),
        svg: bands("day", "groups", &series)?,
        numbers,
    })
}

/// Most groups a lifeline chart draws.
const LIFELINES: usize = 40;

/// Each group's life in the first replicate: from the day it opened to the day it died (the dot)
/// or the end of the run.
fn lifelines(g: &Table, ts: &Table) -> Result<Section> {
    let last = ts.numbers("day")?.iter().copied().fold(0.0, f64::max);
    let (rep, opened, died) = (
        g.numbers("replicate")?,
        g.numbers("opened_day")?,
        g.numbers("died_day")?,
    );
    let health = g.col("health")?;
    let first: Vec<usize> = (0..rep.len()).filter(|&i| rep[i] == 0.0).collect();
    let shown: Vec<usize> = first.iter().copied().take(LIFELINES).collect();
    let labels: Vec<String> = shown
        .iter()
        .map(|&i| format!("group {}", g.rows[i][1]))
        .collect();
    let rows: Vec<(f64, f64, f64)> = shown
        .iter()
        .map(|&i| {
            (
                died[i],
                opened[i],
                if died[i].is_finite() { died[i] } else { last },
            )
        })
        .collect();
    Ok(Section {
        id: "lifelines".into(),
        title: "Each group's life (first replicate)".into(),
        reading: format!(
            "Each bar runs from the day a group opened to the day it fell silent for good (the \
             dot: 28 days after the last post by a member other than the founders) or the end; \
             at the end the first replicate's groups were {}{}.",
            tally(first.iter().map(|&i| g.rows[i][health].as_str())),
            if first.len() > LIFELINES {
                format!(" (the first {LIFELINES} are drawn)")
            } else {
                String::new()
            }
        ),
        svg: super::chart::forest("day", &labels, &rows)?,
        numbers: Numbers {
            header: vec![
                "group".into(),
                "opened_day".into(),
                "died_day".into(),
                "health".into(),
            ],
            rows: first
                .iter()
                .map(|&i| {
                    vec![
                        g.rows[i][1].clone(),
                        cell(opened[i]),
                        cell(died[i]),
                        g.rows[i][health].clone(),
                    ]
                })
                .collect(),
        },
    })
}

fn satisfaction(ts: &Table) -> Result<Section> {
    let levels = [
        "sat_safety",
        "sat_belonging",
        "sat_esteem",
        "sat_self_actualization",
    ];
    let (series, numbers) = daily_bands(ts, &levels)?;
    let best = series
        .iter()
        .max_by(|a, b| last_median(a).total_cmp(&last_median(b)))
        .map_or(String::new(), |b| b.name.clone());
    Ok(Section {
        id: "satisfaction".into(),
        title: "Satisfaction per need level (Maslow)".into(),
        reading: format!(
            "Mean satisfaction of members who have needs at each level, from 0 to 1; by the end \
             the best served level was {best}."
        ),
        svg: bands("day", "satisfaction (0 to 1)", &series)?,
        numbers,
    })
}

fn inequality(summary: &Table) -> Result<Section> {
    let never = median(&summary.numbers("never_posted_share")?);
    let top10 = median(&summary.numbers("top10_post_share")?);
    let top1 = median(&summary.numbers("top1_post_share")?);
    let points = vec![
        (0.0, 0.0),
        (never, 0.0),
        (0.9, 1.0 - top10),
        (0.99, 1.0 - top1),
        (1.0, 1.0),
    ];
    let finite: Vec<(f64, f64)> = points.into_iter().filter(|p| p.1.is_finite()).collect();
    let rows = finite
        .iter()
        .map(|&(x, y)| vec![cell(x), cell(y)])
        .collect();
    Ok(Section {
        id: "lorenz".into(),
        title: "Participation inequality: a Lorenz curve of posts".into(),
        reading: format!(
            "{:.0}% of members never posted; the top 10% wrote {:.0}% of posts and the top 1% \
             {:.0}% (medians over replicates; the curve joins these recorded shares).",
            100.0 * never,
            100.0 * top10,
            100.0 * top1
        ),
        svg: lines(
            "share of members, fewest posts first",
            "share of posts",
            &[("posts".to_string(), finite)],
        )?,
        numbers: Numbers {
            header: vec!["share of members".into(), "share of posts".into()],
            rows,
        },
    })
}

fn money(ts: &Table, summary: &Table) -> Result<Section> {
    let series = vec![
        Band {
            name: "cumulative revenue".into(),
            points: daily_cumulative(ts, "revenue")?,
        },
        Band {
            name: "cumulative cost".into(),
            points: daily_cumulative(ts, "cost")?,
        },
    ];
    let payback = median(&summary.numbers("payback_day")?);
    let rows = (0..series[0].points.len())
        .map(|i| {
            vec![
                cell(series[0].points[i].0),
                cell(series[0].points[i].1),
                cell(series[1].points[i].1),
            ]
        })
        .collect();
    Ok(Section {
        id: "money".into(),
        title: "Money: cumulative revenue and cost".into(),
        reading: if payback.is_finite() {
            format!("Revenue covered cost from day {payback:.0} (median payback day).")
        } else {
            "Revenue never covered cost in the median run.".to_string()
        },
        svg: bands("day", "money (scenario units)", &series)?,
        numbers: Numbers {
            header: vec![
                "day".into(),
                "cumulative revenue (median)".into(),
                "cumulative cost (median)".into(),
            ],
            rows,
        },
    })
}

/// The lines of money in timeseries.csv: revenue by source, cost by line.
const MONEY_LINES: [&str; 8] = [
    "revenue_fees",
    "revenue_sales",
    "cost_acquisition",
    "cost_moderation",
    "cost_events",
    "cost_red_envelopes",
    "cost_referrals",
    "cost_other",
];

/// Each line's running total, median over replicates; lines that stay at 0 are left out.
fn money_by_line(ts: &Table) -> Result<Section> {
    let mut series = Vec::new();
    for line in MONEY_LINES {
        if ts.col(line).is_err() {
            continue;
        }
        let points = daily_cumulative(ts, line)?;
        if points.iter().any(|p| p.3 != 0.0) {
            series.push(Band {
                name: line.to_string(),
                points,
            });
        }
    }
    let mut header = vec!["day".to_string()];
    header.extend(
        series
            .iter()
            .map(|s| format!("{} (cumulative, median)", s.name)),
    );
    let days = series.first().map_or(0, |s| s.points.len());
    let rows = (0..days)
        .map(|i| {
            let mut row = vec![cell(series[0].points[i].0)];
            row.extend(series.iter().map(|s| cell(s.points[i].1)));
            row
        })
        .collect();
    let largest = series
        .iter()
        .filter(|s| s.name.starts_with("cost"))
        .max_by(|a, b| last_median(a).total_cmp(&last_median(b)))
        .map(|s| s.name.clone());
    Ok(Section {
        id: "money-lines".into(),
        title: "Money by line: revenue by source and cost by line".into(),
        reading: match (&largest, series.is_empty()) {
            (_, true) => "No money changed hands in these runs.".into(),
            (Some(l), _) => format!(
                "Running totals per line (median over replicates, with their range); the largest \
                 cost is {l}."
            ),
            (None, _) => {
                "Running totals per line (median over replicates); nothing was spent.".into()
            }
        },
        svg: bands("day", "money (scenario units), cumulative", &series)?,
        numbers: Numbers { header, rows },
    })
}

/// The operating team's overtime and its days away burnt out, when it worked overtime in any run
/// (older folders, written before the columns existed, have none).
fn overtime(ts: &Table, summary: &Table) -> Result<Option<Section>> {
    if ts.col("overtime").is_err() || summary.col("team_days_away").is_err() {
        return Ok(None);
    }
    let worked = summary.numbers("team_overtime")?;
    if worked.iter().all(|&m| m == 0.0) {
        return Ok(None);
    }
    let (series, numbers) = daily_bands(ts, &["overtime"])?;
    Ok(Some(Section {
        id: "team".into(),
        title: "The operating team's overtime".into(),
        reading: format!(
            "Over the run the team worked about {:.0} minutes past its time budget and was away, \
             burnt out, on {:.0} days (medians over replicates; a day away is a day of no \
             overtime, docs/MODEL.md §5.10).",
            median(&worked),
            median(&summary.numbers("team_days_away")?)
        ),
        svg: bands("day", "minutes past the budget", &series)?,
        numbers,
    }))
}
