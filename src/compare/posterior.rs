//! A calibration's posterior as the draws of a robust comparison: its `posterior.csv` read and
//! checked, and its particles resampled by weight.

use std::path::Path;

use crate::calibrate::observed::{csv_error, csv_words, open_csv};
use crate::scenario::ScenarioError;

pub(super) type Posterior = (Vec<String>, Vec<Vec<String>>, Vec<f64>);

/// The posterior's keys, each particle's values (as text) and weights.
pub(super) fn read_posterior(csv: &Path) -> Result<Posterior, ScenarioError> {
    let file_error = |m: String| csv_error(csv, 0, "", m);
    let (mut reader, header) = open_csv(csv, "the posterior")?;
    let weight_at = header.iter().position(|h| h == "weight").ok_or_else(|| {
        file_error("it has no `weight` column: is it the posterior.csv of a calibration?".into())
    })?;
    let at: Vec<usize> = (0..header.len())
        .filter(|&i| i != weight_at && header[i] != "distance")
        .collect();
    if at.is_empty() {
        return Err(file_error("it names no calibrated key".into()));
    }
    let (mut values, mut weights) = (Vec::new(), Vec::new());
    for (row, record) in reader.records().enumerate() {
        let line = row + 2;
        let record = record.map_err(|e| csv_error(csv, line, "", csv_words(&e)))?;
        let weight = record
            .get(weight_at)
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|w| w.is_finite() && *w >= 0.0)
            .ok_or_else(|| {
                csv_error(csv, line, "weight", "a weight must be a number ≥ 0".into())
            })?;
        let mut particle = Vec::with_capacity(at.len());
        for &i in &at {
            let cell = record.get(i).map(str::trim).unwrap_or("");
            // A TOML number (as the scenario reads it), and finite.
            let number = cell
                .parse::<toml_edit::Value>()
                .ok()
                .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)));
            if number.is_none_or(|x| !x.is_finite()) {
                return Err(csv_error(
                    csv,
                    line,
                    &header[i],
                    format!("`{}` must be a number", header[i]),
                ));
            }
            particle.push(cell.to_string());
        }
        values.push(particle);
        weights.push(weight);
    }
    let total: f64 = weights.iter().sum();
    if !total.is_finite() {
        return Err(file_error("its weights are too large to add up".into()));
    }
    if total <= 0.0 {
        return Err(file_error(
            "it has no particle of positive weight to draw from".into(),
        ));
    }
    Ok((
        at.into_iter().map(|i| header[i].clone()).collect(),
        values,
        weights,
    ))
}

/// Systematic resampling: `n` particle indices, particle i drawn ⌊n w_i⌋ or ⌈n w_i⌉ times
/// (w normalised), in particle order. The points are the midpoints (k + ½) / n, so the draw
/// needs no random number and is the same on every machine.
pub fn systematic_draws(weights: &[f64], n: usize) -> Vec<usize> {
    let total: f64 = weights.iter().sum();
    let mut out = Vec::with_capacity(n);
    let mut cumulative = 0.0;
    let mut i = 0;
    for k in 0..n {
        let point = (k as f64 + 0.5) / n as f64 * total;
        while i + 1 < weights.len() && cumulative + weights[i] <= point {
            cumulative += weights[i];
            i += 1;
        }
        out.push(i);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn systematic_draws_follow_the_weights_within_one() {
        let w = [0.5, 0.0, 0.25, 0.25];
        assert_eq!(systematic_draws(&w, 4), vec![0, 0, 2, 3]);
        // Unnormalised weights draw the same.
        assert_eq!(systematic_draws(&[2.0, 0.0, 1.0, 1.0], 4), vec![0, 0, 2, 3]);
        let w = [0.1, 0.35, 0.05, 0.3, 0.2];
        for n in [1, 3, 7, 20, 101] {
            let d = systematic_draws(&w, n);
            assert_eq!(d.len(), n);
            assert!(d.windows(2).all(|p| p[0] <= p[1]), "in particle order");
            for (i, wi) in w.iter().enumerate() {
                let count = d.iter().filter(|&&j| j == i).count() as f64;
                let expected = n as f64 * wi;
                assert!(
                    count >= expected.floor() && count <= expected.ceil(),
                    "n {n}, particle {i}: {count} draws for {expected}"
                );
            }
        }
    }
}
