//! Robust comparison: every policy runs under each of several draws of the constants nobody
//! measured (the posterior of an `agora calibrate` run, or priors written in the comparison
//! file), with common random numbers across
//! policies within a draw, and is ranked by what it achieves over that uncertainty: its mean
//! objective over the draws, the share of draws in which it is best, its regret against each
//! draw's best policy, and whether the order of the best policies holds from draw to draw.

use std::collections::BTreeMap;
use std::path::Path;

use crate::batch::{metric_values, RunKey, RunRow};
use crate::stats::{estimate, Estimate};

use super::posterior::{read_posterior, systematic_draws};
use crate::calibrate::{check_varied_key, read_parameters, Parameter, ParameterFile};
use crate::scenario::keys::{table, within, Rule};
use crate::scenario::{Override, ScenarioError, TomlSource};

table! {
    /// The `[robust]` table of a comparison file as written.
    pub(crate) struct RobustFile {
        posterior: String = String::new(), Rule::Any, "",
            "The `posterior.csv` of an `agora calibrate` run (relative to this file): the \
             constants not known, as weighted particles. Write it or `parameters`, not both.";
        parameters: Vec<ParameterFile> = Vec::new(), Rule::Count { min: 0, max: 32 }, "",
            "Instead of a posterior, constants not known and not calibrated, each a `key` with \
             a `prior` as in a calibration file; the draws spread over them as a Latin \
             hypercube.";
        draws: u32 = 20, Rule::closed(2.0, 1e5), "draws",
            "Draws of the posterior that every policy runs under (systematic resampling by \
             weight, so a particle of weight w is drawn about draws × w times), or points of \
             the priors' Latin hypercube (one in each of `draws` equal-mass strata of every \
             prior).";
        top: u32 = 2, Rule::closed(1.0, 1000.0), "policies",
            "How many of the best policies must keep their order in a draw for the ranking to \
             count as the same there.";
    }
}

/// Share of draws in which the top policies must keep their order for the ranking to be called
/// stable.
pub const STABLE_SHARE: f64 = 0.9;

/// Where the draws of a robust comparison come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Unknowns {
    /// The `posterior.csv` of a calibration, resampled by weight.
    Posterior(std::path::PathBuf),
    /// Priors written in the comparison file (`[[robust.parameters]]`), drawn as a Latin
    /// hypercube from the comparison's seed.
    Priors(Vec<Parameter>),
}

/// The draws of the unknown constants a robust comparison runs under.
#[derive(Debug, Clone, PartialEq)]
pub struct Robust {
    /// The uncertain scenario keys (the posterior's columns other than `weight` and
    /// `distance`, or the keys given priors).
    pub keys: Vec<String>,
    /// Each draw's values, as TOML text (one per key).
    pub draws: Vec<Vec<String>>,
    /// How many of the best policies must keep their order.
    pub top: usize,
    /// Where the draws come from.
    pub unknowns: Unknowns,
}

impl Robust {
    /// Reads the posterior (relative to the comparison file at `path`) and draws from it, or
    /// draws from the priors written in the file, from `seed`.
    pub(crate) fn load(
        source: &TomlSource,
        raw: &RobustFile,
        path: &Path,
        seed: u64,
    ) -> Result<Robust, ScenarioError> {
        let (posterior, priors) = (!raw.posterior.is_empty(), !raw.parameters.is_empty());
        if posterior == priors {
            let why = if posterior {
                "write `posterior` or `[[robust.parameters]]`, not both"
            } else {
                "say what is not known: `posterior = \"…/posterior.csv\"` of a calibration, or \
                 `[[robust.parameters]]` with a `key` and a `prior` each"
            };
            return Err(source.error("robust", why, None));
        }
        if !posterior {
            let parameters = read_parameters(source, "robust.parameters", &raw.parameters)?;
            let n = raw.draws as usize;
            let strata = crate::sweep::latin_hypercube_strata(n, parameters.len(), seed);
            let draws = strata
                .iter()
                .map(|u| parameters.iter().zip(u).map(|(p, &u)| at(p, u)).collect())
                .collect();
            return Ok(Robust {
                keys: parameters.iter().map(|p| p.key.clone()).collect(),
                draws,
                top: raw.top as usize,
                unknowns: Unknowns::Priors(parameters),
            });
        }
        let csv = path.parent().unwrap_or(Path::new(".")).join(&raw.posterior);
        let (keys, values, weights) = read_posterior(&csv).map_err(|e| {
            if e.key.is_empty() {
                let mut blamed = source.error("robust.posterior", e.message, None);
                blamed.message = format!("{} ({})", blamed.message, csv.display());
                blamed
            } else {
                e
            }
        })?;
        for (i, key) in keys.iter().enumerate() {
            let earlier: Vec<&str> = keys[..i].iter().map(String::as_str).collect();
            check_varied_key(source, "robust.posterior", key, &earlier).map_err(|mut e| {
                e.message = format!("the posterior's column `{key}`: {}", e.message);
                e
            })?;
        }
        let draws = systematic_draws(&weights, raw.draws as usize)
            .into_iter()
            .map(|i| values[i].clone())
            .collect();
        Ok(Robust {
            keys,
            draws,
            top: raw.top as usize,
            unknowns: Unknowns::Posterior(csv),
        })
    }

    /// What the draws are draws of, in a sentence's words: `posterior` or `prior`.
    pub fn of(&self) -> &'static str {
        match self.unknowns {
            Unknowns::Posterior(_) => "posterior",
            Unknowns::Priors(_) => "prior",
        }
    }

    /// Where in the comparison file key `key` is made uncertain, if it is: a drawn key, or a key
    /// below one (a table drawn whole). A table that merely holds a drawn key is not blamed on
    /// the draws.
    pub fn origin(&self, key: &str) -> Option<String> {
        let i = self.keys.iter().position(|k| within(key, k))?;
        Some(match self.unknowns {
            Unknowns::Posterior(_) => "robust.posterior".to_string(),
            Unknowns::Priors(_) => format!("robust.parameters.{i}.prior"),
        })
    }

    /// For priors, the overrides that put each key in turn at either end of its prior and the
    /// others at their medians, with what they test: the scenario must take every value a prior
    /// may draw, whichever points the hypercube happens to hold.
    pub fn prior_ends(&self) -> Vec<(Vec<Override>, String)> {
        let Unknowns::Priors(parameters) = &self.unknowns else {
            return Vec::new();
        };
        let mut ends = Vec::new();
        for (i, p) in parameters.iter().enumerate() {
            for end in [0.0, 1.0] {
                let overrides = parameters
                    .iter()
                    .enumerate()
                    .map(|(j, q)| Override {
                        key: q.key.clone(),
                        value: at(q, if i == j { end } else { 0.5 }),
                    })
                    .collect();
                ends.push((overrides, format!("the prior's end {}", at(p, end))));
            }
        }
        ends
    }

    /// The columns runs.csv gains: the draw, and the value of each key in it.
    pub fn header(&self) -> Vec<String> {
        std::iter::once("draw".to_string())
            .chain(self.keys.iter().cloned())
            .collect()
    }

    /// Draw `d` as scenario overrides.
    pub fn overrides(&self, d: usize) -> Vec<Override> {
        self.keys
            .iter()
            .zip(&self.draws[d])
            .map(|(key, value)| Override {
                key: key.clone(),
                value: value.clone(),
            })
            .collect()
    }
}

impl super::Comparison {
    /// The policies ranked over the draws, from each policy's mean objective in each, with what
    /// the lead of the best over the runner-up turns on.
    fn rank_over_draws(&self, done: &BTreeMap<RunKey, RunRow>, r: &Robust) -> RobustRanking {
        let means: Vec<Vec<f64>> = (0..self.policies.len())
            .map(|p| {
                self.items(p)
                    .map(|item| estimate(&metric_values(done, item, self.objective)).mean)
                    .collect()
            })
            .collect();
        let mut ranking = rank_over_draws(&means, r.top, &|a, b| self.better(a, b));
        let ranked = |k: usize| ranking.policies.iter().position(|x| x.rank == Some(k));
        if let (Some(best), Some(runner_up)) = (ranked(1), ranked(2)) {
            // Each distinct draw once: a repeated particle repeats its runs exactly.
            let distinct: Vec<usize> = (0..r.draws.len())
                .filter(|&d| !r.draws[..d].contains(&r.draws[d]))
                .collect();
            let values: Vec<Vec<f64>> = distinct
                .iter()
                .map(|&d| {
                    r.draws[d]
                        .iter()
                        .map(|v| v.parse().unwrap_or(f64::NAN))
                        .collect()
                })
                .collect();
            let means: Vec<Vec<f64>> = means
                .iter()
                .map(|m| distinct.iter().map(|&d| m[d]).collect())
                .collect();
            ranking.lead = Some(super::lead::lead_by_key(
                &means,
                best,
                runner_up,
                &values,
                &|a, b| self.better(a, b),
            ));
        }
        ranking
    }

    /// Ranks a robust comparison's policies over the draws and writes robust.csv and
    /// robust-keys.csv (nothing for a plain comparison).
    pub(super) fn write_robust(
        &self,
        done: &BTreeMap<RunKey, RunRow>,
        staging: &Path,
    ) -> anyhow::Result<Option<RobustRanking>> {
        let Some(r) = &self.robust else {
            return Ok(None);
        };
        let ranking = self.rank_over_draws(done, r);
        crate::export::write_atomic(&staging.join("robust.csv"), &self.robust_csv(&ranking)?)?;
        if let Some(lead) = &ranking.lead {
            crate::export::write_atomic(
                &staging.join("robust-keys.csv"),
                &self.robust_keys_csv(lead, &r.keys)?,
            )?;
        }
        Ok(Some(ranking))
    }

    /// Each run item's policy name.
    pub(super) fn leads(&self) -> Vec<String> {
        (0..self.scenarios.len())
            .map(|item| self.policies[item / self.draws()].clone())
            .collect()
    }

    /// Each run item's draw columns in runs.csv (none when not robust).
    pub(super) fn draw_columns(&self) -> Vec<Vec<String>> {
        (0..self.scenarios.len())
            .map(|item| match &self.robust {
                Some(r) => {
                    let d = item % self.draws();
                    std::iter::once(d.to_string())
                        .chain(r.draws[d].iter().cloned())
                        .collect()
                }
                None => Vec::new(),
            })
            .collect()
    }
}

/// A prior's value at a share `u` of its mass, as TOML text: within its ends exactly, to 12
/// significant digits (as a sweep's), rounded for a whole-number key.
fn at(p: &Parameter, u: f64) -> String {
    let value = |u: f64| p.prior.value(p.prior.quantile(u));
    crate::sweep::drawn_value(value(u), value(0.0), value(1.0), p.integer)
}

/// One policy's standing over the draws.
#[derive(Debug, Clone, PartialEq)]
pub struct RobustResult {
    /// 1 for the best mean objective over the draws; None if undefined in every draw.
    pub rank: Option<usize>,
    /// Draws in which the policy's objective is defined.
    pub draws: usize,
    /// Mean over the draws of the policy's mean objective in each draw.
    pub mean: f64,
    /// Standard deviation of that per-draw mean across the draws.
    pub sd: f64,
    /// Share of the draws in which the policy is best (ties shared).
    pub p_best: f64,
    /// Mean and largest shortfall from the draw's best policy (0 when it is the best).
    pub regret_mean: f64,
    pub regret_max: f64,
    /// Share of the draws in which the policy holds the rank it has over all draws.
    pub same_rank_share: f64,
}

/// The ranking over the draws as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct RobustRanking {
    pub policies: Vec<RobustResult>,
    /// How the lead of the best policy over the runner-up moves with each uncertain key (none
    /// with fewer than two ranked policies).
    pub lead: Option<super::lead::Lead>,
    /// The best policies, best first, whose order is checked in every draw.
    pub top: Vec<usize>,
    /// Share of the draws whose own best policies, in order, are `top`.
    pub top_order_share: f64,
}

impl RobustRanking {
    pub fn stable(&self) -> bool {
        self.top_order_share >= STABLE_SHARE
    }
}

/// Ranks policies over the draws from `means[p][d]`, policy p's mean objective in draw d (NaN
/// where undefined); `better(a, b)` says a beats b. Draws where some policy is undefined count
/// for the others; ranks and order exclude undefined values.
pub fn rank_over_draws(
    means: &[Vec<f64>],
    top: usize,
    better: &dyn Fn(f64, f64) -> bool,
) -> RobustRanking {
    let k = means.len();
    let draws = means.first().map_or(0, Vec::len);
    let over_draws: Vec<Estimate> = means.iter().map(|m| estimate(m)).collect();
    let ranked = best_first(k, &|p| over_draws[p].mean, better);
    let top_order: Vec<usize> = ranked.iter().copied().take(top.min(k)).collect();
    let mut wins = vec![0.0; k];
    let mut regrets = vec![Vec::new(); k];
    let mut same_rank = vec![0usize; k];
    let (mut contests, mut same_top) = (0usize, 0usize);
    for d in 0..draws {
        let order = best_first(k, &|p| means[p][d], better);
        let Some(&best) = order.first() else {
            continue;
        };
        contests += 1;
        let best_value = means[best][d];
        let winners = order.iter().filter(|&&p| means[p][d] == best_value).count();
        for &p in &order {
            if means[p][d] == best_value {
                wins[p] += 1.0 / winners as f64;
            }
            regrets[p].push((best_value - means[p][d]).abs());
        }
        for (position, &p) in ranked.iter().enumerate() {
            same_rank[p] += (order.get(position) == Some(&p)) as usize;
        }
        same_top += order.starts_with(&top_order) as usize;
    }
    let share = |x: f64| {
        if contests == 0 {
            f64::NAN
        } else {
            x / contests as f64
        }
    };
    let policies = (0..k)
        .map(|p| RobustResult {
            rank: ranked.iter().position(|&q| q == p).map(|i| i + 1),
            draws: over_draws[p].n,
            mean: over_draws[p].mean,
            sd: over_draws[p].sd,
            p_best: share(wins[p]),
            regret_mean: estimate(&regrets[p]).mean,
            regret_max: regrets[p].iter().copied().fold(f64::NAN, f64::max),
            same_rank_share: share(same_rank[p] as f64),
        })
        .collect();
    RobustRanking {
        policies,
        lead: None,
        top: top_order,
        top_order_share: share(same_top as f64),
    }
}

/// The policies (0 to k − 1) whose value is defined, best first; ties keep policy order.
fn best_first(
    k: usize,
    value: &dyn Fn(usize) -> f64,
    better: &dyn Fn(f64, f64) -> bool,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..k).filter(|&p| value(p).is_finite()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (value(a), value(b));
        if better(x, y) {
            std::cmp::Ordering::Less
        } else if better(y, x) {
            std::cmp::Ordering::Greater
        } else {
            a.cmp(&b)
        }
    });
    order
}

/// What to print: each policy over the draws, best first, then plainly whether the best policy
/// depends on what is unknown.
pub fn report(
    r: &RobustRanking,
    names: &[String],
    objective: &str,
    draws: usize,
    of: &str,
) -> String {
    let fmt = |x: f64| {
        if x.is_finite() {
            format!("{x:.4}")
        } else {
            "n/a".into()
        }
    };
    let mut out = format!(
        "over {draws} {of} draws ({objective}: mean of the draws' means; regret: shortfall \
         from each draw's best):\n"
    );
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by_key(|&p| r.policies[p].rank.unwrap_or(usize::MAX));
    for p in order {
        let x = &r.policies[p];
        out.push_str(&format!(
            "  {:>2}  {:<width$}  mean {}  P(best) {}  regret mean {} max {}\n",
            x.rank.map_or("-".into(), |k| k.to_string()),
            names[p],
            fmt(x.mean),
            fmt(x.p_best),
            fmt(x.regret_mean),
            fmt(x.regret_max),
        ));
    }
    let top: Vec<&str> = r.top.iter().map(|&p| names[p].as_str()).collect();
    if r.top_order_share.is_nan() {
        out.push_str(&format!(
            "no ranking: `{objective}` is undefined in every draw for every policy"
        ));
        return out;
    }
    // Rounded down, so that a share short of the bar never prints as reaching it.
    let share = (r.top_order_share * 100.0).floor();
    if r.stable() {
        out.push_str(&format!(
            "the ranking holds: {} in that order in {share:.0}% of the draws (at least {:.0}% \
             needed)",
            top.join(" > "),
            STABLE_SHARE * 100.0
        ));
    } else {
        let mut winners: Vec<(&String, f64)> = names
            .iter()
            .zip(&r.policies)
            .filter(|(_, x)| x.p_best > 0.0)
            .map(|(n, x)| (n, x.p_best))
            .collect();
        winners.sort_by(|a, b| b.1.total_cmp(&a.1));
        let leaders: Vec<String> = winners
            .iter()
            .take(5)
            .map(|(n, p)| format!("{n} in {:.0}%", p * 100.0))
            .collect();
        out.push_str(&format!(
            "the best policy depends on what is unknown: {} keeps its order in only {share:.0}% \
             of the draws; best: {}",
            top.join(" > "),
            leaders.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn max(a: f64, b: f64) -> bool {
        a > b
    }

    #[test]
    fn a_policy_best_in_every_draw_has_no_regret_and_a_stable_ranking() {
        // Policy 1 beats 0 by 2 in each of 4 draws, and 2 trails far behind.
        let means = vec![
            vec![10.0, 20.0, 30.0, 40.0],
            vec![12.0, 22.0, 32.0, 42.0],
            vec![0.0, 1.0, 2.0, 3.0],
        ];
        let r = rank_over_draws(&means, 2, &max);
        assert_eq!(r.top, vec![1, 0]);
        assert!(r.stable() && r.top_order_share == 1.0);
        let best = &r.policies[1];
        assert_eq!(
            (best.rank, best.p_best, best.regret_max),
            (Some(1), 1.0, 0.0)
        );
        assert_eq!(best.mean, 27.0);
        assert_eq!(r.policies[0].regret_mean, 2.0);
        assert_eq!(r.policies[2].regret_mean, (12.0 + 21.0 + 30.0 + 39.0) / 4.0);
        assert_eq!(r.policies[2].rank, Some(3));
    }

    #[test]
    fn when_the_best_depends_on_the_draw_the_ranking_is_not_stable() {
        // 0 wins draws 0 and 1, 1 wins draws 2 and 3 (by more), so 1 is best on average.
        let means = vec![vec![5.0, 5.0, 1.0, 1.0], vec![4.0, 4.0, 9.0, 9.0]];
        let r = rank_over_draws(&means, 2, &max);
        assert_eq!(r.top, vec![1, 0]);
        assert_eq!(r.top_order_share, 0.5);
        assert!(!r.stable());
        assert_eq!((r.policies[0].p_best, r.policies[1].p_best), (0.5, 0.5));
        assert_eq!(r.policies[0].regret_max, 8.0);
        assert_eq!(r.policies[1].regret_mean, 0.5);
        assert_eq!(r.policies[1].same_rank_share, 0.5);
        // Minimising turns it round.
        let r = rank_over_draws(&means, 1, &|a, b| a < b);
        assert_eq!(r.top, vec![0]);
    }

    #[test]
    fn ties_share_the_win_and_undefined_values_are_left_out() {
        let means = vec![vec![3.0, f64::NAN], vec![3.0, 1.0]];
        let r = rank_over_draws(&means, 1, &max);
        assert_eq!(r.policies[0].p_best, 0.25);
        assert_eq!(r.policies[1].p_best, 0.75);
        assert_eq!(r.policies[0].draws, 1);
        assert!(r.policies[0].sd.is_nan());
    }
}
