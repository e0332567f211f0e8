//! An error as the user sees it ([`ErrorInfo`]: what kind, the HTTP
//! status, the server's words, a hint), whatever job it came from.

use crate::api::ApiError;

/// What kind of failure an error is, for the decisions (exit codes,
/// verdicts) that must never parse its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The server answered with an error status.
    Refused,
    /// No answer: no connection, a time-out, a proxy's page, a body cut.
    Unreachable,
    /// A well-formed answer that contradicts the request.
    Contrary,
    /// An answer that is not what the contract says.
    Malformed,
    /// Something on this machine: the ledger, the data folder, a request
    /// that could not be built.
    Local,
    /// Not sent at all: the server stopped answering this token; the
    /// intent stays pending for a resume.
    NotSent,
}

/// An error as the user sees it: status, the server's words, a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorInfo {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// HTTP status, when the server answered.
    pub status: Option<u16>,
    /// What failed (the server's `error.message` when it sent one).
    pub message: String,
    /// What to do.
    pub hint: String,
}

impl ErrorInfo {
    /// An error with no HTTP status.
    pub fn local(message: impl Into<String>, hint: impl Into<String>) -> Self {
        ErrorInfo {
            kind: ErrorKind::Local,
            status: None,
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// A well-formed answer that contradicts the request: `detail` says
    /// how.
    pub fn contrary(detail: &str) -> Self {
        ErrorInfo::from(&ApiError::Contrary {
            detail: detail.to_string(),
        })
    }

    /// Whether it says the instance has no live WhatsApp session: a 503,
    /// or a 400 whose message says the instance is disconnected.
    pub fn means_disconnected(&self) -> bool {
        self.status
            .is_some_and(|status| crate::api::means_disconnected(status, Some(&self.message)))
    }

    /// The reason, then the HTTP status: `Instance is not connected to
    /// WhatsApp (HTTP 503)`.
    pub fn lead(&self) -> String {
        match self.status {
            Some(status) => format!("{} (HTTP {status})", self.message),
            None => self.message.clone(),
        }
    }

    /// `HTTP 503 · Instance is not connected… · connect the phone…`
    pub fn summary(&self) -> String {
        match self.status {
            Some(status) => format!("HTTP {status} · {} · {}", self.message, self.hint),
            None => format!("{} · {}", self.message, self.hint),
        }
    }

    /// `reason (HTTP n) · hint`: the lead and what to do, as a row's
    /// last error and a refusal say it.
    pub fn lead_and_hint(&self) -> String {
        format!("{} · {}", self.lead(), self.hint)
    }
}

impl From<&ApiError> for ErrorInfo {
    fn from(e: &ApiError) -> Self {
        let message = match e {
            ApiError::Status {
                message: Some(m), ..
            } => m.clone(),
            ApiError::Status { message: None, .. } => "no message from the server".to_string(),
            ApiError::Unreachable { .. } => {
                "the server is unreachable (a proxy answered instead)".to_string()
            }
            other => other.to_string(),
        };
        let kind = match e {
            ApiError::Status { .. } => ErrorKind::Refused,
            ApiError::Unreachable { .. }
            | ApiError::Timeout { .. }
            | ApiError::Connect { .. }
            | ApiError::Lost { .. }
            | ApiError::Interrupted { .. } => ErrorKind::Unreachable,
            ApiError::Contrary { .. } => ErrorKind::Contrary,
            ApiError::Malformed { .. } | ApiError::TooLarge { .. } => ErrorKind::Malformed,
            ApiError::Request { .. } => ErrorKind::Local,
            ApiError::NotAnswering { .. } => ErrorKind::NotSent,
        };
        ErrorInfo {
            kind,
            status: e.status(),
            message,
            hint: e.hint().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(status: u16, message: &str) -> ErrorInfo {
        ErrorInfo::from(&ApiError::Status {
            status,
            message: Some(message.to_string()),
            rate: None,
            retry_after: None,
        })
    }

    #[test]
    fn a_503_or_a_400_saying_so_means_disconnected() {
        let as_400 = refused(400, "Instance is not connected to WhatsApp");
        assert!(as_400.means_disconnected());
        assert_eq!(
            as_400.summary(),
            "HTTP 400 · Instance is not connected to WhatsApp · instance is not connected: connect the phone and retry"
        );
        assert!(refused(503, "Instance is not connected to WhatsApp").means_disconnected());
        assert!(!refused(400, "Number is not on WhatsApp").means_disconnected());
        assert!(!refused(404, "Instance not found").means_disconnected());
        let local = ErrorInfo::local("Instance is not connected", "the ledger");
        assert!(
            !local.means_disconnected(),
            "no status: not the server's word"
        );
    }
}
