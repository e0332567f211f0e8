//! The offer, at start, to resume a batch the last run left unfinished.

use ratatui::crossterm::event::KeyEvent;

use super::after::{Step, close, stay};
use crate::app::batch::{Item, items_left};
use crate::app::bulk::resume;
use crate::app::confirm::{Answer, answer};
use crate::app::core::Core;
use crate::app::effect::Effect;
use crate::app::ops::info;
use crate::protocol::LedgerWrite;
use crate::store::ledger::UnfinishedBatch;

/// An unfinished batch offered for resuming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumeOffer {
    /// Its ledger id.
    pub batch: i64,
    /// What it was.
    pub label: String,
    /// Unix time it was made.
    pub created_at: i64,
    /// Items in all and confirmed done.
    pub total: usize,
    /// Items confirmed done.
    pub done: usize,
    /// What is left, with ledger action ids.
    pub items: Vec<Item>,
    /// What it sends, as the bulk dialog names it: `block +55 11 9…,
    /// +44 7400 123456 and 3 more on sales`.
    pub sends: String,
    /// The rows of the ledger it skips, and why, when any.
    pub skipped: Option<String>,
}

/// `block +55 11 9…, +44 … and N more on sales`: the first few numbers of
/// each change and instance, as the bulk dialog names its contacts.
fn sends(state: &Core, items: &[Item]) -> String {
    const NAMED: usize = 3;
    let mut parts = Vec::new();
    for block in [true, false] {
        for (i, inst) in state.instances.iter().enumerate() {
            let jids: Vec<&str> = items
                .iter()
                .filter(|it| it.instance == i && it.block == block)
                .map(|it| it.jid.as_str())
                .collect();
            if jids.is_empty() {
                continue;
            }
            let mut names: Vec<String> = jids
                .iter()
                .take(NAMED)
                .map(|j| crate::model::number::shown_jid(j))
                .collect();
            if jids.len() > NAMED {
                names.push(format!("and {} more", jids.len() - NAMED));
            }
            let verb = crate::model::change::Change::of(block).verb();
            parts.push(format!("{verb} {} on {}", names.join(", "), inst.name));
        }
    }
    parts.join(" · ")
}

/// At start: the offer of the first unfinished batch whose instances
/// still exist (and are not read-only), if any.
pub(crate) fn offer(state: &mut Core, batches: Vec<UnfinishedBatch>) -> Option<ResumeOffer> {
    for b in batches {
        let left = items_left(
            &b,
            |name| state.instances.iter().position(|i| i.name == name),
            |i, jid| state.instances[i].is_own(jid),
        );
        let skipped = left.skipped_text();
        let items = left.items;
        if items.is_empty() {
            if let Some(skipped) = skipped {
                info(
                    state,
                    format!("an unfinished batch ({}): {skipped}", b.label),
                );
            }
            continue;
        }
        if items.iter().any(|i| state.instances[i.instance].read_only) {
            info(
                state,
                format!(
                    "an unfinished batch ({}) waits for a run that is not read-only: it is not offered now",
                    b.label
                ),
            );
            continue;
        }
        return Some(ResumeOffer {
            batch: b.id,
            label: b.label,
            created_at: b.created_at,
            total: b.total,
            done: b.done,
            sends: sends(state, &items),
            items,
            skipped,
        });
    }
    None
}

/// Keys of the resume offer: `y` resumes, `n` (Esc, Ctrl-C) discards.
/// Its data: the offer, and whether Resume (not Discard) has the focus.
pub(crate) fn on_resume_key(
    state: &mut Core,
    offer: ResumeOffer,
    resume_focused: bool,
    key: KeyEvent,
) -> Step<(ResumeOffer, bool)> {
    let mut resume_focused = resume_focused;
    let chosen = match answer(&state.keymap.dialog, &key, &mut resume_focused) {
        Answer::Yes => true,
        Answer::No => false,
        Answer::Open => return stay((offer, resume_focused)),
    };
    if !chosen {
        info(
            state,
            format!("discarded the unfinished batch: {}", offer.label),
        );
        return close(vec![Effect::write(LedgerWrite::CloseBatch {
            batch: offer.batch,
            status: crate::store::ledger::BatchStatus::Cancelled,
        })]);
    }
    close(resume(state, offer.batch, &offer.label, offer.items))
}
