//! The command line: arguments, the headless commands, their output and
//! exit codes. A front end over the app's core and the worker.

pub mod args;
pub mod failure;
pub mod headless;
pub mod init;
pub mod output;
