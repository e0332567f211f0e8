//! ryze-contacts: see the contacts of several RyzeAPI WhatsApp instances
//! and block or unblock them from one keyboard-driven terminal screen.

pub mod api;
pub mod app;
pub mod cache;
pub mod cli;
pub mod contacts;
pub mod dates;
pub mod demo;
pub mod emulator;
pub mod failure;
pub mod files;
pub mod filter;
#[cfg(test)]
pub mod fixtures;
pub mod headless;
pub mod init;
pub mod keys;
pub mod layout;
pub mod ledger;
pub mod logging;
pub mod number;
pub mod output;
pub mod profile;
pub mod proxy;
pub mod rate;
pub mod run;
pub mod sanitize;
pub mod secret;
pub mod terminal;
pub mod text;
pub mod ui;
pub mod view_memory;
pub mod worker;
