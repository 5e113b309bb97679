//! Enrichment stages that add facts to an inventory after resolution.

pub mod cargo_metadata;
pub mod license;
pub mod origin;
pub mod registry;

/// Starts building the enrichment stages' built-in tables on a background thread, so that a scan pays for
/// them while it walks and resolves the tree instead of after: the origin knowledge base (most of a small
/// scan's fixed cost; not when a user rules file replaces it), the licence aliases and the regexes of the
/// licence detector's text normalisers (any licence text the fast path does not answer needs them; its
/// n-gram store needs no warming: it is read in place from the binary). The stages' own calls wait for
/// the thread's results (`OnceLock`, `LazyLock`).
pub fn warm_up(origin: &origin::OriginOptions) {
    let kb = origin.rules_file.is_none();
    std::thread::spawn(move || {
        if kb {
            origin::kb::KnowledgeBase::builtin();
        }
        license::Aliases::builtin();
        license::askalono::warm_up();
    });
}
