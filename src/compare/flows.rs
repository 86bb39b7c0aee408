//! Where the members went: a policy's difference in members at the end, against the first
//! policy, split into the flows that make it. Members at the end are the seed members plus the
//! joins less the quits and the kicks (docs/MODEL.md §7.1), so a lever that "loses members"
//! lost them by turning joiners away, by driving members out, or by kicking them (the kicked
//! are mostly advertisers the operator wanted gone). Said in the terminal after the ranking and
//! in the report (docs/MODEL.md §12.3).

/// The summary columns a run's members at the end are made of, in the order of [`Flows`].
pub const COLUMNS: [&str; 4] = ["final_members", "joined", "quits", "kicks"];

/// Mean paired differences (a policy less the first) of members at the end and of its flows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flows {
    pub members: f64,
    pub joined: f64,
    pub quits: f64,
    pub kicks: f64,
}

/// The mean paired differences of `policy` less `first`, each given as paired rows of
/// [`COLUMNS`]; NaN where no row pairs.
pub fn paired(policy: &[[f64; 4]], first: &[[f64; 4]]) -> Flows {
    let n = policy.len().min(first.len());
    let mean = |k: usize| {
        let sum: f64 = (0..n).map(|r| policy[r][k] - first[r][k]).sum();
        sum / n as f64
    };
    Flows {
        members: mean(0),
        joined: mean(1),
        quits: mean(2),
        kicks: mean(3),
    }
}

/// What made the difference, in an operator's words: the flow that accounts for most of it.
/// Members are `joined − quits − kicks` (seed members being the same under every policy), so
/// the three terms add up to the difference in members.
pub fn reason(f: &Flows) -> &'static str {
    if !f.members.is_finite() {
        return "";
    }
    let terms = [f.joined, -f.quits, -f.kicks];
    let (largest, _) = terms
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
        .expect("three terms");
    match (largest, terms[largest] >= 0.0) {
        (0, true) => "more joined",
        (0, false) => "fewer joined",
        (1, true) => "fewer quit",
        (1, false) => "more quit",
        (2, true) => "fewer were kicked",
        (2, false) => "more were kicked (the kicked are members too, mostly advertisers)",
        _ => unreachable!("three terms"),
    }
}

/// One line for `name` against `first`: the difference in members, its flows and the reason.
pub fn line(name: &str, f: &Flows) -> String {
    format!(
        "{name}: members {:+.0} = joined {:+.0}, quits {:+.0}, kicks {:+.0}: {}",
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
            "fee: members -40 = joined -45, quits -5, kicks +0: fewer joined"
        );
        // The terms add up to the difference in members.
        assert_eq!(f.joined - f.quits - f.kicks, f.members);
        assert_eq!(reason(&paired(&[], &first)), "");
    }
}
