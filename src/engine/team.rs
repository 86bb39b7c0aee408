//! The operating team and the budget, day by day: who staffs which group, what the team does
//! within its time (`model::levers::team_day`), whom it nudges, and what it costs.

use super::simulation::Simulation;
use super::tally::GroupCounts;
use crate::model::levers::{nudge_probability, team_day};

impl Simulation<'_> {
    /// The day's moderators in each group: its own (the first group's, or a clone's), and the
    /// funded ones when the operating budget can pay them all today.
    pub(super) fn staff_groups(&mut self) {
        let m = &self.k.moderation;
        let team = &self.k.team;
        // The budget pays the team first, then the funded moderators.
        let team_cost = self.team_cost(self.groups.len());
        self.team_works = !team.funded || self.budget >= team_cost;
        let staffed = self.staffed(self.groups.len());
        self.team_day = team_day(team, staffed, self.staff_answered_yesterday);
        let left = if team.funded && self.team_works {
            self.budget - team_cost
        } else {
            self.budget
        };
        let tiers = (0..self.groups.len()).map(|g| self.k.community.tier(g));
        let funded: u32 = tiers.clone().map(|tier| m.funded(tier)).sum();
        self.hired = funded > 0 && left >= funded as f64 * m.daily_cost;
        let hired = self.hired;
        self.capacity = tiers
            .map(|tier| {
                let extra = if hired { m.funded(tier) } else { 0 };
                (m.moderators(tier) + extra) as u64 * m.reviews_per_moderator
            })
            .collect();
    }

    /// How many of the first `groups` groups the operating team staffs.
    fn staffed(&self, groups: usize) -> usize {
        (0..groups)
            .filter(|&g| self.k.team.staffs(self.k.community.tier(g)))
            .count()
    }

    /// What the operating team costs a day: its daily cost in each group it staffs.
    pub(super) fn team_cost(&self, groups: usize) -> f64 {
        self.staffed(groups) as f64 * self.k.team.daily_cost
    }

    /// The team's answers today in each group it staffs (0 on a day it does not work).
    pub(super) fn team_answers(&self) -> u64 {
        if self.team_works {
            self.team_day.answers
        } else {
            0
        }
    }

    /// Per group, the chance that a visitor who never posted is nudged by the team today.
    pub(super) fn nudge_chances(&self) -> Vec<f32> {
        (0..self.groups.len())
            .map(|g| {
                let staffed = self.team_works && self.k.team.staffs(self.k.community.tier(g));
                if staffed {
                    nudge_probability(self.team_day.nudges, self.groups[g].silent_visitors)
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// The staff's answers of the day, on average over the groups the team staffs: what the
    /// team keeps time for tomorrow (`team_day`).
    pub(super) fn staff_answers_per_group(&self, moderated: &GroupCounts) -> f64 {
        let tier = |g| self.k.community.tier(g);
        let staffed: Vec<usize> = (0..moderated.staff_answered.len())
            .filter(|&g| self.k.team.staffs(tier(g)))
            .collect();
        let answered: u32 = staffed.iter().map(|&g| moderated.staff_answered[g]).sum();
        answered as f64 / staffed.len().max(1) as f64
    }
}
