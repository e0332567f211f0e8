//! The terminal front end of the engine: it feeds the engine keys,
//! signals and ticks, draws its state only when something changed, and
//! carries out what only a terminal can (copy, suspend, quit). The
//! network is never awaited here.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ratatui::crossterm::event::{self, Event, KeyEventKind};
use thiserror::Error;
use tokio::sync::mpsc;

use crate::app::Effect;
use crate::config::profile::Profile;
use crate::engine::{Engine, EngineError, ScreenStart, Setup};
use crate::protocol::Msg;
use crate::tui::terminal::TerminalGuard;

/// Time between two ticks.
const TICK: Duration = Duration::from_millis(1000 / crate::app::state::TICKS_PER_SECOND);

/// Why the UI could not run.
#[derive(Debug, Error)]
pub enum RunError {
    /// The engine could not start (the ledger, the HTTP client).
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The terminal could not be used.
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
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

/// The running UI: the engine, the terminal, and whether to draw.
struct Screen {
    engine: Engine,
    guard: TerminalGuard,
    /// Whether something changed since the last frame.
    dirty: bool,
    /// What covered the list at the last frame: when that changes, the
    /// terminal is cleared first, so no glyph a terminal drew wider or
    /// narrower than its cells (Devanagari, ZWJ emoji) survives under the
    /// new screen.
    shown_overlay: Option<std::mem::Discriminant<crate::app::state::Overlay>>,
    /// Which list the last frame showed (instance, view, sort): when
    /// another takes its place (`v`, Tab, `s`), every row changes at once
    /// and the terminal is cleared first too, for the same reason.
    shown_list: Option<(
        usize,
        crate::model::contacts::View,
        crate::model::contacts::Sort,
    )>,
    /// Whether the Live view was shown at the last frame (the same wipe
    /// when it comes or goes).
    shown_live: bool,
}

impl Screen {
    /// Gives one message to the engine and carries out what is the
    /// terminal's; `false` when the user quits.
    fn apply(&mut self, msg: Msg) -> Result<bool, RunError> {
        // Every message but a tick changes what is shown.
        self.dirty |= !matches!(msg, Msg::Tick { .. });
        for effect in self.engine.apply(msg) {
            match effect {
                Effect::Redraw | Effect::BatchEnded(_) => self.dirty = true,
                Effect::Copy(text) => crate::tui::terminal::copy_to_clipboard(&text),
                Effect::Quit => return Ok(false),
                Effect::Suspend => {
                    self.guard.suspend()?;
                    self.dirty = true;
                }
                // The status bar says these already; jobs and filters are
                // the engine's.
                Effect::Tell(_) | Effect::Refused { .. } | Effect::Job(_) | Effect::Filter(_) => {}
            }
        }
        Ok(true)
    }

    /// Draws a frame when something changed.
    fn draw(&mut self) -> Result<(), RunError> {
        if !self.dirty {
            return Ok(());
        }
        let state = self.engine.state();
        let overlay = state.overlay.as_ref().map(|o| o.kind());
        let list = Some((state.current, state.view, state.sort));
        if overlay != self.shown_overlay
            || list != self.shown_list
            || state.live.shown != self.shown_live
        {
            self.guard.wipe()?;
            self.shown_overlay = overlay;
            self.shown_list = list;
            self.shown_live = state.live.shown;
        }
        self.guard.terminal.draw(|f| crate::ui::draw(f, state))?;
        self.dirty = false;
        Ok(())
    }
}

/// The engine of the terminal UI, its first state told what the ledger
/// and the profile had to say.
fn start_engine(options: &RunOptions) -> Result<Engine, RunError> {
    let mut engine = Engine::start(Setup {
        profile: options.profile.clone(),
        data_dir: options.data_dir.clone(),
        screen: Some(ScreenStart {
            instance: options.start,
            view_key: options.view_key.clone(),
        }),
        tuning: crate::engine::Tuning::default(),
        // A screen where nothing can be sent only reads.
        access: if options.profile.instances.iter().all(|i| i.read_only) {
            crate::engine::Access::Read
        } else {
            crate::engine::Access::Act
        },
    })?;
    let warnings: Vec<String> = options
        .profile
        .warnings
        .iter()
        .chain(&engine.notices)
        .cloned()
        .collect();
    if !warnings.is_empty() {
        for w in &warnings {
            tracing::warn!("{w}");
        }
        engine.state_mut().status = Some(crate::app::state::Status {
            text: warnings.join(" · "),
            is_error: true,
            since: 0,
        });
    }
    Ok(engine)
}

/// Runs the UI until the user quits.
pub async fn run(options: RunOptions) -> Result<(), RunError> {
    // libphonenumber's metadata loads once (tens of milliseconds): not on
    // the first frame.
    tokio::task::spawn_blocking(crate::model::number::phone::warm);
    let engine = start_engine(&options)?;
    let unfinished = engine.unfinished.clone();
    let log = options.log_path.as_ref().map(|p| p.display().to_string());
    let guard = TerminalGuard::enter(log, options.mouse)?;
    let stop = Arc::new(AtomicBool::new(false));
    spawn_input(engine.sender(), stop.clone());
    spawn_signals(engine.sender());
    spawn_ticks(engine.sender());
    let size = guard.terminal.size()?;
    let mut screen = Screen {
        shown_overlay: None,
        shown_list: None,
        shown_live: false,
        engine,
        guard,
        // The first frame comes before any network answer.
        dirty: true,
    };
    screen.apply(Msg::Resize {
        width: size.width,
        height: size.height,
    })?;
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
        pending = screen.engine.next().await;
    }
    stop.store(true, Ordering::Relaxed);
    let Screen { engine, guard, .. } = screen;
    drop(guard);
    engine.finish();
    tracing::info!("quit");
    Ok(())
}
