//! `instances` and `profile check`: what the server says of each instance
//! of the profile (and, for `profile check`, of its live feed).

use serde_json::{Value, json};

use super::feed_check as live;
use crate::app::state::Connection;
use crate::cli::failure::{Failure, exit, fail};
use crate::cli::output::{self, Table};
use crate::engine::{Engine, Flow};
use crate::protocol::{ApiCall, ConnState, ErrorInfo, Job, JobResult, Msg, Request};

/// The state of every instance, in profile order, as the app took it.
async fn instance_states(engine: &mut Engine) -> Vec<(usize, Connection)> {
    engine
        .run(Msg::Request(Request::LoadInstances), |state, _| {
            if state.instances_loading() {
                Flow::Continue
            } else {
                Flow::Stop
            }
        })
        .await;
    engine
        .state()
        .instances
        .iter()
        .map(|i| i.connection.clone())
        .enumerate()
        .collect()
}

/// `instances`: the state of each instance, in profile order.
pub(crate) async fn instances(engine: &mut Engine, json_out: bool) -> Result<(), Failure> {
    let states = instance_states(engine).await;
    let mut rows = Vec::new();
    let mut failures = 0;
    for (i, state) in states {
        let name = engine.profile().instances[i].name.clone();
        let (state, error) = match state {
            Connection::State(st) => (st.to_string(), None),
            Connection::NotOnServer | Connection::Unknown => ("not found".to_string(), None),
            Connection::Failed(e) => {
                failures += 1;
                ("error".to_string(), Some(e.summary()))
            }
        };
        rows.push((name, state, error));
    }
    if json_out {
        output::json(&Value::Array(
            rows.iter()
                .map(|(n, st, e)| json!({"instance": n, "state": st, "error": e}))
                .collect(),
        ))?;
    } else {
        let mut table = Table::stdout();
        for (name, state, error) in &rows {
            table.row(&[name.as_str(), state, error.as_deref().unwrap_or_default()])?;
        }
        table.finish()?;
    }
    match failures {
        0 => Ok(()),
        n if n == rows.len() => Err(fail(exit::API, "no instance state could be read")),
        _ => Err(fail(
            exit::PARTIAL,
            format!("{failures} instance state(s) could not be read"),
        )),
    }
}

/// `profile check`: one verdict per instance, with what to do; exit 0
/// only when every instance is usable.
pub(crate) async fn profile_check(engine: &mut Engine, json_out: bool) -> Result<(), Failure> {
    let states = instance_states(engine).await;
    let mut verdicts = Vec::new();
    for (i, state) in states {
        let verdict = match state {
            Connection::State(st) => Verdict::of_state(&st),
            Connection::NotOnServer | Connection::Unknown => match probe(engine, i).await {
                Err(e) => Verdict::of_error(&e),
                Ok(()) => Verdict::NotOnServer,
            },
            Connection::Failed(e) => Verdict::of_error(&e),
        };
        verdicts.push((engine.profile().instances[i].name.clone(), verdict));
    }
    let reached: Vec<bool> = verdicts.iter().map(|(_, v)| v.reaches()).collect();
    let sockets = live::sockets(engine, &reached).await;
    let warnings = engine.profile().warnings.clone();
    let unusable = verdicts.iter().filter(|(_, v)| !v.is_usable()).count();
    if json_out {
        output::json(&json!({
            "instances": verdicts.iter().zip(&sockets).map(|((name, v), socket)| json!({
                "instance": name,
                "verdict": v.word(),
                "usable": v.is_usable(),
                "hint": v.hint(),
                "websocket": socket.as_ref().map(live::json),
            })).collect::<Vec<_>>(),
            "warnings": warnings,
        }))?;
    } else {
        let mut table = Table::stdout();
        for ((name, v), socket) in verdicts.iter().zip(&sockets) {
            let socket = socket.as_ref().map(live::words).unwrap_or_default();
            table.row(&[name.as_str(), &v.word(), &socket, v.hint()])?;
        }
        table.finish()?;
        live::offer(engine, &sockets).await;
    }
    // The warnings themselves were said when the profile was loaded.
    let summary = format!(
        "{} instance(s): {} usable, {unusable} not; {} warning(s)",
        verdicts.len(),
        verdicts.len() - unusable,
        warnings.len()
    );
    match unusable {
        0 => {
            output::say(&summary);
            Ok(())
        }
        n if n == verdicts.len() => Err(fail(exit::API, summary)),
        _ => Err(fail(exit::PARTIAL, summary)),
    }
}

/// Whether the token may read instance `i` at all (when the server does
/// not list it: a wrong token, another instance's, or no such instance).
async fn probe(engine: &mut Engine, i: usize) -> Result<(), ErrorInfo> {
    let job = Job::Api(ApiCall::Probe { instance: i });
    match engine
        .ask(
            job,
            |r| matches!(r, JobResult::Probe { instance, .. } if *instance == i),
        )
        .await
    {
        JobResult::Probe { result, .. } => result,
        _ => Ok(()),
    }
}

/// What `profile check` found of one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    /// Reachable, the token works, the phone is connected.
    Ok,
    /// The server refused the token (401).
    WrongToken,
    /// An instance token used on an instance it does not own (403).
    OtherInstancesToken,
    /// No instance of that name on the server.
    NotOnServer,
    /// On the server, but its phone has no live session.
    NotConnected(String),
    /// No answer: the server, the network or base_url.
    Unreachable(String),
    /// Any other answer.
    Failed(String),
}

impl Verdict {
    fn of_state(state: &ConnState) -> Verdict {
        if state.is_connected() {
            Verdict::Ok
        } else {
            Verdict::NotConnected(state.to_string())
        }
    }

    fn of_error(e: &ErrorInfo) -> Verdict {
        match e.status {
            Some(401) => Verdict::WrongToken,
            Some(403) => Verdict::OtherInstancesToken,
            Some(404) => Verdict::NotOnServer,
            Some(503) => Verdict::NotConnected("disconnected".to_string()),
            None => Verdict::Unreachable(e.message.clone()),
            Some(_) => Verdict::Failed(e.summary()),
        }
    }

    fn is_usable(&self) -> bool {
        *self == Verdict::Ok
    }

    /// Whether the token reaches the instance (its phone connected or
    /// not): its WebSocket's configuration can be read.
    fn reaches(&self) -> bool {
        matches!(self, Verdict::Ok | Verdict::NotConnected(_))
    }

    fn word(&self) -> String {
        match self {
            Verdict::Ok => "ok".to_string(),
            Verdict::WrongToken => "wrong token".to_string(),
            Verdict::OtherInstancesToken => "token of another instance".to_string(),
            Verdict::NotOnServer => "not on the server".to_string(),
            Verdict::NotConnected(state) => format!("not connected ({state})"),
            Verdict::Unreachable(why) => format!("unreachable ({why})"),
            Verdict::Failed(why) => format!("failed ({why})"),
        }
    }

    fn hint(&self) -> &'static str {
        match self {
            Verdict::Ok => "",
            Verdict::WrongToken => {
                "the token is wrong, expired or empty: fix token, token_env or token_cmd"
            }
            Verdict::OtherInstancesToken => {
                "this instance token belongs to another instance: use its own token or the account token"
            }
            Verdict::NotOnServer => {
                "no instance of this name: compare with 'ryze-contacts instances', or fix base_url"
            }
            Verdict::NotConnected(_) => "the phone has no live session: reconnect it in RyzeAPI",
            Verdict::Unreachable(_) => "check base_url and the network",
            Verdict::Failed(_) => "retry; check base_url if it persists",
        }
    }
}
