//! The frame every writing step shares, written once: the lock (none in a dry run), the ledgers read (grouped by
//! case with `domain::records::by_case`), the files the step writes gathered in one [`Txn`], its journal events, and the one commit.
//! A command reads through its [`Step`], decides with the pure core, hands back what changed, and calls
//! [`Step::commit`] (or learns from [`Step::dry_run`] that it must only say what it would do).
//!
//! ```ignore
//! let mut step = Step::begin(ws, "withdraw", args.dry_run)?;
//! let mut cases = step.read::<Case>()?;
//! …                                   // the rules, in domain::
//! if step.dry_run() { say(…); return Ok(Outcome::Done) }
//! step.put(&cases)?;
//! step.event(NewEvent { case_id, from_status, to_status, detail, ..NewEvent::default() });
//! step.commit()?;
//! ```

use std::path::PathBuf;

use anyhow::Result;

use crate::ledger::events::{Journal, NewEvent};
use crate::ledger::txn::Txn;
use crate::ledger::{self, Record};
use crate::workspace::{Lock, Workspace};

/// A writing step under way (see the module doc).
pub struct Step<'w> {
    ws: &'w Workspace,
    name: &'static str,
    lock: Option<Lock>,
    txn: Txn,
    journal: Option<Journal>,
    events: Vec<NewEvent>,
}

impl<'w> Step<'w> {
    /// Starts the step `name` (the journal's `step`): takes the workspace's lock — which also refuses ledgers
    /// changed outside jiuzhu — unless this is a dry run, which reads and writes nothing.
    pub fn begin(ws: &'w Workspace, name: &'static str, dry_run: bool) -> Result<Step<'w>> {
        let lock = if dry_run { None } else { Some(ws.lock()?) };
        Ok(Step {
            ws,
            name,
            lock,
            txn: Txn::new(),
            journal: None,
            events: Vec::new(),
        })
    }

    /// Whether the step only says what it would do.
    pub fn dry_run(&self) -> bool {
        self.lock.is_none()
    }

    pub fn workspace(&self) -> &'w Workspace {
        self.ws
    }

    /// A ledger, read and validated (empty when there is none yet).
    pub fn read<R: Record>(&self) -> Result<Vec<R>> {
        ledger::read::<R>(self.ws)
    }

    /// The journal as the step found it (read once), e.g. to tell whether an input was already taken.
    pub fn journal(&mut self) -> Result<&Journal> {
        if self.journal.is_none() {
            self.journal = Some(Journal::read(self.ws)?);
        }
        Ok(self.journal.as_ref().expect("read above"))
    }

    /// An input file the step took, kept under `inbox/` by its name and SHA-256 (as every step keeps its inputs).
    pub fn keep_input(&mut self, input: &crate::sheet::reader::InputFile) {
        crate::workspace::keep_input(&mut self.txn, input);
    }

    /// A ledger as the step leaves it: written sorted, in the commit (unchanged bytes are not rewritten; a
    /// partitioned ledger's unchanged partitions neither).
    pub fn put<R: Record>(&mut self, records: &[R]) -> Result<()> {
        ledger::put(&mut self.txn, self.ws, records)
    }

    /// A file removed with the step (workspace-relative).
    pub fn remove_file(&mut self, rel: impl Into<PathBuf>) {
        self.txn.remove(rel);
    }

    /// Another file of the step (a workbook under `reports/`, an input kept under `inbox/`), workspace-relative.
    pub fn put_file(&mut self, rel: impl Into<PathBuf>, bytes: Vec<u8>) {
        self.txn.put(rel, bytes);
    }

    /// A journal event of the step (its `step` is the step's name).
    pub fn event(&mut self, event: NewEvent) {
        self.events.push(NewEvent {
            step: self.name.into(),
            ..event
        });
    }

    /// Several journal events of the step.
    pub fn events(&mut self, events: impl IntoIterator<Item = NewEvent>) {
        for e in events {
            self.event(e);
        }
    }

    /// Commits every file and the journal's new events together, or nothing (a dry run commits nothing). Returns
    /// the files whose bytes changed.
    pub fn commit(self) -> Result<Vec<PathBuf>> {
        let Some(lock) = self.lock else {
            return Ok(Vec::new());
        };
        let mut txn = self.txn;
        if !self.events.is_empty() {
            let mut journal = match self.journal {
                Some(j) => j,
                None => Journal::read(self.ws)?,
            };
            journal.append(self.events);
            journal.put(&mut txn)?;
        }
        self.ws.commit(&lock, txn)
    }
}
