//! The one integration-test binary (DESIGN.md): every module here exercises the public CLI or library.

mod cargo;
mod cli;
mod diff;
mod git;
mod import;
mod license;
mod origin;
mod origin_online;
mod policy;
mod policy_cli;
mod policy_eval;
mod provenance;
mod spdx;
mod support;
