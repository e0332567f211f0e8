//! The command line: arguments, the headless commands (one file each),
//! their output and exit codes. A front end over the app's core: batches
//! run through the same update as the terminal UI.

pub mod args;
mod batch;
pub mod failure;
mod history;
pub mod init;
mod instances;
mod list;
mod migrate;
pub(crate) mod output;
mod session;

use std::path::PathBuf;

use crate::config::profile::Profile;
use crate::model::change::Change;
use args::{Command, LedgerAction, ProfileAction};
use failure::{Failure, exit, fail};
use session::Local;

/// Runs a headless command; output goes to stdout, progress to stderr.
/// `history` and `export` open only the ledger; the others the API
/// worker too.
pub async fn run(command: Command, profile: Profile, data_dir: PathBuf) -> Result<(), Failure> {
    if let Command::Ledger {
        action: LedgerAction::Migrate(args),
    } = &command
    {
        // This machine's file, whatever ledger the profile uses.
        return migrate::migrate(&profile, &data_dir, args);
    }
    let local = Local::open(profile, &data_dir)?;
    match command {
        Command::Instances(out) => instances::instances(local.connect()?, out.json).await,
        Command::List(args) => list::list(local, args).await,
        Command::Block(args) => batch::change(local, args, Change::Block).await,
        Command::Unblock(args) => batch::change(local, args, Change::Unblock).await,
        Command::Resume(out) => batch::resume(local, out.json).await,
        Command::Export(args) => history::export(local, args),
        Command::History(args) => history::history(local, args),
        Command::Profile {
            action: ProfileAction::Check(out),
        } => instances::profile_check(local.connect()?, out.json).await,
        Command::Ledger {
            action: LedgerAction::Status(out),
        } => history::status(local, out.json),
        Command::Ledger {
            action: LedgerAction::Migrate(_),
        } => Err(fail(
            exit::INTERNAL,
            "ledger migrate runs before the ledger opens",
        )),
        Command::Emulator(_) | Command::Init | Command::Completions { .. } | Command::Man => {
            Err(fail(exit::INTERNAL, "not a headless command"))
        }
    }
}

/// One CSV cell, safe to open in a spreadsheet.
pub use history::csv_cell;
