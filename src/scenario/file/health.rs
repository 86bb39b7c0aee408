//! How an operator judges a group's health: the `[community.health]` table, declared key by key
//! like the rest of the file (see [`super::super::keys`]). Each default is justified in
//! `docs/MODEL.md` §7.2.

use super::AGENTS;
use crate::scenario::keys::{table, Rule};

table! {
    /// How an operator judges a group's health (`docs/MODEL.md` §7.2, health), from the last
    /// 28 days of posts by its members other than the seed members (recruits) and the last 7
    /// days of what its members read. Silent 28 days: dead.
    #[derive(serde::Serialize, Copy)]
    pub(in crate::scenario) struct HealthFloor {
        members: u64 = 10, AGENTS, "members",
            "Recruits (members other than seed members) a group needs to be healthy; with fewer \
             it is at best quiet.";
        posts_per_member_week: f64 = 0.01, Rule::closed(0.0, 100.0), "posts/member/week",
            "Recruits' genuine posts per member of the group and week, over the last 28 days, \
             below which a group is quiet: the quietest four weeks of the real launches that \
             lived (docs/MODEL.md).";
        dying_share: f64 = 0.25, Rule::UNIT, "share",
            "Recruits' posts of the last 28 days over those of the 28 before, or over the quiet \
             rate for the group's size, below which a group is dying: a fall steeper than any of \
             the real launches that lived.";
        max_ad_share: f64 = 0.5, Rule::UNIT, "share",
            "Most ads may make of what a group's members read over the last 7 days (ads and \
             genuine posts): above it, the group is overrun, an ad board.";
        live_share: f64 = 0.5, Rule::UNIT, "share",
            "Share of the community's members that must be in healthy groups for the community \
             to be healthy at the end.";
    }
}
