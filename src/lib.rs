//! ryze-contacts: see the contacts of several RyzeAPI WhatsApp instances
//! and block or unblock them from one keyboard-driven terminal screen.
//!
//! Layers, each a folder, from the outside in: `cli` and `tui` (front
//! ends), `engine` (the one runtime under both), `worker` (HTTP and the
//! ledger) and `ui` (drawing), `app` (state and update, no I/O),
//! `protocol` (messages, jobs, results), `config`, `store`, `keys`,
//! `api`, `model`, `util`. `emulator` is an independent RyzeAPI for the
//! demo and the tests.

pub mod api;
pub mod app;
pub mod cli;
pub mod config;
pub mod emulator;
pub mod engine;
pub mod keys;
pub mod model;
pub mod protocol;
pub mod store;
pub mod tui;
pub mod ui;
pub mod util;
pub mod worker;
