//! `jiuzhu archive` — one dossier per closed household (一户一档), kept at least five years, with checksums.
//!
//! A case is **closed** when its status is `stopped`, `rejected` or `closed`; its **closure date** is the
//! `decided_on` of the effective 停发 / 不予批准 decision that closed it (else the first day of that decision's
//! effective month), and when no decision closed it, the latest date in its records. Its **last activity** is the
//! latest date in its records: application, checks, visits, decisions (decided, effective), notices, payments'
//! months. `jiuzhu archive --year Y` closes a year: it archives every case whose last activity falls in Y and that is
//! not approved or effective (those are still being paid), with its last activity as the closure date.
//!
//! A dossier `archive/YEAR/CASE_ID/` holds every ledger's rows about the case (same headers as `ledgers/`), the
//! same as a workbook for people (`dossier.xlsx`, one sheet per ledger), `DOSSIER.csv` (closure, retention, the Git
//! commit it was made from) and `MANIFEST.csv` (file, bytes, rows, sha256 of each). `ledgers/archive_index.csv`
//! lists the dossiers with the SHA-256 of each manifest. Nothing but `archive purge --yes` ever deletes, and only
//! dossiers past their retention date, recording what it removed and why.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use chrono::{Datelike, Months, NaiveDate};

use crate::domain::date::{self, Period};
use crate::hash::{HashMap, HashSet};
use crate::ledger::events::{self, sha256_hex, Event, NewEvent};
use crate::ledger::{
    self, ArchiveEntry, Batch, Case, CaseStatus, Check, Decision, DecisionKind, DecisionStatus, Extension, Goods,
    Match, Meeting, Member, Notice, Payment, Record, Source, SpotCheck, Text, Visit,
};
use crate::sheet::writer::{self, Column, Kind, SheetSpec, Value};
use crate::workspace::{Txn, Workspace, POLICY_FILE};
use crate::Outcome;

#[derive(Debug, Clone)]
pub enum Mode {
    /// Archive every closed case not yet archived (`year`: close a year).
    Archive { year: Option<i32> },
    /// Re-hash every dossier.
    Verify,
    /// Remove dossiers past retention.
    Purge { as_of: String, yes: bool },
}

#[derive(Debug, Clone)]
pub struct Args {
    pub mode: Mode,
    pub dry_run: bool,
    pub quiet: bool,
}

pub fn run(ws: &Workspace, args: &Args) -> Result<Outcome> {
    match &args.mode {
        Mode::Archive { year } => archive(ws, args, *year),
        Mode::Verify => verify(ws, args),
        Mode::Purge { as_of, yes } => {
            let day = date::parse_date(as_of).map_err(|e| anyhow!("--as-of {as_of}: {e} (write e.g. 2032-01-01)"))?;
            purge(ws, args, day, *yes)
        }
    }
}

/// Everything a dossier is made from.
struct All {
    cases: Vec<Case>,
    members: Vec<Member>,
    sources: Vec<Source>,
    checks: Vec<Check>,
    visits: Vec<Visit>,
    extensions: Vec<Extension>,
    matches: Vec<Match>,
    decisions: Vec<Decision>,
    notices: Vec<Notice>,
    meetings: Vec<Meeting>,
    payments: Vec<Payment>,
    goods: Vec<Goods>,
    spot_checks: Vec<SpotCheck>,
    chain: Vec<Event>,
}

impl All {
    fn load(ws: &Workspace) -> Result<All> {
        let chain = ledger::read::<Event>(ws)?;
        if let Some((seq, why)) = events::verify_chain(&chain) {
            bail!("ledgers/events.csv is damaged at event {seq}: {why}. Restore it from Git, or run `jiuzhu audit`.");
        }
        // Batches are read for their validity only: a dossier holds the case's payments.
        ledger::read::<Batch>(ws)?;
        Ok(All {
            cases: ledger::read(ws)?,
            members: ledger::read(ws)?,
            sources: ledger::read(ws)?,
            checks: ledger::read(ws)?,
            visits: ledger::read(ws)?,
            extensions: ledger::read(ws)?,
            matches: ledger::read(ws)?,
            decisions: ledger::read(ws)?,
            notices: ledger::read(ws)?,
            meetings: ledger::read(ws)?,
            payments: ledger::read(ws)?,
            goods: ledger::read(ws)?,
            spot_checks: ledger::read(ws)?,
            chain,
        })
    }
}

/// A month (`YYYY-MM`) as its first day.
fn month(s: &str) -> Option<NaiveDate> {
    Period::parse(s).ok().map(|p| p.first_day())
}

/// The dates [`archive`] decides with, per case, from one pass over each ledger: a scan of every check, visit,
/// decision, notice and payment per closed case is quadratic at county scale (15,000 closed cases, 600,000
/// checks, payments growing by 40,000 a month). Only the cases in `wanted` are kept.
struct Dates<'a> {
    /// The latest date in each case's checks, visits, decisions (decided, effective), notices and payments'
    /// months; the application date is added by [`Dates::last_activity`].
    latest: HashMap<&'a str, NaiveDate>,
    /// The latest date of each case's effective 停发 / 不予批准 decisions (`decided_on`, else the first day of
    /// the effective month).
    closing: HashMap<&'a str, NaiveDate>,
}

impl<'a> Dates<'a> {
    fn of(all: &'a All, wanted: &HashSet<&str>) -> Dates<'a> {
        let mut latest: HashMap<&'a str, NaiveDate> = HashMap::default();
        let mut later = |id: &'a str, d: NaiveDate| {
            if wanted.contains(id) {
                latest.entry(id).and_modify(|x| *x = d.max(*x)).or_insert(d);
            }
        };
        for x in &all.checks {
            later(&x.case_id, x.as_of);
        }
        for x in &all.visits {
            later(&x.case_id, x.visited_on);
        }
        for x in &all.decisions {
            for d in [x.decided_on, month(&x.effective_from)].into_iter().flatten() {
                later(&x.case_id, d);
            }
        }
        for x in &all.notices {
            later(&x.case_id, x.end);
        }
        for x in &all.payments {
            if let Some(d) = month(&x.period) {
                later(&x.case_id, d);
            }
        }
        let mut closing: HashMap<&'a str, NaiveDate> = HashMap::default();
        let closes = |x: &Decision| {
            matches!(x.kind, DecisionKind::Stop | DecisionKind::Reject) && x.status == DecisionStatus::Effective
        };
        for x in all
            .decisions
            .iter()
            .filter(|x| closes(x) && wanted.contains(x.case_id.as_str()))
        {
            if let Some(d) = x.decided_on.or_else(|| month(&x.effective_from)) {
                closing
                    .entry(x.case_id.as_str())
                    .and_modify(|c| *c = d.max(*c))
                    .or_insert(d);
            }
        }
        Dates { latest, closing }
    }

    /// The latest date in a case's records.
    fn last_activity(&self, c: &Case) -> NaiveDate {
        match self.latest.get(c.case_id.as_str()) {
            Some(&d) => d.max(c.applied_on),
            None => c.applied_on,
        }
    }

    /// The closure date of a closed case (see the module doc).
    fn closed_on(&self, c: &Case) -> NaiveDate {
        match self.closing.get(c.case_id.as_str()) {
            Some(&d) => d,
            None => self.last_activity(c),
        }
    }
}

/// One ledger's rows per case, in ledger order.
type ByCase<'a, R> = HashMap<&'a str, Vec<&'a R>>;

/// The rows of the cases in `wanted`, by `case_id`, in one pass over the ledger.
fn by_case<'a, R>(rows: &'a [R], wanted: &HashSet<&str>, case_id: impl Fn(&'a R) -> &'a str) -> ByCase<'a, R> {
    let mut out: ByCase<'a, R> = HashMap::default();
    if wanted.is_empty() {
        return out;
    }
    for r in rows {
        let id = case_id(r);
        if wanted.contains(id) {
            out.entry(id).or_default().push(r);
        }
    }
    out
}

/// Every ledger's rows about the cases being archived, found in one pass per ledger: filtering every ledger
/// (the journal and sources too) per dossier is quadratic at county scale. Each case's rows keep their ledger
/// order, so a dossier's files are byte for byte what filtering the ledger gives.
struct Dossiers<'a> {
    cases: ByCase<'a, Case>,
    members: ByCase<'a, Member>,
    sources: ByCase<'a, Source>,
    checks: ByCase<'a, Check>,
    visits: ByCase<'a, Visit>,
    extensions: ByCase<'a, Extension>,
    matches: ByCase<'a, Match>,
    decisions: ByCase<'a, Decision>,
    notices: ByCase<'a, Notice>,
    payments: ByCase<'a, Payment>,
    goods: ByCase<'a, Goods>,
    spot_checks: ByCase<'a, SpotCheck>,
    chain: ByCase<'a, Event>,
    /// All meetings, by date: a case's meetings are among those held on its decisions' dates.
    meetings_on: HashMap<NaiveDate, Vec<usize>>,
    meetings: &'a [Meeting],
}

impl<'a> Dossiers<'a> {
    fn of(all: &'a All, wanted: &HashSet<&str>) -> Dossiers<'a> {
        // `case/CASE_ID` is the case's own record; `member/CASE_ID/ID_NUMBER` is found by the prefix
        // `member/CASE_ID/`, so every part of the record before a `/` is a case it belongs to.
        let mut sources: ByCase<'a, Source> = HashMap::default();
        for s in &all.sources {
            if let Some(id) = s.record.strip_prefix("case/") {
                if wanted.contains(id) {
                    sources.entry(id).or_default().push(s);
                }
            } else if let Some(rest) = s.record.strip_prefix("member/") {
                for (i, _) in rest.match_indices('/') {
                    let id = &rest[..i];
                    if wanted.contains(id) {
                        sources.entry(id).or_default().push(s);
                    }
                }
            }
        }
        let mut meetings_on: HashMap<NaiveDate, Vec<usize>> = HashMap::default();
        for (i, m) in all.meetings.iter().enumerate() {
            meetings_on.entry(m.date).or_default().push(i);
        }
        Dossiers {
            cases: by_case(&all.cases, wanted, |x| x.case_id.as_str()),
            members: by_case(&all.members, wanted, |x| x.case_id.as_str()),
            sources,
            checks: by_case(&all.checks, wanted, |x| x.case_id.as_str()),
            visits: by_case(&all.visits, wanted, |x| x.case_id.as_str()),
            extensions: by_case(&all.extensions, wanted, |x| x.case_id.as_str()),
            matches: by_case(&all.matches, wanted, |x| x.case_id.as_str()),
            decisions: by_case(&all.decisions, wanted, |x| x.case_id.as_str()),
            notices: by_case(&all.notices, wanted, |x| x.case_id.as_str()),
            payments: by_case(&all.payments, wanted, |x| x.case_id.as_str()),
            goods: by_case(&all.goods, wanted, |x| x.case_id.as_str()),
            spot_checks: by_case(&all.spot_checks, wanted, |x| x.case_id.as_str()),
            chain: by_case(&all.chain, wanted, |x| x.case_id.as_str()),
            meetings_on,
            meetings: &all.meetings,
        }
    }

    /// Every ledger's rows about one case (one of `wanted`): (file, CSV bytes, rows).
    fn files(&self, case_id: &str) -> Result<Vec<(String, Vec<u8>, usize)>> {
        fn part<R: Record>(out: &mut Vec<(String, Vec<u8>, usize)>, rows: Vec<R>) -> Result<()> {
            let n = rows.len();
            out.push((R::FILE.to_string(), ledger::to_bytes(&rows)?, n));
            Ok(())
        }
        fn of<R: Record>(by: &ByCase<'_, R>, case_id: &str) -> Vec<R> {
            by.get(case_id)
                .map(|rows| rows.iter().map(|&r| r.clone()).collect())
                .unwrap_or_default()
        }
        let decisions = of(&self.decisions, case_id);
        let mut held: Vec<usize> = decisions
            .iter()
            .filter_map(|x| x.decided_on)
            .filter_map(|d| self.meetings_on.get(&d))
            .flatten()
            .copied()
            .collect();
        // In ledger order, each meeting once.
        held.sort_unstable();
        held.dedup();
        let meetings: Vec<Meeting> = held
            .into_iter()
            .map(|i| &self.meetings[i])
            .filter(|m| {
                decisions.iter().any(|x| {
                    x.decided_on == Some(m.date)
                        && (x.meeting.0 == m.meeting.0 || x.meeting.starts_with(&format!("{}: ", m.meeting.0)))
                })
            })
            .cloned()
            .collect();
        let mut out = Vec::new();
        part(&mut out, of(&self.cases, case_id))?;
        part(&mut out, of(&self.members, case_id))?;
        part(&mut out, of(&self.sources, case_id))?;
        part(&mut out, of(&self.checks, case_id))?;
        part(&mut out, of(&self.visits, case_id))?;
        part(&mut out, of(&self.extensions, case_id))?;
        part(&mut out, of(&self.matches, case_id))?;
        part(&mut out, decisions)?;
        part(&mut out, of(&self.notices, case_id))?;
        part(&mut out, meetings)?;
        part(&mut out, of(&self.payments, case_id))?;
        part(&mut out, of(&self.goods, case_id))?;
        part(&mut out, of(&self.spot_checks, case_id))?;
        part(&mut out, of(&self.chain, case_id))?;
        Ok(out)
    }
}

/// The Git commit the workspace is at, or empty outside a repository.
fn head_commit(root: &Path) -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(root)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// A CSV file's bytes as one workbook sheet (every cell a text cell, neutralised by the writer).
fn sheet_of(name: &str, bytes: &[u8]) -> Result<SheetSpec> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
    let columns = rdr.headers()?.iter().map(|h| Column::new(h, Kind::Code)).collect();
    let mut rows = Vec::new();
    for r in rdr.records() {
        rows.push(
            r?.iter()
                .map(|c| Value::from(crate::domain::text::unneutralise(c)))
                .collect(),
        );
    }
    Ok(SheetSpec {
        name: name.trim_end_matches(".csv").to_string(),
        title: None,
        columns,
        rows,
        batch: None,
    })
}

fn csv_bytes(header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    w.into_inner().map_err(|e| anyhow!("cannot write CSV: {e}"))
}

const MANIFEST_COLUMNS: &[&str] = &["file", "bytes", "rows", "sha256"];

/// The cases to archive now, in `cases.csv` order, each with its closure date (see the module doc): the closed
/// cases, or with `year` the cases not being paid whose last activity falls in it; never a case already in the
/// index.
fn due<'a>(all: &'a All, index: &[ArchiveEntry], year: Option<i32>) -> Vec<(&'a Case, NaiveDate)> {
    // One set, not a scan of the index per case.
    let archived: HashSet<&str> = index.iter().map(|e| e.case_id.as_str()).collect();
    let is_closed = |c: &Case| {
        matches!(
            c.status,
            CaseStatus::Stopped | CaseStatus::Rejected | CaseStatus::Closed
        )
    };
    let candidates: Vec<&Case> = all
        .cases
        .iter()
        .filter(|c| !archived.contains(c.case_id.as_str()))
        .filter(|c| match year {
            None => is_closed(c),
            Some(_) => !matches!(c.status, CaseStatus::Approved | CaseStatus::Effective),
        })
        .collect();
    // Dates only for the cases that may be archived: a month's run finds most closed cases archived already.
    let wanted: HashSet<&str> = candidates.iter().map(|c| c.case_id.as_str()).collect();
    let dates = Dates::of(all, &wanted);
    candidates
        .into_iter()
        .filter_map(|c| {
            let closed = is_closed(c);
            let Some(y) = year else {
                return Some((c, dates.closed_on(c)));
            };
            let last = if closed {
                dates.closed_on(c).max(dates.last_activity(c))
            } else {
                dates.last_activity(c)
            };
            if last.year() != y {
                return None;
            }
            Some((c, if closed { dates.closed_on(c) } else { last }))
        })
        .collect()
}

fn archive(ws: &Workspace, args: &Args, year: Option<i32>) -> Result<Outcome> {
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let all = All::load(ws)?;
    let mut index = ledger::read::<ArchiveEntry>(ws)?;
    let years = ws.policy.archive.retention_years;
    let commit = head_commit(&ws.root);
    let mut txn = Txn::new();
    let due = due(&all, &index, year);
    let wanted: HashSet<&str> = due.iter().map(|(c, _)| c.case_id.as_str()).collect();
    let dossiers = Dossiers::of(&all, &wanted);
    let mut made = Vec::new();
    for (c, closed_on) in due {
        let retain_until = closed_on
            .checked_add_months(Months::new(12 * years))
            .ok_or_else(|| anyhow!("retention of case {} runs past the calendar", c.case_id))?;
        let dir = PathBuf::from("archive")
            .join(closed_on.year().to_string())
            .join(&c.case_id);
        let mut files = dossiers.files(&c.case_id)?;
        let sheets = files
            .iter()
            .map(|(name, bytes, _)| sheet_of(name, bytes))
            .collect::<Result<Vec<_>>>()?;
        files.push(("dossier.xlsx".into(), writer::workbook_bytes(&sheets)?, sheets.len()));
        let info = csv_bytes(
            &[
                "case_id",
                "scheme",
                "status",
                "closed_on",
                "retain_until",
                "retention_years",
                "commit",
            ],
            &[vec![
                c.case_id.clone(),
                c.scheme.clone(),
                c.status.as_str().to_string(),
                closed_on.to_string(),
                retain_until.to_string(),
                years.to_string(),
                commit.clone(),
            ]],
        )?;
        files.push(("DOSSIER.csv".into(), info, 1));
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let manifest_rows: Vec<Vec<String>> = files
            .iter()
            .map(|(name, bytes, rows)| {
                vec![
                    name.clone(),
                    bytes.len().to_string(),
                    rows.to_string(),
                    sha256_hex(bytes),
                ]
            })
            .collect();
        let manifest = csv_bytes(MANIFEST_COLUMNS, &manifest_rows)?;
        let manifest_sha = sha256_hex(&manifest);
        for (name, bytes, _) in files {
            txn.put(dir.join(name), bytes);
        }
        txn.put(dir.join("MANIFEST.csv"), manifest);
        index.push(ArchiveEntry {
            case_id: c.case_id.clone(),
            year: closed_on.year(),
            path: dir.to_string_lossy().replace('\\', "/"),
            closed_on,
            retain_until,
            manifest_sha256: manifest_sha,
            commit: commit.clone(),
            status: "archived".into(),
            note: Text::default(),
        });
        made.push(format!("{} ({})", dir.display(), c.status.as_str()));
    }
    let out = format!(
        "{}archive{}: {} dossiers made{}",
        if args.dry_run { "dry run: " } else { "" },
        year.map(|y| format!(" --year {y}")).unwrap_or_default(),
        made.len(),
        if made.is_empty() {
            " (nothing new to archive)".to_string()
        } else {
            format!("\n  {}", made.join("\n  "))
        }
    );
    if args.dry_run || made.is_empty() {
        if !args.quiet {
            crate::outln!("{out}");
        }
        return Ok(Outcome::Done);
    }
    let mut chain = all.chain.clone();
    let inputs = ws.inputs_read(&["cases.csv", "decisions.csv", "payments.csv"])?;
    events::append(
        &mut chain,
        [NewEvent {
            step: "archive".into(),
            detail: format!("{} dossiers archived (retention {years} years)", made.len()),
            inputs,
            ..NewEvent::default()
        }],
    );
    txn.put(ledger::path_of::<ArchiveEntry>(), ledger::to_bytes(&index)?);
    txn.put(ledger::path_of::<Event>(), ledger::to_bytes(&chain)?);
    ws.commit(&lock.expect("a writing run holds the lock"), txn)?;
    if !args.quiet {
        crate::outln!("{out}");
    }
    Ok(Outcome::Done)
}

/// What is wrong with one dossier, as lines naming the files.
fn check_dossier(ws: &Workspace, e: &ArchiveEntry) -> Result<Vec<String>> {
    let dir = PathBuf::from(&e.path);
    let mut problems = Vec::new();
    let Some(manifest) = ws.read_optional(dir.join("MANIFEST.csv"))? else {
        return Ok(vec![format!("{}/MANIFEST.csv is missing", e.path)]);
    };
    if sha256_hex(&manifest) != e.manifest_sha256 {
        problems.push(format!(
            "{}/MANIFEST.csv changed (its SHA-256 is not the one in ledgers/archive_index.csv)",
            e.path
        ));
    }
    let mut listed = BTreeMap::new();
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(&manifest[..]);
    for r in rdr.records() {
        let r = r.with_context(|| format!("{}/MANIFEST.csv is damaged", e.path))?;
        let (name, size, sha) = (r.get(0).unwrap_or(""), r.get(1).unwrap_or(""), r.get(3).unwrap_or(""));
        listed.insert(name.to_string(), ());
        match ws.read_optional(dir.join(name))? {
            None => problems.push(format!("{}/{name} is missing", e.path)),
            Some(b) if b.len().to_string() != size || sha256_hex(&b) != sha => problems.push(format!(
                "{}/{name} changed (size or SHA-256 differs from MANIFEST.csv)",
                e.path
            )),
            Some(_) => {}
        }
    }
    if let Ok(entries) = std::fs::read_dir(ws.path(&dir)) {
        let mut extra: Vec<String> = entries
            .filter_map(|x| x.ok())
            .map(|x| x.file_name().to_string_lossy().into_owned())
            .filter(|n| n != "MANIFEST.csv" && !listed.contains_key(n))
            .collect();
        extra.sort();
        for n in extra {
            problems.push(format!("{}/{n} is not in MANIFEST.csv (added after archiving)", e.path));
        }
    }
    Ok(problems)
}

fn verify(ws: &Workspace, args: &Args) -> Result<Outcome> {
    let index = ledger::read::<ArchiveEntry>(ws)?;
    let mut problems = Vec::new();
    let live: Vec<&ArchiveEntry> = index.iter().filter(|e| e.status == "archived").collect();
    for e in &live {
        problems.extend(check_dossier(ws, e)?);
    }
    if problems.is_empty() {
        if !args.quiet {
            crate::outln!("archive verify: {} dossiers, every file as archived", live.len());
        }
        return Ok(Outcome::Done);
    }
    for p in &problems {
        crate::outln!("{p}");
    }
    crate::outln!(
        "archive verify: {} problems in {} dossiers — restore the files from Git (`git checkout -- archive/`)",
        problems.len(),
        live.len()
    );
    Ok(Outcome::NeedsAttention)
}

fn purge(ws: &Workspace, args: &Args, as_of: NaiveDate, yes: bool) -> Result<Outcome> {
    let lock = if args.dry_run || !yes { None } else { Some(ws.lock()?) };
    let mut index = ledger::read::<ArchiveEntry>(ws)?;
    let due: Vec<usize> = index
        .iter()
        .enumerate()
        .filter(|(_, e)| e.status == "archived" && e.retain_until < as_of)
        .map(|(i, _)| i)
        .collect();
    let kept = index.iter().filter(|e| e.status == "archived").count() - due.len();
    // Leftovers of a purge interrupted after it was recorded.
    let leftovers: Vec<PathBuf> = index
        .iter()
        .filter(|e| e.status == "purged" && ws.path(&e.path).exists())
        .map(|e| ws.path(&e.path))
        .collect();
    if due.is_empty() {
        for p in &leftovers {
            if yes && !args.dry_run {
                std::fs::remove_dir_all(p).with_context(|| format!("cannot remove {}", p.display()))?;
            }
        }
        if !args.quiet {
            crate::outln!("archive purge --as-of {as_of}: nothing is past its retention date ({kept} dossiers kept)");
        }
        return Ok(Outcome::Done);
    }
    let list: Vec<String> = due
        .iter()
        .map(|&i| {
            format!(
                "{} (closed {}, retained until {})",
                index[i].path, index[i].closed_on, index[i].retain_until
            )
        })
        .collect();
    if !yes || args.dry_run {
        crate::outln!(
            "archive purge --as-of {as_of}: {} dossiers are past retention and would be removed:\n  {}\n\
             Nothing removed: run again with --yes to remove them ({kept} dossiers kept).",
            due.len(),
            list.join("\n  ")
        );
        return Ok(Outcome::NeedsAttention);
    }
    let years = ws.policy.archive.retention_years;
    for &i in &due {
        let e = &mut index[i];
        e.status = "purged".into();
        e.note = Text(format!(
            "purged {as_of}: retention ended {} (archive.retention_years={years})",
            e.retain_until
        ));
    }
    let mut chain = ledger::read::<Event>(ws)?;
    if let Some((seq, why)) = events::verify_chain(&chain) {
        bail!("ledgers/events.csv is damaged at event {seq}: {why}. Restore it from Git before purging.");
    }
    events::append(
        &mut chain,
        [NewEvent {
            step: "archive".into(),
            detail: format!(
                "purged {} dossiers past retention as of {as_of} (retention {years} years): {}",
                due.len(),
                list.join("; ")
            ),
            inputs: format!("{POLICY_FILE}={}", ws.policy_sha256()?),
            ..NewEvent::default()
        }],
    );
    let mut txn = Txn::new();
    txn.put(ledger::path_of::<ArchiveEntry>(), ledger::to_bytes(&index)?);
    txn.put(ledger::path_of::<Event>(), ledger::to_bytes(&chain)?);
    ws.commit(&lock.expect("a writing run holds the lock"), txn)?;
    // Recorded first, then removed: an interrupted removal is finished by the next purge.
    for &i in &due {
        let p = ws.path(&index[i].path);
        if p.exists() {
            std::fs::remove_dir_all(&p).with_context(|| format!("cannot remove {}", p.display()))?;
        }
    }
    for p in leftovers {
        std::fs::remove_dir_all(&p).with_context(|| format!("cannot remove {}", p.display()))?;
    }
    if !args.quiet {
        crate::outln!(
            "archive purge --as-of {as_of}: {} dossiers removed and recorded in ledgers/archive_index.csv:\n  {}",
            due.len(),
            list.join("\n  ")
        );
    }
    Ok(Outcome::Done)
}
