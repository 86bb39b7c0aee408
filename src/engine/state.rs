//! What changes about each agent from day to day, as a struct of arrays in compact types.
//!
//! The daily step walks the arrays in fixed-size chunks; `State::chunks` hands out one mutable
//! window of every array per chunk, so each agent's update writes only its own entries while
//! reading yesterday's `view` of everyone (two-phase update).

use crate::metrics::PostingLife;

/// Where an agent stands with the community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(u8)]
pub enum Status {
    /// Never joined (or turned away).
    #[default]
    Outside = 0,
    Member = 1,
    /// Quit by choice (or did not renew).
    Left = 2,
    /// Removed by moderators.
    Kicked = 3,
}

bitflags::bitflags! {
    /// What is remembered of an agent from day to day.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub struct Flags: u32 {
        /// Was a member at some point of the run.
        const EVER_MEMBER = 1;
        /// Founder or opinion leader present on day 0.
        const SEED = 2;
        /// Wrote a genuine post yesterday.
        const POSTED = 4;
        /// Posted an ad yesterday.
        const ADVERTISED = 8;
        /// Posted while red envelopes were paid (subject to crowding out once they stop).
        const REWARDED = 16;
        /// Application turned away: never applies again.
        const REJECTED = 32;
        /// Has been exposed to the community at least once.
        const EXPOSED = 64;
        /// Found the community worth joining, before any price, at some exposure.
        const CONSIDERED = 128;
        /// Last wanted in on a day every group was full and none could open.
        const TURNED_AWAY = 256;
        /// Visited within 7 days of joining (this membership).
        const ACTIVATED = 512;
        /// Wrote a genuine post (this membership).
        const FIRST_POST = 1024;
        /// Visited during the current week (cleared at each week's end).
        const VISITED_WEEK = 2048;
        /// Posted during the current week (cleared at each week's end).
        const POSTED_WEEK = 4096;
        /// Its last question was answered (felt at the next visit).
        const ANSWERED = 8192;
        /// Its last question went unanswered (felt at the next visit).
        const UNANSWERED = 16384;
        /// Muted the group: still a member, no longer reading it.
        const MUTED = 1 << 15;
        /// Dormant: its interest has lapsed; still a member, it stops visiting until a need
        /// recurs (a new episode) or an event is announced.
        const DORMANT = 1 << 16;
        /// Runs the community (the owner or an admin, `community.admins`): never quits, lapses
        /// or mutes the group.
        const ADMIN = 1 << 17;
        /// Muted the group over the operator's selling posts (§4.9): it stopped reading for
        /// want of interest, not of time, so it does not recommend the group.
        const SOLD_OFF = 1 << 18;
        /// Yesterday's genuine post drew replies (§4.1): read today if it visits, forgotten at
        /// the end of the day.
        const REPLIED = 1 << 19;
        /// Its first genuine post, a message (not a question), drew a reply: kept for the
        /// account's posting life, across rejoins (`newcomers.csv`).
        const FIRST_REPLIED = 1 << 20;
    }
}

bitflags::bitflags! {
    /// What an agent did today (cleared every day).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub struct Today: u16 {
        const VISITED = 1;
        const POSTED = 2;
        const ADVERT = 4;
        /// Decided to join; admitted (or turned away if every group is full) at the end of the day.
        const JOINING = 8;
        /// Exposed by word of mouth (a referral reward is owed if it joins).
        const REFERRED = 16;
        /// Wants a seat at today's offline meetup.
        const WANTS_MEETUP = 32;
        /// Asked a question (or for help) today.
        const ASKED = 64;
        /// Has the group muted (muted today or before).
        const MUTED = 128;
        /// Dormant today: its interest lapsed today or before, and no need brought it back.
        const DORMANT = 256;
    }
}

/// What other agents can see of everyone: whether each is a member, and whether it is an
/// advocate (a member committed enough to recommend the group). Kept as two bitsets, one bit an
/// agent, because outsiders read it at random places every day (their contact, their ties):
/// at 1/8 byte an agent it stays in cache where a byte array would not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    member: Vec<u64>,
    advocate: Vec<u64>,
}

impl View {
    fn new(n: usize) -> View {
        View {
            member: vec![0; n.div_ceil(64)],
            advocate: vec![0; n.div_ceil(64)],
        }
    }

    #[inline(always)]
    pub fn is_member(&self, i: u32) -> bool {
        self.member[(i / 64) as usize] >> (i % 64) & 1 != 0
    }

    #[inline(always)]
    pub fn is_advocate(&self, i: u32) -> bool {
        self.advocate[(i / 64) as usize] >> (i % 64) & 1 != 0
    }

    /// Sets what others will see of agent `i`.
    pub fn set(&mut self, i: usize, member: bool, advocate: bool) {
        set_bits(&mut self.member, &mut self.advocate, i, member, advocate);
    }
}

#[inline(always)]
fn set_bits(member: &mut [u64], advocate: &mut [u64], i: usize, m: bool, a: bool) {
    let (w, b) = (i / 64, i % 64);
    member[w] = member[w] & !(1 << b) | (m as u64) << b;
    advocate[w] = advocate[w] & !(1 << b) | (a as u64) << b;
}

/// A chunk's window of tomorrow's view: whole words, for agents from a multiple of 64.
pub struct ViewWindow<'a> {
    member: &'a mut [u64],
    advocate: &'a mut [u64],
}

impl ViewWindow<'_> {
    /// Everyone in the window unseen (outside), before the day's decisions set the members.
    pub fn clear(&mut self) {
        self.member.fill(0);
        self.advocate.fill(0);
    }

    /// Sets what others will see of the window's agent `local`.
    #[inline(always)]
    pub fn set(&mut self, local: usize, member: bool, advocate: bool) {
        set_bits(self.member, self.advocate, local, member, advocate);
    }
}

/// Bytes of state per agent (see the fields of [`State`]), rounding the two views' four bits
/// up to a byte.
pub const STATE_BYTES_PER_AGENT: u64 =
    1 + 4 + 2 + 1 + 16 + 4 + 4 + 2 + 2 + 2 + 2 + 1 + 2 + 2 + 8 + 2;

/// The day-to-day state of every agent.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub status: Vec<Status>,
    pub flags: Vec<Flags>,
    pub today: Vec<Today>,
    /// Yesterday's view of each agent, read by others.
    pub view: View,
    /// Today's view, written by each agent for itself; swapped with `view` at the end of the day.
    pub view_next: View,
    /// What the group has satisfied of each need, 16-bit fixed point in [0, 1].
    pub satisfaction: Vec<[u16; 8]>,
    /// Exponential moving average of daily utility (for outsiders about to join: the promise).
    pub commitment: Vec<f32>,
    pub group: Vec<u32>,
    pub join_day: Vec<u16>,
    /// Day the member's current need episode began: its joining, or the day a need recurred
    /// and brought it back (its interest, `behavior.novelty`, counts from it).
    pub episode: Vec<u16>,
    /// Day the paid period ends (renewal day); `u16::MAX` for none.
    pub paid_until: Vec<u16>,
    /// One plus the day of the last offline meetup attended; 0 for never.
    pub last_meetup: Vec<u16>,
    /// Genuine posts written during the run.
    pub posts: Vec<u16>,
    pub warnings: Vec<u8>,
    /// Day of the last visit; 0 for none.
    pub last_visit: Vec<u16>,
    /// The member's bond with the group, grown from replies received, 16-bit fixed point in
    /// [0, 1] as of its last visit.
    pub bond: Vec<u16>,
    /// The agent's posting life over the run: first and last post, posting again, and the
    /// answer to a first question.
    pub life: Vec<PostingLife>,
}

/// A window of the state over agents `start .. start + len`.
pub struct Chunk<'a> {
    pub start: u32,
    pub status: &'a mut [Status],
    pub flags: &'a mut [Flags],
    pub today: &'a mut [Today],
    pub view_next: ViewWindow<'a>,
    pub satisfaction: &'a mut [[u16; 8]],
    pub commitment: &'a mut [f32],
    pub group: &'a mut [u32],
    pub join_day: &'a mut [u16],
    pub episode: &'a mut [u16],
    pub paid_until: &'a mut [u16],
    pub last_meetup: &'a mut [u16],
    pub posts: &'a mut [u16],
    pub warnings: &'a mut [u8],
    pub last_visit: &'a mut [u16],
    pub bond: &'a mut [u16],
    pub life: &'a mut [PostingLife],
}

impl<'a> Chunk<'a> {
    pub fn len(&self) -> usize {
        self.status.len()
    }

    pub fn is_empty(&self) -> bool {
        self.status.is_empty()
    }

    /// Splits at `mid`, a multiple of 64 (so that the view's words are not shared).
    fn split_at(self, mid: usize) -> (Chunk<'a>, Chunk<'a>) {
        assert_eq!(mid % 64, 0, "chunks start at whole words of the view");
        let (m0, m1) = self.view_next.member.split_at_mut(mid / 64);
        let (a0, a1) = self.view_next.advocate.split_at_mut(mid / 64);
        macro_rules! split {
            ($($field:ident),*) => {{
                $(let $field = self.$field.split_at_mut(mid);)*
                (
                    Chunk {
                        start: self.start,
                        view_next: ViewWindow { member: m0, advocate: a0 },
                        $($field: $field.0,)*
                    },
                    Chunk {
                        start: self.start + mid as u32,
                        view_next: ViewWindow { member: m1, advocate: a1 },
                        $($field: $field.1,)*
                    },
                )
            }};
        }
        split!(
            status,
            flags,
            today,
            satisfaction,
            commitment,
            group,
            join_day,
            episode,
            paid_until,
            last_meetup,
            posts,
            warnings,
            last_visit,
            bond,
            life
        )
    }
}

impl State {
    /// Everyone outside, nothing done yet.
    pub fn new(n: usize) -> State {
        State {
            status: vec![Status::Outside; n],
            flags: vec![Flags::empty(); n],
            today: vec![Today::empty(); n],
            view: View::new(n),
            view_next: View::new(n),
            satisfaction: vec![[0; 8]; n],
            commitment: vec![0.0; n],
            group: vec![0; n],
            join_day: vec![0; n],
            episode: vec![0; n],
            paid_until: vec![u16::MAX; n],
            last_meetup: vec![0; n],
            posts: vec![0; n],
            warnings: vec![0; n],
            last_visit: vec![0; n],
            bond: vec![0; n],
            life: vec![PostingLife::default(); n],
        }
    }

    /// Mutable windows of `size` agents (a multiple of 64) over the state, and yesterday's view
    /// of everyone.
    pub fn chunks(&mut self, size: usize) -> (Vec<Chunk<'_>>, &View) {
        let mut rest = Chunk {
            start: 0,
            status: &mut self.status,
            flags: &mut self.flags,
            today: &mut self.today,
            view_next: ViewWindow {
                member: &mut self.view_next.member,
                advocate: &mut self.view_next.advocate,
            },
            satisfaction: &mut self.satisfaction,
            commitment: &mut self.commitment,
            group: &mut self.group,
            join_day: &mut self.join_day,
            episode: &mut self.episode,
            paid_until: &mut self.paid_until,
            last_meetup: &mut self.last_meetup,
            posts: &mut self.posts,
            warnings: &mut self.warnings,
            last_visit: &mut self.last_visit,
            bond: &mut self.bond,
            life: &mut self.life,
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

    /// Bytes the state holds on the heap.
    pub fn heap_bytes(&self) -> usize {
        fn bytes<T>(v: &Vec<T>) -> usize {
            v.capacity() * std::mem::size_of::<T>()
        }
        let view = |v: &View| bytes(&v.member) + bytes(&v.advocate);
        bytes(&self.status)
            + bytes(&self.flags)
            + bytes(&self.today)
            + view(&self.view)
            + view(&self.view_next)
            + bytes(&self.satisfaction)
            + bytes(&self.commitment)
            + bytes(&self.group)
            + bytes(&self.join_day)
            + bytes(&self.episode)
            + bytes(&self.paid_until)
            + bytes(&self.last_meetup)
            + bytes(&self.posts)
            + bytes(&self.warnings)
            + bytes(&self.last_visit)
            + bytes(&self.bond)
            + bytes(&self.life)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_every_agent_once_in_order() {
        let mut s = State::new(150);
        let (chunks, _) = s.chunks(64);
        let spans: Vec<(u32, usize)> = chunks.iter().map(|c| (c.start, c.len())).collect();
        assert_eq!(spans, vec![(0, 64), (64, 64), (128, 22)]);
        for mut c in chunks {
            for local in 0..c.len() {
                c.posts[local] = c.start as u16 + local as u16;
                c.view_next.set(local, local % 2 == 0, local % 3 == 0);
            }
        }
        assert_eq!(s.posts, (0..150).collect::<Vec<u16>>());
        s.publish_view();
        for i in 0..150u32 {
            let local = i as usize % 64;
            assert_eq!(
                s.view.is_member(i),
                local.is_multiple_of(2),
                "member bit of {i}"
            );
            assert_eq!(
                s.view.is_advocate(i),
                local.is_multiple_of(3),
                "advocate bit of {i}"
            );
        }
    }

    #[test]
    fn the_state_size_constant_matches_the_allocated_state() {
        // The two views hold four bits an agent; the constant rounds them up to a byte.
        let n = 64_000;
        let bytes = State::new(n).heap_bytes() as f64 / n as f64;
        let constant = STATE_BYTES_PER_AGENT as f64;
        assert!(
            bytes <= constant && bytes > constant - 1.0,
            "{bytes} bytes an agent, constant {constant}"
        );
    }
}
