//! `docs/ledgers.md` is held to the code: every ledger has its section, and each section's table names exactly
//! the ledger's columns, in the order they are written.

use jiuzhu::ledger::events::Event;
use jiuzhu::ledger::*;

/// Every ledger: its file and its columns, from the record types themselves.
fn ledgers() -> Vec<(&'static str, &'static [&'static str])> {
    macro_rules! all {
        ($($t:ty),* $(,)?) => { vec![$((<$t>::FILE, <$t>::COLUMNS)),*] };
    }
    all!(
        Case,
        Member,
        Source,
        Event,
        Check,
        jiuzhu::ledger::PolicyValues,
        Visit,
        Extension,
        Match,
        Decision,
        Notice,
        Meeting,
        Payment,
        Batch,
        Goods,
        SpotCheck,
        ChangeReport,
        ArchiveEntry,
        Followup,
        Complaint,
        Discovery,
        Investigation,
        Referral,
        Monitored,
        Confirmation,
        Recovery,
    )
}

/// The column names of the table in the section headed `## \`FILE\``: the backticked names of each row's first
/// cell, in order.
fn documented(doc: &str, file: &str) -> Option<Vec<String>> {
    let head = format!("## `{file}`");
    let start = doc.lines().position(|l| l.starts_with(&head))?;
    let mut cols = Vec::new();
    for line in doc.lines().skip(start + 1).take_while(|l| !l.starts_with("## ")) {
        let Some(first) = line.strip_prefix('|').and_then(|r| r.split('|').next()) else {
            continue;
        };
        let first = first.trim();
        if first == "column" || first.starts_with("---") {
            continue;
        }
        cols.extend(first.split(',').filter_map(|c| {
            let c = c.trim();
            c.strip_prefix('`')?.strip_suffix('`').map(str::to_string)
        }));
    }
    Some(cols)
}

#[test]
fn every_ledger_is_documented_with_its_columns_in_order() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ledgers.md")).unwrap();
    let listed = ledgers();
    for file in LEDGER_FILES {
        assert!(
            listed.iter().any(|(f, _)| f == file),
            "{file} is missing from this test's list"
        );
    }
    let mut wrong = Vec::new();
    for (file, columns) in listed {
        match documented(&doc, file) {
            None => wrong.push(format!("{file}: no section `## \\`{file}\\``")),
            Some(cols) if cols != columns => {
                wrong.push(format!("{file}:\n  documented {cols:?}\n  written    {columns:?}"))
            }
            Some(_) => {}
        }
    }
    assert!(
        wrong.is_empty(),
        "docs/ledgers.md does not match the ledgers:\n{}",
        wrong.join("\n")
    );
}
