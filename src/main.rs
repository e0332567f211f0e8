//! Entry point: parse arguments, load the profile, start the UI, the demo,
//! the emulator or a headless command, and turn failures into one clear
//! message and an exit code (see `cli::failure::exit`).

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, Parser};

use ryze_contacts::cli::args::{Cli, Command, EmulatorArgs};

use ryze_contacts::cli::{init, man};
use ryze_contacts::config::profile::{self, Profile};
use ryze_contacts::emulator::{self, DEMO_ACCOUNT_TOKEN, EmulatorConfig};
use ryze_contacts::engine::default_data_dir;
use ryze_contacts::tui::demo;
use ryze_contacts::tui::run::{RunOptions, run};
use ryze_contacts::ui;
use ryze_contacts::util::{logging, print};

use ryze_contacts::cli::failure::{Failure, internal as other, usage};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure { code, message }) => {
            // A closed pipe ends quietly: there is no message.
            if !message.is_empty() {
                print::say(&message);
            }
            ExitCode::from(code)
        }
    }
}

async fn dispatch(mut cli: Cli) -> Result<(), Failure> {
    ui::theme::set_monochrome(cli.monochrome || ui::theme::no_color_requested());
    match cli.command.take() {
        Some(Command::Emulator(args)) => serve_emulator(args).await,
        Some(Command::Completions { shell }) => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "ryze-contacts", &mut script);
            write_out(&script)
        }
        Some(Command::Man { command }) => write_out(&man::page(&command)?),
        Some(Command::Init) => {
            let path = profile_path(cli.profile)?;
            let mut input = std::io::stdin().lock();
            init::run(&path, &mut input).await
        }
        Some(command) => headless(cli, command).await,
        None if cli.demo => demo_ui(cli).await,
        None => profile_ui(cli).await,
    }
}

/// Writes `bytes` to standard output: a closed pipe (`man | head -1`)
/// ends the command quietly, as for every other command.
fn write_out(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = print::generated();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

/// A headless command on the saved profile.
async fn headless(cli: Cli, command: Command) -> Result<(), Failure> {
    let mut profile = load_profile(cli.profile)?;
    if cli.read_only {
        profile.make_read_only();
    }
    for w in &profile.warnings {
        print::say(&format!("warning: {w}"));
    }
    let data_dir = data_dir(cli.data_dir)?;
    if let Some(log) = logging::init(&data_dir) {
        tracing::info!(log = %log.display(), "headless command");
    }
    ryze_contacts::tui::run::catch_file_size_limit();
    ryze_contacts::cli::run(command, profile, data_dir).await
}

/// `--demo`: the terminal UI on the embedded emulator.
async fn demo_ui(cli: Cli) -> Result<(), Failure> {
    let demo = demo::start().await.map_err(other)?;
    let data_dir = cli
        .data_dir
        .unwrap_or_else(|| demo.data_dir.path().to_path_buf());
    let start = start_index(&demo.profile, cli.instance.as_deref())?;
    let mut profile = demo.profile.clone();
    if cli.read_only {
        profile.make_read_only();
    }
    run_ui(profile, data_dir, start, "demo".to_string(), cli.mouse).await
}

/// The terminal UI on the saved profile.
async fn profile_ui(cli: Cli) -> Result<(), Failure> {
    let path = profile_path(cli.profile)?;
    let mut profile = profile::load(&path).map_err(|e| usage(e.to_string()))?;
    if cli.read_only {
        profile.make_read_only();
    }
    let data_dir = data_dir(cli.data_dir)?;
    let start = start_index(&profile, cli.instance.as_deref())?;
    let key = ryze_contacts::store::view_memory::profile_key(
        &std::fs::canonicalize(&path).unwrap_or(path),
    );
    run_ui(profile, data_dir, start, key, cli.mouse).await
}

fn profile_path(path: Option<PathBuf>) -> Result<PathBuf, Failure> {
    match path {
        Some(path) => Ok(path),
        None => profile::default_path().ok_or_else(|| usage("no home folder: pass --profile PATH")),
    }
}

fn load_profile(path: Option<PathBuf>) -> Result<Profile, Failure> {
    profile::load(&profile_path(path)?).map_err(|e| usage(e.to_string()))
}

fn data_dir(dir: Option<PathBuf>) -> Result<PathBuf, Failure> {
    match dir {
        Some(dir) => Ok(dir),
        None => default_data_dir().ok_or_else(|| usage("no home folder: pass --data-dir PATH")),
    }
}

fn start_index(profile: &Profile, wanted: Option<&str>) -> Result<Option<usize>, Failure> {
    wanted
        .map(|wanted| {
            profile
                .find_instance(wanted)
                .map_err(|e| usage(format!("--instance {wanted}: {e}")))
        })
        .transpose()
}

async fn run_ui(
    profile: Profile,
    data_dir: PathBuf,
    start: Option<usize>,
    view_key: String,
    mouse: bool,
) -> Result<(), Failure> {
    let log_path = logging::init(&data_dir);
    tracing::info!(instances = profile.instances.len(), "starting");
    run(RunOptions {
        profile,
        data_dir,
        start,
        view_key,
        log_path,
        mouse,
    })
    .await
    .map_err(other)
}

async fn serve_emulator(args: EmulatorArgs) -> Result<(), Failure> {
    let config = EmulatorConfig {
        rate_limit: args.rate_limit,
        latency: Duration::from_millis(args.latency_ms),
        ..EmulatorConfig::demo(args.contacts)
    };
    let summary: Vec<String> = config
        .instances
        .iter()
        .map(|i| {
            format!(
                "  {:<10} {:<13} {:>6} contacts   instance token: {}",
                i.name,
                i.state,
                i.contacts.len(),
                i.token
            )
        })
        .collect();
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let mut running = emulator::start(config, addr)
        .await
        .map_err(|e| other(format!("cannot listen on {addr}: {e}")))?;
    running.play_demo_feed();
    let mut out = print::Out::stdout(4096);
    out.line(&format!(
        "RyzeAPI emulator on {}\naccount token: {DEMO_ACCOUNT_TOKEN}\n{}\ntry: curl -H 'token: {DEMO_ACCOUNT_TOKEN}' {}/api/instance/list\nlive events: ws://{}/ws/<instance> with the token header (a demo spam wave every 2 min)\nCtrl-C stops it.",
        running.base_url(),
        summary.join("\n"),
        running.base_url(),
        running.addr()
    ))
    .and_then(|()| out.flush())
    .map_err(other)?;
    tokio::signal::ctrl_c().await.map_err(other)?;
    Ok(())
}
