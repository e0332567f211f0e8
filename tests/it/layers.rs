//! The shape of `src/`, read from the source: no import cycle between
//! files (a parent's calls and re-exports of its children count), and
//! every arrow between layers points down: util < model < api < keys <
//! store < config < app < ui, worker < cli, tui. The emulator stands
//! apart: an independent reading of the API, it uses util only.

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

fn files() -> Files {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Files::new();
    let mut todo = vec![src.clone()];
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
                out.insert(module_of(&src, &path), (path, code));
            }
        }
    }
    out
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
            "app" => 6,
            "ui" | "worker" => 7,
            "cli" | "tui" => 8,
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
