//! A results CSV as the report reads it: a header and rows of cells, with columns by name. The
//! report reads only the files of a results folder, so it works on a folder copied elsewhere.

use std::path::Path;

use anyhow::{Context, Result};

/// A CSV file of a results folder.
pub struct Table {
    /// The file's name, for errors.
    pub file: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn read(path: &Path) -> Result<Table> {
        let mut reader = csv::Reader::from_path(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let header = reader
            .headers()
            .with_context(|| format!("cannot read the header of {}", path.display()))?
            .iter()
            .map(str::to_string)
            .collect();
        let rows = reader
            .records()
            .map(|r| r.map(|r| r.iter().map(str::to_string).collect()))
            .collect::<Result<Vec<Vec<String>>, _>>()
            .with_context(|| format!("cannot read {}", path.display()))?;
        let file = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Ok(Table { file, header, rows })
    }

    /// The index of column `name`.
    pub fn col(&self, name: &str) -> Result<usize> {
        self.header
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{} has no column `{name}`", self.file))
    }

    /// Column `name` as numbers (NaN for empty cells).
    pub fn numbers(&self, name: &str) -> Result<Vec<f64>> {
        let i = self.col(name)?;
        Ok(self
            .rows
            .iter()
            .map(|r| r[i].parse::<f64>().unwrap_or(f64::NAN))
            .collect())
    }
}

/// The median of the finite values (NaN if none).
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The mean of the finite values (NaN if none).
pub fn mean(values: &[f64]) -> f64 {
    crate::stats::estimate(values).mean
}

/// Per day, over replicates: (day, median, min, max) of `column` of timeseries.csv.
pub fn daily(ts: &Table, column: &str) -> Result<Vec<(f64, f64, f64, f64)>> {
    let days = ts.numbers("day")?;
    let values = ts.numbers(column)?;
    let last = days.iter().copied().fold(0.0, f64::max) as usize;
    let mut by_day: Vec<Vec<f64>> = vec![Vec::new(); last + 1];
    for (d, v) in days.iter().zip(&values) {
        by_day[*d as usize].push(*v);
    }
    Ok(by_day
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.is_empty())
        .map(|(d, v)| {
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (d as f64, median(v), lo, hi)
        })
        .collect())
}

/// Per day, over replicates: (day, median, min, max) of the running total of `column` within
/// each replicate.
pub fn daily_cumulative(ts: &Table, column: &str) -> Result<Vec<(f64, f64, f64, f64)>> {
    let replicates = ts.numbers("replicate")?;
    let values = ts.numbers(column)?;
    let mut running = Table {
        file: ts.file.clone(),
        header: vec!["day".into(), column.into()],
        rows: Vec::with_capacity(ts.rows.len()),
    };
    let days = ts.numbers("day")?;
    let (mut current, mut total) = (f64::NAN, 0.0);
    for i in 0..values.len() {
        if replicates[i] != current {
            (current, total) = (replicates[i], 0.0);
        }
        total += if values[i].is_finite() {
            values[i]
        } else {
            0.0
        };
        running
            .rows
            .push(vec![days[i].to_string(), total.to_string()]);
    }
    daily(&running, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_samples() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&[f64::NAN]).is_nan());
    }
}
