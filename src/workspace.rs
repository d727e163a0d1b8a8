//! The workspace: finding it, locking it, and the one path by which every step writes.
//!
//! Invariants this module keeps (see `ARCHITECTURE.md`):
//! - **One writer.** A step that writes holds an OS advisory lock on `.jiuzhu/lock`; the kernel releases it when
//!   the process dies, so a killed run never leaves a stale lock. The file itself names the last holder, which is
//!   what a refused second run prints.
//! - **All or nothing.** A step stages every file it writes in `.jiuzhu/staging/`, fsyncs them and a manifest,
//!   then renames the staging folder to `.jiuzhu/commit/` — that single rename is the commit point — and only then
//!   moves each file into place (or, for the journal, appends the staged bytes at the length the step read). A crash before the commit point leaves the old state (the staging folder is
//!   discarded on the next run); a crash after it leaves a journal that the next run rolls forward. Nobody ever
//!   sees a workspace between the two.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};

use crate::ledger::txn::Entry;
pub use crate::ledger::txn::Txn;
use crate::policy::Policy;

/// The policy file that marks a workspace's root.
pub use crate::policy::POLICY_FILE;
/// jiuzhu's private folder inside a workspace (lock, staging, commit journal). Git-ignored.
pub const STATE_DIR: &str = ".jiuzhu";

const STAGING: &str = "staging";
const COMMITTING: &str = "commit";
const MANIFEST: &str = "MANIFEST";

/// A file's bytes as [`Workspace::read_optional`] gives them: mapped from the page cache where the system
/// allows, so reading a 70 MB ledger neither copies it nor has the kernel zero 70 MB of fresh memory for the
/// copy (on a virtual machine whose memory is backed on first touch, the larger cost of the two).
pub enum FileBytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(m) => m,
            FileBytes::Read(v) => v,
        }
    }
}

impl Default for FileBytes {
    fn default() -> FileBytes {
        FileBytes::Read(Vec::new())
    }
}

/// An opened workspace with its validated policy.
#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub policy: Policy,
    /// The ledgers as the lock found them and held them to the journal's last seal (see [`crate::seal`]), and
    /// whether they were sealed before; then as the last commit left them. `None` until a verified lock.
    sealed: std::sync::Mutex<Option<(crate::seal::Hashes, bool)>>,
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
    /// Opens the workspace for a step: one whose ledgers an earlier jiuzhu wrote in another format is refused,
    /// naming the ledger, with the advice to run `jiuzhu upgrade` (every step, not only those that read that
    /// ledger: a month is not run half on one format).
    pub fn open(start: &Path) -> Result<Workspace> {
        let ws = Workspace::open_any_format(start)?;
        crate::ledger::refuse_former_formats(&ws)?;
        Ok(ws)
    }

    /// [`Workspace::open`] whatever the format of its ledgers: for `upgrade`, which moves them over, and
    /// `accept-edits`, which may have to record a hand edit before they can be.
    pub fn open_any_format(start: &Path) -> Result<Workspace> {
        let root = Workspace::find(start)?;
        let policy = Policy::load(&root.join(POLICY_FILE))?;
        crate::sheet::writer::set_paper(policy.print.paper);
        let ws = Workspace {
            root,
            policy,
            sealed: std::sync::Mutex::new(None),
        };
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

    /// How a command printed for the user runs jiuzhu on this workspace from the current folder: `jiuzhu`, or
    /// `jiuzhu -C DIR` when the current folder is not the workspace's root (as after `jiuzhu -C DIR status`).
    /// With `-C`, the workspace-relative paths the command names (`reports/…`) are read in DIR too, so the
    /// command works pasted where the user is. Only for what is printed, never for what is written to a file.
    pub fn jiuzhu(&self) -> String {
        match crate::ui::dir_from_here(&self.root) {
            None => "jiuzhu".to_string(),
            Some(dir) => format!("jiuzhu -C {dir}"),
        }
    }

    fn state_dir(&self) -> PathBuf {
        self.root.join(STATE_DIR)
    }

    /// Takes the workspace lock for a writing step, finishes or discards whatever an interrupted step left, and
    /// holds the ledgers to the journal's last seal: a ledger missing, changed or added outside jiuzhu, or a
    /// journal cut back, stops the step here, before it reads anything (see [`crate::seal`]).
    pub fn lock(&self) -> Result<Lock> {
        let (lock, breaches, _) = self.lock_unverified()?;
        self.refuse_breaches(&breaches)?;
        Ok(lock)
    }

    /// Refuses, as [`Workspace::lock`] does, ledgers that are not as the journal last recorded them — without
    /// taking the lock: for a dry run that must not promise what the step itself would refuse.
    pub fn refuse_unsealed(&self) -> Result<()> {
        let (breaches, _) = self.check_seal()?;
        self.refuse_breaches(&breaches)
    }

    fn refuse_breaches(&self, breaches: &[crate::seal::Breach]) -> Result<()> {
        if !breaches.is_empty() {
            let mut lines = Vec::new();
            for b in breaches {
                lines.push(format!("  {}", b.message()));
                if let crate::seal::Breach::Changed { file, recorded, .. } = b {
                    let now = self.read_optional(Path::new("ledgers").join(file))?.unwrap_or_default();
                    for l in crate::seal::describe(&self.root, file, recorded, &now, 10, crate::i18n::current()) {
                        lines.push(format!("    {l}"));
                    }
                }
            }
            bail!(
                "{}\n{}\n{}",
                crate::i18n::tr(
                    "the ledgers are not as the journal recorded them; nothing was done:",
                    "台账与日志记录的不一致, 未做任何改动:"
                ),
                lines.join("\n"),
                crate::seal::advice(breaches)
            );
        }
        Ok(())
    }

    /// [`Workspace::lock`] that reports the breaches instead of refusing (audit lists them as findings). Only a
    /// workspace without breaches can commit afterwards.
    pub fn lock_unverified(&self) -> Result<(Lock, Vec<crate::seal::Breach>, crate::seal::Hashes)> {
        let lock = Lock::acquire(&self.state_dir())?;
        self.recover()?;
        match self.check_seal() {
            Ok((breaches, found)) => Ok((lock, breaches, found)),
            // A journal whose chain is broken at its end (a row added or cut there): there is no seal to hold the
            // ledgers to, and audit reports the chain itself (J101). Nothing can be committed after it.
            Err(_) if self.journal_is_broken() => Ok((lock, Vec::new(), self.ledger_hashes()?)),
            Err(e) => Err(e),
        }
    }

    /// Whether `ledgers/events.csv` reads as a journal whose chain is broken.
    fn journal_is_broken(&self) -> bool {
        use crate::ledger::events::{self, Event};
        use crate::ledger::Record;
        let Ok(Some(bytes)) = self.read_optional(crate::ledger::path_of::<Event>()) else {
            return false;
        };
        crate::ledger::parse::<Event>(Event::FILE, &bytes).is_ok_and(|chain| events::verify_chain(&chain).is_some())
    }

    /// The ledgers against the journal's last seal, and their hashes as found; remembers them for the commit
    /// when they hold.
    pub fn check_seal(&self) -> Result<(Vec<crate::seal::Breach>, crate::seal::Hashes)> {
        use crate::seal::{self, Recorded};
        let journal = self.read_optional(crate::ledger::path_of::<crate::ledger::events::Event>())?;
        let (recorded, cut) = seal::recorded(journal.as_deref())?;
        let found = self.ledger_hashes()?;
        let mut breaches: Vec<seal::Breach> = cut.into_iter().collect();
        breaches.extend(seal::breaches(&recorded, &found));
        if breaches.is_empty() {
            let was_sealed = !matches!(recorded, Recorded::Unsealed);
            *self.sealed.lock().unwrap_or_else(|e| e.into_inner()) = Some((found.clone(), was_sealed));
        }
        Ok((breaches, found))
    }

    /// Takes the ledgers as they are (`found`, from [`Workspace::ledger_hashes`]) as the base of the next
    /// commit's seal: only `accept-edits`, which records the change in the journal first, does this.
    pub fn accept_as_found(&self, found: crate::seal::Hashes) {
        *self.sealed.lock().unwrap_or_else(|e| e.into_inner()) = Some((found, true));
    }

    /// The SHA-256 of every ledger (`ledgers/*.csv` but the journal, and each partition of a partitioned ledger,
    /// `ledgers/payments/*.csv`), by name under `ledgers/` (`cases.csv`, `payments/2026-11.csv`), hashed on every
    /// core.
    pub fn ledger_hashes(&self) -> Result<crate::seal::Hashes> {
        use rayon::prelude::*;
        let journal = <crate::ledger::events::Event as crate::ledger::Record>::FILE;
        let mut names: Vec<String> = crate::ledger::list_csv_files(&self.path("ledgers"))?
            .into_iter()
            .filter(|n| n != journal)
            .collect();
        for dir in crate::ledger::partition::FOLDERS {
            let files = crate::ledger::list_csv_files(&self.path("ledgers").join(dir))?;
            names.extend(files.into_iter().map(|f| format!("{dir}/{f}")));
        }
        names.sort();
        names
            .into_par_iter()
            .map(|n| {
                let bytes = self.read_optional(Path::new("ledgers").join(&n))?.unwrap_or_default();
                Ok((n, crate::ledger::events::sha256_hex(&bytes)))
            })
            .collect()
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

    /// The files a step read, as the journal records them: `jiuzhu.yaml=SHA;cases.csv=SHA;…`, the policy first,
    /// then each named ledger that exists, in the order named (hashed on every core: checks.csv alone is ~70 MB
    /// at county size).
    /// A partitioned ledger named (`payments.csv`) is listed as its partitions (`payments/2026-11.csv=SHA;…`).
    pub fn inputs_read(&self, ledgers: &[&str]) -> Result<String> {
        use rayon::prelude::*;
        let mut names: Vec<String> = Vec::new();
        for l in ledgers {
            match crate::ledger::partition::FOLDERS
                .iter()
                .find(|dir| l.strip_suffix(".csv") == Some(**dir))
            {
                Some(dir) => names.extend(
                    crate::ledger::list_csv_files(&self.path("ledgers").join(dir))?
                        .into_iter()
                        .map(|f| format!("{dir}/{f}")),
                ),
                None => names.push(l.to_string()),
            }
        }
        let hashes: Vec<Option<String>> = names
            .par_iter()
            .map(|l| {
                let bytes = self.read_optional(Path::new("ledgers").join(l))?;
                Ok(bytes.map(|b| format!("{l}={}", crate::ledger::events::sha256_hex(&b))))
            })
            .collect::<Result<_>>()?;
        let mut list = vec![format!("{POLICY_FILE}={}", self.policy_sha256()?)];
        list.extend(hashes.into_iter().flatten());
        Ok(list.join(";"))
    }

    /// Reads a workspace file, or `None` when it does not exist. The bytes are mapped from the page cache, not
    /// copied (see [`FileBytes`]).
    pub fn read_optional(&self, rel: impl AsRef<Path>) -> Result<Option<FileBytes>> {
        read_optional(&self.path(rel))
    }

    /// Commits every file of `txn` together (see the module doc). Files whose bytes are unchanged are not
    /// touched. Returns the workspace-relative paths that changed.
    ///
    /// Files are compared and staged on every core (each staged file is fsynced on its own); the manifest lists
    /// them in path order whatever order they were staged in.
    pub fn commit(&self, _lock: &Lock, txn: Txn) -> Result<Vec<PathBuf>> {
        use rayon::prelude::*;
        let writes: Vec<(PathBuf, Entry)> = txn.writes.into_iter().collect();
        let changed: Vec<bool> = writes
            .par_iter()
            .map(|(rel, w)| match w {
                Entry::Whole { bytes, differs } => match differs {
                    Some(known) => Ok(*known),
                    None => self.differs(rel, bytes),
                },
                Entry::Append { at, bytes } => {
                    let len = fs::metadata(self.path(rel)).map(|m| m.len()).unwrap_or(0);
                    if len != *at {
                        bail!(
                            "{} changed while this step ran ({} bytes, {at} when it was read); nothing was done",
                            rel.display(),
                            len
                        );
                    }
                    Ok(!bytes.is_empty())
                }
                Entry::Copy { sha256, .. } => match fs::File::open(self.path(rel)) {
                    Ok(f) => Ok(sha256_of_reader(f, rel)? != *sha256),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
                    Err(e) => Err(e).with_context(|| format!("cannot read {}", rel.display())),
                },
                Entry::Remove => Ok(self.path(rel).symlink_metadata().is_ok()),
            })
            .collect::<Result<_>>()?;
        let changed: Vec<(usize, (PathBuf, Entry))> = writes
            .into_iter()
            .zip(changed)
            .filter_map(|(w, c)| c.then_some(w))
            .enumerate()
            .collect();
        if changed.is_empty() {
            return Ok(Vec::new());
        }
        // The seal follows whatever changed the ledgers or the journal; reports alone leave the ledgers as sealed.
        let (changed, after) = if changed.iter().any(|(_, (rel, _))| rel.starts_with("ledgers")) {
            self.seal_commit(changed)?
        } else {
            let sealed = self.sealed.lock().unwrap_or_else(|e| e.into_inner()).clone();
            (changed, sealed.map(|(h, _)| h).unwrap_or_default())
        };
        let state = self.state_dir();
        let staging = state.join(STAGING);
        let journal = state.join(COMMITTING);
        if staging.exists() {
            fs::remove_dir_all(&staging)?;
        }
        create_private_dir_all(&staging).with_context(|| format!("cannot create {}", staging.display()))?;
        let disk = |rel: &Path| {
            crate::i18n::tr(
                format!("cannot stage {} (is the disk full or read-only?)", rel.display()),
                format!("无法暂存 {} (磁盘是否已满或只读?)", rel.display()),
            )
        };
        let staged = changed.par_iter().try_for_each(|(i, (rel, w))| -> Result<()> {
            let staged = staging.join(format!("{i:06}"));
            match w {
                Entry::Whole { bytes, .. } => write_synced(&staged, bytes).with_context(|| disk(rel)),
                // The journal is staged whole (the file as read and the new rows), so it is replaced by a
                // rename like every other file: never seen cut mid-line, even by a backup taken while a
                // killed step waits to be rolled forward.
                Entry::Append { at, bytes } => {
                    stage_appended(&self.path(rel), *at, bytes, &staged).with_context(|| disk(rel))
                }
                Entry::Copy { from, sha256 } => stage_copy(from, sha256, &staged, || disk(rel)),
                // Nothing to stage: the manifest says to remove it.
                Entry::Remove => Ok(()),
            }?;
            crash_point("staged");
            Ok(())
        });
        if let Err(e) = staged {
            // Nothing was committed: what was staged goes (the next step would discard it anyway).
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
        let mut manifest = String::new();
        for (i, (rel, w)) in &changed {
            let rel_text = rel
                .to_str()
                .ok_or_else(|| anyhow!("path is not UTF-8: {}", rel.display()))?;
            match w {
                Entry::Remove => manifest.push_str(&format!("{i:06}\t{rel_text}\t{REMOVE}\n")),
                _ => manifest.push_str(&format!("{i:06}\t{rel_text}\n")),
            }
        }
        write_synced(&staging.join(MANIFEST), manifest.as_bytes())?;
        sync_dir(&staging)?;
        crash_point("before-commit");
        // The commit point: after this rename the step has happened, whatever comes next.
        fs::rename(&staging, &journal).context("cannot commit the step")?;
        sync_dir(&state)?;
        crash_point("after-commit");
        apply_journal(&self.root, &journal)?;
        if let Some(state) = self.sealed.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            *state = (after, true);
        }
        Ok(changed
            .into_iter()
            .map(|(_, (rel, _))| rel)
            .filter(|rel| rel != &crate::ledger::path_of::<crate::ledger::events::Event>())
            .collect())
    }

    /// Adds the seal to a step's writes: the journal gets one last event recording the SHA-256 of every ledger
    /// as the step leaves them (see [`crate::seal`]). Returns the writes and the ledgers' hashes after them.
    fn seal_commit(&self, mut changed: Vec<Staged>) -> Result<(Vec<Staged>, crate::seal::Hashes)> {
        use crate::ledger::events::{self, Event, NewEvent};
        let (mut after, was_sealed) = self
            .sealed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .ok_or_else(|| anyhow!("internal error: a step committed without holding the ledgers to their seal"))?;
        let journal_rel = crate::ledger::path_of::<Event>();
        let (mut written, mut removed) = (Vec::new(), Vec::new());
        for (_, (rel, w)) in &changed {
            let Ok(name) = rel.strip_prefix("ledgers") else {
                continue;
            };
            let name = name.to_string_lossy().into_owned();
            if rel == &journal_rel || !is_sealed_name(&name) {
                continue;
            }
            match w {
                Entry::Whole { bytes, .. } => {
                    after.insert(name.clone(), events::sha256_hex(bytes));
                }
                Entry::Remove => {
                    after.remove(&name);
                    removed.push(name);
                    continue;
                }
                Entry::Append { .. } | Entry::Copy { .. } => {
                    bail!("internal error: {} is not written whole", rel.display())
                }
            }
            written.push(name);
        }
        // The event the seal follows: the last of the step's own, or the journal's last as it is.
        let position = changed.iter().position(|(_, (rel, _))| rel == &journal_rel);
        let last = match position.map(|i| &changed[i].1 .1) {
            Some(Entry::Append { bytes, .. }) => crate::seal::last_of(bytes, false)?,
            Some(Entry::Whole { bytes, .. }) => crate::seal::last_of(bytes, true)?,
            Some(Entry::Copy { .. } | Entry::Remove) => bail!("internal error: the journal is copied or removed"),
            None => match self.read_optional(&journal_rel)? {
                Some(b) if !b.is_empty() => crate::seal::last_of(&b, true)?,
                _ => None,
            },
        };
        let detail = if was_sealed {
            match (written.is_empty(), removed.is_empty()) {
                (_, true) => crate::seal::detail(&written, false),
                (true, false) => format!("ledgers removed: {}", removed.join(", ")),
                (false, false) => format!(
                    "{}; removed: {}",
                    crate::seal::detail(&written, false),
                    removed.join(", ")
                ),
            }
        } else {
            crate::seal::detail(&after.keys().cloned().collect::<Vec<_>>(), true)
        };
        let mut chain: Vec<Event> = last.into_iter().collect();
        events::append(
            &mut chain,
            [NewEvent {
                step: crate::seal::SEAL_STEP.into(),
                detail,
                inputs: crate::seal::inputs_of(&after),
                ..NewEvent::default()
            }],
        );
        let seal = chain.pop().expect("the seal was appended");
        match position {
            Some(i) => match &mut changed[i].1 .1 {
                Entry::Copy { .. } | Entry::Remove => bail!("internal error: the journal is copied or removed"),
                Entry::Append { bytes, .. } | Entry::Whole { bytes, .. } => {
                    let row = crate::ledger::rows_bytes::<Event, &Event>([&seal], Vec::new())?;
                    if !bytes.is_empty() && bytes.last() != Some(&b'\n') {
                        bytes.push(b'\n');
                    }
                    bytes.extend_from_slice(&row);
                }
            },
            None => {
                let entry = match self.read_optional(&journal_rel)? {
                    Some(b) if !b.is_empty() => {
                        let start = if b.last() == Some(&b'\n') {
                            Vec::new()
                        } else {
                            b"\n".to_vec()
                        };
                        Entry::Append {
                            at: b.len() as u64,
                            bytes: crate::ledger::rows_bytes::<Event, &Event>([&seal], start)?,
                        }
                    }
                    _ => Entry::Whole {
                        bytes: crate::ledger::to_bytes(&[seal])?,
                        differs: Some(true),
                    },
                };
                changed.push((changed.len(), (journal_rel, entry)));
            }
        }
        Ok((changed, after))
    }

    /// Whether a file's bytes differ from `bytes` (a missing file differs); the length is compared first.
    pub fn differs(&self, rel: impl AsRef<Path>, bytes: &[u8]) -> Result<bool> {
        let rel = rel.as_ref();
        match fs::metadata(self.path(rel)) {
            Ok(m) if m.len() != bytes.len() as u64 => return Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(true),
            _ => {}
        }
        Ok(self.read_optional(rel)?.as_deref() != Some(bytes))
    }
}

/// [`Workspace::read_optional`] of a path.
fn read_optional(path: &Path) -> Result<Option<FileBytes>> {
    let cannot = |e: std::io::Error| Err(e).with_context(|| format!("cannot read {}", path.display()));
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return cannot(e),
    };
    let len = match file.metadata() {
        Ok(m) if m.is_dir() => return cannot(std::io::Error::other("it is a folder")),
        Ok(m) => m.len(),
        Err(e) => return cannot(e),
    };
    // Unix only: Windows refuses to replace a file while a view of it is mapped.
    if cfg!(unix) && len > 0 {
        // SAFETY: the map is read-only. jiuzhu replaces a file by renaming a new one over it (a mapped inode
        // stays as it was) and only ever lengthens the journal; a file shortened while it is mapped (by another
        // program, or a crashed append cut back on roll-forward) would end this process with SIGBUS before it
        // writes anything (every step reads before it commits).
        if let Ok(map) = unsafe { memmap2::MmapOptions::new().populate().map(&file) } {
            return Ok(Some(FileBytes::Mapped(map)));
        }
    }
    // Empty, or a file system that cannot map: read it.
    let mut bytes = Vec::new();
    match (&file).read_to_end(&mut bytes) {
        Ok(_) => Ok(Some(FileBytes::Read(bytes))),
        Err(e) => cannot(e),
    }
}

/// In a manifest line, the third column of an append: the length the file had when the step read it.
const APPEND_AT: &str = "append@";
/// In a manifest line, the third column of a file the step removes.
const REMOVE: &str = "remove";

/// Whether a name under `ledgers/` is a ledger the seal holds: `cases.csv`, or a partition `payments/2026-11.csv`.
fn is_sealed_name(name: &str) -> bool {
    if !name.ends_with(".csv") {
        return false;
    }
    match name.split_once('/') {
        None => true,
        Some((dir, file)) => crate::ledger::partition::FOLDERS.contains(&dir) && !file.contains('/'),
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
        let (rel, append_at) = match rel.split_once('\t') {
            None => (rel, None),
            Some((rel, REMOVE)) => {
                let target = root.join(rel);
                match fs::remove_file(&target) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e).with_context(|| format!("cannot remove {}", target.display())),
                }
                if let Some(parent) = target.parent() {
                    if parent.exists() {
                        sync_dir(parent)?;
                    }
                }
                crash_point("between-renames");
                continue;
            }
            Some((rel, at)) => {
                let at = at
                    .strip_prefix(APPEND_AT)
                    .and_then(|n| n.parse::<u64>().ok())
                    .ok_or_else(|| anyhow!("the commit journal {} is damaged", journal.display()))?;
                (rel, Some(at))
            }
        };
        let staged = journal.join(name);
        if !staged.exists() {
            continue;
        }
        let target = root.join(rel);
        if let Some(parent) = target.parent() {
            create_private_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        match append_at {
            None => fs::rename(&staged, &target).with_context(|| format!("cannot write {}", target.display()))?,
            Some(at) => {
                append_at_length(&target, at, &fs::read(&staged)?)
                    .with_context(|| format!("cannot write {}", target.display()))?;
                fs::remove_file(&staged).with_context(|| format!("cannot clean up {}", staged.display()))?;
            }
        }
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

/// The SHA-256 (hex) of what `r` reads to its end, in constant memory.
fn sha256_of_reader(mut r: impl Read, shown: &Path) -> Result<String> {
    use crate::domain::digest::{Digest, Sha256};
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 << 10];
    loop {
        let n = r
            .read(&mut buf)
            .with_context(|| format!("cannot read {}", shown.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(crate::domain::digest::hex(&hasher.finalize()))
}

/// Stages a copy of the input file `from` (in constant memory, synced), refusing it if its SHA-256 is no longer
/// `sha256`, the file the step read: the copy kept is always the file the step's records came from.
fn stage_copy(from: &Path, sha256: &str, staged: &Path, disk: impl Fn() -> String) -> Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, PRIVATE_FILE_MODE);
    let out = options.open(staged).with_context(&disk)?;
    let input = File::open(from).with_context(|| {
        crate::i18n::tr(
            format!("cannot read {} again to keep it in inbox/", from.display()),
            format!("无法再次读取 {} 以保存到 inbox/", from.display()),
        )
    })?;
    struct Tee<R, W>(R, W);
    impl<R: Read, W: Write> Read for Tee<R, W> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.read(buf)?;
            self.1.write_all(&buf[..n])?;
            Ok(n)
        }
    }
    let mut tee = Tee(input, std::io::BufWriter::with_capacity(256 << 10, out));
    let read = sha256_of_reader(&mut tee, from).with_context(&disk)?;
    let out = tee.1.into_inner().map_err(|e| e.into_error()).with_context(&disk)?;
    out.sync_all().with_context(&disk)?;
    if read != sha256 {
        bail!(
            "{}",
            crate::i18n::tr(
                format!(
                    "{} changed while this step ran; nothing was done: run the step again",
                    from.display()
                ),
                format!(
                    "{} 在本步骤运行期间被改动; 未做任何事: 请重新运行该步骤",
                    from.display()
                ),
            )
        );
    }
    Ok(())
}

/// Stages a file that grows: its first `at` bytes as they are (copied in the kernel), then `bytes`, synced.
fn stage_appended(target: &Path, at: u64, bytes: &[u8], staged: &Path) -> Result<()> {
    if target.exists() {
        fs::copy(target, staged).with_context(|| format!("cannot copy {}", target.display()))?;
    }
    append_at_length(staged, at, bytes)
}

/// Appends `bytes` to `path` at length `at` (kept for a step staged by an earlier version): whatever an interrupted earlier attempt appended past `at` is cut
/// first, so rolling a journal forward twice gives the same file as once.
fn append_at_length(path: &Path, at: u64, bytes: &[u8]) -> Result<()> {
    use std::io::{Seek, SeekFrom};
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, PRIVATE_FILE_MODE);
    let mut f = options.open(path)?;
    if f.metadata()?.len() < at {
        bail!(
            "{} is shorter than when the step read it; restore it from Git",
            path.display()
        );
    }
    f.set_len(at)?;
    f.seek(SeekFrom::Start(at))?;
    f.write_all(bytes)?;
    f.sync_all()?;
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

/// Keeps an input file in `inbox/` ([`inbox_path`]) with the step: from the bytes read, or — for a file read as
/// a stream — copied from where it is when the step commits (refused then if it changed since it was read).
pub fn keep_input(txn: &mut Txn, input: &crate::sheet::reader::InputFile) {
    let rel = inbox_path(&input.name, &input.sha256);
    match &input.bytes {
        Some(bytes) => txn.put(rel, bytes.clone()),
        None => txn.copy(rel, &input.path, &input.sha256),
    }
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

/// A file of a commit that changed, numbered as it is staged.
type Staged = (usize, (PathBuf, Entry));

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
        if path.symlink_metadata().is_ok_and(|m| !m.is_file()) {
            // A folder (or link) where jiuzhu keeps its lock file: made by hand, or by a copy that went wrong.
            bail!(
                "{}",
                crate::i18n::tr(
                    format!(
                        "{} is a folder (or a link), not jiuzhu's lock file, so no step can run; nothing was done. \
                         If no other jiuzhu is running here, remove it (`rm -r {}`) and run the command again.",
                        path.display(),
                        path.display()
                    ),
                    format!(
                        "{} 是文件夹 (或链接), 不是 jiuzhu 的锁文件, 任何步骤都无法运行; 未做任何改动。\
                         若此处没有其他 jiuzhu 在运行, 请删除它 (`rm -r {}`) 后重新运行命令。",
                        path.display(),
                        path.display()
                    )
                )
            );
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| {
                crate::i18n::tr(
                    format!(
                        "cannot open the workspace lock {} (do you have write permission in the workspace?)",
                        path.display()
                    ),
                    format!("无法打开工作区的锁文件 {} (是否有工作区的写权限?)", path.display()),
                )
            })?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                let unknown = crate::i18n::tr("holder unknown", "占用者不明");
                let holder = if holder.is_empty() { unknown.as_str() } else { holder };
                bail!(
                    "{}",
                    crate::i18n::tr(
                        format!("the workspace is locked by another jiuzhu run ({holder}). Wait for it to finish and try again."),
                        format!(
                            "工作区正被另一个 jiuzhu 进程使用 ({})。请等它结束后再试。",
                            holder.replacen("pid ", "进程 ", 1).replacen(" running `", ", 正在运行 `", 1)
                        )

                    )
                );
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| {
                    crate::i18n::tr(
                        format!("cannot lock {}", path.display()),
                        format!("无法锁定 {}", path.display()),
                    )
                })
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

impl Policy {
    /// Reads and validates a policy file (the pure part is [`Policy::from_bytes`]).
    pub fn load(path: &Path) -> Result<Policy> {
        let bytes = std::fs::read(path).with_context(|| {
            crate::i18n::tr(
                format!("cannot read the policy {}", path.display()),
                format!("无法读取政策文件 {}", path.display()),
            )
        })?;
        Ok(Policy::from_bytes(bytes, &path.display().to_string())?)
    }
}

impl crate::ledger::Store for Workspace {
    type Bytes = FileBytes;
    fn read_ledger(&self, rel: &Path) -> Result<Option<FileBytes>> {
        self.read_optional(rel)
    }
    fn list_ledgers(&self, rel: &Path) -> Result<Vec<String>> {
        crate::ledger::list_csv_files(&self.path(rel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A committed journal with one append of `tail` to `ledgers/events.csv` at length `at`.
    fn journal_with_append(root: &Path, at: u64, tail: &[u8]) -> PathBuf {
        let journal = root.join(STATE_DIR).join(COMMITTING);
        fs::create_dir_all(&journal).unwrap();
        fs::write(journal.join("000000"), tail).unwrap();
        fs::write(
            journal.join(MANIFEST),
            format!("000000\tledgers/events.csv\t{APPEND_AT}{at}\n"),
        )
        .unwrap();
        journal
    }

    #[test]
    fn an_input_is_copied_as_read_and_refused_once_changed() {
        let dir = tempfile::tempdir().unwrap();
        let (from, staged) = (dir.path().join("register.csv"), dir.path().join("staged"));
        let text = "姓名,身份证号\n".repeat(100_000);
        fs::write(&from, &text).unwrap();
        let sha = crate::domain::digest::sha256_hex(text.as_bytes());
        assert_eq!(sha256_of_reader(File::open(&from).unwrap(), &from).unwrap(), sha);
        let disk = || "disk".to_string();
        stage_copy(&from, &sha, &staged, disk).unwrap();
        assert_eq!(fs::read(&staged).unwrap(), text.as_bytes());
        // Changed after it was read: refused, naming the file.
        fs::write(&from, "姓名\n").unwrap();
        let err = format!("{:#}", stage_copy(&from, &sha, &staged, disk).unwrap_err());
        assert!(err.contains("register.csv") && err.contains("changed"), "{err}");
        assert!(!err.contains("disk"), "not a disk's fault: {err}");
    }

    #[test]
    fn files_are_read_whole_mapped_or_not() {
        let dir = tempfile::tempdir().unwrap();
        let (full, empty) = (dir.path().join("cases.csv"), dir.path().join("empty.csv"));
        let text: Vec<u8> = (0..100_000u32)
            .flat_map(|i| format!("C{i:06},820.00\n").into_bytes())
            .collect();
        fs::write(&full, &text).unwrap();
        fs::write(&empty, b"").unwrap();
        assert_eq!(&read_optional(&full).unwrap().unwrap()[..], &text[..]);
        assert!(read_optional(&empty).unwrap().unwrap().is_empty());
        assert!(read_optional(&dir.path().join("missing.csv")).unwrap().is_none());
        let err = read_optional(dir.path()).err().expect("a folder is not a file");
        assert!(format!("{err:#}").contains("cannot read"), "{err:#}");
    }

    #[test]
    fn an_append_rolled_forward_twice_is_appended_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let target = root.join("ledgers/events.csv");
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::write(&target, b"seq\n1\n").unwrap();
        apply_journal(root, &journal_with_append(root, 6, b"2\n3\n")).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"seq\n1\n2\n3\n");
        assert!(!root.join(STATE_DIR).join(COMMITTING).exists());

        // Interrupted after part of the append reached the file, before its staged copy was removed: the
        // roll-forward cuts the file back to where the step read it, then appends.
        fs::write(&target, b"seq\n1\n2\n").unwrap();
        apply_journal(root, &journal_with_append(root, 6, b"2\n3\n")).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"seq\n1\n2\n3\n");
    }

    #[test]
    fn a_removal_is_committed_sealed_and_rolled_forward_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join(POLICY_FILE), include_str!("../templates/jiuzhu.yaml")).unwrap();
        let ws = Workspace::open(root).unwrap();
        let lock = ws.lock().unwrap();
        let mut txn = Txn::new();
        txn.put("ledgers/payments/2026-11.csv", b"a\n".to_vec());
        txn.put("ledgers/payments/2026-12.csv", b"b\n".to_vec());
        ws.commit(&lock, txn).unwrap();
        assert!(ws.ledger_hashes().unwrap().contains_key("payments/2026-12.csv"));
        let mut txn = Txn::new();
        txn.remove("ledgers/payments/2026-12.csv");
        txn.remove("ledgers/payments/2027-01.csv");
        assert_eq!(
            ws.commit(&lock, txn).unwrap(),
            vec![PathBuf::from("ledgers/payments/2026-12.csv")],
            "a file not there is not removed"
        );
        assert!(!root.join("ledgers/payments/2026-12.csv").exists());
        // The seal no longer names it: the next lock finds the ledgers as recorded.
        let hashes: Vec<String> = ws.ledger_hashes().unwrap().into_keys().collect();
        assert_eq!(hashes, ["payments/2026-11.csv"]);
        drop(lock);
        assert!(ws.lock().is_ok());
        // Rolled forward twice (a crash after the removal, before the journal was cleaned up): once.
        let journal = root.join(STATE_DIR).join(COMMITTING);
        for _ in 0..2 {
            fs::create_dir_all(&journal).unwrap();
            fs::write(
                journal.join(MANIFEST),
                format!("000000\tledgers/payments/2026-11.csv\t{REMOVE}\n"),
            )
            .unwrap();
            apply_journal(root, &journal).unwrap();
            assert!(!root.join("ledgers/payments/2026-11.csv").exists());
        }
    }

    #[test]
    fn an_append_to_a_file_shorter_than_it_was_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let target = root.join("ledgers/events.csv");
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::write(&target, b"seq\n").unwrap();
        let e = apply_journal(root, &journal_with_append(root, 6, b"2\n")).unwrap_err();
        assert!(format!("{e:#}").contains("shorter than when the step read it"), "{e:#}");
        assert_eq!(fs::read(&target).unwrap(), b"seq\n");
    }

    #[test]
    fn a_file_compared_by_the_step_is_not_compared_again_unless_put_again() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join(POLICY_FILE), include_str!("../templates/jiuzhu.yaml")).unwrap();
        fs::create_dir_all(root.join("reports")).unwrap();
        fs::write(root.join("reports/a.csv"), b"x\n").unwrap();
        let ws = Workspace::open(root).unwrap();
        let lock = ws.lock().unwrap();

        // The step's word is taken: bytes it found equal are not written.
        let mut txn = Txn::new();
        txn.put_compared("reports/a.csv", b"x\n".to_vec(), false);
        assert!(ws.commit(&lock, txn).unwrap().is_empty());
        let mut txn = Txn::new();
        txn.put_compared("reports/a.csv", b"y\n".to_vec(), true);
        assert_eq!(ws.commit(&lock, txn).unwrap(), vec![PathBuf::from("reports/a.csv")]);
        assert_eq!(fs::read(root.join("reports/a.csv")).unwrap(), b"y\n");

        // Bytes put again after the comparison are compared at the commit.
        let mut txn = Txn::new();
        txn.put_compared("reports/a.csv", b"y\n".to_vec(), false);
        txn.put("reports/a.csv", b"z\n".to_vec());
        let mut other = Txn::new();
        other.put_compared("reports/b.csv", b"b\n".to_vec(), true);
        txn.extend(other);
        assert_eq!(ws.commit(&lock, txn).unwrap().len(), 2);
        assert_eq!(fs::read(root.join("reports/a.csv")).unwrap(), b"z\n");
        assert_eq!(fs::read(root.join("reports/b.csv")).unwrap(), b"b\n");
    }
}
