//! Which instances a command acts on: one named (as `--instance` and
//! `:instance` find it), or every one.

use crate::cli::failure::{Failure, exit, fail};
use crate::engine::Engine;

/// The profile index of instance `name` (as `:instance` finds it).
pub(super) fn instance_index(engine: &Engine, name: &str) -> Result<usize, Failure> {
    engine
        .profile()
        .find_instance(name)
        .map_err(|e| fail(exit::USAGE, e))
}

/// Which instances a command acts on.
pub(super) fn instances(
    engine: &Engine,
    instance: Option<&str>,
    all: bool,
) -> Result<Vec<usize>, Failure> {
    let count = engine.profile().instances.len();
    if all {
        return Ok((0..count).collect());
    }
    match instance {
        Some(name) => Ok(vec![instance_index(engine, name)?]),
        None if count == 1 => Ok(vec![0]),
        None => Err(fail(
            exit::USAGE,
            "the profile has several instances: name one with --instance NAME, or use --all",
        )),
    }
}
