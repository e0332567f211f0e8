//! The shape of `src/`, read from the source: no import cycle between
//! files (a parent's calls and re-exports of its children count), and
//! every arrow between layers points down: util < model < api < keys <
//! store < config < protocol < app < ui, worker < engine < cli, tui. The
//! emulator stands apart: an independent reading of the API, it uses util
//! only. And no production function is over 60 lines of code, no file
//! over 600.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path (`["app", "overlays", "quit"]`) and its file's code,
/// without comments and tests.
type Files = BTreeMap<Vec<String>, (PathBuf, String)>;

fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// The code a file compiles outside its tests, without comments.
fn code_of(text: &str) -> String {
    let text = text
        .find("#[cfg(test)]\nmod tests")
        .map_or(text, |at| &text[..at]);
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) if line[..at].trim().is_empty() || line[..at].ends_with(' ') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The crate's `src/` folder.
fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every production file of `src/` (test folders and files apart) and its
/// code, by path.
fn source_files() -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut todo = vec![src()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "tests") {
                    todo.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("ui/tests.rs")
                && !path.ends_with("ui/remapped.rs")
            {
                let code = code_of(&std::fs::read_to_string(&path).unwrap());
                out.push((path, code));
            }
        }
    }
    out.sort();
    out
}

/// The files by module path. `lib.rs` and `main.rs` are both the root:
/// `main.rs`, read last, stands for it (it names the library by its
/// crate name, and `lib.rs` only declares the layers).
fn files() -> Files {
    let src = src();
    source_files()
        .into_iter()
        .map(|(path, code)| (module_of(&src, &path), (path, code)))
        .collect()
}

fn ident_at(text: &str, at: usize) -> &str {
    let rest = &text[at..];
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    &rest[..end]
}

fn starts_ident(text: &str, at: usize) -> bool {
    at == 0 || {
        let before = text[..at].chars().next_back().unwrap_or(' ');
        !(before.is_ascii_alphanumeric() || before == '_' || before == ':')
    }
}

/// The files `me` refers to: paths from `crate::`, `super::`, `self::`
/// (with their `{…}` groups), and its child modules by name.
fn refs(me: &[String], code: &str, files: &Files) -> BTreeSet<Vec<String>> {
    let mut out = BTreeSet::new();
    let mut longest = |path: &[String]| {
        let found = (1..=path.len())
            .rev()
            .map(|n| path[..n].to_vec())
            .find(|p| files.contains_key(p));
        if let Some(p) = found.filter(|p| p.as_slice() != me) {
            out.insert(p);
        }
    };
    for start in ["crate::", "super::", "self::"] {
        for (at, _) in code.match_indices(start) {
            if !starts_ident(code, at) {
                continue;
            }
            let mut path: Vec<String> = match start {
                "crate::" => Vec::new(),
                "super::" => me[..me.len().saturating_sub(1)].to_vec(),
                _ => me.to_vec(),
            };
            let mut i = at + start.len();
            loop {
                if code[i..].starts_with("super::") {
                    path.pop();
                    i += "super::".len();
                    continue;
                }
                if code[i..].starts_with('{') {
                    let group = &code[i + 1..i + code[i..].find('}').unwrap_or(1)];
                    for item in group.split(',') {
                        let item = item.trim();
                        let name = ident_at(item, 0);
                        let mut full = path.clone();
                        full.push(name.to_string());
                        longest(&full);
                    }
                    break;
                }
                let name = ident_at(code, i);
                if name.is_empty() {
                    longest(&path);
                    break;
                }
                path.push(name.to_string());
                i += name.len();
                if !code[i..].starts_with("::") {
                    longest(&path);
                    break;
                }
                i += 2;
            }
        }
    }
    for line in code.lines() {
        let line = line.trim();
        let decl = ["mod ", "pub mod ", "pub(crate) mod ", "pub(super) mod "]
            .iter()
            .find_map(|p| line.strip_prefix(p))
            .and_then(|rest| rest.strip_suffix(';'));
        if let Some(child) = decl {
            let named = code
                .match_indices(&format!("{child}::"))
                .any(|(at, _)| starts_ident(code, at));
            let mut path = me.to_vec();
            path.push(child.to_string());
            if named && files.contains_key(&path) {
                out.insert(path);
            }
        }
    }
    out
}

fn graph() -> (Files, BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) {
    let files = files();
    let edges = files
        .iter()
        .map(|(me, (_, code))| (me.clone(), refs(me, code, &files)))
        .collect();
    (files, edges)
}

#[test]
fn no_file_imports_one_that_imports_it_back() {
    let (files, edges) = graph();
    // Depth-first, keeping the path: a file met again on it closes a cycle.
    fn visit(
        node: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        path: &mut Vec<Vec<String>>,
        done: &mut BTreeSet<Vec<String>>,
        cycles: &mut Vec<String>,
    ) {
        if let Some(at) = path.iter().position(|p| p == node) {
            let cycle: Vec<String> = path[at..].iter().map(|m| m.join("::")).collect();
            cycles.push(format!("{} -> {}", cycle.join(" -> "), node.join("::")));
            return;
        }
        if !done.insert(node.clone()) {
            return;
        }
        path.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            visit(next, edges, path, done, cycles);
        }
        path.pop();
    }
    let mut cycles = Vec::new();
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        visit(node, &edges, &mut Vec::new(), &mut done, &mut cycles);
    }
    assert!(
        files.len() > 80,
        "the source was read: {} files",
        files.len()
    );
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn every_arrow_between_layers_points_down() {
    let rank = |layer: &str| -> Option<u8> {
        Some(match layer {
            "util" => 0,
            "model" => 1,
            "api" => 2,
            "keys" => 3,
            "store" => 4,
            "config" => 5,
            "protocol" => 6,
            "app" => 7,
            "ui" | "worker" => 8,
            "engine" => 9,
            "cli" | "tui" => 10,
            _ => return None,
        })
    };
    let (_, edges) = graph();
    let mut wrong = Vec::new();
    let mut arrows = 0;
    for (from, tos) in &edges {
        let Some(a) = from.first() else { continue };
        for to in tos {
            let Some(b) = to.first() else { continue };
            if a == b {
                continue;
            }
            arrows += 1;
            let ok = match (a.as_str(), rank(a), rank(b)) {
                ("emulator", _, _) => b == "util",
                (_, Some(ra), Some(rb)) => rb < ra,
                // The terminal UI starts the emulator for the demo.
                (_, Some(_), None) => a == "tui" && b == "emulator",
                _ => false,
            };
            if !ok {
                wrong.push(format!("{} -> {}", from.join("::"), to.join("::")));
            }
        }
    }
    assert!(arrows > 100, "arrows between layers were found: {arrows}");
    assert!(
        wrong.is_empty(),
        "arrows against the layers:\n{}",
        wrong.join("\n")
    );
}

/// The most code lines a production function may have.
const FN_MAX: usize = 60;
/// The most code lines a production file may have.
const FILE_MAX: usize = 600;

/// Lines that hold code: [`code_of`] has dropped the comments, so every
/// line that is not blank counts.
fn is_code(line: &str) -> bool {
    !line.trim().is_empty()
}

/// `code` with the inside of every string and character literal blanked
/// (line breaks kept), so that braces in text are not counted.
fn without_literals(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut out = String::with_capacity(code.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let before = |n: usize| i.checked_sub(n).map(|at| chars[at]);
        // A raw string: r"…", r#"…"#, br"…".
        let raw_start = c == 'r'
            && (before(1).is_none_or(|b| !ident(b))
                || (before(1) == Some('b') && before(2).is_none_or(|b| !ident(b))));
        let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
        if raw_start && chars.get(i + 1 + hashes) == Some(&'"') {
            let close: String = std::iter::once('"')
                .chain("#".repeat(hashes).chars())
                .collect();
            let body = i + 2 + hashes;
            let rest: String = chars[body..].iter().collect();
            let len = rest
                .find(&close)
                .map_or(chars.len() - body, |at| rest[..at].chars().count());
            let end = (body + len + close.chars().count()).min(chars.len());
            out.extend(&chars[i..body]);
            out.extend(chars[body..body + len].iter().map(|&c| blank(c)));
            out.extend(&chars[body + len..end]);
            i = end;
            continue;
        }
        if c == '"' {
            out.push('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                let n = if chars[i] == '\\' { 2 } else { 1 };
                out.extend(chars[i..(i + n).min(chars.len())].iter().map(|&c| blank(c)));
                i += n;
            }
            if i < chars.len() {
                out.push('"');
                i += 1;
            }
            continue;
        }
        // A character literal ('x', '\n', '\u{..}'), not a lifetime ('a).
        if c == '\'' {
            let len = match chars.get(i + 1) {
                // The character after `\` is part of the escape, even `'`.
                Some('\\') => chars
                    .get(i + 3..)
                    .and_then(|rest| rest.iter().position(|&q| q == '\''))
                    .map(|at| at + 4),
                Some(_) if chars.get(i + 2) == Some(&'\'') => Some(3),
                _ => None,
            };
            if let Some(len) = len {
                out.push_str("' '");
                out.extend(std::iter::repeat_n(' ', len - 3));
                i += len;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The name of the function a line starts, if it starts one
/// (`pub(crate) async fn load(` gives `load`).
fn fn_name(line: &str) -> Option<&str> {
    let mut rest = line.trim_start();
    for prefix in [
        "pub(crate) ",
        "pub(super) ",
        "pub ",
        "const ",
        "async ",
        "unsafe ",
    ] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest);
    }
    let name = ident_at(rest.strip_prefix("fn ")?, 0);
    (!name.is_empty()).then_some(name)
}

/// Every function of a file's code with a body: (line, name, code lines
/// from its first line to its closing brace). Nested functions count in
/// their own right and inside their parent.
fn functions(code: &str) -> Vec<(usize, String, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let bare = without_literals(code);
    let bare: Vec<&str> = bare.lines().collect();
    let mut out = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let Some(name) = fn_name(bare[start]).and_then(|_| fn_name(line)) else {
            continue;
        };
        let (mut depth, mut opened) = (0i32, false);
        for (at, text) in bare.iter().enumerate().skip(start) {
            for c in text.chars() {
                match c {
                    '{' => (depth, opened) = (depth + 1, true),
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            // A body ends where its braces close; a declaration at its `;`.
            let ended = if opened {
                depth <= 0
            } else {
                text.trim_end().ends_with(';')
            };
            if ended {
                if opened {
                    let n = lines[start..=at].iter().filter(|l| is_code(l)).count();
                    out.push((start + 1, name.to_string(), n));
                }
                break;
            }
        }
    }
    out
}

#[test]
fn no_production_function_over_60_lines_nor_file_over_600() {
    let src = src();
    let mut over = Vec::new();
    let mut functions_seen = 0;
    for (path, code) in source_files() {
        let shown = path.strip_prefix(&src).unwrap_or(&path).display();
        let lines = code.lines().filter(|l| is_code(l)).count();
        if lines > FILE_MAX {
            over.push((
                false,
                lines,
                format!("file src/{shown}: {lines} code lines"),
            ));
        }
        for (line, name, n) in functions(&code) {
            functions_seen += 1;
            if n > FN_MAX {
                over.push((
                    true,
                    n,
                    format!("fn {name} at src/{shown}:{line}: {n} code lines"),
                ));
            }
        }
    }
    assert!(
        functions_seen > 500,
        "the functions were found: {functions_seen}"
    );
    // Files first, then functions, the longest first.
    over.sort_by_key(|(is_fn, n, _)| (*is_fn, std::cmp::Reverse(*n)));
    let over: Vec<String> = over.into_iter().map(|(_, _, what)| what).collect();
    assert!(
        over.is_empty(),
        "over {FILE_MAX} code lines a file or {FN_MAX} a function (blanks, comments and tests not counted):\n{}",
        over.join("\n")
    );
}

#[test]
fn a_function_is_measured_past_braces_in_text_and_to_its_own_end() {
    let code = r##"fn a() {
    let s = "}";
    let c = '{';
    let r = r#"{"#;

    b()
}
fn b() -> u8 {
    '\''.len_utf8() as u8 + b'}'
}
trait T {
    fn c(&self);
}
"##;
    assert_eq!(
        functions(code),
        [(1, "a".to_string(), 6), (8, "b".to_string(), 3)],
        "blank lines left out, a declaration is no function"
    );
}
