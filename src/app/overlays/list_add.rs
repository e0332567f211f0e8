//! Adding numbers to the blocklist (`W`): `Why?` first (typed, or Tab
//! through the profile's `reasons`; Enter with nothing typed adds without
//! a reason), then `Until?` (a span such as `30d` or `12h`, or an RFC 3339
//! time; Enter with nothing typed: it never expires). Esc adds nothing.
//! Nothing is sent to any instance: the plan (`p` in the Blocklist view)
//! says what following the list does, and `y` there sends it.

use ratatui::crossterm::event::KeyEvent;

use super::after::{Step, close, stay};
use crate::app::core::Core;
use crate::app::effect::Effect;
use crate::app::line::{Edit, edit};
use crate::app::list_view::add::Adding;
use crate::app::ops::{error, info};
use crate::keys::{Keymap, LineAction};
use crate::model::blocklist::Entry;
use crate::protocol::{LedgerWrite, ListChange};
use crate::util::dates::{parse_rfc3339, parse_span, short};

/// Where the list keeps what the screen adds.
pub const SOURCE: &str = "manual";

/// The numbers to add, and the answers so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListAsk {
    /// What is added.
    pub adding: Adding,
    /// The reason, once `Why?` was answered (`Some(None)`: none given).
    pub reason: Option<Option<String>>,
    /// What is typed now.
    pub text: String,
}

impl ListAsk {
    /// A new question for `adding`.
    pub fn new(adding: Adding) -> ListAsk {
        ListAsk {
            adding,
            reason: None,
            text: String::new(),
        }
    }

    /// The prompt of the question asked now.
    pub fn prompt(&self) -> &'static str {
        if self.reason.is_none() {
            "Why? "
        } else {
            "Until? "
        }
    }
}

/// When typed `text` makes the entries expire, at `now`: `None` when
/// nothing is typed (never), or why the text is not a time.
pub fn until(text: &str, now: i64) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(span) = parse_span(text) {
        return Ok(Some(now.saturating_add(span)));
    }
    match parse_rfc3339(text) {
        Ok(at) if at <= now => Err("that time is past".to_string()),
        Ok(at) => Ok(Some(at)),
        Err(_) => Err(format!(
            "{text:?} is not a time: a span (30d, 12h, 2w) or a time (2026-12-31T23:59:59Z); nothing typed: it never expires"
        )),
    }
}

/// What the `Until?` line says of what is typed: `→ until 2026-12-31
/// 09:12 UTC`, `→ never expires`, or why not.
pub fn until_preview(text: &str, now: i64) -> Result<String, String> {
    until(text, now).map(|at| match at {
        Some(at) => format!("→ until {} UTC", short(at)),
        None => "→ never expires".to_string(),
    })
}

/// Keys while a question is typed.
pub(crate) fn on_key(core: &mut Core, mut ask: ListAsk, key: KeyEvent) -> Step<ListAsk> {
    match edit(&mut ask.text, &key, &core.keymap.line) {
        Edit::Cancel => {
            info(core, "nothing added to the blocklist");
            close(Vec::new())
        }
        Edit::Complete if ask.reason.is_none() => {
            ask.text = super::reason::next_choice(&core.reasons, &ask.text);
            stay(ask)
        }
        Edit::Submit if ask.reason.is_none() => {
            ask.reason = Some(crate::model::change::reason_of(&ask.text));
            ask.text.clear();
            stay(ask)
        }
        Edit::Submit => match until(&ask.text, core.now) {
            Ok(expires) => close(add(core, ask, expires)),
            Err(why) => {
                error(core, format!("{why} · nothing added yet"));
                stay(ask)
            }
        },
        Edit::Complete | Edit::Changed | Edit::Unchanged => stay(ask),
    }
}

/// Gives the entries to the ledger; the view reads the list again once
/// it took them.
fn add(core: &mut Core, ask: ListAsk, expires: Option<i64>) -> Vec<Effect> {
    let reason = ask.reason.flatten();
    let entries: Vec<Entry> = ask
        .adding
        .targets
        .iter()
        .map(|target| Entry {
            target: target.clone(),
            reason: reason.clone(),
            source: SOURCE.to_string(),
            operator: None,
            added: core.now,
            expires,
            removed: None,
        })
        .collect();
    let mut what = vec![reason.unwrap_or_else(|| "no reason".to_string())];
    what.push(match expires {
        Some(at) => format!("until {} UTC", short(at)),
        None => "never expires".to_string(),
    });
    if ask.adding.hidden > 0 {
        what.push(format!("{} by its @lid", ask.adding.hidden));
    }
    let text = format!("{} ({})", ask.adding.about(), what.join(" · "));
    info(core, format!("adding to the blocklist: {text}…"));
    core.list_view.adding = Some(text);
    vec![Effect::write(LedgerWrite::Blocklist(ListChange::Add(
        entries,
    )))]
}

/// The footer's keys while a question is typed: `Why?` chooses among the profile's reasons with Tab; `Until?` adds.
pub(crate) fn hints(keymap: &Keymap, ask: &ListAsk) -> Vec<(String, &'static str)> {
    if ask.reason.is_some() {
        return keymap
            .line
            .hints(&[(LineAction::Submit, "add"), (LineAction::Cancel, "cancel")]);
    }
    keymap.line.hints(&[
        (LineAction::Submit, "next"),
        (LineAction::Complete, "choose"),
        (LineAction::Cancel, "cancel"),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn until_takes_a_span_a_time_or_nothing_and_refuses_the_past() {
        let now = 1_800_000_000;
        assert_eq!(until("", now), Ok(None));
        assert_eq!(until(" 30d ", now), Ok(Some(now + 30 * 86_400)));
        assert_eq!(
            until("2027-06-01T08:00:00Z", now),
            Ok(Some(parse_rfc3339("2027-06-01T08:00:00Z").unwrap()))
        );
        assert_eq!(
            until("2020-01-01T00:00:00Z", now),
            Err("that time is past".to_string())
        );
        assert!(until("tomorrow", now).unwrap_err().contains("not a time"));
        assert_eq!(until_preview("", now), Ok("→ never expires".to_string()));
    }
}
