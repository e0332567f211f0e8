//! The README's pictures of the app, made by the app's own drawing: the
//! demo's data (the emulator's address books, four instances, one
//! disconnected) in the state the README describes (two contacts blocked,
//! two marked), drawn on ratatui's `TestBackend` at 100x24 and written as
//! SVG (`assets/screenshot.svg`) and as text (`assets/screenshot.txt`,
//! which the README quotes). The test fails when a committed picture
//! differs from what the UI draws; `RYZE_UPDATE_SCREENSHOTS=1 cargo test
//! screenshot` draws them again.

use std::fmt::Write as _;
use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier};
use ryze_contacts::api::contacts::parse_store;
use ryze_contacts::app::{State, update};
use ryze_contacts::emulator::{EmulatorConfig, contacts_body};
use ryze_contacts::protocol::{InstanceStatus, JobResult, Msg};
use ryze_contacts::store::ledger::KnownState;
use unicode_width::UnicodeWidthStr;

const WIDTH: u16 = 100;
const HEIGHT: u16 = 24;
/// The demo's clock: what the ledger knows was done just now.
const NOW: i64 = 1_800_000_000;

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// What the ledger knows as blocked: contacts `rows` of sales, just now.
fn blocked(config: &EmulatorConfig, rows: &[usize]) -> Vec<KnownState> {
    rows.iter()
        .map(|&row| KnownState {
            instance: "sales".into(),
            jid: config.instances[0].contacts[row].jid.clone(),
            lid: None,
            blocked: true,
            changed_at: NOW,
            operator: None,
            reason: None,
            contest: None,
        })
        .collect()
}

/// The demo as the README shows it: every instance's state, sales'
/// contacts, two blocked, two marked, the selection on a third.
fn demo_state() -> State {
    let config = EmulatorConfig::demo(None);
    let names: Vec<(String, Option<String>)> = config
        .instances
        .iter()
        .map(|i| (i.name.clone(), ryze_contacts::tui::demo::label(&i.name)))
        .collect();
    let mut s = State::new(&names, &blocked(&config, &[2, 7]), 0);
    s.now = NOW;
    update(
        &mut s,
        Msg::Resize {
            width: WIDTH,
            height: HEIGHT,
        },
    );
    let states = config.instances.iter().enumerate().map(|(i, inst)| {
        let status = InstanceStatus {
            state: inst.state.as_str().into(),
            own_region: None,
            own_jid: None,
        };
        (i, Ok(Some(status)))
    });
    update(
        &mut s,
        Msg::Worker(JobResult::Instances {
            states: states.collect(),
            complete: true,
        }),
    );
    let store = parse_store(&contacts_body(&config.instances[0].contacts)).unwrap();
    update(
        &mut s,
        Msg::Worker(JobResult::Contacts {
            instance: 0,
            result: Ok(Arc::new(store)),
        }),
    );
    // Mark rows 8 and 11 (Space marks and moves down); select row 13.
    let keys = "jjjjjjjj jj j";
    for c in keys.chars() {
        update(&mut s, key(KeyCode::Char(c)));
    }
    s
}

fn drawn() -> Buffer {
    let s = demo_state();
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    terminal.draw(|f| ryze_contacts::ui::draw(f, &s)).unwrap();
    terminal.backend().buffer().clone()
}

/// The buffer as text: one line per row, wide characters once, no
/// trailing spaces.
fn as_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut x = 0;
        while x < buf.area.width {
            let symbol = buf[(x, y)].symbol();
            line.push_str(symbol);
            x += u16::try_from(symbol.width()).unwrap_or(1).max(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

const CELL_W: u32 = 9;
const CELL_H: u32 = 18;
const DEFAULT_FG: (u8, u8, u8) = (0xd0, 0xd0, 0xd0);
const DEFAULT_BG: (u8, u8, u8) = (0x10, 0x10, 0x10);

/// xterm's palette: 16 named colours, the 6×6×6 cube, 24 greys.
fn rgb(color: Color, default: (u8, u8, u8)) -> (u8, u8, u8) {
    const ANSI: [(u8, u8, u8); 16] = [
        (0, 0, 0),
        (205, 0, 0),
        (0, 205, 0),
        (205, 205, 0),
        (0, 0, 238),
        (205, 0, 205),
        (0, 205, 205),
        (229, 229, 229),
        (127, 127, 127),
        (255, 0, 0),
        (0, 255, 0),
        (255, 255, 0),
        (92, 92, 255),
        (255, 0, 255),
        (0, 255, 255),
        (255, 255, 255),
    ];
    match color {
        Color::Reset => default,
        Color::Black => ANSI[0],
        Color::Red => ANSI[1],
        Color::Green => ANSI[2],
        Color::Yellow => ANSI[3],
        Color::Blue => ANSI[4],
        Color::Magenta => ANSI[5],
        Color::Cyan => ANSI[6],
        Color::Gray => ANSI[7],
        Color::DarkGray => ANSI[8],
        Color::LightRed => ANSI[9],
        Color::LightGreen => ANSI[10],
        Color::LightYellow => ANSI[11],
        Color::LightBlue => ANSI[12],
        Color::LightMagenta => ANSI[13],
        Color::LightCyan => ANSI[14],
        Color::White => ANSI[15],
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i @ 0..=15) => ANSI[usize::from(i)],
        Color::Indexed(i @ 16..=231) => {
            let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
            let i = i - 16;
            (level(i / 36), level(i / 6 % 6), level(i % 6))
        }
        Color::Indexed(i) => {
            let v = 8 + 10 * (i - 232);
            (v, v, v)
        }
    }
}

fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The attributes of a cell's text: colour, weight, slant, lines.
fn text_attributes(modifier: Modifier, fg: (u8, u8, u8)) -> String {
    let mut attrs = format!(r#" fill="{}""#, hex(fg));
    if modifier.contains(Modifier::BOLD) {
        attrs.push_str(r#" font-weight="bold""#);
    }
    if modifier.contains(Modifier::ITALIC) {
        attrs.push_str(r#" font-style="italic""#);
    }
    if modifier.contains(Modifier::DIM) {
        attrs.push_str(r#" fill-opacity="0.6""#);
    }
    let lines: Vec<&str> = [
        (Modifier::UNDERLINED, "underline"),
        (Modifier::CROSSED_OUT, "line-through"),
    ]
    .into_iter()
    .filter(|(m, _)| modifier.contains(*m))
    .map(|(_, name)| name)
    .collect();
    if !lines.is_empty() {
        let _ = write!(attrs, r#" text-decoration="{}""#, lines.join(" "));
    }
    attrs
}

/// A ratatui buffer as an SVG picture on an exact cell grid: one rect
/// per cell whose background is not the default, one `<text>` per
/// visible symbol, pinned to its cells whatever the font.
fn buffer_to_svg(buf: &Buffer) -> String {
    let area = buf.area;
    let (w, h) = (
        u32::from(area.width) * CELL_W,
        u32::from(area.height) * CELL_H,
    );
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="15">"#
    );
    let _ = writeln!(
        svg,
        r#"<rect width="{w}" height="{h}" fill="{}"/>"#,
        hex(DEFAULT_BG)
    );
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            let cell = &buf[(x, y)];
            let symbol = cell.symbol();
            let cols = u16::try_from(symbol.width()).unwrap_or(1).max(1);
            let (mut fg, mut bg) = (rgb(cell.fg, DEFAULT_FG), rgb(cell.bg, DEFAULT_BG));
            if cell.modifier.contains(Modifier::REVERSED) {
                std::mem::swap(&mut fg, &mut bg);
            }
            let px = u32::from(x - area.left()) * CELL_W;
            let py = u32::from(y - area.top()) * CELL_H;
            let span = u32::from(cols) * CELL_W;
            if bg != DEFAULT_BG {
                let _ = writeln!(
                    svg,
                    r#"<rect x="{px}" y="{py}" width="{span}" height="{CELL_H}" fill="{}"/>"#,
                    hex(bg)
                );
            }
            if !symbol.trim().is_empty() && !cell.modifier.contains(Modifier::HIDDEN) {
                let _ = writeln!(
                    svg,
                    r#"<text x="{px}" y="{}" textLength="{span}" lengthAdjust="spacingAndGlyphs" xml:space="preserve"{}>{}</text>"#,
                    py + CELL_H - 5,
                    text_attributes(cell.modifier, fg),
                    escape(symbol)
                );
            }
            x += cols;
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// Compares `drawn` with the committed file `name` in `assets/`, or
/// writes it when asked to (`RYZE_UPDATE_SCREENSHOTS=1`).
fn same_as_committed(name: &str, drawn: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(name);
    if std::env::var_os("RYZE_UPDATE_SCREENSHOTS").is_some() {
        std::fs::write(&path, drawn).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == drawn,
        "assets/{name} is not what the UI draws now: if the change is meant, run RYZE_UPDATE_SCREENSHOTS=1 cargo test screenshot, look at the picture, and commit it.\nDrawn:\n{drawn}"
    );
}

#[test]
fn the_screenshots_are_what_the_ui_draws() {
    let buf = drawn();
    let text = as_text(&buf);
    // The state the README describes.
    assert!(text.contains("Sales desk ● connected"), "{text}");
    assert_eq!(text.matches("⊘ blocked just now").count(), 2, "{text}");
    let marked_rows = text.lines().filter(|l| l.starts_with("  ◆ ")).count();
    assert_eq!(marked_rows, 2, "two marked: {text}");
    assert!(
        text.contains("◆ 2 marked"),
        "the footer counts them: {text}"
    );
    same_as_committed("screenshot.txt", &text);
    same_as_committed("screenshot.svg", &buffer_to_svg(&buf));
}

#[test]
fn the_readme_shows_both_screenshots() {
    let readme = include_str!("../../README.md");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/screenshot.txt"
    ))
    .unwrap();
    assert!(readme.contains("](assets/screenshot.svg)"), "the picture");
    let block = format!("```text\n{text}```");
    assert!(
        readme.contains(&block),
        "the README quotes assets/screenshot.txt as it is"
    );
}
