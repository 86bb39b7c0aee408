//! How membership ends or goes on: quitting when commitment stays low (less readily when
//! friends are members), the felt price of a fee, the fading hold of a recent payment, and
//! renewal at the end of a paid period.

use super::logistic;
use crate::scenario::Weights;

/// Felt price of a fee: price sensitivity times the fee in units of `behavior.fee_reference`.
pub fn felt_fee(price_sensitivity: f32, fee: f32, fee_reference: f32) -> f32 {
    price_sensitivity * fee / fee_reference
}

/// What is left of a payment's hold `days_since_payment` after it: the felt fee, faded by e
/// every `sunk_cost_days` (payment depreciation, Gourville and Soman 1998; Arkes and Blumer
/// 1985). It raises attendance (`activity::visit_probability`).
pub fn recent_payment(w: &Weights, felt_fee: f32, days_since_payment: f32) -> f32 {
    felt_fee * (-days_since_payment / w.sunk_cost_days).exp()
}

/// The commitment below which a member may quit, lowered by the friends it has in the
/// community, concave in their number (`friend_hold * ln(1 + friends)`: the tie that draws a
/// prospect in holds a member; Backstrom et al. 2006 for joining), and by a recent payment
/// (`sunk_cost * recent_payment`: quitting forfeits what was paid, less as it recedes).
pub fn quit_threshold(w: &Weights, member_friends: u32, recent_payment: f32) -> f32 {
    w.quit_threshold
        - w.friend_hold * (member_friends as f32).ln_1p()
        - w.sunk_cost * recent_payment
}

/// A member's bond with the group after a visit (customer, then fan, then friend): what was
/// left of it `days_since` the last visit, fading by e every `bond_days`, grown by the replies
/// to yesterday's post (in [0, 1]), each full day of replies closing `bond_gain` of the gap to a
/// full bond. Replies build it; silence lets it fade.
pub fn bond_after(w: &Weights, bond: f32, days_since: f32, replies: f32) -> f32 {
    let kept = bond * (-days_since / w.bond_days).exp();
    (kept + w.bond_gain * replies * (1.0 - kept)).clamp(0.0, 1.0)
}

/// Daily hazard of quitting: 0 unless commitment is strictly below the threshold, then
/// `logistic(quit_base + quit_shortfall * (threshold - commitment))`.
pub fn quit_hazard(w: &Weights, commitment: f32, threshold: f32) -> f32 {
    if commitment < threshold {
        logistic(w.quit_base + w.quit_shortfall * (threshold - commitment))
    } else {
        0.0
    }
}

/// Probability of renewing a paid membership at the end of a period.
pub fn renew_probability(w: &Weights, commitment: f32, felt_fee: f32) -> f32 {
    logistic(w.renew_base + w.renew_commitment * commitment - w.renew_price * felt_fee)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_grow_a_bond_with_diminishing_returns_and_silence_lets_it_fade() {
        // The default gain is 0 (bonds off); any gain in (0, 1) shows the shape.
        let w = Weights {
            bond_gain: 0.2,
            ..crate::model::default_weights()
        };
        assert_eq!(bond_after(&w, 0.0, 1.0, 0.0), 0.0, "no replies, no bond");
        let once = bond_after(&w, 0.0, 1.0, 1.0);
        assert!((once - w.bond_gain).abs() < 1e-6);
        let twice = bond_after(&w, once, 1.0, 1.0);
        assert!(
            twice > once && twice - once < once,
            "grows, each reply adding less"
        );
        let mut b = 0.0;
        for _ in 0..1000 {
            b = bond_after(&w, b, 1.0, 1.0);
        }
        assert!(b <= 1.0 && b > 0.9, "bounded by a full bond: {b}");
        let faded = bond_after(&w, 0.5, w.bond_days, 0.0);
        assert!(
            (faded - 0.5 / std::f32::consts::E).abs() < 1e-6,
            "fades by e a bond_days"
        );
    }

    #[test]
    fn nobody_quits_at_or_above_the_threshold_and_hazard_rises_with_shortfall() {
        let b = crate::model::default_weights();
        assert_eq!(quit_hazard(&b, 0.05, 0.05), 0.0);
        assert_eq!(quit_hazard(&b, 0.5, 0.05), 0.0);
        let small = quit_hazard(&b, 0.04, 0.05);
        let large = quit_hazard(&b, -0.2, 0.05);
        assert!(0.0 < small && small < large && large < 1.0);
    }

    #[test]
    fn a_payment_holds_less_as_it_recedes_and_friends_hold_members_in() {
        let b = crate::model::default_weights();
        let felt = felt_fee(0.5, 99.0, 100.0);
        assert!((felt - 0.495).abs() < 1e-6);
        let hold = |d| recent_payment(&b, felt, d);
        assert!(hold(0.0) > hold(60.0) && hold(60.0) > hold(180.0));
        assert!((hold(b.sunk_cost_days) / hold(0.0) - (-1.0f32).exp()).abs() < 1e-5);
        assert_eq!(quit_threshold(&b, 0, 0.0), b.quit_threshold);
        assert!(quit_threshold(&b, 3, 0.0) < quit_threshold(&b, 1, 0.0));
        assert!(quit_threshold(&b, 0, hold(0.0)) < quit_threshold(&b, 0, hold(90.0)));
        let step = |k| quit_threshold(&b, k, 0.0) - quit_threshold(&b, k + 1, 0.0);
        assert!(step(0) > step(1) && step(1) > step(4), "concave in friends");
    }

    #[test]
    fn renewal_rises_with_commitment_and_falls_with_price() {
        let b = crate::model::default_weights();
        assert!(renew_probability(&b, 0.3, 0.2) > renew_probability(&b, 0.1, 0.2));
        assert!(renew_probability(&b, 0.2, 0.5) < renew_probability(&b, 0.2, 0.1));
    }
}
