//! The real terminal: raw mode and the alternate screen on entry, and the
//! terminal restored on drop, on error and on panic.

use std::io;

use ratatui::DefaultTerminal;

/// Owns the terminal while the UI runs; dropping it restores the screen.
pub struct TerminalGuard {
    /// The ratatui terminal to draw on.
    pub terminal: DefaultTerminal,
    mouse: bool,
}

/// Gives the mouse back to the terminal (ratatui's restore does not).
fn release_mouse() {
    let _ = ratatui::crossterm::execute!(
        std::io::stdout(),
        ratatui::crossterm::event::DisableMouseCapture
    );
}

impl TerminalGuard {
    /// Enters raw mode and the alternate screen (and mouse capture when
    /// asked), and installs a panic hook that restores the terminal, logs
    /// the panic and exits.
    pub fn enter(log_path: Option<String>, mouse: bool) -> io::Result<TerminalGuard> {
        let terminal = ratatui::try_init()?;
        if mouse {
            ratatui::crossterm::execute!(
                std::io::stdout(),
                ratatui::crossterm::event::EnableMouseCapture
            )?;
        }
        std::panic::set_hook(Box::new(move |info| {
            if mouse {
                release_mouse();
            }
            ratatui::restore();
            tracing::error!(panic = %info, "crashed");
            eprintln!("ryze-contacts stopped on an internal error: {info}");
            if let Some(path) = &log_path {
                eprintln!("Details are in the log: {path}");
            }
            std::process::exit(101);
        }));
        Ok(TerminalGuard { terminal, mouse })
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        if self.mouse {
            release_mouse();
        }
        ratatui::restore();
    }
}
