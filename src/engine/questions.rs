//! Questions that wait: a question left unanswered on the day it was asked stays in its group,
//! where later days' members and staff may still answer it with what they have to spare, until
//! it is buried under more messages than a reader reads back (`community.attention`) or its
//! asker has left.

use std::collections::VecDeque;

use crate::model::levers::{buried, late_answer_probability};
use crate::rng::{DayStream, Decision};

/// A question waiting in a group.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Waiting {
    asker: u32,
    /// The day it was asked.
    asked: u32,
    /// The group's messages read (posts and ads seen) up to the end of the day it was asked.
    read_before: u64,
}

impl Waiting {
    /// Whether today's answering still considers it: its asker is a member (`member`) and it is
    /// not buried under `attention` messages read since (`read`: the group's so far).
    fn in_view(&self, read: u64, attention: f64, member: &impl Fn(u32) -> bool) -> bool {
        member(self.asker) && !buried(read - self.read_before, attention)
    }
}

/// What a group's members and staff have left today, after the day's own questions, to answer
/// waiting ones.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Spare {
    /// Expected answers in the members' posts of the day beyond the day's questions.
    pub peer: f64,
    /// Answers the moderators and the team can still give.
    pub staff: f64,
}

/// A question answered today that was asked on an earlier day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LateAnswer {
    pub asker: u32,
    pub group: u32,
    /// The day it was asked.
    pub asked: u32,
    /// Whether the staff gave it (and so it is content the group reads tomorrow).
    pub by_staff: bool,
}

/// The waiting questions of every group, oldest first, and the messages each group's readers
/// have had to read so far.
#[derive(Debug, Clone, Default)]
pub struct Questions {
    waiting: Vec<VecDeque<Waiting>>,
    read: Vec<u64>,
}

impl Questions {
    /// Whether no question waits anywhere.
    pub fn is_empty(&self) -> bool {
        self.waiting.iter().all(|q| q.is_empty())
    }

    /// Questions waiting in group `g` that today's answering will consider: not buried under
    /// `attention` messages and asked by members (`member`), as `answer` keeps them.
    pub fn visible_in(&self, g: usize, attention: f64, member: impl Fn(u32) -> bool) -> usize {
        let Some(queue) = self.waiting.get(g) else {
            return 0;
        };
        let read = self.read[g];
        queue
            .iter()
            .filter(|w| w.in_view(read, attention, &member))
            .count()
    }

    fn grow(&mut self, groups: usize) {
        if self.waiting.len() < groups {
            self.waiting.resize(groups, VecDeque::new());
            self.read.resize(groups, 0);
        }
    }

    /// Answers waiting questions with today's spare answers, group by group: first drops the
    /// questions buried under `attention` messages read since the day they were asked and those
    /// whose asker is no longer a member (`member`), then answers each of the rest with
    /// probability min(1, spare / waiting), one draw a question. Answered questions leave the
    /// queue.
    pub fn answer(
        &mut self,
        spare: &[Spare],
        attention: f64,
        member: impl Fn(u32) -> bool,
        draws: &DayStream,
    ) -> Vec<LateAnswer> {
        let mut answered = Vec::new();
        for (g, queue) in self.waiting.iter_mut().enumerate() {
            let read = self.read[g];
            queue.retain(|w| w.in_view(read, attention, &member));
            let Some(s) = spare.get(g) else { continue };
            let p = late_answer_probability(s.peer + s.staff, queue.len());
            if p <= 0.0 {
                continue;
            }
            let by_peer = s.peer / (s.peer + s.staff);
            queue.retain(|w| {
                let u = draws.agent(w.asker).uniform(Decision::LateAnswer);
                if u >= p {
                    return true;
                }
                answered.push(LateAnswer {
                    asker: w.asker,
                    group: g as u32,
                    asked: w.asked,
                    by_staff: u >= p * by_peer,
                });
                false
            });
        }
        answered
    }

    /// Ends the day: each group's messages read today (posts and ads seen) are added, then the
    /// day's unanswered questions (`asked`: askers and their groups), asked on `day`, join the
    /// queues.
    pub fn close_day(&mut self, day: u32, read_today: &[u64], asked: &[(u32, u32)]) {
        self.grow(read_today.len());
        for (total, today) in self.read.iter_mut().zip(read_today) {
            *total += today;
        }
        for &(asker, g) in asked {
            self.waiting[g as usize].push_back(Waiting {
                asker,
                asked: day,
                read_before: self.read[g as usize],
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::RunStream;

    fn draws(day: u32) -> DayStream {
        RunStream::new(1, 0).day(day)
    }

    #[test]
    fn with_answers_to_spare_every_visible_question_of_a_member_is_answered() {
        let mut q = Questions::default();
        q.close_day(1, &[5, 5], &[(10, 0), (11, 0), (12, 1)]);
        let spare = [
            Spare {
                peer: 2.0,
                staff: 0.0,
            },
            Spare {
                peer: 0.0,
                staff: 3.0,
            },
        ];
        // Agent 11 left: its question is dropped, not answered.
        let mut got = q.answer(&spare, 60.0, |i| i != 11, &draws(2));
        got.sort_by_key(|a| a.asker);
        assert_eq!(
            got,
            vec![
                LateAnswer {
                    asker: 10,
                    group: 0,
                    asked: 1,
                    by_staff: false
                },
                LateAnswer {
                    asker: 12,
                    group: 1,
                    asked: 1,
                    by_staff: true
                },
            ]
        );
        assert!(q.is_empty());
    }

    #[test]
    fn a_question_buried_under_what_readers_read_back_is_never_answered() {
        let mut q = Questions::default();
        q.close_day(1, &[0], &[(7, 0)]);
        let nothing = [Spare::default()];
        // Nobody to answer on day 2: it waits; 59 messages later it is still visible.
        assert!(q.answer(&nothing, 60.0, |_| true, &draws(2)).is_empty());
        q.close_day(2, &[59], &[]);
        assert!(!q.is_empty());
        assert!(q.answer(&nothing, 60.0, |_| true, &draws(3)).is_empty());
        assert_eq!(q.visible_in(0, 60.0, |_| true), 1);
        assert_eq!(q.visible_in(0, 60.0, |i| i != 7), 0, "its asker left");
        q.close_day(3, &[1], &[]);
        assert_eq!(q.visible_in(0, 60.0, |_| true), 0, "buried");
        assert_eq!(q.visible_in(5, 60.0, |_| true), 0, "no such group");
        // 60 messages since: buried, however many answers there are to spare.
        let plenty = [Spare {
            peer: 100.0,
            staff: 100.0,
        }];
        assert!(q.answer(&plenty, 60.0, |_| true, &draws(4)).is_empty());
        assert!(q.is_empty());
    }

    #[test]
    fn scarce_answers_are_shared_over_the_waiting_questions() {
        let mut q = Questions::default();
        let asked: Vec<(u32, u32)> = (0..2000).map(|i| (i, 0)).collect();
        q.close_day(1, &[0], &asked);
        let spare = [Spare {
            peer: 300.0,
            staff: 100.0,
        }];
        let got = q.answer(&spare, 1e9, |_| true, &draws(2));
        // 400 answers over 2,000 questions: each answered with probability 0.2; a quarter of
        // the answers are the staff's. Binomial sd: 17.9 and 9.7; 4 sd either way.
        assert!((got.len() as f64 - 400.0).abs() < 72.0, "{}", got.len());
        let staff = got.iter().filter(|a| a.by_staff).count() as f64;
        assert!((staff - 100.0).abs() < 40.0, "{staff}");
    }
}
