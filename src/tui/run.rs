//! The UI loop: one task owns the state, drains input and worker results
//! in batches, hands effects to the worker, and draws only when the state
//! changed. The network is never awaited here.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ratatui::crossterm::event::{self, Event, KeyEventKind};
use thiserror::Error;
use tokio::sync::mpsc;

use crate::api::{ApiClient, ClientConfig};
use crate::app::{Effect, Msg, State, update};
use crate::config::profile::Profile;
use crate::model::filter::FilterJob;
use crate::store::cache;
use crate::store::ledger::{BUSY_WAIT, Ledger, LedgerError, UnfinishedBatch, busy_notice};
use crate::tui::terminal::TerminalGuard;
use crate::worker::{self, WorkerContext};

/// Time between two ticks.
const TICK: Duration = Duration::from_millis(1000 / crate::app::state::TICKS_PER_SECOND);

/// Why the UI could not run.
#[derive(Debug, Error)]
pub enum RunError {
    /// The ledger could not be opened.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The terminal could not be used.
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
    /// The HTTP client could not be built.
    #[error("HTTP client: {0}")]
    Client(#[from] crate::api::ApiError),
}

/// What the UI runs on.
#[derive(Debug)]
pub struct RunOptions {
    /// The validated profile.
    pub profile: Profile,
    /// Where the ledger lives.
    pub data_dir: PathBuf,
    /// Index of the instance to open on (`--instance`); else the one
    /// last used with this profile.
    pub start: Option<usize>,
    /// Which remembered view is this profile's ([`crate::store::view_memory`]).
    pub view_key: String,
    /// The log file, mentioned if the app crashes.
    pub log_path: Option<PathBuf>,
    /// Whether to capture the mouse.
    pub mouse: bool,
}

/// Reads terminal events on a thread of its own and forwards key presses
/// and resizes; it stops when `stop` is set.
fn spawn_input(tx: mpsc::UnboundedSender<Msg>, stop: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            match event::poll(Duration::from_millis(100)) {
                Ok(false) => continue,
                Ok(true) => {}
                Err(e) => {
                    tracing::error!(error = %e, "terminal input failed");
                    let _ = tx.send(Msg::Terminate);
                    return;
                }
            }
            let msg = match event::read() {
                Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => Msg::Key(key),
                Ok(Event::Mouse(mouse)) => Msg::Mouse(mouse),
                Ok(Event::Paste(text)) => Msg::Paste(text),
                Ok(Event::Resize(width, height)) => Msg::Resize { width, height },
                Ok(_) => continue,
                Err(e) => {
                    tracing::error!(error = %e, "terminal input failed");
                    Msg::Terminate
                }
            };
            if tx.send(msg).is_err() {
                return;
            }
        }
    });
}

/// SIGXFSZ (a write past `ulimit -f`): 25 on Linux, macOS and the BSDs.
#[cfg(unix)]
const SIGXFSZ: i32 = 25;

/// Turns every signal that would end the process (SIGTERM, SIGHUP,
/// SIGINT from `kill -INT`, SIGQUIT, SIGXFSZ) into a clean exit that
/// restores the terminal. Once SIGXFSZ is caught, a write past the file
/// size limit fails with an error instead of killing the app, so the save
/// in progress removes its temporary file.
fn spawn_signals(tx: mpsc::UnboundedSender<Msg>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        for (name, kind) in [
            ("SIGTERM", SignalKind::terminate()),
            ("SIGHUP", SignalKind::hangup()),
            ("SIGINT", SignalKind::interrupt()),
            ("SIGQUIT", SignalKind::quit()),
            ("SIGXFSZ", SignalKind::from_raw(SIGXFSZ)),
        ] {
            let mut stream = match signal(kind) {
                Ok(stream) => stream,
                Err(e) => {
                    tracing::warn!(signal = name, error = %e, "signal cannot be caught");
                    continue;
                }
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                if stream.recv().await.is_some() {
                    tracing::info!(signal = name, "signal: quitting");
                    let _ = tx.send(Msg::Terminate);
                }
            });
        }
        // SIGTSTP (kill -TSTP, or a shell's job control) suspends as
        // Ctrl-Z does: the terminal is given back first.
        let tstp = SignalKind::from_raw(rustix::process::Signal::TSTP.as_raw());
        if let Ok(mut stream) = signal(tstp) {
            tokio::spawn(async move {
                while stream.recv().await.is_some() {
                    if tx.send(Msg::Suspend).is_err() {
                        return;
                    }
                }
            });
        }
    }
}

/// For headless commands: a write past the file size limit becomes an
/// error the command reports, not a kill that leaves files half written.
pub fn catch_file_size_limit() {
    #[cfg(unix)]
    if let Ok(mut xfsz) =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::from_raw(SIGXFSZ))
    {
        tokio::spawn(async move {
            while xfsz.recv().await.is_some() {
                tracing::warn!("file size limit reached: the write fails");
            }
        });
    }
}

fn spawn_ticks(tx: mpsc::UnboundedSender<Msg>) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(TICK);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        interval.tick().await;
        loop {
            interval.tick().await;
            let now = crate::util::dates::now_unix();
            if tx.send(Msg::Tick { now }).is_err() {
                return;
            }
        }
    });
}

/// Runs large filters on the blocking pool, one at a time: while one runs,
/// only the newest of the queued ones is kept, so typing fast never piles
/// up work and the latest complete result is always on screen.
struct FilterRunner {
    results: mpsc::UnboundedSender<Msg>,
    running: bool,
    next: Option<FilterJob>,
}

impl FilterRunner {
    fn new(results: mpsc::UnboundedSender<Msg>) -> Self {
        FilterRunner {
            results,
            running: false,
            next: None,
        }
    }

    fn submit(&mut self, job: FilterJob) {
        if self.running {
            self.next = Some(job);
            return;
        }
        self.running = true;
        let results = self.results.clone();
        tokio::task::spawn_blocking(move || {
            let rows = job.run();
            let _ = results.send(Msg::Filtered {
                instance: job.instance,
                generation: job.generation,
                rows,
            });
        });
    }

    fn finished(&mut self) {
        self.running = false;
        if let Some(job) = self.next.take() {
            self.submit(job);
        }
    }
}

/// Reads each instance's cached contact list on the blocking pool and
/// sends it as [`Msg::Cached`]; a damaged file becomes a notice.
fn spawn_cache_loads(profile: &Profile, data_dir: &Path, tx: mpsc::UnboundedSender<Msg>) {
    let cache_dir = cache::dir(data_dir);
    tokio::task::spawn_blocking(move || cache::sweep_temporaries(&cache_dir));
    for (instance, inst) in profile.instances.iter().enumerate() {
        let path = cache::path_for(data_dir, inst.base_url.as_str(), &inst.name);
        let tx = tx.clone();
        tokio::task::spawn_blocking(move || match cache::load(&path) {
            Ok(Some((store, saved_at))) => {
                let store = Arc::new(store);
                let _ = tx.send(Msg::Cached {
                    instance,
                    store: store.clone(),
                    saved_at,
                });
                store.warm();
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "contact cache not read");
                let _ = tx.send(Msg::Notice(format!("{e}; the list will be fetched again")));
            }
        });
    }
}

/// What the UI starts from: the first state, the ledger the worker will
/// own, and the batches to offer for resuming.
struct Start {
    state: State,
    ledger: Box<dyn Ledger>,
    unfinished: Vec<UnfinishedBatch>,
}

/// Opens the ledger and builds the first state.
fn initial_state(options: &RunOptions) -> Result<Start, RunError> {
    let place = options.profile.ledger_place(&options.data_dir);
    let (ledger, notice) = crate::store::ledger::open_place(&place, BUSY_WAIT, || {
        eprintln!("ryze-contacts: {}", busy_notice());
    })?;
    let known = ledger.known()?;
    let unfinished = ledger.unfinished_batches()?;
    let skipped = (ledger.skipped_rows() > 0).then(|| {
        format!(
            "{} row(s) of the ledger hold a value of the wrong type (edited by hand?) and were skipped",
            ledger.skipped_rows()
        )
    });
    let remembered = crate::store::view_memory::load(&options.data_dir, &options.view_key);
    let start = options.start.unwrap_or_else(|| {
        remembered
            .as_ref()
            .and_then(|r| options.profile.find_instance(&r.instance).ok())
            .unwrap_or(0)
    });
    let mut state = State::for_profile(&options.profile, &known, start);
    if let Some(r) = &remembered {
        state.sort = r.sort();
        state.view = r.view();
    }
    let warnings: Vec<String> = options
        .profile
        .warnings
        .iter()
        .cloned()
        .chain(notice)
        .chain(skipped)
        .collect();
    if !warnings.is_empty() {
        for w in &warnings {
            tracing::warn!("{w}");
        }
        state.status = Some(crate::app::state::Status {
            text: warnings.join(" · "),
            is_error: true,
            since: 0,
        });
    }
    Ok(Start {
        state,
        ledger,
        unfinished,
    })
}

/// The running UI: the state, the terminal, and where effects go.
struct Screen {
    state: State,
    guard: TerminalGuard,
    jobs: mpsc::UnboundedSender<crate::app::ApiJob>,
    filters: FilterRunner,
    /// Whether something changed since the last frame.
    dirty: bool,
    /// What covered the list at the last frame: when that changes, the
    /// terminal is cleared first, so no glyph a terminal drew wider or
    /// narrower than its cells (Devanagari, ZWJ emoji) survives under the
    /// new screen.
    shown_overlay: Option<std::mem::Discriminant<crate::app::state::Overlay>>,
}

impl Screen {
    /// Gives one message to the app and carries out its effects; `false`
    /// when the user quits.
    fn apply(&mut self, msg: Msg) -> Result<bool, RunError> {
        if matches!(msg, Msg::Filtered { .. }) {
            self.filters.finished();
        }
        // Every message but a tick changes what is shown.
        self.dirty |= !matches!(msg, Msg::Tick { .. });
        for effect in update(&mut self.state, msg) {
            match effect {
                Effect::Api(job) => {
                    let _ = self.jobs.send(job);
                }
                Effect::Filter(job) => self.filters.submit(job),
                Effect::Redraw | Effect::BatchEnded(_) => self.dirty = true,
                Effect::Copy(text) => crate::tui::terminal::copy_to_clipboard(&text),
                Effect::Quit => return Ok(false),
                Effect::Suspend => {
                    self.guard.suspend()?;
                    self.dirty = true;
                }
            }
        }
        Ok(true)
    }

    /// Draws a frame when something changed.
    fn draw(&mut self) -> Result<(), RunError> {
        if !self.dirty {
            return Ok(());
        }
        let overlay = self.state.overlay.as_ref().map(|o| o.kind());
        if overlay != self.shown_overlay {
            self.guard.wipe()?;
            self.shown_overlay = overlay;
        }
        self.guard
            .terminal
            .draw(|f| crate::ui::draw(f, &self.state))?;
        self.dirty = false;
        Ok(())
    }
}

/// Starts the API worker on `ledger`, and the loads of the cached lists.
fn start_worker(
    options: &RunOptions,
    ledger: Box<dyn Ledger>,
    tx: &mpsc::UnboundedSender<Msg>,
) -> Result<mpsc::UnboundedSender<crate::app::ApiJob>, RunError> {
    let client = ApiClient::new(ClientConfig::default())?;
    let ctx = WorkerContext::for_profile(&options.profile, client, ledger, &options.data_dir);
    let jobs = worker::spawn(ctx, tx.clone());
    spawn_cache_loads(&options.profile, &options.data_dir, tx.clone());
    Ok(jobs)
}

/// Runs the UI until the user quits.
pub async fn run(options: RunOptions) -> Result<(), RunError> {
    // libphonenumber's metadata loads once (tens of milliseconds): not on
    // the first frame.
    tokio::task::spawn_blocking(crate::model::number::phone::warm);
    let Start {
        mut state,
        ledger,
        unfinished,
    } = initial_state(&options)?;
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let jobs = start_worker(&options, ledger, &tx)?;
    let log = options.log_path.as_ref().map(|p| p.display().to_string());
    let guard = TerminalGuard::enter(log, options.mouse)?;
    let stop = Arc::new(AtomicBool::new(false));
    spawn_input(tx.clone(), stop.clone());
    spawn_signals(tx.clone());
    spawn_ticks(tx.clone());
    let size = guard.terminal.size()?;
    update(
        &mut state,
        Msg::Resize {
            width: size.width,
            height: size.height,
        },
    );
    let mut screen = Screen {
        shown_overlay: state.overlay.as_ref().map(|o| o.kind()),
        state,
        guard,
        jobs,
        filters: FilterRunner::new(tx.clone()),
        // The first frame comes before any network answer.
        dirty: true,
    };
    screen.draw()?;
    let mut pending = vec![Msg::Start];
    if !unfinished.is_empty() {
        pending.push(Msg::Unfinished(unfinished));
    }
    'outer: loop {
        for msg in pending.drain(..) {
            if !screen.apply(msg)? {
                break 'outer;
            }
        }
        screen.draw()?;
        match rx.recv().await {
            Some(msg) => pending.push(msg),
            None => break,
        }
        while let Ok(msg) = rx.try_recv() {
            pending.push(msg);
        }
    }
    stop.store(true, Ordering::Relaxed);
    let Screen { state, guard, .. } = screen;
    drop(guard);
    let view =
        crate::store::view_memory::Remembered::of(&state.instance().name, state.sort, state.view);
    if let Err(e) = crate::store::view_memory::save(&options.data_dir, &options.view_key, &view) {
        tracing::warn!(error = %e, "the view was not kept for the next start");
    }
    tracing::info!("quit");
    Ok(())
}

/// The default data folder from `directories` (on Linux
/// `~/.local/share/ryze-contacts`).
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "ryze-contacts").map(|d| d.data_dir().to_path_buf())
}
