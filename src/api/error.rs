//! The client's one error type: it keeps the HTTP status, the server's
//! `error.message` and the rate-limit headers, and says what to do.

use thiserror::Error;

/// The `X-RateLimit-*` headers of one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub limit: u32,
    /// Requests left in this window.
    pub remaining: u32,
    /// Unix time (seconds) at which the window resets, on the server's
    /// clock.
    pub reset: u64,
    /// The server's clock when it answered (its `Date` header), to read
    /// `reset` against.
    pub server_now: Option<u64>,
}

/// Why a call failed.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum ApiError {
    /// The server answered with an error status.
    #[error("HTTP {status}: {}", message.as_deref().unwrap_or("no message"))]
    Status {
        /// The HTTP status.
        status: u16,
        /// The server's `error.message`, sanitised.
        message: Option<String>,
        /// Rate-limit headers, when sent.
        rate: Option<RateLimit>,
        /// `Retry-After`, when sent.
        retry_after: Option<std::time::Duration>,
    },
    /// A proxy answered with a page that is not JSON (HTML 502/504...).
    #[error("HTTP {status}: the server is unreachable (a proxy answered instead)")]
    Unreachable {
        /// The HTTP status of the page.
        status: u16,
    },
    /// No answer in time.
    #[error("no answer within {seconds}s")]
    Timeout {
        /// The time-out that ran out.
        seconds: u64,
    },
    /// Not sent: the server let this token's last requests time out.
    #[error("the server does not answer ({timeouts} time-outs in a row): not sent")]
    NotAnswering {
        /// The time-outs in a row that stopped the token.
        timeouts: u32,
    },
    /// The connection could not be made or broke.
    #[error("cannot connect: {detail}")]
    Connect {
        /// What failed, without URL or token.
        detail: String,
    },
    /// The connection was lost after the request was sent, before any
    /// answer: the server may have acted on it.
    #[error(
        "the connection was lost after the request was sent (the server may have acted on it): {detail}"
    )]
    Lost {
        /// What the network said, without URL or token.
        detail: String,
    },
    /// The connection broke after the answer began and before its end.
    #[error("the connection broke mid-answer: {detail}")]
    Interrupted {
        /// What the network said, without URL or token.
        detail: String,
    },
    /// A 2xx answer whose body is not what the contract says.
    #[error("unexpected answer: {detail}")]
    Malformed {
        /// What did not parse.
        detail: String,
    },
    /// A well-formed answer that contradicts the request: another contact
    /// named, or the opposite state. Nothing is recorded as changed.
    #[error("the server's answer does not match the request: {detail}")]
    Contrary {
        /// What did not match, with the server's own words.
        detail: String,
    },
    /// A body larger than the cap.
    #[error("answer larger than {} MB", limit_bytes.div_ceil(1 << 20))]
    TooLarge {
        /// The cap in bytes.
        limit_bytes: usize,
    },
    /// The request could not be built (bad URL in the profile...).
    #[error("cannot send the request: {detail}")]
    Request {
        /// What was wrong.
        detail: String,
    },
}

impl ApiError {
    /// A body that is not what the contract says. The parser's words may
    /// quote the body, so they are sanitised like any text from the server.
    pub fn malformed(detail: impl std::fmt::Display) -> ApiError {
        ApiError::Malformed {
            detail: crate::util::sanitize::clean(&detail.to_string()).into_owned(),
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } | ApiError::Unreachable { status } => Some(*status),
            _ => None,
        }
    }

    /// The server's own `error.message`, when it sent one.
    pub fn server_message(&self) -> Option<&str> {
        match self {
            ApiError::Status { message, .. } => message.as_deref(),
            _ => None,
        }
    }

    /// Rate-limit headers of the failed answer, when sent.
    pub fn rate(&self) -> Option<RateLimit> {
        match self {
            ApiError::Status { rate, .. } => *rate,
            _ => None,
        }
    }

    /// A 429 with budget left (`X-RateLimit-Remaining` above 0): WhatsApp
    /// throttling this number, not the token's budget spent.
    pub fn is_throttling(&self) -> bool {
        self.status() == Some(429) && self.rate().is_some_and(|r| r.remaining > 0)
    }

    /// `Retry-After` of the failed answer, when sent.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            ApiError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// What the user should do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            ApiError::Status { status, .. } => match status {
                400 => "the server refused the request: check the number",
                401 => "the token is missing or wrong: fix it in the profile",
                403 => {
                    "this instance token does not own this instance: use its own token or the account token"
                }
                404 => "no such instance on the server: check the name in the profile",
                409 => "the server reports a conflict: refresh, then retry",
                429 => "rate limit reached: wait for the window to reset, then retry",
                503 => "instance is not connected: connect the phone and retry",
                300..=399 => {
                    "the server redirected elsewhere (not followed, so the token stays here): check base_url"
                }
                500..=599 => "the server failed: retry in a moment",
                _ => "unexpected status: retry, and check base_url if it persists",
            },
            ApiError::Unreachable { .. } => "the server is unreachable: retry in a moment",
            ApiError::Timeout { .. } => {
                "the server is slow or unreachable: check the network and retry"
            }
            ApiError::Connect { .. } => "cannot reach the server: check base_url and the network",
            ApiError::NotAnswering { .. } => {
                "check the server and the network; what was not sent is kept: resume (or B) sends it"
            }
            ApiError::Interrupted { .. } => {
                "the connection dropped before the whole answer arrived: retry, and check the network if it persists"
            }
            ApiError::Lost { .. } => {
                "retry (blocking twice is harmless), and check the network if it persists"
            }
            ApiError::Malformed { .. } => "check that base_url points to RyzeAPI",
            ApiError::TooLarge { .. } => "the answer is too large to load",
            ApiError::Contrary { .. } => {
                "nothing was recorded as changed: check the contact on the phone, refresh, then retry"
            }
            ApiError::Request { .. } => "check base_url and the instance name in the profile",
        }
    }

    /// Whether retrying the same request soon may succeed. A 503 is not:
    /// the contract uses it for an instance whose phone is not connected,
    /// which needs a person, not a retry.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Status { status, .. } => *status == 429 || (*status >= 500 && *status != 503),
            ApiError::Unreachable { .. }
            | ApiError::Timeout { .. }
            | ApiError::Connect { .. }
            | ApiError::Lost { .. }
            | ApiError::Interrupted { .. } => true,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_keeps_status_and_message() {
        let e = ApiError::Status {
            status: 503,
            message: Some("Instance is not connected to WhatsApp".into()),
            rate: None,
            retry_after: None,
        };
        assert_eq!(
            e.to_string(),
            "HTTP 503: Instance is not connected to WhatsApp"
        );
        assert_eq!(
            e.hint(),
            "instance is not connected: connect the phone and retry"
        );
        assert!(!e.is_transient(), "a disconnected phone needs a person");
        for status in [429, 500, 502, 504] {
            let e = ApiError::Status {
                status,
                message: None,
                rate: None,
                retry_after: None,
            };
            assert!(e.is_transient(), "{status}");
        }
        let e = ApiError::Status {
            status: 401,
            message: None,
            rate: None,
            retry_after: None,
        };
        assert!(!e.is_transient());
        assert_eq!(e.status(), Some(401));
    }
}
