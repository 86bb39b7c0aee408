//! Where the members went: a policy's difference in members at the end, against the first
//! policy, split into the flows that make it. Members at the end are the seed members plus the
//! joins less the quits and the kicks (docs/MODEL.md §7.1), so a lever that "loses members"
//! lost them by turning joiners away, by driving members out, or by kicking them (the kicked
//! are mostly advertisers the operator wanted gone), unless it changed the seed members
//! themselves. Said in the terminal after the ranking and in the report (docs/MODEL.md §12.3).

/// The summary columns a run's members at the end are made of.
pub const COLUMNS: [&str; 4] = ["final_members", "joined", "quits", "kicks"];

/// Mean paired differences (a policy less the first) of members at the end and of its flows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flows {
    pub members: f64,
    /// Seed members: what the members are beyond `joined − quits − kicks`.
    pub seeds: f64,
    pub joined: f64,
    pub quits: f64,
    pub kicks: f64,
}

/// The mean paired differences of `policy` less `first`, each given as paired rows of
/// [`COLUMNS`]; NaN where no row pairs.
pub fn paired(policy: &[[f64; 4]], first: &[[f64; 4]]) -> Flows {
    let n = policy.len().min(first.len());
    let mean = |f: &dyn Fn(&[f64; 4]) -> f64| {
        let sum: f64 = (0..n).map(|r| f(&policy[r]) - f(&first[r])).sum();
        sum / n as f64
    };
    Flows {
        members: mean(&|x| x[0]),
        seeds: mean(&|x| x[0] - x[1] + x[2] + x[3]),
        joined: mean(&|x| x[1]),
        quits: mean(&|x| x[2]),
        kicks: mean(&|x| x[3]),
    }
}

/// The terms that add up to the difference in members, each signed as it adds: seed members,
/// joins, quits (taken off) and kicks (taken off).
fn terms(f: &Flows) -> [f64; 4] {
    [f.seeds, f.joined, -f.quits, -f.kicks]
}

/// Below this a mean difference of a whole count is shown as none (it rounds to 0.0).
const NONE: f64 = 0.05;

/// What made the difference, in an operator's words: the flow that accounts for most of it;
/// empty where nothing pairs.
pub fn reason(f: &Flows) -> &'static str {
    if !f.members.is_finite() {
        return "";
    }
    let terms = terms(f);
    let (largest, size) = terms
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
        .expect("four terms");
    if size.abs() < NONE {
        return "no difference";
    }
    match (largest, *size > 0.0) {
        (0, true) => "more seed members",
        (0, false) => "fewer seed members",
        (1, true) => "more joined",
        (1, false) => "fewer joined",
        (2, true) => "fewer quit",
        (2, false) => "more quit",
        (3, true) => "fewer were kicked",
        (3, false) => "more were kicked (the kicked are members too, mostly advertisers)",
        _ => unreachable!("four terms"),
    }
}

/// One line for `name` against the first policy: the difference in members, its flows (seed
/// members only where they differ) and the reason. Means to one decimal: with fewer than ten
/// replicates the figures may add up only to within rounding.
pub fn line(name: &str, f: &Flows) -> String {
    let seeds = if f.seeds.abs() >= NONE {
        format!("seed members {:+.1}, ", f.seeds)
    } else {
        String::new()
    };
    format!(
        "{name}: members {:+.1} = {seeds}joined {:+.1}, quits {:+.1}, kicks {:+.1}: {}",
        f.members,
        f.joined,
        f.quits,
        f.kicks,
        reason(f)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flows_are_paired_means_and_the_reason_is_the_largest() {
        let first = [[100.0, 120.0, 15.0, 5.0], [90.0, 110.0, 15.0, 5.0]];
        // Kicking 30 more, all else equal up to a few quits: members fall because of the kicks.
        let kicking = [[72.0, 120.0, 13.0, 35.0], [62.0, 110.0, 13.0, 35.0]];
        let f = paired(&kicking, &first);
        assert_eq!(
            f,
            Flows {
                members: -28.0,
                seeds: 0.0,
                joined: 0.0,
                quits: -2.0,
                kicks: 30.0
            }
        );
        assert!(reason(&f).starts_with("more were kicked"), "{}", reason(&f));
        // A fee: fewer join, a few fewer quit.
        let fee = [[60.0, 75.0, 10.0, 5.0], [50.0, 65.0, 10.0, 5.0]];
        let f = paired(&fee, &first);
        assert_eq!(f.members, -40.0);
        assert_eq!(reason(&f), "fewer joined");
        assert_eq!(
            line("fee", &f),
            "fee: members -40.0 = joined -45.0, quits -5.0, kicks +0.0: fewer joined"
        );
        // The terms add up to the difference in members.
        assert_eq!(f.seeds + f.joined - f.quits - f.kicks, f.members);
        assert_eq!(reason(&paired(&[], &first)), "");
    }

    #[test]
    fn more_seed_members_are_a_term_of_their_own() {
        // 45 more founders and 42 more joins: members +87.
        let first = [[100.0, 120.0, 20.0, 5.0]];
        let more = [[187.0, 162.0, 20.0, 5.0]];
        let f = paired(&more, &first);
        assert_eq!((f.members, f.seeds, f.joined), (87.0, 45.0, 42.0));
        assert_eq!(
            line("more founders", &f),
            "more founders: members +87.0 = seed members +45.0, joined +42.0, quits +0.0, kicks \
             +0.0: more seed members"
        );
    }

    #[test]
    fn the_same_runs_make_no_difference() {
        let first = [[100.0, 120.0, 20.0, 5.0], [90.0, 110.0, 15.0, 10.0]];
        let f = paired(&first, &first);
        assert_eq!(reason(&f), "no difference");
        // Halves are shown as they are, not rounded to whole members.
        let half = [[101.0, 121.0, 20.0, 5.0], [90.0, 110.0, 15.0, 10.0]];
        assert!(line("half", &paired(&half, &first)).contains("members +0.5 = joined +0.5"));
    }
}
