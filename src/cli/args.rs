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

    /// No colours (also when NO_COLOR is set): states keep their symbols.
    #[arg(long, global = true)]
    pub monochrome: bool,

    /// Never send a block or unblock (for viewers and audits); also
    /// `read_only = true` in the profile.
    #[arg(long, global = true)]
    pub read_only: bool,

    /// Let the mouse select rows, scroll and switch instances (it takes
    /// over the terminal's own text selection while the app runs).
    #[arg(long)]
    pub mouse: bool,

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
    /// Show each instance of the profile and its connection state.
    #[command(after_help = "Example:\n  ryze-contacts instances --json")]
    Instances(OutputArgs),
    /// List contacts with the block state the ledger knows.
    #[command(
        after_help = "Examples:\n  ryze-contacts list --instance sales\n  ryze-contacts list --blocked --json"
    )]
    List(ListArgs),
    /// Block numbers (any common format, or full JIDs).
    #[command(
        after_help = "Examples:\n  ryze-contacts block +5511999999999 --instance sales\n  ryze-contacts block --from spammers.txt --all --json"
    )]
    Block(ChangeArgs),
    /// Unblock numbers.
    #[command(after_help = "Example:\n  ryze-contacts unblock 5511999999999 --instance sales")]
    Unblock(ChangeArgs),
    /// Finish batches a previous run left unfinished (sends only what is not confirmed).
    #[command(
        after_help = "Example:\n  ryze-contacts block --from wave.txt --all   # killed half-way\n  ryze-contacts resume"
    )]
    Resume(OutputArgs),
    /// Check the profile: every instance's token, server, state and
    /// WebSocket (the live feed).
    #[command(after_help = "Example:\n  ryze-contacts profile check")]
    Profile {
        /// What to do with the profile.
        #[command(subcommand)]
        action: ProfileAction,
    },
    /// The ledger: which one is in use, its schema and size; copy this
    /// machine's into a team's.
    #[command(
        after_help = "Examples:\n  ryze-contacts ledger status --json\n  RYZE_LEDGER_PASSWORD=... ryze-contacts ledger migrate --to postgres://desk-2@db.example.com/ryze --password-env RYZE_LEDGER_PASSWORD"
    )]
    Ledger {
        /// What to do with the ledger.
        #[command(subcommand)]
        action: LedgerAction,
    },
    /// The team's blocklist: numbers every instance must block.
    #[command(
        after_help = "Examples:\n  ryze-contacts blocklist add +5511912345678 --reason spam --for 30d\n  ryze-contacts blocklist import spammers.csv --source feed-1\n  ryze-contacts blocklist retract --source feed-1"
    )]
    Blocklist {
        /// What to do with the list.
        #[command(subcommand)]
        action: BlocklistAction,
    },
    /// What `apply` would do to make each instance follow the blocklist.
    #[command(
        after_help = "Examples:\n  ryze-contacts plan\n  ryze-contacts plan --instance sales --json"
    )]
    Plan(PlanArgs),
    /// Make each instance follow the blocklist: sends the plan, as one
    /// resumable batch.
    #[command(
        after_help = "Examples:\n  ryze-contacts apply                  # shows the plan and asks\n  ryze-contacts apply --plan 3fa9c0e1b2d4 --yes"
    )]
    Apply(ApplyArgs),
    /// Write a profile interactively: server, token, instances.
    #[command(
        after_help = "Example:\n  ryze-contacts init\n  ryze-contacts init --profile ./work.toml"
    )]
    Init,
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  ryze-contacts completions bash > ~/.local/share/bash-completion/completions/ryze-contacts\n  ryze-contacts completions zsh > ~/.zfunc/_ryze-contacts"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff); with a command, that command's page.
    #[command(
        after_help = "Examples:\n  ryze-contacts man > ryze-contacts.1 && man ./ryze-contacts.1\n  ryze-contacts man ledger migrate | man -l -"
    )]
    Man {
        /// The command whose page to print (`list`, `ledger migrate`);
        /// none: the main page, with the keys, files, environment and exit
        /// codes.
        #[arg(value_name = "COMMAND")]
        command: Vec<String>,
    },
    /// The numbers the ledger knows as blocked now, as CSV, TSV or JSON.
    #[command(
        after_help = "Examples:\n  ryze-contacts export > blocked.csv\n  ryze-contacts export --format tsv | cut -f4   # E.164 numbers, one a line\n  ryze-contacts export --instance sales --json"
    )]
    Export(ExportArgs),
    /// Print the live feed as it comes: incoming messages and state
    /// changes of every instance (or one), with their flags; Ctrl-C ends it.
    #[command(
        after_help = "Examples:\n  ryze-contacts watch\n  ryze-contacts watch --flagged --json | jq -r .sender.number"
    )]
    Watch(WatchArgs),
    /// What this app asked of the server, newest first: time, number, name,
    /// block or unblock, result and error.
    #[command(
        after_help = "Examples:\n  ryze-contacts history --instance sales\n  ryze-contacts history --since 2026-11-01 --json"
    )]
    History(HistoryArgs),
}

/// `ryze-contacts profile ...`.
#[derive(Debug, Subcommand)]
pub enum ProfileAction {
    /// Validate the profile and test each instance's token and state, and
    /// whether its WebSocket serves the live feed (on a terminal, offers
    /// to enable it; elsewhere, says how).
    Check(OutputArgs),
}

/// What `ledger` does.
#[derive(Debug, Subcommand)]
pub enum LedgerAction {
    /// Which ledger is in use, its schema version, its size and what it
    /// holds.
    Status(OutputArgs),
    /// Copy this machine's ledger (the data folder's file) into a team's
    /// PostgreSQL ledger; running it again copies nothing twice.
    Migrate(MigrateArgs),
}

/// Options of `ledger migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The team's ledger: postgres://user@host:port/database (no password).
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// Environment variable holding the database password (default: the
    /// profile's [ledger] password, when its url is the same database).
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    /// Print machine-readable JSON on standard output.
    #[arg(long)]
    pub json: bool,
}

/// `--json`.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Print machine-readable JSON on standard output.
    #[arg(long)]
    pub json: bool,
}

/// Options of `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this instance (default: every instance of the profile).
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
    /// Only contacts the ledger knows as blocked.
    #[arg(long)]
    pub blocked: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Options of `block` and `unblock`.
#[derive(Debug, Args)]
pub struct ChangeArgs {
    /// Numbers: +44 7912 345678, a national form read in the instance's
    /// country (07912 345678), 447912345678, or a full JID.
    #[arg(value_name = "NUMBER")]
    pub numbers: Vec<String>,
    /// A file with one number per line (`#` starts a comment); `-` reads
    /// standard input. At most 100,000 lines or 10 MB.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// The instance to act on.
    #[arg(long, value_name = "NAME", conflicts_with = "all")]
    pub instance: Option<String>,
    /// Act on every instance of the profile.
    #[arg(long)]
    pub all: bool,
    /// Send the numbers that can be read and are on WhatsApp, and list
    /// the others, instead of sending nothing when any cannot be read or
    /// is not on WhatsApp.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Do not look the numbers up on WhatsApp before sending (for scripts
    /// that know their numbers): each is sent as typed and recorded as
    /// unverified.
    #[arg(long)]
    pub no_lookup: bool,
    /// Why: recorded in the ledger with each number (spam, abuse…).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Options of `watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Only this instance's feed (default: every instance of the profile).
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
    /// Only flagged messages (a spam wave, the deny list, a keyword of
    /// [live] in the profile).
    #[arg(long)]
    pub flagged: bool,
    /// One JSON object a line: time, instance, event, sender (number,
    /// JID, @lid), name, text, flags.
    #[arg(long)]
    pub json: bool,
}

/// Options of `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Only this instance.
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
    /// csv: for spreadsheets (a header; cells that could run as formulas,
    /// such as +447912345678, start with ' to stay text). tsv: for
    /// scripts (no header; tab-separated instance, jid, lid, e164, number,
    /// changed_at, operator, reason; numbers as they are).
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv, conflicts_with = "json")]
    pub format: ExportFormat,
    /// JSON instead of CSV.
    #[arg(long)]
    pub json: bool,
}

/// What `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Comma-separated, with a header, guarded for spreadsheets.
    Csv,
    /// Tab-separated, no header, every value as it is: for scripts.
    Tsv,
}

/// Options of `history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this instance.
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
    /// Only actions from this day on (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// A streamed JSON array instead of text.
    #[arg(long)]
    pub json: bool,
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

/// What to do with the blocklist.
#[derive(Debug, Subcommand)]
pub enum BlocklistAction {
    /// Add numbers (any common format, or full JIDs).
    Add(ListAddArgs),
    /// End every entry of these numbers (whatever source added them).
    Remove {
        /// The numbers.
        #[arg(value_name = "NUMBER", required = true)]
        numbers: Vec<String>,
    },
    /// The entries that list their number now.
    List(OutputArgs),
    /// Add the numbers of a file: the app's own export (CSV or JSON), a
    /// CSV `number,reason` with a header, or one number a line.
    Import(ListImportArgs),
    /// End every entry a source added (what another source or a person
    /// added stays).
    Retract {
        /// The source whose entries end.
        #[arg(long, value_name = "NAME")]
        source: String,
    },
}

/// Options of `blocklist add`.
#[derive(Debug, Args)]
pub struct ListAddArgs {
    /// The numbers.
    #[arg(value_name = "NUMBER", required = true)]
    pub numbers: Vec<String>,
    /// Why.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// How long they stay listed: 30d, 12h, 45m, 3s, 2w.
    #[arg(long = "for", value_name = "SPAN", conflicts_with = "until")]
    pub span: Option<String>,
    /// Until when they stay listed (RFC 3339, e.g. 2026-12-31T23:59:59Z).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Where they come from (default: manual).
    #[arg(long, value_name = "NAME", default_value = "manual")]
    pub source: String,
}

/// Options of `blocklist import`.
#[derive(Debug, Args)]
pub struct ListImportArgs {
    /// The file (`-` reads standard input).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Where the numbers come from (default: the file's name).
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// Why, for the rows that give none.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Add the numbers that can be read and name the others, instead of
    /// adding nothing when any line is bad.
    #[arg(long)]
    pub skip_invalid: bool,
}

/// Options of `plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Only this instance.
    #[arg(long, value_name = "NAME", conflicts_with = "all")]
    pub instance: Option<String>,
    /// Every instance of the profile (the default).
    #[arg(long)]
    pub all: bool,
    /// One JSON object a line: instance, action, number, reason, plan.
    #[arg(long)]
    pub json: bool,
}

/// Options of `apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Only this instance.
    #[arg(long, value_name = "NAME", conflicts_with = "all")]
    pub instance: Option<String>,
    /// Every instance of the profile (the default).
    #[arg(long)]
    pub all: bool,
    /// Send only if the plan is still this one (its id, as `plan` printed
    /// it); else nothing is sent.
    #[arg(long, value_name = "ID")]
    pub plan: Option<String>,
    /// Do not ask (for scripts).
    #[arg(long)]
    pub yes: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}
