//! The files one step writes, as one unit: each written whole or appended to, handed to the workspace's
//! atomic commit (`Workspace::commit`), which writes all of them or none.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// The files one step writes, committed together by `Workspace::commit`.
#[derive(Debug, Default)]
pub struct Txn {
    pub(crate) writes: BTreeMap<PathBuf, Entry>,
}

/// One file of a step: written whole, or appended to (the journal, which only grows).
#[derive(Debug)]
pub(crate) enum Entry {
    /// The whole file; `differs` when the step already compared it with the file on disk
    /// ([`Txn::put_compared`]), so the commit does not compare it again.
    Whole { bytes: Vec<u8>, differs: Option<bool> },
    /// `bytes` added at the end of a file that was `at` bytes long when the step read it.
    Append { at: u64, bytes: Vec<u8> },
    /// A copy of the file at `from` (outside the workspace), whose SHA-256 (hex) the step read as `sha256`: an
    /// input kept in `inbox/` without holding it in memory. The commit refuses if the file changed since.
    Copy { from: PathBuf, sha256: String },
    /// The file removed (a partition of a ledger left with no rows, a ledger moved by `jiuzhu upgrade`).
    Remove,
}

impl Txn {
    pub fn new() -> Txn {
        Txn::default()
    }

    /// Adds a file (workspace-relative path) to the step. A later `put` of the same path replaces the earlier.
    pub fn put(&mut self, rel: impl Into<PathBuf>, bytes: Vec<u8>) {
        self.insert(rel.into(), Entry::Whole { bytes, differs: None });
    }

    /// [`Txn::put`] of a file the step has just compared with the one on disk under its lock
    /// (`Workspace::differs`), so the commit does not read and compare it again.
    pub fn put_compared(&mut self, rel: impl Into<PathBuf>, bytes: Vec<u8>, differs: bool) {
        self.insert(
            rel.into(),
            Entry::Whole {
                bytes,
                differs: Some(differs),
            },
        );
    }

    /// Appends `bytes` to a file that was `at` bytes long when the step read it (under the lock). The commit
    /// refuses if the file's length changed; rolling the step forward after a crash cuts the file back to `at`
    /// before appending, so the bytes are never added twice.
    pub fn append(&mut self, rel: impl Into<PathBuf>, at: u64, bytes: Vec<u8>) {
        self.insert(rel.into(), Entry::Append { at, bytes });
    }

    /// Adds a copy of the file at `from`, which the step read with SHA-256 `sha256` (hex): copied when the step
    /// commits, in constant memory, and refused then if it is no longer the file the step read.
    pub fn copy(&mut self, rel: impl Into<PathBuf>, from: impl Into<PathBuf>, sha256: impl Into<String>) {
        self.insert(
            rel.into(),
            Entry::Copy {
                from: from.into(),
                sha256: sha256.into(),
            },
        );
    }

    /// Removes a file (workspace-relative) with the step; nothing when it is not there.
    pub fn remove(&mut self, rel: impl Into<PathBuf>) {
        self.insert(rel.into(), Entry::Remove);
    }

    fn insert(&mut self, rel: PathBuf, w: Entry) {
        debug_assert!(
            rel.components().all(|c| matches!(c, Component::Normal(_))),
            "workspace paths are relative and plain: {}",
            rel.display()
        );
        self.writes.insert(rel, w);
    }

    /// Adds every file of another step-part (built on another thread), as it was added there.
    pub fn extend(&mut self, other: Txn) {
        for (rel, w) in other.writes {
            self.insert(rel, w);
        }
    }

    pub fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.writes.keys()
    }

    /// The length a file was appended at and the bytes appended, when the step appends to it.
    pub fn appended(&self, rel: &Path) -> Option<(u64, &[u8])> {
        match self.writes.get(rel)? {
            Entry::Append { at, bytes } => Some((*at, bytes)),
            Entry::Whole { .. } | Entry::Copy { .. } | Entry::Remove => None,
        }
    }
}
