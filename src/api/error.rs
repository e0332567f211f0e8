//! The client's one error type: it keeps the HTTP status, the server's
//! `error.message` and the rate-limit headers, and says what to do.

use std::borrow::Cow;

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

    /// `Retry-After` of the failed answer, when sent.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            ApiError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// What the user should do about it.
    pub fn hint(&self) -> Cow<'static, str> {
        let fixed = match self {
            ApiError::Status {
                status,
                message,
                rate,
                ..
            } => return status_hint(*status, message.as_deref(), *rate),
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
        };
        Cow::Borrowed(fixed)
    }

    /// A 429 that came with budget left (`X-RateLimit-Remaining` above 0):
    /// WhatsApp throttling this number's requests, which calls for a
    /// slower pace, not a wait for the window.
    pub fn is_throttling(&self) -> bool {
        matches!(
            self,
            ApiError::Status { status: 429, rate: Some(rate), .. } if rate.remaining > 0
        )
    }

    /// Whether the answer says the instance has no live WhatsApp session:
    /// a 503, or a 400 whose message says the instance is not connected.
    pub fn means_disconnected(&self) -> bool {
        match self {
            ApiError::Status {
                status, message, ..
            } => means_disconnected(*status, message.as_deref()),
            _ => false,
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

/// The hint of an error status: the fixed words of most, a 429 by its
/// kind, a 400 that says the instance is disconnected as a 503.
fn status_hint(status: u16, message: Option<&str>, rate: Option<RateLimit>) -> Cow<'static, str> {
    if means_disconnected(status, message) {
        return Cow::Borrowed(DISCONNECTED_HINT);
    }
    let fixed = match status {
        400 => "the server refused the request: check the number",
        401 => "the token is missing or wrong: fix it in the profile",
        403 => {
            "this instance token does not own this instance: use its own token or the account token"
        }
        404 => "no such instance on the server: check the name in the profile",
        409 => "the server reports a conflict: refresh, then retry",
        429 => return rate_limited_hint(rate),
        300..=399 => {
            "the server redirected elsewhere (not followed, so the token stays here): check base_url"
        }
        500..=599 => "the server failed: retry in a moment",
        _ => "unexpected status: retry, and check base_url if it persists",
    };
    Cow::Borrowed(fixed)
}

/// What to do about an instance without a live session.
const DISCONNECTED_HINT: &str = "instance is not connected: connect the phone and retry";

/// A 429 by its kind: with budget left, WhatsApp throttling; else (or
/// with no headers to tell) the token's budget is spent.
fn rate_limited_hint(rate: Option<RateLimit>) -> Cow<'static, str> {
    match rate {
        Some(rate) if rate.remaining > 0 => {
            Cow::Borrowed("WhatsApp is throttling this number's requests; it slows down")
        }
        Some(rate) => Cow::Owned(format!(
            "this token's budget of {} a minute is spent (by this app or another client using the same token); it waits for the window",
            rate.limit
        )),
        None => Cow::Borrowed(
            "this token's budget of requests is spent (by this app or another client using the same token); it waits for the window",
        ),
    }
}

/// Whether an error status and its message say the instance has no live
/// WhatsApp session: any 503 (the documented answer), or a 400 whose
/// message says the instance is disconnected or not connected (the
/// errors guide lists "instance disconnected" under 400).
pub fn means_disconnected(status: u16, message: Option<&str>) -> bool {
    let says = || {
        message.is_some_and(|m| {
            let m = m.to_lowercase();
            m.contains("disconnected") || m.contains("not connected")
        })
    };
    status == 503 || (status == 400 && says())
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

    fn status(status: u16, message: &str, rate: Option<(u32, u32)>) -> ApiError {
        ApiError::Status {
            status,
            message: Some(message.to_string()),
            rate: rate.map(|(limit, remaining)| RateLimit {
                limit,
                remaining,
                reset: 1_800_000_060,
                server_now: Some(1_800_000_000),
            }),
            retry_after: None,
        }
    }

    #[test]
    fn a_400_that_says_the_instance_is_disconnected_reads_as_a_503() {
        let disconnected = "instance is not connected: connect the phone and retry";
        for message in [
            "Instance is not connected to WhatsApp",
            "Instance disconnected",
            "WhatsApp NOT CONNECTED",
        ] {
            let e = status(400, message, None);
            assert!(e.means_disconnected(), "{message}");
            assert_eq!(e.hint(), disconnected, "{message}");
            assert!(!e.is_transient(), "a person must connect the phone");
        }
        let e = status(503, "Instance is not connected to WhatsApp", None);
        assert!(e.means_disconnected());
        assert_eq!(e.hint(), disconnected);
        for (code, message) in [
            (400, "Invalid request body"),
            (400, "Number is not on WhatsApp"),
            (404, "Instance not found"),
            (500, "Instance is not connected to WhatsApp"),
        ] {
            let e = status(code, message, None);
            assert!(!e.means_disconnected(), "{code} {message}");
            assert_ne!(e.hint(), disconnected, "{code} {message}");
        }
        assert_eq!(
            status(400, "Number is required", None).hint(),
            "the server refused the request: check the number"
        );
        assert!(!ApiError::Timeout { seconds: 5 }.means_disconnected());
    }

    #[test]
    fn a_429_is_worded_by_its_kind() {
        let spent = status(429, "Rate limit exceeded. Try again later.", Some((100, 0)));
        assert!(!spent.is_throttling());
        assert_eq!(
            spent.hint(),
            "this token's budget of 100 a minute is spent (by this app or another client using the same token); it waits for the window"
        );
        let bare = status(429, "Rate limit exceeded. Try again later.", None);
        assert!(!bare.is_throttling(), "no headers: taken as the budget");
        assert!(
            bare.hint()
                .starts_with("this token's budget of requests is spent"),
            "{}",
            bare.hint()
        );
        let throttled = status(
            429,
            "Rate limit exceeded. Try again later.",
            Some((100, 37)),
        );
        assert!(throttled.is_throttling());
        assert_eq!(
            throttled.hint(),
            "WhatsApp is throttling this number's requests; it slows down"
        );
        assert!(throttled.is_transient());
        assert!(
            !status(503, "busy", Some((100, 37))).is_throttling(),
            "only a 429 throttles"
        );
    }
}
