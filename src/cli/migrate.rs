//! `ledger migrate --to URL`: copies this machine's ledger into a team's.

use std::path::Path;

use crate::cli::args::MigrateArgs;
use crate::cli::failure::{Failure, exit, fail, usage};
use crate::config::profile::Profile;
use crate::store::ledger::{Ledger, LedgerError, PgLedger, PgTarget, SqliteLedger};
use crate::util::secret::Token;

/// Copies the data folder's ledger into the team's at `args.to`. Rows
/// copied before (from the same file) are not copied again; a known
/// state replaces the team's only when it is newer.
pub(crate) fn migrate(
    profile: &Profile,
    data_dir: &Path,
    args: &MigrateArgs,
) -> Result<(), Failure> {
    let mut target = crate::config::ledger::parse_url(&args.to).map_err(usage)?;
    target.password = password(profile, &target, args.password_env.as_deref())?;
    let (local, notice) =
        SqliteLedger::open(data_dir).map_err(|e| fail(exit::INTERNAL, e.to_string()))?;
    if let Some(notice) = notice {
        crate::cli::output::say(&notice);
    }
    let dump = local
        .dump()
        .map_err(|e| fail(exit::INTERNAL, e.to_string()))?;
    let origin = dump.origin.clone();
    let (mut team, _) = PgLedger::open(target.clone()).map_err(|e| not_opened(e, &target))?;
    let counts = team
        .import(dump)
        .map_err(|e| fail(exit::INTERNAL, format!("nothing was copied: {e}")))?;
    if args.json {
        crate::cli::output::json(&serde_json::json!({
            "from": origin,
            "to": target.shown(),
            "copied": counts,
        }))?;
    } else {
        crate::cli::output::line(&format!(
            "copied {} request(s) ({} there already), {} batch(es) ({} there already), {} known state(s) ({} kept as the team had them, as new or newer)\nfrom {origin}\nto {}",
            counts.actions,
            counts.actions_there,
            counts.batches,
            counts.batches_there,
            counts.known,
            counts.known_kept,
            target.shown()
        ))?;
    }
    Ok(())
}

/// Why the team's ledger could not be opened. A password it wants, or
/// one it refused, is the user's to give (exit 2), and says how:
/// `--password-env` names the variable that holds it (a password is
/// never typed on the command line, where the shell's history keeps it).
fn not_opened(e: LedgerError, target: &PgTarget) -> Failure {
    let url = target.shown();
    match e {
        LedgerError::PasswordNeeded { .. } => usage(format!(
            "the team ledger {url} wants a password for {}, and none was given: put it in an environment variable (read -rs RYZE_LEDGER_PASSWORD; export RYZE_LEDGER_PASSWORD) and run again with --password-env RYZE_LEDGER_PASSWORD; nothing was copied",
            target.user
        )),
        refused @ LedgerError::Refused { .. } => usage(format!("{refused}; nothing was copied")),
        other => fail(exit::INTERNAL, format!("{other}; nothing was copied")),
    }
}

/// The password for `target`: from `--password-env`, else the profile's
/// `[ledger]` when it names the same database.
fn password(
    profile: &Profile,
    target: &PgTarget,
    var: Option<&str>,
) -> Result<Option<Token>, Failure> {
    if let Some(var) = var {
        let env = |name: &str| std::env::var(name).ok();
        return crate::config::ledger::password_from_env(var, "--password-env", &env)
            .map(Some)
            .map_err(usage);
    }
    Ok(profile
        .ledger
        .as_ref()
        .filter(|own| own.shown() == target.shown())
        .and_then(|own| own.password.clone()))
}
