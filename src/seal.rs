//! The seal (封存记录): after every step, the journal records the SHA-256 of every ledger as the step left it, in
//! one last event of its own (`step` = `seal`). Before a step writes anything, the ledgers are held to the last
//! seal; a ledger missing, changed or added since — a deleted `payments.csv`, a hand-edited account, a journal
//! cut back — stops the step before it builds on it (exit 2), naming the file and the event that recorded it.
//! `audit` reports the same as findings.
//!
//! Why in the journal: the seal is chained like every event, so it cannot be edited without breaking the chain,
//! and the journal cannot be cut back without the ledgers differing from the seal that is then last. A journal
//! deleted or emptied while ledgers remain is refused too.
//!
//! A workspace made before seals existed has none: its first writing step seals the ledgers as it finds them
//! (the seal's detail says so), and from then on it is held to them.

use std::collections::BTreeMap;

use crate::i18n::tr;
use crate::ledger::events::{self, Event};
use crate::ledger::Record;

/// The `step` of a seal event.
pub const SEAL_STEP: &str = "seal";

/// Ledger file name → SHA-256 (hex) of its bytes.
pub type Hashes = BTreeMap<String, String>;

/// What the journal says the ledgers must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// No journal and no ledgers: a new workspace.
    Empty,
    /// A journal with no seal in it (made before seals existed): the ledgers are sealed as found.
    Unsealed,
    /// The last event is a seal: the ledgers as it recorded them.
    Sealed { seq: u64, hashes: Hashes },
}

/// A way the ledgers differ from what the journal recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Breach {
    /// A ledger the seal recorded is not there.
    Missing { file: String, seq: u64 },
    /// A ledger's bytes are not the ones the seal recorded (`recorded`: their SHA-256).
    Changed { file: String, seq: u64, recorded: String },
    /// A ledger no step recorded.
    Unrecorded { file: String, seq: u64 },
    /// Ledgers exist but the journal is missing or holds no event.
    JournalMissing { ledgers: Vec<String> },
    /// The journal goes on after its last seal (events cut from its end, or written without a seal).
    JournalCut { seal_seq: u64, last_seq: u64 },
}

impl Breach {
    /// The ledger file concerned (`events.csv` for the journal itself).
    pub fn file(&self) -> &str {
        match self {
            Breach::Missing { file, .. } | Breach::Changed { file, .. } | Breach::Unrecorded { file, .. } => file,
            Breach::JournalMissing { .. } | Breach::JournalCut { .. } => Event::FILE,
        }
    }

    /// What is wrong, in a line of the run's language (no values from the files: they may be private).
    pub fn message(&self) -> String {
        self.message_in(crate::i18n::current())
    }

    /// [`Breach::message`] in a given language (English for what a ledger or a workbook records).
    pub fn message_in(&self, lang: crate::i18n::Lang) -> String {
        let tr = |en: String, zh: String| crate::i18n::tr_in(lang, en, zh);
        match self {
            Breach::Missing { file, seq } => tr(
                format!(
                    "ledgers/{file} is missing, but the journal recorded it (seal event {seq}, after the step \
                     before it)"
                ),
                format!("ledgers/{file} 不见了, 但日志已记录该文件 (第 {seq} 条封存记录, 即其前一步骤之后)"),
            ),
            Breach::Changed { file, seq, .. } => tr(
                format!(
                    "ledgers/{file} is not what the journal recorded (seal event {seq}): it was changed outside \
                     jiuzhu (a hand edit, a sync tool, a checkout), or the journal was cut back"
                ),
                format!(
                    "ledgers/{file} 与日志记录的不一致 (第 {seq} 条封存记录): 该文件在 jiuzhu 之外被改动 \
                     (手工修改、同步工具、检出旧版本), 或日志被截短"
                ),
            ),
            Breach::Unrecorded { file, seq } => tr(
                format!(
                    "ledgers/{file} is not in the journal's last seal (event {seq}): it was added outside jiuzhu, or \
                     the journal was cut back"
                ),
                format!(
                    "ledgers/{file} 不在日志最后的封存记录 (第 {seq} 条) 中: 该文件是在 jiuzhu 之外加入的, 或日志被截短"
                ),
            ),
            Breach::JournalMissing { ledgers } => tr(
                format!(
                    "ledgers/events.csv (the journal) is missing or empty, but there are ledgers ({})",
                    ledgers.join(", ")
                ),
                format!(
                    "日志 ledgers/events.csv 不见了或为空, 但台账仍在 ({})",
                    ledgers.join("、")
                ),
            ),
            Breach::JournalCut { seal_seq, last_seq } => tr(
                format!(
                    "ledgers/events.csv goes on after its last seal (event {seal_seq}) up to event {last_seq}: the \
                     end of the journal was cut off, or written without jiuzhu"
                ),
                format!(
                    "日志 ledgers/events.csv 在最后的封存记录 (第 {seal_seq} 条) 之后还有事件 (至第 {last_seq} 条): \
                     日志末尾被截掉, 或不是由 jiuzhu 写入"
                ),
            ),
        }
    }
}

/// What to do about breaches, in the run's language.
pub fn advice(breaches: &[Breach]) -> String {
    if breaches
        .iter()
        .any(|b| matches!(b, Breach::JournalMissing { .. } | Breach::JournalCut { .. }))
    {
        return tr(
            "Restore the journal ledgers/events.csv as jiuzhu left it, from Git (`git checkout -- ledgers/events.csv`) \
             or a backup, and run the step again: the journal is the record of what happened and cannot be replaced.",
            "请从 Git (`git checkout -- ledgers/events.csv`) 或备份把日志 ledgers/events.csv 恢复为 jiuzhu 写入时的样子, \
             再重新运行: 日志是已发生事项的记录, 不能替换。",
        );
    }
    tr(
        "Restore the ledgers and the journal as jiuzhu left them (`git checkout -- ledgers/` or `git diff ledgers/` \
         to see the change; or from a backup) and run the step again. If the change is right and must stay, record \
         it with `jiuzhu accept-edits --by NAME --reason TEXT`, which puts it in the journal for the auditors.",
        "请把台账和日志恢复为 jiuzhu 写入时的样子 (用 `git diff ledgers/` 查看改动, `git checkout -- ledgers/` 恢复, \
         或从备份恢复), 再重新运行。若改动无误且须保留, 请用 `jiuzhu accept-edits --by 姓名 --reason 原因` 记入日志, \
         供审计查阅。",
    )
}

/// Which rows and columns of a changed ledger differ from the version the seal recorded, when the workspace's
/// Git history holds that version (at most `limit` lines, then how many more). Rows are named by their key (an
/// ID number in a key is masked); no cell value is shown, since a ledger holds private data.
///
/// `lang`: the journal records it in English whatever the terminal's language (a ledger never depends on the
/// locale); a message is in the run's language.
pub fn describe(
    root: &std::path::Path,
    file: &str,
    recorded: &str,
    now: &[u8],
    limit: usize,
    lang: crate::i18n::Lang,
) -> Vec<String> {
    use crate::ledger::diff::{diff_tables, KeySpec, RowKind};
    let tr = |en: String, zh: String| crate::i18n::tr_in(lang, en, zh);
    let rel = format!("ledgers/{file}");
    let Some(old) = crate::git::version_with_sha256(root, &rel, recorded) else {
        return vec![tr(
            "(no copy of the recorded version in the workspace's Git history to compare with: commit each step, \
             e.g. with --commit)"
                .into(),
            "(工作区的 Git 历史中没有所记录版本的副本可供比对: 请在每一步后提交, 例如使用 --commit)".into(),
        )];
    };
    let key = match crate::ledger::diff::ledger_key(file) {
        Some(cols) => KeySpec::Ledger(cols.iter().map(|c| c.to_string()).collect()),
        None => KeySpec::FirstColumn,
    };
    let Ok(d) = diff_tables(&old, now, &key) else {
        return Vec::new();
    };
    let shown = |key: &[String]| -> String {
        let parts: Vec<String> = key
            .iter()
            .map(|k| match crate::domain::id_number::parse(k) {
                Ok(id) => id.masked(),
                Err(_) => k.clone(),
            })
            .collect();
        format!("{} {}", d.key_columns.join("+"), parts.join("+"))
    };
    let mut lines = Vec::new();
    for row in &d.rows {
        let line = match row.kind {
            RowKind::Changed => {
                let cols: Vec<&str> = row
                    .cells
                    .iter()
                    .zip(&d.columns)
                    .filter(|((a, b), _)| a != b)
                    .map(|(_, c)| c.as_str())
                    .collect();
                let quoted: Vec<String> = cols.iter().map(|c| format!("`{c}`")).collect();
                tr(
                    format!("{}: {} changed", shown(&row.key), cols.join(", ")),
                    format!("{}: {} 被改动", shown(&row.key), quoted.join("、")),
                )
            }
            RowKind::Added => tr(
                format!("{}: row added", shown(&row.key)),
                format!("{}: 新增了该行", shown(&row.key)),
            ),
            RowKind::Removed => tr(
                format!("{}: row removed", shown(&row.key)),
                format!("{}: 该行被删除", shown(&row.key)),
            ),
            RowKind::Skipped(_) => continue,
        };
        lines.push(line);
    }
    for (c, state) in d.columns.iter().zip(&d.col_state) {
        match state {
            crate::ledger::diff::ColState::Added => {
                lines.push(tr(format!("column {c} added"), format!("新增了列 `{c}`")))
            }
            crate::ledger::diff::ColState::Removed => {
                lines.push(tr(format!("column {c} removed"), format!("删除了列 `{c}`")))
            }
            crate::ledger::diff::ColState::Common => {}
        }
    }
    if lines.len() > limit {
        let more = lines.len() - limit;
        lines.truncate(limit);
        lines.push(tr(format!("… and {more} more"), format!("… 另有 {more} 处")));
    }
    lines
}

/// The ledgers' names in the order they are listed (`name=sha;…`).
pub fn inputs_of(hashes: &Hashes) -> String {
    hashes
        .iter()
        .map(|(f, h)| format!("{f}={h}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// The hashes a seal event records; `None` when the event is not a seal or its list is damaged.
pub fn hashes_of(e: &Event) -> Option<Hashes> {
    if e.step != SEAL_STEP || !e.case_id.is_empty() {
        return None;
    }
    let mut out = Hashes::new();
    for part in e.inputs.split(';').filter(|p| !p.is_empty()) {
        let (f, h) = part.split_once('=')?;
        out.insert(f.to_string(), h.to_string());
    }
    Some(out)
}

/// What the journal (the bytes of `events.csv`, or none) says the ledgers must be. The last line is read first:
/// after every step it is a seal. Otherwise the whole journal is read and verified (a damaged journal is an
/// error, as for every step), and a seal anywhere in it means the journal was cut.
pub fn recorded(journal: Option<&[u8]>) -> anyhow::Result<(Recorded, Option<Breach>)> {
    let Some(bytes) = journal.filter(|b| has_events(b)) else {
        return Ok((Recorded::Empty, None));
    };
    if let Some(e) = last_event(bytes) {
        if e.compute_hash() == e.hash {
            if let Some(hashes) = hashes_of(&e) {
                return Ok((Recorded::Sealed { seq: e.seq, hashes }, None));
            }
        }
    }
    let chain = crate::ledger::parse::<Event>(Event::FILE, bytes)?;
    if let Some(events::Broken { seq, why }) = events::verify_chain(&chain) {
        anyhow::bail!(
            "{}",
            tr(
                format!(
                    "ledgers/events.csv is broken at event {seq}: {}; nothing was done. Restore it from Git (`git \
                     log -p ledgers/events.csv`) or a backup.",
                    why.en
                ),
                format!(
                    "日志 ledgers/events.csv 在第 {seq} 条事件处损坏: {}; 未做任何改动。请从 Git (`git log -p \
                     ledgers/events.csv`) 或备份恢复。",
                    why.zh
                )
            )
        );
    }
    let last_seq = chain.last().map_or(0, |e| e.seq);
    match chain.iter().rev().find_map(|e| hashes_of(e).map(|h| (e.seq, h))) {
        // A seal last, but in a block with events before it (not as jiuzhu writes one): the ledgers are held to it.
        Some((seq, hashes)) if seq == last_seq => Ok((Recorded::Sealed { seq, hashes }, None)),
        Some((seq, hashes)) => Ok((
            Recorded::Sealed { seq, hashes },
            Some(Breach::JournalCut {
                seal_seq: seq,
                last_seq,
            }),
        )),
        None => Ok((Recorded::Unsealed, None)),
    }
}

/// The last event of journal bytes (`with_header`: a whole `events.csv`; else rows appended to one): the last
/// line alone when it reads as the end of a block (an event with its hash: the seal follows that hash), else
/// every row read. The last line of a block of many rows cannot be verified alone; the chain is verified as a
/// whole by every step that appends to it and by `audit`.
pub fn last_of(bytes: &[u8], with_header: bool) -> anyhow::Result<Option<Event>> {
    if let Some(e) = last_event(bytes) {
        if e.hash.len() == 64 && e.hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(Some(e));
        }
    }
    if with_header {
        return Ok(crate::ledger::parse::<Event>(Event::FILE, bytes)?.pop());
    }
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes);
    let mut last = None;
    for rec in rdr.deserialize::<Event>() {
        last = Some(rec?);
    }
    Ok(last)
}

/// Whether a journal's bytes hold at least one event (a header alone holds none).
fn has_events(bytes: &[u8]) -> bool {
    let body = match bytes.iter().position(|&b| b == b'\n') {
        Some(i) => &bytes[i + 1..],
        None => return false,
    };
    body.iter().any(|b| !b.is_ascii_whitespace())
}

/// The journal's last line as an event, when it parses as one on its own (a seal always does: it has no line
/// breaks inside its fields).
fn last_event(bytes: &[u8]) -> Option<Event> {
    let trimmed = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let start = trimmed.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&trimmed[start..]);
    let mut rec = csv::StringRecord::new();
    match rdr.read_record(&mut rec) {
        Ok(true) => rec.deserialize(None).ok(),
        _ => None,
    }
}

/// The ledgers as they are (`found`, by file name) against what the journal recorded.
pub fn breaches(recorded: &Recorded, found: &Hashes) -> Vec<Breach> {
    match recorded {
        Recorded::Empty => {
            if found.is_empty() {
                Vec::new()
            } else {
                vec![Breach::JournalMissing {
                    ledgers: found.keys().cloned().collect(),
                }]
            }
        }
        Recorded::Unsealed => Vec::new(),
        Recorded::Sealed { seq, hashes } => {
            let mut out = Vec::new();
            for (file, want) in hashes {
                match found.get(file) {
                    None => out.push(Breach::Missing {
                        file: file.clone(),
                        seq: *seq,
                    }),
                    Some(have) if have != want => out.push(Breach::Changed {
                        file: file.clone(),
                        seq: *seq,
                        recorded: want.clone(),
                    }),
                    Some(_) => {}
                }
            }
            for file in found.keys().filter(|f| !hashes.contains_key(*f)) {
                out.push(Breach::Unrecorded {
                    file: file.clone(),
                    seq: *seq,
                });
            }
            out
        }
    }
}

/// The seal event's detail: which ledgers the step changed, or that they were sealed as found.
pub fn detail(changed: &[String], first: bool) -> String {
    if first {
        format!("ledgers sealed as found ({} files)", changed.len())
    } else if changed.is_empty() {
        "ledgers unchanged".to_string()
    } else {
        format!("ledgers written: {}", changed.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::events::NewEvent;

    /// A journal of the events, each a step of its own (as a step's events and its seal are written).
    fn journal(events: &[NewEvent]) -> Vec<u8> {
        let mut chain = Vec::new();
        for e in events {
            events::append(&mut chain, [e.clone()]);
        }
        crate::ledger::to_bytes(&chain).unwrap()
    }

    fn seal(hashes: &[(&str, &str)]) -> NewEvent {
        let h: Hashes = hashes.iter().map(|(f, h)| (f.to_string(), h.to_string())).collect();
        NewEvent {
            step: SEAL_STEP.into(),
            detail: "ledgers written".into(),
            inputs: inputs_of(&h),
            ..NewEvent::default()
        }
    }

    fn step(name: &str) -> NewEvent {
        NewEvent {
            step: name.into(),
            detail: "did something".into(),
            ..NewEvent::default()
        }
    }

    fn found(hashes: &[(&str, &str)]) -> Hashes {
        hashes.iter().map(|(f, h)| (f.to_string(), h.to_string())).collect()
    }

    #[test]
    fn a_seal_after_a_step_of_many_events_is_read_from_the_last_line() {
        let mut chain = Vec::new();
        events::append(&mut chain, [step("intake"), step("intake"), step("intake")]);
        events::append(&mut chain, [seal(&[("cases.csv", "aa")])]);
        let j = crate::ledger::to_bytes(&chain).unwrap();
        assert_eq!(recorded(Some(&j)).unwrap().1, None);
        // The seal follows the step's last row, whose hash is the block's.
        assert_eq!(last_of(&j, true).unwrap().map(|e| e.seq), Some(4));
        let step_rows = crate::ledger::rows_bytes::<Event, &Event>(&chain[..3], Vec::new()).unwrap();
        assert_eq!(last_of(&step_rows, false).unwrap(), Some(chain[2].clone()));
        // A seal written in one block with the step's events is still held to.
        let mut chain = Vec::new();
        events::append(&mut chain, [step("intake"), seal(&[("cases.csv", "aa")])]);
        let j = crate::ledger::to_bytes(&chain).unwrap();
        let (rec, cut) = recorded(Some(&j)).unwrap();
        assert_eq!(cut, None);
        assert!(matches!(rec, Recorded::Sealed { seq: 2, .. }));
    }

    #[test]
    fn ledgers_as_sealed_pass() {
        let j = journal(&[step("intake"), seal(&[("cases.csv", "aa"), ("members.csv", "bb")])]);
        let (rec, cut) = recorded(Some(&j)).unwrap();
        assert_eq!(cut, None);
        assert!(breaches(&rec, &found(&[("cases.csv", "aa"), ("members.csv", "bb")])).is_empty());
    }

    #[test]
    fn a_missing_changed_or_added_ledger_is_a_breach() {
        let j = journal(&[step("disburse"), seal(&[("cases.csv", "aa"), ("payments.csv", "pp")])]);
        let (rec, _) = recorded(Some(&j)).unwrap();
        assert_eq!(
            breaches(&rec, &found(&[("cases.csv", "aa")])),
            vec![Breach::Missing {
                file: "payments.csv".into(),
                seq: 2
            }]
        );
        assert_eq!(
            breaches(&rec, &found(&[("cases.csv", "ab"), ("payments.csv", "pp")])),
            vec![Breach::Changed {
                file: "cases.csv".into(),
                seq: 2,
                recorded: "aa".into()
            }]
        );
        assert_eq!(
            breaches(
                &rec,
                &found(&[("cases.csv", "aa"), ("payments.csv", "pp"), ("x.csv", "xx")])
            ),
            vec![Breach::Unrecorded {
                file: "x.csv".into(),
                seq: 2
            }]
        );
    }

    #[test]
    fn a_journal_cut_after_its_seal_or_gone_is_a_breach() {
        let j = journal(&[step("intake"), seal(&[("cases.csv", "aa")]), step("verify")]);
        let (rec, cut) = recorded(Some(&j)).unwrap();
        assert_eq!(
            cut,
            Some(Breach::JournalCut {
                seal_seq: 2,
                last_seq: 3
            })
        );
        assert!(matches!(rec, Recorded::Sealed { seq: 2, .. }));
        // Gone, or emptied to its header, while ledgers remain.
        let header = b"seq,step,case_id,from_status,to_status,detail,inputs,prev_hash,hash\n";
        for j in [None, Some(&header[..])] {
            let (rec, _) = recorded(j).unwrap();
            assert_eq!(rec, Recorded::Empty);
            assert_eq!(
                breaches(&rec, &found(&[("cases.csv", "aa")])),
                vec![Breach::JournalMissing {
                    ledgers: vec!["cases.csv".into()]
                }]
            );
            assert!(breaches(&rec, &Hashes::new()).is_empty());
        }
    }

    #[test]
    fn a_journal_without_seals_is_sealed_as_found() {
        let j = journal(&[step("intake"), step("verify")]);
        assert_eq!(recorded(Some(&j)).unwrap(), (Recorded::Unsealed, None));
    }

    #[test]
    fn an_edited_seal_line_is_not_trusted() {
        let j = journal(&[step("intake"), seal(&[("cases.csv", "aa")])]);
        let text = String::from_utf8(j).unwrap().replace("cases.csv=aa", "cases.csv=ab");
        // The last line no longer verifies: the whole journal is read, and its chain is broken.
        assert!(recorded(Some(text.as_bytes())).is_err());
    }
}
