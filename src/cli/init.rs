//! `ryze-contacts init`: writes a profile by asking for the server and a
//! token, listing the instances the token can see, and letting the user
//! pick them. The file is written atomically, readable only by its owner,
//! and an existing profile is never overwritten without a yes.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use reqwest::Url;

use crate::api::{ApiClient, ClientConfig, Endpoint, InstanceInfo};
use crate::cli::failure::{Failure, exit, fail};
use crate::cli::output::prompt;
use crate::config::profile::{self, DEFAULT_BASE_URL};
use crate::util::secret::Token;

/// A line on standard output that gives up quietly: a closed pipe ends `init` as it
/// ends every command (see [`Failure`]'s `From<io::Error>`).
macro_rules! say {
    ($($arg:tt)*) => {
        put(&format!("{}\n", format_args!($($arg)*)))?
    };
}

/// Writes `text` to standard output at once (a question waits on it),
/// through the one printer.
fn put(text: &str) -> Result<(), Failure> {
    prompt(text)?;
    Ok(())
}

/// Asks `question` and reads one answer line (`default` when empty).
fn ask(input: &mut dyn BufRead, question: &str, default: &str) -> Result<String, Failure> {
    if default.is_empty() {
        put(&format!("{question}: "))?;
    } else {
        put(&format!("{question} [{default}]: "))?;
    }
    let mut line = String::new();
    let n = input
        .read_line(&mut line)
        .map_err(|e| fail(exit::INTERNAL, format!("cannot read the answer: {e}")))?;
    if n == 0 {
        return Err(fail(
            exit::USAGE,
            "no answer (end of input): nothing was written",
        ));
    }
    let line = line.trim();
    Ok(if line.is_empty() { default } else { line }.to_string())
}

/// Reads the token without echoing it when the input is a terminal.
fn ask_secret(input: &mut dyn BufRead, question: &str) -> Result<String, Failure> {
    if !std::io::stdin().is_terminal() {
        return ask(input, question, "");
    }
    use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
    use ratatui::crossterm::terminal;
    put(&format!("{question} (not shown): "))?;
    terminal::enable_raw_mode().map_err(|e| fail(exit::INTERNAL, e.to_string()))?;
    let mut secret = String::new();
    let outcome = loop {
        match event::read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Err(fail(exit::USAGE, "cancelled: nothing was written"));
                }
                KeyCode::Backspace => {
                    secret.pop();
                }
                KeyCode::Char(c) => secret.push(c),
                _ => {}
            },
            Ok(Event::Paste(text)) => secret.push_str(&text),
            Ok(_) => {}
            Err(e) => break Err(fail(exit::INTERNAL, e.to_string())),
        }
    };
    let _ = terminal::disable_raw_mode();
    put("\n")?;
    outcome.map(|()| secret.trim().to_string())
}

/// Which of `n` items an answer like `1,3`, `2-4` or `all` picks.
fn pick(answer: &str, n: usize) -> Result<Vec<usize>, String> {
    if answer.eq_ignore_ascii_case("all") {
        return Ok((0..n).collect());
    }
    let mut chosen = Vec::new();
    for part in answer.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let parse = |t: &str| {
            t.trim()
                .parse::<usize>()
                .ok()
                .filter(|i| (1..=n).contains(i))
        };
        match (parse(a), parse(b)) {
            (Some(a), Some(b)) if a <= b => chosen.extend(a - 1..b),
            _ => return Err(format!("\"{part}\" is not a number from 1 to {n}")),
        }
    }
    chosen.sort_unstable();
    chosen.dedup();
    if chosen.is_empty() {
        return Err("choose at least one instance".to_string());
    }
    Ok(chosen)
}

/// A TOML string literal.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// Runs the interactive set-up, writing the profile at `path`.
pub async fn run(path: &Path, input: &mut dyn BufRead) -> Result<(), Failure> {
    say!(
        "ryze-contacts set-up: this writes the profile {}",
        path.display()
    );
    if path.exists() && !may_overwrite(input)? {
        say!("Left unchanged.");
        return Ok(());
    }
    let base = ask(input, "RyzeAPI server", DEFAULT_BASE_URL)?;
    let (token, instances) = sign_in(path, &base, input).await?;
    let chosen = choose(input, &instances)?;
    let token_line = token_line(input, &token)?;
    let mut text = format!(
        "# ryze-contacts profile (see README: \"Set up your profile\")\n\n[defaults]\nbase_url = {}\n\n[account]\n{token_line}\n",
        quoted(&base)
    );
    for i in chosen {
        text.push_str(&format!(
            "\n[[instances]]\nname = {}\n",
            quoted(&instances[i].name)
        ));
    }
    write_private(path, &text).map_err(|e| {
        fail(
            exit::INTERNAL,
            format!("cannot write {}: {e}", path.display()),
        )
    })?;
    say!(
        "Profile written to {}. Start the app with: ryze-contacts",
        path.display()
    );
    Ok(())
}

/// Asks before a profile already there is replaced; only a yes does.
fn may_overwrite(input: &mut dyn BufRead) -> Result<bool, Failure> {
    let answer = ask(
        input,
        "A profile is already there. Overwrite it? (y/N)",
        "n",
    )?;
    Ok(answer.eq_ignore_ascii_case("y") || answer.eq_ignore_ascii_case("yes"))
}

/// Lists the instances the token sees and asks which to add, again
/// until the answer picks some.
fn choose(input: &mut dyn BufRead, instances: &[InstanceInfo]) -> Result<Vec<usize>, Failure> {
    say!("This token sees {} instance(s):", instances.len());
    for (i, inst) in instances.iter().enumerate() {
        say!("  {}) {} ({})", i + 1, inst.shown_name(), inst.state());
    }
    loop {
        let answer = ask(input, "Instances to add (e.g. 1,3 or 2-4)", "all")?;
        match pick(&answer, instances.len()) {
            Ok(chosen) => return Ok(chosen),
            Err(why) => say!("  {why}"),
        }
    }
}

/// The `[account]` line: the token itself (the file is only the user's)
/// or, if asked, the environment variable to read it from.
fn token_line(input: &mut dyn BufRead, token: &Token) -> Result<String, Failure> {
    let store = ask(
        input,
        "Keep the token in the file (only you can read it) or in an environment variable? (file/env)",
        "file",
    )?;
    if store.eq_ignore_ascii_case("env") {
        let var = ask(input, "Variable name", "RYZE_ACCOUNT_TOKEN")?;
        say!("Remember: export {var}=<token> before starting ryze-contacts.");
        Ok(format!("token_env = {}", quoted(&var)))
    } else {
        Ok(format!("token = {}", quoted(token.expose())))
    }
}

/// Checks the server's address by the profile's rules, asks for a token
/// and the instances it sees; only those whose names can be written to a
/// profile are kept (the others are said).
async fn sign_in(
    path: &Path,
    base: &str,
    input: &mut dyn BufRead,
) -> Result<(Token, Vec<InstanceInfo>), Failure> {
    // The same rules as a saved profile (https unless this machine).
    let probe = format!(
        "[defaults]\nbase_url = {}\n[[instances]]\nname = \"x\"\ntoken = \"x\"\n",
        quoted(base)
    );
    profile::parse(&probe, path, &|_| None).map_err(|e| fail(exit::USAGE, e.to_string()))?;
    let base_url = Url::parse(base).map_err(|e| fail(exit::USAGE, e.to_string()))?;
    let token = ask_secret(input, "Token (account token, or an instance token)")?;
    if token.is_empty() {
        return Err(fail(exit::USAGE, "no token given: nothing was written"));
    }
    let token = Token::new(token);
    let client =
        ApiClient::new(ClientConfig::default()).map_err(|e| fail(exit::INTERNAL, e.to_string()))?;
    let ep = Endpoint {
        base_url: &base_url,
        token: &token,
    };
    let instances = match client.instances(ep, &[]).await {
        Ok(reply) => reply.value,
        Err(e) => {
            return Err(fail(
                exit::API,
                format!(
                    "the server refused: {e} · {} · nothing was written",
                    e.hint()
                ),
            ));
        }
    };
    if instances.is_empty() {
        return Err(fail(
            exit::API,
            "this token sees no instance: nothing was written",
        ));
    }
    // A name that holds controls or bidi marks cannot be shown, nor
    // written to the profile, as it is: writing a cleaned one would name
    // another instance than the one picked.
    let (instances, odd): (Vec<_>, Vec<_>) = instances.into_iter().partition(|i| !i.name_is_odd());
    for inst in &odd {
        say!(
            "  left out: an instance whose name holds control or direction characters (shown as \"{}\"): rename it in RyzeAPI to add it",
            inst.shown_name()
        );
    }
    if instances.is_empty() {
        return Err(fail(
            exit::API,
            "no instance this token sees has a name that can be written to a profile: nothing was written",
        ));
    }
    Ok((token, instances))
}

/// Writes `text` to `path` atomically, readable and writable by the owner
/// only.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    crate::util::files::private_dir(dir, false)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks() {
        assert_eq!(pick("all", 3).unwrap(), vec![0, 1, 2]);
        assert_eq!(pick("3, 1", 3).unwrap(), vec![0, 2]);
        assert_eq!(pick("2-3", 3).unwrap(), vec![1, 2]);
        assert!(pick("4", 3).is_err());
        assert!(pick("x", 3).is_err());
        assert!(pick("", 3).is_err());
    }

    #[test]
    fn quoting_round_trips_through_toml() {
        for text in ["plain", "a\"b", "it's", "back\\slash", "line\nbreak"] {
            let doc: toml::Table = format!("x = {}", quoted(text)).parse().unwrap();
            assert_eq!(doc["x"].as_str(), Some(text));
        }
    }
}
