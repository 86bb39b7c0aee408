//! The operating team and the budget, day by day: who staffs which group, what the team does
//! within its time (`model::levers::team_day`), the overtime it works and the burnout it ends
//! in (`model::levers::Strain`), whom it nudges, and what it costs.

use super::moderation::TeamAnswers;
use super::simulation::Simulation;
use super::state::{Status, Today};
use super::tally::GroupCounts;
use crate::model::levers::{nudge_probability, team_day, Strain, TeamDay, TeamView};
use crate::scenario::TeamCoefficients;

/// The operating team from one day to the next.
#[derive(Debug, Clone)]
pub(super) struct Team {
    /// Whether it works today.
    pub works: bool,
    /// Whether it is away today, burnt out.
    pub away: bool,
    /// What it does today in each group it staffs, within its time and overtime.
    pub day: TeamDay,
    /// Questions the staff answered yesterday, on average over the groups the team staffed.
    pub answered_yesterday: f64,
    /// Minutes it works past its budget today, over all the groups it staffs.
    pub overtime: f64,
    /// The overtime it remembers.
    strain: Strain,
    /// The first day it works again after burning out (0: it never burnt out).
    back: u32,
}

impl Team {
    pub fn new(t: &TeamCoefficients) -> Team {
        Team {
            works: false,
            away: false,
            day: team_day(t, TeamView::default()),
            answered_yesterday: 0.0,
            overtime: 0.0,
            strain: Strain::new(t.recovery_days),
            back: 0,
        }
    }
}

impl Simulation<'_> {
    /// The day's moderators in each group: its own (the first group's, or a clone's), and the
    /// funded ones when the operating budget can pay them all today; and the team's day.
    pub(super) fn staff_groups(&mut self) {
        let team = &self.k.team;
        // The budget pays the team first, its overtime included, then the funded moderators.
        let team_cost = self.team_cost(self.groups.len());
        let away = self.day < self.team.back;
        self.team.away = away;
        self.team.works = !away && (!team.funded || self.budget >= team_cost);
        let mut left = if team.funded && self.team.works {
            self.budget - team_cost
        } else {
            self.budget
        };
        let staffed = self.staffed(self.groups.len());
        let rate = self.overtime_rate(staffed);
        let mut overtime = if self.team.works { team.overtime } else { 0.0 };
        if team.funded && rate > 0.0 {
            overtime = overtime.min(left / rate);
        }
        let waiting = if overtime > 0.0 {
            self.waiting_in_staffed_groups()
        } else {
            0
        };
        self.team.day = team_day(
            team,
            TeamView {
                staffed,
                answered_yesterday: self.team.answered_yesterday,
                waiting: waiting as f64 / staffed.max(1) as f64,
                overtime,
            },
        );
        self.team.overtime = if self.team.works {
            self.team.day.overtime * staffed as f64
        } else {
            0.0
        };
        if team.funded {
            left -= self.team.overtime * rate;
        }
        self.team.strain.record(self.day, self.team.overtime);
        if self.team.works && self.team.strain.burns_out(team.burnout_after) {
            self.team.back = self.day + 1 + team.recovery_days;
        }
        self.hire_moderators(left);
    }

    /// Questions waiting in the groups the team staffs that today's answering will consider.
    fn waiting_in_staffed_groups(&self) -> usize {
        let status = &self.state.status;
        let attention = self.k.value.attention as f64;
        self.staffed_groups(self.groups.len())
            .map(|g| {
                self.questions
                    .visible_in(g, attention, |i| status[i as usize] == Status::Member)
            })
            .sum()
    }

    /// Each group's capacity: its own moderators, its share of the shared ones, and the funded
    /// ones if `left` of the budget pays them all.
    fn hire_moderators(&mut self, left: f64) {
        let m = &self.k.moderation;
        let tiers: Vec<_> = (0..self.groups.len())
            .map(|g| self.k.community.tier(g))
            .collect();
        let funded: u32 = tiers.iter().map(|&tier| m.funded(tier)).sum();
        self.hired = funded > 0 && left >= funded as f64 * m.daily_cost;
        let hired = self.hired;
        let occupied: Vec<bool> = self.group_members.iter().map(|&n| n > 0).collect();
        let shared = m.shared_reviews(&tiers, &occupied);
        self.capacity = tiers
            .iter()
            .zip(shared)
            .map(|(&tier, shared)| {
                let extra = if hired { m.funded(tier) } else { 0 };
                (m.moderators(tier) + extra) as u64 * m.reviews_per_moderator + shared
            })
            .collect();
    }

    /// The admins' duties (`community.admin_reviews`): each admin who visited today handles that
    /// many posts in its own group, beside the group's moderators, unpaid. An admin who stays
    /// away does nothing for the group that day.
    pub(super) fn admins_on_duty(&mut self) {
        let c = &self.k.community;
        if c.admin_reviews == 0 {
            return;
        }
        let s = &self.state;
        for &i in self.seeds.iter().take(c.admins as usize) {
            let i = i as usize;
            if s.status[i] == Status::Member && s.today[i].contains(Today::VISITED) {
                self.capacity[s.group[i] as usize] += c.admin_reviews;
            }
        }
    }

    /// Which of the first `groups` groups the operating team staffs.
    fn staffed_groups(&self, groups: usize) -> impl Iterator<Item = usize> + '_ {
        (0..groups).filter(|&g| self.k.team.staffs(self.k.community.tier(g)))
    }

    /// How many of the first `groups` groups the operating team staffs.
    fn staffed(&self, groups: usize) -> usize {
        self.staffed_groups(groups).count()
    }

    /// What a minute of overtime costs: the team's daily cost over its budget's minutes in
    /// each of the `staffed` groups (0 without a budget or a cost).
    fn overtime_rate(&self, staffed: usize) -> f64 {
        let t = &self.k.team;
        match t.minutes {
            Some(m) if m > 0.0 => t.daily_cost * staffed as f64 / m,
            _ => 0.0,
        }
    }

    /// What the operating team costs today: its daily cost in each group it staffs, and its
    /// overtime; nothing on a day it does not work.
    pub(super) fn team_cost_today(&self, groups: usize) -> f64 {
        if self.team.works {
            self.team_cost(groups) + self.team.overtime * self.overtime_rate(self.staffed(groups))
        } else {
            0.0
        }
    }

    /// What the operating team's day costs: its daily cost in each group it staffs.
    fn team_cost(&self, groups: usize) -> f64 {
        self.staffed(groups) as f64 * self.k.team.daily_cost
    }

    /// The team's answers today in each group it staffs (none on a day it does not work).
    pub(super) fn team_answers(&self) -> TeamAnswers {
        if self.team.works {
            TeamAnswers {
                within: self.team.day.answers,
                overtime: self.team.day.overtime_answers,
            }
        } else {
            TeamAnswers::default()
        }
    }

    /// Per group, the chance that a visitor who never posted is nudged by the team today.
    pub(super) fn nudge_chances(&self) -> Vec<f32> {
        (0..self.groups.len())
            .map(|g| {
                let staffed = self.team.works && self.k.team.staffs(self.k.community.tier(g));
                if staffed {
                    nudge_probability(self.team.day.nudges, self.groups[g].silent_visitors)
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// The staff's answers of the day, on average over the groups the team staffs: what the
    /// team keeps time for tomorrow (`team_day`).
    pub(super) fn staff_answers_per_group(&self, moderated: &GroupCounts) -> f64 {
        let staffed: Vec<usize> = self
            .staffed_groups(moderated.staff_answered.len())
            .collect();
        let answered: u32 = staffed.iter().map(|&g| moderated.staff_answered[g]).sum();
        answered as f64 / staffed.len().max(1) as f64
    }
}
