//! What a key leaves of an overlay: itself (changed or not), nothing, or
//! the next overlay it leads to. An overlay's keys change the app's core
//! and return this; only the dispatch in `overlays` puts it in the slot,
//! so no overlay names the others' enum.

use crate::app::effect::Effect;

/// What is open after a key of an overlay whose data is `D`; `N` names
/// where it may lead (another overlay's start).
#[derive(Debug)]
pub enum After<D, N = std::convert::Infallible> {
    /// It stays open, with this data.
    Stay(D),
    /// It closed.
    Close,
    /// It closed and this opens instead.
    Next(N),
}

/// An overlay's answer to a key: what is open after it, and the effects.
pub type Step<D, N = std::convert::Infallible> = (After<D, N>, Vec<Effect>);

/// It stays open with `data`; nothing to carry out.
pub fn stay<D, N>(data: D) -> Step<D, N> {
    (After::Stay(data), Vec::new())
}

/// It closed with `effects` to carry out.
pub fn close<D, N>(effects: Vec<Effect>) -> Step<D, N> {
    (After::Close, effects)
}
