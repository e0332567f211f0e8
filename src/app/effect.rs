//! What comes out of the app's `update`: [`Effect`]s for the engine
//! (jobs, filters) and for the front end (draw, copy, quit, tell).

use crate::model::filter::FilterJob;
use crate::protocol::{ApiCall, Job, LedgerRead, LedgerWrite};

/// Work the app asks the outside world to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Give this job to the worker.
    Job(Job),
    /// Filter a large list off the UI path; answered with
    /// `Msg::Filtered`.
    Filter(FilterJob),
    /// Draw the screen again (a tick moved something it shows).
    Redraw,
    /// Put text on the clipboard through the terminal (OSC 52).
    Copy(String),
    /// Leave the app.
    Quit,
    /// Give the terminal back and stop until `fg` (Ctrl-Z, SIGTSTP).
    Suspend,
    /// A batch ended (every item answered, cancelled or not sent); the
    /// status bar has its summary. Headless commands report from it.
    BatchEnded(Box<super::batch::Batch>),
    /// Something a headless command tells on its side channel (stderr)
    /// as it happens: a number read in a country, what a plan leaves
    /// out. The screen shows it in its status bar already.
    Tell(String),
    /// A headless command's request was refused before anything was
    /// sent: why, and whether the input (rather than the server) was at
    /// fault.
    Refused {
        /// What was wrong, and what to do.
        text: String,
        /// The input was at fault (a usage error), not the server.
        usage: bool,
    },
}

impl Effect {
    /// A request to the server.
    pub fn call(call: ApiCall) -> Effect {
        Effect::Job(Job::Api(call))
    }

    /// A read of the ledger.
    pub fn read(read: LedgerRead) -> Effect {
        Effect::Job(Job::Read(read))
    }

    /// A write to the ledger.
    pub fn write(write: LedgerWrite) -> Effect {
        Effect::Job(Job::Write(write))
    }
}
