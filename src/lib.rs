//! ryze-contacts: see the contacts of several RyzeAPI WhatsApp instances
//! and block or unblock them from one keyboard-driven terminal screen.
//!
//! Layers, each a folder, from the outside in: `cli` and `tui` (front
//! ends), `worker` (the API worker task), `app` (state and update, no I/O),
//! `ui` (drawing), `keys`, `config`, `store`, `api`, `model`, `util`.
//! `emulator` is an independent RyzeAPI for the demo and the tests.

pub mod api;
pub mod app;
pub mod cli;
pub mod config;
pub mod emulator;
pub mod keys;
pub mod model;
pub mod store;
pub mod tui;
pub mod ui;
pub mod util;
pub mod worker;
