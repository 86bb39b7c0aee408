//! What a robust ranking turns on: across the draws of the unknown constants, how the lead of
//! the best policy over the runner-up moves with each constant (Spearman's rank correlation).
//! The constant it moves with most is the one to measure first.

use crate::stats::{rank_correlation, rank_correlation_critical};

/// How the lead of the best policy over the runner-up moves with each uncertain key.
#[derive(Debug, Clone, PartialEq)]
pub struct Lead {
    /// The best policy and the runner-up, by their mean over the draws.
    pub best: usize,
    pub runner_up: usize,
    /// Per uncertain key, in the order of the keys.
    pub by_key: Vec<KeyLead>,
    /// The distinct draws where both policies are defined.
    pub draws: usize,
}

/// How the lead moves with one uncertain key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeyLead {
    /// The rank correlation, across the draws, of the key's value with the lead (NaN where
    /// either does not vary).
    pub r: f64,
    /// The rank correlation below which the draws it was computed on cannot tell a relation from
    /// none (two-sided 5%).
    pub critical: f64,
}

impl KeyLead {
    /// Whether the lead moves with the key beyond chance.
    pub fn strong(&self) -> bool {
        self.r.abs() >= self.critical
    }
}

/// The lead of `best` over `runner_up` in each draw, from `means[p][d]` (positive where `best`
/// does better: higher when `better` prefers higher values), and its rank correlation with each
/// key's values `values[d][k]`. The draws must be distinct: a draw repeated (a particle of a
/// posterior drawn twice) runs on the same seeds to the same results and adds no evidence.
pub fn lead_by_key(
    means: &[Vec<f64>],
    best: usize,
    runner_up: usize,
    values: &[Vec<f64>],
    better: &dyn Fn(f64, f64) -> bool,
) -> Lead {
    let sign = if better(1.0, 0.0) { 1.0 } else { -1.0 };
    let lead: Vec<f64> = means[best]
        .iter()
        .zip(&means[runner_up])
        .map(|(b, r)| sign * (b - r))
        .collect();
    let keys = values.first().map_or(0, Vec::len);
    let by_key = (0..keys)
        .map(|k| {
            let column: Vec<f64> = values.iter().map(|v| v[k]).collect();
            let pairs = column
                .iter()
                .zip(&lead)
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .count();
            KeyLead {
                r: rank_correlation(&column, &lead),
                critical: rank_correlation_critical(pairs),
            }
        })
        .collect();
    Lead {
        best,
        runner_up,
        by_key,
        draws: lead.iter().filter(|x| x.is_finite()).count(),
    }
}

/// The sentence the comparison prints: the keys the lead moves with beyond chance, strongest
/// first, or that it moves with none of them.
pub fn sentence(lead: &Lead, keys: &[String], names: &[String]) -> String {
    let mut strong: Vec<(&String, f64)> = keys
        .iter()
        .zip(&lead.by_key)
        .filter(|(_, k)| k.strong())
        .map(|(key, k)| (key, k.r))
        .collect();
    strong.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    let what = format!(
        "the lead of {} over {} across the {} distinct draws",
        names[lead.best], names[lead.runner_up], lead.draws
    );
    let critical = lead.by_key.first().map_or(f64::NAN, |k| k.critical);
    if critical.is_nan() {
        return format!("{what}: too few draws to tell what it moves with");
    }
    if strong.is_empty() {
        return format!(
            "{what} moves with none of the unknown constants beyond chance (rank correlation \
             under {critical:.2} in size)"
        );
    }
    let list: Vec<String> = strong
        .iter()
        .map(|(k, r)| format!("`{k}` ({r:+.2})"))
        .collect();
    format!(
        "{what} moves most with {} (rank correlation; at least {critical:.2} in size tells a \
         relation from none): measure these first",
        list.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lead_follows_the_key_that_decides_it() {
        // Policy 0 leads by the first key's value, whatever the second key; policy 1 trails.
        let values: Vec<Vec<f64>> = (0..10)
            .map(|d| vec![d as f64, ((d * 7) % 10) as f64])
            .collect();
        let means = vec![
            values.iter().map(|v| 100.0 + v[0] * v[0]).collect(),
            vec![100.0; 10],
        ];
        let lead = lead_by_key(&means, 0, 1, &values, &|a, b| a > b);
        assert_eq!(lead.by_key[0].r, 1.0);
        assert!(!lead.by_key[1].strong(), "{:?}", lead.by_key);
        assert_eq!(lead.draws, 10);
        let names = ["a".to_string(), "b".to_string()];
        let keys = ["x".to_string(), "y".to_string()];
        let s = sentence(&lead, &keys, &names);
        assert!(s.contains("`x` (+1.00)") && !s.contains("`y`"), "{s}");
        // Minimised, the same numbers make policy 1 the better: its lead grows with x too.
        let lead = lead_by_key(&means, 1, 0, &values, &|a, b| a < b);
        assert_eq!(lead.by_key[0].r, 1.0);
        // A lead that does not vary moves with nothing.
        let flat = vec![vec![2.0; 10], vec![1.0; 10]];
        let lead = lead_by_key(&flat, 0, 1, &values, &|a, b| a > b);
        assert!(lead.by_key.iter().all(|k| k.r.is_nan() && !k.strong()));
        assert!(sentence(&lead, &keys, &names).contains("none of the unknown constants"));
    }
}
