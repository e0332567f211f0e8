//! The app's clock: a tick a quarter of a second, and what is timed in
//! ticks.

/// Timer ticks a second (the run loop ticks at this rate).
pub const TICKS_PER_SECOND: u64 = 4;

/// Ticks an info message stays (5 s).
pub const INFO_TICKS: u64 = 5 * TICKS_PER_SECOND;

/// Ticks between two polls of the instance states.
pub const POLL_TICKS: u64 = 120;
/// How often the ledger is read again for what other runs on it changed
/// (a cron job, another terminal): every 2 s.
pub const LEDGER_POLL_TICKS: u64 = 2 * TICKS_PER_SECOND;
