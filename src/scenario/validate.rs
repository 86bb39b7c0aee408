//! The rules that tie keys together, which the per-key ranges of the declarations cannot
//! express: segment shares summing to 1, distinct segment names, networks that fit their size,
//! seed members that fit their groups, red envelopes that end after they start.
//!
//! Every key named here is checked, in a test, to be a declared key.

use super::file::{Founders, ScenarioFile, MAX_SIZE};
use super::{EventKind, NetworkKind};

/// A rule broken by a scenario: the dotted key and what is wrong with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub key: String,
    pub message: String,
    /// Other keys the rule ties `key` to: a `--set` of any of them may be what broke it.
    pub involved: Vec<&'static str>,
}

type Check = Result<(), Invalid>;

fn fail(key: impl Into<String>, message: impl Into<String>) -> Check {
    fail_involving(key, &[], message)
}

/// A broken rule that ties `key` to the `involved` keys.
fn fail_involving(
    key: impl Into<String>,
    involved: &[&'static str],
    message: impl Into<String>,
) -> Check {
    Err(Invalid {
        key: key.into(),
        message: message.into(),
        involved: involved.to_vec(),
    })
}

/// Checks every cross-key rule; the first broken one is returned. `written` says whether the
/// file (or an override) writes a key.
pub fn validate(s: &ScenarioFile, written: &dyn Fn(&str) -> bool) -> Check {
    events(s, written)?;
    segments(s)?;
    network(s)?;
    seed_members(s)?;
    core(s)?;
    overtime(s)?;
    if let Some(re) = &s.incentives.red_envelope {
        if re.end_day < re.start_day {
            return fail_involving(
                "incentives.red_envelope.end_day",
                &["incentives.red_envelope.start_day"],
                format!(
                    "ends (day {}) before it starts (day {})",
                    re.end_day, re.start_day
                ),
            );
        }
    }
    Ok(())
}

/// The fields of an event that only some kinds read, and the kinds that read them.
const KIND_FIELDS: [(&str, &[EventKind]); 5] = [
    ("events.N.boost", &[EventKind::Topic, EventKind::Activity]),
    ("events.N.value", &[EventKind::Guest, EventKind::Offline]),
    ("events.N.conversion", &[EventKind::Promotion]),
    ("events.N.capacity", &[EventKind::Offline]),
    ("events.N.persistence_days", &[EventKind::Offline]),
];

/// The fields every kind of event reads.
const EVENT_FIELDS: [&str; 5] = [
    "events.N.kind",
    "events.N.every_days",
    "events.N.start_day",
    "events.N.cost",
    "events.N.prize",
];

/// An event says what it is: a field its kind does not read is refused (a stray `[[events]]`
/// line once turned a meetup's seats and cost into a weekly topic night's), and so is an event
/// with nothing written.
fn events(s: &ScenarioFile, written: &dyn Fn(&str) -> bool) -> Check {
    for (i, e) in s.events.iter().enumerate() {
        // `events.N.cost` of event i is `events.{i}.cost`.
        let at = |field: &str| field.replacen('N', &i.to_string(), 1);
        let event = format!("events.{i}");
        if !written(&event) {
            continue;
        }
        let nothing = EVENT_FIELDS
            .iter()
            .chain(KIND_FIELDS.iter().map(|(f, _)| f))
            .all(|f| !written(&at(f)));
        if nothing {
            return fail(
                event,
                "an event with nothing written: give at least its `kind`",
            );
        }
        for (field, kinds) in KIND_FIELDS {
            if written(&at(field)) && !kinds.contains(&e.kind) {
                let names: Vec<String> = kinds.iter().map(|k| format!("`{}`", k.word())).collect();
                let name = field.trim_start_matches("events.N.");
                let unwritten = if written(&at("events.N.kind")) {
                    ""
                } else {
                    " (no `kind` written: a topic night)"
                };
                return fail(
                    at(field),
                    format!(
                        "`{name}` is read by {} events only, and this event is `{}`{unwritten}",
                        names.join(" and "),
                        e.kind.word(),
                    ),
                );
            }
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
        if let Some(j) = segments[..i].iter().position(|h| h.name == g.name) {
            return fail_involving(
                format!("population.segments.{i}.name"),
                &["population.segments"],
                format!(
                    "segments {j} and {i} are both named `{}`: give each segment its own name",
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
    let involved = &["population.size", "population.network.kind"];
    let even_whole =
        n.degree >= 2.0 && n.degree.fract() == 0.0 && (n.degree as u64).is_multiple_of(2);
    match n.kind {
        NetworkKind::WellMixed => return Ok(()),
        NetworkKind::SmallWorld | NetworkKind::ScaleFree if !even_whole => {
            return fail_involving(
                key,
                involved,
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
        return fail_involving(
            key,
            involved,
            format!(
                "a degree of {} does not fit {} agents (at most size - 1 = {})",
                n.degree,
                p.size,
                p.size - 1
            ),
        );
    }
    if size * n.degree.max(1.0) >= u32::MAX as f64 {
        return fail_involving(
            key,
            involved,
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
        return fail_involving(
            key,
            &["population.size"],
            format!(
                "{} seed members do not fit a population of {}",
                c.seed_members, s.population.size
            ),
        );
    }
    if let Some(max) = c.max_groups {
        if c.seed_members > max.saturating_mul(c.group_cap) {
            return fail_involving(
                key,
                &["community.max_groups", "community.group_cap"],
                format!(
                    "{} seed members do not fit {max} groups of {}",
                    c.seed_members, c.group_cap
                ),
            );
        }
    }
    debug_assert!(s.population.size <= MAX_SIZE);
    founders(s)
}

/// Founders pulled in through the owner's ties need ties, and founders.
fn founders(s: &ScenarioFile) -> Check {
    let c = &s.community;
    if c.founders != Founders::OwnerTies {
        return Ok(());
    }
    let key = "community.founders";
    if c.seed_members == 0 {
        return fail_involving(
            key,
            &["community.seed_members"],
            "founders from the owner's ties, but no seed members to pull in",
        );
    }
    if s.population.network.kind == NetworkKind::WellMixed {
        return fail_involving(
            key,
            &["population.network"],
            "founders from the owner's ties need a network: a well-mixed population has no ties",
        );
    }
    Ok(())
}

/// A core group holds every seed member in one group and leaves room for joiners elsewhere;
/// clones can seat only seed members there are, and must keep a place for joiners.
fn core(s: &ScenarioFile) -> Check {
    let c = &s.community;
    if c.core {
        let key = "community.core";
        if c.seed_members == 0 {
            return fail_involving(
                key,
                &["community.seed_members"],
                "a core group needs seed members to form it",
            );
        }
        if c.seed_members > c.group_cap {
            return fail_involving(
                key,
                &["community.seed_members", "community.group_cap"],
                format!(
                    "the core group of {} seed members does not fit one group of {}",
                    c.seed_members, c.group_cap
                ),
            );
        }
        if c.max_groups == Some(1) {
            return fail_involving(
                key,
                &["community.max_groups"],
                "with a core group, `max_groups` must allow at least one group for joiners (2 \
                 or more)",
            );
        }
    }
    // The owner (admins = 1, the default) of a community without seed members runs it from
    // outside, as the team; more admins than seed members is a mistake.
    if c.admins > c.seed_members.max(1) {
        return fail_involving(
            "community.admins",
            &["community.seed_members"],
            format!(
                "{} admins among the seed members, but only {} seed members",
                c.admins, c.seed_members
            ),
        );
    }
    // Duties need someone to carry them.
    if c.admin_reviews > 0 && c.admins.min(c.seed_members) == 0 {
        return fail_involving(
            "community.admin_reviews",
            &["community.admins", "community.seed_members"],
            "admins' duties, but no admin among the seed members to carry them",
        );
    }
    let key = "community.clone_seeds";
    if c.clone_seeds > c.seed_members {
        return fail_involving(
            key,
            &["community.seed_members"],
            format!(
                "{} seats for seed members in each new group, but only {} seed members",
                c.clone_seeds, c.seed_members
            ),
        );
    }
    if c.clone_seeds >= c.group_cap {
        return fail_involving(
            key,
            &["community.group_cap"],
            format!(
                "{} seed members in each new group of {} leave no place for joiners",
                c.clone_seeds, c.group_cap
            ),
        );
    }
    Ok(())
}

/// Overtime is time past a budget, and a team that works it must be able to burn out.
fn overtime(s: &ScenarioFile) -> Check {
    let t = &s.team;
    if t.overtime_minutes > 0.0 {
        if t.minutes_per_day.unwrap_or(0) == 0 {
            return fail_involving(
                "team.overtime_minutes",
                &["team.minutes_per_day"],
                "overtime is time past the team's daily budget, and `team.minutes_per_day` sets \
                 none",
            );
        }
        if t.burnout_after.is_none() {
            return fail_involving(
                "team.overtime_minutes",
                &["team.burnout_after"],
                "say how much overtime your team takes before it burns out \
                 (`team.burnout_after`, minutes over `recovery_days` days)",
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::scenario::keys::{flatten, Table};
    use crate::scenario::schema::generic_path;

    #[test]
    fn every_key_a_rule_names_is_declared() {
        let rules = include_str!("validate.rs")
            .split("#[cfg(test)]")
            .next()
            .unwrap_or_default();
        let src = format!("{rules}{}", include_str!("lint.rs"));
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
                // An item of a declared list (`events.N`) is declared with it.
                let item_of_list = key
                    .strip_suffix(".N")
                    .is_some_and(|list| declared.iter().any(|d| d == list));
                assert!(
                    declared.contains(&key) || item_of_list,
                    "`{piece}` is not a declared key"
                );
                named += 1;
            }
        }
        assert!(named >= 4, "found only {named} keys");
    }
}
