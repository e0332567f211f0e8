//! The blocklist as a ledger keeps it, in any backend: entries read back
//! as input, not truth — a target that is neither a valid number nor a
//! person's JID is no entry (it would be sent).

use crate::model::blocklist::Entry;
use crate::model::number::{JidKind, is_valid_jid, jid_kind, read_typed};

/// Whether `target` may stand in the list: E.164 digits of a valid number
/// (as the reference library reads it), or a person's JID or `@lid`.
pub(super) fn is_target(target: &str) -> bool {
    if target.contains('@') {
        return is_valid_jid(target) && matches!(jid_kind(target), JidKind::Phone | JidKind::Lid);
    }
    target.bytes().all(|b| b.is_ascii_digit()) && read_typed(&format!("+{target}"), None).is_ok()
}

/// An entry read from its columns, when its target may stand in the list.
#[allow(clippy::too_many_arguments)]
pub(super) fn entry(
    target: String,
    reason: Option<String>,
    source: String,
    operator: Option<String>,
    added: i64,
    expires: Option<i64>,
    removed: Option<i64>,
) -> Option<Entry> {
    is_target(&target).then_some(Entry {
        target,
        reason,
        source,
        operator,
        added,
        expires,
        removed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_numbers_and_people_stand_in_the_list() {
        assert!(is_target("5511911110001"));
        assert!(is_target("5511911110001@s.whatsapp.net"));
        assert!(is_target("123456789@lid"));
        for bad in [
            "1203634@g.us",
            "status@broadcast",
            "../../instance/list?x=",
            "12",
            "+5511911110001",
        ] {
            assert!(!is_target(bad), "{bad}");
        }
    }
}
