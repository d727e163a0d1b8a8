//! `bench/report.py` on a bench that ran a county's second month (2026-12, a running county's): its steps in a
//! table of their own, the Git growth of each month reported separately, the Git target judged on the second
//! month, and where its growth goes by ledger file. Fed made-up measurements; needs `python3`, as the bench does.

use std::path::Path;
use std::process::Command;

#[test]
fn the_report_gives_the_second_month_its_table_its_git_growth_and_its_target() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 is not installed: bench/report.py not tested here (the bench needs it)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let rows = [
        ("intake", "1.50", 0),
        ("verify", "1.90", 1),
        ("audit", "1.80", 0),
        ("m2_generate", "0.90", 0),
        ("m2_intake", "0.60", 0),
        ("m2_followups", "0.70", 0),
        ("m2_decide", "1.25", 1),
        ("m2_disburse", "0.45", 0),
        ("m2_audit", "1.00", 0),
    ];
    let text: String = rows
        .iter()
        .map(|(step, wall, rc)| format!("county\t{step}\tjiuzhu\t{wall}\t409600\t{rc}\n"))
        .collect();
    std::fs::write(work.join("results-county.tsv"), text).unwrap();
    std::fs::write(work.join("git-county.txt"), "30413\n").unwrap();
    std::fs::write(work.join("git2-county.txt"), "7168\n").unwrap();
    std::fs::write(
        work.join("paid2-county.txt"),
        "disburse 2026-12: 40100 payments, 57000000.00; 0 not paid\n",
    )
    .unwrap();
    std::fs::write(
        work.join("git2-files-county.tsv"),
        "path\tpacked_growth_bytes\tzlib6_before\tzlib6_after\n\
         ledgers/events.csv\t3145728\t11534336\t14680064\n\
         (trees and commits)\t2048\t\t\n\
         ledgers/payments/2026-11.csv\t-1048576\t2097152\t2097152\n",
    )
    .unwrap();
    let out = tmp.path().join("RESULTS.md");
    let status = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/report.py"))
        .arg(&work)
        .arg(&out)
        .arg("bench/run.sh county")
        .arg(env!("CARGO_BIN_EXE_jiuzhu"))
        .status()
        .unwrap();
    assert!(status.success());
    let md = std::fs::read_to_string(&out).unwrap();
    let has = |line: &str| assert!(md.lines().any(|l| l == line), "no line `{line}` in\n{md}");
    // The first month's total leaves the second month's steps out; the second month has its own table and total.
    has("| **the month** (intake … audit, as present) | **5.20** | | 400 (peak) | | — | | — | | — | — |");
    has("### county: the second month (2026-12), a running county's");
    has("| intake --kind followups (回访, the changes found) | 0.70 | 1 | 400 | 0 | — | — | — | — | — | — |");
    has("| **the second month** (intake … audit, as present) | **4.00** | | 400 (peak) | | — | | — | | — | — |");
    has("Paid in the second month (county): `disburse 2026-12: 40100 payments, 57000000.00; 0 not paid`");
    has("The first month adds 29.7 MiB to a packed Git repository of the ledgers; the second, a running county's month, adds 7.0 MiB (county).");
    has("| county month (the second, a running county's) adds to packed Git < a third of 29.9 MiB (9.97 MiB) | yes | 7.0 MiB |");
    has("| county m2_decide < 1 s | **no** | 1.25 s |");
    has("| `ledgers/events.csv` | 3072.0 | 11264.0 | 14336.0 |");
    has("| `ledgers/payments/2026-11.csv` | -1024.0 | 2048.0 | 2048.0 |");
    has("| `(trees and commits)` | 2.0 |  |  |");
    assert!(!md.contains("The month adds"), "{md}");
}
