//! `man [COMMAND]...`: the manual page, in roff for man(1). clap gives
//! the synopsis, options and subcommands; the keys, the `:` commands and
//! the symbols are the help overlay's own sections (the same tables, so
//! the page never drifts from the screen); files, environment and exit
//! codes follow. Every page the SUBCOMMANDS section names is printed by
//! `man` and that command's words (`man ledger migrate`).

use std::io::{self, Write};

use clap::CommandFactory;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, italic, roman};

use crate::app::overlays::help;
use crate::cli::args::Cli;
use crate::cli::failure::{Failure, exit, internal, usage};
use crate::keys::Keymap;

/// Variables read from the environment that no option names, and what
/// they do (the options' own, `RYZE_CONTACTS_PROFILE` and
/// `RYZE_CONTACTS_DATA`, come from clap).
const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "NO_COLOR",
        "When set and not empty, no colours are used (as --monochrome); every state keeps its symbol and word.",
    ),
    (
        "https_proxy, http_proxy, all_proxy, no_proxy",
        "The proxy to reach RyzeAPI through (upper case too). A plain-HTTP proxy on the way to a remote server is refused unless allow_insecure_http = true.",
    ),
    (
        "USER, LOGNAME, USERNAME",
        "Who the ledger records as asking, when the profile names no [defaults] operator.",
    ),
    (
        "COLUMNS",
        "The width list and history fit their columns to on a terminal (else the terminal's own).",
    ),
    (
        "the profile's token_env and password_env",
        "The variables the profile names hold the tokens and the team ledger's password; they are never shown.",
    ),
];

/// The page of the command named by `words` (none: the main page).
pub fn page(words: &[String]) -> Result<Vec<u8>, Failure> {
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let mut cmd = &root;
    for word in words {
        cmd = cmd.find_subcommand(word).ok_or_else(|| {
            let names: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
            usage(format!(
                "no page for \"{}\": the commands are {}",
                words.join(" "),
                names.join(", ")
            ))
        })?;
    }
    let mut out = Vec::new();
    render(cmd, words.is_empty(), &mut out).map_err(internal)?;
    Ok(out)
}

/// Renders `cmd`'s page; the main page has the keys, files, environment
/// and exit codes too.
fn render(cmd: &clap::Command, main: bool, out: &mut dyn Write) -> io::Result<()> {
    let source = format!("ryze-contacts {}", env!("CARGO_PKG_VERSION"));
    let man = Man::new(cmd.clone()).source(source).manual("User Commands");
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    if cmd.has_subcommands() {
        man.render_subcommands_section(out)?;
    }
    examples(cmd).to_writer(out)?;
    if main {
        keys(&Keymap::default()).to_writer(out)?;
        files().to_writer(out)?;
        environment(cmd).to_writer(out)?;
        exit_status().to_writer(out)?;
        see_also(cmd).to_writer(out)?;
        man.render_version_section(out)?;
    }
    Ok(())
}

/// EXAMPLES: the command's `--help` examples, one per line.
fn examples(cmd: &clap::Command) -> Roff {
    let mut r = Roff::new();
    let Some(text) = cmd.get_after_help().map(ToString::to_string) else {
        return r;
    };
    r.control("SH", ["EXAMPLES"]);
    for line in text.lines().filter(|l| !l.trim_end().ends_with(':')) {
        r.control("TP", []);
        r.text([bold(line.trim())]);
    }
    r
}

/// One `.TP` item: a bold tag and its text.
fn item(r: &mut Roff, tag: &str, text: &str) {
    r.control("TP", []);
    r.text([bold(tag)]);
    r.text([roman(text)]);
}

/// KEYS: the help overlay's sections with the keys in force by default
/// (the profile's `[keys]` may change them; `?` shows those in force).
fn keys(keymap: &Keymap) -> Roff {
    let mut r = Roff::new();
    r.control("SH", ["KEYS"]);
    r.text([roman(
        "The terminal UI's keys, as ? shows them; the profile's [keys] tables can change any of them.",
    )]);
    for (title, rows) in help::all_sections(keymap) {
        r.control("SS", [title.as_str()]);
        for (keys, what) in rows {
            item(&mut r, &keys, &what);
        }
    }
    r
}

/// FILES: the profile, the data folder and what it holds.
fn files() -> Roff {
    let data = "~/.local/share/ryze-contacts";
    let mut r = Roff::new();
    r.control("SH", ["FILES"]);
    let rows = [
        (
            "~/.config/ryze-contacts/profile.toml".to_string(),
            "The profile: instances, tokens, keys, the team ledger (the config folder of the system; --profile or RYZE_CONTACTS_PROFILE point elsewhere). Keep it private: chmod 600.",
        ),
        (
            format!("{data}/"),
            "The data folder (--data-dir or RYZE_CONTACTS_DATA move it), private to the user.",
        ),
        (
            format!("{data}/{}", crate::store::ledger::FILE_NAME),
            "The ledger: every block and unblock this app asked for, when, by whom and why (unless the profile's [ledger] names a team's PostgreSQL database).",
        ),
        (
            format!("{data}/{}", crate::util::logging::FILE_NAME),
            "The log: retries, errors and what the app did; never a token.",
        ),
        (
            format!("{data}/cache/"),
            "The last contact list of each instance, shown at once at the next start.",
        ),
        (
            format!("{data}/views/"),
            "The instance, sort and view last used with each profile.",
        ),
    ];
    for (path, what) in rows {
        r.control("TP", []);
        r.text([italic(path)]);
        r.text([roman(what)]);
    }
    r
}

/// ENVIRONMENT: the variables of the options (from clap), then the
/// others.
fn environment(cmd: &clap::Command) -> Roff {
    let mut r = Roff::new();
    r.control("SH", ["ENVIRONMENT"]);
    for arg in cmd.get_arguments() {
        if let (Some(var), Some(help)) = (arg.get_env(), arg.get_help()) {
            let long = arg.get_long().unwrap_or_default();
            item(
                &mut r,
                &var.to_string_lossy(),
                &format!("As --{long}: {help}"),
            );
        }
    }
    for (var, what) in ENVIRONMENT {
        item(&mut r, var, what);
    }
    r
}

/// EXIT STATUS: [`exit::MEANINGS`].
fn exit_status() -> Roff {
    let mut r = Roff::new();
    r.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in exit::MEANINGS {
        item(&mut r, &code.to_string(), meaning);
    }
    r
}

/// SEE ALSO: how to read each command's own page.
fn see_also(cmd: &clap::Command) -> Roff {
    let mut r = Roff::new();
    r.control("SH", ["SEE ALSO"]);
    let names: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
    r.text([
        roman("Each command has its page: "),
        bold("ryze-contacts man COMMAND"),
        roman(format!(" ({}).", names.join(", "))),
    ]);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(words: &[&str]) -> String {
        let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        String::from_utf8(page(&words).unwrap()).unwrap()
    }

    #[test]
    fn the_main_page_has_keys_files_environment_and_exit_codes() {
        let page = text(&[]);
        for section in [
            ".SH KEYS",
            ".SH FILES",
            ".SH ENVIRONMENT",
            ".SH \"EXIT STATUS\"",
            ".SH EXAMPLES",
        ] {
            assert!(page.contains(section), "{section} missing");
        }
        assert!(!page.contains(".SH EXTRA"), "examples are titled EXAMPLES");
        assert!(!page.contains("help(1)"), "no help subcommand is named");
        for (code, _) in exit::MEANINGS {
            assert!(
                page.contains(&format!(".TP\n\\fB{code}\\fR")),
                "exit {code}"
            );
        }
        assert!(page.contains("RYZE_CONTACTS_PROFILE"));
        assert!(page.contains("ledger.sqlite3") && page.contains("ryze\\-contacts.log"));
    }

    #[test]
    fn the_keys_are_the_help_s_own_rows() {
        let page = text(&[]);
        let map = Keymap::default();
        for (_, rows) in help::all_sections(&map) {
            for (keys, _) in rows {
                let shown = Roff::new().text([bold(keys.as_str())]).render();
                let shown = shown.lines().last().unwrap_or_default().to_string();
                assert!(page.contains(&shown), "{keys} missing");
            }
        }
    }

    #[test]
    fn an_unknown_command_has_no_page() {
        let words = vec!["nope".to_string()];
        let e = page(&words).unwrap_err();
        assert_eq!(e.code, exit::USAGE);
        assert!(e.message.contains("list"), "{}", e.message);
    }
}
