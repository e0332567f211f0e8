//! The details overlay (`Enter`): everything known of one row. Every
//! name field, the number in its country's format with its E.164 form,
//! the JID and the `@lid`, what the ledger knows, the last error in full,
//! and the ledger's actions on it. Pure, so the overlay scrolls over the
//! lines it draws.

use super::history;
use crate::app::core::{Instance, Pager};
use crate::app::lookup_state::Stand;
use crate::app::pager::LineKind;
use crate::model::change::Change;
use crate::model::contacts::ContactRef;
use crate::model::identity::Identity;
use crate::model::number::{phone_digits, read_typed};
use crate::util::text::{fit, wrap};

/// A contact's details (`Enter`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailsView {
    /// The instance.
    pub instance: usize,
    /// The row's JID (a contact, or a number not in contacts).
    pub jid: String,
    /// The list row it was opened on (see [`Instance::row`]).
    pub row: u32,
    /// Scrolling.
    pub pager: Pager,
    /// The ledger's actions on this instance, once read.
    pub history: Option<Result<Vec<crate::store::ledger::HistoryEntry>, String>>,
}

/// Label column width.
const LABEL: usize = 15;

/// The number to copy with `y`: E.164 for a phone JID, else the JID.
pub fn copy_text(jid: &str) -> String {
    phone_digits(jid).map_or_else(|| jid.to_string(), |d| format!("+{d}"))
}

/// The row the details are of, and whether it is a contact (not a number
/// only the ledger knows): the row they were opened on, in one step, or,
/// when the list was reloaded since, found again by its JID.
fn row_of<'a>(view: &DetailsView, inst: &'a Instance) -> Option<(ContactRef<'a>, bool)> {
    if let Some(c) = inst.row(view.row).filter(|c| c.jid() == view.jid) {
        return Some((c, !inst.is_outsider(view.row)));
    }
    match inst.contacts.find(&view.jid) {
        Some(c) => Some((c, true)),
        None => inst.outsiders.find(&view.jid).map(|c| (c, false)),
    }
}

/// The `@lid` and the name of the row the details are of, for `b`: as
/// the list names it, or its number when it is no longer listed.
pub(crate) fn target(view: &DetailsView, inst: &Instance) -> (Option<String>, String) {
    match row_of(view, inst) {
        Some((c, _)) => (c.lid().map(str::to_string), c.describe()),
        None => (None, crate::model::number::shown_jid(&view.jid)),
    }
}

/// Lines being written: headings, and fields with their labels in a
/// column.
struct Sheet {
    lines: Vec<(LineKind, String)>,
    /// Columns the values wrap in.
    room: usize,
}

impl Sheet {
    fn heading(&mut self, title: impl Into<String>) {
        if !self.lines.is_empty() {
            self.lines.push((LineKind::Text, String::new()));
        }
        self.lines.push((LineKind::InfoHeading, title.into()));
    }

    fn field(&mut self, label: &str, value: &str) {
        for (n, part) in wrap(value, self.room).into_iter().enumerate() {
            let head = if n == 0 { label } else { "" };
            self.lines
                .push((LineKind::Text, format!("{head:<LABEL$}{part}")));
        }
    }

    fn detail(&mut self, text: impl Into<String>) {
        self.lines.push((LineKind::Detail, text.into()));
    }
}

/// The details at `width` columns; with a `search`, only the lines that
/// contain it.
pub fn lines(
    view: &DetailsView,
    inst: &Instance,
    who: Stand<'_>,
    width: usize,
    now: i64,
) -> Vec<(LineKind, String)> {
    let mut sheet = Sheet {
        lines: Vec::new(),
        room: width.saturating_sub(LABEL).max(1),
    };
    let (row, is_contact) = match row_of(view, inst) {
        Some((c, is_contact)) => (Some(c), is_contact),
        None => (None, false),
    };
    let lid = row.as_ref().and_then(|c| c.lid());
    sheet.heading("Names");
    match row.as_ref().filter(|_| is_contact) {
        Some(c) => {
            for (label, value) in c.name_fields() {
                sheet.field(label, if value.is_empty() { "—" } else { value });
            }
        }
        None => sheet.field("", "not in contacts"),
    }
    number_section(&mut sheet, &view.jid, lid);
    whatsapp_section(&mut sheet, who, now);
    state_section(&mut sheet, view, inst, lid, width, now);
    sheet.heading("History");
    let name = row
        .as_ref()
        .filter(|c| is_contact && !c.display_name().is_empty())
        .map(|c| c.display_name());
    history_section(&mut sheet, view, lid, name, width);
    let mut lines = sheet.lines;
    let search = view.pager.search.to_lowercase();
    if !search.is_empty() {
        lines.retain(|(_, l)| l.to_lowercase().contains(&search));
    }
    lines
}

/// The number as libphonenumber reads it, its E.164, JID and `@lid`.
fn number_section(sheet: &mut Sheet, jid: &str, lid: Option<&str>) {
    sheet.heading("Number");
    match phone_digits(jid) {
        Some(d) => {
            let preview = read_typed(&format!("+{d}"), None)
                .map(|t| t.preview())
                .unwrap_or_else(|e| format!("+{d} ({})", e.brief()));
            sheet.field("number", &preview);
            sheet.field("E.164", &format!("+{d}"));
        }
        None => sheet.field("number", "hidden number"),
    }
    sheet.field("JID", jid);
    sheet.field("@lid", lid.unwrap_or("—"));
}

/// Who it is on WhatsApp, when it was looked up (a number that is no
/// contact, a hidden number resolved to its number).
fn whatsapp_section(sheet: &mut Sheet, who: Stand<'_>, now: i64) {
    let looked = match who {
        Stand::Unasked => return,
        Stand::Asking => {
            sheet.heading("On WhatsApp");
            sheet.field("lookup", "looking up…");
            return;
        }
        Stand::Failed(why) => {
            sheet.heading("On WhatsApp");
            sheet.field("lookup", &format!("failed: {why}"));
            return;
        }
        Stand::Known(l) => l,
    };
    sheet.heading("On WhatsApp");
    sheet.field("lookup", &looked.words());
    if let Identity::OnWhatsApp { jid, lid, .. } = &looked.identity {
        let number = crate::model::number::shown_jid(jid);
        sheet.field("keyed as", &format!("{jid} ({number})"));
        sheet.field("its @lid", lid.as_deref().unwrap_or("—"));
    }
    sheet.field("looked up", &crate::util::dates::age(now, looked.at));
}

/// What the ledger knows of it on this instance, a request in flight, the
/// last error.
fn state_section(
    sheet: &mut Sheet,
    view: &DetailsView,
    inst: &Instance,
    lid: Option<&str>,
    width: usize,
    now: i64,
) {
    sheet.heading(format!("On {}", inst.name));
    let why = inst
        .why_of(&view.jid, lid)
        .map(|w| format!(" {}", w.words()))
        .unwrap_or_default();
    let known = match inst.known_of_jid(&view.jid, lid) {
        Some(k) => format!(
            "{} {}{why} · {} (ledger)",
            if k.blocked {
                "⊘ blocked"
            } else {
                "unblocked"
            },
            crate::util::dates::age(now, k.at),
            crate::util::dates::rfc3339(k.at)
        ),
        None => "not known: this app has not blocked or unblocked it".to_string(),
    };
    let known = match inst.contest_of(&view.jid, lid) {
        Some(contest) => format!("{known} · contested: {contest}"),
        None => known,
    };
    sheet.field("state", &known);
    if let Some(p) = inst.pending.get(&view.jid) {
        sheet.field(
            "in flight",
            &format!("{}…", Change::of(p.sending).progressive()),
        );
    }
    if let Some(error) = inst.last_error.get(&view.jid) {
        sheet
            .lines
            .push((LineKind::ErrorHeading, "Last error".to_string()));
        for part in wrap(error, width.saturating_sub(2)) {
            sheet.detail(format!("  {part}"));
        }
    }
}

/// The ledger's requests about this contact (by JID or `@lid`), newest
/// first, once read.
fn history_section(
    sheet: &mut Sheet,
    view: &DetailsView,
    lid: Option<&str>,
    name: Option<String>,
    width: usize,
) {
    match &view.history {
        None => sheet.detail("reading the ledger…"),
        Some(Err(e)) => sheet
            .lines
            .push((LineKind::ErrorHeading, fit(&format!("✖ {e}"), width))),
        Some(Ok(entries)) => {
            let mine: Vec<_> = entries
                .iter()
                .filter(|e| e.jid == view.jid || Some(e.jid.as_str()) == lid)
                .cloned()
                .collect();
            if mine.is_empty() {
                sheet.detail("nothing asked of the server yet");
            } else {
                let names = name.map(|n| (view.jid.clone(), n)).into_iter().collect();
                sheet.lines.extend(history::lines(&mine, &names, "", width));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::RemoteContact;
    use crate::api::contacts::store_from;
    use crate::app::core::{Known, Pager};
    use crate::store::ledger::{HistoryEntry, HistoryResult};
    use std::sync::Arc;

    #[test]
    fn every_field_the_number_the_ids_the_state_the_error_and_the_history() {
        let mut inst = Instance::new("sales", None);
        inst.contacts = Arc::new(store_from([RemoteContact {
            jid: "447912345678@s.whatsapp.net".into(),
            lid: Some("123456789@lid".into()),
            first_name: Some("Tom".into()),
            full_name: Some("Tom Jones".into()),
            push_name: Some("tj".into()),
            business_name: None,
        }]));
        inst.remember(
            "447912345678@s.whatsapp.net",
            None,
            Known {
                blocked: true,
                at: 0,
            },
        );
        inst.last_error.insert(
            "447912345678@s.whatsapp.net".into(),
            "Instance is not connected (HTTP 503) · connect the phone".into(),
        );
        let view = DetailsView {
            instance: 0,
            jid: "447912345678@s.whatsapp.net".into(),
            row: 0,
            pager: Pager::default(),
            history: Some(Ok(vec![HistoryEntry {
                id: 1,
                instance: "sales".into(),
                jid: "447912345678@s.whatsapp.net".into(),
                lid: None,
                block: true,
                requested_at: 0,
                result: HistoryResult::Done(Some(1)),
                operator: None,
                reason: None,
            }])),
        };
        let text: String = lines(&view, &inst, Stand::Unasked, 70, 90)
            .into_iter()
            .map(|(_, l)| l + "\n")
            .collect();
        for part in [
            "full name      Tom Jones",
            "first name     Tom",
            "business name  —",
            "push name      tj",
            "+44 7912 345678 · United Kingdom · mobile",
            "E.164          +447912345678",
            "JID            447912345678@s.whatsapp.net",
            "@lid           123456789@lid",
            "⊘ blocked 1m ago · 1970-01-01T00:00:00Z (ledger)",
            "Instance is not connected (HTTP 503) · connect the phone",
            "block · done",
        ] {
            assert!(text.contains(part), "{part:?} missing in\n{text}");
        }
        assert_eq!(copy_text(&view.jid), "+447912345678");
        assert_eq!(copy_text("1@lid"), "1@lid");
    }
}
