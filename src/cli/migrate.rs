//! `ledger migrate --to URL`: copies this machine's ledger into a team's.

use std::path::Path;

use crate::cli::args::MigrateArgs;
use crate::cli::failure::{Failure, exit, fail, usage};
use crate::config::profile::Profile;
use crate::store::ledger::{Ledger, PgLedger, PgTarget, SqliteLedger};
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
    let (mut team, _) =
        PgLedger::open(target.clone()).map_err(|e| fail(exit::INTERNAL, e.to_string()))?;
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
