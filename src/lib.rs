//! jiuzhu (救助): the social-assistance workflow of a county civil-affairs office, as reproducible
//! transformations over CSV ledgers and Excel workbooks in a Git-tracked folder.
//!
//! Layout (see `ARCHITECTURE.md`):
//! - [`domain`] — pure rules: ID numbers, money in fen, dates and periods, text normalisation. No I/O.
//! - [`policy`] — the `jiuzhu.yaml` model, validated on every load.
//! - [`sheet`] — the one table reader (csv/xlsx/xls/ods) and the one workbook writer.
//! - [`ledger`] — typed ledger records and their deterministic CSV form.
//! - [`workspace`] — finding the workspace, the lock, and the one atomic commit path.
//! - [`seal`] — the ledgers held to what the journal last recorded (a seal event after every step).
//! - [`git`] — the Git plumbing: `REV:PATH` reads, the diff drivers, `--commit`, the recorded versions of ledgers a
//!   hand edit changed.
//! - [`cmd`] — one module per subcommand: read, call the core, write.
//! - [`ui`] — the terminal: progress bars, colour, the `--json` summary, and the one path of output.

// Output goes through `outln!`/`out!`/`errln!` (`ui`): `println!` panics when the reader has gone away.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod cmd;
pub mod domain;
pub mod git;
pub mod i18n;
pub mod ledger;
/// The policy model (`jiuzhu.yaml`), part of the pure core: see [`domain::policy`].
pub use domain::policy;
pub mod register;
pub mod seal;
pub mod sheet;
pub mod ui;
pub mod workspace;

/// The hash maps and sets of the steps' in-memory indexes (people by ID number, rows by case ID, …), with a
/// fast fixed hash (FxHash) instead of the standard library's SipHash: their keys are short strings from the
/// workspace's own files, hashed millions of times a step, and SipHash's resistance to keys chosen to collide
/// bought nothing there but a few per cent of every step. Iteration order is never relied on: everything
/// written is sorted first.
pub mod hash {
    pub type HashMap<K, V> = std::collections::HashMap<K, V, rustc_hash::FxBuildHasher>;
    pub type HashSet<K> = std::collections::HashSet<K, rustc_hash::FxBuildHasher>;
}

/// What a command reports back to `main` when it did its work.
///
/// Errors (anything that stops a command before it writes) are `anyhow::Error` and exit 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done; nothing needs a person. Exit 0.
    Done,
    /// Done, but something needs a person (rejected rows, unresolved hits, findings). Exit 1.
    NeedsAttention,
}

impl Outcome {
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Done => 0,
            Outcome::NeedsAttention => 1,
        }
    }
}

/// Holds data a step keeps to its end — ledgers read, indexes built: hundreds of thousands of strings at county
/// size, tens of millions at province size — without freeing it value by value when the step returns: the
/// process ends right after, and the operating system reclaims its memory at once (a tenth of a second of a
/// county step, seconds of a province step, went to freeing). Only for what a step holds until it returns.
pub fn kept_to_exit<T>(data: T) -> std::mem::ManuallyDrop<T> {
    std::mem::ManuallyDrop::new(data)
}

/// Frees data a step is done with on a thread of its own while the step's own thread goes on (to commit):
/// hundreds of thousands of strings take a tenth of a second to free one by one. Only past the step's memory
/// peak: memory freed on another thread is not at once reused by this one (freeing intake's drafts this way,
/// before the ledgers were encoded, raised its county peak by ~50 MB). When no thread can be started, the data
/// is freed here. Dropping the returned guard waits for the freeing to finish: keep it until the step's work is
/// done, and drop it before the step returns, so that no thread is still freeing while the process exits.
#[must_use = "dropping the guard at once waits for the freeing, as freeing here would"]
pub fn free_in_background<T: Send + 'static>(data: T) -> Freeing {
    // On failure the closure, and with it the data, is dropped on this thread.
    Freeing(
        std::thread::Builder::new()
            .name("free".into())
            .spawn(move || drop(data))
            .ok(),
    )
}

/// See [`free_in_background`]: waits for the freeing thread when dropped.
pub struct Freeing(Option<std::thread::JoinHandle<()>>);

impl Drop for Freeing {
    fn drop(&mut self) {
        if let Some(handle) = self.0.take() {
            // A panic while freeing has nothing to report to the step.
            let _ = handle.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    /// Data whose freeing takes a while and says when it is done.
    struct SlowToFree(Arc<AtomicBool>);

    impl Drop for SlowToFree {
        fn drop(&mut self) {
            std::thread::sleep(std::time::Duration::from_millis(50));
            self.0.store(true, Ordering::SeqCst);
        }
    }

    #[test]
    fn dropping_the_guard_waits_for_the_freeing() {
        let freed = Arc::new(AtomicBool::new(false));
        let guard = super::free_in_background(SlowToFree(Arc::clone(&freed)));
        drop(guard);
        assert!(
            freed.load(Ordering::SeqCst),
            "the guard returned before the data was freed"
        );
    }
}
