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
    /// [`CLAIM_STALE_SECS`], or it is a run of this machine that is not
    /// running any more (or this very run).
    pub fn is_free(&self, now: i64) -> bool {
        let me = i64::from(std::process::id());
        let ended_here = self.host.as_deref() == Some(this_host().as_str())
            && self.pid.is_some_and(|pid| pid == me || !process_alive(pid));
        self.operator.is_none()
            || self.at.is_none_or(|at| at < now - CLAIM_STALE_SECS)
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

/// Whether process `pid` of this machine still runs.
fn process_alive(pid: i64) -> bool {
    #[cfg(unix)]
    {
        let Some(pid) = i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        else {
            return false;
        };
        // Signal 0: nothing is sent, only whether the process exists.
        rustix::process::test_kill_process(pid).is_ok()
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
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
        let mine = Holder {
            pid: Some(i64::from(std::process::id())),
            host: Some(this_host()),
            ..busy
        };
        assert!(mine.is_free(now));
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
