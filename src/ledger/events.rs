//! `events.csv`: the append-only, hash-chained journal of every step run that changed something and every
//! case status change, with the SHA-256 of the inputs the step read.
//!
//! Each row's `hash` is the SHA-256 of the previous row's hash and this row's other columns, so removing,
//! reordering or editing any row breaks every hash after it — `jiuzhu audit` reports where.

use crate::domain::digest::{Digest, Sha256};
use serde::{Deserialize, Serialize};

use super::{Record, Text};

/// The hash a chain starts from.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// 1, 2, 3, … in order of writing.
    pub seq: u64,
    /// The step (`intake`, `verify`, …).
    pub step: String,
    /// The case whose status changed; empty for a step-run event.
    pub case_id: String,
    pub from_status: String,
    pub to_status: String,
    /// What happened, in a line (counts, reasons).
    pub detail: Text,
    /// Inputs read, `name=sha256` joined by `;` (the policy is always one).
    pub inputs: String,
    pub prev_hash: String,
    pub hash: String,
}

impl Record for Event {
    const FILE: &'static str = "events.csv";
    const COLUMNS: &'static [&'static str] = &[
        "seq",
        "step",
        "case_id",
        "from_status",
        "to_status",
        "detail",
        "inputs",
        "prev_hash",
        "hash",
    ];
    fn key(&self) -> String {
        // Zero-padded so the string order is the numeric order.
        format!("{:012}", self.seq)
    }
    fn key_cmp(&self, other: &Self) -> std::cmp::Ordering {
        // The same order as the zero-padded keys (a journal never reaches 10^12 events).
        self.seq.cmp(&other.seq)
    }
}

/// An event before it is chained.
#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    pub step: String,
    pub case_id: String,
    pub from_status: String,
    pub to_status: String,
    pub detail: String,
    pub inputs: String,
}

impl Event {
    /// The hash of this row given the previous hash: SHA-256 over the columns as written, `\x1f`-separated.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        for part in [
            self.seq.to_string().as_str(),
            &self.step,
            &self.case_id,
            &self.from_status,
            &self.to_status,
            &self.detail.0,
            &self.inputs,
            &self.prev_hash,
        ] {
            h.update(part.as_bytes());
            h.update([0x1f]);
        }
        hex(&h.finalize())
    }
}

/// Refuses a broken chain for a step that will append to it: appending to a damaged journal would bury the
/// damage under new, valid-looking events.
fn refuse_broken(chain: &[Event]) -> anyhow::Result<()> {
    if let Some((seq, why)) = verify_chain(chain) {
        anyhow::bail!(
            "ledgers/events.csv is damaged at event {seq}: {why}. Restore it from Git \
             (`git checkout -- ledgers/events.csv`), or run `jiuzhu audit` to see what changed; nothing was done."
        );
    }
    Ok(())
}

/// The journal as a step that appends to it needs it: verified whole when read, then held as its length, its
/// last event and its step-run events (the ones without a case: what earlier runs read), so a step neither keeps
/// the whole chain in memory nor rewrites it — the new events are appended ([`Txn::append`]).
///
/// [`Txn::append`]: super::txn::Txn::append
#[derive(Debug, Clone, Default)]
pub struct Journal {
    /// Bytes of `events.csv` as read (0 when there is none yet).
    len: u64,
    /// The file's last byte is a line feed (only asked when there is a file: a new journal is written whole).
    ends_in_newline: bool,
    last: Option<(u64, String)>,
    /// Step-run events (empty `case_id`) in order.
    pub runs: Vec<Event>,
    /// Events appended by this step, not yet written.
    new: Vec<Event>,
}

/// What one piece of the journal says about itself, for joining the pieces.
struct Piece {
    first: Option<(u64, String)>,
    last: Option<(u64, String)>,
    runs: Vec<Event>,
}

impl Journal {
    /// Reads and verifies `ledgers/events.csv` (see [`refuse_broken`]): the file is cut into one piece per core,
    /// every row's hash is checked against its own columns and its `prev_hash` against the row before, and the
    /// pieces are joined at their edges. Any doubt re-reads the file in one pass, so the message is the one a
    /// whole read gives.
    pub fn read(store: &impl super::Store) -> anyhow::Result<Journal> {
        Journal::from_bytes(store.read_ledger(&super::path_of::<Event>())?.as_deref())
    }

    /// [`Journal::read`] of the bytes of `events.csv` (`None`: there is none yet).
    pub fn from_bytes(bytes: Option<&[u8]>) -> anyhow::Result<Journal> {
        use rayon::prelude::*;
        let Some(bytes) = bytes else {
            return Ok(Journal::default());
        };
        let (body, _) = super::body_of::<Event>(Event::FILE, bytes)?;
        let pieces = super::split_records(body, rayon::current_num_threads());
        let scanned: Option<Vec<Piece>> = pieces.par_iter().map(|p| scan_piece(p)).collect();
        let joined = scanned.and_then(|pieces| {
            let mut prev: Option<(u64, String)> = None;
            let mut runs = Vec::new();
            for p in pieces {
                let Some((first_seq, first_prev)) = p.first else {
                    continue;
                };
                let (want_seq, want_prev) = match &prev {
                    Some((seq, hash)) => (seq + 1, hash.as_str()),
                    None => (1, GENESIS),
                };
                if first_seq != want_seq || first_prev != want_prev {
                    return None;
                }
                prev = p.last;
                runs.extend(p.runs);
            }
            Some((prev, runs))
        });
        let (last, runs) = match joined {
            Some(j) => j,
            None => {
                // The slow path names the line or the event, exactly as a whole read does.
                let chain = super::parse::<Event>(Event::FILE, bytes)?;
                refuse_broken(&chain)?;
                let last = chain.last().map(|e| (e.seq, e.hash.clone()));
                (last, chain.into_iter().filter(|e| e.case_id.is_empty()).collect())
            }
        };
        Ok(Journal {
            len: bytes.len() as u64,
            ends_in_newline: bytes.last() == Some(&b'\n'),
            last,
            runs,
            new: Vec::new(),
        })
    }

    /// The journal of a step that has read and verified the whole chain itself (audit): `len` bytes of
    /// `events.csv`, ending in a line feed or not.
    pub fn from_chain(chain: &[Event], len: u64, ends_in_newline: bool) -> Journal {
        Journal {
            len,
            ends_in_newline,
            last: chain.last().map(|e| (e.seq, e.hash.clone())),
            runs: chain.iter().filter(|e| e.case_id.is_empty()).cloned().collect(),
            new: Vec::new(),
        }
    }

    /// Appends new events, filling seq, prev_hash and hash.
    /// Whether a run of `step` already took an input whose SHA-256 is `sha256` (the same file given again).
    pub fn took(&self, step: &str, sha256: &str) -> bool {
        self.runs.iter().any(|e| e.step == step && e.inputs.contains(sha256))
    }

    pub fn append(&mut self, new: impl IntoIterator<Item = NewEvent>) {
        for n in new {
            let e = chained(self.last.as_ref().map(|(seq, hash)| (*seq, hash.as_str())), n);
            self.last = Some((e.seq, e.hash.clone()));
            self.new.push(e);
        }
    }

    /// Hands the appended events to the step's commit; nothing when there are none.
    pub fn put(&self, txn: &mut super::txn::Txn) -> anyhow::Result<()> {
        if self.new.is_empty() {
            return Ok(());
        }
        let rel = super::path_of::<Event>();
        if self.len == 0 {
            txn.put(rel, super::to_bytes(&self.new)?);
            return Ok(());
        }
        // A journal edited by hand may have lost its last line feed: the first new row starts a line of its own.
        let start = if self.ends_in_newline {
            Vec::new()
        } else {
            b"\n".to_vec()
        };
        txn.append(rel, self.len, super::rows_bytes::<Event, &Event>(&self.new, start)?);
        Ok(())
    }
}

/// Verifies one piece of the journal on its own (seq rising by one, each prev_hash the hash before it, each
/// hash its row's); `None` on any doubt.
fn scan_piece(piece: &[u8]) -> Option<Piece> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(piece);
    let mut rec = csv::StringRecord::new();
    let mut out = Piece {
        first: None,
        last: None,
        runs: Vec::new(),
    };
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {
                let e: Event = rec.deserialize(None).ok()?;
                if let Some((seq, hash)) = &out.last {
                    if e.seq != seq + 1 || &e.prev_hash != hash {
                        return None;
                    }
                }
                if e.compute_hash() != e.hash {
                    return None;
                }
                if out.first.is_none() {
                    out.first = Some((e.seq, e.prev_hash.clone()));
                }
                out.last = Some((e.seq, e.hash.clone()));
                if e.case_id.is_empty() {
                    out.runs.push(e);
                }
            }
            Ok(false) => return Some(out),
            Err(_) => return None,
        }
    }
}

/// The event that follows `last` (seq and hash), chained.
fn chained(last: Option<(u64, &str)>, n: NewEvent) -> Event {
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash.to_string()),
        None => (1, GENESIS.to_string()),
    };
    let mut e = Event {
        seq,
        step: n.step,
        case_id: n.case_id,
        from_status: n.from_status,
        to_status: n.to_status,
        detail: Text(n.detail),
        inputs: n.inputs,
        prev_hash,
        hash: String::new(),
    };
    e.hash = e.compute_hash();
    e
}

/// Appends new events to a whole chain, filling seq, prev_hash and hash.
pub fn append(chain: &mut Vec<Event>, new: impl IntoIterator<Item = NewEvent>) {
    for n in new {
        let e = chained(chain.last().map(|l| (l.seq, l.hash.as_str())), n);
        chain.push(e);
    }
}

/// The first row where the chain breaks, with why; `None` when the chain is whole. Rows are checked on every
/// core (each row carries the hash it follows); the first broken one in order is the one reported.
pub fn verify_chain(chain: &[Event]) -> Option<(u64, String)> {
    use rayon::prelude::*;
    chain.par_iter().enumerate().find_map_first(|(i, e)| {
        let want_seq = i as u64 + 1;
        let prev = if i == 0 { GENESIS } else { chain[i - 1].hash.as_str() };
        if e.seq != want_seq {
            Some((
                e.seq,
                format!(
                    "expected event {want_seq}, found {} (an event was removed or moved)",
                    e.seq
                ),
            ))
        } else if e.prev_hash != prev {
            Some((
                e.seq,
                "prev_hash does not match the previous event (an event was removed or edited)".into(),
            ))
        } else if e.compute_hash() != e.hash {
            Some((e.seq, "hash does not match the row (the row was edited)".into()))
        } else {
            None
        }
    })
}

pub use crate::domain::digest::{hex, sha256_hex};

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<Event> {
        let mut c = Vec::new();
        append(
            &mut c,
            (0..n).map(|i| NewEvent {
                step: "intake".into(),
                case_id: format!("C{i}"),
                to_status: "received".into(),
                ..NewEvent::default()
            }),
        );
        c
    }

    #[test]
    fn a_whole_chain_verifies() {
        assert_eq!(verify_chain(&chain(5)), None);
    }

    #[test]
    fn an_edit_a_removal_and_a_swap_are_caught() {
        let mut c = chain(5);
        c[2].detail = Text("edited".into());
        assert_eq!(verify_chain(&c).map(|x| x.0), Some(3));
        let mut c = chain(5);
        c.remove(1);
        assert!(verify_chain(&c).is_some());
        let mut c = chain(5);
        c.swap(1, 2);
        assert!(verify_chain(&c).is_some());
    }

    /// A chain with a step-run event every 100 events, large enough (> 1 MiB) to be verified in pieces.
    fn big_chain() -> Vec<Event> {
        let mut c = Vec::new();
        append(
            &mut c,
            (0..12_000).map(|i| NewEvent {
                step: "verify".into(),
                case_id: if i % 100 == 0 {
                    String::new()
                } else {
                    format!("CD-2026-{i:012}")
                },
                to_status: "verified".into(),
                detail: format!("检查 {i}: 人均月收入 296.00 < 标准 860.00, \"quoted\", and a line\nfeed"),
                ..NewEvent::default()
            }),
        );
        c
    }

    #[test]
    fn a_journal_read_in_pieces_knows_its_tail_and_its_step_runs() {
        let c = big_chain();
        let bytes = crate::ledger::to_bytes(&c).unwrap();
        assert!(bytes.len() > 2 << 20, "the test needs a journal read in pieces");
        let j = Journal::from_bytes(Some(&bytes)).unwrap();
        assert_eq!(j.last, Some((12_000, c.last().unwrap().hash.clone())));
        let runs: Vec<Event> = c.iter().filter(|e| e.case_id.is_empty()).cloned().collect();
        assert_eq!(j.runs, runs);
        assert_eq!(j.len, bytes.len() as u64);
    }

    #[test]
    fn appending_to_a_journal_gives_the_bytes_of_the_whole_chain_rewritten() {
        let mut c = big_chain();
        let bytes = crate::ledger::to_bytes(&c).unwrap();
        let mut j = Journal::from_bytes(Some(&bytes)).unwrap();
        let new = || {
            (0..3).map(|i| NewEvent {
                step: "decide".into(),
                case_id: format!("CD-NEW-{i}"),
                detail: "=cmd".into(),
                ..NewEvent::default()
            })
        };
        j.append(new());
        append(&mut c, new());
        let mut txn = crate::ledger::txn::Txn::new();
        j.put(&mut txn).unwrap();
        let (at, tail) = txn.appended(&crate::ledger::path_of::<Event>()).expect("an append");
        assert_eq!(at, bytes.len() as u64);
        let mut whole = bytes.clone();
        whole.extend_from_slice(tail);
        assert_eq!(whole, crate::ledger::to_bytes(&c).unwrap());
        // No journal yet: the events are written whole, header first.
        let mut j = Journal::from_bytes(None).unwrap();
        j.append(new());
        let mut txn = crate::ledger::txn::Txn::new();
        j.put(&mut txn).unwrap();
        assert!(txn.appended(&crate::ledger::path_of::<Event>()).is_none());
        // Nothing appended: nothing written.
        let j = Journal::from_bytes(Some(&bytes)).unwrap();
        let mut txn = crate::ledger::txn::Txn::new();
        j.put(&mut txn).unwrap();
        assert_eq!(txn.paths().count(), 0);
    }

    #[test]
    fn a_damaged_journal_read_in_pieces_gives_the_message_of_a_whole_read() {
        let whole = |c: &[Event]| -> String {
            let bytes = crate::ledger::to_bytes(c).unwrap();
            let Err(e) = Journal::from_bytes(Some(&bytes)) else {
                panic!("a damaged journal is refused")
            };
            let e = e.to_string();
            let want = match crate::ledger::parse::<Event>(Event::FILE, &bytes) {
                Ok(chain) => refuse_broken(&chain).map_or_else(|e| e.to_string(), |()| panic!("a broken chain")),
                Err(e) => e.to_string(),
            };
            assert_eq!(e, want);
            e
        };
        // An edit in the second piece, a removal at the edge of two pieces, a swap, the first row edited.
        let mut c = big_chain();
        c[9_000].detail = Text("edited".into());
        assert!(whole(&c).contains("event 9001: hash does not match"));
        let mut c = big_chain();
        c.remove(6_000);
        assert!(whole(&c).contains("event 6002"));
        let mut c = big_chain();
        c[11].seq = 13;
        assert!(whole(&c).contains("the key 000000000013 appears twice"));
        let mut c = big_chain();
        c[0].prev_hash = "f".repeat(64);
        assert!(whole(&c).contains("damaged at event 1:"));
        // A row that does not parse names its line.
        let mut bytes = crate::ledger::to_bytes(&big_chain()).unwrap();
        let at = bytes.len() - 300;
        bytes[at..at + 4].copy_from_slice(b"\xff\xfe\"x");
        assert!(Journal::from_bytes(Some(&bytes)).is_err());
    }

    #[test]
    fn sha256_of_abc() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
