//! The one integration-test binary (DESIGN.md): every module here exercises the public CLI or library.

mod cargo;
mod cli;
mod diff;
mod git;
mod golang;
mod import;
mod import_huge;
mod jvm;
mod license;
mod npm;
mod origin;
mod origin_online;
mod others;
mod policy;
mod policy_cli;
mod policy_eval;
mod provenance;
mod provenance_precision;
mod python;
mod python_corpus;
mod python_locks;
mod spdx;
mod support;
