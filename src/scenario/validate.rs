//! The ranges and cross-field rules that types cannot express: probabilities in [0, 1], no
//! negative sizes, fees or costs, segment shares summing to 1, networks that fit their size,
//! events that recur, and populations that fit in this machine's memory.

use super::{EventKind, NetworkKind, Scenario, NEED_NAMES};

/// A rule broken by a scenario: the dotted key and what is wrong with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub key: String,
    pub message: String,
}

type Check = Result<(), Invalid>;

fn fail(key: impl Into<String>, message: impl Into<String>) -> Check {
    Err(Invalid {
        key: key.into(),
        message: message.into(),
    })
}

fn finite(key: &str, v: f64) -> Check {
    if v.is_finite() {
        Ok(())
    } else {
        fail(key, format!("expected a finite number, found {v}"))
    }
}

fn probability(key: &str, v: f64) -> Check {
    if (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        fail(key, format!("expected a probability in [0, 1], found {v}"))
    }
}

fn non_negative(key: &str, v: f64) -> Check {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        fail(key, format!("expected a number ≥ 0, found {v}"))
    }
}

fn positive(key: &str, v: f64) -> Check {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        fail(key, format!("expected a number > 0, found {v}"))
    }
}

/// Longest run agora accepts: post counts are kept in 16 bits, one post a day at most.
pub const MAX_DAYS: u32 = 36_500;
/// Largest population: agents are numbered with 32 bits.
pub const MAX_SIZE: u64 = u32::MAX as u64 - 1;

/// What is wrong with `name` as the name of a results folder (`results/<name>/`), if anything.
/// Scenarios, sweeps and comparisons all name their folder this way.
pub fn results_name_problem(name: &str) -> Option<String> {
    if name.trim().is_empty() {
        Some("expected a non-empty name".to_string())
    } else if name.contains(['/', '\\']) || name == "." || name == ".." {
        Some(format!(
            "`{name}` names a results folder, so it cannot contain `/` or be `.`/`..`"
        ))
    } else {
        None
    }
}

/// Checks every rule; the first broken one is returned.
pub fn validate(s: &Scenario) -> Check {
    if let Some(problem) = results_name_problem(&s.name) {
        return fail("name", problem);
    }
    if s.days == 0 || s.days > MAX_DAYS {
        return fail(
            "days",
            format!("expected 1 to {MAX_DAYS} days, found {}", s.days),
        );
    }
    if s.replicates == 0 {
        return fail("replicates", "expected at least 1 replicate, found 0");
    }
    population(s)?;
    community(s)?;
    entry_rules_incentives(s)?;
    events(s)?;
    let a = &s.acquisition;
    probability("acquisition.ad_reach", a.ad_reach)?;
    non_negative("acquisition.cost_per_exposure", a.cost_per_exposure)?;
    probability("acquisition.word_of_mouth", a.word_of_mouth)?;
    finite("acquisition.advocacy_threshold", a.advocacy_threshold)?;
    behavior(s)?;
    let m = &s.monetization;
    probability("monetization.purchase_rate", m.purchase_rate)?;
    non_negative("monetization.price", m.price)?;
    probability("monetization.margin", m.margin)?;
    finite("monetization.commitment_floor", m.commitment_floor)?;
    memory(s)
}

fn population(s: &Scenario) -> Check {
    let p = &s.population;
    if p.size == 0 {
        return fail(
            "population.size",
            "the population is empty: expected at least 1 agent",
        );
    }
    if p.size > MAX_SIZE {
        return fail(
            "population.size",
            format!("expected at most {MAX_SIZE} agents, found {}", p.size),
        );
    }
    if p.segments.is_empty() {
        return fail("population.segments", "expected at least one segment");
    }
    if p.segments.len() > 255 {
        return fail("population.segments", "expected at most 255 segments");
    }
    let mut total = 0.0;
    for (i, seg) in p.segments.iter().enumerate() {
        let k = |f: &str| format!("population.segments.{i}.{f}");
        probability(&k("share"), seg.share)?;
        total += seg.share;
        for (name, v) in NEED_NAMES.iter().zip(seg.needs.to_array()) {
            probability(&k(&format!("needs.{name}")), v)?;
        }
        probability(&k("spread"), seg.spread)?;
        probability(&k("shyness"), seg.shyness)?;
        probability(&k("price_sensitivity"), seg.price_sensitivity)?;
        probability(&k("incentive_sensitivity"), seg.incentive_sensitivity)?;
        probability(&k("trait_spread"), seg.trait_spread)?;
        probability(&k("advertiser_share"), seg.advertiser_share)?;
        non_negative(&k("ad_aversion"), seg.ad_aversion)?;
        finite(&k("join_threshold.mean"), seg.join_threshold.mean)?;
        non_negative(&k("join_threshold.sd"), seg.join_threshold.sd)?;
        finite(&k("social_threshold.mean"), seg.social_threshold.mean)?;
        non_negative(&k("social_threshold.sd"), seg.social_threshold.sd)?;
    }
    if (total - 1.0).abs() > 1e-6 {
        return fail(
            "population.segments",
            format!("segment shares must sum to 1, they sum to {total}"),
        );
    }
    let n = p.network;
    probability("population.network.rewire", n.rewire)?;
    non_negative("population.network.degree", n.degree)?;
    let size = p.size as f64;
    let even_integer = n.degree >= 2.0 && n.degree.fract() == 0.0 && (n.degree as u64) % 2 == 0;
    match n.kind {
        NetworkKind::WellMixed => {}
        NetworkKind::ErdosRenyi => {
            if n.degree > size - 1.0 {
                return fail(
                    "population.network.degree",
                    format!(
                        "a mean degree of {} does not fit {} agents (at most size - 1 = {})",
                        n.degree,
                        p.size,
                        p.size - 1
                    ),
                );
            }
        }
        NetworkKind::SmallWorld | NetworkKind::ScaleFree => {
            if !even_integer {
                return fail(
                    "population.network.degree",
                    format!(
                        "a {} network needs an even whole degree ≥ 2, found {}",
                        if n.kind == NetworkKind::SmallWorld {
                            "small-world"
                        } else {
                            "scale-free"
                        },
                        n.degree
                    ),
                );
            }
            if n.degree > size - 1.0 {
                return fail(
                    "population.network.degree",
                    format!(
                        "a degree of {} does not fit {} agents (at most size - 1 = {})",
                        n.degree,
                        p.size,
                        p.size.saturating_sub(1)
                    ),
                );
            }
        }
    }
    if n.kind != NetworkKind::WellMixed && size * n.degree.max(1.0) >= u32::MAX as f64 {
        return fail(
            "population.network.degree",
            format!(
                "{} agents with degree {} make more ties than agora can index (2^32)",
                p.size, n.degree
            ),
        );
    }
    Ok(())
}

fn community(s: &Scenario) -> Check {
    let c = &s.community;
    for (name, v) in NEED_NAMES.iter().zip(c.offer.to_array()) {
        probability(&format!("community.offer.{name}"), v)?;
    }
    non_negative("community.prepotency", c.prepotency)?;
    finite("community.seed_commitment", c.seed_commitment)?;
    if c.group_cap == 0 {
        return fail(
            "community.group_cap",
            "a group holds at least 1 member, found 0",
        );
    }
    if c.max_groups == Some(0) {
        return fail(
            "community.max_groups",
            "expected at least 1 group (leave it out for no limit)",
        );
    }
    if c.seed_members > s.population.size {
        return fail(
            "community.seed_members",
            format!(
                "{} seed members do not fit a population of {}",
                c.seed_members, s.population.size
            ),
        );
    }
    if let Some(max) = c.max_groups {
        if c.seed_members > max.saturating_mul(c.group_cap) {
            return fail(
                "community.seed_members",
                format!(
                    "{} seed members do not fit {max} groups of {}",
                    c.seed_members, c.group_cap
                ),
            );
        }
    }
    positive("community.half_saturation", c.half_saturation)?;
    positive("community.half_audience", c.half_audience)?;
    positive("community.attention", c.attention)?;
    non_negative(
        "community.alive_floor.posts_per_day",
        c.alive_floor.posts_per_day,
    )
}

fn entry_rules_incentives(s: &Scenario) -> Check {
    let e = &s.entry;
    non_negative("entry.fee", e.fee)?;
    if e.period_days == 0 {
        return fail(
            "entry.period_days",
            "a paid period lasts at least 1 day, found 0",
        );
    }
    probability("entry.review_accuracy", e.review_accuracy)?;
    non_negative("entry.application_effort", e.application_effort)?;
    let r = &s.rules;
    non_negative("rules.daily_cost", r.daily_cost)?;
    non_negative("rules.service_value", r.service_value)?;
    let i = &s.incentives;
    if let Some(re) = &i.red_envelope {
        non_negative("incentives.red_envelope.per_post", re.per_post)?;
        non_negative("incentives.red_envelope.daily_budget", re.daily_budget)?;
        if re.end_day < re.start_day {
            return fail(
                "incentives.red_envelope.end_day",
                format!(
                    "ends (day {}) before it starts (day {})",
                    re.end_day, re.start_day
                ),
            );
        }
    }
    if let Some(b) = &i.badges {
        if b.levels.is_empty() || b.levels[0] == 0 || b.levels.windows(2).any(|w| w[0] >= w[1]) {
            return fail(
                "incentives.badges.levels",
                "expected post counts ≥ 1 in strictly increasing order, e.g. [5, 20, 100]",
            );
        }
        non_negative("incentives.badges.esteem", b.esteem)?;
    }
    non_negative("incentives.referral_reward", i.referral_reward)?;
    probability("incentives.crowding_out", i.crowding_out)
}

fn events(s: &Scenario) -> Check {
    for (i, e) in s.events.iter().enumerate() {
        let k = |f: &str| format!("events.{i}.{f}");
        if e.every_days == 0 {
            return fail(
                k("every_days"),
                "an event recurs every 1 day or more, found 0",
            );
        }
        non_negative(&k("cost"), e.cost)?;
        finite(&k("boost"), e.boost)?;
        non_negative(&k("value"), e.value)?;
        if e.kind == EventKind::Offline {
            positive(&k("persistence_days"), e.persistence_days)?;
        }
    }
    Ok(())
}

fn behavior(s: &Scenario) -> Check {
    let b = &s.behavior;
    if !(b.memory > 0.0 && b.memory <= 1.0) {
        return fail(
            "behavior.memory",
            format!("expected a weight in (0, 1], found {}", b.memory),
        );
    }
    let weights = [
        ("quit_threshold", b.quit_threshold),
        ("quit_base", b.quit_base),
        ("quit_shortfall", b.quit_shortfall),
        ("visit_base", b.visit_base),
        ("visit_commitment", b.visit_commitment),
        ("post_base", b.post_base),
        ("post_esteem", b.post_esteem),
        ("post_belonging", b.post_belonging),
        ("post_reply", b.post_reply),
        ("post_shyness", b.post_shyness),
        ("post_reward", b.post_reward),
        ("post_badge", b.post_badge),
        ("post_seed", b.post_seed),
        ("ad_base", b.ad_base),
        ("ad_turn_base", b.ad_turn_base),
        ("ad_turn_promotion", b.ad_turn_promotion),
        ("renew_base", b.renew_base),
        ("renew_commitment", b.renew_commitment),
        ("renew_price", b.renew_price),
    ];
    for (name, v) in weights {
        finite(&format!("behavior.{name}"), v)?;
    }
    for (name, v) in [
        ("reply_value", b.reply_value),
        ("audience_value", b.audience_value),
        ("overload_cost", b.overload_cost),
        ("social_proof", b.social_proof),
        ("sunk_cost", b.sunk_cost),
    ] {
        non_negative(&format!("behavior.{name}"), v)?;
    }
    for (name, v) in [
        ("ad_half_load", b.ad_half_load),
        ("fee_reference", b.fee_reference),
        ("reward_reference", b.reward_reference),
        ("referral_reference", b.referral_reference),
    ] {
        positive(&format!("behavior.{name}"), v)?;
    }
    Ok(())
}

/// Refuses populations whose state would not fit in the memory this machine has free.
fn memory(s: &Scenario) -> Check {
    let need = crate::population::estimated_bytes(s);
    let Some(available) = available_memory() else {
        return Ok(());
    };
    if need > available {
        return fail(
            "population.size",
            format!(
                "{} agents need about {:.1} GiB for one replicate ({} bytes an agent with this \
                 network), but this machine has {:.1} GiB available",
                s.population.size,
                need as f64 / (1u64 << 30) as f64,
                need / s.population.size.max(1),
                available as f64 / (1u64 << 30) as f64
            ),
        );
    }
    Ok(())
}

/// Memory the system reports as available to new allocations, in bytes (Linux), if known.
pub fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
