//! A read-only view of the scanned tree: one walk that lists every file, and reads that refuse to leave it.
//!
//! Symlinks are never followed (a symlink that points outside the tree is reported), `.git` and
//! `node_modules` directories are not walked, and reads are capped in size so a hostile file cannot exhaust
//! memory.

use std::fs;
use std::io::Read;
use std::path::{Component as PathComponent, Path, PathBuf};

use crate::model::Diagnostic;

/// The largest file a resolver will read (manifests and lockfiles are far smaller).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;
const MAX_DEPTH: usize = 128;
const MAX_FILES: usize = 2_000_000;

/// Directories that are never walked: VCS metadata and installed package trees (read on demand only).
const SKIPPED_DIRS: &[&str] = &[".git", ".hg", ".svn", "node_modules"];

/// One regular file of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFile {
    /// Relative to the root, `/`-separated.
    pub path: String,
    pub size: u64,
}

impl TreeFile {
    /// The last path segment.
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
    /// The directory part (`""` at the root).
    pub fn dir(&self) -> &str {
        self.path.rfind('/').map(|i| &self.path[..i]).unwrap_or("")
    }
}

/// The files of a scanned tree.
#[derive(Debug, Clone)]
pub struct SourceTree {
    root: PathBuf,
    files: Vec<TreeFile>,
    /// What the walk skipped and why (symlinks leaving the tree, unreadable directories).
    pub diagnostics: Vec<Diagnostic>,
    max_file_size: u64,
}

impl SourceTree {
    /// Walks `root` once. Never fails: what cannot be read becomes a diagnostic.
    pub fn walk(root: &Path) -> SourceTree {
        let root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let mut tree = SourceTree {
            root,
            files: Vec::new(),
            diagnostics: Vec::new(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
        };
        let root = tree.root.clone();
        tree.walk_dir(&root, String::new(), 0);
        tree.files.sort_by(|a, b| a.path.cmp(&b.path));
        tree
    }

    /// Overrides the size cap for reads.
    pub fn with_max_file_size(mut self, bytes: u64) -> Self {
        self.max_file_size = bytes;
        self
    }

    fn walk_dir(&mut self, dir: &Path, rel: String, depth: usize) {
        if depth > MAX_DEPTH {
            self.diagnostics.push(
                Diagnostic::warning(
                    "tree-too-deep",
                    format!("directory nesting deeper than {MAX_DEPTH} levels was not walked"),
                )
                .at(rel, None),
            );
            return;
        }
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(err) => {
                self.diagnostics.push(
                    Diagnostic::warning("unreadable-directory", format!("cannot list directory: {err}"))
                        .at(display_rel(&rel), None),
                );
                return;
            }
        };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            if self.files.len() >= MAX_FILES {
                self.diagnostics.push(Diagnostic::warning(
                    "tree-too-large",
                    format!("the tree has more than {MAX_FILES} files; the rest was not walked"),
                ));
                return;
            }
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                self.diagnostics.push(
                    Diagnostic::note("non-utf8-path", "a file name that is not valid UTF-8 was skipped")
                        .at(display_rel(&rel), None),
                );
                continue;
            };
            let child_rel = if rel.is_empty() { name.to_string() } else { format!("{rel}/{name}") };
            let Ok(meta) = fs::symlink_metadata(entry.path()) else { continue };
            let ft = meta.file_type();
            if ft.is_symlink() {
                if !self.symlink_stays_inside(&entry.path()) {
                    self.diagnostics.push(
                        Diagnostic::warning(
                            "symlink-outside-tree",
                            "symbolic link points outside the scanned tree and was not followed",
                        )
                        .at(child_rel, None),
                    );
                }
                continue;
            }
            if ft.is_dir() {
                if SKIPPED_DIRS.contains(&name) {
                    continue;
                }
                self.walk_dir(&entry.path(), child_rel, depth + 1);
            } else if ft.is_file() {
                self.files.push(TreeFile { path: child_rel, size: meta.len() });
            }
        }
    }

    fn symlink_stays_inside(&self, link: &Path) -> bool {
        fs::canonicalize(link).map(|t| t.starts_with(&self.root)).unwrap_or(false)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Every regular file, sorted by path.
    pub fn files(&self) -> &[TreeFile] {
        &self.files
    }

    /// Files whose last path segment is `name`.
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a TreeFile> + 'a {
        self.files.iter().filter(move |f| f.name() == name)
    }

    /// Whether a regular file exists at `rel` (as walked).
    pub fn contains(&self, rel: &str) -> bool {
        self.files.binary_search_by(|f| f.path.as_str().cmp(rel)).is_ok()
    }

    /// Whether any walked file lies under directory `rel`.
    pub fn has_dir(&self, rel: &str) -> bool {
        let prefix = format!("{}/", rel.trim_end_matches('/'));
        let i = self.files.partition_point(|f| f.path.as_str() < prefix.as_str());
        self.files.get(i).is_some_and(|f| f.path.starts_with(&prefix))
    }

    /// Reads a file by relative path. Refuses paths that leave the tree, symlinks anywhere on the way, and
    /// files over the size cap; the error is a diagnostic naming the file.
    pub fn read(&self, rel: &str) -> Result<Vec<u8>, Diagnostic> {
        let mut buf = Vec::new();
        self.read_into(rel, &mut buf)?;
        Ok(buf)
    }

    /// [`Self::read`] into a caller's buffer (cleared first), so a loop over many files reuses one
    /// allocation; the buffer is reserved to the file's size, not grown by doubling.
    pub fn read_into(&self, rel: &str, buf: &mut Vec<u8>) -> Result<(), Diagnostic> {
        buf.clear();
        let full = self.checked_path(rel)?;
        let file = fs::File::open(&full)
            .map_err(|e| Diagnostic::error("unreadable-file", format!("cannot open: {e}")).at(rel, None))?;
        if let Ok(m) = file.metadata() {
            // One byte more than the cap at most: enough to tell a file over it.
            buf.reserve(m.len().min(self.max_file_size + 1) as usize + 1);
        }
        file.take(self.max_file_size + 1)
            .read_to_end(buf)
            .map_err(|e| Diagnostic::error("unreadable-file", format!("cannot read: {e}")).at(rel, None))?;
        if buf.len() as u64 > self.max_file_size {
            return Err(Diagnostic::error(
                "file-too-large",
                format!("larger than the {} MiB limit; not parsed", self.max_file_size / (1024 * 1024)),
            )
            .at(rel, None));
        }
        Ok(())
    }

    /// Opens a file for a bounded, streaming read (weight-file headers): the same checks as [`Self::read`]
    /// (no escape, no symlink) without the size cap, which the caller enforces on what it reads.
    pub fn open(&self, rel: &str) -> Result<fs::File, Diagnostic> {
        let full = self.checked_path(rel)?;
        fs::File::open(&full)
            .map_err(|e| Diagnostic::error("unreadable-file", format!("cannot open: {e}")).at(rel, None))
    }

    /// [`Self::read_text`], with a failure pushed to `diags` (the resolvers' usual "note it and go on").
    pub fn read_text_or_note(&self, rel: &str, diags: &mut Vec<Diagnostic>) -> Option<String> {
        self.read_text(rel).map_err(|d| diags.push(d)).ok()
    }

    /// Reads a UTF-8 text file (a leading BOM is dropped). Invalid UTF-8 is a diagnostic with the line.
    pub fn read_text(&self, rel: &str) -> Result<String, Diagnostic> {
        let bytes = self.read(rel)?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").map(<[u8]>::to_vec).unwrap_or(bytes);
        String::from_utf8(bytes).map_err(|e| {
            let upto = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..upto].iter().filter(|&&b| b == b'\n').count() as u32 + 1;
            Diagnostic::error("invalid-utf8", "file is not valid UTF-8; not parsed").at(rel, Some(line))
        })
    }

    fn checked_path(&self, rel: &str) -> Result<PathBuf, Diagnostic> {
        let p = Path::new(rel);
        let escapes = p.components().any(|c| {
            matches!(c, PathComponent::ParentDir | PathComponent::RootDir | PathComponent::Prefix(_))
        });
        if escapes || rel.is_empty() {
            return Err(Diagnostic::error("path-outside-tree", "path leaves the scanned tree; not read")
                .at(rel, None));
        }
        // No symlink anywhere on the way: check each prefix.
        let mut cur = self.root.clone();
        for c in p.components() {
            cur.push(c);
            match fs::symlink_metadata(&cur) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(Diagnostic::warning(
                        "symlink-not-followed",
                        "path goes through a symbolic link; not read",
                    )
                    .at(rel, None))
                }
                Ok(_) => {}
                Err(e) => {
                    return Err(
                        Diagnostic::error("unreadable-file", format!("cannot open: {e}")).at(rel, None)
                    )
                }
            }
        }
        Ok(cur)
    }
}

fn display_rel(rel: &str) -> String {
    if rel.is_empty() {
        ".".into()
    } else {
        rel.to_string()
    }
}

/// Joins a directory and a relative path inside the tree and normalises `.` and `..` lexically.
/// Returns `None` when the result would leave the tree.
pub fn join_rel(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if dir.is_empty() { Vec::new() } else { dir.split('/').collect() };
    for seg in rel.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_rel_normalises_and_refuses_escape() {
        assert_eq!(join_rel("a/b", "../c").as_deref(), Some("a/c"));
        assert_eq!(join_rel("", "./x/y").as_deref(), Some("x/y"));
        assert_eq!(join_rel("a", "../../etc"), None);
    }
}
