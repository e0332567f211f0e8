//! `[ledger]` of the profile: where a team's shared ledger is.
//!
//! ```toml
//! [ledger]
//! url = "postgres://desk@db.example.com:5432/ryze"
//! password_env = "RYZE_LEDGER_PASSWORD"   # or password_cmd = "pass show ryze/db"
//! ```

use reqwest::Url;
use serde::Deserialize;

use super::login_name;
use super::secret_cmd::TokenCmd;
use crate::api::proxy::is_loopback;
use crate::store::ledger::{DEFAULT_PORT, PgTarget};
use crate::util::secret::Token;

/// `[ledger]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLedger {
    url: String,
    password_env: Option<String>,
    password_cmd: Option<TokenCmd>,
}

/// Reads `[ledger]`: the URL (never with a password in it), and the
/// password from `password_env` or `password_cmd`. Messages never repeat
/// a password.
pub(super) fn target_of(
    raw: &RawLedger,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<PgTarget, String> {
    let mut target = parse_url(&raw.url)?;
    target.password = match (&raw.password_env, &raw.password_cmd) {
        (Some(_), Some(_)) => {
            return Err("[ledger]: set only one of password_env, password_cmd".into());
        }
        (Some(var), None) => Some(password_from_env(var, "[ledger]: password_env", env)?),
        (None, Some(cmd)) => {
            let argv = cmd.argv();
            let (program, text) = super::secret_cmd::run(&argv)
                .map_err(|why| format!("[ledger]: password_cmd {why}"))?;
            Some(one_line(text.trim(), &format!("what {program} printed"))?)
        }
        (None, None) => None,
    };
    Ok(target)
}

/// The password in environment variable `var`; `who` names the setting
/// that names it (`[ledger]: password_env`, `--password-env`) in errors,
/// which never show the value.
pub(crate) fn password_from_env(
    var: &str,
    who: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Token, String> {
    let is_name = var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && var.chars().next().is_some_and(|c| !c.is_ascii_digit());
    if !is_name {
        return Err(format!(
            "{who} must name an environment variable (letters, digits, _)"
        ));
    }
    match env(var) {
        Some(value) => one_line(
            value.trim_end_matches(['\r', '\n']),
            &format!("{who}: environment variable {var}"),
        ),
        None => Err(format!(
            "{who}: environment variable {var} is not set (export {var}=<password>, or name another variable)"
        )),
    }
}

/// A password of one line, not empty; `what` names where it came from.
fn one_line(value: &str, what: &str) -> Result<Token, String> {
    if value.is_empty() {
        Err(format!("{what} is empty"))
    } else if value.chars().any(char::is_control) {
        Err(format!(
            "{what} holds a control character (a second line?): a password is one line"
        ))
    } else {
        Ok(Token::new(value))
    }
}

/// Reads `postgres://user@host:port/database`. The user defaults to the
/// login name, the port to 5432, the database to the user. TLS is
/// required for any host but this machine.
pub fn parse_url(text: &str) -> Result<PgTarget, String> {
    let url = Url::parse(text.trim()).map_err(|e| {
        format!("[ledger]: url is not a URL ({e}): write it as postgres://user@host:port/database")
    })?;
    let shown = || format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
    if url.password().is_some() {
        return Err(format!(
            "[ledger]: the url of {} must not hold a password (it would be shown and logged): remove it, and set password_env or password_cmd",
            shown()
        ));
    }
    if !matches!(url.scheme(), "postgres" | "postgresql") {
        return Err(format!(
            "[ledger]: url \"{}\" must start with postgres:// (a PostgreSQL database)",
            shown()
        ));
    }
    let Some(host) = url.host_str().filter(|h| !h.is_empty()) else {
        return Err("[ledger]: url must name a host: postgres://user@host:port/database".into());
    };
    if url.query().is_some() || url.fragment().is_some() {
        return Err(
            "[ledger]: url options (?…) are not read: TLS is always on for a host other than this machine; write postgres://user@host:port/database".into(),
        );
    }
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let user = percent_decoded(url.username()).unwrap_or_else(login_name);
    let database = percent_decoded(url.path().trim_start_matches('/'))
        .filter(|d| !d.contains('/'))
        .unwrap_or_else(|| user.clone());
    Ok(PgTarget {
        host,
        port: url.port().unwrap_or(DEFAULT_PORT),
        user,
        database,
        password: None,
        tls: !is_loopback(&url),
    })
}

/// `text` with its `%XX` escapes decoded; `None` when empty.
fn percent_decoded(text: &str) -> Option<String> {
    if text.is_empty() {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'%')
            .then(|| text.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_gives_host_port_user_and_database() {
        let t = parse_url("postgres://desk-2@db.example.com:6432/ryze").unwrap();
        assert_eq!(
            (
                t.host.as_str(),
                t.port,
                t.user.as_str(),
                t.database.as_str(),
                t.tls
            ),
            ("db.example.com", 6432, "desk-2", "ryze", true)
        );
        assert_eq!(t.shown(), "postgres://desk-2@db.example.com:6432/ryze");
        let local = parse_url("postgresql://me@127.0.0.1/team").unwrap();
        assert_eq!((local.port, local.tls), (5432, false));
        let v6 = parse_url("postgres://me@[::1]:7000/team").unwrap();
        assert_eq!((v6.host.as_str(), v6.tls), ("::1", false));
        assert_eq!(v6.shown(), "postgres://me@[::1]:7000/team");
        assert!(parse_url("postgres://me@localhost/x").is_ok_and(|t| !t.tls));
        let bare = parse_url("postgres://me@db").unwrap();
        assert_eq!(bare.database, "me");
    }

    #[test]
    fn a_password_in_the_url_is_refused_and_never_echoed() {
        let err = parse_url("postgres://desk:hunter2@db.example.com/ryze").unwrap_err();
        assert!(err.contains("password_env"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn other_schemes_and_options_are_refused() {
        assert!(
            parse_url("mysql://me@db/x")
                .unwrap_err()
                .contains("postgres://")
        );
        assert!(
            parse_url("postgres://me@db/x?sslmode=disable")
                .unwrap_err()
                .contains("TLS")
        );
        assert!(parse_url("not a url").is_err());
    }

    #[test]
    fn the_password_comes_from_its_variable_and_never_shows() {
        let raw = RawLedger {
            url: "postgres://me@db.example.com/x".into(),
            password_env: Some("LEDGER_PW".into()),
            password_cmd: None,
        };
        let env = |v: &str| (v == "LEDGER_PW").then(|| "s3cret\n".to_string());
        let t = target_of(&raw, &env).unwrap();
        assert_eq!(t.password.as_ref().map(Token::expose), Some("s3cret"));
        assert!(!format!("{t:?}").contains("s3cret"));
        let missing = target_of(&raw, &|_| None).unwrap_err();
        assert!(missing.contains("LEDGER_PW is not set"), "{missing}");
        let two_lines = target_of(&raw, &|_| Some("a\nb".into())).unwrap_err();
        assert!(!two_lines.contains('a') || !two_lines.contains("a\nb"));
    }
}
