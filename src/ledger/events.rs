//! `events.csv`: the append-only, hash-chained journal of every step run that changed something and every
//! case status change, with the SHA-256 of the inputs the step read.
//!
//! The chain is kept per step, not per row: the events one step appends are a *block*, and only the block's
//! last row carries `prev_hash` (the hash of the block before) and `hash` — the SHA-256 of every row of the
//! block in order and then `prev_hash`. The other rows leave both empty. So removing, reordering or editing any
//! row breaks its block's hash, and removing a block breaks the `prev_hash` of the block after it — `jiuzhu
//! audit` reports where. A block of one row is hashed exactly as journals before this format hashed every row
//! (each row its own block), so an older journal verifies as it is. The seal after a step is a block of its
//! own, so the journal's last line verifies alone ([`crate::seal`]).

use crate::domain::digest::{Digest, Sha256};
use crate::i18n::Msg;
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
    /// On a block's last row: the previous block's hash ([`GENESIS`] for the first); empty on the other rows.
    pub prev_hash: String,
    /// On a block's last row: the block's hash ([`block_hash`]); empty on the other rows.
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

impl crate::domain::records::OfCase for Event {
    /// The case whose status changed (empty for a step-run event).
    fn case_id(&self) -> &str {
        &self.case_id
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

/// A block's hash as it is computed: its rows fed in order, then the previous block's hash.
#[derive(Clone, Default)]
struct BlockHasher(Sha256);

impl BlockHasher {
    /// Feeds a row's columns as written (but the two hashes), each followed by `\x1f`.
    fn row(&mut self, e: &Event) {
        let seq = e.seq.to_string();
        for part in [
            seq.as_str(),
            &e.step,
            &e.case_id,
            &e.from_status,
            &e.to_status,
            &e.detail.0,
            &e.inputs,
        ] {
            self.0.update(part.as_bytes());
            self.0.update([0x1f]);
        }
    }

    fn finish(mut self, prev_hash: &str) -> String {
        self.0.update(prev_hash.as_bytes());
        self.0.update([0x1f]);
        hex(&self.0.finalize())
    }
}

/// The hash of a block: SHA-256 over each row's columns (but the hashes) in order, each column followed by
/// `\x1f`, then `prev_hash` and `\x1f`. For a block of one row this is the hash every row had in journals before
/// blocks.
pub fn block_hash<'a>(rows: impl IntoIterator<Item = &'a Event>, prev_hash: &str) -> String {
    let mut h = BlockHasher::default();
    for e in rows {
        h.row(e);
    }
    h.finish(prev_hash)
}

impl Event {
    /// The hash of this row as a block of its own, given its `prev_hash` (a seal, or any row of a journal from
    /// before blocks).
    pub fn compute_hash(&self) -> String {
        block_hash([self], &self.prev_hash)
    }
}

/// Where and why a journal's chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The event named: the first of a block whose hash fails, else the row where the order or a hash fails.
    pub seq: u64,
    /// Why, in both languages.
    pub why: Msg,
}

impl Broken {
    fn new(seq: u64, en: String, zh: String) -> Broken {
        Broken {
            seq,
            why: Msg::new(en, zh),
        }
    }
}

/// Refuses a broken chain for a step that will append to it: appending to a damaged journal would bury the
/// damage under new, valid-looking events.
fn refuse_broken(chain: &[Event]) -> anyhow::Result<()> {
    if let Some(b) = verify_chain(chain) {
        let seq = b.seq;
        anyhow::bail!(
            "{}",
            crate::i18n::tr(
                format!(
                    "ledgers/events.csv is damaged at event {seq}: {}. Restore it from Git (`git diff \
                     ledgers/events.csv` shows the change, `git checkout -- ledgers/events.csv` restores it); nothing \
                     was done.",
                    b.why.en
                ),
                format!(
                    "日志 ledgers/events.csv 在第 {seq} 条事件处损坏: {}。请从 Git 恢复 (`git diff \
                     ledgers/events.csv` 可查看改动, `git checkout -- ledgers/events.csv` 可恢复); 未做任何改动。",
                    b.why.zh
                ),
            )
        );
    }
    Ok(())
}

/// The journal as a step that appends to it needs it: verified whole when read, then held as its length, its
/// last event and its step-run events (the ones without a case: what earlier runs read), so a step neither keeps
/// the whole chain in memory nor rewrites it — the new events are appended ([`Txn::append`]) as one block.
///
/// [`Txn::append`]: super::txn::Txn::append
#[derive(Debug, Clone, Default)]
pub struct Journal {
    /// Bytes of `events.csv` as read (0 when there is none yet).
    len: u64,
    /// The file's last byte is a line feed (only asked when there is a file: a new journal is written whole).
    ends_in_newline: bool,
    /// The last event's seq and the last block's hash, as read.
    last: Option<(u64, String)>,
    /// Step-run events (empty `case_id`) in order.
    pub runs: Vec<Event>,
    /// Events appended by this step, not yet written: one block, chained when written.
    new: Vec<Event>,
}

/// What one piece of the journal says about itself, for joining the pieces.
struct Piece {
    /// The first event's seq and the `prev_hash` of the piece's first block.
    first: Option<(u64, String)>,
    last: Option<(u64, String)>,
    runs: Vec<Event>,
}

impl Journal {
    /// Reads and verifies `ledgers/events.csv` (see [`refuse_broken`]): the file is cut into one piece per core
    /// at the ends of blocks, every block's hash is checked against its rows and its `prev_hash` against the block
    /// before, and the pieces are joined at their edges. Any doubt re-reads the file in one pass, so the message
    /// is the one a whole read gives.
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
        let pieces = at_block_ends(body, super::split_records(body, rayon::current_num_threads()));
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

    /// Whether a run of `step` already took an input whose SHA-256 is `sha256` (the same file given again).
    pub fn took(&self, step: &str, sha256: &str) -> bool {
        self.runs.iter().any(|e| e.step == step && e.inputs.contains(sha256))
    }

    /// Appends new events to this step's block, numbering them; they are chained when written ([`Journal::put`]).
    pub fn append(&mut self, new: impl IntoIterator<Item = NewEvent>) {
        let mut seq = self
            .new
            .last()
            .map(|e| e.seq)
            .or(self.last.as_ref().map(|(seq, _)| *seq))
            .unwrap_or(0);
        for n in new {
            seq += 1;
            self.new.push(unchained(seq, n));
        }
    }

    /// Hands the appended events to the step's commit as one block, its last row chained to the journal's last
    /// block; nothing when there are none.
    pub fn put(&self, txn: &mut super::txn::Txn) -> anyhow::Result<()> {
        let Some((end, rest)) = self.new.split_last() else {
            return Ok(());
        };
        let prev = self.last.as_ref().map_or(GENESIS, |(_, hash)| hash.as_str());
        let mut end = end.clone();
        end.prev_hash = prev.to_string();
        end.hash = block_hash(&self.new, prev);
        let rows = rest.iter().chain([&end]);
        let rel = super::path_of::<Event>();
        if self.len == 0 {
            txn.put(
                rel,
                super::rows_bytes::<Event, &Event>(rows, super::header_bytes::<Event>()?)?,
            );
            return Ok(());
        }
        // A journal edited by hand may have lost its last line feed: the first new row starts a line of its own.
        let start = if self.ends_in_newline {
            Vec::new()
        } else {
            b"\n".to_vec()
        };
        txn.append(rel, self.len, super::rows_bytes::<Event, &Event>(rows, start)?);
        Ok(())
    }
}

/// The journal's body cut where `pieces` are cut, each cut moved on to the next end of a block (a line whose last
/// column is a 64-digit hash): a block is hashed as a whole, so a piece must not start inside one. A line that
/// only looks like a block's end is caught when its piece is verified (the slow path then reads the whole file).
fn at_block_ends<'a>(body: &'a [u8], pieces: Vec<&'a [u8]>) -> Vec<&'a [u8]> {
    // Just past the line feed of the first line ending a block at or after `from`; the body's end if none.
    let next_end = |from: usize| {
        let mut i = from;
        while let Some(n) = body[i..].iter().position(|&b| b == b'\n') {
            let line = &body[..i + n];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.len() > 64
                && line[line.len() - 65] == b','
                && line[line.len() - 64..].iter().all(u8::is_ascii_hexdigit)
            {
                return i + n + 1;
            }
            i += n + 1;
        }
        body.len()
    };
    let mut out = Vec::with_capacity(pieces.len());
    let mut start = 0;
    for p in &pieces[..pieces.len().saturating_sub(1)] {
        // The pieces are neighbouring slices of `body`, each ending in a line feed.
        let end = p.as_ptr() as usize - body.as_ptr() as usize + p.len();
        if end <= start {
            continue;
        }
        let cut = next_end(end - 1);
        if cut >= body.len() {
            break;
        }
        out.push(&body[start..cut]);
        start = cut;
    }
    if start < body.len() || out.is_empty() {
        out.push(&body[start..]);
    }
    out
}

/// Verifies one piece of the journal on its own (seq rising by one; each block's rows but the last without
/// hashes, its last row's hash the block's and its `prev_hash` the hash of the block before); `None` on any
/// doubt, a block left open at the piece's end included.
fn scan_piece(piece: &[u8]) -> Option<Piece> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(piece);
    let mut rec = csv::StringRecord::new();
    let mut out = Piece {
        first: None,
        last: None,
        runs: Vec::new(),
    };
    let mut seq = None;
    let mut block = BlockHasher::default();
    let mut open = false;
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {
                let e: Event = rec.deserialize(None).ok()?;
                if seq.is_some_and(|s| e.seq != s + 1) {
                    return None;
                }
                seq = Some(e.seq);
                if out.first.is_none() && !open {
                    out.first = Some((e.seq, String::new()));
                }
                block.row(&e);
                open = true;
                if e.hash.is_empty() {
                    if !e.prev_hash.is_empty() {
                        return None;
                    }
                } else {
                    if let Some((_, hash)) = &out.last {
                        if &e.prev_hash != hash {
                            return None;
                        }
                    } else if let Some((_, first_prev)) = out.first.as_mut() {
                        *first_prev = e.prev_hash.clone();
                    }
                    if std::mem::take(&mut block).finish(&e.prev_hash) != e.hash {
                        return None;
                    }
                    open = false;
                    out.last = Some((e.seq, e.hash.clone()));
                }
                if e.case_id.is_empty() {
                    out.runs.push(e);
                }
            }
            Ok(false) => return (!open).then_some(out),
            Err(_) => return None,
        }
    }
}

/// An event numbered `seq`, not yet chained (its hashes are empty until its block is written).
fn unchained(seq: u64, n: NewEvent) -> Event {
    Event {
        seq,
        step: n.step,
        case_id: n.case_id,
        from_status: n.from_status,
        to_status: n.to_status,
        detail: Text(n.detail),
        inputs: n.inputs,
        prev_hash: String::new(),
        hash: String::new(),
    }
}

/// Appends new events to a whole chain as one block, filling seq, and on the block's last row prev_hash and hash.
pub fn append(chain: &mut Vec<Event>, new: impl IntoIterator<Item = NewEvent>) {
    let (mut seq, prev) = match chain.last() {
        Some(l) => (l.seq, l.hash.clone()),
        None => (0, GENESIS.to_string()),
    };
    let from = chain.len();
    for n in new {
        seq += 1;
        chain.push(unchained(seq, n));
    }
    if chain.len() > from {
        let hash = block_hash(&chain[from..], &prev);
        let end = chain.last_mut().expect("a new event");
        end.prev_hash = prev;
        end.hash = hash;
    }
}

/// The first place where the chain breaks, with why; `None` when the chain is whole. Blocks are checked on
/// every core (each block's last row carries the hash it follows); the first broken one in order is reported.
pub fn verify_chain(chain: &[Event]) -> Option<Broken> {
    use rayon::prelude::*;
    let mut blocks = Vec::new();
    let mut start = 0;
    for (i, e) in chain.iter().enumerate() {
        if !e.hash.is_empty() {
            blocks.push(start..i + 1);
            start = i + 1;
        }
    }
    let tail = start..chain.len();
    let broken = blocks.par_iter().find_map_first(|b| {
        let rows = &chain[b.clone()];
        let (end, inside) = rows.split_last().expect("a block has a row");
        let prev = if b.start == 0 {
            GENESIS
        } else {
            chain[b.start - 1].hash.as_str()
        };
        if let Some(x) = out_of_order(chain, b.clone()) {
            return Some(x);
        }
        if let Some(e) = inside.iter().find(|e| !e.prev_hash.is_empty()) {
            return Some(Broken::new(
                e.seq,
                "prev_hash without a hash (the row was edited)".into(),
                "有上一条校验值 (`prev_hash`) 却没有校验值 (该行被改动)".into(),
            ));
        }
        if end.prev_hash != prev {
            return Some(Broken::new(
                end.seq,
                "prev_hash does not match the previous event (an event was removed or edited)".into(),
                "上一条校验值 (`prev_hash`) 与前一条事件不符 (有事件被删除或改动)".into(),
            ));
        }
        if block_hash(rows, prev) == end.hash {
            return None;
        }
        let first = rows[0].seq;
        Some(if rows.len() == 1 {
            Broken::new(
                first,
                "hash does not match the row (the row was edited)".into(),
                "校验值与该行不符 (该行被改动)".into(),
            )
        } else {
            Broken::new(
                first,
                format!(
                    "the hash on event {} does not match events {first}–{} (one step's events: one of them was \
                     edited, removed or moved)",
                    end.seq, end.seq
                ),
                format!(
                    "第 {} 条事件上的校验值与第 {first}–{} 条事件不符 (同一步骤的事件: 其中有事件被改动、删除或移动)",
                    end.seq, end.seq
                ),
            )
        })
    });
    broken.or_else(|| {
        let first = chain.get(tail.start)?;
        if let Some(x) = out_of_order(chain, tail.clone()) {
            return Some(x);
        }
        let last = chain.last().expect("a tail").seq;
        let (en, zh) = if first.seq == last {
            (format!("event {last} carries"), format!("第 {last} 条事件"))
        } else {
            (
                format!("events {}–{last} carry", first.seq),
                format!("第 {}–{last} 条事件", first.seq),
            )
        };
        Some(Broken::new(
            first.seq,
            format!(
                "{en} no hash: every step's events end in a row with their hash (written without jiuzhu, or the end \
                 of a step's events was cut off)"
            ),
            format!(
                "{zh}没有校验值: 每一步骤的事件都以带校验值的一行结束 (不是由 jiuzhu 写入, 或某一步骤的事件末尾被截掉)"
            ),
        ))
    })
}

/// The first row of `range` whose seq is not its place in the chain.
fn out_of_order(chain: &[Event], range: std::ops::Range<usize>) -> Option<Broken> {
    range.into_iter().find_map(|i| {
        let (want, found) = (i as u64 + 1, chain[i].seq);
        (found != want).then(|| {
            Broken::new(
                found,
                format!("expected event {want}, found {found} (an event was removed or moved)"),
                format!("此处应为第 {want} 条事件, 却是第 {found} 条 (有事件被删除或移动)"),
            )
        })
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

    /// `n` events appended one at a time: each its own block, as every row was in journals before blocks.
    fn row_by_row(n: usize) -> Vec<Event> {
        let mut c = Vec::new();
        for e in chain(n) {
            append(
                &mut c,
                [NewEvent {
                    step: e.step,
                    case_id: e.case_id,
                    to_status: e.to_status,
                    ..NewEvent::default()
                }],
            );
        }
        c
    }

    #[test]
    fn a_whole_chain_verifies() {
        assert_eq!(verify_chain(&chain(5)), None);
        assert_eq!(verify_chain(&row_by_row(5)), None);
    }

    #[test]
    fn only_a_blocks_last_row_carries_the_hashes() {
        let c = chain(5);
        assert!(c[..4].iter().all(|e| e.prev_hash.is_empty() && e.hash.is_empty()));
        assert_eq!(c[4].prev_hash, GENESIS);
        assert_eq!(c[4].hash, block_hash(&c, GENESIS));
        // Blocks of one row are hashed as every row was before blocks, so a journal of that format verifies as it
        // is (tests/upgrade.rs reads one that jiuzhu wrote then).
        let old = row_by_row(3);
        assert!(old.iter().all(|e| e.hash == e.compute_hash()));
        assert_eq!(old[1].prev_hash, old[0].hash);
    }

    #[test]
    fn a_block_removed_a_row_inside_edited_or_rows_added_without_a_hash_are_caught() {
        let mut c = row_by_row(2);
        append(
            &mut c,
            chain(3).into_iter().map(|e| NewEvent {
                step: e.step,
                case_id: e.case_id,
                ..NewEvent::default()
            }),
        );
        append(
            &mut c,
            [NewEvent {
                step: "seal".into(),
                ..NewEvent::default()
            }],
        );
        assert_eq!(verify_chain(&c), None);
        // The middle block (events 3–5) removed and the seal renumbered: its prev_hash names the block gone.
        let mut cut = c.clone();
        cut.drain(2..5);
        cut[2].seq = 3;
        let b = verify_chain(&cut).expect("caught");
        assert_eq!(b.seq, 3);
        assert!(b.why.en.contains("prev_hash does not match"), "{}", b.why.en);
        // A row inside the block edited: the block is named, from its first event.
        let mut edited = c.clone();
        edited[3].to_status = "approved".into();
        let b = verify_chain(&edited).expect("caught");
        assert_eq!((b.seq, b.why.en.contains("events 3–5")), (3, true), "{}", b.why.en);
        // A row given a prev_hash by hand inside a block.
        let mut edited = c.clone();
        edited[2].prev_hash = c[1].hash.clone();
        assert_eq!(verify_chain(&edited).map(|b| b.seq), Some(3));
        // Rows added after the seal without a hash.
        let mut added = c.clone();
        added.extend(chain(2).into_iter().map(|mut e| {
            e.seq += 6;
            e.prev_hash.clear();
            e.hash.clear();
            e
        }));
        let b = verify_chain(&added).expect("caught");
        assert_eq!(b.seq, 7);
        assert!(b.why.en.contains("events 7–8 carry no hash"), "{}", b.why.en);
        assert!(b.why.zh.contains("第 7–8 条事件没有校验值"), "{}", b.why.zh);
    }

    #[test]
    fn a_step_appending_in_several_calls_writes_one_block() {
        let mut j = Journal::from_bytes(Some(&crate::ledger::to_bytes(&row_by_row(2)).unwrap())).unwrap();
        let new = |i: usize| NewEvent {
            step: "decide".into(),
            case_id: format!("C{i}"),
            ..NewEvent::default()
        };
        j.append([new(0)]);
        j.append([new(1), new(2)]);
        let mut c = row_by_row(2);
        append(&mut c, (0..3).map(new));
        let mut txn = crate::ledger::txn::Txn::new();
        j.put(&mut txn).unwrap();
        let (_, tail) = txn.appended(&crate::ledger::path_of::<Event>()).expect("an append");
        assert_eq!(
            tail,
            crate::ledger::rows_bytes::<Event, &Event>(&c[2..], Vec::new()).unwrap()
        );
        assert_eq!(verify_chain(&c), None);
    }

    #[test]
    fn an_edit_a_removal_and_a_swap_are_caught() {
        let mut c = chain(5);
        c[2].detail = Text("edited".into());
        assert_eq!(
            verify_chain(&c).map(|x| x.seq),
            Some(1),
            "the block, from its first event"
        );
        let mut c = row_by_row(5);
        c[2].detail = Text("edited".into());
        assert_eq!(verify_chain(&c).map(|x| x.seq), Some(3));
        let mut c = chain(5);
        c.remove(1);
        assert!(verify_chain(&c).is_some());
        let mut c = chain(5);
        c.swap(1, 2);
        assert!(verify_chain(&c).is_some());
    }

    /// A chain of 200 steps' blocks, each a step-run event and 99 case events, large enough (> 1 MiB) to be
    /// verified in pieces.
    fn big_chain() -> Vec<Event> {
        let mut c = Vec::new();
        for block in 0..200 {
            append(
                &mut c,
                (block * 100..block * 100 + 100).map(|i| NewEvent {
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
        }
        c
    }

    #[test]
    fn a_journal_read_in_pieces_knows_its_tail_and_its_step_runs() {
        let c = big_chain();
        let bytes = crate::ledger::to_bytes(&c).unwrap();
        assert!(bytes.len() > 2 << 20, "the test needs a journal read in pieces");
        let j = Journal::from_bytes(Some(&bytes)).unwrap();
        assert_eq!(j.last, Some((20_000, c.last().unwrap().hash.clone())));
        // Read in pieces cut at the ends of blocks, each verified on its own (not by the slow path).
        let (body, _) = crate::ledger::body_of::<Event>(Event::FILE, &bytes).unwrap();
        let pieces = at_block_ends(body, crate::ledger::split_records(body, 4));
        assert_eq!(pieces.len(), 4);
        assert_eq!(pieces.concat(), body);
        assert!(pieces.iter().all(|p| scan_piece(p).is_some()));
        // Cut inside a block, a piece is not verified on its own.
        let rows: Vec<usize> = (0..pieces[1].len()).filter(|&i| pieces[1][i] == b'\n').collect();
        assert!(scan_piece(&pieces[1][rows[1] + 1..]).is_none());
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
        assert!(whole(&c).contains("event 9001: the hash on event 9100 does not match events 9001–9100"));
        let mut c = big_chain();
        c[9_099].detail = Text("edited".into());
        assert!(whole(&c).contains("event 9001: the hash on event 9100"));
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
