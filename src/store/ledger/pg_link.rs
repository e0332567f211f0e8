//! The connection to a team's ledger: where it is, connecting (with TLS
//! for any host but this machine), listening for what colleagues record,
//! and connecting again after a loss, with a growing wait.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use tokio_postgres::{AsyncMessage, Client, NoTls};

use super::contract::LedgerError;
use crate::util::secret::Token;

/// The port PostgreSQL listens on unless the URL says otherwise.
pub const DEFAULT_PORT: u16 = 5432;
/// How long a connection is tried before the database counts as
/// unreachable.
const CONNECT_WAIT: Duration = Duration::from_secs(5);
/// How long one statement (or transaction) may take.
const QUERY_WAIT: Duration = Duration::from_secs(15);
/// The first wait before a lost connection is tried again; it doubles up
/// to [`RETRY_MAX`].
const RETRY_FIRST: Duration = Duration::from_secs(1);
/// The longest wait between two tries to reconnect.
const RETRY_MAX: Duration = Duration::from_secs(30);
/// The channel every change is announced on.
pub(super) const CHANNEL: &str = "ryze_contacts_ledger";
/// Where the team's ledger is: `[ledger] url` of the profile, with its
/// password. Its `Debug` never shows the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgTarget {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Database user.
    pub user: String,
    /// Database name.
    pub database: String,
    /// From `password_env` or `password_cmd`, when set.
    pub password: Option<Token>,
    /// Whether TLS is required (any host but this machine).
    pub tls: bool,
}

impl PgTarget {
    /// The URL as it may be shown and logged: never a password.
    pub fn shown(&self) -> String {
        format!(
            "postgres://{}@{}/{}",
            self.user,
            self.address(),
            self.database
        )
    }

    /// `host:port`, for messages about reaching it.
    fn address(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("{host}:{}", self.port)
    }
}

/// What PostgreSQL said, in one line: the server's own message for a
/// database error, else the client's with its cause.
fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{}: {}", db.severity(), db.message());
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let said = cause.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        source = cause.source();
    }
    text
}

/// Why no connection was made: no server answered, or one answered and
/// refused who this app said it was. Told apart so that a wrong password
/// is never sent to check whether PostgreSQL runs.
#[derive(Debug, Clone)]
enum NoConnection {
    /// No answer, or not in time: the server may be down or unreachable.
    Unreachable(String),
    /// The server asked for a password and none was given.
    PasswordNeeded,
    /// The server refused the user or its password (SQLSTATE 28P01
    /// invalid_password, 28000 invalid_authorization_specification),
    /// with what it said and what to check.
    Refused(String, &'static str),
}

impl NoConnection {
    /// What went wrong connecting, by tokio-postgres's error: the
    /// server's SQLSTATE when it answered; `password missing` (the
    /// client's own words) when it asked one and there was none.
    fn of(target: &PgTarget, e: &tokio_postgres::Error) -> NoConnection {
        use tokio_postgres::error::SqlState;
        let why = describe(e);
        match e.code() {
            Some(code) if *code == SqlState::INVALID_PASSWORD => NoConnection::Refused(
                why,
                "check the password (the variable password_env names, or what password_cmd prints; --password-env for ledger migrate)",
            ),
            Some(code) if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
                NoConnection::Refused(
                    why,
                    "check the user name in the URL, and that the server's pg_hba.conf lets this machine in",
                )
            }
            _ if target.password.is_none() && why.contains("password missing") => {
                NoConnection::PasswordNeeded
            }
            _ => NoConnection::Unreachable(why),
        }
    }
}

/// The connection and what keeps it: owned by the ledger's thread.
pub(super) struct Link {
    rt: tokio::runtime::Runtime,
    target: PgTarget,
    client: Option<Client>,
    /// Bumped on every change announced (and on every new connection,
    /// which may have missed some).
    changes: Arc<AtomicI64>,
    /// After a failed connection: when to try again, the wait after that,
    /// and what went wrong.
    retry: Option<(Instant, Duration, NoConnection)>,
}

impl Link {
    /// A link to `target` on `rt`, not connected yet; `changes` counts
    /// what is announced.
    pub(super) fn new(
        rt: tokio::runtime::Runtime,
        target: PgTarget,
        changes: Arc<AtomicI64>,
    ) -> Link {
        Link {
            rt,
            target,
            client: None,
            changes,
            retry: None,
        }
    }

    /// Connects when not connected; after a failure, not before its wait
    /// is over (the wait doubles up to [`RETRY_MAX`]).
    pub(super) fn connect(&mut self) -> Result<(), LedgerError> {
        if self.client.as_ref().is_some_and(|c| !c.is_closed()) {
            return Ok(());
        }
        self.client = None;
        if let Some((at, _, why)) = &self.retry
            && Instant::now() < *at
        {
            let again = at.saturating_duration_since(Instant::now()).as_secs() + 1;
            return Err(match why {
                NoConnection::Unreachable(why) => {
                    self.unreachable(format!("{why}; tried again in {again} s"))
                }
                other => self.not_connected(other.clone()),
            });
        }
        let target = self.target.clone();
        let changes = self.changes.clone();
        let connected = self.rt.block_on(async move {
            tokio::time::timeout(CONNECT_WAIT * 2, connect(&target, changes))
                .await
                .unwrap_or_else(|_| {
                    let waited = CONNECT_WAIT.as_secs() * 2;
                    Err(NoConnection::Unreachable(format!(
                        "no answer in {waited} s"
                    )))
                })
        });
        match connected {
            Ok(client) => {
                self.client = Some(client);
                self.retry = None;
                self.changes.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
            Err(why) => {
                let wait = self
                    .retry
                    .as_ref()
                    .map_or(RETRY_FIRST, |(_, wait, _)| (*wait * 2).min(RETRY_MAX));
                tracing::warn!(ledger = %self.target.shown(), error = ?why, "team ledger not connected");
                self.retry = Some((Instant::now() + wait, wait, why.clone()));
                Err(self.not_connected(why))
            }
        }
    }

    /// The error for a connection not made.
    fn not_connected(&self, why: NoConnection) -> LedgerError {
        match why {
            NoConnection::Unreachable(why) => self.unreachable(why),
            NoConnection::PasswordNeeded => LedgerError::PasswordNeeded {
                place: self.target.shown(),
                user: self.target.user.clone(),
            },
            NoConnection::Refused(why, hint) => LedgerError::Refused {
                place: self.target.shown(),
                user: self.target.user.clone(),
                why,
                hint,
            },
        }
    }

    fn unreachable(&self, why: String) -> LedgerError {
        LedgerError::Unreachable {
            place: self.target.shown(),
            address: self.target.address(),
            why,
        }
    }

    /// Runs `work` on the connection (connecting first), within
    /// [`QUERY_WAIT`]. A connection that broke or timed out is dropped,
    /// to be made again by the next call.
    pub(super) fn run<T>(
        &mut self,
        work: impl AsyncFnOnce(&mut Client) -> Result<T, tokio_postgres::Error>,
    ) -> Result<T, LedgerError> {
        self.connect()?;
        let Some(client) = self.client.as_mut() else {
            return Err(LedgerError::Stopped("no connection".into()));
        };
        let answer = self
            .rt
            .block_on(async { tokio::time::timeout(QUERY_WAIT, work(client)).await });
        let timed_out = answer.is_err();
        let why = match answer {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(e)) => describe(&e),
            Err(_) => format!("no answer in {} s", QUERY_WAIT.as_secs()),
        };
        let lost = timed_out || self.client.as_ref().is_none_or(Client::is_closed);
        if lost {
            self.client = None;
            return Err(self.unreachable(format!("the connection was lost ({why})")));
        }
        Err(LedgerError::Postgres {
            place: self.target.shown(),
            why,
        })
    }
}

/// Opens one connection, drives it on the runtime (counting what is
/// announced on [`CHANNEL`]) and listens.
async fn connect(target: &PgTarget, changes: Arc<AtomicI64>) -> Result<Client, NoConnection> {
    let mut config = tokio_postgres::Config::new();
    config
        .host(&target.host)
        .port(target.port)
        .user(&target.user)
        .dbname(&target.database)
        .application_name("ryze-contacts")
        .connect_timeout(CONNECT_WAIT)
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(30));
    if let Some(password) = &target.password {
        config.password(password.expose());
    }
    let client = if target.tls {
        config.ssl_mode(tokio_postgres::config::SslMode::Require);
        let tls = tls().map_err(NoConnection::Unreachable)?;
        let connected = config.connect(tls).await;
        let (client, connection) = connected.map_err(|e| NoConnection::of(target, &e))?;
        tokio::spawn(drive(connection, changes));
        client
    } else {
        config.ssl_mode(tokio_postgres::config::SslMode::Disable);
        let connected = config.connect(NoTls).await;
        let (client, connection) = connected.map_err(|e| NoConnection::of(target, &e))?;
        tokio::spawn(drive(connection, changes));
        client
    };
    client
        .batch_execute(&format!("LISTEN {CHANNEL}"))
        .await
        .map_err(|e| NoConnection::Unreachable(describe(&e)))?;
    Ok(client)
}

/// TLS with the system's certificate roots, verified against the host.
fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
    use rustls_platform_verifier::ConfigVerifierExt;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = rustls::ClientConfig::with_platform_verifier()
        .map_err(|e| format!("TLS could not be set up: {e}"))?;
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// Drives a connection until it ends, counting announced changes.
async fn drive<S, T>(mut connection: tokio_postgres::Connection<S, T>, changes: Arc<AtomicI64>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    loop {
        match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            Some(Ok(AsyncMessage::Notification(_))) => {
                changes.fetch_add(1, Ordering::SeqCst);
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => {
                tracing::warn!(error = %describe(&e), "team ledger connection ended");
                break;
            }
            None => break,
        }
    }
}
