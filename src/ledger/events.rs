//! `events.csv`: the append-only, hash-chained journal of every step run that changed something and every
//! case status change, with the SHA-256 of the inputs the step read.
//!
//! Each row's `hash` is the SHA-256 of the previous row's hash and this row's other columns, so removing,
//! reordering or editing any row breaks every hash after it — `jiuzhu audit` reports where.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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

/// Reads `ledgers/events.csv` for a step that will append to it, refusing a broken chain: appending to a
/// damaged journal would bury the damage under new, valid-looking events.
pub fn read_verified(ws: &crate::workspace::Workspace) -> anyhow::Result<Vec<Event>> {
    let chain = super::read::<Event>(ws)?;
    if let Some((seq, why)) = verify_chain(&chain) {
        anyhow::bail!(
            "ledgers/events.csv is damaged at event {seq}: {why}. Restore it from Git \
             (`git checkout -- ledgers/events.csv`), or run `jiuzhu audit` to see what changed; nothing was done."
        );
    }
    Ok(chain)
}

/// Appends new events to the chain, filling seq, prev_hash and hash.
pub fn append(chain: &mut Vec<Event>, new: impl IntoIterator<Item = NewEvent>) {
    for n in new {
        let (seq, prev_hash) = match chain.last() {
            Some(last) => (last.seq + 1, last.hash.clone()),
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
        chain.push(e);
    }
}

/// The first row where the chain breaks, with why; `None` when the chain is whole.
pub fn verify_chain(chain: &[Event]) -> Option<(u64, String)> {
    let mut prev = GENESIS.to_string();
    for (i, e) in chain.iter().enumerate() {
        let want_seq = i as u64 + 1;
        if e.seq != want_seq {
            return Some((
                e.seq,
                format!(
                    "expected event {want_seq}, found {} (an event was removed or moved)",
                    e.seq
                ),
            ));
        }
        if e.prev_hash != prev {
            return Some((
                e.seq,
                "prev_hash does not match the previous event (an event was removed or edited)".into(),
            ));
        }
        if e.compute_hash() != e.hash {
            return Some((e.seq, "hash does not match the row (the row was edited)".into()));
        }
        prev = e.hash.clone();
    }
    None
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// SHA-256 of bytes as hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

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

    #[test]
    fn sha256_of_abc() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
