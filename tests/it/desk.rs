//! An operator's desk for engine tests: a real profile file in a temporary
//! folder, the engine on it (headless, as a command runs it) against the
//! emulator, keys and requests given as a user gives them, and the ledger
//! read back from its file.

use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ryze_contacts::app::Effect;
use ryze_contacts::app::State;
use ryze_contacts::emulator::RunningEmulator;
use ryze_contacts::engine::{Engine, Flow, Setup, Tuning};
use ryze_contacts::protocol::{ChangeRequest, Msg, Request};
use ryze_contacts::store::ledger::KnownState;

/// A desk: the engine and its data folder.
pub struct Desk {
    pub engine: Engine,
    pub dir: tempfile::TempDir,
}

/// The TOML of a profile with `instances` (name, token) on `emu`, with
/// `extra` lines at the top.
pub fn profile_toml(emu: &RunningEmulator, instances: &[(&str, &str)], extra: &str) -> String {
    let mut toml = format!("{extra}\n[defaults]\nbase_url = \"{}\"\n", emu.base_url());
    for (name, token) in instances {
        toml.push_str(&format!(
            "\n[[instances]]\nname = \"{name}\"\ntoken = \"{token}\"\n"
        ));
    }
    toml
}

impl Desk {
    /// Opens a desk on `instances` of `emu`; `tune` changes the worker's
    /// time-outs and retries.
    pub fn open(
        emu: &RunningEmulator,
        instances: &[(&str, &str)],
        tune: impl FnOnce(&mut Tuning),
    ) -> Desk {
        Desk::open_with(emu, instances, "", tune)
    }

    /// A desk with a screen (100x30): lists filtered and sorted, keys
    /// acting on the selected row, as the terminal UI runs the engine.
    pub fn open_screen(emu: &RunningEmulator, instances: &[(&str, &str)]) -> Desk {
        let mut desk = Desk::build(emu, instances, "", |_| {}, true);
        desk.engine.apply(Msg::Resize {
            width: 100,
            height: 30,
        });
        desk
    }

    /// As [`Desk::open`], with `extra` lines in the profile.
    pub fn open_with(
        emu: &RunningEmulator,
        instances: &[(&str, &str)],
        extra: &str,
        tune: impl FnOnce(&mut Tuning),
    ) -> Desk {
        Desk::build(emu, instances, extra, tune, false)
    }

    fn build(
        emu: &RunningEmulator,
        instances: &[(&str, &str)],
        extra: &str,
        tune: impl FnOnce(&mut Tuning),
        screen: bool,
    ) -> Desk {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profile.toml");
        std::fs::write(&path, profile_toml(emu, instances, extra)).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let profile = ryze_contacts::config::profile::load(&path).unwrap();
        let mut tuning = Tuning::default();
        tune(&mut tuning);
        let engine = Engine::start(Setup {
            profile,
            data_dir: dir.path().join("data"),
            screen: screen.then(|| ryze_contacts::engine::ScreenStart {
                instance: None,
                view_key: "desk".into(),
            }),
            tuning,
            access: ryze_contacts::engine::Access::Act,
        })
        .unwrap();
        Desk { engine, dir }
    }

    /// The app's state.
    pub fn state(&self) -> &State {
        self.engine.state()
    }

    /// Gives `msg`, then runs until every job it led to was answered
    /// (20 s at most); returns the front end's effects.
    pub async fn give(&mut self, msg: Msg) -> Vec<Effect> {
        let mut effects = self.engine.apply(msg);
        let settle = async {
            while !self.engine.is_idle() {
                for msg in self.engine.next().await {
                    effects.extend(self.engine.apply(msg));
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(20), settle)
            .await
            .expect("every job is answered within 20 s");
        effects
    }

    /// Runs until `done` says so (at most `limit`): for flows that never
    /// go idle, such as a batch waiting for its rate window.
    pub async fn until(&mut self, limit: Duration, done: impl Fn(&State) -> bool) {
        let run = async {
            while !done(self.engine.state()) {
                for msg in self.engine.next().await {
                    self.engine.apply(msg);
                }
            }
        };
        tokio::time::timeout(limit, run)
            .await
            .expect("the state came within the limit");
    }

    /// The terminal UI's start: states and every list, loaded.
    pub async fn load(&mut self) {
        self.give(Msg::Start).await;
    }

    /// Presses each key of `typed` (a character each; `\n` is Enter,
    /// `\t` is Tab), waiting for what each leads to.
    pub async fn keys(&mut self, typed: &str) -> Vec<Effect> {
        let mut effects = Vec::new();
        for c in typed.chars() {
            let code = match c {
                '\n' => KeyCode::Enter,
                '\t' => KeyCode::Tab,
                c => KeyCode::Char(c),
            };
            let key = KeyEvent::new(code, KeyModifiers::NONE);
            effects.extend(self.give(Msg::Key(key)).await);
        }
        effects
    }

    /// `block` (or `unblock`) of `numbers` on `instances` from the
    /// command line, run to its end: the batch that ended, or the
    /// refusal.
    pub async fn change(
        &mut self,
        numbers: &[String],
        instances: Vec<usize>,
        block: bool,
    ) -> Result<ryze_contacts::app::Batch, String> {
        use ryze_contacts::protocol::{Entry, Source};
        let entries = numbers
            .iter()
            .enumerate()
            .map(|(i, n)| Entry {
                source: Source::Argument(i + 1),
                text: n.clone(),
            })
            .collect();
        let request = Request::Change(ChangeRequest {
            entries,
            instances,
            block,
            all: false,
            reason: None,
            skip_invalid: false,
            lookup: true,
        });
        let mut out: Option<Result<_, String>> = None;
        let run = self.engine.run(Msg::Request(request), |state, effects| {
            for effect in effects {
                match effect {
                    Effect::BatchEnded(b) => out = Some(Ok(*b)),
                    Effect::Refused { text, .. } => out = Some(Err(text)),
                    _ => {}
                }
            }
            match &out {
                Some(Err(_)) => Flow::Stop,
                Some(Ok(_)) if state.is_quiet() => Flow::Stop,
                _ => Flow::Continue,
            }
        });
        tokio::time::timeout(Duration::from_secs(60), run)
            .await
            .expect("the batch ends within 60 s");
        out.expect("the run ended with a batch or a refusal")
    }

    /// Selects the row of `jid` on the shown instance, with the filter.
    pub async fn select(&mut self, jid: &str) {
        let digits = jid.split('@').next().unwrap_or(jid).to_string();
        self.keys(&format!("/{digits}\n")).await;
        let selected = self.state().selected_contact().map(|c| c.jid().to_string());
        assert_eq!(selected.as_deref(), Some(jid), "the filter found it");
    }

    /// The status bar's text.
    pub fn status(&self) -> String {
        self.state()
            .status
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default()
    }

    /// What the ledger file holds now.
    pub fn known(&self) -> Vec<KnownState> {
        let (ledger, _) =
            ryze_contacts::store::ledger::open(&self.dir.path().join("data")).unwrap();
        ledger.known().unwrap()
    }
}
