//! The real terminal: raw mode, the alternate screen and bracketed paste on
//! entry (a paste arrives as text, never as keys), and the terminal
//! restored on drop, on error and on panic.

use std::io;

use ratatui::DefaultTerminal;

/// Owns the terminal while the UI runs; dropping it restores the screen.
pub struct TerminalGuard {
    /// The ratatui terminal to draw on.
    pub terminal: DefaultTerminal,
    mouse: bool,
}

/// Gives the mouse and pasting back to the terminal (ratatui's restore
/// does neither).
fn release(mouse: bool) {
    use ratatui::crossterm::event::{DisableBracketedPaste, DisableMouseCapture};
    let _ = ratatui::crossterm::execute!(std::io::stdout(), DisableBracketedPaste);
    if mouse {
        let _ = ratatui::crossterm::execute!(std::io::stdout(), DisableMouseCapture);
    }
}

impl TerminalGuard {
    /// Enters raw mode and the alternate screen (and mouse capture when
    /// asked), and installs a panic hook that restores the terminal, logs
    /// the panic and exits.
    pub fn enter(log_path: Option<String>, mouse: bool) -> io::Result<TerminalGuard> {
        let terminal = ratatui::try_init()?;
        ratatui::crossterm::execute!(
            std::io::stdout(),
            ratatui::crossterm::event::EnableBracketedPaste
        )?;
        if mouse {
            ratatui::crossterm::execute!(
                std::io::stdout(),
                ratatui::crossterm::event::EnableMouseCapture
            )?;
        }
        std::panic::set_hook(Box::new(move |info| {
            release(mouse);
            ratatui::restore();
            tracing::error!(panic = %info, "crashed");
            crate::util::print::note(&format!(
                "ryze-contacts stopped on an internal error: {info}"
            ));
            if let Some(path) = &log_path {
                crate::util::print::note(&format!("Details are in the log: {path}"));
            }
            std::process::exit(101);
        }));
        Ok(TerminalGuard { terminal, mouse })
    }
}

impl TerminalGuard {
    /// Gives the terminal back (as on exit) and stops the process until
    /// the shell continues it (`fg`); then takes the terminal again and
    /// clears it, for the next frame to draw everything.
    pub fn suspend(&mut self) -> io::Result<()> {
        release(self.mouse);
        ratatui::restore();
        #[cfg(unix)]
        rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::STOP)?;
        // Continued: raw mode, the alternate screen and pasting again.
        self.terminal = ratatui::try_init()?;
        ratatui::crossterm::execute!(
            std::io::stdout(),
            ratatui::crossterm::event::EnableBracketedPaste
        )?;
        if self.mouse {
            ratatui::crossterm::execute!(
                std::io::stdout(),
                ratatui::crossterm::event::EnableMouseCapture
            )?;
        }
        self.wipe()
    }

    /// Clears the screen and makes the next frame draw every cell, without
    /// asking the terminal anything: ratatui's `clear` asks for the cursor
    /// position, a round trip that races the input thread for the answer
    /// and ends the app where no answer comes (a slow link, a terminal
    /// that does not answer).
    pub fn wipe(&mut self) -> io::Result<()> {
        let size = self.terminal.size()?;
        self.terminal
            .resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        release(self.mouse);
        ratatui::restore();
    }
}

/// The OSC 52 sequence that asks the terminal to put `text` on the
/// clipboard; inside tmux it is wrapped so tmux passes it on.
pub fn osc52(text: &str, in_tmux: bool) -> String {
    let sequence = format!("\x1b]52;c;{}\x07", base64(text.as_bytes()));
    if in_tmux {
        format!("\x1bPtmux;{}\x1b\\", sequence.replace('\x1b', "\x1b\x1b"))
    } else {
        sequence
    }
}

/// Asks the terminal to copy `text` (OSC 52). Terminals without OSC 52
/// ignore the sequence, so nothing breaks where it is unsupported.
pub fn copy_to_clipboard(text: &str) {
    use std::io::Write;
    let in_tmux = std::env::var_os("TMUX").is_some();
    let mut out = io::stdout();
    // A failed write only means no copy; the screen is redrawn anyway.
    let _ = out.write_all(osc52(text, in_tmux).as_bytes());
    let _ = out.flush();
}

/// Standard base64 with padding (RFC 4648), as OSC 52 takes it.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_carries_base64_and_passes_through_tmux() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"+447912345678"), "KzQ0NzkxMjM0NTY3OA==");
        assert_eq!(osc52("+44", false), "\x1b]52;c;KzQ0\x07");
        assert_eq!(osc52("+44", true), "\x1bPtmux;\x1b\x1b]52;c;KzQ0\x07\x1b\\");
    }
}
