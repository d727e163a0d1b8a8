//! Privacy and tamper evidence over the example county's month.
//!
//! Privacy: every public output (the public notices) and every message jiuzhu prints (stdout and stderr of every
//! step) is scanned for what must never be shown: a whole, checksum-valid 18-digit ID number, a bank account of a
//! case, a mobile number, and income or health words (月收入, 残疾, 重病, 艾滋). Files holding personal data
//! (`ledgers/`, `inbox/`, `reports/`) are created without any permission for others (mode `o-rwx`); note that a
//! `git clone`/checkout of the workspace writes files by the cloner's umask instead.
//!
//! Tamper evidence: hundreds of seeded random edits of events.csv (the hash-chained journal) — every one is
//! caught, by the ledger's validation or by `verify_chain`. Edits of decisions.csv (money) are caught by
//! `jiuzhu audit` (replay, and the ledger hashes a clean audit records in the journal).

mod common;

use std::path::Path;

use common::*;
use jiuzhu::ledger::events::{verify_chain, Event};
use jiuzhu::ledger::Case;

fn county(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/county")
        .join(rel)
        .display()
        .to_string()
}

/// The month as far as it exists: intake, verify, compare, decide, the meeting (everything approved), the
/// notice, and `explain` of a few cases. Returns every message printed, and the messages of the steps other than
/// `verify` and `explain` — which show the clerk a case's income derivation by design (their job is to say why).
fn month(ws: &Ws) -> (String, String) {
    let mut said = String::new();
    let mut summaries = String::new();
    let mut step = |args: &[&str]| {
        let out = ws.run(args);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{args:?}: {}", stderr(&out));
        for text in [stdout(&out), stderr(&out)] {
            said.push_str(&text);
            if !matches!(args[0], "verify" | "explain") {
                summaries.push_str(&text);
            }
        }
    };
    step(&[
        "intake",
        &county("inbox/2026-11/城关镇-申请登记表.xlsx"),
        &county("inbox/2026-11/东河乡-申请登记.csv"),
        &county("inbox/2026-11/西岭镇-申请登记.xlsx"),
    ]);
    step(&[
        "verify",
        "--as-of",
        "2026-11-20",
        "--visits",
        &county("visits/2026-11-入户调查.csv"),
    ]);
    step(&[
        "compare",
        "--source",
        &format!("deaths={}", county("registries/deaths.xlsx")),
        "--source",
        &format!("payroll={}", county("registries/payroll.xlsx")),
        "--source",
        &format!("vehicles={}", county("registries/vehicles.csv")),
        "--source",
        &format!("relatives={}", county("registries/relatives.xlsx")),
    ]);
    step(&["decide", "--period", "2026-11"]);
    let filled = ws.path("meeting.xlsx");
    refill(&ws.path("reports/review-meeting-2026-11.xlsx"), &filled, |g| {
        let h = g
            .iter()
            .position(|r| r.first().is_some_and(|c| c.starts_with("决定编号")))
            .unwrap();
        for row in g
            .iter_mut()
            .skip(h + 1)
            .filter(|r| r.first().is_some_and(|c| !c.is_empty()))
        {
            row.resize(13, String::new());
            row[11] = "同意".into();
        }
    });
    step(&[
        "decide",
        "--record",
        filled.to_str().unwrap(),
        "--meeting",
        "审批会",
        "--date",
        "2026-11-22",
    ]);
    step(&["decide", "--period", "2026-11", "--as-of", "2026-12-01"]);
    for c in ws.records::<Case>().iter().take(3) {
        step(&["explain", &c.case_id]);
    }
    (said, summaries)
}

/// What a text shows that it must not: whole IDs, accounts, phones, and (with `words`) income/health words.
fn leaks(text: &str, accounts: &[String], words: bool) -> Vec<String> {
    let mut found = Vec::new();
    let tokens = text.split(|c: char| !c.is_ascii_alphanumeric());
    for t in tokens {
        if t.len() == 18 && jiuzhu::domain::id_number::parse(t).is_ok() {
            found.push(format!("ID number {t}"));
        }
        if t.len() == 11
            && t.starts_with('1')
            && matches!(t.as_bytes()[1], b'3'..=b'9')
            && t.bytes().all(|b| b.is_ascii_digit())
        {
            found.push(format!("phone number {t}"));
        }
    }
    for a in accounts.iter().filter(|a| a.len() >= 8) {
        if text.contains(a.as_str()) {
            found.push(format!("bank account {a}"));
        }
    }
    for w in ["月收入", "残疾", "重病", "艾滋"].into_iter().filter(|_| words) {
        if text.contains(w) {
            found.push(format!("`{w}`"));
        }
    }
    found
}

fn workbook_text(path: &Path) -> String {
    let wb = jiuzhu::sheet::reader::read_workbook(path, jiuzhu::sheet::reader::Encoding::Detect).unwrap();
    let mut all = String::new();
    for s in &wb.sheets {
        all.push_str(&s.name);
        all.push('\n');
        for r in &s.rows {
            for c in r {
                all.push_str(&c.text);
                all.push('|');
            }
            all.push('\n');
        }
    }
    all
}

#[test]
fn public_outputs_and_messages_show_no_private_data() {
    let ws = Ws::new();
    let (said, summaries) = month(&ws);
    let accounts: Vec<String> = ws
        .records::<Case>()
        .iter()
        .map(|c| c.bank_account.to_string())
        .collect();
    assert!(
        accounts.iter().filter(|a| !a.is_empty()).count() > 10,
        "the county's cases have bank accounts"
    );

    let mut problems = Vec::new();
    for leak in leaks(&said, &accounts, false) {
        problems.push(format!("messages: {leak}"));
    }
    for leak in leaks(&summaries, &accounts, true) {
        problems.push(format!("messages of intake/compare/decide: {leak}"));
    }
    let public: Vec<_> = std::fs::read_dir(ws.path("reports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with("notice-") || n.starts_with("goods-") || n.starts_with("summary-")
        })
        .collect();
    assert!(!public.is_empty(), "the month posted a public notice");
    for p in &public {
        for leak in leaks(&workbook_text(p), &accounts, true) {
            problems.push(format!("{}: {leak}", p.display()));
        }
    }
    println!(
        "privacy: {} bytes of messages and {} public workbooks scanned, {} leaks",
        said.len(),
        public.len(),
        problems.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[cfg(unix)]
#[test]
fn files_with_personal_data_are_not_readable_by_others() {
    use std::os::unix::fs::PermissionsExt;
    let ws = Ws::new();
    month(&ws);
    let mut checked = 0;
    let mut open = Vec::new();
    for dir in ["ledgers", "inbox", "reports"] {
        let d = ws.path(dir);
        let mode = std::fs::metadata(&d).unwrap().permissions().mode();
        if mode & 0o007 != 0 {
            open.push(format!("{dir}/ {mode:o}"));
        }
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.file_name().is_some_and(|n| n == ".gitkeep") {
                continue; // empty
            }
            checked += 1;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            if mode & 0o007 != 0 {
                open.push(format!("{} {:o}", p.display(), mode & 0o777));
            }
        }
    }
    println!("permissions: {checked} files checked");
    assert!(checked > 15);
    assert!(open.is_empty(), "readable by others:\n{}", open.join("\n"));
}

/// A tiny seeded generator (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One random edit of one cell of a CSV ledger: a digit changed, a character added or removed, the cell replaced by
/// the same column's value from another row, or two rows swapped. Returns the new bytes (never equal to the old)
/// and what was done.
fn mutate(bytes: &[u8], rng: &mut Rng) -> (Vec<u8>, String) {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes);
    let mut rows: Vec<Vec<String>> = rdr
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    loop {
        let r = 1 + rng.below(rows.len() - 1);
        let c = rng.below(rows[r].len());
        let old = rows[r][c].clone();
        let what;
        match rng.below(4) {
            0 => {
                let digits: Vec<usize> = old
                    .char_indices()
                    .filter(|(_, ch)| ch.is_ascii_digit())
                    .map(|(i, _)| i)
                    .collect();
                if digits.is_empty() {
                    continue;
                }
                let i = digits[rng.below(digits.len())];
                let d = old.as_bytes()[i] - b'0';
                let mut s = old.clone().into_bytes();
                s[i] = b'0' + (d + 1 + rng.below(9) as u8) % 10;
                rows[r][c] = String::from_utf8(s).unwrap();
                what = format!("row {} column {c}: digit changed", r + 1);
            }
            1 => {
                rows[r][c].push(['0', '1', ' ', 'x', '.'][rng.below(5)]);
                what = format!("row {} column {c}: character added", r + 1);
            }
            2 => {
                let other = 1 + rng.below(rows.len() - 1);
                rows[r][c] = rows[other][c].clone();
                what = format!("row {} column {c}: value of row {}", r + 1, other + 1);
            }
            _ => {
                let other = 1 + rng.below(rows.len() - 1);
                rows.swap(r, other);
                what = format!("rows {} and {} swapped", r + 1, other + 1);
            }
        }
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        for row in &rows {
            w.write_record(row).unwrap();
        }
        let new = w.into_inner().unwrap();
        if new != bytes {
            return (new, what);
        }
        // A no-op edit (same value): restore and try again.
        rows = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes)
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
    }
}

/// Hundreds of seeded random edits of events.csv after the month: each is caught — the ledger no longer
/// validates, or the hash chain breaks at the edited event.
#[test]
fn every_edit_of_the_journal_is_caught() {
    let ws = Ws::new();
    month(&ws);
    let original = ws.bytes("ledgers/events.csv");
    let chain = jiuzhu::ledger::parse::<Event>("events.csv", &original).unwrap();
    assert!(verify_chain(&chain).is_none(), "the untouched journal verifies");
    assert!(chain.len() > 20, "{} events", chain.len());
    let seed = 0x7461_6D70_6572_u64;
    let mut rng = Rng(seed);
    let trials = 400;
    let (mut by_validation, mut by_chain) = (0, 0);
    for t in 0..trials {
        let (bytes, what) = mutate(&original, &mut rng);
        match jiuzhu::ledger::parse::<Event>("events.csv", &bytes) {
            Err(_) => by_validation += 1,
            Ok(edited) => {
                assert!(
                    verify_chain(&edited).is_some(),
                    "trial {t} (seed {seed:#x}): `{what}` in events.csv was not caught"
                );
                by_chain += 1;
            }
        }
    }
    println!(
        "tamper: {trials} edits of events.csv, {trials} caught ({by_validation} by validation, {by_chain} by the hash chain)"
    );
}

/// Money and history edits in decisions.csv and events.csv (and the payments, `payments/2026-11.csv`, when disburse has written them) are
/// caught by `jiuzhu audit`: `jiuzhu -C WS audit` exits 0 on the untouched workspace, and 1 (a finding naming the
/// ledger) or 2 (the ledger no longer validates) after every edit.
#[test]
fn audit_catches_every_edit_of_money_or_history() {
    let ws = Ws::new();
    month(&ws);
    assert_exit(&ws.run(&["audit"]), 0);
    let seed = 0x0061_7564_6974_u64;
    let mut rng = Rng(seed);
    let mut caught = 0;
    let ledgers: Vec<&str> = ["decisions.csv", "events.csv", "payments/2026-11.csv"]
        .into_iter()
        .filter(|l| ws.path(&format!("ledgers/{l}")).exists())
        .collect();
    let trials = 300;
    for t in 0..trials {
        let ledger = ledgers[t % ledgers.len()];
        let rel = format!("ledgers/{ledger}");
        let original = ws.bytes(&rel);
        let (bytes, what) = mutate(&original, &mut rng);
        std::fs::write(ws.path(&rel), &bytes).unwrap();
        let out = ws.run(&["audit"]);
        std::fs::write(ws.path(&rel), &original).unwrap();
        assert!(
            matches!(out.status.code(), Some(1 | 2)),
            "trial {t} (seed {seed:#x}): `{what}` in {ledger} was not caught by audit: {}",
            stdout(&out)
        );
        caught += 1;
    }
    println!("audit: {trials} edits, {caught} caught");
}

/// Three messages printed whole numbers: a household key merged down over a second household (the conflicting
/// 联系电话 and 银行账号 of the two, quoted in full), a CSV without its header (the first data row, quoted as the
/// closest header), and a bank file refusing a payee's name (the whole line, account and all; see
/// `tests/disburse.rs`). Each shows the numbers masked by kind now: the rows are named, the clerk has them.
#[test]
fn refusals_of_a_merged_household_key_and_a_headerless_csv_show_no_whole_number() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (id("13019919700101001"), id("13019919750202002"));
    let accounts = vec!["6229530100000000011".to_string(), "6229530100000000099".to_string()];
    let header = "序号,户主身份证号,姓名,身份证号,与户主关系,申请类别,乡镇(街道),村(社区),住址,联系电话,申请日期,开户银行,银行账号";
    let rows = [
        format!(
            "1,{a},张好,{a},户主,城市低保,城关镇,东街社区,东街1号,13800001111,2026-11-02,青禾县农村信用社,{}",
            accounts[0]
        ),
        // The household key merged down from the row above: this household reads as part of 张好's.
        format!(
            ",,李坏,{b},配偶,城市低保,城关镇,东街社区,东街2号,13900002222,2026-11-02,青禾县农村信用社,{}",
            accounts[1]
        ),
    ];
    let merged = dir.path().join("merged.csv");
    std::fs::write(&merged, format!("{header}\n{}\n{}\n", rows[0], rows[1])).unwrap();
    let headerless = dir.path().join("headerless.csv");
    std::fs::write(&headerless, format!("{}\n{}\n", rows[0], rows[1])).unwrap();

    let ws = Ws::new();
    let out = ws.intake_path(&merged);
    assert_exit(&out, 1);
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        said.contains("conflicting 银行账号") && said.contains("conflicting 联系电话"),
        "{said}"
    );
    assert!(
        said.contains("622953*********0011") && said.contains("138****1111"),
        "{said}"
    );
    assert_eq!(leaks(&said, &accounts, false), Vec::<String>::new(), "{said}");

    let out = ws.intake_path(&headerless);
    assert_exit(&out, 2);
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        said.contains("no header row") && said.contains("130199********0015"),
        "{said}"
    );
    assert_eq!(leaks(&said, &accounts, false), Vec::<String>::new(), "{said}");
}
