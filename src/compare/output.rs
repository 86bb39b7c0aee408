//! What a comparison prints and writes: the terminal table, compare.csv, robust.csv and
//! robust-keys.csv.

use super::{Comparison, Lead, PolicyResult, RobustRanking};
use crate::metrics::Metrics;

impl Comparison {
    /// compare.csv: a row per policy, in the order of the file.
    pub fn csv(&self, results: &[PolicyResult]) -> anyhow::Result<Vec<u8>> {
        let mut header: Vec<String> = ["policy", "rank", "p_best", "replicates"]
            .map(String::from)
            .to_vec();
        for &m in &self.metrics {
            let m = Metrics::NAMES[m];
            for stat in [
                "mean",
                "ci_low",
                "ci_high",
                "diff",
                "diff_ci_low",
                "diff_ci_high",
            ] {
                header.push(format!("{m}_{stat}"));
            }
        }
        let rows = results.iter().map(|r| {
            let mut row = vec![
                r.name.clone(),
                r.rank.map_or(String::new(), |k| k.to_string()),
                crate::export::cell(r.p_best),
                r.replicates.to_string(),
            ];
            for (e, d) in &r.metrics {
                row.extend(
                    [e.mean, e.ci_low, e.ci_high, d.mean, d.ci_low, d.ci_high]
                        .map(crate::export::cell),
                );
            }
            row
        });
        crate::export::csv_table(&header, rows)
    }

    /// robust.csv: a row per policy, in the order of the file.
    pub fn robust_csv(&self, ranking: &RobustRanking) -> anyhow::Result<Vec<u8>> {
        let header = [
            "policy",
            "rank",
            "draws",
            "objective_mean",
            "objective_sd",
            "p_best",
            "regret_mean",
            "regret_max",
            "same_rank_share",
            "top_order_share",
        ];
        let rows = ranking
            .policies
            .iter()
            .zip(&self.policies)
            .map(|(r, name)| {
                let mut row = vec![
                    name.clone(),
                    r.rank.map_or(String::new(), |k| k.to_string()),
                    r.draws.to_string(),
                ];
                row.extend(
                    [
                        r.mean,
                        r.sd,
                        r.p_best,
                        r.regret_mean,
                        r.regret_max,
                        r.same_rank_share,
                        ranking.top_order_share,
                    ]
                    .map(crate::export::cell),
                );
                row
            });
        crate::export::csv_table(&header, rows)
    }

    /// robust-keys.csv: a row per uncertain key, in the order of the draws' columns: how the
    /// lead of the best policy over the runner-up moves with it across the draws.
    pub fn robust_keys_csv(&self, lead: &Lead, keys: &[String]) -> anyhow::Result<Vec<u8>> {
        let header = ["key", "rank_correlation", "critical", "best", "runner_up"];
        let rows = keys.iter().zip(&lead.by_key).map(|(key, k)| {
            vec![
                key.clone(),
                crate::export::cell(k.r),
                crate::export::cell(k.critical),
                self.policies[lead.best].clone(),
                self.policies[lead.runner_up].clone(),
            ]
        });
        crate::export::csv_table(&header, rows)
    }

    /// What a robust comparison prints after its table: the ranking over the draws, its
    /// verdict, and what the best policy's lead turns on.
    pub fn robust_report(&self, ranking: &RobustRanking) -> String {
        let Some(r) = &self.robust else {
            return String::new();
        };
        let objective = Metrics::NAMES[self.objective];
        let mut out = super::report(ranking, &self.policies, objective, self.draws(), r.of());
        if let Some(lead) = &ranking.lead {
            out.push('\n');
            out.push_str(&super::lead::sentence(lead, &r.keys, &self.policies));
        }
        out
    }

    /// Where each policy's members went against the first policy's, a line each.
    pub fn flows_report(&self, flows: &[super::flows::Flows]) -> String {
        let mut out = format!(
            "where the members went, against {} (paired means; members = seed members + joined - \
             quits - kicks):",
            self.policies[0]
        );
        for (name, f) in self.policies.iter().zip(flows).skip(1) {
            out.push_str("\n  ");
            out.push_str(&super::flows::line(name, f));
        }
        out
    }

    /// An aligned table of the objective for the terminal, best first.
    pub fn table(&self, results: &[PolicyResult]) -> String {
        let i = self
            .metrics
            .iter()
            .position(|&m| m == self.objective)
            .expect("the objective is always reported");
        let name = Metrics::NAMES[self.objective];
        let fmt = |x: f64| {
            if x.is_nan() {
                "n/a".to_string()
            } else {
                format!("{x:.4}")
            }
        };
        let mut rows: Vec<[String; 5]> = vec![[
            "rank".into(),
            "policy".into(),
            format!("{name} (95% CI)"),
            format!("paired difference to {} (95% CI)", self.policies[0]),
            "P(best)".into(),
        ]];
        let mut sorted: Vec<&PolicyResult> = results.iter().collect();
        sorted.sort_by_key(|r| r.rank.unwrap_or(usize::MAX));
        for r in sorted {
            let (e, d) = r.metrics[i];
            rows.push([
                r.rank.map_or("-".to_string(), |k| k.to_string()),
                r.name.clone(),
                format!("{} [{}, {}]", fmt(e.mean), fmt(e.ci_low), fmt(e.ci_high)),
                format!("{} [{}, {}]", fmt(d.mean), fmt(d.ci_low), fmt(d.ci_high)),
                if r.p_best.is_finite() {
                    format!("{:.2}", r.p_best)
                } else {
                    "n/a".to_string()
                },
            ]);
        }
        let widths: Vec<usize> = (0..5)
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        rows.iter()
            .map(|r| {
                r.iter()
                    .zip(&widths)
                    .map(|(cell, w)| format!("{cell:<w$}"))
                    .collect::<Vec<_>>()
                    .join("  ")
                    .trim_end()
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
