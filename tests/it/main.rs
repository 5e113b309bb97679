//! The one integration-test binary (DESIGN.md): every module here exercises the public CLI or library.

mod cargo;
mod cli;
mod diff;
mod git;
mod import;
mod import_huge;
mod spdx;
mod support;
