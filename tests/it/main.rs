//! The one integration-test binary (DESIGN.md): every module here exercises the public CLI or library.

mod cargo;
mod cli;
mod diff;
mod git;
mod import;
mod origin;
mod origin_online;
mod provenance;
mod spdx;
mod support;
