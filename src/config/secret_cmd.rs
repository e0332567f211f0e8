//! Runs a command that prints a secret (`token_cmd`): with a time-out, a
//! limit on what it may print, and its output never echoed.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Deserialize;

/// How long a secret command may run.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Most a secret command may print: a secret is one line.
const MAX_OUTPUT: usize = 64 * 1024;
/// How long the output may stay open after the command has finished (a
/// helper it started in the background may hold it).
const GRACE: Duration = Duration::from_millis(500);

/// A command printing a secret (`token_cmd`, `password_cmd`): a string
/// split on whitespace, or an argument list. It runs without a shell.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum TokenCmd {
    Line(String),
    Argv(Vec<String>),
}

impl TokenCmd {
    /// The program and its arguments.
    pub(crate) fn argv(&self) -> Vec<String> {
        match self {
            TokenCmd::Line(line) => line.split_whitespace().map(str::to_string).collect(),
            TokenCmd::Argv(argv) => argv.clone(),
        }
    }
}

/// What the reading thread has seen of the output.
#[derive(Default)]
struct Output {
    bytes: Vec<u8>,
    /// The output was closed.
    ended: bool,
    /// More than [`MAX_OUTPUT`] came.
    too_much: bool,
}

/// Runs `argv` and returns the program's name and what it printed.
///
/// The output is read on its own thread while the command runs, so a
/// command that prints a lot cannot stall on a full pipe; more than
/// [`MAX_OUTPUT`] is refused at once. Once the command has finished,
/// what it printed is used even if a background process it started keeps
/// the output open. Errors name the program, never the output.
pub fn run(argv: &[String]) -> Result<(&str, String), String> {
    let (program, args) = argv.split_first().ok_or("is empty")?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start {program}: {e}"))?;
    let stdout = child.stdout.take().ok_or("has no output")?;
    let shared = read_in_background(stdout);
    let waited = wait(&mut child, &shared, program);
    if waited.is_err() {
        let _ = child.kill();
        let _ = child.wait();
    }
    waited?;
    let output = std::mem::take(&mut shared.lock().unwrap_or_else(|p| p.into_inner()).bytes);
    let text = String::from_utf8(output)
        .map_err(|_| format!("{program} printed something that is not text"))?;
    Ok((program.as_str(), text))
}

/// Reads `stdout` on a thread of its own, up to the limit.
fn read_in_background(mut stdout: impl Read + Send + 'static) -> Arc<Mutex<Output>> {
    let shared = Arc::new(Mutex::new(Output::default()));
    let reader = shared.clone();
    std::thread::spawn(move || {
        let mut chunk = [0u8; 8192];
        loop {
            let n = stdout.read(&mut chunk).unwrap_or(0);
            let mut out = reader.lock().unwrap_or_else(|p| p.into_inner());
            if n == 0 {
                out.ended = true;
                return;
            }
            if out.bytes.len() + n > MAX_OUTPUT {
                out.too_much = true;
                return;
            }
            out.bytes.extend_from_slice(&chunk[..n]);
        }
    });
    shared
}

/// Waits for the command to succeed and its output to be read (or the
/// grace after it finished); `Err` says why not (the caller stops it).
fn wait(child: &mut Child, shared: &Mutex<Output>, program: &str) -> Result<(), String> {
    let started = Instant::now();
    let mut exited: Option<(ExitStatus, Instant)> = None;
    loop {
        let (ended, too_much) = {
            let out = shared.lock().unwrap_or_else(|p| p.into_inner());
            (out.ended, out.too_much)
        };
        if too_much {
            return Err(format!(
                "{program} printed more than {} KiB: it should print the secret alone",
                MAX_OUTPUT / 1024
            ));
        }
        if exited.is_none() {
            match child.try_wait() {
                Ok(Some(status)) => exited = Some((status, Instant::now())),
                Ok(None) => {}
                Err(e) => return Err(format!("{program} could not be waited for: {e}")),
            }
        }
        match exited {
            Some((status, at)) if ended || at.elapsed() > GRACE => {
                return if status.success() {
                    Ok(())
                } else {
                    Err(format!("{program} failed ({status})"))
                };
            }
            None if started.elapsed() > TIMEOUT => {
                return Err(format!(
                    "{program} did not finish within {}s",
                    TIMEOUT.as_secs()
                ));
            }
            _ => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}
