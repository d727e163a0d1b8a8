//! Ledgers: the truth, as CSV under `ledgers/`. UTF-8, a header row of stable snake_case keys, one record per
//! line, sorted by key, LF endings, a fixed column order, money as decimal text, dates as YYYY-MM-DD.
//!
//! Every read validates: a ledger whose header is not the expected one, or a row that does not parse (an ID
//! with a wrong check character, an amount with three decimals) stops the command with the file and line,
//! the way `hledger check` refuses a broken journal. Free text is stored neutralised against formula
//! injection (see [`Text`]) and read back unchanged.

pub mod events;
pub mod records;

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::domain::id_number::{self, IdNumber};
use crate::domain::money::Fen;
use crate::domain::text;
use crate::workspace::Workspace;

pub use records::{ArchiveEntry, ChangeReport, SpotCheck};
pub use records::{Batch, Goods, GoodsStatus, Payment, PaymentKind, PaymentStatus, Quantity};
pub use records::{
    Case, CaseStatus, Check, CheckResult, Decision, DecisionKind, DecisionStatus, Disposition, Effect, Extension,
    Match, MatchKind, Meeting, Member, Notice, Relation, SelfCare, Source, SupportMode, Visit, VisitLevel, WorkAbility,
};
pub use records::{ChangeKind, Channel, Complaint, DifficultyClass, Followup};

/// A ledger record type: its file, its columns, and its sort key.
pub trait Record: Serialize + DeserializeOwned + Clone {
    /// File name under `ledgers/`.
    const FILE: &'static str;
    /// Column names, in order (the header).
    const COLUMNS: &'static [&'static str];
    /// The key the ledger is sorted by (unique per record).
    fn key(&self) -> String;
}

/// Workspace-relative path of a ledger.
pub fn path_of<R: Record>() -> PathBuf {
    PathBuf::from("ledgers").join(R::FILE)
}

/// Reads and validates a ledger; a missing ledger is empty.
pub fn read<R: Record>(ws: &Workspace) -> Result<Vec<R>> {
    match ws.read_optional(path_of::<R>())? {
        None => Ok(Vec::new()),
        Some(bytes) => parse(R::FILE, &bytes),
    }
}

/// Parses ledger bytes; `name` is used in messages.
pub fn parse<R: Record>(name: &str, bytes: &[u8]) -> Result<Vec<R>> {
    let text = std::str::from_utf8(bytes).map_err(|_| anyhow!("ledgers/{name} is not UTF-8"))?;
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .with_context(|| format!("ledgers/{name}: cannot read the header"))?
        .iter()
        .map(str::to_string)
        .collect();
    if header != R::COLUMNS {
        bail!(
            "ledgers/{name} line 1: the columns are not the ones jiuzhu writes.\n  expected: {}\n  found:    {}\n\
             Restore the file from Git (`git checkout -- ledgers/{name}`) rather than editing its columns.",
            R::COLUMNS.join(","),
            header.join(",")
        );
    }
    let mut out = Vec::new();
    let mut keys = std::collections::HashSet::new();
    for rec in rdr.deserialize::<R>() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            anyhow!("ledgers/{name} line {line}: {}", describe_csv_error(&e))
        })?;
        if !keys.insert(rec.key()) {
            bail!(
                "ledgers/{name}: the key {} appears twice; restore the file from Git",
                rec.key()
            );
        }
        out.push(rec);
    }
    Ok(out)
}

fn describe_csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => {
            let field = err.field().map(|f| f as usize);
            match field.and_then(|f| f.checked_sub(0)) {
                Some(f) => format!("column {f}: {}", err.kind()),
                None => err.kind().to_string(),
            }
        }
        _ => e.to_string(),
    }
}

/// Serialises records sorted by key, with the fixed header and LF endings.
pub fn to_bytes<R: Record>(records: &[R]) -> Result<Vec<u8>> {
    let mut sorted: Vec<&R> = records.iter().collect();
    sorted.sort_by_cached_key(|r| r.key());
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(R::COLUMNS)?;
    for r in sorted {
        w.serialize(r)?;
    }
    w.into_inner()
        .map_err(|e| anyhow!("cannot write ledger {}: {e}", R::FILE))
}

/// Free text from input (names, addresses, notes), stored in ledgers neutralised against formula injection:
/// a value starting with `=`, `+`, `-`, `@`, tab, CR, LF or `'` is written with a leading `'` and read back
/// without it, so the ledger opens safely in Excel and round-trips exactly.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(pub String);

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(s.to_string())
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&text::neutralise(&self.0))
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Text(text::unneutralise(&s).to_string()))
    }
}

impl Serialize for Fen {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Fen {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Fen::parse_yuan(&s).map_err(serde::de::Error::custom)
    }
}

impl Serialize for IdNumber {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for IdNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        id_number::parse(&s).map_err(serde::de::Error::custom)
    }
}
