//! Exposure and joining: how an outsider hears of the community (ads, word of mouth) and whether,
//! once it has, it joins.
//!
//! Joining is a threshold rule, as in Granovetter's and Watts's models: an exposed prospect joins
//! when the group's promise to its pulls, plus social proof, minus the felt price, reaches its
//! personal join threshold, and the share of members among its ties reaches its social threshold.
//! Heterogeneity of thresholds across agents plays the part of noise.

/// Perceived value of the group's offer: `sum_k pull_k * offer_k`.
pub fn promise(pulls: &[f32; 8], offer: &[f32; 8]) -> f32 {
    pulls.iter().zip(offer).map(|(p, o)| p * o).sum()
}

/// Social proof from `member_ties` ties already in: `weight * ln(1 + k)`, rising with diminishing
/// returns (Backstrom et al. 2006).
pub fn social_proof(weight: f32, member_ties: u32) -> f32 {
    weight * (member_ties as f32).ln_1p()
}

/// Probability that a member who meets an outsider recommends the group: word of mouth, raised
/// by a referral reward in proportion to the member's incentive sensitivity.
pub fn recommend_probability(
    word_of_mouth: f64,
    referral_reward: f64,
    referral_reference: f64,
    incentive_sensitivity: f64,
) -> f64 {
    let pull = referral_reward / (referral_reward + referral_reference);
    word_of_mouth + (1.0 - word_of_mouth) * incentive_sensitivity * pull
}

/// Whether an exposed prospect finds the community worth joining before any price: the promise
/// and social proof reach its join threshold, and enough of its ties are members. (It then
/// joins if the felt price does not stop it: [`joins`].)
pub fn wants(
    promise: f32,
    proof: f32,
    join_threshold: f32,
    member_share: f32,
    social_threshold: f32,
) -> bool {
    promise + proof >= join_threshold && member_share >= social_threshold
}

/// The join rule for an exposed prospect.
pub fn joins(
    promise: f32,
    proof: f32,
    felt_price: f32,
    join_threshold: f32,
    member_share: f32,
    social_threshold: f32,
) -> bool {
    promise + proof - felt_price >= join_threshold && member_share >= social_threshold
}

/// Felt effort of an application: a self-introduction to strangers, felt in proportion to the
/// applicant's shyness (`application_effort` is what a fully shy applicant feels). It screens
/// out the shy, who would mostly have lurked.
pub fn felt_effort(shyness: f32, application_effort: f32) -> f32 {
    shyness * application_effort
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promise_is_the_offer_weighted_by_pulls() {
        let mut pulls = [0.0; 8];
        pulls[7] = 0.8;
        pulls[3] = 0.5;
        let mut offer = [0.0; 8];
        offer[7] = 0.5;
        assert!((promise(&pulls, &offer) - 0.4).abs() < 1e-6);
    }

    #[test]
    fn social_proof_rises_with_diminishing_returns() {
        let s = |k| social_proof(0.1, k);
        assert_eq!(s(0), 0.0);
        assert!(s(1) > 0.0 && s(2) > s(1) && s(3) > s(2));
        assert!(s(2) - s(1) < s(1) - s(0) && s(3) - s(2) < s(2) - s(1));
    }

    #[test]
    fn referral_rewards_raise_recommendation_only_for_the_incentive_sensitive() {
        assert_eq!(recommend_probability(0.05, 0.0, 5.0, 1.0), 0.05);
        assert_eq!(recommend_probability(0.05, 5.0, 5.0, 0.0), 0.05);
        let p = recommend_probability(0.05, 5.0, 5.0, 1.0);
        assert!((p - (0.05 + 0.95 * 0.5)).abs() < 1e-12);
    }

    #[test]
    fn wanting_is_joining_without_a_price() {
        assert!(wants(0.3, 0.0, 0.3, 0.0, 0.0));
        assert!(wants(0.3, 0.0, 0.3, 0.0, 0.0) && !joins(0.3, 0.0, 0.1, 0.3, 0.0, 0.0));
        assert!(!wants(0.2, 0.0, 0.3, 0.0, 0.0));
        assert!(!wants(1.0, 0.0, 0.0, 0.17, 0.18));
        // Whoever joins wants to.
        for (p, f) in [(0.5, 0.1), (0.3, 0.0), (0.9, 0.5)] {
            if joins(p, 0.0, f, 0.3, 0.5, 0.2) {
                assert!(wants(p, 0.0, 0.3, 0.5, 0.2));
            }
        }
    }

    #[test]
    fn joining_needs_both_thresholds() {
        assert!(
            joins(0.3, 0.0, 0.0, 0.3, 0.0, 0.0),
            "reaching the threshold is enough"
        );
        assert!(
            !joins(0.3, 0.0, 0.1, 0.3, 0.0, 0.0),
            "a felt price can stop it"
        );
        assert!(
            joins(0.3, 0.1, 0.1, 0.3, 0.0, 0.0),
            "social proof can make up for the price"
        );
        assert!(
            !joins(1.0, 0.0, 0.0, 0.0, 0.17, 0.18),
            "too few members among ties"
        );
        assert!(joins(0.0, 0.0, 0.0, 0.0, 0.2, 0.18));
        assert!(
            joins(0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
            "zero thresholds: every exposure joins"
        );
    }

    #[test]
    fn an_application_costs_the_shy_more() {
        assert_eq!(felt_effort(0.0, 0.2), 0.0, "the bold feel no effort");
        assert!((felt_effort(1.0, 0.2) - 0.2).abs() < 1e-7);
        assert!(felt_effort(0.8, 0.2) > felt_effort(0.3, 0.2));
    }
}
