//! What a calibration matches: an observed daily series (a CSV file with a `day` column and
//! timeseries.csv columns), an observed weekly series (a `week` column and weekly.csv columns)
//! and summary targets, and the distance of a simulation to them.

use std::path::Path;

use super::ObservedFile;
use crate::batch::file::Base;
use crate::engine::Replicate;
use crate::metrics::{DayRecord, Metrics, WeekRow};
use crate::scenario::{item_at, nearest, Origin, ScenarioError};

/// Which series an observed column is of, and where the column is in its records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Series {
    /// timeseries.csv: index into `DayRecord::COLUMNS`.
    Daily(usize),
    /// weekly.csv: index into `WeekRow::COLUMNS`.
    Weekly(usize),
}

/// One observed column of the daily or the weekly series.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Its name in the outputs: the column's, `weekly.` before a weekly one.
    pub name: String,
    pub series: Series,
    /// The observed days (weeks for a weekly column), increasing.
    pub at: Vec<u32>,
    /// The observed value on each observed day (or week).
    pub values: Vec<f64>,
    /// Its scale in the distance: the standard deviation of the observed values (their mean's
    /// size, at least 1, when they are constant).
    pub scale: f64,
}

/// A summary target.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub name: String,
    /// Index into `Metrics::NAMES`.
    pub index: usize,
    pub value: f64,
    pub sd: f64,
}

/// Everything observed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Observed {
    pub columns: Vec<Column>,
    pub targets: Vec<Target>,
}

impl Column {
    /// The day an observation stands on in the outputs: its day, or the last day of its week.
    pub fn day_of(&self, t: usize) -> u32 {
        match self.series {
            Series::Daily(_) => self.at[t],
            Series::Weekly(_) => 7 * self.at[t],
        }
    }
}

/// The two kinds of observed file: what their time column is, which outputs' columns they hold,
/// and how their column names read in the outputs.
#[derive(Debug, Clone, Copy)]
struct Kind {
    time: &'static str,
    file: &'static str,
    names: &'static [&'static str],
    prefix: &'static str,
    series: fn(usize) -> Series,
}

const DAILY: Kind = Kind {
    time: "day",
    file: "timeseries.csv",
    names: DayRecord::COLUMNS,
    prefix: "",
    series: Series::Daily,
};

const WEEKLY: Kind = Kind {
    time: "week",
    file: "weekly.csv",
    names: WeekRow::COLUMNS,
    prefix: "weekly.",
    series: Series::Weekly,
};

/// An error in the observed CSV file, at `line` (1-based), about `column`.
pub(crate) fn csv_error(file: &Path, line: usize, column: &str, message: String) -> ScenarioError {
    ScenarioError {
        file: file.display().to_string(),
        origin: if line > 0 {
            Origin::Line(line)
        } else {
            Origin::File
        },
        key: column.to_string(),
        message,
        suggestion: None,
        via: None,
    }
}

/// What is wrong with a CSV row, in an operator's words rather than the reader's.
pub(crate) fn csv_words(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("this row has {len} cells where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "this row is not UTF-8 text".into(),
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => e.to_string(),
    }
}

/// Opens a CSV file named in a calibration or comparison file (`what` it holds, for errors) and
/// reads its header.
pub(crate) fn open_csv(
    csv: &Path,
    what: &str,
) -> Result<(csv::Reader<std::fs::File>, Vec<String>), ScenarioError> {
    let file_error = |m: String| csv_error(csv, 0, "", m);
    let mut reader =
        csv::Reader::from_path(csv).map_err(|e| file_error(format!("cannot read {what}: {e}")))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| file_error(format!("cannot read its header: {}", csv_words(&e))))?
        .iter()
        .map(str::to_string)
        .collect();
    Ok((reader, header))
}

impl Observed {
    /// Reads the `[observed]` table: the CSV file (relative to the calibration file at `path`)
    /// and the targets. Days must lie within the scenario's `days`.
    pub(crate) fn load(
        base: &Base,
        raw: &ObservedFile,
        path: &Path,
        days: u32,
    ) -> Result<Observed, ScenarioError> {
        let mut observed = Observed {
            targets: targets(base)?,
            ..Observed::default()
        };
        let files = [
            (
                DAILY,
                &raw.file,
                &raw.columns,
                "observed.file",
                "observed.columns",
                days,
            ),
            (
                WEEKLY,
                &raw.weekly,
                &raw.weekly_columns,
                "observed.weekly",
                "observed.weekly_columns",
                // Only whole weeks: a run's last, shorter week is not the observed week.
                days / 7,
            ),
        ];
        for (kind, file, columns, file_key, columns_key, last) in files {
            let at = base.at(columns_key);
            if file.is_empty() {
                if !columns.is_empty() {
                    let m = format!("columns of what? give `{file_key}`, the CSV file they are in");
                    return Err(base.source.error(&at, m, None));
                }
                continue;
            }
            check_columns(base, kind, columns, &at)?;
            let csv = path.parent().unwrap_or(Path::new(".")).join(file);
            read_series(&mut observed, kind, &csv, columns, last).map_err(|e| {
                if e.origin == Origin::File && e.key.is_empty() {
                    let mut blamed = base.source.error(&base.at(file_key), e.message, None);
                    blamed.message = format!("{} ({})", blamed.message, csv.display());
                    blamed
                } else {
                    e
                }
            })?;
        }
        if observed.columns.is_empty() && observed.targets.is_empty() {
            return Err(base.source.error(
                &base.at("observed"),
                "nothing to calibrate to: give a `file` of observed days, a `weekly` file of \
                 observed weeks, or `targets`",
                None,
            ));
        }
        Ok(observed)
    }

    /// The terms this case adds to a distance (docs/CALIBRATION.md): `series[c][t]` the
    /// simulated value of column c on observed day t, `metrics[m]` the simulated value of target
    /// m. Each column gives the mean over its days of its scaled squared errors, each target its
    /// scaled squared error.
    pub fn terms(&self, series: &[Vec<f64>], metrics: &[f64], out: &mut Vec<f64>) {
        for (col, simulated) in self.columns.iter().zip(series) {
            let mse = col
                .values
                .iter()
                .zip(simulated)
                .map(|(o, s)| ((s - o) / col.scale).powi(2))
                .sum::<f64>()
                / col.values.len() as f64;
            out.push(mse);
        }
        for (target, simulated) in self.targets.iter().zip(metrics) {
            out.push(((simulated - target.value) / target.sd).powi(2));
        }
    }

    /// The simulated values a distance needs, from one run: each observed column on the
    /// observed days (or weeks), and each target metric.
    pub fn simulated(&self, run: &Replicate) -> (Vec<Vec<f64>>, Vec<f64>) {
        let weeks = &run.tables.life.weekly;
        let columns = self
            .columns
            .iter()
            .map(|c| {
                c.at.iter()
                    .map(|&t| match c.series {
                        Series::Daily(i) => run.series[t as usize].values()[i],
                        Series::Weekly(i) => weeks[t as usize - 1].values()[i],
                    })
                    .collect()
            })
            .collect();
        let values = run.summary.metrics.values();
        let targets = self.targets.iter().map(|t| values[t.index]).collect();
        (columns, targets)
    }
}

/// The `columns` (or `weekly_columns`) list as written: when present, not empty, without the
/// time column and without a column twice.
fn check_columns(
    base: &Base,
    kind: Kind,
    columns: &[String],
    at: &str,
) -> Result<(), ScenarioError> {
    if columns.is_empty() && item_at(base.source.root(), at).is_some() {
        let m = format!(
            "no columns listed: name the columns to fit, or leave the list out to fit all but \
             `{}`",
            kind.time
        );
        return Err(base.source.error(at, m, None));
    }
    for (k, name) in columns.iter().enumerate() {
        let why = if name == kind.time {
            "it is when each row was observed, not a series to fit: list the others"
        } else if columns[..k].contains(name) {
            "this column is listed twice"
        } else {
            continue;
        };
        return Err(base.source.error(at, format!("`{name}`: {why}"), None));
    }
    Ok(())
}

/// The distance of a simulation to what was observed: the square root of the mean of its
/// terms ([`Observed::terms`], over every case), infinite when a simulated value is undefined.
pub fn distance(terms: &[f64]) -> f64 {
    let d = (terms.iter().sum::<f64>() / terms.len() as f64).sqrt();
    if d.is_finite() {
        d
    } else {
        f64::INFINITY
    }
}

/// Reads `observed.targets`: `metric = { value = V, sd = S }` for summary metrics.
fn targets(base: &Base) -> Result<Vec<Target>, ScenarioError> {
    let here = base.at("observed.targets");
    let Some(item) = item_at(base.source.root(), &here) else {
        return Ok(Vec::new());
    };
    let Some(table) = item.as_table_like() else {
        return Err(base.source.error(
            &here,
            "expected a table: `{ metric = { value = V, sd = S } }`",
            None,
        ));
    };
    let mut out = Vec::new();
    for (name, item) in table.iter() {
        let at = format!("{here}.{name}");
        let Some(index) = Metrics::NAMES.iter().position(|m| *m == name) else {
            let suggestion = nearest(name, Metrics::NAMES.iter().copied());
            return Err(base.source.error(
                &at,
                format!("`{name}` is not a summary metric (see docs/OUTPUTS.md)"),
                suggestion,
            ));
        };
        let num = |k: &str| {
            item.get(k)
                .and_then(|x| x.as_float().or_else(|| x.as_integer().map(|i| i as f64)))
                .filter(|x| x.is_finite())
        };
        let (Some(value), Some(sd)) = (num("value"), num("sd")) else {
            return Err(base.source.error(
                &at,
                "expected `{ value = V, sd = S }`: the target and how far from it still fits",
                None,
            ));
        };
        if sd <= 0.0 {
            return Err(base
                .source
                .error(&format!("{at}.sd"), "sd must be above 0", None));
        }
        // A distance is ((simulated − value) / sd)²: a target asked to more than nine
        // significant digits is met by no stochastic run, and its squares overflow.
        if (value.abs() + 1.0) / sd > 1e9 {
            let short = |x: f64| {
                if x != 0.0 && !(1e-4..1e6).contains(&x.abs()) {
                    format!("{x:e}")
                } else {
                    format!("{x}")
                }
            };
            let (sd, value) = (short(sd), short(value));
            return Err(base.source.error(
                &format!("{at}.sd"),
                format!(
                    "an sd of {sd} asks the runs to match {value} to more than nine significant \
                     digits, which no run of a random model can: give the figure's sampling \
                     error (or about a quarter of its plausible range)"
                ),
                None,
            ));
        }
        check_range(base, &at, name, value)?;
        out.push(Target {
            name: name.to_string(),
            index,
            value,
            sd,
        });
    }
    Ok(out)
}

/// Refuses a target value no run can give (docs/OUTPUTS.md: shares from 0 to 1, counts of
/// agents up to the population).
fn check_range(base: &Base, at: &str, name: &str, value: f64) -> Result<(), ScenarioError> {
    let population = base.scenario.size();
    let (lo, hi) = Metrics::range(name, population);
    if !(lo..=hi).contains(&value) {
        let can = if Metrics::SHARES.contains(&name) {
            "a share, from 0 to 1".to_string()
        } else if hi.is_finite() && hi == population as f64 {
            format!("a count of agents, at most the population ({population})")
        } else if hi.is_finite() {
            format!("from {lo} to {hi}")
        } else {
            format!("at least {lo}")
        };
        return Err(base.source.error(
            &format!("{at}.value"),
            format!("`{name}` is {can}: no run can give {value}"),
            None,
        ));
    }
    Ok(())
}

/// Where the time column and the `wanted` columns (all but the time column when empty) are in
/// `header`, each with its index among the columns of the kind's output file.
type Resolved = (usize, Vec<String>, Vec<(usize, usize)>);

fn resolve_columns(
    kind: Kind,
    csv: &Path,
    header: &[String],
    wanted: &[String],
) -> Result<Resolved, ScenarioError> {
    let time = kind.time;
    let time_at = header.iter().position(|h| h == time).ok_or_else(|| {
        csv_error(
            csv,
            1,
            time,
            format!("the observed file needs a `{time}` column"),
        )
    })?;
    if let Some((k, twice)) = header
        .iter()
        .enumerate()
        .find(|(k, h)| header[..*k].contains(h))
    {
        return Err(csv_error(
            csv,
            1,
            twice,
            format!("the header names `{twice}` twice (column {})", k + 1),
        ));
    }
    let names: Vec<String> = if wanted.is_empty() {
        header.iter().filter(|h| *h != time).cloned().collect()
    } else {
        wanted.to_vec()
    };
    // Neither the replicate nor the time itself is a series, nor whether a week is complete:
    // the series, each with its index among the kind's columns.
    let series: Vec<(usize, &str)> = (kind.names.iter().copied().enumerate().skip(2))
        .filter(|(_, n)| *n != "complete")
        .collect();
    let mut at = Vec::new();
    for name in &names {
        let Some(&(index, _)) = series.iter().find(|(_, n)| n == name) else {
            if name == "complete" && kind.time == "week" {
                let m = "`complete` says whether a week is whole, not a series to fit".into();
                return Err(csv_error(csv, 1, name, m));
            }
            let hint = nearest(name, series.iter().map(|(_, n)| *n))
                .map_or(String::new(), |s| format!("; did you mean `{s}`?"));
            return Err(csv_error(
                csv,
                1,
                name,
                format!("`{name}` is not a {} column{hint}", kind.file),
            ));
        };
        let column = header.iter().position(|h| h == name).ok_or_else(|| {
            csv_error(
                csv,
                1,
                name,
                format!("the observed file has no `{name}` column"),
            )
        })?;
        at.push((column, index));
    }
    Ok((time_at, names, at))
}

/// Reads an observed series of `kind` from `csv`: its time column (days 1 to `last`, or weeks)
/// and `wanted` columns (all but the time column when empty).
fn read_series(
    observed: &mut Observed,
    kind: Kind,
    csv: &Path,
    wanted: &[String],
    last: u32,
) -> Result<(), ScenarioError> {
    let file_error = |m: String| csv_error(csv, 0, "", m);
    let (mut reader, header) = open_csv(csv, "the observed file")?;
    let (time_at, names, at) = resolve_columns(kind, csv, &header, wanted)?;
    let time = kind.time;
    let mut times: Vec<u32> = Vec::new();
    let mut values = vec![Vec::new(); at.len()];
    for (row, record) in reader.records().enumerate() {
        let line = row + 2;
        let record = record.map_err(|e| csv_error(csv, line, "", csv_words(&e)))?;
        let cell = |i: usize, name: &str| -> Result<f64, ScenarioError> {
            record
                .get(i)
                .and_then(|s| s.trim().parse::<f64>().ok())
                .filter(|x| x.is_finite())
                .ok_or_else(|| csv_error(csv, line, name, format!("`{name}` must be a number")))
        };
        let t = cell(time_at, time)?;
        if t.fract() != 0.0 || t < 1.0 || t > last as f64 {
            return Err(csv_error(
                csv,
                line,
                time,
                if kind.time == "week" {
                    format!("week {t} is not a whole simulated week (1 to {last})")
                } else {
                    format!("day {t} is not a simulated day (1 to {last})")
                },
            ));
        }
        if times.last().is_some_and(|&before| t as u32 <= before) {
            return Err(csv_error(csv, line, time, format!("{time}s must increase")));
        }
        times.push(t as u32);
        for (k, &(column, _)) in at.iter().enumerate() {
            let value = cell(column, &names[k])?;
            if value < 0.0 {
                return Err(csv_error(
                    csv,
                    line,
                    &names[k],
                    format!(
                        "`{}` is {value}, below 0: every {} column is a count, an amount of \
                         money or a share",
                        names[k], kind.file
                    ),
                ));
            }
            values[k].push(value);
        }
    }
    if times.is_empty() {
        return Err(file_error("the observed file has no rows".into()));
    }
    for ((name, &(_, index)), values) in names.iter().zip(&at).zip(values) {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        let scale = if sd > 0.0 { sd } else { mean.abs().max(1.0) };
        observed.columns.push(Column {
            name: format!("{}{name}", kind.prefix),
            series: (kind.series)(index),
            at: times.clone(),
            values,
            scale,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_distance_is_the_root_mean_of_scaled_squared_errors() {
        let o = Observed {
            columns: vec![Column {
                name: "members".into(),
                series: Series::Daily(2),
                at: vec![1, 2],
                values: vec![10.0, 20.0],
                scale: 5.0,
            }],
            targets: vec![Target {
                name: "final_members".into(),
                index: 0,
                value: 100.0,
                sd: 10.0,
            }],
        };
        let d = |series: &[Vec<f64>], metrics: &[f64]| {
            let mut terms = Vec::new();
            o.terms(series, metrics, &mut terms);
            distance(&terms)
        };
        assert_eq!(d(&[vec![10.0, 20.0]], &[100.0]), 0.0);
        // Column: errors 5 and 5 over scale 5: mean square 1. Target: 20 over 10: 4.
        let d1 = d(&[vec![15.0, 25.0]], &[120.0]);
        assert!((d1 - (2.5f64).sqrt()).abs() < 1e-12, "{d1}");
        assert_eq!(d(&[vec![f64::NAN, 20.0]], &[100.0]), f64::INFINITY);
        // A second case adds its terms to the same mean: (1 + 4 + 0 + 9) / 4.
        let mut terms = Vec::new();
        o.terms(&[vec![15.0, 25.0]], &[120.0], &mut terms);
        o.terms(&[vec![10.0, 20.0]], &[130.0], &mut terms);
        assert!((distance(&terms) - (14.0f64 / 4.0).sqrt()).abs() < 1e-12);
    }
}
