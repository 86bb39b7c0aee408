//! What the community is for and how it is organised: the `[community]` table, declared key by
//! key like the rest of the file (see [`super::super::keys`]). Each default is justified in
//! `docs/MODEL.md`.

use super::health::HealthFloor;
use super::{Needs, AGENTS, HALF_COUNT, UTILITY};
use crate::scenario::keys::{choice, table, Rule};
use crate::scenario::{MAX_DAYS, MAX_SIZE};

table! {
    /// What the community is for and how it is organised.
    #[derive(serde::Serialize)]
    pub(in crate::scenario) struct Community {
        offer: Needs = Needs {
            service: 0.3,
            contact: 0.3,
            friendship: 0.3,
            belonging: 0.3,
            promotion: 0.3,
            learning: 0.3,
            ..Needs::default()
        }, Rule::Any, "",
            "Positioning: how much the group serves each need. Content value = offer × \
             saturating(posts, `half_saturation`); promise = Σ pull × offer.";
        prepotency: f64 = 1.0, Rule::closed(0.0, 10.0), "exponent",
            "Maslow exponent γ: pull_k = n_k × Π over lower levels of (1 − unmet)^γ; 0 turns \
             the hierarchy off.";
        seed_members: u64 = 0, AGENTS, "agents",
            "Founders and opinion leaders on day 0; at most `population.size`, and at most \
             `max_groups` × `group_cap` when `max_groups` is set.";
        founders: Founders = Founders::Random, Rule::Any, "",
            "Who the seed members are: `random`, drawn from the whole population; `owner-ties`, \
             the owner (drawn at random) and its friends, then their friends, nearest first (the \
             owner and the admins are the first of them), as an owner pulls in the people it \
             knows. Needs a network and seed members.";
        seed_commitment: f64 = 0.5, UTILITY, "utility",
            "Starting commitment of the seed members that have at least one need; a seed member \
             with no needs starts at 0. Seed members visit, post, tire and can quit like \
             others.";
        seed_fatigue_days: f64 = 30.9, Rule::closed(1.0, MAX_DAYS as f64), "days",
            "Days over which the seed members' posting zeal (`behavior.post_seed`) fades by e.";
        core: bool = false, Rule::Any, "",
            "Whether the seed members form a core group of their own: the first group, closed \
             to joiners, with no moderators or team of its own (tier `core`). Joiners then fill \
             satellite groups (tier `satellite`), the first opened on day 0.";
        clone_seeds: u64 = 0, AGENTS, "agents",
            "Seed members also seated in each group opened after the first (a satellite of the \
             core, or a clone opened by fission), taken in turn from the seed members still in \
             the community. A seat takes a place in the group; a seated seed member reads every \
             group it sits in and spreads its posts over them.";
        group_cap: u64 = 500, Rule::closed(1.0, MAX_SIZE as f64), "members",
            "Members per group; when every group is full, a new group opens (fission), with \
             moderators but no history.";
        max_groups: Option<u64> = None, Rule::closed(1.0, u32::MAX as f64), "groups",
            "Most groups that may open (absent: unlimited); once all are full, the day's \
             remaining joiners are turned away.";
        half_saturation: f64 = 10.0, HALF_COUNT, "posts/day",
            "Genuine posts a day in a group at which content gives half its value.";
        half_audience: f64 = 30.0, HALF_COUNT, "visitors/day",
            "Visitors a day in a group at which replies and audience give half their value.";
        answer_back: f64 = 0.58, Rule::UNIT, "probability",
            "A conversation within a day: after each message, a writer whose message someone \
             answers writes back with at least this probability, however seldom it writes \
             (the next message follows with max(P(post), answer_back) × saturating(visitors, \
             `half_audience`)). 0 where a group's posts are not its conversation (a Q&A site \
             counts questions and answers; talk about them goes to comments).";
        attention: f64 = 60.0, Rule::closed(1.0, 1e6), "posts/day",
            "Posts plus ads a day that a member can read before overload costs it.";
        rejoin: bool = false, Rule::Any, "",
            "Whether members who quit may be exposed and join again; kicked and rejected agents \
             never may.";
        admins: u64 = 1, AGENTS, "agents",
            "Seed members who run the community, the owner first (the first seed members): they \
             never quit, lapse or mute the group; like every seed member they tire \
             (`seed_fatigue_days`) and post less. At most `seed_members` (none without seed \
             members).";
        admin_reviews: u64 = 0, Rule::closed(0.0, 1e6), "posts/day",
            "Posts each admin handles on a day it visits, as an unpaid moderator of its own \
             group: ads reviewed (when ads are banned) and questions the members left \
             answered, beside the moderators' and the team's. 0: the admins run the group \
             without moderating it.";
        health: HealthFloor = HealthFloor::default(), Rule::Any, "",
            "The readings by which a group is healthy, quiet, dying, overrun or dead (docs/MODEL.md \
             §7.2, health).";
    }
}

choice! {
    /// Who the seed members are.
    pub enum Founders {
        /// Drawn at random from the population.
        Random = "random",
        /// The owner, drawn at random, then its friends, then theirs: an owner pulls in the
        /// people it knows.
        OwnerTies = "owner-ties",
    }
}
