//! Resolvers: one per ecosystem, each a pure function from the files of the tree to components, edges and
//! diagnostics. No resolver runs a subprocess or touches the network.
//!
//! Adding an ecosystem is one file here plus one line in [`all`].

pub mod cargo;
pub mod cocoapods;
pub mod conan;
pub mod dart;
pub mod dotnet;
pub mod golang;
pub mod gradle;
pub mod lockutil;
pub mod maven;
pub mod npm;
pub mod php;
pub mod python;
pub mod ruby;
pub mod submodule;
pub mod swift;
pub mod toml_util;
pub mod vcpkg;
pub mod xml;

use crate::model::{Component, Diagnostic, Edge};
use crate::source::{Gitlink, SourceTree};

pub use crate::util::glob::glob_match;

/// What a resolver sees: the walked tree and what acquisition learned about it.
pub struct ResolveContext<'a> {
    pub tree: &'a SourceTree,
    pub gitlinks: &'a [Gitlink],
}

/// What a resolver found.
#[derive(Debug, Default)]
pub struct Resolution {
    pub components: Vec<Component>,
    pub edges: Vec<Edge>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Resolution {
    pub fn append(&mut self, mut other: Resolution) {
        self.components.append(&mut other.components);
        self.edges.append(&mut other.edges);
        self.diagnostics.append(&mut other.diagnostics);
    }
}

/// One ecosystem's resolver.
pub trait Resolver: Sync {
    /// A short name, used in diagnostics and `--help`.
    fn name(&self) -> &'static str;
    /// Finds its manifests in the tree and resolves them. Never panics on bad input: problems become
    /// diagnostics with the file and line.
    fn resolve(&self, ctx: &ResolveContext) -> Resolution;
}

/// Every resolver, in a fixed order.
pub fn all() -> Vec<Box<dyn Resolver>> {
    vec![
        Box::new(cargo::CargoResolver),
        Box::new(submodule::SubmoduleResolver),
        Box::new(maven::MavenResolver),
        Box::new(gradle::GradleResolver),
        Box::new(ruby::RubyResolver),
        Box::new(php::PhpResolver),
        Box::new(dotnet::DotnetResolver),
        Box::new(swift::SwiftResolver),
        Box::new(dart::DartResolver),
        Box::new(conan::ConanResolver),
        Box::new(vcpkg::VcpkgResolver),
        Box::new(cocoapods::CocoapodsResolver),
        Box::new(python::PythonResolver),
        Box::new(golang::GoResolver),
        Box::new(npm::NpmResolver),
    ]
}

/// Runs every resolver, in parallel across resolvers, and concatenates their results in a fixed order.
/// A resolver that panics (a bug) becomes an error diagnostic instead of aborting the scan.
///
/// The resolvers are shared among a few workers (this thread and `threads() - 1` more, at most two in
/// all), each taking the next resolver not started: most of them find nothing to read in a given tree and
/// return at once, and a thread apiece cost more in starting (and, on a virtual machine, in waking an idle
/// core) than they did.
pub fn resolve_all(ctx: &ResolveContext) -> Resolution {
    let resolvers = all();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done: Vec<(usize, Resolution)> = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(r) = resolvers.get(i) else { return done };
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| r.resolve(ctx)));
            done.push((
                i,
                run.unwrap_or_else(|_| Resolution {
                    diagnostics: vec![Diagnostic::error(
                        "resolver-crashed",
                        format!(
                            "the {} resolver failed unexpectedly; its ecosystem is missing from the result",
                            r.name()
                        ),
                    )],
                    ..Resolution::default()
                }),
            ));
        }
    };
    let helpers = crate::util::threads().clamp(1, 2) - 1;
    let mut results: Vec<(usize, Resolution)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..helpers).map(|_| s.spawn(work)).collect();
        let mut all = work();
        for h in handles {
            // A worker catches its resolvers' panics: nothing else in it can fail.
            all.extend(h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        all
    });
    results.sort_by_key(|(i, _)| *i);
    let mut out = Resolution::default();
    for (_, r) in results {
        out.append(r);
    }
    out
}

/// Line (1-based) of a byte offset in a text.
pub fn line_of(text: &str, offset: usize) -> u32 {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() as u32 + 1
}

/// Byte offsets of line starts, to turn many offsets of one text into 1-based lines (`line_of` counts from
/// the start each time: quadratic over the entries of a large lockfile).
pub struct Lines(Vec<usize>);

impl Lines {
    pub fn new(text: &str) -> Self {
        let mut v = vec![0];
        v.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Lines(v)
    }
    /// The same answer as [`line_of`].
    pub fn line_of(&self, offset: usize) -> u32 {
        self.0.partition_point(|&s| s <= offset) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::{line_of, Lines};

    #[test]
    fn lines_answer_what_line_of_answers_for_every_offset() {
        for text in ["", "a", "\n", "a\nb", "a\n\nb\n", "\n\nx\r\ny\n", "é\nü\n"] {
            let lines = Lines::new(text);
            for offset in 0..=text.len() + 2 {
                assert_eq!(lines.line_of(offset), line_of(text, offset), "{text:?} at {offset}");
            }
        }
    }
}
