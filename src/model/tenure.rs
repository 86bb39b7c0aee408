//! How membership ends or goes on: quitting when commitment stays low, the felt price of a fee,
//! the sunk cost that holds a paying member in during its period, and renewal at its end.

use super::logistic;
use crate::scenario::Weights;

/// Felt price of a fee: price sensitivity times the fee in units of `behavior.fee_reference`.
pub fn felt_fee(price_sensitivity: f32, fee: f32, fee_reference: f32) -> f32 {
    price_sensitivity * fee / fee_reference
}

/// The commitment below which a member may quit. While a paid period runs, quitting forfeits
/// the rest of it, which lowers the threshold by `sunk_cost * felt fee * share of period left`.
pub fn quit_threshold(w: &Weights, felt_fee: f32, period_left: f32) -> f32 {
    w.quit_threshold - w.sunk_cost * felt_fee * period_left
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
    fn nobody_quits_at_or_above_the_threshold_and_hazard_rises_with_shortfall() {
        let b = crate::model::default_weights();
        assert_eq!(quit_hazard(&b, 0.05, 0.05), 0.0);
        assert_eq!(quit_hazard(&b, 0.5, 0.05), 0.0);
        let small = quit_hazard(&b, 0.04, 0.05);
        let large = quit_hazard(&b, -0.2, 0.05);
        assert!(0.0 < small && small < large && large < 1.0);
    }

    #[test]
    fn a_running_paid_period_holds_members_in() {
        let b = crate::model::default_weights();
        let felt = felt_fee(0.5, 99.0, 100.0);
        assert!((felt - 0.495).abs() < 1e-6);
        assert!(quit_threshold(&b, felt, 1.0) < quit_threshold(&b, felt, 0.1));
        assert_eq!(quit_threshold(&b, felt, 0.0), b.quit_threshold);
        assert_eq!(quit_threshold(&b, 0.0, 1.0), b.quit_threshold);
    }

    #[test]
    fn renewal_rises_with_commitment_and_falls_with_price() {
        let b = crate::model::default_weights();
        assert!(renew_probability(&b, 0.3, 0.2) > renew_probability(&b, 0.1, 0.2));
        assert!(renew_probability(&b, 0.2, 0.5) < renew_probability(&b, 0.2, 0.1));
    }
}
