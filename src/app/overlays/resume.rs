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
}

/// At start: the offer of the first unfinished batch whose instances
/// still exist (and are not read-only), if any.
pub(crate) fn offer(state: &mut Core, batches: Vec<UnfinishedBatch>) -> Option<ResumeOffer> {
    for b in batches {
        let items = items_left(&b, |name| {
            state.instances.iter().position(|i| i.name == name)
        });
        if items.is_empty() {
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
            items,
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
