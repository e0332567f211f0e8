//! What flows into the app's `update`: [`Msg`], and the headless
//! commands it runs as messages ([`Request`]).

use std::sync::Arc;

use ratatui::crossterm::event::{KeyEvent, MouseEvent};

use super::result::JobResult;
use crate::model::contacts::ContactStore;
pub use crate::model::number::list::{Entry, Source};
use crate::store::ledger::UnfinishedBatch;

/// Something that happened: a key, a resize, a timer tick, a worker
/// result, a headless command.
#[derive(Debug, Clone)]
pub enum Msg {
    /// The first message of the terminal UI: asks for the initial loads.
    Start,
    /// A key press (releases are filtered out before).
    Key(KeyEvent),
    /// A mouse event (only with `--mouse`).
    Mouse(MouseEvent),
    /// Text the terminal pasted (bracketed paste): text, never keys.
    Paste(String),
    /// The terminal's new size.
    Resize {
        /// Columns.
        width: u16,
        /// Rows.
        height: u16,
    },
    /// A timer tick (4 per second), with the wall clock in Unix seconds.
    Tick {
        /// Unix time now.
        now: i64,
    },
    /// A worker result.
    Worker(JobResult),
    /// SIGTSTP from outside (`kill -TSTP`): suspend as Ctrl-Z does.
    Suspend,
    /// The contact list saved by the last run, read at start.
    Cached {
        /// The instance.
        instance: usize,
        /// Its contacts.
        store: Arc<ContactStore>,
        /// Unix time it was saved.
        saved_at: i64,
    },
    /// The result of a filter run off the UI path.
    Filtered {
        /// The instance it was for.
        instance: usize,
        /// The job's number.
        generation: u64,
        /// Row numbers in display order.
        rows: Vec<u32>,
    },
    /// Batches a previous run left unfinished, found at start.
    Unfinished(Vec<UnfinishedBatch>),
    /// A token's rate budget as last reported, for the instances using it.
    Budget {
        /// Instances sharing the token.
        instances: Vec<usize>,
        /// Requests left in the window.
        remaining: u32,
        /// Requests per window.
        limit: u32,
    },
    /// WhatsApp throttles the requests of these instances (a 429 with
    /// budget left): they go at half pace until `until`.
    Throttled {
        /// Instances sharing the throttled token.
        instances: Vec<usize>,
        /// Unix time the half pace ends.
        until: i64,
    },
    /// Something to tell the user that did not come from a request (a
    /// damaged cache file moved aside...).
    Notice(String),
    /// Leave now: a signal that would end the process (SIGTERM, SIGHUP,
    /// SIGINT, SIGQUIT, SIGXFSZ), or the terminal's input failed.
    Terminate,
    /// A headless command, run by the same code as the dialogs.
    Request(Request),
    /// The live feed: a frame, or where an instance's socket stands.
    Live(super::live::LiveMsg),
}

/// A headless command the app runs as it runs a dialog's choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `block` / `unblock`: typed numbers on the chosen instances.
    Change(ChangeRequest),
    /// `resume`: what is left of one unfinished batch.
    Resume(UnfinishedBatch),
    /// `list`: one instance's contacts.
    LoadContacts {
        /// The instance.
        instance: usize,
    },
    /// `instances`, `profile check`: every instance's state.
    LoadInstances,
    /// `plan`: what makes these instances follow the blocklist.
    Plan {
        /// The instances.
        instances: Vec<usize>,
    },
    /// `apply`: the plan of these instances, sent; refused when it is not
    /// the plan `id` (when given).
    Apply {
        /// The instances.
        instances: Vec<usize>,
        /// The plan's id as shown.
        id: Option<String>,
    },
    /// `watch`: the live feed of the chosen instances.
    Watch(WatchRequest),
}

/// `watch` from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchRequest {
    /// The instances whose feed is opened (`--instance`, else every one).
    pub instances: Vec<usize>,
}

/// `block` / `unblock` from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRequest {
    /// The numbers, as typed or read from a file.
    pub entries: Vec<Entry>,
    /// The instances chosen (`--instance`, or every one with `--all`).
    pub instances: Vec<usize>,
    /// Block (`true`) or unblock.
    pub block: bool,
    /// `--all`: instances that are not connected are left out.
    pub all: bool,
    /// Why (`--reason`), cleaned.
    pub reason: Option<String>,
    /// `--skip-invalid`: numbers that cannot be read, or are not on
    /// WhatsApp, are skipped, not a refusal of the whole list.
    pub skip_invalid: bool,
    /// Whether numbers that are no contacts are looked up first (off with
    /// `--no-lookup`: sent as typed, recorded as unverified).
    pub lookup: bool,
}
