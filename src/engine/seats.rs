//! Seed members seated in groups beside their own (`community.clone_seeds`): a core member who
//! also sits in satellite groups, or a founder placed in a clone. A seated member reads every
//! group it sits in and spreads its posts over them; a seat takes a place in its group and is
//! freed when the member leaves the community.

/// Every seat held now, sorted by agent then group.
#[derive(Debug, Clone, Default)]
pub struct Seats {
    seats: Vec<(u32, u32)>,
}

impl Seats {
    /// Whether nobody is seated beside its own group (the usual case: nothing to look up).
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.seats.is_empty()
    }

    /// How many groups agent `i` reads: its own, and, for a seed member (`seed`), the groups
    /// it sits in beside it.
    #[inline(always)]
    pub fn groups_read(&self, i: u32, seed: bool) -> usize {
        if seed && !self.is_empty() {
            1 + self.of(i).count()
        } else {
            1
        }
    }

    /// Seats agent `i` in group `g` as well.
    pub fn add(&mut self, i: u32, g: u32) {
        let at = self.seats.partition_point(|&s| s < (i, g));
        debug_assert!(self.seats.get(at) != Some(&(i, g)), "seated twice");
        self.seats.insert(at, (i, g));
    }

    /// The groups agent `i` sits in beside its own, in increasing order.
    #[inline]
    pub fn of(&self, i: u32) -> impl Iterator<Item = u32> + Clone + '_ {
        let from = self.seats.partition_point(|&(a, _)| a < i);
        self.seats[from..]
            .iter()
            .take_while(move |&&(a, _)| a == i)
            .map(|&(_, g)| g)
    }

    /// Frees the seats of the agents for which `gone` is true, and returns their groups (one
    /// entry a seat).
    pub fn vacate(&mut self, gone: impl Fn(u32) -> bool) -> Vec<u32> {
        let mut freed = Vec::new();
        self.seats.retain(|&(i, g)| {
            let leaves = gone(i);
            if leaves {
                freed.push(g);
            }
            !leaves
        });
        freed
    }
}

/// The group of each of a seated member's `messages` today: its own group and its seats in
/// turn, starting at a place that moves with the day and the agent, so that over days every
/// group gets an even share and the day's remainder does not always fall on the same group.
pub fn spread_posts(
    own: u32,
    seats: impl Iterator<Item = u32> + Clone,
    messages: u32,
    i: u32,
    day: u32,
    mut post: impl FnMut(u32, u32),
) {
    let n = 1 + seats.clone().count() as u32;
    let group = |k: u32| {
        if k == 0 {
            own
        } else {
            seats.clone().nth(k as usize - 1).expect("k < n")
        }
    };
    let start = (i.wrapping_add(day)) % n;
    let (each, rest) = (messages / n, messages % n);
    for k in 0..n {
        // The `rest` groups from `start` on get one more.
        let extra = ((k + n - start) % n < rest) as u32;
        if each + extra > 0 {
            post(group(k), each + extra);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seats_are_found_by_agent_and_freed_when_it_leaves() {
        let mut s = Seats::default();
        for (i, g) in [(7, 3), (2, 1), (7, 1), (9, 2), (2, 4)] {
            s.add(i, g);
        }
        assert_eq!(s.of(7).collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!(s.of(2).collect::<Vec<_>>(), vec![1, 4]);
        assert_eq!(s.of(5).count(), 0);
        let mut freed = s.vacate(|i| i == 7 || i == 9);
        freed.sort_unstable();
        assert_eq!(freed, vec![1, 2, 3]);
        assert_eq!(s.of(7).count(), 0);
        assert_eq!(s.of(2).count(), 2);
    }

    fn spread(messages: u32, i: u32, day: u32) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        spread_posts(0, [5u32, 6].into_iter(), messages, i, day, |g, m| {
            out.push((g, m))
        });
        out
    }

    #[test]
    fn a_seated_members_posts_are_split_over_its_groups_and_none_is_lost() {
        // 7 posts over 3 groups: 3, 2, 2, the extra one on the group the day's turn starts at.
        assert_eq!(spread(7, 0, 0), vec![(0, 3), (5, 2), (6, 2)]);
        assert_eq!(spread(7, 0, 1), vec![(0, 2), (5, 3), (6, 2)]);
        // One post goes to one group, in turn over the days.
        let groups: Vec<u32> = (0..3).map(|day| spread(1, 4, day)[0].0).collect();
        assert_eq!(groups, vec![5, 6, 0]);
        for m in 0..20 {
            assert_eq!(spread(m, 3, 11).iter().map(|x| x.1).sum::<u32>(), m);
        }
    }
}
