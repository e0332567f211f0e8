//! `watch`: the live feed on standard output as it comes, on the same
//! engine as the Live view: a line per incoming message and state change
//! (one JSON object a line with `--json`: time, instance, event, sender
//! number, JID and `@lid`, name, text, flags), only the flagged ones with
//! `--flagged` (a sender's earlier messages too, once its wave forms).
//! Each feed's state goes to standard error. It ends on SIGINT, quietly
//! on a closed pipe, and with an error when no feed can be opened.

use std::collections::HashSet;
use std::io;

use serde_json::{Value, json};

use crate::app::State;
use crate::app::live::feed::{Row, What};
use crate::app::live::words;
use crate::cli::args::WatchArgs;
use crate::cli::failure::{Failure, exit, fail, usage};
use crate::engine::{Engine, Flow};
use crate::protocol::{FeedStatus, Msg, Request, WatchRequest};
use crate::util::dates::rfc3339;
use crate::util::print::Out;
use crate::util::sanitize::clean;

/// What has been printed and said.
struct Printer {
    out: Out,
    json: bool,
    flagged: bool,
    terminal: bool,
    /// The last live message looked at.
    generation: u64,
    /// Rows printed (with `--flagged`, a row may come back flagged).
    printed: HashSet<u64>,
    /// Each feed's state as last said.
    said: Vec<Option<FeedStatus>>,
    /// Why the run stops, when it must.
    failure: Option<Failure>,
}

/// Runs `watch` until SIGINT, a closed pipe, or no feed left to wait for.
pub(crate) async fn watch(engine: &mut Engine, args: WatchArgs) -> Result<(), Failure> {
    let profile = engine.profile();
    let instances: Vec<usize> = match &args.instance {
        Some(name) => vec![
            profile
                .find_instance(name)
                .map_err(|e| usage(format!("--instance {name}: {e}")))?,
        ],
        None => (0..profile.instances.len()).collect(),
    };
    let tx = engine.sender();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = tx.send(Msg::Terminate);
        }
    });
    let mut printer = Printer {
        terminal: Out::is_terminal(),
        out: Out::stdout(8192),
        json: args.json,
        flagged: args.flagged,
        generation: 0,
        printed: HashSet::new(),
        said: vec![None; engine.profile().instances.len()],
        failure: None,
    };
    let first = Msg::Request(Request::Watch(WatchRequest {
        instances: instances.clone(),
    }));
    engine
        .run(first, |state, effects| {
            if effects
                .iter()
                .any(|e| matches!(e, crate::app::Effect::Quit))
            {
                return Flow::Stop;
            }
            printer.step(state, &instances)
        })
        .await;
    let _ = printer.out.flush();
    match printer.failure {
        Some(failure) => Err(failure),
        None => Ok(()),
    }
}

impl Printer {
    /// After each message: new rows printed, feed states said; whether to
    /// go on.
    fn step(&mut self, state: &State, instances: &[usize]) -> Flow {
        self.tell_feeds(state, instances);
        if let Err(e) = self.print_new(state) {
            self.failure = Some(Failure::from(e));
            return Flow::Stop;
        }
        let refused = instances
            .iter()
            .all(|&i| matches!(state.live.health[i].status, FeedStatus::Refused(_)));
        if refused {
            self.failure = Some(fail(
                exit::API,
                "no live feed could be opened (the lines above say why)",
            ));
            return Flow::Stop;
        }
        Flow::Continue
    }

    /// The rows the last live message added or flagged.
    fn print_new(&mut self, state: &State) -> io::Result<()> {
        let touched = &state.live.touched;
        if touched.generation == self.generation {
            return Ok(());
        }
        self.generation = touched.generation;
        for &seq in &touched.seqs {
            let Some(row) = state.live.row(seq) else {
                continue;
            };
            if (self.flagged && !row.is_flagged()) || !self.printed.insert(seq) {
                continue;
            }
            if self.json {
                self.out.json(&json_line(state, row), false)?;
                self.out.punct("\n")?;
            } else if self.terminal {
                let line = text_fields(state, row).join("  ");
                self.out.line(line.trim_end())?;
            } else {
                self.out.row(&text_fields(state, row))?;
            }
        }
        if let Some(oldest) = state.live.rows().next().map(|r| r.seq) {
            self.printed.retain(|&s| s >= oldest);
        }
        self.out.flush()
    }

    /// Says on standard error when a watched feed changes state.
    fn tell_feeds(&mut self, state: &State, instances: &[usize]) {
        for &i in instances {
            let status = &state.live.health[i].status;
            let changed = self.said[i]
                .as_ref()
                .is_none_or(|said| std::mem::discriminant(said) != std::mem::discriminant(status));
            if !changed {
                continue;
            }
            self.said[i] = Some(status.clone());
            let name = &state.instances[i].name;
            let text = match status {
                FeedStatus::Off | FeedStatus::Connecting => continue,
                FeedStatus::Open => format!("live feed of {name} open"),
                FeedStatus::Paused { retry_at, why } => format!(
                    "live feed of {name} paused: {} ({why})",
                    words::countdown(retry_at - crate::util::dates::now_unix())
                ),
                FeedStatus::Refused(e) => {
                    format!("live feed of {name} refused: {} · {}", e.lead(), e.hint)
                }
            };
            crate::cli::output::say(&text);
        }
    }
}

/// A row's fields as text: time, instance, who, the first line, the
/// flags (empty when none); spaced on a terminal, tab-separated when
/// piped.
fn text_fields(state: &State, row: &Row) -> Vec<String> {
    let instance = state
        .instances
        .get(row.instance)
        .map_or("", |i| i.name.as_str());
    let (who, text) = match &row.what {
        What::Message(m) => (words::who(m), m.first_line().to_string()),
        What::State(word) => ("instance.state".to_string(), word.clone()),
    };
    let flags = if row.is_flagged() {
        format!("⚑ {}", row.reasons())
    } else {
        String::new()
    };
    let fields = [rfc3339(row.at), instance.to_string(), who, text, flags];
    fields.iter().map(|f| clean(f).into_owned()).collect()
}

/// One JSON object for a row.
fn json_line(state: &State, row: &Row) -> Value {
    let instance = state
        .instances
        .get(row.instance)
        .map_or("", |i| i.name.as_str());
    let time = rfc3339(row.at);
    let m = match &row.what {
        What::State(word) => {
            return json!({"time": time, "instance": instance, "event": "instance.state", "state": word});
        }
        What::Message(m) => m,
    };
    let flags: Vec<Value> = row
        .flags
        .iter()
        .map(|f| json!({"kind": f.kind(), "reason": f.reason()}))
        .collect();
    let reach = m.sender.key().map(|k| state.live.reach(k, state.now));
    json!({
        "time": time,
        "instance": instance,
        "event": "message.exchange",
        "chat": m.chat.word(),
        "blockable": row.is_blockable(),
        "sender": {
            "number": m.sender.digits.as_ref().map(|d| format!("+{d}")),
            "shown": words::number(&m.sender),
            "jid": m.sender.phone_jid(),
            "lid": m.sender.lid,
        },
        "name": m.sender.name,
        "group": m.chat_name,
        "text": m.text,
        "flags": flags,
        "numbers_lately": reach,
    })
}
