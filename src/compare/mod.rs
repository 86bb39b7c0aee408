//! `agora compare`: several policies (sets of overrides of one base scenario) run on the same
//! seeds and ranked with uncertainty.
//!
//! Common random numbers: replicate r of every policy runs with the same master seed and
//! replicate number, so it sees the same population, network and, wherever the policies'
//! decisions coincide, the same draws. Differences between policies are therefore paired:
//! `diff_r = metric(policy, r) - metric(first, r)`, and the 95% interval of the paired mean is much
//! narrower than the unpaired one when replicates share most of their noise.

mod checks;
pub mod flows;
mod lead;
mod output;
mod posterior;
mod robust;
mod tasks;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use lead::Lead;
pub use posterior::systematic_draws;
use robust::RobustFile;
pub use robust::{
    rank_over_draws, report, Robust, RobustRanking, RobustResult, Unknowns, STABLE_SHARE,
};

use crate::batch::file::{read, read_set, Base};
use crate::batch::manifest::Manifest;
use crate::batch::{metric_values, Batch, Progress, RunKey, RunRow};
use crate::metrics::Metrics;
use crate::scenario::keys::{choice, overlap, table, within, Rule, Settings, Table};
use crate::scenario::{item_at, nearest, Scenario, ScenarioError, Schema, TomlSource};
use crate::stats::{estimate, paired_difference, Estimate};

choice! {
    /// Whether the objective is to be maximised or minimised.
    pub enum Goal {
        Max = "max",
        Min = "min",
    }
}

table! {
    /// A comparison file as written.
    pub(crate) struct CompareFile {
        name: String = String::new(), Rule::Name, "",
            "Name of the comparison; results go to `results/<name>/` by default.", required;
        base: String = String::new(), Rule::Any, "",
            "The base scenario file, relative to this file.", required;
        replicates: u32 = 10, Rule::closed(2.0, 1e6), "runs",
            "Replicates of every policy, on the same seeds (at least 2, for an interval).";
        objective: String = "final_members".into(), Rule::Any, "",
            "The summary metric policies are ranked by.";
        goal: Goal = Goal::Max, Rule::Any, "",
            "Whether the objective is better high (`max`) or low (`min`).";
        metrics: Vec<String> = Vec::new(), Rule::Any, "",
            "Summary metrics reported in compare.csv (absent or empty: all).";
        max_replicates: u32 = 200, Rule::closed(2.0, 1e6), "runs",
            "Most replicates `--until-separated` may reach.";
        seed: Option<u64> = None, Rule::closed(0.0, i64::MAX as f64), "",
            "Master seed of every run (absent: the base scenario's).";
        set: Settings = Settings::default(), Rule::Any, "",
            "Scenario keys fixed for every policy.";
        policies: Vec<PolicyFile> = Vec::new(), Rule::Count { min: 1, max: 1000 }, "",
            "The policies compared, the first being the reference of the paired differences.",
            required;
        robust: Option<RobustFile> = None, Rule::Any, "",
            "Run every policy under draws of calibrated constants and rank them over that \
             uncertainty (absent: the base scenario's constants only).";
    }
}

table! {
    /// One policy as written.
    pub(crate) struct PolicyFile {
        name: String = String::new(), Rule::Label, "",
            "Name of the policy; names differ.", required;
        set: Settings = Settings::default(), Rule::Any, "",
            "Scenario keys this policy sets.";
    }
}

/// The schema of comparison files.
pub fn compare_schema() -> Schema {
    Schema {
        keys: <CompareFile as Table>::KEYS,
        what: "comparison file",
    }
}

/// A validated comparison.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub name: String,
    pub base_path: PathBuf,
    pub replicates: u32,
    pub max_replicates: u32,
    /// Index into `Metrics::NAMES` of the objective.
    pub objective: usize,
    pub goal: Goal,
    /// Indices into `Metrics::NAMES` reported in compare.csv.
    pub metrics: Vec<usize>,
    pub seed: u64,
    pub policies: Vec<String>,
    /// The draws of the unknown constants every policy runs under, for a robust comparison.
    pub robust: Option<Robust>,
    /// One scenario per run item: per policy, or per policy and draw (policy-major) when robust.
    pub scenarios: Vec<Scenario>,
}

fn metric_index(source: &TomlSource, at: &str, name: &str) -> Result<usize, ScenarioError> {
    Metrics::NAMES
        .iter()
        .position(|m| *m == name)
        .ok_or_else(|| {
            source.error(
                at,
                format!(
                    "`{}` is not a summary metric; expected one of {}",
                    crate::scenario::keys::elide(name, 40),
                    Metrics::NAMES.join(", ")
                ),
                nearest(name, Metrics::NAMES.iter().copied()),
            )
        })
}

/// The metrics compare.csv reports: those listed (each once), else all; the objective always.
fn reported_metrics(
    source: &TomlSource,
    listed: &[String],
    objective: usize,
) -> Result<Vec<usize>, ScenarioError> {
    let written = item_at(source.root(), "metrics").is_some();
    if written && listed.is_empty() {
        return Err(source.error(
            "metrics",
            "an empty list reports nothing: list the metrics, or leave `metrics` out for all",
            None,
        ));
    }
    let mut metrics = if listed.is_empty() {
        (0..Metrics::NAMES.len()).collect()
    } else {
        listed
            .iter()
            .enumerate()
            .map(|(i, m)| metric_index(source, &format!("metrics.{i}"), m))
            .collect::<Result<Vec<_>, _>>()?
    };
    if let Some(i) = (1..metrics.len()).find(|&i| metrics[..i].contains(&metrics[i])) {
        return Err(source.error(
            &format!("metrics.{i}"),
            format!("`{}` is listed twice", Metrics::NAMES[metrics[i]]),
            None,
        ));
    }
    if !metrics.contains(&objective) {
        metrics.insert(0, objective);
    }
    Ok(metrics)
}

impl Comparison {
    /// Reads and validates a comparison file and every policy's scenario.
    pub fn load(path: &Path) -> Result<Comparison, ScenarioError> {
        let (source, raw): (_, CompareFile) = read(path, compare_schema())?;
        if raw.max_replicates < raw.replicates {
            return Err(source.error("max_replicates", "must be at least `replicates`", None));
        }
        let objective = metric_index(&source, "objective", &raw.objective)?;
        if Metrics::WORDS.contains(&raw.objective.as_str()) {
            return Err(source.error(
                "objective",
                format!(
                    "`{}` is a word, not a number: rank by `alive` (1 when healthy)",
                    raw.objective
                ),
                None,
            ));
        }
        let metrics = reported_metrics(&source, &raw.metrics, objective)?;
        let base = Base::load(source, path, &raw.base, raw.seed)?;
        let robust = match &raw.robust {
            Some(r) => Some(Robust::load(&base.source, r, path, base.seed)?),
            None => None,
        };
        if let Some(r) = &robust {
            check_uncertain_keys_are_not_set(&base, r, &raw.policies)?;
            for (overrides, what) in r.prior_ends() {
                base.item(&overrides, None, &|key| r.origin(key), &what)?;
            }
        }
        let draws = robust.as_ref().map_or(1, |r| r.draws.len());
        let mut names: Vec<String> = Vec::new();
        let mut scenarios = Vec::new();
        for (i, p) in raw.policies.iter().enumerate() {
            if names.contains(&p.name) {
                return Err(base.source.error(
                    &format!("policies.{i}.name"),
                    "policy names must differ",
                    None,
                ));
            }
            let own = read_set(&base.source, &format!("policies.{i}.set"))?;
            let origin_of = |key: &str| {
                if let Some(at) = robust.as_ref().and_then(|r| r.origin(key)) {
                    return Some(at);
                }
                own.iter()
                    .any(|o| within(key, &o.key))
                    .then(|| format!("policies.{i}.set.{key}"))
            };
            let context = format!("policy `{}`", p.name);
            for d in 0..draws {
                let mut overrides = own.clone();
                if let Some(r) = &robust {
                    overrides.extend(r.overrides(d));
                }
                let context = match &robust {
                    Some(r) => format!("{context} under {} draw {d}", r.of()),
                    None => context.clone(),
                };
                scenarios.push(base.item(&overrides, None, &origin_of, &context)?);
            }
            names.push(p.name.clone());
        }
        Ok(Comparison {
            name: raw.name,
            base_path: base.path.clone(),
            replicates: raw.replicates,
            max_replicates: raw.max_replicates,
            objective,
            goal: raw.goal,
            metrics,
            seed: base.seed,
            policies: names,
            robust,
            scenarios,
        })
    }

    /// Draws of the unknown constants each policy runs under (1 when not robust).
    pub fn draws(&self) -> usize {
        self.robust.as_ref().map_or(1, |r| r.draws.len())
    }

    /// The run items of policy `p`, one per draw.
    fn items(&self, p: usize) -> std::ops::Range<usize> {
        p * self.draws()..(p + 1) * self.draws()
    }

    /// Metric `m` of policy `p`, one value per replicate, paired across policies. In a robust
    /// comparison each is the replicate's mean over the draws (the draws share the replicates'
    /// seeds, so their runs are not independent samples of the noise).
    fn values(&self, done: &BTreeMap<RunKey, RunRow>, p: usize, m: usize) -> Vec<f64> {
        let per_draw: Vec<Vec<f64>> = self
            .items(p)
            .map(|item| metric_values(done, item, m))
            .collect();
        let n = per_draw.iter().map(Vec::len).min().unwrap_or(0);
        (0..n)
            .map(|r| estimate(&per_draw.iter().map(|v| v[r]).collect::<Vec<_>>()).mean)
            .collect()
    }
}

/// A constant the draws leave uncertain cannot also be fixed, by `set` or by a policy: the
/// draws would silently override it.
fn check_uncertain_keys_are_not_set(
    base: &Base,
    robust: &Robust,
    policies: &[PolicyFile],
) -> Result<(), ScenarioError> {
    let places = std::iter::once("set".to_string())
        .chain((0..policies.len()).map(|i| format!("policies.{i}.set")));
    for at in places {
        for o in read_set(&base.source, &at)? {
            if let Some(key) = robust.keys.iter().find(|k| overlap(k, &o.key)) {
                return Err(base.source.error(
                    &format!("{at}.{key}"),
                    format!(
                        "`{key}` is uncertain: `{}` draws it, so `{}` cannot also be set here; \
                         remove it, or drop `[robust]`",
                        robust.origin(key).unwrap_or_default(),
                        o.key
                    ),
                    None,
                ));
            }
        }
    }
    Ok(())
}

/// One policy's results.
#[derive(Debug, Clone)]
pub struct PolicyResult {
    pub name: String,
    /// 1 for the best mean objective; None when the objective is undefined for this policy
    /// (e.g. `roi` of runs that spend nothing): it is not ranked.
    pub rank: Option<usize>,
    /// Share of replicates in which this policy had the best objective (ties shared).
    pub p_best: f64,
    pub replicates: usize,
    /// Per reported metric: the estimate and the paired difference to the first policy.
    pub metrics: Vec<(Estimate, Estimate)>,
}

/// What a comparison found.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub results: Vec<PolicyResult>,
    pub separation: Separation,
    /// The ranking over the draws, for a robust comparison.
    pub robust: Option<RobustRanking>,
    /// Per policy, where its members went against the first policy's.
    pub flows: Vec<flows::Flows>,
}

/// What `--until-separated` concluded.
#[derive(Debug, Clone, PartialEq)]
pub enum Separation {
    NotAsked,
    Separated {
        replicates: u32,
    },
    NotSeparated {
        replicates: u32,
    },
    /// Fewer than two policies have a defined objective after `replicates`: there is no
    /// runner-up to separate from, and more replicates would not make one.
    Unranked {
        replicates: u32,
    },
}

impl Comparison {
    fn better(&self, a: f64, b: f64) -> bool {
        match self.goal {
            Goal::Max => a > b,
            Goal::Min => a < b,
        }
    }

    /// Aggregates the runs: estimates, paired differences, ranks and P(best).
    pub fn analyse(&self, done: &BTreeMap<RunKey, RunRow>) -> Vec<PolicyResult> {
        let k = self.policies.len();
        let obj: Vec<Vec<f64>> = (0..k)
            .map(|p| self.values(done, p, self.objective))
            .collect();
        let n = obj.iter().map(Vec::len).min().unwrap_or(0);
        let mut wins = vec![0.0; k];
        // Replicates in which some policy's objective is defined: P(best) is a share of these.
        let mut contests = 0usize;
        for r in 0..n {
            let finite: Vec<usize> = (0..k).filter(|&p| obj[p][r].is_finite()).collect();
            let Some(&first) = finite.first() else {
                continue;
            };
            contests += 1;
            let best = finite.iter().fold(obj[first][r], |b, &p| {
                if self.better(obj[p][r], b) {
                    obj[p][r]
                } else {
                    b
                }
            });
            let winners: Vec<usize> = finite.into_iter().filter(|&p| obj[p][r] == best).collect();
            for &w in &winners {
                wins[w] += 1.0 / winners.len() as f64;
            }
        }
        let means: Vec<f64> = obj.iter().map(|v| estimate(v).mean).collect();
        // Only policies whose mean objective is defined are ranked.
        let mut order: Vec<usize> = (0..k).filter(|&p| means[p].is_finite()).collect();
        order.sort_by(|&a, &b| {
            let ord = means[a].total_cmp(&means[b]);
            match self.goal {
                Goal::Max => ord.reverse(),
                Goal::Min => ord,
            }
            .then(a.cmp(&b))
        });
        let mut rank = vec![None; k];
        for (i, &p) in order.iter().enumerate() {
            rank[p] = Some(i + 1);
        }
        (0..k)
            .map(|p| PolicyResult {
                name: self.policies[p].clone(),
                rank: rank[p],
                p_best: if contests == 0 {
                    f64::NAN
                } else {
                    wins[p] / contests as f64
                },
                replicates: n,
                metrics: self
                    .metrics
                    .iter()
                    .map(|&m| {
                        let v = self.values(done, p, m);
                        let first = self.values(done, 0, m);
                        (estimate(&v), paired_difference(&v, &first))
                    })
                    .collect(),
            })
            .collect()
    }

    /// Per policy, the paired differences of its members at the end and of their flows against
    /// the first policy (`flows`).
    pub fn flows(&self, done: &BTreeMap<RunKey, RunRow>) -> Vec<flows::Flows> {
        let rows = |p: usize| -> Vec<[f64; 4]> {
            let columns = flows::COLUMNS.map(|name| {
                let m = Metrics::NAMES.iter().position(|&n| n == name);
                self.values(done, p, m.expect("a summary column"))
            });
            let n = columns.iter().map(Vec::len).min().unwrap_or(0);
            (0..n).map(|r| columns.each_ref().map(|c| c[r])).collect()
        };
        let first = rows(0);
        (0..self.policies.len())
            .map(|p| flows::paired(&rows(p), &first))
            .collect()
    }

    /// The paired difference of the objective between the best policy and the runner-up.
    pub fn separation(
        &self,
        done: &BTreeMap<RunKey, RunRow>,
        results: &[PolicyResult],
    ) -> Option<Estimate> {
        let by_rank = |r: usize| results.iter().position(|p| p.rank == Some(r));
        let (best, second) = (by_rank(1)?, by_rank(2)?);
        Some(paired_difference(
            &self.values(done, best, self.objective),
            &self.values(done, second, self.objective),
        ))
    }

    /// Runs the comparison (adding replicates with `until_separated`) and writes `runs.csv` and
    /// `compare.csv` to `dir`.
    pub fn run(
        &self,
        folder: &crate::folder::ResultsFolder,
        options: crate::batch::Options,
        until_separated: bool,
    ) -> anyhow::Result<Outcome> {
        if until_separated && self.policies.len() < 2 {
            anyhow::bail!(
                "--until-separated separates the best policy from the runner-up: it needs at \
                 least two policies"
            );
        }
        let scenario = |p: usize| Ok(self.scenarios[p].clone());
        let batch = self.batch(folder.dir(), folder.staging(), &scenario, &options, None);
        let mut done = batch.open(options.resume)?;
        let mut replicates = self.replicates;
        let separation = loop {
            let keys = self.keys(replicates);
            let progress = Progress::new(keys.len() as u64, "runs");
            if options.announce {
                progress.announce();
            }
            batch.run(&keys, &mut done, &progress)?;
            progress.finish();
            if !until_separated {
                break Separation::NotAsked;
            }
            // A resumed run may hold later replicates already: judge on this round's only, as
            // a run never interrupted would.
            let round: BTreeMap<RunKey, RunRow> = done
                .iter()
                .filter(|(k, _)| k.replicate < replicates)
                .map(|(k, r)| (*k, r.clone()))
                .collect();
            let results = self.analyse(&round);
            if results.iter().filter(|r| r.rank.is_some()).count() < 2 {
                break Separation::Unranked { replicates };
            }
            let separated = self
                .separation(&round, &results)
                .is_some_and(|d| d.ci_low > 0.0 || d.ci_high < 0.0);
            if separated {
                break Separation::Separated { replicates };
            }
            if replicates >= self.max_replicates {
                break Separation::NotSeparated { replicates };
            }
            replicates = (replicates + self.replicates).min(self.max_replicates);
        };
        // A resumed run may hold more replicates than this one asked for: keep only these.
        done.retain(|k, _| k.replicate < replicates);
        let (results, robust) = self.finish(&batch, &done, folder.staging())?;
        Ok(Outcome {
            results,
            separation,
            robust,
            flows: self.flows(&done),
        })
    }

    /// The batch of this comparison's runs, recording in `.partial` or in task `part`'s part.
    pub(crate) fn batch<'a>(
        &'a self,
        dir: &Path,
        staging: &Path,
        scenario: &'a (dyn Fn(usize) -> anyhow::Result<Scenario> + Sync),
        options: &crate::batch::Options,
        part: Option<String>,
    ) -> Batch<'a> {
        Batch {
            dir: dir.to_path_buf(),
            staging: staging.to_path_buf(),
            scenario,
            max_bytes: self
                .scenarios
                .iter()
                .map(crate::memory::replicate_bytes)
                .max()
                .unwrap_or(0),
            lead: self.leads(),
            lead_header: "policy",
            extra: self.draw_columns(),
            extra_header: self.robust.as_ref().map_or_else(Vec::new, Robust::header),
            manifest: self.manifest(options.timeseries),
            keep_timeseries: options.timeseries,
            timeseries_extra: self.robust.is_some() as usize,
            budget: options.budget,
            part,
            timeseries_from: None,
        }
    }

    /// Every (item, replicate) run with `replicates` replicates, in key order.
    pub(crate) fn keys(&self, replicates: u32) -> Vec<RunKey> {
        (0..self.scenarios.len())
            .flat_map(|item| (0..replicates).map(move |replicate| RunKey { item, replicate }))
            .collect()
    }

    /// Writes the outputs of a complete set of runs into `staging`: runs.csv, compare.csv and,
    /// for a robust comparison, robust.csv.
    pub(crate) fn finish(
        &self,
        batch: &Batch,
        done: &BTreeMap<RunKey, RunRow>,
        staging: &Path,
    ) -> anyhow::Result<(Vec<PolicyResult>, Option<RobustRanking>)> {
        batch.finish(done)?;
        let results = self.analyse(done);
        crate::export::write_atomic(&staging.join("compare.csv"), &self.csv(&results)?)?;
        let robust = self.write_robust(done, staging)?;
        Ok((results, robust))
    }

    /// The fingerprint that identifies this comparison for `--resume`: every policy's resolved
    /// scenario, the replicates and the seed.
    fn manifest(&self, timeseries: bool) -> String {
        let mut m = Manifest::new("compare", &self.name);
        m.set("timeseries", timeseries);
        m.set("replicates", self.replicates as i64);
        m.set("max_replicates", self.max_replicates as i64);
        m.set("seed", self.seed.to_string());
        for (item, s) in self.scenarios.iter().enumerate() {
            let name = &self.policies[item / self.draws()];
            match self.robust {
                Some(_) => {
                    let d = item % self.draws();
                    m.set_toml(&format!("policy {name} draw {d}"), &s.to_toml())
                }
                None => m.set_toml(&format!("policy {name}"), &s.to_toml()),
            }
        }
        m.text()
    }
}
