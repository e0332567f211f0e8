//! Every integration test in one test binary: the crate is linked once,
//! not once per file. Each module is one area, against the real binary,
//! the emulator on 127.0.0.1, real files in temporary folders.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed step fails the test

mod account_client;
mod account_contract;
mod api_client;
mod batch_goals;
mod blocklist;
mod blocklist_team;
mod blocklist_view;
mod cli;
mod contract;
mod desk;
mod e2e;
mod faults;
mod fuzz;
mod hardening;
mod headless;
mod hostile;
mod hostile_ledger;
mod init;
mod lanes;
mod layers;
mod ledger_conformance;
mod live;
mod lookups;
mod numbers;
mod pg_cluster;
mod printing;
mod profile_files;
mod reach;
mod screenshot;
mod team;
mod unix_tool;
mod watch;
mod worker;
