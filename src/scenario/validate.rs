//! The rules that tie keys together, which the per-key ranges of the declarations cannot
//! express: segment shares summing to 1, distinct segment names, networks that fit their size,
//! seed members that fit their groups, red envelopes that end after they start.
//!
//! Every key named here is checked, in a test, to be a declared key.

use super::file::{ScenarioFile, MAX_SIZE};
use super::NetworkKind;

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

/// Checks every cross-key rule; the first broken one is returned.
pub fn validate(s: &ScenarioFile) -> Check {
    segments(s)?;
    network(s)?;
    seed_members(s)?;
    if let Some(re) = &s.incentives.red_envelope {
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
    Ok(())
}

fn segments(s: &ScenarioFile) -> Check {
    let segments = &s.population.segments;
    let total: f64 = segments.iter().map(|g| g.share).sum();
    if (total - 1.0).abs() > 1e-6 {
        return fail(
            "population.segments",
            format!("segment shares must sum to 1, they sum to {total}"),
        );
    }
    for (i, g) in segments.iter().enumerate() {
        if segments[..i].iter().any(|h| h.name == g.name) {
            return fail(
                format!("population.segments.{i}.name"),
                format!(
                    "two segments are named `{}`: give each segment its own name",
                    super::keys::elide(&g.name, 40)
                ),
            );
        }
    }
    Ok(())
}

fn network(s: &ScenarioFile) -> Check {
    let p = &s.population;
    let n = &p.network;
    let size = p.size as f64;
    let key = "population.network.degree";
    let even_whole =
        n.degree >= 2.0 && n.degree.fract() == 0.0 && (n.degree as u64).is_multiple_of(2);
    match n.kind {
        NetworkKind::WellMixed => return Ok(()),
        NetworkKind::SmallWorld | NetworkKind::ScaleFree if !even_whole => {
            return fail(
                key,
                format!(
                    "a {} network needs an even whole degree ≥ 2, found {}",
                    n.kind.word(),
                    n.degree
                ),
            );
        }
        _ => {}
    }
    if n.degree > size - 1.0 {
        return fail(
            key,
            format!(
                "a degree of {} does not fit {} agents (at most size - 1 = {})",
                n.degree,
                p.size,
                p.size - 1
            ),
        );
    }
    if size * n.degree.max(1.0) >= u32::MAX as f64 {
        return fail(
            key,
            format!(
                "{} agents with degree {} make more ties than agora can index (2^32)",
                p.size, n.degree
            ),
        );
    }
    Ok(())
}

fn seed_members(s: &ScenarioFile) -> Check {
    let c = &s.community;
    let key = "community.seed_members";
    if c.seed_members > s.population.size {
        return fail(
            key,
            format!(
                "{} seed members do not fit a population of {}",
                c.seed_members, s.population.size
            ),
        );
    }
    if let Some(max) = c.max_groups {
        if c.seed_members > max.saturating_mul(c.group_cap) {
            return fail(
                key,
                format!(
                    "{} seed members do not fit {max} groups of {}",
                    c.seed_members, c.group_cap
                ),
            );
        }
    }
    debug_assert!(s.population.size <= MAX_SIZE);
    Ok(())
}

/// Levers that cannot act in this scenario: the run still goes, with a warning for each.
pub fn lint(s: &ScenarioFile) -> Vec<Invalid> {
    let mut out = Vec::new();
    let mut warn = |key: String, message: String| out.push(Invalid { key, message });
    let days = s.days;
    for (i, e) in s.events.iter().enumerate() {
        // Day 0 is never simulated: an event from day 0 first takes place on `every_days`.
        let first = if e.start_day == 0 {
            e.every_days
        } else {
            e.start_day
        };
        if first > days {
            warn(
                format!("events.{i}.start_day"),
                format!(
                    "this event first takes place on day {first}, after the run's last day                      ({days}): it never happens"
                ),
            );
        }
    }
    if let Some(re) = &s.incentives.red_envelope {
        if re.start_day > days {
            warn(
                "incentives.red_envelope.start_day".into(),
                format!(
                    "red envelopes start on day {}, after the run's last day ({days}): none is                      paid",
                    re.start_day
                ),
            );
        }
    }
    if s.entry.fee > 0.0 && s.entry.kind != super::EntryKind::Paid {
        warn(
            "entry.fee".into(),
            format!(
                "a fee is charged only when `entry.kind = \"paid\"`; entry here is `{}`, so                  nobody pays it",
                s.entry.kind.word()
            ),
        );
    }
    if let Some(b) = &s.incentives.badges {
        if let Some(&level) = b.levels.iter().find(|&&l| l > days) {
            warn(
                "incentives.badges.levels".into(),
                format!(
                    "the badge at {level} posts cannot be reached: a member posts at most once a                      day, and the run has {days} days"
                ),
            );
        }
    }
    let floor = s.community.alive_floor.members;
    if floor + s.community.seed_members > s.population.size {
        warn(
            "community.alive_floor.members".into(),
            format!(
                "the alive floor of {floor} members is above the population ({}): no run can                  end alive",
                s.population.size
            ),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::scenario::keys::{flatten, Table};
    use crate::scenario::schema::generic_path;

    #[test]
    fn every_key_a_rule_names_is_declared() {
        let src = include_str!("validate.rs")
            .split("#[cfg(test)]")
            .next()
            .unwrap_or_default();
        let declared: Vec<String> = flatten(<crate::scenario::file::ScenarioFile as Table>::KEYS)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        let mut named = 0;
        for piece in src.split('"').skip(1).step_by(2) {
            let looks_like_key = piece.contains('.')
                && piece.chars().all(|c| {
                    c.is_ascii_lowercase() || c == '_' || c == '.' || c == '{' || c == '}'
                });
            if looks_like_key {
                let key = generic_path(&piece.replace("{i}", "0"));
                assert!(declared.contains(&key), "`{piece}` is not a declared key");
                named += 1;
            }
        }
        assert!(named >= 4, "found only {named} keys");
    }
}
