//! The app's clock: a tick a quarter of a second, and what is timed in
//! ticks.

/// Timer ticks a second (the run loop ticks at this rate).
pub const TICKS_PER_SECOND: u64 = 4;

/// Ticks an info message stays (5 s).
pub const INFO_TICKS: u64 = 5 * TICKS_PER_SECOND;

/// Ticks between two polls of the instance states.
pub const POLL_TICKS: u64 = 120;
/// How often the ledger is asked whether other runs changed it (a
/// colleague on the team's ledger, a cron job, another terminal): every
/// second. The question is cheap (a change mark); the ledger is read only
/// when the answer is yes, and in full every few seconds all the same.
pub const LEDGER_POLL_TICKS: u64 = TICKS_PER_SECOND;
