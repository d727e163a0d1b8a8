//! The workspace: finding it, locking it, and the one path by which every step writes.
//!
//! Invariants this module keeps (see `ARCHITECTURE.md`):
//! - **One writer.** A step that writes holds an OS advisory lock on `.jiuzhu/lock`; the kernel releases it when
//!   the process dies, so a killed run never leaves a stale lock. The file itself names the last holder, which is
//!   what a refused second run prints.
//! - **All or nothing.** A step stages every file it writes in `.jiuzhu/staging/`, fsyncs them and a manifest,
//!   then renames the staging folder to `.jiuzhu/commit/` — that single rename is the commit point — and only then
//!   moves each file into place. A crash before the commit point leaves the old state (the staging folder is
//!   discarded on the next run); a crash after it leaves a journal that the next run rolls forward. Nobody ever
//!   sees a workspace between the two.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};

use crate::policy::Policy;

/// The policy file that marks a workspace's root.
pub const POLICY_FILE: &str = "jiuzhu.yaml";
/// jiuzhu's private folder inside a workspace (lock, staging, commit journal). Git-ignored.
pub const STATE_DIR: &str = ".jiuzhu";

const STAGING: &str = "staging";
const COMMITTING: &str = "commit";
const MANIFEST: &str = "MANIFEST";

/// An opened workspace with its validated policy.
#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub policy: Policy,
}

impl Workspace {
    /// Finds the workspace from `start` upward (like git finds `.git`).
    pub fn find(start: &Path) -> Result<PathBuf> {
        let start = start.canonicalize().with_context(|| {
            crate::i18n::tr(
                format!("cannot open folder {}", start.display()),
                format!("无法打开文件夹 {}", start.display()),
            )
        })?;
        let mut dir: Option<&Path> = Some(&start);
        while let Some(d) = dir {
            if d.join(POLICY_FILE).is_file() {
                return Ok(d.to_path_buf());
            }
            dir = d.parent();
        }
        bail!(
            "{}",
            crate::i18n::tr(
                format!(
                    "no jiuzhu workspace here: no {POLICY_FILE} in {} or any folder above it.\n\
                     Run `jiuzhu init DIR` to create one, or give the workspace with `jiuzhu -C DIR …`.",
                    start.display()
                ),
                format!(
                    "这里没有 jiuzhu 工作区: {} 及其上级文件夹中都没有 {POLICY_FILE}。\n\
                     请用 `jiuzhu init 文件夹` 创建, 或用 `jiuzhu -C 文件夹 …` 指定工作区。",
                    start.display()
                )
            )
        )
    }

    /// Opens the workspace found from `start` and loads its policy (validated).
    pub fn open(start: &Path) -> Result<Workspace> {
        let root = Workspace::find(start)?;
        let policy = Policy::load(&root.join(POLICY_FILE))?;
        let ws = Workspace { root, policy };
        // A step that passed its commit point before it was interrupted has happened: finish it before anyone
        // reads, so even a dry run or a report sees the workspace as it is.
        if ws.state_dir().join(COMMITTING).exists() {
            drop(ws.lock()?);
        }
        Ok(ws)
    }

    pub fn path(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.root.join(rel)
    }

    fn state_dir(&self) -> PathBuf {
        self.root.join(STATE_DIR)
    }

    /// Takes the workspace lock for a writing step, then finishes or discards whatever an interrupted step left.
    pub fn lock(&self) -> Result<Lock> {
        let lock = Lock::acquire(&self.state_dir())?;
        self.recover()?;
        Ok(lock)
    }

    /// Rolls forward a committed-but-unapplied step, or discards an uncommitted one.
    fn recover(&self) -> Result<()> {
        let state = self.state_dir();
        let staging = state.join(STAGING);
        if staging.exists() {
            fs::remove_dir_all(&staging)
                .with_context(|| format!("cannot discard the unfinished step in {}", staging.display()))?;
        }
        let journal = state.join(COMMITTING);
        if journal.exists() {
            apply_journal(&self.root, &journal)?;
        }
        Ok(())
    }

    /// The SHA-256 of the policy file as it is now, for the journal's record of a step's inputs.
    pub fn policy_sha256(&self) -> Result<String> {
        Ok(crate::ledger::events::sha256_hex(
            &self.read_optional(POLICY_FILE)?.unwrap_or_default(),
        ))
    }

    /// Reads a workspace file, or `None` when it does not exist.
    pub fn read_optional(&self, rel: impl AsRef<Path>) -> Result<Option<Vec<u8>>> {
        let path = self.path(rel);
        match fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// Commits every file of `txn` together (see the module doc). Files whose bytes are unchanged are not
    /// touched. Returns the workspace-relative paths that changed.
    pub fn commit(&self, _lock: &Lock, txn: Txn) -> Result<Vec<PathBuf>> {
        let mut changed: Vec<(PathBuf, Vec<u8>)> = Vec::new();
        for (rel, bytes) in txn.writes {
            if self.read_optional(&rel)?.as_deref() != Some(bytes.as_slice()) {
                changed.push((rel, bytes));
            }
        }
        if changed.is_empty() {
            return Ok(Vec::new());
        }
        let state = self.state_dir();
        let staging = state.join(STAGING);
        let journal = state.join(COMMITTING);
        if staging.exists() {
            fs::remove_dir_all(&staging)?;
        }
        create_private_dir_all(&staging).with_context(|| format!("cannot create {}", staging.display()))?;
        let mut manifest = String::new();
        for (i, (rel, bytes)) in changed.iter().enumerate() {
            let name = format!("{i:06}");
            write_synced(&staging.join(&name), bytes)
                .with_context(|| format!("cannot stage {} (is the disk full or read-only?)", rel.display()))?;
            crash_point("staged");
            let rel_text = rel
                .to_str()
                .ok_or_else(|| anyhow!("path is not UTF-8: {}", rel.display()))?;
            manifest.push_str(&format!("{name}\t{rel_text}\n"));
        }
        write_synced(&staging.join(MANIFEST), manifest.as_bytes())?;
        sync_dir(&staging)?;
        crash_point("before-commit");
        // The commit point: after this rename the step has happened, whatever comes next.
        fs::rename(&staging, &journal).context("cannot commit the step")?;
        sync_dir(&state)?;
        crash_point("after-commit");
        apply_journal(&self.root, &journal)?;
        Ok(changed.into_iter().map(|(rel, _)| rel).collect())
    }
}

/// Moves each staged file of a committed journal into place, then removes the journal. Idempotent: an entry
/// whose staged file is gone was already moved by an earlier, interrupted attempt.
fn apply_journal(root: &Path, journal: &Path) -> Result<()> {
    // The manifest is removed only after every file was moved: a journal without one was applied, and only its
    // removal was interrupted.
    if !journal.join(MANIFEST).exists() && fs::read_dir(journal).is_ok_and(|mut d| d.next().is_none()) {
        fs::remove_dir(journal).with_context(|| format!("cannot remove {}", journal.display()))?;
        return Ok(());
    }
    let manifest = fs::read_to_string(journal.join(MANIFEST))
        .with_context(|| format!("the commit journal {} has no readable manifest", journal.display()))?;
    for line in manifest.lines() {
        let (name, rel) = line
            .split_once('\t')
            .ok_or_else(|| anyhow!("the commit journal {} is damaged", journal.display()))?;
        let staged = journal.join(name);
        if !staged.exists() {
            continue;
        }
        let target = root.join(rel);
        if let Some(parent) = target.parent() {
            create_private_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::rename(&staged, &target).with_context(|| format!("cannot write {}", target.display()))?;
        if let Some(parent) = target.parent() {
            sync_dir(parent)?;
        }
        crash_point("between-renames");
    }
    fs::remove_file(journal.join(MANIFEST)).with_context(|| format!("cannot clean up {}", journal.display()))?;
    crash_point("journal-cleanup");
    fs::remove_dir_all(journal).with_context(|| format!("cannot remove {}", journal.display()))?;
    Ok(())
}

/// Test hook: a debug build aborts at the named point of the commit path when `JIUZHU_CRASH_AT` names it, so
/// tests can show that an interrupted step leaves the workspace whole. `POINT:N` aborts at the Nth time the run
/// passes the point (`staged` and `between-renames` are passed once per file). Release builds compile it away.
fn crash_point(point: &str) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static PASSED: AtomicUsize = AtomicUsize::new(0);
    if !cfg!(debug_assertions) {
        return;
    }
    let Ok(want) = std::env::var("JIUZHU_CRASH_AT") else {
        return;
    };
    let (name, nth) = match want.split_once(':') {
        Some((name, n)) => (name, n.parse::<usize>().unwrap_or(1)),
        None => (want.as_str(), 1),
    };
    if name == point && PASSED.fetch_add(1, Ordering::SeqCst) + 1 == nth {
        std::process::abort();
    }
}

/// Permissions of the files a step writes: they hold households' most private data (IDs, incomes, health,
/// bank accounts), so owner read/write and group read only — never world-readable, whatever the umask.
#[cfg(unix)]
const PRIVATE_FILE_MODE: u32 = 0o640;
/// Permissions of the folders a step creates (owner and group only).
#[cfg(unix)]
pub const PRIVATE_DIR_MODE: u32 = 0o750;

/// `fs::create_dir_all`, with new folders private (see [`PRIVATE_DIR_MODE`]).
pub fn create_private_dir_all(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, PRIVATE_DIR_MODE);
    builder.create(dir)
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, PRIVATE_FILE_MODE);
    let mut f = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.sync_all()
        .with_context(|| format!("cannot sync {}", path.display()))?;
    Ok(())
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync folder {}", dir.display()))
}

/// Where an input file is kept: `inbox/<first 16 hex of its SHA-256>-<name>`, so the provenance (file, sheet,
/// row) of every record stays resolvable and two files with one name never collide.
pub fn inbox_path(file_name: &str, sha256: &str) -> PathBuf {
    PathBuf::from("inbox").join(format!(
        "{}-{}",
        &sha256[..16.min(sha256.len())],
        safe_file_name(file_name)
    ))
}

/// A file name with the characters file systems refuse replaced by `_`.
pub fn safe_file_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// The files one step writes, committed together by [`Workspace::commit`].
#[derive(Debug, Default)]
pub struct Txn {
    writes: BTreeMap<PathBuf, Vec<u8>>,
}

impl Txn {
    pub fn new() -> Txn {
        Txn::default()
    }

    /// Adds a file (workspace-relative path) to the step. A later `put` of the same path replaces the earlier.
    pub fn put(&mut self, rel: impl Into<PathBuf>, bytes: Vec<u8>) {
        let rel = rel.into();
        debug_assert!(
            rel.components().all(|c| matches!(c, Component::Normal(_))),
            "workspace paths are relative and plain: {}",
            rel.display()
        );
        self.writes.insert(rel, bytes);
    }

    /// Adds every file of another step-part (built on another thread), as [`Txn::put`] each.
    pub fn extend(&mut self, other: Txn) {
        for (rel, bytes) in other.writes {
            self.put(rel, bytes);
        }
    }

    pub fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.writes.keys()
    }
}

/// The workspace lock, held for the life of a writing step.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    fn acquire(state_dir: &Path) -> Result<Lock> {
        fs::create_dir_all(state_dir)
            .with_context(|| format!("cannot create {} (is the workspace read-only?)", state_dir.display()))?;
        let path = state_dir.join("lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot open the workspace lock {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                let holder = if holder.is_empty() { "holder unknown" } else { holder };
                bail!(
                    "{}",
                    crate::i18n::tr(
                        format!("the workspace is locked by another jiuzhu run ({holder}). Wait for it to finish and try again."),
                        format!("工作区正被另一个 jiuzhu 进程使用 ({holder})。请等它结束后再试。")
                    )
                );
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()))
            }
        }
        file.set_len(0)?;
        let mut cmd = String::from("jiuzhu");
        for a in std::env::args().skip(1).take(6) {
            cmd.push(' ');
            cmd.push_str(&a);
        }
        writeln!(file, "pid {} running `{}`", std::process::id(), cmd)?;
        file.sync_all()?;
        Ok(Lock { _file: file })
    }
}
