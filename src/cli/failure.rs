//! How a command line path fails: an exit code and a one-line reason.
//! Shared by `main`, the headless commands and `init`.

use crate::cli::output;

/// Exit codes of the command line.
pub mod exit {
    /// Everything worked.
    pub const OK: u8 = 0;
    /// Something inside the app failed (ledger, data folder...).
    pub const INTERNAL: u8 = 1;
    /// Bad arguments or profile.
    pub const USAGE: u8 = 2;
    /// The API refused or could not be reached, for every request.
    pub const API: u8 = 3;
    /// Some requests of a batch failed, others worked.
    pub const PARTIAL: u8 = 4;
    /// Stopped by SIGINT or SIGTERM (128 + 2, as a shell reports it):
    /// what was done is reported, the rest is left for `resume`.
    pub const INTERRUPTED: u8 = 130;

    /// The reader of standard output went away (`| head -1`), as a
    /// process ended by SIGPIPE reports it (128 + 13).
    pub const CLOSED_PIPE: u8 = 141;

    /// Every exit code and what it means: the manual page's EXIT STATUS
    /// and the README's list are this table.
    pub const MEANINGS: &[(u8, &str)] = &[
        (OK, "success"),
        (
            INTERNAL,
            "anything else: the ledger, the data folder, a write that failed",
        ),
        (USAGE, "a usage or profile error: nothing was sent"),
        (
            API,
            "every request failed (the API refused or could not be reached)",
        ),
        (PARTIAL, "some requests (or instances) failed, some worked"),
        (
            INTERRUPTED,
            "stopped by SIGINT or SIGTERM: what was done is reported, the rest left for `resume`",
        ),
        (
            CLOSED_PIPE,
            "the reader closed the pipe: the output ended early, quietly",
        ),
    ];
}

/// A failure: exit code and one-line reason (empty when there is
/// nothing to say, as for a closed pipe).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The exit code.
    pub code: u8,
    /// Why, in one line.
    pub message: String,
}

/// A failure with this code and reason.
pub fn fail(code: u8, message: impl Into<String>) -> Failure {
    Failure {
        code,
        message: message.into(),
    }
}

/// A usage or profile error (exit 2).
pub fn usage(message: impl Into<String>) -> Failure {
    fail(exit::USAGE, message)
}

/// Anything else that went wrong inside (exit 1).
pub fn internal(message: impl ToString) -> Failure {
    fail(exit::INTERNAL, message.to_string())
}

impl From<std::io::Error> for Failure {
    /// A failed write to standard output: quiet when the reader closed the
    /// pipe, as `ls | head` is.
    fn from(e: std::io::Error) -> Failure {
        if output::is_closed_pipe(&e) {
            fail(exit::CLOSED_PIPE, "")
        } else {
            internal(format!("cannot write the output: {e}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_lists_every_exit_code() {
        let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
        let at = readme
            .find("- Exit codes:")
            .expect("the README's exit codes");
        let list = &readme[at..at + readme[at..].find("\n\n").unwrap_or(400)];
        let list = list.split_whitespace().collect::<Vec<_>>().join(" ");
        for (code, _) in exit::MEANINGS {
            assert!(
                list.contains(&format!(" {code} ")),
                "{code} missing: {list}"
            );
        }
    }
}
