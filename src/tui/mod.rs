//! The terminal front end: the run loop, the terminal itself and the demo.

pub mod demo;
pub mod run;
pub(crate) mod terminal;
