//! The rules every ledger backend applies alike: who may resume a batch,
//! and which `@lid` an answer may give a contact.

use super::contract::CLAIM_STALE_SECS;
use crate::model::number::{JidKind, is_valid_jid, jid_kind};

/// Who holds a batch, as its row says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Holder {
    /// The operator holding it.
    pub operator: Option<String>,
    /// Unix time of its last progress.
    pub at: Option<i64>,
    /// The holding process.
    pub pid: Option<i64>,
    /// The holding process's machine.
    pub host: Option<String>,
}

impl Holder {
    /// Whether a claim may take the batch from this holder at `now`:
    /// nobody holds it, its holder made no progress for
    /// [`CLAIM_STALE_SECS`], its progress is stamped more than
    /// [`CLAIM_SKEW_SECS`] in the future (a clock running ahead, or a
    /// forged row, never locks a batch for ever), or it is a run of this
    /// machine that is not running any more (gone, or a zombie), or this
    /// very run.
    pub fn is_free(&self, now: i64) -> bool {
        let me = i64::from(std::process::id());
        let ended_here = self.host.as_deref() == Some(this_host().as_str())
            && self.pid.is_some_and(|pid| pid == me || !process_alive(pid));
        self.operator.is_none()
            || self.at.is_none_or(|at| {
                at < now.saturating_sub(CLAIM_STALE_SECS)
                    || at > now.saturating_add(CLAIM_SKEW_SECS)
            })
            || ended_here
    }
}

/// This machine's name, to tell its own runs' claims from others'.
pub(super) fn this_host() -> String {
    #[cfg(unix)]
    {
        rustix::system::uname()
            .nodename()
            .to_string_lossy()
            .into_owned()
    }
    #[cfg(not(unix))]
    {
        std::env::var("COMPUTERNAME").unwrap_or_default()
    }
}

/// How far in the future a claim's progress may be stamped (clocks of
/// two desks differ a little) before it counts as stale.
pub const CLAIM_SKEW_SECS: i64 = 60;

/// Whether process `pid` of this machine still runs: it exists and, on
/// Linux, is not a zombie (a run killed with `kill -9` stays one until
/// its parent reaps it).
fn process_alive(pid: i64) -> bool {
    #[cfg(unix)]
    {
        let Ok(raw) = i32::try_from(pid) else {
            return false;
        };
        let Some(pid) = rustix::process::Pid::from_raw(raw) else {
            return false;
        };
        // Signal 0: nothing is sent, only whether the process exists.
        rustix::process::test_kill_process(pid).is_ok() && !is_zombie(raw)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Whether process `pid` is a zombie (or dead) by `/proc/PID/stat`: its
/// state, the first field after the command's closing bracket, is `Z`
/// or `X`. Elsewhere than Linux, never.
#[cfg(unix)]
fn is_zombie(pid: i32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let state = stat
        .rfind(')')
        .and_then(|at| stat[at + 1..].split_whitespace().next());
    matches!(state, Some("Z" | "X"))
}

/// How far apart (in seconds, by the server's `Date`, which has whole
/// seconds) two answers must be to be ordered with confidence.
pub const ORDER_WINDOW_SECS: i64 = 2;

/// One answer about a contact, as ordering sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Answer {
    /// Blocked after it.
    pub blocked: bool,
    /// The desk that asked.
    pub operator: Option<String>,
    /// The server's clock when it answered, when it said.
    pub server_at: Option<i64>,
    /// The desk's clock when it was recorded.
    pub recorded_at: i64,
    /// The contest it already carries (for the one kept in the ledger).
    pub contest: Option<String>,
}

/// What the ledger keeps of a contact after a new answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Kept {
    /// The new answer, with the contest it leaves (`None`: settled).
    New(Option<String>),
    /// The answer already kept (the new one is older by the server's
    /// clock), with the contest it leaves.
    Old(Option<String>),
}

/// The one rule for answers of several desks: an answer is ordered by
/// the server's clock (its `Date`), never by a desk's; the later one is
/// the contact's state. Two answers of different desks that disagree and
/// are less than [`ORDER_WINDOW_SECS`] apart by that clock (or lack it)
/// cannot be ordered: the one recorded last is kept and the contact is
/// contested (`desk-a blocked, desk-b unblocked 2 s apart`) until an
/// answer clearly after both settles it.
pub(super) fn order(old: Option<&Answer>, new: &Answer) -> Kept {
    let Some(old) = old else {
        return Kept::New(None);
    };
    if let (Some(was), Some(now)) = (old.server_at, new.server_at) {
        if now > was.saturating_add(ORDER_WINDOW_SECS) {
            return Kept::New(None);
        }
        if was > now.saturating_add(ORDER_WINDOW_SECS) {
            return Kept::Old(old.contest.clone());
        }
    }
    let other_desk = old.operator != new.operator;
    if old.blocked == new.blocked || !other_desk {
        // Agreeing, or one desk's own sequence (each request of a desk is
        // sent after the last answer): no new conflict.
        return Kept::New(old.contest.clone().filter(|_| other_desk));
    }
    let at = |a: &Answer| a.server_at.unwrap_or(a.recorded_at);
    let gap = at(new).saturating_sub(at(old)).unsigned_abs();
    let word = |a: &Answer| crate::model::change::Change::of(a.blocked).done_word();
    let who = |a: &Answer| a.operator.clone().unwrap_or_else(|| "a desk".into());
    let (first, second) = if at(old) <= at(new) {
        (old, new)
    } else {
        (new, old)
    };
    let contest = format!(
        "{} {}, {} {} {gap} s apart",
        who(first),
        word(first),
        who(second),
        word(second)
    );
    if at(new) >= at(old) {
        Kept::New(Some(contest))
    } else {
        Kept::Old(Some(contest))
    }
}

/// The `@lid` a successful answer gives the contact `jid`: the one it
/// already had, else the answer's `contact_jid` when that is a valid
/// `@lid` that no other contact of the instance holds (`taken`).
pub(super) fn adopted_lid(
    known: Option<String>,
    jid: &str,
    contact_jid: &str,
    taken: bool,
) -> Option<String> {
    known.or_else(|| {
        (jid_kind(contact_jid) == JidKind::Lid
            && is_valid_jid(contact_jid)
            && contact_jid != jid
            && !taken)
            .then(|| contact_jid.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holder_is_free_when_absent_stale_or_ended_here() {
        let now = 10_000;
        assert!(Holder::default().is_free(now));
        let busy = Holder {
            operator: Some("desk-2".into()),
            at: Some(now - 5),
            pid: Some(1),
            host: Some("elsewhere".into()),
        };
        assert!(!busy.is_free(now));
        let stale = Holder {
            at: Some(now - CLAIM_STALE_SECS - 1),
            ..busy.clone()
        };
        assert!(stale.is_free(now));
        for future in [now + CLAIM_SKEW_SECS + 1, 32_503_680_000, i64::MAX] {
            let ahead = Holder {
                at: Some(future),
                ..busy.clone()
            };
            assert!(ahead.is_free(now), "a claim stamped at {future} is stale");
        }
        let a_little_ahead = Holder {
            at: Some(now + 5),
            ..busy.clone()
        };
        assert!(!a_little_ahead.is_free(now), "clocks differ a little");
        assert!(
            Holder {
                at: Some(i64::MIN),
                ..busy.clone()
            }
            .is_free(now)
        );
        let mine = Holder {
            pid: Some(i64::from(std::process::id())),
            host: Some(this_host()),
            ..busy
        };
        assert!(mine.is_free(now));
    }

    fn answer(blocked: bool, operator: &str, server_at: Option<i64>) -> Answer {
        Answer {
            blocked,
            operator: Some(operator.into()),
            server_at,
            recorded_at: 1_000,
            contest: None,
        }
    }

    #[test]
    fn answers_are_ordered_by_the_servers_clock_and_close_disagreements_are_contested() {
        let a = answer(true, "desk-a", Some(100));
        assert_eq!(order(None, &a), Kept::New(None));
        // Clearly later by the server: it is the state, whatever the desks' clocks.
        assert_eq!(
            order(Some(&a), &answer(false, "desk-b", Some(110))),
            Kept::New(None)
        );
        // Clearly earlier (an answer that arrived late): the ledger keeps the later.
        let late = answer(false, "desk-b", Some(90));
        assert_eq!(order(Some(&a), &late), Kept::Old(None));
        // Two desks, opposite answers 2 s apart: contested, the later kept.
        let b = answer(false, "desk-b", Some(102));
        let contest = "desk-a blocked, desk-b unblocked 2 s apart".to_string();
        assert_eq!(order(Some(&a), &b), Kept::New(Some(contest.clone())));
        let b_earlier = answer(false, "desk-b", Some(99));
        assert_eq!(
            order(Some(&a), &b_earlier),
            Kept::Old(Some("desk-b unblocked, desk-a blocked 1 s apart".into()))
        );
        // Without the server's clock nothing can be ordered.
        let blind = answer(false, "desk-b", None);
        assert!(matches!(
            order(Some(&a), &blind),
            Kept::New(Some(_)) | Kept::Old(Some(_))
        ));
        // One desk's own toggles are its own sequence.
        assert_eq!(
            order(Some(&a), &answer(false, "desk-a", Some(101))),
            Kept::New(None)
        );
        // A fresh answer clearly after both settles it.
        let contested = Answer {
            contest: Some(contest.clone()),
            ..b.clone()
        };
        assert_eq!(
            order(Some(&contested), &answer(true, "desk-c", Some(110))),
            Kept::New(None)
        );
        // One that agrees, close by, leaves it contested.
        assert_eq!(
            order(Some(&contested), &answer(false, "desk-c", Some(103))),
            Kept::New(Some(contest))
        );
    }

    #[test]
    fn only_a_valid_free_lid_is_adopted() {
        let jid = "5511999990001@s.whatsapp.net";
        assert_eq!(
            adopted_lid(None, jid, "12345678901234@lid", false).as_deref(),
            Some("12345678901234@lid")
        );
        assert_eq!(adopted_lid(None, jid, "12345678901234@lid", true), None);
        assert_eq!(adopted_lid(None, jid, jid, false), None);
        assert_eq!(
            adopted_lid(Some("1@lid".into()), jid, "12345678901234@lid", false).as_deref(),
            Some("1@lid")
        );
    }
}
