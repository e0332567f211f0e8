//! Where a profile's token comes from (`token`, `token_env` or
//! `token_cmd`, for the account or an instance), and the checks a token
//! passes before it is used. No message ever shows a token's value.

use super::secret_cmd::TokenCmd;
use crate::util::secret::Token;

/// Where tokens come from, once for the account and once per instance.
pub(super) struct TokenSource<'a> {
    /// `token`: the token itself.
    pub(super) token: Option<&'a String>,
    /// `token_env`: the variable that holds it.
    pub(super) token_env: Option<&'a String>,
    /// `token_cmd`: the command that prints it.
    pub(super) token_cmd: Option<&'a TokenCmd>,
}

impl TokenSource<'_> {
    /// Whether none of the three is set.
    pub(super) fn is_empty(&self) -> bool {
        self.token.is_none() && self.token_env.is_none() && self.token_cmd.is_none()
    }

    /// How many of the three are set.
    fn count(&self) -> usize {
        [
            self.token.is_some(),
            self.token_env.is_some(),
            self.token_cmd.is_some(),
        ]
        .into_iter()
        .filter(|set| *set)
        .count()
    }

    /// Resolves the token; `who` names the owner in error messages.
    pub(super) fn resolve(
        &self,
        who: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Token, String> {
        if self.count() > 1 {
            return Err(format!(
                "{who}: set only one of token, token_env, token_cmd"
            ));
        }
        if let Some(token) = self.token {
            return non_empty(
                token.trim(),
                || format!("{who}: token is empty"),
                &format!("{who}: token"),
            );
        }
        if let Some(var) = self.token_env {
            let is_name = var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && var.chars().next().is_some_and(|c| !c.is_ascii_digit());
            if !is_name {
                // Likely the token itself, pasted in the wrong key: not echoed.
                return Err(format!(
                    "{who}: token_env must name an environment variable (letters, digits, _); to write the token itself, use token = \"...\""
                ));
            }
            return match env(var) {
                Some(value) => non_empty(
                    value.trim(),
                    || format!("{who}: environment variable {var} is empty"),
                    &format!("{who}: environment variable {var}"),
                ),
                None => Err(format!(
                    "{who}: environment variable {var} is not set (export {var}=<token>, or change token_env)"
                )),
            };
        }
        if let Some(cmd) = self.token_cmd {
            return run_token_cmd(&cmd.argv()).map_err(|why| format!("{who}: token_cmd {why}"));
        }
        Err(format!(
            "{who}: no token: set token_env, token or token_cmd"
        ))
    }
}

/// A token from `value` (trimmed by the caller): refused when empty, or
/// when it holds a control character (a line break inside it, a second
/// line a token command printed), which no HTTP header can carry. The
/// refusal never shows the value.
/// `what` names where the token came from, for the second refusal.
fn non_empty(value: &str, why: impl FnOnce() -> String, what: &str) -> Result<Token, String> {
    if value.is_empty() {
        Err(why())
    } else if value.chars().any(char::is_control) {
        Err(format!(
            "{what} holds a control character (a line break, a second line?): a token is one line of text"
        ))
    } else {
        Ok(Token::new(value))
    }
}

/// Runs a token command (see [`super::secret_cmd`]); what it prints,
/// trimmed, is the token.
fn run_token_cmd(argv: &[String]) -> Result<Token, String> {
    let (program, text) = super::secret_cmd::run(argv)?;
    non_empty(
        text.trim(),
        || format!("{program} printed no token"),
        &format!("what {program} printed"),
    )
}
