//! The offer, at start, to resume a batch the last run left unfinished.

use ratatui::crossterm::event::KeyEvent;

use crate::app::batch::{Item, items_left};
use crate::app::bulk::resume;
use crate::app::confirm::{Answer, answer};
use crate::app::msg::{ApiJob, Effect};
use crate::app::ops::info;
use crate::app::state::{Overlay, State};
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

/// At start: offers the first unfinished batch whose instances still exist.
pub(crate) fn on_unfinished(state: &mut State, batches: Vec<UnfinishedBatch>) {
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
        state.overlay = Some(Overlay::Resume {
            offer: ResumeOffer {
                batch: b.id,
                label: b.label,
                created_at: b.created_at,
                total: b.total,
                done: b.done,
                items,
            },
            resume_focused: false,
        });
        return;
    }
}

/// Keys of the resume offer: `y` resumes, `n` (Esc, Ctrl-C) discards.
pub(crate) fn on_resume_key(
    state: &mut State,
    offer: ResumeOffer,
    resume_focused: bool,
    key: KeyEvent,
) -> Vec<Effect> {
    let mut resume_focused = resume_focused;
    let chosen = match answer(&state.keymap.dialog, &key, &mut resume_focused) {
        Answer::Yes => true,
        Answer::No => false,
        Answer::Open => {
            state.overlay = Some(Overlay::Resume {
                offer,
                resume_focused,
            });
            return Vec::new();
        }
    };
    if !chosen {
        info(
            state,
            format!("discarded the unfinished batch: {}", offer.label),
        );
        return vec![Effect::Api(ApiJob::CloseBatch {
            batch: offer.batch,
            status: crate::store::ledger::BatchStatus::Cancelled,
        })];
    }
    resume(state, offer.batch, &offer.label, offer.items)
}
