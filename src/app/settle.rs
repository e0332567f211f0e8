//! Counts that settle. Answers to requests that overlapped on one
//! instance can arrive in any order, so the `blocked_count` of the last
//! answer is not always the server's count. Each instance counts its
//! requests in flight and notes when one was sent while another was
//! still out. When the last answer is in and some overlapped, one more
//! request restates the last contact's state (the API is idempotent, so
//! it changes nothing) and its answer, alone on the wire, gives the
//! settled count. Shared by the UI and headless batches.

use std::collections::HashMap;

use crate::protocol::{ApiCall, Job};

/// One instance's requests, as far as settling goes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Track {
    /// Requests sent and not answered.
    in_flight: u32,
    /// Whether a request went out while another was in flight since the
    /// count last settled.
    overlapped: bool,
    /// The last contact answered: (JID, its state after the answer).
    last: Option<(String, bool)>,
}

/// Every instance's requests in flight and whether their answers raced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settling {
    tracks: HashMap<usize, Track>,
}

impl Settling {
    /// Notes the block requests among `jobs` as sent.
    pub fn sent<'a>(&mut self, jobs: impl IntoIterator<Item = &'a Job>) {
        for job in jobs {
            let instance = match job {
                Job::Api(ApiCall::Block(call)) => call.item.instance,
                Job::Api(ApiCall::Settle { instance, .. }) => *instance,
                _ => continue,
            };
            let track = self.tracks.entry(instance).or_default();
            track.overlapped |= track.in_flight > 0;
            track.in_flight += 1;
        }
    }

    /// Notes an answer on `instance`; `state` is the contact's state it
    /// confirmed (`None` for a failure or a settling answer); `more` says
    /// that requests of that instance are still to be sent (a batch's
    /// queue). Returns the settling request to send, when the answers
    /// raced and none is left or to come.
    pub fn answered(
        &mut self,
        instance: usize,
        jid: &str,
        state: Option<bool>,
        more: bool,
    ) -> Option<Job> {
        let track = self.tracks.entry(instance).or_default();
        track.in_flight = track.in_flight.saturating_sub(1);
        if let Some(blocked) = state {
            track.last = Some((jid.to_string(), blocked));
        }
        if track.in_flight > 0 || more || !track.overlapped {
            return None;
        }
        let (jid, block) = track.last.clone()?;
        track.overlapped = false;
        Some(Job::Api(ApiCall::Settle {
            instance,
            jid,
            block,
        }))
    }

    /// Whether a request of `instance` is still out.
    pub fn busy(&self, instance: usize) -> bool {
        self.tracks.get(&instance).is_some_and(|t| t.in_flight > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(instance: usize, digits: &str) -> Job {
        Job::Api(ApiCall::Block(crate::protocol::BlockCall {
            item: crate::protocol::Item {
                instance,
                jid: format!("{digits}@s.whatsapp.net"),
                lid: None,
                block: true,
                action: None,
                reason: None,
            },
            action: 1,
            batch: None,
            reason: None,
        }))
    }

    #[test]
    fn one_at_a_time_needs_no_settling() {
        let mut s = Settling::default();
        s.sent([&block(0, "1")]);
        assert_eq!(s.answered(0, "1@s.whatsapp.net", Some(true), false), None);
        s.sent([&block(0, "2")]);
        assert_eq!(s.answered(0, "2@s.whatsapp.net", Some(true), false), None);
        assert!(!s.busy(0));
    }

    #[test]
    fn overlapping_answers_settle_once_when_the_last_is_in() {
        let mut s = Settling::default();
        s.sent([&block(0, "1"), &block(0, "2"), &block(1, "3")]);
        assert_eq!(s.answered(0, "2@s.whatsapp.net", Some(true), false), None);
        assert_eq!(
            s.answered(1, "3@s.whatsapp.net", Some(true), false),
            None,
            "alone on its instance"
        );
        let settle = s.answered(0, "1@s.whatsapp.net", Some(false), false);
        assert_eq!(
            settle,
            Some(Job::Api(ApiCall::Settle {
                instance: 0,
                jid: "1@s.whatsapp.net".into(),
                block: false
            }))
        );
        s.sent(settle.as_ref());
        assert!(s.busy(0));
        assert_eq!(
            s.answered(0, "1@s.whatsapp.net", None, false),
            None,
            "settled"
        );
        assert!(!s.busy(0));
    }

    #[test]
    fn an_action_during_settling_settles_again() {
        let mut s = Settling::default();
        s.sent([&block(0, "1"), &block(0, "2")]);
        s.answered(0, "1@s.whatsapp.net", Some(true), false);
        let settle = s
            .answered(0, "2@s.whatsapp.net", Some(true), false)
            .unwrap();
        s.sent([&settle]);
        s.sent([&block(0, "3")]);
        assert_eq!(s.answered(0, "2@s.whatsapp.net", None, false), None);
        assert!(
            s.answered(0, "3@s.whatsapp.net", Some(true), false)
                .is_some()
        );
    }

    #[test]
    fn a_lull_while_a_batch_still_has_items_to_send_settles_nothing() {
        let mut s = Settling::default();
        s.sent([&block(0, "1"), &block(0, "2")]);
        assert_eq!(s.answered(0, "1@s.whatsapp.net", Some(true), true), None);
        assert_eq!(
            s.answered(0, "2@s.whatsapp.net", Some(true), true),
            None,
            "more is to come: no restating yet"
        );
        s.sent([&block(0, "3")]);
        assert!(
            s.answered(0, "3@s.whatsapp.net", Some(true), false)
                .is_some(),
            "the last answer settles what raced before"
        );
    }

    #[test]
    fn failures_alone_leave_nothing_to_restate() {
        let mut s = Settling::default();
        s.sent([&block(0, "1"), &block(0, "2")]);
        s.answered(0, "1@s.whatsapp.net", None, false);
        assert_eq!(s.answered(0, "2@s.whatsapp.net", None, false), None);
    }
}
