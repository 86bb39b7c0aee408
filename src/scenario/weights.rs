//! The weights and constants of the members' decision rules, as the rules compute in them: the
//! `[behavior]` table and the few keys of other tables that the rules weigh with it.

use super::file::ScenarioFile;

/// The weights of the decision rules (see `docs/MODEL.md`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    pub memory: f32,
    pub quit_threshold: f32,
    pub grace_days: u32,
    pub quit_base: f32,
    pub quit_shortfall: f32,
    pub visit_base: f32,
    pub visit_commitment: f32,
    pub post_base: f32,
    pub post_esteem: f32,
    pub post_belonging: f32,
    pub post_reply: f32,
    pub post_shyness: f32,
    pub post_reward: f32,
    pub post_badge: f32,
    pub post_seed: f32,
    pub nudge_response: f32,
    pub ad_base: f32,
    pub ad_turn_base: f32,
    pub ad_turn_promotion: f32,
    pub social_proof: f32,
    pub fee_reference: f32,
    pub reward_reference: f32,
    pub referral_reference: f64,
    pub sunk_cost: f32,
    pub sunk_cost_days: f32,
    pub novelty: f32,
    pub novelty_days: f32,
    /// Daily probability that an engaged member's interest lapses, at commitment 0.
    pub lapse_rate: f32,
    /// Weight of commitment against lapsing.
    pub lapse_commitment: f32,
    /// Daily probability that a dormant member's need recurs.
    pub episode_rate: f64,
    pub friend_hold: f32,
    pub post_question: f32,
    /// Share of the gap to a full bond closed by a day of full replies.
    pub bond_gain: f32,
    /// Days over which a bond fades by e.
    pub bond_days: f32,
    pub peer_answer: f32,
    pub unanswered_cost: f32,
    pub warning_effect: f32,
    pub kick_deterrence: f32,
    pub deterrence_days: u32,
    /// Days over which the seed members' posting zeal fades by e.
    pub seed_fatigue_days: f32,
    /// Least chance that a writer answered within the day writes back (`community.answer_back`).
    pub answer_back: f32,
    pub renew_base: f32,
    pub renew_commitment: f32,
    pub renew_price: f32,
}

pub(super) fn weights(s: &ScenarioFile) -> Weights {
    let b = &s.behavior;
    Weights {
        memory: b.memory as f32,
        quit_threshold: b.quit_threshold as f32,
        grace_days: b.grace_days,
        quit_base: b.quit_base as f32,
        quit_shortfall: b.quit_shortfall as f32,
        visit_base: b.visit_base as f32,
        visit_commitment: b.visit_commitment as f32,
        post_base: b.post_base as f32,
        post_esteem: b.post_esteem as f32,
        post_belonging: b.post_belonging as f32,
        post_reply: b.post_reply as f32,
        post_shyness: b.post_shyness as f32,
        post_reward: b.post_reward as f32,
        post_badge: b.post_badge as f32,
        post_seed: b.post_seed as f32,
        nudge_response: b.nudge_response as f32,
        ad_base: b.ad_base as f32,
        ad_turn_base: b.ad_turn_base as f32,
        ad_turn_promotion: b.ad_turn_promotion as f32,
        social_proof: b.social_proof as f32,
        fee_reference: b.fee_reference as f32,
        reward_reference: b.reward_reference as f32,
        referral_reference: b.referral_reference,
        sunk_cost: b.sunk_cost as f32,
        sunk_cost_days: b.sunk_cost_days as f32,
        novelty: b.novelty as f32,
        novelty_days: b.novelty_days as f32,
        lapse_rate: b.lapse_rate as f32,
        lapse_commitment: b.lapse_commitment as f32,
        episode_rate: b.episode_rate,
        friend_hold: b.friend_hold as f32,
        post_question: b.post_question as f32,
        bond_gain: b.bond_gain as f32,
        bond_days: b.bond_days as f32,
        peer_answer: b.peer_answer as f32,
        unanswered_cost: b.unanswered_cost as f32,
        warning_effect: b.warning_effect as f32,
        kick_deterrence: b.kick_deterrence as f32,
        deterrence_days: b.deterrence_days,
        seed_fatigue_days: s.community.seed_fatigue_days as f32,
        answer_back: s.community.answer_back as f32,
        renew_base: b.renew_base as f32,
        renew_commitment: b.renew_commitment as f32,
        renew_price: b.renew_price as f32,
    }
}
