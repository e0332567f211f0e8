//! The command line: arguments, the headless commands (one file each),
//! their output and exit codes. A thin front end of the engine: every
//! command runs on the same engine and `update` as the terminal UI, and
//! carries out no job of its own.

pub mod args;
mod batch;
mod blocklist;
mod choose;
pub mod failure;
mod feed_check;
mod history;
pub mod init;
mod instances;
mod list;
pub mod man;
mod migrate;
pub(crate) mod output;
mod overtaken;
mod plan;
mod watch;

use std::path::PathBuf;

use crate::config::profile::Profile;
use crate::engine::{Access, Engine, Setup};
use crate::model::change::Change;
use args::{Command, LedgerAction, ProfileAction};
use failure::{Failure, exit, fail};

/// Runs a headless command; output goes to stdout, progress to stderr.
pub async fn run(command: Command, profile: Profile, data_dir: PathBuf) -> Result<(), Failure> {
    if let Command::Ledger {
        action: LedgerAction::Migrate(args),
    } = &command
    {
        // This machine's file, whatever ledger the profile uses.
        return migrate::migrate(&profile, &data_dir, args);
    }
    let access = match command {
        Command::Block(_) | Command::Unblock(_) | Command::Resume(_) | Command::Apply(_) => {
            Access::Act
        }
        _ => Access::Read,
    };
    let mut engine = start(profile, data_dir, access)?;
    let result = dispatch(&mut engine, command).await;
    // Nothing the ledger was given is lost when the command ends early.
    engine.flush().await;
    result
}

/// Runs one headless command on `engine`.
async fn dispatch(engine: &mut Engine, command: Command) -> Result<(), Failure> {
    match command {
        Command::Instances(out) => instances::instances(engine, out.json).await,
        Command::List(args) => list::list(engine, args).await,
        Command::Block(args) => batch::change(engine, args, Change::Block).await,
        Command::Unblock(args) => batch::change(engine, args, Change::Unblock).await,
        Command::Resume(out) => batch::resume(engine, out.json).await,
        Command::Export(args) => history::export(engine, args).await,
        Command::History(args) => history::history(engine, args).await,
        Command::Watch(args) => watch::watch(engine, args).await,
        Command::Profile {
            action: ProfileAction::Check(out),
        } => instances::profile_check(engine, out.json).await,
        Command::Ledger {
            action: LedgerAction::Status(out),
        } => history::status(engine, out.json).await,
        Command::Ledger {
            action: LedgerAction::Migrate(_),
        } => Err(fail(
            exit::INTERNAL,
            "ledger migrate runs before the ledger opens",
        )),
        Command::Blocklist { action } => blocklist::blocklist(engine, action).await,
        Command::Plan(args) => plan::plan(engine, args).await,
        Command::Apply(args) => plan::apply(engine, args).await,
        Command::Emulator(_)
        | Command::Init
        | Command::Completions { .. }
        | Command::Man { .. } => Err(fail(exit::INTERNAL, "not a headless command")),
    }
}

/// The engine of a headless command; what the ledger had to say at
/// opening goes to stderr.
fn start(profile: Profile, data_dir: PathBuf, access: Access) -> Result<Engine, Failure> {
    let engine = Engine::start(Setup {
        profile,
        data_dir,
        screen: None,
        tuning: crate::engine::Tuning::default(),
        access,
    })
    .map_err(|e| fail(exit::INTERNAL, e.to_string()))?;
    for notice in &engine.notices {
        output::say(notice);
    }
    Ok(engine)
}

/// One CSV cell, safe to open in a spreadsheet.
pub use history::csv_cell;
