//! Everything the app prints passes one sanitiser: read from the source,
//! no file but `util/print.rs` writes to standard output or standard
//! error (the terminal UI's `tui/terminal.rs` only hands stdout to
//! crossterm for the screen's own escape sequences). What the printing
//! paths make of hostile text is tried on the real binary in
//! `hostile_ledger`.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, test folders apart.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "tests") {
                    todo.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "tests.rs")
            {
                out.push(path);
            }
        }
    }
    out
}

/// What may write to the process's own output, in `code` (a file's code
/// before its tests): print macros, and std's handles.
fn writers_in(code: &str) -> Vec<&'static str> {
    [
        "println!",
        "eprintln!",
        "print!(",
        "eprint!(",
        "io::stdout()",
        "io::stderr()",
        "stdout().lock",
        "stderr().lock",
        "dbg!(",
    ]
    .into_iter()
    .filter(|w| code.contains(w))
    .collect()
}

/// The screens set text through ratatui's buffer (which drops controls
/// and zero-width characters), never a cell's symbol directly.
#[test]
fn no_screen_writes_a_cells_symbol_directly() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let offenders: Vec<String> = rust_files(&src)
        .into_iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            [".set_symbol(", ".set_char("]
                .iter()
                .any(|w| text.contains(w))
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(offenders.is_empty(), "{offenders:#?}");
}

#[test]
fn only_util_print_writes_to_stdout_or_stderr() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    for path in rust_files(&src) {
        let rel = path.strip_prefix(&src).unwrap().display().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let code = text
            .find("#[cfg(test)]\nmod tests")
            .map_or(text.as_str(), |at| &text[..at]);
        let found = writers_in(code);
        let allowed: &[&str] = match rel.as_str() {
            "util/print.rs" => &["io::stdout()", "io::stderr()", "stderr().lock"],
            // crossterm's escape sequences for the screen itself.
            "tui/terminal.rs" => &["io::stdout()"],
            // Compiled for tests only (`#[cfg(test)] mod reference`).
            "model/number/reference.rs" => &["println!"],
            _ => &[],
        };
        let bad: Vec<&str> = found.into_iter().filter(|w| !allowed.contains(w)).collect();
        if !bad.is_empty() {
            offenders.push(format!("{rel}: {bad:?}"));
        }
    }
    assert!(
        offenders.is_empty(),
        "print through ryze_contacts::util::print (say, note, Out), never directly: {offenders:#?}"
    );
}

#[test]
fn the_scan_sees_a_direct_print() {
    assert_eq!(
        writers_in("fn f() { eprintln!(\"x\") }"),
        ["println!", "eprintln!"]
    );
    assert_eq!(
        writers_in("let out = std::io::stdout().lock();"),
        ["io::stdout()", "stdout().lock"]
    );
    assert!(writers_in("crate::util::print::say(&text);").is_empty());
}
