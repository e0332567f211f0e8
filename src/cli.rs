//! Command-line interface (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// See and block the contacts of your RyzeAPI WhatsApp instances.
#[derive(Debug, Parser)]
#[command(
    name = "ryze-contacts",
    version,
    after_help = "Examples:\n  ryze-contacts --demo                 try it on built-in demo data\n  ryze-contacts                        open the saved profile\n  ryze-contacts --instance support     open on the instance \"support\"\n  ryze-contacts emulator --port 8080   serve the demo API for curl"
)]
pub struct Cli {
    /// Profile file (default: the config folder, e.g. ~/.config/ryze-contacts/profile.toml).
    #[arg(
        long,
        env = "RYZE_CONTACTS_PROFILE",
        value_name = "PATH",
        global = true
    )]
    pub profile: Option<PathBuf>,

    /// Folder for the ledger and the log (default: the data folder, e.g. ~/.local/share/ryze-contacts).
    #[arg(long, env = "RYZE_CONTACTS_DATA", value_name = "PATH", global = true)]
    pub data_dir: Option<PathBuf>,

    /// Instance to open on (its name in the profile).
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,

    /// Run on a built-in RyzeAPI emulator with demo data; nothing to configure.
    #[arg(long, conflicts_with = "profile")]
    pub demo: bool,

    /// What to do (default: the terminal UI).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the RyzeAPI emulator on 127.0.0.1 for curl experiments and tests.
    #[command(
        after_help = "Example:\n  ryze-contacts emulator --port 8080 &\n  curl -H 'token: demo-account-token' http://127.0.0.1:8080/api/instance/list"
    )]
    Emulator(EmulatorArgs),
}

/// Options of `ryze-contacts emulator`.
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Contacts per instance (default: the demo's sizes, 150 to 480).
    #[arg(long, value_name = "N")]
    pub contacts: Option<usize>,
    /// Requests per minute per token.
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub rate_limit: u32,
    /// Delay before every answer, in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub latency_ms: u64,
}
