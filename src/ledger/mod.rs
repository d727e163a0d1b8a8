//! Ledgers: the truth, as CSV under `ledgers/`. UTF-8, a header row of stable snake_case keys, one record per
//! line, sorted by key, LF endings, a fixed column order, money as decimal text, dates as YYYY-MM-DD.
//!
//! Every read validates: a ledger whose header is not the expected one, or a row that does not parse (an ID
//! with a wrong check character, an amount with three decimals) stops the command with the file and line,
//! the way `hledger check` refuses a broken journal. Free text is stored neutralised against formula
//! injection (see [`Text`]) and read back unchanged.

pub mod diff;
pub mod events;
pub mod partition;
pub mod txn;

pub(crate) use crate::domain::record::cmp_joined;
pub use crate::domain::record::{Record, Text};
pub use crate::domain::records::{self, discovery};

use std::path::PathBuf;

use anyhow::{anyhow, bail, Result};
use rayon::prelude::*;
use serde::Serialize;

pub use discovery::{
    Discovery, DiscoveryChannel, DiscoveryOutcome, DiscoveryStatus, Investigation, MonitorCategory, Monitored, Referral,
};
pub use records::{ArchiveEntry, ChangeReport, SpotCheck};
pub use records::{Batch, Goods, GoodsStatus, Payment, PaymentKind, PaymentStatus, Quantity};
pub use records::{
    Case, CaseStatus, Check, CheckResult, Decision, DecisionKind, DecisionStatus, Disposition, Effect, Extension,
    Match, MatchKind, Meeting, Member, Notice, Relation, SelfCare, Source, SupportMode, Visit, VisitLevel, WorkAbility,
};
pub use records::{ChangeKind, Channel, Complaint, DifficultyClass, Followup};
pub use records::{ConfirmResult, ConfirmSubject, Confirmation, Recovery, RecoveryStatus};
pub use records::{NewCheck, PolicyValues};

/// The columns a ledger of `records` is written with: all of them, or without the optional tail none uses.
fn written_columns<R: Record>(records: &[R]) -> &'static [&'static str] {
    if R::OPTIONAL_TAIL > 0 && !records.iter().any(Record::uses_tail) {
        &R::COLUMNS[..R::COLUMNS.len() - R::OPTIONAL_TAIL]
    } else {
        R::COLUMNS
    }
}

/// `bytes` (a ledger written with every column) without the trailing `tail` columns of each record: re-read and
/// re-written field by field, so quoting is exactly what the writer gives.
fn without_tail(bytes: &[u8], tail: usize) -> Result<Vec<u8>> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes);
    let mut w = csv_writer(Vec::with_capacity(bytes.len()));
    let mut rec = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut rec)? {
        let keep = rec.len().saturating_sub(tail);
        w.write_record(rec.iter().take(keep))?;
    }
    w.into_inner().map_err(|e| anyhow!("cannot write ledger: {e}"))
}

/// Where ledgers are read from: the workspace implements it (`Workspace`, which also holds the lock and the
/// commit). This layer reads and writes the ledgers' bytes; it never opens a file itself.
pub trait Store {
    /// The bytes of a file, held as the store holds them (read, or mapped).
    type Bytes: std::ops::Deref<Target = [u8]>;
    /// The file at `rel` (workspace-relative), or `None` when there is none.
    fn read_ledger(&self, rel: &std::path::Path) -> Result<Option<Self::Bytes>>;
    /// The names of the `.csv` files in the folder `rel` (workspace-relative), sorted; none when there is no folder.
    fn list_ledgers(&self, rel: &std::path::Path) -> Result<Vec<String>>;
}

/// The `.csv` files of a folder, by name, sorted (none when there is no folder): [`Store::list_ledgers`] of a
/// store on the file system.
pub fn list_csv_files(dir: &std::path::Path) -> Result<Vec<String>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(anyhow!("cannot read {}: {e}", dir.display())),
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.ends_with(".csv"))
        .collect();
    names.sort();
    Ok(names)
}

/// Workspace-relative path of a ledger kept in one file (a partitioned ledger's partitions are at
/// [`partition::path_of`]; this is where an earlier jiuzhu kept it whole).
pub fn path_of<R: Record>() -> PathBuf {
    PathBuf::from("ledgers").join(R::FILE)
}

/// Reads and validates a ledger (every partition of a partitioned one, joined in key order); a missing ledger is
/// empty.
pub fn read<R: Record>(store: &impl Store) -> Result<Vec<R>> {
    if R::PARTITIONED {
        return partition::read::<R>(store);
    }
    match store.read_ledger(&path_of::<R>())? {
        None => Ok(Vec::new()),
        Some(bytes) => parse(R::FILE, &bytes),
    }
}

/// Puts a ledger as a step leaves it into the step's writes, sorted by key: one file, or each partition of a
/// partitioned ledger (see [`partition::put`]; `store` tells which partitions are there now).
pub fn put<R: Record>(txn: &mut txn::Txn, store: &impl Store, records: &[R]) -> Result<()> {
    if R::PARTITIONED {
        return partition::put(txn, store, records);
    }
    txn.put(path_of::<R>(), to_bytes(records)?);
    Ok(())
}

/// Ledgers larger than this are parsed and written in parallel pieces.
const PARALLEL_BYTES: usize = 1 << 20;
/// Records per piece when writing in parallel.
const WRITE_CHUNK: usize = 16 * 1024;

/// Every ledger a step writes, by file name (the journal is `events.csv`, held by its chain).
pub const LEDGER_FILES: &[&str] = &[
    Case::FILE,
    Member::FILE,
    Source::FILE,
    Check::FILE,
    PolicyValues::FILE,
    Visit::FILE,
    Extension::FILE,
    Match::FILE,
    Decision::FILE,
    Notice::FILE,
    Meeting::FILE,
    Payment::FILE,
    Batch::FILE,
    Goods::FILE,
    SpotCheck::FILE,
    ChangeReport::FILE,
    ArchiveEntry::FILE,
    Followup::FILE,
    Complaint::FILE,
    Discovery::FILE,
    Investigation::FILE,
    Referral::FILE,
    Monitored::FILE,
    Confirmation::FILE,
    Recovery::FILE,
];

/// Reads a ledger by its file name as every step reads it (header, keys, every typed field); an error names
/// the line and column. A file name that is no ledger of jiuzhu's is an error too.
pub fn validate_named(name: &str, bytes: &[u8]) -> Result<()> {
    if let Some(partition) = partition::validate(name, bytes) {
        return partition;
    }
    fn check<R: Record>(bytes: &[u8]) -> Result<()> {
        parse::<R>(R::FILE, bytes).map(|_| ())
    }
    match name {
        n if n == Case::FILE => check::<Case>(bytes),
        n if n == Member::FILE => check::<Member>(bytes),
        n if n == Source::FILE => check::<Source>(bytes),
        n if n == Check::FILE => check::<Check>(bytes),
        n if n == PolicyValues::FILE => check::<PolicyValues>(bytes),
        n if n == Visit::FILE => check::<Visit>(bytes),
        n if n == Extension::FILE => check::<Extension>(bytes),
        n if n == Match::FILE => check::<Match>(bytes),
        n if n == Decision::FILE => check::<Decision>(bytes),
        n if n == Notice::FILE => check::<Notice>(bytes),
        n if n == Meeting::FILE => check::<Meeting>(bytes),
        n if n == Payment::FILE => check::<Payment>(bytes),
        n if n == Batch::FILE => check::<Batch>(bytes),
        n if n == Goods::FILE => check::<Goods>(bytes),
        n if n == SpotCheck::FILE => check::<SpotCheck>(bytes),
        n if n == ChangeReport::FILE => check::<ChangeReport>(bytes),
        n if n == ArchiveEntry::FILE => check::<ArchiveEntry>(bytes),
        n if n == Followup::FILE => check::<Followup>(bytes),
        n if n == Complaint::FILE => check::<Complaint>(bytes),
        n if n == Discovery::FILE => check::<Discovery>(bytes),
        n if n == Investigation::FILE => check::<Investigation>(bytes),
        n if n == Referral::FILE => check::<Referral>(bytes),
        n if n == Monitored::FILE => check::<Monitored>(bytes),
        n if n == Confirmation::FILE => check::<Confirmation>(bytes),
        n if n == Recovery::FILE => check::<Recovery>(bytes),
        _ => bail!(
            "{}",
            crate::i18n::tr(
                format!("ledgers/{name} is not a jiuzhu ledger; move it out of ledgers/"),
                format!("ledgers/{name} 不是 jiuzhu 的台账; 请把它移出 ledgers/ 文件夹")
            )
        ),
    }
}

/// Where bytes read in a ledger's columns come from, for messages: a ledger (its file name under `ledgers/`),
/// or another file (as shown to the user: `audit --change-report FILE`). The advice differs: a ledger is restored
/// from Git, another file is exported again.
#[derive(Debug, Clone, Copy)]
pub enum Origin<'a> {
    Ledger(&'a str),
    File(&'a str),
}

impl Origin<'_> {
    /// The path as messages name it.
    fn shown(&self) -> String {
        match self {
            Origin::Ledger(name) => format!("ledgers/{name}"),
            Origin::File(path) => path.to_string(),
        }
    }

    /// What to do about a file that does not read as its kind.
    fn advice(&self) -> String {
        match self {
            Origin::Ledger(name) => crate::i18n::tr(
                format!("restore it from Git (`git checkout -- ledgers/{name}`) rather than editing it by hand"),
                format!("请从 Git 恢复 (`git checkout -- ledgers/{name}`), 不要手工编辑"),
            ),
            Origin::File(_) => crate::i18n::tr(
                "correct the file, or export it again as CSV UTF-8 in the ledger's columns",
                "请更正该文件, 或按台账的列重新导出为 CSV UTF-8",
            ),
        }
    }
}

/// The 1-based line of the first byte of `bytes` that is not UTF-8, if any.
fn first_non_utf8_line(bytes: &[u8]) -> Option<usize> {
    let e = std::str::from_utf8(bytes).err()?;
    Some(1 + bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count())
}

/// The refusal of a file that is not UTF-8, naming the line.
fn not_utf8(origin: Origin<'_>, bytes: &[u8]) -> anyhow::Error {
    let shown = origin.shown();
    let line = first_non_utf8_line(bytes).unwrap_or(1);
    anyhow!(
        "{}",
        crate::i18n::tr(
            format!(
                "{shown} line {line} is not UTF-8 text (saved in another encoding, such as GBK, by a spreadsheet or \
                 an editor?): {}",
                origin.advice()
            ),
            format!(
                "{shown} 第 {line} 行不是 UTF-8 文本 (被表格软件或编辑器存成了 GBK 等其他编码?): {}",
                origin.advice()
            ),
        )
    )
}

/// Parses ledger bytes; `name` (the file under `ledgers/`) is used in messages.
pub fn parse<R: Record>(name: &str, bytes: &[u8]) -> Result<Vec<R>> {
    parse_from(Origin::Ledger(name), bytes)
}

/// Parses bytes in `R`'s columns from `origin`, named in messages.
///
/// A large ledger is cut at record boundaries into one piece per core, parsed in parallel and joined; if any
/// piece fails, the whole file is parsed again in one pass so the message names the exact line.
pub fn parse_from<R: Record>(origin: Origin<'_>, bytes: &[u8]) -> Result<Vec<R>> {
    // UTF-8 is checked record by record as the pieces are parsed; the whole file only when a piece failed.
    let (body, rdr) = header_of::<R>(origin, bytes)?;
    let pieces = split_records(body, rayon::current_num_threads());
    let parsed: Option<Vec<Vec<R>>> = pieces.par_iter().map(|p| parse_piece::<R>(p)).collect();
    let out = match parsed {
        Some(parts) => {
            // The first piece grows to hold the rest: one move of the later pieces, not of every record.
            let total: usize = parts.iter().map(Vec::len).sum();
            let mut parts = parts.into_iter();
            let mut out = parts.next().unwrap_or_default();
            out.reserve_exact(total - out.len());
            for p in parts {
                out.extend(p);
            }
            out
        }
        None => parse_sequential(origin, bytes, rdr)?,
    };
    if let Some((row, (column, why))) = out
        .par_iter()
        .enumerate()
        .find_map_first(|(i, r)| r.invalid().map(|bad| (i + 1, bad)))
    {
        let (shown, advice) = (origin.shown(), origin.advice());
        bail!(
            "{}",
            crate::i18n::tr(
                format!("{shown} data row {row}, column {column}: {why}; {advice}"),
                format!("{shown} 第 {row} 条数据, `{column}` 列: {why}; {advice}")
            )
        );
    }
    // Keys must be unique. Ledgers are written sorted, so strictly rising keys prove it without a set.
    if !out.par_windows(2).all(|w| w[0].key_cmp(&w[1]).is_lt()) {
        let mut keys = crate::hash::HashSet::with_capacity_and_hasher(out.len(), Default::default());
        for rec in &out {
            if !keys.insert(rec.key()) {
                bail!(
                    "{}",
                    crate::i18n::tr(
                        format!(
                            "{}: the key {} appears twice: {}",
                            origin.shown(),
                            rec.key(),
                            origin.advice()
                        ),
                        format!("{}: 键 {} 出现了两次: {}", origin.shown(), rec.key(), origin.advice()),
                    )
                );
            }
        }
    }
    Ok(out)
}

/// Checks a ledger's header and returns the bytes after it, with the reader positioned there (for a sequential
/// re-read that names the line of an error).
pub(crate) fn body_of<'a, R: Record>(name: &str, bytes: &'a [u8]) -> Result<(&'a [u8], csv::Reader<&'a [u8]>)> {
    header_of::<R>(Origin::Ledger(name), bytes)
}

/// The ledgers whose format has changed, with the headers earlier versions wrote them with
/// ([`Record::FORMER_COLUMNS`]): a workspace holding one is moved over by `jiuzhu upgrade` before any other step.
const FORMER_FORMATS: &[(&str, &[&[&str]])] = &[(Check::FILE, Check::FORMER_COLUMNS)];

/// Whether a ledger's bytes (by its file name) are in a format an earlier jiuzhu wrote, judged by its header.
pub fn in_former_format(name: &str, bytes: &[u8]) -> bool {
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let header: Vec<&str> = line.trim_end_matches('\r').split(',').collect();
    FORMER_FORMATS
        .iter()
        .any(|(file, formers)| *file == name && formers.contains(&header.as_slice()))
}

/// The first ledger of the workspace that is in a format an earlier jiuzhu wrote (its path under the workspace).
pub fn first_in_former_format(store: &impl Store) -> Result<Option<String>> {
    for (file, _) in FORMER_FORMATS {
        let rel = std::path::Path::new("ledgers").join(file);
        if let Some(bytes) = store.read_ledger(&rel)? {
            if in_former_format(file, &bytes) {
                return Ok(Some(rel.display().to_string()));
            }
        }
    }
    Ok(None)
}

/// Refuses a workspace with a ledger in a format an earlier jiuzhu wrote — a header of before
/// ([`first_in_former_format`]), or a partitioned ledger still in one file — naming the ledger and `jiuzhu upgrade`.
pub fn refuse_former_formats(store: &impl Store) -> Result<()> {
    if let Some(shown) = first_in_former_format(store)? {
        return Err(former_format(&shown));
    }
    partition::refuse_former::<Payment>(store)
}

/// The refusal of a ledger (`shown`) in a format an earlier jiuzhu wrote: run `jiuzhu upgrade`.
pub fn former_format(shown: &str) -> anyhow::Error {
    anyhow!(
        "{}",
        crate::i18n::tr(
            format!(
                "{shown} was written by an earlier version of jiuzhu: run `jiuzhu upgrade` once to move the \
                 workspace to the present format (a step of its own, in the journal; nothing is lost)"
            ),
            format!(
                "{shown} 是较早版本的 jiuzhu 写的: 请运行一次 `jiuzhu upgrade`, 把工作区转换为现在的格式 \
                 (单独一步, 记入日志; 不丢失任何内容)"
            ),
        )
    )
}

fn header_of<'a, R: Record>(origin: Origin<'_>, bytes: &'a [u8]) -> Result<(&'a [u8], csv::Reader<&'a [u8]>)> {
    let shown = origin.shown();
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| match e.kind() {
            csv::ErrorKind::Utf8 { .. } => not_utf8(origin, bytes),
            _ => anyhow!("{shown} line 1: {}", origin.advice()),
        })?
        .iter()
        .map(str::to_string)
        .collect();
    let short = &R::COLUMNS[..R::COLUMNS.len() - R::OPTIONAL_TAIL];
    if R::FORMER_COLUMNS.iter().any(|former| header == *former) {
        return Err(former_format(&shown));
    }
    if header != R::COLUMNS && !(R::OPTIONAL_TAIL > 0 && header == short) {
        bail!(
            "{}",
            crate::i18n::tr(
                format!(
                    "{shown} line 1: the columns are not the ones jiuzhu writes.\n  expected: {}\n  found:    {}\n{}",
                    R::COLUMNS.join(","),
                    header.join(","),
                    origin.advice()
                ),
                format!(
                    "{shown} 第 1 行: 列与 jiuzhu 写的不同。\n  应为: {}\n  实为: {}\n{}",
                    R::COLUMNS.join(","),
                    header.join(","),
                    origin.advice()
                ),
            )
        );
    }
    let body = &bytes[rdr.position().byte() as usize..];
    Ok((body, rdr))
}

/// Parses headerless records, positionally; `None` on any error (the caller re-parses for the message).
fn parse_piece<R: Record>(piece: &[u8]) -> Option<Vec<R>> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(piece);
    let mut rec = csv::StringRecord::new();
    let mut out = Vec::with_capacity(piece.len() / 64);
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => out.push(rec.deserialize::<R>(None).ok()?),
            Ok(false) => return Some(out),
            Err(_) => return None,
        }
    }
}

fn parse_sequential<R: Record>(origin: Origin<'_>, bytes: &[u8], mut rdr: csv::Reader<&[u8]>) -> Result<Vec<R>> {
    if first_non_utf8_line(bytes).is_some() {
        return Err(not_utf8(origin, bytes));
    }
    let mut out = Vec::new();
    let mut rec = csv::StringRecord::new();
    loop {
        let refused = |e: &csv::Error, rec: Option<&csv::StringRecord>| {
            let line = e.position().or(rec.and_then(|r| r.position())).map_or(0, |p| p.line());
            let (shown, what, advice) = (origin.shown(), describe_csv_error(e, rec, R::COLUMNS), origin.advice());
            anyhow!(
                "{}",
                crate::i18n::tr(
                    format!("{shown} line {line}{what}; {advice}"),
                    format!("{shown} 第 {line} 行{what}; {advice}")
                )
            )
        };
        match rdr.read_record(&mut rec) {
            Ok(false) => return Ok(out),
            Ok(true) => out.push(rec.deserialize::<R>(None).map_err(|e| refused(&e, Some(&rec)))?),
            Err(e) => return Err(refused(&e, None)),
        }
    }
}

/// Cuts CSV records into at most `n` pieces of similar size, each ending after a record's line feed. A line
/// feed is a record boundary when an even number of quotes precede it (a quote inside a quoted field is
/// doubled, so the parity tells whether a position is inside quotes).
pub(crate) fn split_records(body: &[u8], n: usize) -> Vec<&[u8]> {
    if n < 2 || body.len() < PARALLEL_BYTES {
        return vec![body];
    }
    let mut pieces = Vec::with_capacity(n);
    let mut start = 0;
    let mut quotes = 0usize;
    let mut scanned = 0;
    for k in 1..n {
        let target = body.len() * k / n;
        if target <= start {
            continue;
        }
        quotes += body[scanned..target].iter().filter(|&&b| b == b'"').count();
        let mut i = target;
        while i < body.len() {
            match body[i] {
                b'"' => quotes += 1,
                b'\n' if quotes.is_multiple_of(2) => break,
                _ => {}
            }
            i += 1;
        }
        scanned = (i + 1).min(body.len());
        if i >= body.len() {
            break;
        }
        pieces.push(&body[start..=i]);
        start = i + 1;
    }
    if start < body.len() {
        pieces.push(&body[start..]);
    }
    pieces
}

/// `, column NAME: what is wrong` (or `: what is wrong`) for a row that does not read. The column of a value's
/// own refusal (a date, a month, an amount) is the first whose text the refusal quotes.
fn describe_csv_error(e: &csv::Error, rec: Option<&csv::StringRecord>, columns: &[&str]) -> String {
    match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => {
            let what = match err.kind() {
                csv::DeserializeErrorKind::Message(m) => m.clone(),
                k => k.to_string(),
            };
            let field = err.field().map(|f| f as usize).or_else(|| {
                let rec = rec?;
                // The value in backquotes when the refusal quotes one; else the longest cell it mentions.
                if let Some(quoted) = what.split('`').nth(1) {
                    return rec.iter().position(|cell| cell == quoted);
                }
                rec.iter()
                    .enumerate()
                    .filter(|(_, cell)| !cell.is_empty() && what.contains(cell))
                    .max_by_key(|(i, cell)| (cell.len(), std::cmp::Reverse(*i)))
                    .map(|(i, _)| i)
            });
            match field.and_then(|f| columns.get(f)) {
                Some(name) => crate::i18n::tr(format!(", column {name}: {what}"), format!(", `{name}` 列: {what}")),
                None => format!(": {what}"),
            }
        }
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => crate::i18n::tr(
            format!(": the row has {len} cells where the header has {expected_len}"),
            format!(": 此行有 {len} 格, 而表头有 {expected_len} 列"),
        ),
        _ => format!(": {e}"),
    }
}

/// Serialises records sorted by key, with the fixed header and LF endings. Records already in key order (as
/// read, with changes made in place) are not sorted again; large ledgers are written in parallel pieces.
pub fn to_bytes<R: Record>(records: &[R]) -> Result<Vec<u8>> {
    let in_order = records.par_windows(2).all(|w| w[0].key_cmp(&w[1]).is_le());
    let order: Vec<&R> = if in_order {
        records.iter().collect()
    } else {
        // A stable sort, on both cores, that finds the runs already in order (old rows, then new ones) and
        // merges them.
        let mut sorted: Vec<&R> = records.iter().collect();
        sorted.par_sort_by(|a, b| a.key_cmp(b));
        sorted
    };
    let bytes = encode_rows::<R, &R>(&order)?;
    if written_columns(records).len() == R::COLUMNS.len() {
        return Ok(bytes);
    }
    without_tail(&bytes, R::OPTIONAL_TAIL)
}

/// [`to_bytes`] of records held by reference (a partition's, picked from the whole ledger).
pub(crate) fn refs_to_bytes<R: Record>(records: &[&R]) -> Result<Vec<u8>> {
    let mut order: Vec<&R> = records.to_vec();
    if !order.par_windows(2).all(|w| w[0].key_cmp(w[1]).is_le()) {
        order.par_sort_by(|a, b| a.key_cmp(b));
    }
    let bytes = encode_rows::<R, &R>(&order)?;
    if R::OPTIONAL_TAIL == 0 || order.iter().any(|r| r.uses_tail()) {
        return Ok(bytes);
    }
    without_tail(&bytes, R::OPTIONAL_TAIL)
}

/// Rows already in `R`'s ledger order, under `R`'s header, written in parallel pieces: for rows that are views
/// serialising exactly as `R`'s records do (borrowed from what a step computed, instead of records built only
/// to be written).
pub fn encode_rows<R: Record, T: Serialize + Sync>(rows: &[T]) -> Result<Vec<u8>> {
    encode_groups::<R, T>(rows, 1, |w, row| w.serialize(row))
}

/// As [`encode_rows`], for groups of rows (e.g. a case's), in ledger order, each about `rows_per_group` rows
/// long, that `write` writes with the writer it is given.
pub fn encode_groups<R: Record, G: Sync>(
    groups: &[G],
    rows_per_group: usize,
    write: impl Fn(&mut csv::Writer<Vec<u8>>, &G) -> csv::Result<()> + Sync,
) -> Result<Vec<u8>> {
    let mut out = header_bytes::<R>()?;
    let chunk = (WRITE_CHUNK / rows_per_group.max(1)).max(1);
    // A window of pieces at a time, one per core, appended and dropped before the next: the pieces of a
    // 72 MB ledger are not all held beside the whole. The first window's bytes per group size the whole.
    let window = chunk * rayon::current_num_threads().max(1);
    for (i, part) in groups.chunks(window).enumerate() {
        let pieces: Vec<Vec<u8>> = part
            .par_chunks(chunk)
            .map(|c| {
                let mut w = csv_writer(Vec::with_capacity(c.len() * rows_per_group.max(1) * 128));
                for g in c {
                    write(&mut w, g)?;
                }
                w.into_inner()
                    .map_err(|e| anyhow!("cannot write ledger {}: {e}", R::FILE))
            })
            .collect::<Result<_>>()?;
        let len: usize = pieces.iter().map(Vec::len).sum();
        if i == 0 && groups.len() > part.len() {
            out.reserve(len / part.len() * groups.len() / 20 * 21);
        }
        for p in pieces {
            out.extend_from_slice(&p);
        }
    }
    Ok(out)
}

/// Whether `bytes` are exactly what [`to_bytes`] writes for `records` (the records parsed from them): the
/// canonical form. Compared piece by piece on every core, never holding a second copy of a large ledger.
pub fn is_canonical<R: Record>(records: &[R], bytes: &[u8]) -> Result<bool> {
    // A ledger out of key order is not canonical: to_bytes would sort it.
    if !records.par_windows(2).all(|w| w[0].key_cmp(&w[1]).is_le()) {
        return Ok(false);
    }
    if written_columns(records).len() != R::COLUMNS.len() {
        // Written without its optional tail: compared whole (only ledgers with an optional tail, not the large ones).
        return Ok(to_bytes(records)? == bytes);
    }
    let Some(mut rest) = bytes.strip_prefix(header_bytes::<R>()?.as_slice()) else {
        return Ok(false);
    };
    let window = WRITE_CHUNK * rayon::current_num_threads().max(1);
    for part in records.chunks(window) {
        let pieces: Vec<Vec<u8>> = part
            .par_chunks(WRITE_CHUNK)
            .map(|chunk| rows_bytes::<R, &R>(chunk, Vec::with_capacity(chunk.len() * 128)))
            .collect::<Result<_>>()?;
        for p in pieces {
            match rest.strip_prefix(p.as_slice()) {
                Some(r) => rest = r,
                None => return Ok(false),
            }
        }
    }
    Ok(rest.is_empty())
}

/// A ledger's header line.
pub(crate) fn header_bytes<R: Record>() -> Result<Vec<u8>> {
    let mut w = csv_writer(Vec::new());
    w.write_record(R::COLUMNS)?;
    w.into_inner()
        .map_err(|e| anyhow!("cannot write ledger {}: {e}", R::FILE))
}

/// Records as ledger lines (no header), appended to `buf`.
pub(crate) fn rows_bytes<R: Record, T: Serialize>(
    records: impl IntoIterator<Item = T>,
    buf: Vec<u8>,
) -> Result<Vec<u8>> {
    let mut w = csv_writer(buf);
    for r in records {
        w.serialize(r)?;
    }
    w.into_inner()
        .map_err(|e| anyhow!("cannot write ledger {}: {e}", R::FILE))
}

fn csv_writer(buf: Vec<u8>) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(buf)
}

#[cfg(test)]
mod tests {
    use super::events::{self, Event, NewEvent};
    use super::*;

    #[test]
    fn new_checks_are_written_as_the_checks_they_stand_for() {
        let check = |case: &str, name: &str, detail: &str| Check {
            case_id: case.into(),
            check: name.into(),
            result: CheckResult::NeedsInfo,
            detail: Text(detail.into()),
            policy: "0123456789ab".into(),
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        };
        fn new(c: &Check) -> NewCheck<'_> {
            NewCheck {
                case_id: &c.case_id,
                check: &c.check,
                result: c.result,
                detail: &c.detail.0,
                policy: &c.policy,
                as_of: c.as_of,
            }
        }
        // Enough rows for several pieces and windows; details a spreadsheet would run as formulas.
        let mut checks = Vec::new();
        for i in 0..3 * WRITE_CHUNK + 7 {
            let case = format!("DB-{:06}", i / 3);
            checks.push(check(
                &case,
                ["assets", "identity", "time_limit"][i % 3],
                &format!("-{i} @x,\"q\""),
            ));
        }
        checks.sort_by(|a, b| a.key_cmp(b));
        let whole = to_bytes(&checks).unwrap();
        let rows: Vec<NewCheck<'_>> = checks.iter().map(new).collect();
        assert_eq!(encode_rows::<Check, _>(&rows).unwrap(), whole, "row by row");
        // By case, as verify writes them: some cases kept as records, the others new.
        let cases: Vec<&[Check]> = checks.chunk_by(|a, b| a.case_id == b.case_id).collect();
        let bytes = encode_groups::<Check, _>(&cases, 3, |w, rows| {
            rows.iter().try_for_each(|c| {
                if c.case_id.ends_with('7') {
                    w.serialize(c)
                } else {
                    w.serialize(new(c))
                }
            })
        })
        .unwrap();
        assert_eq!(bytes, whole, "case by case");
    }

    /// Bytes of a journal of `n` events, in more pieces than one window of [`is_canonical`].
    fn ledger(n: usize) -> Vec<u8> {
        let mut chain = Vec::new();
        events::append(
            &mut chain,
            (0..n).map(|i| NewEvent {
                step: "verify".into(),
                case_id: format!("CD-2026-{i:012}"),
                detail: if i % 7 == 0 {
                    "=a, \"b\"".into()
                } else {
                    format!("检查 {i}")
                },
                ..NewEvent::default()
            }),
        );
        to_bytes(&chain).unwrap()
    }

    proptest::proptest! {
        /// The order of joined keys, taken without joining, is `String`'s order of the joined keys (keys whose
        /// parts hold `/`, or sort around it, included).
        #[test]
        fn joined_keys_compare_as_the_joined_strings(
            a in proptest::collection::vec("[-./0A-Z_a]{0,4}", 3),
            b in proptest::collection::vec("[-./0A-Z_a]{0,4}", 3),
        ) {
            let (a2, b2) = ([a[0].as_str(), a[1].as_str()], [b[0].as_str(), b[1].as_str()]);
            proptest::prop_assert_eq!(cmp_joined(a2, b2), a2.join("/").cmp(&b2.join("/")));
            let (a3, b3) = ([a[0].as_str(), a[1].as_str(), a[2].as_str()], [b[0].as_str(), b[1].as_str(), b[2].as_str()]);
            proptest::prop_assert_eq!(cmp_joined(a3, b3), a3.join("/").cmp(&b3.join("/")));
            // Equal first parts, as the rows of one case have.
            let (a4, b4) = ([a[0].as_str(), a[1].as_str()], [a[0].as_str(), b[1].as_str()]);
            proptest::prop_assert_eq!(cmp_joined(a4, b4), a4.join("/").cmp(&b4.join("/")));
        }
    }

    proptest::proptest! {
        /// Dates are written as chrono writes them and read as chrono reads them, by hand.
        #[test]
        fn dates_are_written_and_read_as_chrono_does(days in -800_000i32..3_700_000, text in "[-+0-9 ]{0,12}") {
            let d = chrono::NaiveDate::from_num_days_from_ce_opt(days).unwrap();
            let mut buf = [0; 10];
            if let Some(t) = crate::domain::record::date_field::text(d, &mut buf) {
                proptest::prop_assert_eq!(t, d.to_string());
            } else {
                proptest::prop_assert!(!(0..=9999).contains(&chrono::Datelike::year(&d)));
            }
            proptest::prop_assert_eq!(crate::domain::record::date_field::parse(&d.to_string()).ok(), Some(d));
            proptest::prop_assert_eq!(crate::domain::record::date_field::parse(&text).ok(), text.parse::<chrono::NaiveDate>().ok());
        }
    }

    #[test]
    fn every_large_ledger_orders_its_records_as_their_keys() {
        let header = Member::COLUMNS.join(",");
        let rows = [
            "CD-2026-A,130199199303022985,甲,head,1993-03-02,F,296.00,0,false,false,full,,unknown",
            "CD-2026-A-,130199199303022985,甲,head,1993-03-02,F,296.00,0,false,false,full,,unknown",
            "CD-2026-A,11010519491231002X,乙,head,1949-12-31,F,0.00,0,false,false,full,,unknown",
            "CD-2026-A/,11010519491231002X,乙,head,1949-12-31,F,0.00,0,false,false,full,,unknown",
        ];
        let members = parse::<Member>(Member::FILE, format!("{header}\n{}\n", rows.join("\n")).as_bytes()).unwrap();
        assert_eq!(members.len(), 4);
        for x in &members {
            for y in &members {
                assert_eq!(x.key_cmp(y), x.key().cmp(&y.key()), "{} {}", x.key(), y.key());
            }
        }
        let event = |seq| Event {
            seq,
            step: String::new(),
            case_id: String::new(),
            from_status: String::new(),
            to_status: String::new(),
            detail: Text::default(),
            inputs: String::new(),
            prev_hash: String::new(),
            hash: String::new(),
        };
        for (x, y) in [(9, 10), (10, 9), (99, 100), (5, 5)] {
            assert_eq!(event(x).key_cmp(&event(y)), event(x).key().cmp(&event(y).key()));
        }
    }

    #[test]
    fn the_canonical_check_agrees_with_a_rewrite_whole() {
        let good = ledger(WRITE_CHUNK * 5 + 17);
        let mut variants = vec![good.clone()];
        // Quoting changed, two rows swapped, a blank line at the end, CRLF; a row removed.
        let text = String::from_utf8(good.clone()).unwrap();
        variants.push(text.replacen(",verify,", ",\"verify\",", 1).into_bytes());
        let mut lines: Vec<&str> = text.lines().collect();
        lines.swap(40_000, 40_001);
        variants.push((lines.join("\n") + "\n").into_bytes());
        variants.push([good.as_slice(), b"\n"].concat());
        variants.push(text.replace('\n', "\r\n").into_bytes());
        let mut lines: Vec<&str> = text.lines().collect();
        lines.remove(70_000);
        variants.push((lines.join("\n") + "\n").into_bytes());
        for (k, bytes) in variants.iter().enumerate() {
            let recs = parse::<Event>(Event::FILE, bytes).unwrap();
            let whole = to_bytes(&recs).unwrap() == *bytes;
            assert_eq!(is_canonical(&recs, bytes).unwrap(), whole, "variant {k}");
            // A removed row leaves a ledger in canonical form (the journal's chain is what catches it).
            assert_eq!(whole, k == 0 || k == 5, "variant {k}");
        }
    }
}
