//! The weights and constants of the members' decision rules: the `[behavior]` table, declared
//! key by key like the rest of the file (see [`super::super::keys`]). Each default is justified
//! in `docs/MODEL.md`.

use super::{DAYS, HALF, HALF_COUNT, MAX_DAYS, UTILITY, VALUE, WEIGHT};
use crate::scenario::keys::{table, Rule};

table! {
    /// The weights of the decision rules: each decision is logistic(score), the score a linear
    /// function of named drivers.
    #[derive(serde::Serialize, Copy)]
    pub(in crate::scenario) struct Behavior {
        memory: f64 = 0.0845, Rule::closed(0.001, 1.0), "weight",
            "Weight of today's value in the moving averages of commitment (utility) and \
             satisfaction (value per need, kept only for the needs the member has).";
        quit_threshold: f64 = 0.1, UTILITY, "commitment",
            "A member may quit only while its commitment is strictly below this (lowered by \
             friends who are members, and by a recent payment).";
        grace_days: u32 = 7, DAYS, "days",
            "Days after joining before a member may quit.";
        quit_base: f64 = -3.0, WEIGHT, "score",
            "Quit hazard = logistic(quit_base + quit_shortfall × (threshold − commitment)).";
        quit_shortfall: f64 = 30.0, WEIGHT, "score/commitment",
            "Weight of the commitment shortfall in the quit hazard.";
        visit_base: f64 = -2.52, WEIGHT, "score",
            "Visiting = logistic(visit_base + visit_commitment × commitment + topic boost + \
             payment pull + novelty).";
        visit_commitment: f64 = 3.61, WEIGHT, "score/commitment",
            "Weight of commitment in visiting.";
        post_base: f64 = -5.74, WEIGHT, "score",
            "Constant of the posting score, which applies to visitors who did not post an ad and \
             have some need.";
        post_esteem: f64 = 6.0, WEIGHT, "score/pull",
            "Posting weight of the promotion (esteem) pull; damped by crowding out.";
        post_belonging: f64 = 3.0, WEIGHT, "score/pull",
            "Posting weight of the strongest belonging-level pull (contact, friendship, life, \
             belonging); damped by crowding out.";
        post_reply: f64 = 0.5, WEIGHT, "score",
            "Posting weight of the replies to yesterday's post: saturating(visitors, \
             `half_audience`).";
        post_shyness: f64 = 4.0, WEIGHT, "score",
            "Posting weight of shyness (subtracted).";
        post_reward: f64 = 3.0, WEIGHT, "score",
            "Posting weight of the felt red-envelope reward.";
        post_badge: f64 = 2.0, WEIGHT, "score",
            "Posting weight of badge esteem × progress to the next level.";
        post_question: f64 = 1.59, WEIGHT, "score/intensity",
            "A visitor asks a question with logistic(post_base + post_question × unmet − \
             post_shyness × shyness + talkativeness), its unmet the largest among service, \
             work and learning; a question is a genuine post, and it is worth \
             `rules.service_value` only if answered.";
        post_spread: f64 = 2.65, Rule::closed(0.0, 4.0), "score",
            "Standard deviation of each agent's own posting constant around `post_base`, its \
             talkativeness: users differ widely in activity rate (Hogg & Szabo 2009); 0: every \
             agent shares the constant.";
        nudge_response: f64 = 0.74, Rule::closed(0.0, 1.0), "share",
            "Share of the members nudged by the team (`team.nudges_per_day`) who answer: they \
             write in the group on that visit. A personal request's response rate (Barron & \
             Yechiam 2002), an upper bound for an answer written in public.";
        post_seed: f64 = 0.538, WEIGHT, "score",
            "Posting bonus of seed members at the start, fading with \
             `community.seed_fatigue_days`.";
        ad_base: f64 = 0.0, WEIGHT, "score",
            "An advertiser at heart posts an ad on a visit with probability logistic(ad_base). \
             Seed members never advertise.";
        ad_turn_base: f64 = -7.0, WEIGHT, "score",
            "Another member (not a seed member) with unmet promotion posts an ad with \
             logistic(ad_turn_base + ad_turn_promotion × unmet promotion).";
        ad_turn_promotion: f64 = 4.0, WEIGHT, "score/intensity",
            "Weight of unmet promotion in turning to ads.";
        reply_value: f64 = 0.5, VALUE, "value",
            "Contact, friendship and belonging value to yesterday's poster: reply_value × \
             saturating(visitors, `half_audience`).";
        audience_value: f64 = 0.5, VALUE, "value",
            "Promotion value to yesterday's poster or advertiser, × saturating(visitors, \
             `half_audience`).";
        overload_cost: f64 = 0.5, Rule::closed(0.0, 100.0), "utility",
            "Cost per unit of (posts + ads) / `attention` above 1, × the member's involvement.";
        ad_half_load: f64 = 10.0, HALF_COUNT, "ads/day",
            "Surviving ads a day in a group at which ad annoyance is half its maximum.";
        promotion_mute: f64 = 0.011, Rule::UNIT, "share",
            "Share of the members who read one of the operator's promotional posts that mute \
             the group over it, as readers of a campaign e-mail unsubscribe (docs/MODEL.md \
             §4.9).";
        social_proof: f64 = 0.05, VALUE, "utility",
            "Joining: weight × ln(1 + member ties), added to perceived value (0 when well-mixed).";
        fee_reference: f64 = 100.0, HALF, "money",
            "Fee at which a fully price-sensitive agent feels a price of 1.";
        reward_reference: f64 = 1.0, HALF, "money/post",
            "Red-envelope reward per post at which it gives half its effect.";
        referral_reference: f64 = 5.0, HALF, "money/joiner",
            "Referral reward at which it gives half its effect.";
        sunk_cost: f64 = 0.5, VALUE, "score/felt fee",
            "After a payment, with recent payment = felt fee × e^(−days since payment / \
             sunk_cost_days), visiting gains sunk_cost × recent payment on its score and the \
             quit threshold falls by as much: members attend and keep what they paid for, less \
             as the payment recedes.";
        sunk_cost_days: f64 = 60.0, Rule::closed(1.0, MAX_DAYS as f64), "days",
            "Days over which the pull of a payment fades by e (payment depreciation).";
        novelty: f64 = 5.98, Rule::closed(0.0, 20.0), "score",
            "Visiting gains novelty × e^(−days since the member's need episode began / \
             novelty_days): a member drawn in by a need (its joining, or a need that recurs) \
             comes back often at first, less as the need is met and the place familiar.";
        novelty_days: f64 = 4.21, Rule::closed(1.0, MAX_DAYS as f64), "days",
            "Days over which novelty fades by e.";
        lapse_rate: f64 = 0.200, Rule::UNIT, "probability/day",
            "Each day, an engaged member's interest lapses (it goes dormant: stays a member, \
             stops visiting) with probability min(1, lapse_rate × e^(−lapse_commitment × \
             commitment)); 0: interest never lapses.";
        lapse_commitment: f64 = 4.33, Rule::closed(0.0, 100.0), "1/commitment",
            "How much what a member gets from the group (its commitment) keeps it coming: each \
             unit of commitment divides the lapse rate by e^lapse_commitment.";
        episode_rate: f64 = 0.00184, Rule::UNIT, "1/day",
            "Each day, a dormant member's need recurs with this probability (a new question, a \
             wish to talk): it is engaged again and comes back with a new episode's novelty.";
        habituation_days: f64 = 7.0, Rule::closed(0.01, MAX_DAYS as f64), "days",
            "A recurring event keeps 1 − e^(−every_days / habituation_days) of its effect: \
             repeated often, it draws less each time.";
        peer_answer: f64 = 0.598, Rule::UNIT, "probability",
            "Share of the members' genuine posts (other than questions) that answer a question \
             when one is waiting: a question is answered by members with probability min(1, \
             peer_answer × other posts / questions); moderators and the team answer what is \
             left, within their capacity.";
        unanswered_cost: f64 = 0.1, VALUE, "utility",
            "Cost, at the next visit, of a question nobody answered.";
        warning_effect: f64 = 0.3, Rule::UNIT, "share",
            "Each warning cuts an advertiser's urge to post ads by this share.";
        kick_deterrence: f64 = 0.5, Rule::UNIT, "share",
            "A kick cuts the urge of the group's other advertisers by this share, for \
             `deterrence_days`.";
        deterrence_days: u32 = 14, DAYS, "days",
            "Days a kick deters the group's other advertisers.";
        bond_gain: f64 = 0.0, Rule::UNIT, "share",
            "A member's bond with the group (0 to 1) grows at each visit after a post that got \
             replies: a full day of replies closes this share of the gap to a full bond. A bond \
             adds `reply_value` × bond to the friendship and belonging a visit gives: \
             commitment grows with the replies a member has had.";
        bond_days: f64 = 90.0, Rule::closed(1.0, MAX_DAYS as f64), "days",
            "Days over which a bond left without replies fades by e.";
        friend_hold: f64 = 0.05, VALUE, "commitment",
            "A member's quit threshold is lowered by friend_hold × ln(1 + its ties who are \
             members): friends who stay hold it in.";
        renew_base: f64 = 0.0, WEIGHT, "score",
            "Renewing = logistic(renew_base + renew_commitment × commitment − renew_price × felt \
             fee).";
        renew_commitment: f64 = 10.0, WEIGHT, "score/commitment",
            "Weight of commitment in renewing.";
        renew_price: f64 = 3.0, WEIGHT, "score/felt fee",
            "Weight of the felt fee in renewing (subtracted).";
    }
}
