//! `jiuzhu archive`: a refused household's dossier, its manifest and index; `archive verify` catching one flipped
//! byte; `archive purge` removing nothing before retention or without --yes, and recording what it removed.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use jiuzhu::ledger::events::Event;
use jiuzhu::ledger::{ArchiveEntry, Case, CaseStatus};

const HEADER: &str = "序号,户主身份证号,姓名,身份证号,与户主关系,申请类别,乡镇(街道),村(社区),住址,联系电话,申请日期,\
户籍类型,开户银行,银行账号,致困原因,月收入(元),残疾等级,重病,在校,劳动能力,提供材料";
const ALL: &str = "身份证、户口簿、申请书、授权书、收入证明";

fn poor() -> String {
    id("13019919800101001")
}
fn rich() -> String {
    id("13019919600202002")
}

fn register(dir: &Path) -> PathBuf {
    let row = |n: &str, h: &str, name: &str, income: &str| {
        format!(
            "{n},{h},{name},{h},户主,城市低保,城关镇,东街社区,东街{n}号,13800000000,2026-11-02,,青禾县农村信用社,\
             62295301000000000{n}1,困难,{income},,,,有,{ALL}"
        )
    };
    let text = format!(
        "{HEADER}\n{}\n{}\n",
        row("1", &poor(), "张一", "300"),
        row("2", &rich(), "钱二", "5000")
    );
    let path = dir.join("register.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// One household approved, one refused (income above the standard) through the real commands.
fn decided() -> Ws {
    let ws = Ws::new();
    assert_exit(&ws.intake_path(&register(ws.root())), 0);
    let mut visits = String::from("案件编号,调查日期,调查人,调查情况,签字,调查层级\n");
    for c in ws.records::<Case>() {
        visits.push_str(&format!("{},2026-11-10,张伟、李娜,属实,是,村\n", c.case_id));
        visits.push_str(&format!("{},2026-11-12,王强、刘洋,复核属实,是,乡镇\n", c.case_id));
    }
    std::fs::write(ws.path("visits.csv"), visits).unwrap();
    let v = ws.path("visits.csv");
    let out = ws.run(&["verify", "--as-of", "2026-11-13", "--visits", v.to_str().unwrap()]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert_exit(&ws.run(&["decide", "--period", "2026-11"]), 1);
    let dst = ws.path("meeting.xlsx");
    refill(&ws.path("reports/review-meeting-2026-11.xlsx"), &dst, |g| {
        let head = g
            .iter()
            .position(|r| r.first().is_some_and(|c| c == "决定编号"))
            .unwrap();
        for row in g.iter_mut().skip(head + 1) {
            row.resize(13, String::new());
            row[11] = "同意".into();
        }
    });
    let out = ws.run(&[
        "decide",
        "--record",
        dst.to_str().unwrap(),
        "--meeting",
        "审批会 第11号",
        "--date",
        "2026-11-20",
    ]);
    assert_exit(&out, 0);
    assert_exit(&ws.run(&["decide", "--period", "2026-11", "--as-of", "2026-11-28"]), 0);
    ws
}

fn refused_case(ws: &Ws) -> Case {
    let c = ws
        .records::<Case>()
        .into_iter()
        .find(|c| c.applicant_id_number.as_str() == rich())
        .unwrap();
    assert_eq!(c.status, CaseStatus::Rejected, "{c:#?}");
    c
}

#[test]
fn a_closed_case_is_archived_verified_and_purged_only_after_retention() {
    let ws = decided();
    let c = refused_case(&ws);

    let out = ws.run(&["archive"]);
    assert_exit(&out, 0);
    let dir = format!("archive/2026/{}", c.case_id);
    assert!(stdout(&out).contains(&dir), "{}", stdout(&out));
    let index = ws.records::<ArchiveEntry>();
    assert_eq!(index.len(), 1, "only the closed case: {index:#?}");
    let e = &index[0];
    assert_eq!(
        (e.case_id.as_str(), e.year, e.path.as_str()),
        (c.case_id.as_str(), 2026, dir.as_str())
    );
    assert_eq!(
        e.closed_on.to_string(),
        "2026-11-20",
        "the date of the meeting that refused it"
    );
    assert_eq!(e.retain_until.to_string(), "2031-11-20", "five years");
    for f in [
        "cases.csv",
        "members.csv",
        "sources.csv",
        "checks.csv",
        "visits.csv",
        "decisions.csv",
        "events.csv",
    ] {
        let text = ws.read(&format!("{dir}/{f}"));
        let header = ws.ledger(f).lines().next().unwrap().to_string();
        assert!(text.starts_with(&header), "{f} keeps the ledger's header");
        assert!(text.lines().count() > 1, "{f} holds the case's rows:\n{text}");
        assert!(
            text.lines().skip(1).all(|l| l.contains(&c.case_id)),
            "{f} holds only the case's rows:\n{text}"
        );
    }
    let manifest = ws.read(&format!("{dir}/MANIFEST.csv"));
    assert!(manifest.starts_with("file,bytes,rows,sha256\n"), "{manifest}");
    assert!(
        manifest.contains("dossier.xlsx,") && manifest.contains("DOSSIER.csv,"),
        "{manifest}"
    );
    assert!(ws.path(&format!("{dir}/dossier.xlsx")).exists());

    // Re-running archives nothing new.
    let before = ws.tree(&[".jiuzhu"]);
    assert_exit(&ws.run(&["archive"]), 0);
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "a second archive");

    // Verify: clean, then one flipped byte is named.
    assert_exit(&ws.run(&["archive", "verify"]), 0);
    let target = ws.path(&format!("{dir}/members.csv"));
    let mut bytes = std::fs::read(&target).unwrap();
    let last = bytes.len() - 2;
    bytes[last] ^= 0x01;
    std::fs::write(&target, &bytes).unwrap();
    let out = ws.run(&["archive", "verify"]);
    assert_exit(&out, 1);
    assert!(
        stdout(&out).contains(&format!("{dir}/members.csv changed")),
        "{}",
        stdout(&out)
    );
    bytes[last] ^= 0x01;
    std::fs::write(&target, &bytes).unwrap();
    assert_exit(&ws.run(&["archive", "verify"]), 0);

    // Purge before retention removes nothing.
    let out = ws.run(&["archive", "purge", "--as-of", "2031-11-20", "--yes"]);
    assert_exit(&out, 0);
    assert!(ws.path(&dir).exists());
    // After retention, without --yes: listed, nothing removed, exit 1.
    let before = ws.tree(&[".jiuzhu"]);
    let out = ws.run(&["archive", "purge", "--as-of", "2031-12-01"]);
    assert_exit(&out, 1);
    assert!(
        stdout(&out).contains(&dir) && stdout(&out).contains("--yes"),
        "{}",
        stdout(&out)
    );
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "purge without --yes");
    // With --yes: removed and recorded.
    let out = ws.run(&["archive", "purge", "--as-of", "2031-12-01", "--yes"]);
    assert_exit(&out, 0);
    assert!(!ws.path(&dir).exists());
    let e = &ws.records::<ArchiveEntry>()[0];
    assert_eq!(e.status, "purged");
    assert!(
        e.note.contains("2031-12-01") && e.note.contains("2031-11-20"),
        "{}",
        e.note
    );
    let events = ws.records::<Event>();
    // The purge's event, then the seal of the ledgers after it.
    assert_eq!(events.last().unwrap().step, "seal");
    let last = &events[events.len() - 2];
    assert_eq!(last.step, "archive");
    assert!(last.detail.contains(&dir), "{}", last.detail);
    assert_exit(&ws.run(&["archive", "verify"]), 0);
    // The audit still holds.
    let out = ws.run(&["audit"]);
    assert!(!stdout(&out).contains("J1"), "{}", stdout(&out));
}

#[test]
fn closing_a_year_archives_dormant_cases_but_not_recipients() {
    let ws = decided();
    let out = ws.run(&["archive", "--year", "2025"]);
    assert_exit(&out, 0);
    assert!(
        !ws.path("ledgers/archive_index.csv").exists(),
        "nothing happened in 2025"
    );
    assert_exit(&ws.run(&["archive", "--year", "2026"]), 0);
    let index = ws.records::<ArchiveEntry>();
    assert_eq!(index.len(), 1, "the effective recipient is not archived: {index:#?}");
    assert_eq!(index[0].case_id, refused_case(&ws).case_id);
}

#[test]
fn a_retention_below_five_years_is_refused_naming_the_key() {
    let ws = Ws::new();
    let policy = ws.read("jiuzhu.yaml") + "\narchive:\n  retention_years: 3\n";
    std::fs::write(ws.path("jiuzhu.yaml"), policy).unwrap();
    let out = ws.run(&["archive"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("archive.retention_years"), "{}", stderr(&out));
}
