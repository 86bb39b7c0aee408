//! The tables an operator decides on, beside the daily series and the summary: the funnel from
//! exposure to retention, each group's life, the retention triangle of join cohorts, and what
//! each segment of the population did. One row per replicate (and group, cohort-week, segment).

use serde::{Deserialize, Serialize};

use super::columns;

columns! {
    /// Where prospects drop out, from first exposure to 90-day retention (`funnel.csv`). The
    /// exposure stages count prospects; from `joined` on, joins. Stages nest: exposed =
    /// considered + declined_no_need; considered = joined + declined_price + rejected_review +
    /// turned_away_full (each joiner joining once, as without `community.rejoin`); joined ≥
    /// activated, first_post, eligible_30 ≥ retained_30 ≥ active_30; eligible_90 ≤ eligible_30
    /// and retained_90 ≤ retained_30.
    FunnelRow {
        replicate: u32, "Replicate number.";
        exposed: u64, "Prospects exposed to the community at least once (seed members excluded).";
        exposed_ads: u64, "Of them, first exposed by the community's ads.";
        exposed_word_of_mouth: u64, "First exposed by a member's own recommendation.";
        exposed_referral: u64, "First exposed by a recommendation a referral reward brought about.";
        considered: u64, "Exposed prospects who, at some exposure, found the community worth \
            joining before any price (promise and social proof reached their thresholds).";
        declined_no_need: u64, "Exposed prospects who never did: exposed − considered.";
        declined_price: u64, "Considered prospects who never joined because the felt price \
            (fee or application effort) stopped them.";
        rejected_review: u64, "Considered prospects whose application was turned away.";
        turned_away_full: u64, "Considered prospects who last wanted in when every group was full \
            and no group could open.";
        joined: u64, "Joins (the sum of the daily `joins` of timeseries.csv).";
        activated: u64, "Joins followed by a visit within 7 days.";
        first_post: u64, "Joins followed by at least one genuine post.";
        eligible_30: u64, "Joins at least 30 days before the end.";
        retained_30: u64, "Of them, still members 30 days after joining.";
        active_30: u64, "Of those retained, visited in the 7 days up to their 30th day.";
        eligible_90: u64, "Joins at least 90 days before the end.";
        retained_90: u64, "Of them, still members 90 days after joining.";
        renewed: u64, "Paid periods renewed.";
        quit: u64, "Members who left by choice (including paid members who did not renew).";
        kicked: u64, "Members removed by moderators.";
    }
}

columns! {
    /// The life of each group (`groups.csv`); a group that empties stays, dead.
    GroupRow {
        replicate: u32, "Replicate number.";
        group: u32, "Group number, in order of opening.";
        opened_day: u32, "Day the group opened (0 for the first).";
        tier: String, "The group's tier: `core` (the seed members' own group, closed to joiners; \
            `community.core`), `main` (the first group joiners enter) or `clone` (opened by \
            fission when every group was full).";
        members_final: u64, "Members at the end.";
        seeds_final: u64, "Of them, seed members whose own group it is.";
        seated_final: u64, "Of them, seed members seated in it beside their own group \
            (`community.clone_seeds`): they are counted in every group they sit in.";
        members_peak: u64, "Most members at the end of any day.";
        peak_day: u32, "First day with the most members.";
        posts_last30: u64, "Genuine posts in the last 30 days.";
        ads_last30: u64, "Ads members saw (posted and not removed) in the last 30 days.";
        health: String, "The group's health at the end, as an operator would judge it \
            (`docs/MODEL.md`, health): `healthy`, `quiet`, `dying`, `overrun` or `dead`.";
        alive_final: u8, "1 if the group is healthy at the end, else 0.";
        died_day: Option<u32>, "First day of the group's last silence (no post by a member other \
            than the seed members in 28 days, or none left) if it lasts to the end; empty if the \
            group is not dead at the end.";
        member_posts_28d: u64, "Genuine posts by members other than the seed members over the \
            last 28 days.";
        member_posts_trend: Option<f64>, "`member_posts_28d` over the same count for the 28 days \
            before; empty for a group open fewer than 56 days, or silent in those days.";
        ad_share_week: Option<f64>, "Ads among what members read (ads seen and genuine posts) \
            over the last 7 days; empty if they read nothing.";
        members_joined: u64, "Joiners seated in the group.";
        members_left: u64, "Members who quit or were kicked from the group.";
    }
}

columns! {
    /// The retention triangle (`cohorts.csv`): members who joined in week `cohort_week` (days
    /// 7w+1 to 7w+7), seen at the end of each later week. A week nobody joined has no rows.
    CohortRow {
        replicate: u32, "Replicate number.";
        cohort_week: u32, "Week of joining (0 holds days 1 to 7).";
        week: u32, "Weeks since the cohort's week (0: the week they joined).";
        size: u64, "Joiners of the cohort.";
        members: u64, "Of them, members at the end of week `cohort_week + week`.";
        active: u64, "Of those members, the ones who visited during that week.";
        posters: u64, "Of those members, the ones who wrote a genuine post during that week.";
    }
}

columns! {
    /// What each segment of the population did (`segments.csv`).
    SegmentRow {
        replicate: u32, "Replicate number.";
        segment: String, "Segment name.";
        joined: u64, "Joins by prospects of the segment.";
        members_final: u64, "Members of the segment at the end (seed members included).";
        quit: u64, "Members of the segment who quit.";
        kicked: u64, "Members of the segment who were kicked.";
        posts: u64, "Genuine posts written by the segment's members over the run.";
        ads: u64, "Ads posted by the segment's members over the run.";
        mean_commitment: Option<f64>, "Mean commitment of its members at the end; empty without \
            members.";
        sat_service: Option<f64>, "Mean satisfaction of the need among its members at the end \
            who have it; empty if none has.";
        sat_work: Option<f64>, "As `sat_service`, for work.";
        sat_contact: Option<f64>, "As `sat_service`, for contact.";
        sat_friendship: Option<f64>, "As `sat_service`, for friendship.";
        sat_life: Option<f64>, "As `sat_service`, for life.";
        sat_belonging: Option<f64>, "As `sat_service`, for belonging.";
        sat_promotion: Option<f64>, "As `sat_service`, for promotion.";
        sat_learning: Option<f64>, "As `sat_service`, for learning.";
    }
}
