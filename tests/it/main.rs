//! The one integration-test binary (DESIGN.md): every module here exercises the public CLI or library.

mod browser;
mod cargo;
mod cli;
mod conformance;
mod determinism;
mod diff;
mod facets;
mod git;
mod git_local;
mod golang;
mod import;
mod import_huge;
mod jvm;
mod license;
mod model_lineage_labels;
mod model_publishers;
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
mod report;
mod spdx;
mod store;
mod support;

#[path = "../pg_cluster.rs"]
mod pg_cluster;
mod weights;
