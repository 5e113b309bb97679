//! The one integration-test binary (DESIGN.md): every module here exercises the public CLI or library.

mod cargo;
mod cli;
mod git;
mod origin;
mod provenance;
mod support;
