//! What the user configures: the profile, its instances, tokens and keys,
//! where the team's ledger is, and what flags a live message.

pub mod ledger;
mod live;
pub mod profile;
mod profile_text;
pub(crate) mod secret_cmd;
mod token_source;

/// Who this machine's user is, for the ledger when the profile names no
/// `operator`: the login name (`USER`, `LOGNAME`, `USERNAME`), else
/// `unknown`.
pub fn login_name() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|v| !v.trim().is_empty()))
        .map(|v| crate::util::sanitize::clean(v.trim()).into_owned())
        .unwrap_or_else(|| "unknown".to_string())
}
