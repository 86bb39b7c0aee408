//! Phase 3 of the day, and day 0: seating seed members and today's joiners in groups, opening a
//! new group when every group is full (fission), and turning joiners away when none may open.

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::groups::GroupLedger;
use super::simulation::Simulation;
use super::state::{Flags, Status, Today};
use super::tally::{GroupCounts, Milestones};
use crate::model::has_need;
use crate::model::value::GroupYesterday;
use crate::population::needs::NEEDS;
use crate::population::network::Network;
use crate::rng::Setup;
use crate::scenario::EntryKind;

impl Simulation<'_> {
    pub(super) fn open_group(&mut self) -> u32 {
        let g = self.groups.len();
        self.group_members.push(0);
        self.groups.push(GroupYesterday::default());
        self.ledger
            .push(GroupLedger::opened(self.day, self.k.community.tier(g)));
        g as u32
    }

    /// The lowest-numbered group with a free seat, opening one if allowed; None if all are full.
    fn group_with_room(&mut self, cursor: &mut usize) -> Option<u32> {
        let cap = self.k.community.group_cap;
        while *cursor < self.group_members.len() && self.group_members[*cursor] as u64 >= cap {
            *cursor += 1;
        }
        if *cursor < self.group_members.len() {
            return Some(*cursor as u32);
        }
        let may_open = self
            .k
            .community
            .max_groups
            .is_none_or(|m| (self.group_members.len() as u64) < m);
        may_open.then(|| self.open_group())
    }

    /// Seats the seed members on day 0: in the first groups in turn, or all in the core group,
    /// after which the first group for joiners opens with its seated seed members.
    pub(super) fn seat_seed_members(&mut self) {
        let count = self.k.community.seed_members as usize;
        if count == 0 {
            return;
        }
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(self.stream.setup_seed(Setup::SeedMembers));
        let seeds = if self.k.community.founders_from_ties {
            owner_and_ties(&self.pop.network, self.pop.size() as usize, count, &mut rng)
        } else {
            let mut seeds =
                rand::seq::index::sample(&mut rng, self.pop.size() as usize, count).into_vec();
            seeds.sort_unstable();
            seeds
        };
        let mut cursor = 0;
        for &i in &seeds {
            // The core group holds them all (validated to fit); otherwise they fill groups.
            let g = if self.k.community.core {
                0
            } else {
                self.group_with_room(&mut cursor)
                    .expect("validated: seeds fit the groups")
            };
            self.seat_seed(i, g);
        }
        // The first seed members run the community, the owner first.
        for &i in seeds.iter().take(self.k.community.admins as usize) {
            self.state.flags[i] |= Flags::ADMIN;
        }
        self.seeds = seeds.into_iter().map(|i| i as u32).collect();
        if self.k.community.core {
            let main = self.open_group();
            self.seat_clone_seeds(main);
        }
    }

    /// Seed member `i` joins on day 0, in group `g`, its own.
    fn seat_seed(&mut self, i: usize, g: u32) {
        // A founder without needs is no exception to "no need, no action".
        let c0 = if has_need(&self.pop.needs[i]) {
            self.k.community.seed_commitment
        } else {
            0.0
        };
        let st = &mut self.state;
        st.status[i] = Status::Member;
        st.flags[i] = Flags::SEED | Flags::EVER_MEMBER;
        st.commitment[i] = c0;
        st.group[i] = g;
        st.view
            .set(i, true, c0 >= self.k.acquisition.advocacy_threshold);
        self.group_members[g as usize] += 1;
        let ledger = &mut self.ledger[g as usize];
        ledger.seeds += 1;
        ledger.members += 1;
        self.count_newcomer(i, c0);
    }

    /// Seats `community.clone_seeds` seed members in the newly opened group `g` beside their
    /// own, taking them in turn from those still members (fewer if fewer are left).
    fn seat_clone_seeds(&mut self, g: u32) {
        let wanted = self.k.community.clone_seeds as usize;
        let n = self.seeds.len();
        let mut seated = 0;
        for _ in 0..n {
            if seated == wanted {
                break;
            }
            let i = self.seeds[self.seed_turn % n];
            self.seed_turn += 1;
            if self.state.status[i as usize] == Status::Member && self.state.group[i as usize] != g
            {
                self.seats.add(i, g);
                self.group_members[g as usize] += 1;
                let ledger = &mut self.ledger[g as usize];
                ledger.seated += 1;
                ledger.members += 1;
                seated += 1;
            }
        }
    }

    /// A member seated today, counted in today's end-of-day tally as absent (its first member
    /// day is tomorrow).
    fn count_newcomer(&mut self, i: usize, commitment: f32) {
        self.end.count(
            commitment,
            &self.state.satisfaction[i],
            &self.pop.needs[i],
            Today::empty(),
            Milestones::default(),
        );
    }

    /// Seats today's joiners in agent order; returns (admitted, admitted by referral). Those
    /// left when every group is full and none may open are turned away.
    pub(super) fn admit(&mut self, joiners: &[u32]) -> (u64, u64) {
        let mut cursor = self.k.community.first_open();
        let (mut joins, mut referred) = (0u64, 0u64);
        let day = self.day;
        let entry = self.k.entry;
        for (n, &i) in joiners.iter().enumerate() {
            let opened = self.groups.len();
            let Some(g) = self.group_with_room(&mut cursor) else {
                for &j in &joiners[n..] {
                    self.state.flags[j as usize] |= Flags::TURNED_AWAY;
                }
                break;
            };
            if self.groups.len() > opened {
                self.seat_clone_seeds(g);
            }
            let i = i as usize;
            let st = &mut self.state;
            let c0 = st.commitment[i];
            st.status[i] = Status::Member;
            st.flags[i] = (st.flags[i] | Flags::EVER_MEMBER)
                - (Flags::POSTED
                    | Flags::ANSWERED
                    | Flags::UNANSWERED
                    | Flags::REPLIED
                    | Flags::MUTED
                    | Flags::SOLD_OFF
                    | Flags::DORMANT
                    | Flags::ADVERTISED
                    | Flags::TURNED_AWAY
                    | Flags::ACTIVATED
                    | Flags::FIRST_POST
                    | Flags::VISITED_WEEK
                    | Flags::POSTED_WEEK);
            st.group[i] = g;
            st.join_day[i] = day as u16;
            st.episode[i] = day as u16;
            st.last_visit[i] = 0;
            st.bond[i] = 0;
            st.satisfaction[i] = [0; NEEDS];
            st.warnings[i] = 0;
            st.paid_until[i] = if entry.kind == EntryKind::Paid {
                (day + entry.period_days).min(u16::MAX as u32 - 1) as u16
            } else {
                u16::MAX
            };
            st.view_next
                .set(i, true, c0 >= self.k.acquisition.advocacy_threshold);
            self.group_members[g as usize] += 1;
            self.ledger[g as usize].joined += 1;
            let segment = self.pop.segment[i] as usize;
            let by_segment = &mut self.counts.joined_by_segment;
            if by_segment.len() <= segment {
                by_segment.resize(segment + 1, 0);
            }
            by_segment[segment] += 1;
            referred += st.today[i].contains(Today::REFERRED) as u64;
            self.count_newcomer(i, c0);
            joins += 1;
        }
        (joins, referred)
    }

    /// Seed members who left today (quit or kicked) leave the groups they sat in beside their
    /// own: their seats count among those groups' departures.
    pub(super) fn vacate_seats(&mut self, mut decided: GroupCounts) -> GroupCounts {
        self.seats_freed.clear();
        if self.seats.is_empty() {
            return decided;
        }
        let status = &self.state.status;
        self.seats_freed = vec![0; self.groups.len()];
        for g in self.seats.vacate(|i| status[i as usize] != Status::Member) {
            decided.departures[g as usize] += 1;
            self.seats_freed[g as usize] += 1;
        }
        decided
    }
}

/// `count` founders pulled in by an owner drawn at random: the owner, its friends, then their
/// friends, nearest first, in random order within each distance; if the owner's part of the
/// network holds fewer, the rest are drawn at random from outside it.
fn owner_and_ties(
    network: &Network,
    n: usize,
    count: usize,
    rng: &mut Xoshiro256PlusPlus,
) -> Vec<usize> {
    let mut taken = vec![false; n];
    let owner = rng.random_range(0..n);
    taken[owner] = true;
    let mut founders = vec![owner];
    let mut layer = vec![owner];
    while founders.len() < count && !layer.is_empty() {
        let mut next: Vec<usize> = Vec::new();
        for &i in &layer {
            for &j in network.neighbours(i as u32) {
                let j = j as usize;
                if !taken[j] {
                    taken[j] = true;
                    next.push(j);
                }
            }
        }
        next.shuffle(rng);
        next.truncate(count - founders.len());
        founders.extend_from_slice(&next);
        layer = next;
    }
    while founders.len() < count {
        let i = rng.random_range(0..n);
        if !taken[i] {
            taken[i] = true;
            founders.push(i);
        }
    }
    founders
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{NetworkKind, NetworkSpec};

    fn ring(n: u32, degree: f64) -> Network {
        let spec = NetworkSpec {
            kind: NetworkKind::SmallWorld,
            degree,
            rewire: 0.0,
        };
        Network::build(&spec, n, 1)
    }

    #[test]
    fn founders_are_the_owner_then_its_friends_then_theirs() {
        // A ring where each knows the two on either side: the owner's friends are at ring
        // distance 1 or 2, their friends at 3 or 4.
        let n = 100;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let founders = owner_and_ties(&ring(n, 4.0), n as usize, 9, &mut rng);
        assert_eq!(founders.len(), 9);
        let owner = founders[0] as i64;
        let distance = |i: usize| {
            let d = (i as i64 - owner).rem_euclid(n as i64);
            d.min(n as i64 - d)
        };
        assert!(founders[1..5]
            .iter()
            .all(|&i| (1..=2).contains(&distance(i))));
        assert!(founders[5..]
            .iter()
            .all(|&i| (3..=4).contains(&distance(i))));
        let mut unique = founders.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 9);
    }

    #[test]
    fn an_owner_with_too_few_ties_is_joined_by_others_drawn_at_random() {
        // Nobody knows anybody: the owner, then 4 distinct others.
        let n = 50;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let mut founders = owner_and_ties(&ring(n, 0.0), n as usize, 5, &mut rng);
        founders.sort_unstable();
        founders.dedup();
        assert_eq!(founders.len(), 5);
        assert!(founders.iter().all(|&i| i < n as usize));
    }
}
