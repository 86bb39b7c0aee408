//! What changes about each agent from day to day, as a struct of arrays in compact types.
//!
//! The daily step walks the arrays in fixed-size chunks; `State::chunks` hands out one mutable
//! window of every array per chunk, so each agent's update writes only its own entries while
//! reading yesterday's `view` of everyone (two-phase update).

/// Where an agent stands with the community.
pub mod status {
    /// Never joined (or turned away).
    pub const OUTSIDE: u8 = 0;
    pub const MEMBER: u8 = 1;
    /// Quit by choice (or did not renew).
    pub const LEFT: u8 = 2;
    /// Removed by moderators.
    pub const KICKED: u8 = 3;
}

/// Bits that persist across days.
pub mod flag {
    /// Was a member at some point of the run.
    pub const EVER_MEMBER: u8 = 1;
    /// Founder or opinion leader present on day 0.
    pub const SEED: u8 = 2;
    /// Wrote a genuine post yesterday.
    pub const POSTED: u8 = 4;
    /// Posted an ad yesterday.
    pub const ADVERTISED: u8 = 8;
    /// Posted while red envelopes were paid (subject to crowding out once they stop).
    pub const REWARDED: u8 = 16;
    /// Application turned away: never applies again.
    pub const REJECTED: u8 = 32;
    /// Has been exposed to the community at least once.
    pub const EXPOSED: u8 = 64;
}

/// Bits describing what an agent did today (cleared every day).
pub mod today {
    pub const VISITED: u8 = 1;
    pub const POSTED: u8 = 2;
    pub const ADVERT: u8 = 4;
    /// Decided to join; admitted (or turned away if every group is full) at the end of the day.
    pub const JOINING: u8 = 8;
    /// Exposed by word of mouth (a referral reward is owed if it joins).
    pub const REFERRED: u8 = 16;
    /// Wants a seat at today's offline meetup.
    pub const WANTS_MEETUP: u8 = 32;
}

/// What other agents can see of an agent: read from yesterday by everyone during the day.
pub mod view {
    pub const MEMBER: u8 = 1;
    /// Member committed enough to recommend the group.
    pub const ADVOCATE: u8 = 2;
}

/// Bytes of state per agent (see the fields of [`State`]).
pub const STATE_BYTES_PER_AGENT: u64 = 1 + 1 + 1 + 2 + 16 + 4 + 4 + 2 + 2 + 2 + 2 + 1;

/// The day-to-day state of every agent.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub status: Vec<u8>,
    pub flags: Vec<u8>,
    pub today: Vec<u8>,
    /// Yesterday's view of each agent, read by others.
    pub view: Vec<u8>,
    /// Today's view, written by each agent for itself; swapped with `view` at the end of the day.
    pub view_next: Vec<u8>,
    /// What the group has satisfied of each need, 16-bit fixed point in [0, 1].
    pub satisfaction: Vec<[u16; 8]>,
    /// Exponential moving average of daily utility (for outsiders about to join: the promise).
    pub commitment: Vec<f32>,
    pub group: Vec<u32>,
    pub join_day: Vec<u16>,
    /// Day the paid period ends (renewal day); `u16::MAX` for none.
    pub paid_until: Vec<u16>,
    /// One plus the day of the last offline meetup attended; 0 for never.
    pub last_meetup: Vec<u16>,
    /// Genuine posts written during the run.
    pub posts: Vec<u16>,
    pub warnings: Vec<u8>,
}

/// A window of the state over agents `start .. start + len`.
pub struct Chunk<'a> {
    pub start: u32,
    pub status: &'a mut [u8],
    pub flags: &'a mut [u8],
    pub today: &'a mut [u8],
    pub view_next: &'a mut [u8],
    pub satisfaction: &'a mut [[u16; 8]],
    pub commitment: &'a mut [f32],
    pub group: &'a mut [u32],
    pub join_day: &'a mut [u16],
    pub paid_until: &'a mut [u16],
    pub last_meetup: &'a mut [u16],
    pub posts: &'a mut [u16],
    pub warnings: &'a mut [u8],
}

impl<'a> Chunk<'a> {
    pub fn len(&self) -> usize {
        self.status.len()
    }

    pub fn is_empty(&self) -> bool {
        self.status.is_empty()
    }

    fn split_at(self, mid: usize) -> (Chunk<'a>, Chunk<'a>) {
        macro_rules! split {
            ($($field:ident),*) => {{
                $(let $field = self.$field.split_at_mut(mid);)*
                (
                    Chunk { start: self.start, $($field: $field.0,)* },
                    Chunk { start: self.start + mid as u32, $($field: $field.1,)* },
                )
            }};
        }
        split!(
            status,
            flags,
            today,
            view_next,
            satisfaction,
            commitment,
            group,
            join_day,
            paid_until,
            last_meetup,
            posts,
            warnings
        )
    }
}

impl State {
    /// Everyone outside, nothing done yet.
    pub fn new(n: usize) -> State {
        State {
            status: vec![status::OUTSIDE; n],
            flags: vec![0; n],
            today: vec![0; n],
            view: vec![0; n],
            view_next: vec![0; n],
            satisfaction: vec![[0; 8]; n],
            commitment: vec![0.0; n],
            group: vec![0; n],
            join_day: vec![0; n],
            paid_until: vec![u16::MAX; n],
            last_meetup: vec![0; n],
            posts: vec![0; n],
            warnings: vec![0; n],
        }
    }

    /// Mutable windows of `size` agents over the state, and yesterday's view of everyone.
    pub fn chunks(&mut self, size: usize) -> (Vec<Chunk<'_>>, &[u8]) {
        let mut rest = Chunk {
            start: 0,
            status: &mut self.status,
            flags: &mut self.flags,
            today: &mut self.today,
            view_next: &mut self.view_next,
            satisfaction: &mut self.satisfaction,
            commitment: &mut self.commitment,
            group: &mut self.group,
            join_day: &mut self.join_day,
            paid_until: &mut self.paid_until,
            last_meetup: &mut self.last_meetup,
            posts: &mut self.posts,
            warnings: &mut self.warnings,
        };
        let mut out = Vec::with_capacity(rest.len().div_ceil(size.max(1)));
        while rest.len() > size {
            let (head, tail) = rest.split_at(size);
            out.push(head);
            rest = tail;
        }
        out.push(rest);
        (out, &self.view)
    }

    /// Makes today's view the one others read tomorrow.
    pub fn publish_view(&mut self) {
        std::mem::swap(&mut self.view, &mut self.view_next);
    }

    /// Number of agents.
    pub fn len(&self) -> usize {
        self.status.len()
    }

    pub fn is_empty(&self) -> bool {
        self.status.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_every_agent_once_in_order() {
        let mut s = State::new(10);
        let (chunks, view) = s.chunks(4);
        assert_eq!(view.len(), 10);
        let spans: Vec<(u32, usize)> = chunks.iter().map(|c| (c.start, c.len())).collect();
        assert_eq!(spans, vec![(0, 4), (4, 4), (8, 2)]);
        for c in chunks {
            for (k, p) in c.posts.iter_mut().enumerate() {
                *p = c.start as u16 + k as u16;
            }
        }
        assert_eq!(s.posts, (0..10).collect::<Vec<u16>>());
    }

    #[test]
    fn the_state_size_constant_matches_the_fields() {
        let per_agent = std::mem::size_of::<u8>() * 5
            + std::mem::size_of::<[u16; 8]>()
            + std::mem::size_of::<f32>()
            + std::mem::size_of::<u32>()
            + std::mem::size_of::<u16>() * 4
            + std::mem::size_of::<u8>();
        assert_eq!(per_agent as u64, STATE_BYTES_PER_AGENT);
    }
}
