//! What the engine starts from: the ledger opened (waiting for one
//! another program holds), the first state built from what it knows,
//! what it has to say about it, and the batches left unfinished.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::app::State;
use crate::config::profile::Profile;
use crate::store::ledger::{BUSY_WAIT, Ledger, LedgerError, UnfinishedBatch, busy_notice};

/// Why the engine could not start.
#[derive(Debug, Error)]
pub enum EngineError {
    /// The ledger could not be opened or read.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The HTTP client could not be built.
    #[error("HTTP client: {0}")]
    Client(#[from] crate::api::ApiError),
}

/// How the engine runs.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The validated profile.
    pub profile: Profile,
    /// The data folder: the ledger (without a team's), the cache, the log.
    pub data_dir: PathBuf,
    /// The terminal UI's start, or `None` for a headless command.
    pub screen: Option<ScreenStart>,
    /// How the worker talks to the server.
    pub tuning: Tuning,
    /// Whether the run acts (may write to the ledger) or only reads.
    pub access: Access,
}

/// Whether a run may write to the ledger. Only a run that acts (`block`,
/// `unblock`, `resume`, the terminal UI unless every instance is
/// read-only) gathers requests left waiting into a batch; a read
/// (`list`, `export`, `history`, `ledger status`) writes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// It may send and record.
    Act,
    /// It only reads.
    Read,
}

/// How the worker talks to the server: time-outs, retries, the longest
/// rate wait. RyzeAPI's defaults, unless a test needs them shorter.
#[derive(Debug, Clone, Default)]
pub struct Tuning {
    /// Time-outs, body cap and proxies of the HTTP client.
    pub client: crate::api::ClientConfig,
    /// How failed requests are retried.
    pub retry: crate::worker::RetryPolicy,
    /// The longest wait a rate answer can impose (`None`: RyzeAPI's
    /// window).
    pub rate_window: Option<std::time::Duration>,
}

/// Where the terminal UI starts.
#[derive(Debug, Clone)]
pub struct ScreenStart {
    /// The instance to open on (`--instance`); else the one last used
    /// with this profile.
    pub instance: Option<usize>,
    /// Which remembered view is this profile's
    /// ([`crate::store::view_memory`]).
    pub view_key: String,
}

/// What the engine starts from.
pub(super) struct Opened {
    pub state: State,
    pub ledger: Box<dyn Ledger>,
    pub unfinished: Vec<UnfinishedBatch>,
    /// What to say about the ledger (repaired, rows skipped).
    pub notices: Vec<String>,
}

/// The ledger's words for rows it skipped, when it skipped any.
pub fn skipped_notice(rows: usize) -> Option<String> {
    (rows > 0).then(|| {
        format!(
            "{rows} row(s) of the ledger hold a value of the wrong type (edited by hand?) and were skipped"
        )
    })
}

/// Opens the ledger and builds the first state.
pub(super) fn open(setup: &Setup) -> Result<Opened, EngineError> {
    let place = setup.profile.ledger_place(&setup.data_dir);
    let (ledger, notice) = crate::store::ledger::open_place(&place, BUSY_WAIT, || {
        crate::util::print::say(&busy_notice());
    })?;
    let mut ledger = ledger;
    let adopted = match setup.access {
        Access::Act => ledger.adopt_unanswered()?,
        Access::Read => 0,
    };
    let adopted = (adopted > 0 && place.is_team()).then(|| {
        format!("{adopted} request(s) left waiting in the team ledger are offered for resume")
    });
    let known = ledger.known()?;
    let unfinished = ledger.unfinished_batches()?;
    let notices: Vec<String> = notice
        .into_iter()
        .chain(adopted)
        .chain(skipped_notice(ledger.skipped_rows()))
        .collect();
    let state = match &setup.screen {
        Some(start) => screen_state(setup, start, &known),
        None => State::for_profile(&setup.profile, &known, 0),
    };
    Ok(Opened {
        state,
        ledger,
        unfinished,
        notices,
    })
}

/// The terminal UI's first state: on the instance asked for, else the
/// one last used, in the remembered order and view.
fn screen_state(
    setup: &Setup,
    start: &ScreenStart,
    known: &[crate::store::ledger::KnownState],
) -> State {
    let remembered = crate::store::view_memory::load(&setup.data_dir, &start.view_key);
    let instance = start.instance.unwrap_or_else(|| {
        remembered
            .as_ref()
            .and_then(|r| setup.profile.find_instance(&r.instance).ok())
            .unwrap_or(0)
    });
    let mut state = State::for_profile(&setup.profile, known, instance);
    if let Some(r) = &remembered {
        state.sort = r.sort();
        state.view = r.view();
    }
    state
}

/// The default data folder from `directories` (on Linux
/// `~/.local/share/ryze-contacts`).
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "ryze-contacts").map(|d| d.data_dir().to_path_buf())
}

/// Saves the view the terminal UI ends on, for the next start.
pub(super) fn remember_view(data_dir: &Path, view_key: &str, state: &State) {
    let view =
        crate::store::view_memory::Remembered::of(&state.instance().name, state.sort, state.view);
    if let Err(e) = crate::store::view_memory::save(data_dir, view_key, &view) {
        tracing::warn!(error = %e, "the view was not kept for the next start");
    }
}
