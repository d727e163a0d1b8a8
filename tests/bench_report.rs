//! `bench/report.py`, which turns the bench's measurements into `bench/RESULTS.md`: medians of the runs, the
//! ratios to the peers, the growth from county to province and each target met or not. Fed made-up
//! measurements (nothing is timed here); needs `python3`, as the bench itself does.

use std::path::Path;
use std::process::Command;

/// A results file's rows: size, step, tool, wall seconds, peak RSS in KiB, exit code.
fn write_results(dir: &Path, size: &str, rows: &[(&str, &str, &str, &str, i32)]) {
    let text: String = rows
        .iter()
        .map(|(step, tool, wall, rss, rc)| format!("{size}\t{step}\t{tool}\t{wall}\t{rss}\t{rc}\n"))
        .collect();
    std::fs::write(dir.join(format!("results-{size}.tsv")), text).unwrap();
}

#[test]
fn the_report_takes_medians_ratios_growth_and_judges_each_target() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 is not installed: bench/report.py not tested here (the bench needs it)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    std::fs::write(work.join("measured-commit"), "abc1234\n").unwrap();
    write_results(
        &work,
        "county",
        &[
            ("intake", "jiuzhu", "0.80", "409600", 0),
            ("intake", "jiuzhu", "0.95", "419840", 0),
            ("intake", "jiuzhu", "2.50", "430080", 0),
            ("intake", "duckdb", "1.90", "300000", 0),
            ("intake", "pandas", "4.75", "200000", 0),
            ("verify", "jiuzhu", "1.20", "563200", 1),
            ("compare", "jiuzhu", "0.50", "150000", 1),
            ("resolve", "jiuzhu", "0.20", "120000", 0),
            ("decide", "jiuzhu", "0.90", "320000", 1),
            ("record", "jiuzhu", "0.40", "300000", 0),
            ("effective", "jiuzhu", "0.30", "300000", 1),
            ("disburse", "jiuzhu", "0.30", "170000", 0),
            ("audit", "jiuzhu", "0.70", "500000", 0),
            ("intake_xlsx", "jiuzhu", "1.00", "360000", 0),
            ("intake_xlsx", "pandas", "12.00", "220000", 0),
            ("intake_xlsx", "duckdb", "1.50", "80000", 3),
            ("xlsx_write", "jiuzhu", "1.40", "140000", 0),
        ],
    );
    write_results(
        &work,
        "province",
        &[
            ("intake", "jiuzhu", "19.00", "2000000", 0),
            ("intake", "duckdb", "20.00", "3000000", 0),
            ("intake", "pandas", "100.00", "2000000", 0),
            ("compare", "jiuzhu", "20.00", "2400000", 1),
            ("compare", "duckdb", "3.00", "800000", 0),
        ],
    );
    std::fs::write(
        work.join("paid-county.txt"),
        "disburse 2026-11: 40180 payments, 57371586.00; 0 not paid\n",
    )
    .unwrap();
    std::fs::write(work.join("git-county.txt"), "30686\n").unwrap();
    let out = tmp.path().join("RESULTS.md");
    let status = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/report.py"))
        .arg(&work)
        .arg(&out)
        .arg("bench/run.sh both")
        .arg(env!("CARGO_BIN_EXE_jiuzhu"))
        .status()
        .unwrap();
    assert!(status.success());
    let md = std::fs::read_to_string(&out).unwrap();
    let has = |line: &str| assert!(md.lines().any(|l| l == line), "no line `{line}` in\n{md}");
    assert!(md.contains("(commit abc1234)"), "{md}");
    // The median of three runs, their spread, the highest RSS; ratios are the peer's time ÷ jiuzhu's.
    has("| intake of the CSV registers | 0.95 | 3 (0.80–2.50) | 420 | 0 | 1.90 | 293 | 4.75 | 195 | 2.0× | 5.0× |");
    // A peer that failed (DuckDB without its excel extension) has no figure and no ratio.
    has("| intake of the 100k-row xlsx | 1.00 | 1 | 352 | 0 | — | — | 12.00 | 215 | — | 12.0× |");
    has("| county intake < 1 s | yes | 0.95 s |");
    has("| county verify < 1 s | **no** | 1.20 s |");
    // The month is every step a county runs: hits resolved, proposals, the meeting, in force, paid, audited.
    has("| **the month** (intake … audit, as present) | **5.45** | | 550 (peak) | | 1.90 | | 4.75 | | 0.3× | 0.9× |");
    has("| county whole month no slower than DuckDB's (its steps that have a peer) | **no** | 5.45 s vs 1.90 s |");
    has("| county record < 1 s | yes | 0.40 s |");
    has("Paid in the month (county): `disburse 2026-11: 40180 payments, 57371586.00; 0 not paid`");
    has("The month adds 30.0 MiB to a packed Git repository of the ledgers (county).");
    has("| xlsx read of 100k rows ≥ 10× faster than pandas.read_excel | yes | 1.00 s vs 12.00 s (jiuzhu's includes the whole intake) |");
    has("| xlsx write of 100k rows < 3 s | yes | 1.40 s |");
    has("| province intake no slower than DuckDB | yes | 19.00 s vs 20.00 s |");
    has("| province compare no slower than DuckDB | **no** | 20.00 s vs 3.00 s |");
    has("| province intake peak RSS < 1 GiB | **no** | 1953 MiB |");
    has("| province whole month < 60 s | yes | 39.00 s |");
    // Growth: 20× the households; µs per household at each size.
    has("| intake of the CSV registers | 0.95 | 19.00 | 20.0× | 19 → 19 |");
}
