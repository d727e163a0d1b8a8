//! A keyed, cell-level diff of two CSV tables (a ledger as it was and as it is): rows matched by key, not by
//! position. Used by `jiuzhu diff` and to name the rows and columns a hand edit changed (see [`crate::seal`]).
//!
//! Fast on large ledgers: both files are held as bytes, the old side is indexed by key (key bytes → byte range of
//! the record), and a row of the new side whose raw bytes equal its old counterpart's is settled without building
//! a single string. Only rows that differ are turned into text.

use anyhow::{anyhow, bail, Context, Result};
use csv::ByteRecord;

use crate::hash::HashMap;

/// The key of a ledger, known from its file name, or from a path ending in it: `cases.csv`,
/// `ledgers/cases.csv`; a partition (`payments/2026-11.csv`, `ledgers/payments/2026-11.csv`) has its ledger's key.
pub fn ledger_key(path: &str) -> Option<&'static [&'static str]> {
    let mut parts = path.rsplit(['/', '\\']);
    let file_name = parts.next().unwrap_or(path);
    if let Some(dir) = parts.next().filter(|d| super::partition::FOLDERS.contains(d)) {
        if file_name.ends_with(".csv") {
            return ledger_key(&format!("{dir}.csv"));
        }
    }
    Some(match file_name {
        "cases.csv" => &["case_id"],
        "members.csv" => &["case_id", "id_number"],
        "decisions.csv" => &["decision_id"],
        "matches.csv" => &["hit_id"],
        "checks.csv" => &["case_id", "check"],
        "policy_values.csv" => &["key"],
        "events.csv" => &["seq"],
        "payments.csv" => &["payment_id"],
        _ => return None,
    })
}

/// How rows are matched.
#[derive(Debug, Clone)]
pub enum KeySpec {
    /// Columns given with `--key` (must exist on both sides).
    Columns(Vec<String>),
    /// The ledger's key, known from its file name; the first column when the file lacks those columns.
    Ledger(Vec<String>),
    /// The first column.
    FirstColumn,
}

/// Whether a column is on both sides or one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColState {
    Common,
    Removed,
    Added,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKind {
    Added,
    Removed,
    Changed,
    /// Unchanged rows left out (how many).
    Skipped(usize),
}

/// One row of the diff, its cells aligned with [`TableDiff::columns`]: `(old, new)`, `None` where that side
/// has no value (an added row's old side, a removed column's new side).
#[derive(Debug, Clone)]
pub struct RowDiff {
    pub kind: RowKind,
    pub key: Vec<String>,
    pub cells: Vec<(Option<String>, Option<String>)>,
}

/// The differences of two tables.
#[derive(Debug, Clone)]
pub struct TableDiff {
    pub key_columns: Vec<String>,
    /// The old side's columns in order, then the columns only the new side has.
    pub columns: Vec<String>,
    pub col_state: Vec<ColState>,
    /// Added, removed and changed rows in the new side's order (removed rows where they were), with the
    /// unchanged rows between them as `Skipped`.
    pub rows: Vec<RowDiff>,
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    pub unchanged: usize,
}

impl TableDiff {
    pub fn differs(&self) -> bool {
        self.added + self.removed + self.changed > 0 || self.col_state.iter().any(|s| *s != ColState::Common)
    }
}

/// One old row: its bytes in the old text, and the index of the new row it matched (`u32::MAX`: none yet).
struct OldRow {
    start: usize,
    end: usize,
    matched: u32,
}

const UNMATCHED: u32 = u32::MAX;

/// Diffs two CSV texts (UTF-8, first record the header) by key.
pub fn diff_tables(a: &[u8], b: &[u8], key: &KeySpec) -> Result<TableDiff> {
    let reader = |bytes| {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes)
    };
    let mut ra = reader(a);
    let mut rb = reader(b);
    let mut ha = ByteRecord::new();
    let mut hb = ByteRecord::new();
    ra.read_byte_record(&mut ha)
        .context("cannot read the old side's header")?;
    rb.read_byte_record(&mut hb)
        .context("cannot read the new side's header")?;
    let names_a = header_names(&ha);
    let names_b = header_names(&hb);
    if names_a.is_empty() && names_b.is_empty() {
        bail!("both sides are empty");
    }

    let key_names: Vec<String> = match key {
        KeySpec::Columns(cols) => cols.clone(),
        KeySpec::Ledger(cols) if cols.iter().all(|c| names_a.contains(c) && names_b.contains(c)) => cols.clone(),
        KeySpec::Ledger(_) | KeySpec::FirstColumn => {
            vec![names_b.first().or(names_a.first()).cloned().unwrap_or_default()]
        }
    };
    let position = |names: &[String], col: &str, side: &str| {
        names.iter().position(|n| n == col).ok_or_else(|| {
            anyhow!(
                "the key column `{col}` is not in the {side} side's header ({}); give the key with --key COL[,COL]",
                names.join(",")
            )
        })
    };
    let key_a: Vec<usize> = key_names
        .iter()
        .map(|k| position(&names_a, k, "old"))
        .collect::<Result<_>>()?;
    let key_b: Vec<usize> = key_names
        .iter()
        .map(|k| position(&names_b, k, "new"))
        .collect::<Result<_>>()?;

    // Columns: the old side's in order, then the new side's own.
    let mut columns = names_a.clone();
    let mut col_state: Vec<ColState> = names_a
        .iter()
        .map(|n| {
            if names_b.contains(n) {
                ColState::Common
            } else {
                ColState::Removed
            }
        })
        .collect();
    for n in &names_b {
        if !names_a.contains(n) {
            columns.push(n.clone());
            col_state.push(ColState::Added);
        }
    }
    // For each display column: its index on the old and on the new side.
    let idx_a: Vec<Option<usize>> = columns.iter().map(|c| names_a.iter().position(|n| n == c)).collect();
    let idx_b: Vec<Option<usize>> = columns.iter().map(|c| names_b.iter().position(|n| n == c)).collect();
    let same_layout = ha == hb;

    // Index the old side by key. A key seen again gets its occurrence number, so the n-th row with a key is
    // matched to the n-th row with that key on the other side.
    let mut old_rows: Vec<OldRow> = Vec::new();
    let mut index: HashMap<Vec<u8>, u32> = HashMap::default();
    let mut rec = ByteRecord::new();
    let mut keybuf = Vec::new();
    loop {
        let start = ra.position().byte() as usize;
        if !ra.read_byte_record(&mut rec).context("cannot read the old side")? {
            break;
        }
        let end = ra.position().byte() as usize;
        key_of(&rec, &key_a, &mut keybuf);
        let i = old_rows.len() as u32;
        old_rows.push(OldRow {
            start,
            end,
            matched: UNMATCHED,
        });
        insert_unique(&mut index, &keybuf, i);
    }

    let mut rows: Vec<(usize, u8, usize, RowDiff)> = Vec::new();
    let (mut added, mut changed) = (0usize, 0usize);
    let mut old_rec = ByteRecord::new();
    let mut nb = 0usize;
    loop {
        let start = rb.position().byte() as usize;
        if !rb.read_byte_record(&mut rec).context("cannot read the new side")? {
            break;
        }
        let end = rb.position().byte() as usize;
        let bi = nb;
        nb += 1;
        key_of(&rec, &key_b, &mut keybuf);
        let Some(ai) = find_unmatched(&index, &old_rows, &mut keybuf) else {
            added += 1;
            rows.push((bi, 1, 0, row_from(RowKind::Added, &key_b, &rec, &idx_b, false)));
            continue;
        };
        let old = &mut old_rows[ai as usize];
        old.matched = bi as u32;
        if same_layout && a[old.start..old.end] == b[start..end] {
            continue;
        }
        parse_one(&a[old.start..old.end], &mut old_rec)?;
        let cells: Vec<(Option<String>, Option<String>)> = (0..columns.len())
            .map(|c| {
                let o = idx_a[c].map(|i| old_rec.get(i).unwrap_or(b""));
                let n = idx_b[c].map(|i| rec.get(i).unwrap_or(b""));
                (o, n)
            })
            .map(|(o, n)| (o.map(text), n.map(text)))
            .collect();
        let differs = cells
            .iter()
            .zip(&col_state)
            .any(|((o, n), s)| *s == ColState::Common && o != n);
        if differs {
            changed += 1;
            rows.push((
                bi,
                1,
                0,
                RowDiff {
                    kind: RowKind::Changed,
                    key: key_b.iter().map(|&i| text(rec.get(i).unwrap_or(b""))).collect(),
                    cells,
                },
            ));
        }
    }

    // Removed rows go just after the old row before them that is still there.
    let mut removed = 0usize;
    let mut anchor = 0usize; // new rows before the next removed one
    for (ai, old) in old_rows.iter().enumerate() {
        if old.matched != UNMATCHED {
            anchor = old.matched as usize + 1;
            continue;
        }
        removed += 1;
        parse_one(&a[old.start..old.end], &mut old_rec)?;
        rows.push((
            anchor,
            0,
            ai,
            row_from(RowKind::Removed, &key_a, &old_rec, &idx_a, true),
        ));
    }
    rows.sort_by_key(|(pos, sub, ai, _)| (*pos, *sub, *ai));

    // Mark the unchanged rows between the rows shown.
    let mut out = Vec::with_capacity(rows.len() * 2 + 1);
    let mut shown_upto = 0usize; // new rows accounted for
    for (pos, sub, _, row) in rows {
        if pos > shown_upto {
            out.push(skipped(pos - shown_upto));
        }
        shown_upto = pos + usize::from(sub == 1);
        out.push(row);
    }
    if nb > shown_upto {
        out.push(skipped(nb - shown_upto));
    }
    Ok(TableDiff {
        key_columns: key_names,
        columns,
        col_state,
        rows: out,
        added,
        removed,
        changed,
        unchanged: nb - added - changed,
    })
}

fn skipped(n: usize) -> RowDiff {
    RowDiff {
        kind: RowKind::Skipped(n),
        key: Vec::new(),
        cells: Vec::new(),
    }
}

fn header_names(h: &ByteRecord) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (i, f) in h.iter().enumerate() {
        let mut n = text(f).trim().to_string();
        if n.is_empty() {
            n = crate::sheet::reader::column_letter(i);
        }
        // Two columns with one name: the second is told apart by its position.
        if names.contains(&n) {
            n = format!("{n} ({})", crate::sheet::reader::column_letter(i));
        }
        names.push(n);
    }
    names
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn key_of(rec: &ByteRecord, cols: &[usize], buf: &mut Vec<u8>) {
    buf.clear();
    for &c in cols {
        buf.extend_from_slice(rec.get(c).unwrap_or(b""));
        buf.push(0x1f);
    }
}

/// Inserts `key` → `i`, or `key` + occurrence number when the key is taken.
fn insert_unique(index: &mut HashMap<Vec<u8>, u32>, key: &[u8], i: u32) {
    if !index.contains_key(key) {
        index.insert(key.to_vec(), i);
        return;
    }
    let mut n = 2u32;
    loop {
        let mut k = key.to_vec();
        k.push(0x1e);
        k.extend_from_slice(n.to_string().as_bytes());
        if let std::collections::hash_map::Entry::Vacant(e) = index.entry(k) {
            e.insert(i);
            return;
        }
        n += 1;
    }
}

/// The first old row with this key (or its next occurrence) not matched yet.
fn find_unmatched(index: &HashMap<Vec<u8>, u32>, old: &[OldRow], key: &mut Vec<u8>) -> Option<u32> {
    let i = *index.get(key.as_slice())?;
    if old[i as usize].matched == UNMATCHED {
        return Some(i);
    }
    let base = key.len();
    let mut n = 2u32;
    loop {
        key.truncate(base);
        key.push(0x1e);
        key.extend_from_slice(n.to_string().as_bytes());
        let i = *index.get(key.as_slice())?;
        if old[i as usize].matched == UNMATCHED {
            return Some(i);
        }
        n += 1;
    }
}

fn parse_one(bytes: &[u8], rec: &mut ByteRecord) -> Result<()> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(bytes.len().max(64))
        .from_reader(bytes);
    r.read_byte_record(rec)?;
    Ok(())
}

fn row_from(kind: RowKind, key: &[usize], rec: &ByteRecord, idx: &[Option<usize>], old: bool) -> RowDiff {
    RowDiff {
        kind,
        key: key.iter().map(|&i| text(rec.get(i).unwrap_or(b""))).collect(),
        cells: idx
            .iter()
            .map(|i| {
                let v = i.map(|i| text(rec.get(i).unwrap_or(b"")));
                if old {
                    (v, None)
                } else {
                    (None, v)
                }
            })
            .collect(),
    }
}
