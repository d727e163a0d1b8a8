//! Shared helpers for the integration tests: a fresh workspace per test, running `jiuzhu`, reading ledgers
//! and the rejects report, and snapshots of the files a step may (or must not) change.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

/// The path of a file under `fixtures/intake/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join("intake")
        .join(name)
}

/// The `jiuzhu` binary built for these tests, with no crash hook set.
pub fn jiuzhu() -> Command {
    let mut cmd = Command::cargo_bin("jiuzhu").expect("the jiuzhu binary is built");
    cmd.env_remove("JIUZHU_CRASH_AT");
    cmd
}

/// A command run under a Chinese locale: `LANG=zh_CN.UTF-8`, LC_ALL and LC_MESSAGES removed.
pub fn zh(mut cmd: Command) -> Command {
    cmd.env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    cmd
}

/// Text of a process's stdout.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Text of a process's stderr.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The first line of a process's stdout (the summary).
pub fn first_line(out: &Output) -> String {
    stdout(out).lines().next().unwrap_or("").to_string()
}

/// Asserts the exit code, showing both streams when it is not the expected one.
#[track_caller]
pub fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "expected exit {code}, got {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        stdout(out),
        stderr(out)
    );
}

/// A workspace made by `jiuzhu init` in a temporary folder, removed when dropped.
pub struct Ws {
    pub dir: TempDir,
}

impl Ws {
    /// `jiuzhu init DIR` in a new temporary folder.
    pub fn new() -> Ws {
        let dir = tempfile::Builder::new()
            .prefix("jiuzhu-test-")
            .tempdir()
            .expect("temp dir");
        let out = jiuzhu().arg("init").arg(dir.path()).output().expect("run jiuzhu init");
        assert_exit(&out, 0);
        Ws { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    /// `jiuzhu -C WS ARGS…`.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_env(args, None)
    }

    /// `jiuzhu -C WS ARGS…` under a Chinese locale (`LANG=zh_CN.UTF-8`, no LC_ALL/LC_MESSAGES).
    pub fn run_zh(&self, args: &[&str]) -> Output {
        zh(jiuzhu())
            .arg("-C")
            .arg(self.root())
            .args(args)
            .output()
            .expect("run jiuzhu")
    }

    /// `jiuzhu -C WS ARGS…` with `JIUZHU_CRASH_AT` set when `crash_at` is given.
    pub fn run_env(&self, args: &[&str], crash_at: Option<&str>) -> Output {
        let mut cmd = jiuzhu();
        cmd.arg("-C").arg(self.root()).args(args);
        if let Some(point) = crash_at {
            cmd.env("JIUZHU_CRASH_AT", point);
        }
        cmd.output().expect("run jiuzhu")
    }

    /// `jiuzhu -C WS intake FIXTURE…` (fixture names under fixtures/intake/).
    pub fn intake(&self, fixtures: &[&str]) -> Output {
        self.intake_with(&[], fixtures)
    }

    /// `jiuzhu -C WS intake OPTIONS… FIXTURE…`.
    pub fn intake_with(&self, options: &[&str], fixtures: &[&str]) -> Output {
        let mut cmd = jiuzhu();
        cmd.arg("-C").arg(self.root()).arg("intake").args(options);
        for f in fixtures {
            cmd.arg(fixture(f));
        }
        cmd.output().expect("run jiuzhu intake")
    }

    /// `jiuzhu -C WS intake PATH` for a file anywhere.
    pub fn intake_path(&self, path: &Path) -> Output {
        jiuzhu()
            .arg("-C")
            .arg(self.root())
            .arg("intake")
            .arg(path)
            .output()
            .expect("run jiuzhu intake")
    }

    /// The rejects report of a register (`reports/intake-rejects-STEM-SHA8.xlsx`), found by its stem.
    pub fn report(&self, stem: &str) -> PathBuf {
        let prefix = format!("intake-rejects-{stem}-");
        let found: Vec<PathBuf> = std::fs::read_dir(self.path("reports"))
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                name.starts_with(&prefix) && name.len() == prefix.len() + 8 + ".xlsx".len()
            })
            .collect();
        assert!(found.len() <= 1, "one report per register: {found:?}");
        found
            .into_iter()
            .next()
            .unwrap_or_else(|| self.path(&format!("reports/{prefix}MISSING.xlsx")))
    }

    /// Writes records as their ledger, the way jiuzhu writes it (sorted, fixed columns) — a hand edit in a test.
    pub fn write_ledger<R: jiuzhu::ledger::Record>(&self, records: &[R]) {
        if R::PARTITIONED {
            // Each partition its file; partitions left with no rows removed.
            let dir = self.path(&format!("ledgers/{}", jiuzhu::ledger::partition::folder::<R>()));
            for f in jiuzhu::ledger::list_csv_files(&dir).unwrap() {
                std::fs::remove_file(dir.join(f)).unwrap();
            }
            std::fs::create_dir_all(&dir).unwrap();
            for (p, bytes) in jiuzhu::ledger::partition::split(records).unwrap() {
                std::fs::write(dir.join(format!("{p}.csv")), bytes).unwrap();
            }
            return;
        }
        std::fs::write(
            self.path(&format!("ledgers/{}", R::FILE)),
            jiuzhu::ledger::to_bytes(records).unwrap(),
        )
        .unwrap();
    }

    /// Records the test's hand edits of the ledgers in the journal (`jiuzhu accept-edits`), as an administrator
    /// would for a change jiuzhu has no step for, so the next step builds on them (a step refuses ledgers that are
    /// not what the journal recorded).
    pub fn accept_edits(&self) {
        let out = self.run(&["accept-edits", "--by", "测试", "--reason", "the test's scenario"]);
        assert_exit(&out, 0);
    }

    /// A workspace file as text (panics when missing).
    pub fn read(&self, rel: &str) -> String {
        let p = self.path(rel);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
    }

    /// A workspace file's bytes (panics when missing).
    pub fn bytes(&self, rel: &str) -> Vec<u8> {
        let p = self.path(rel);
        std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
    }

    /// `ledgers/NAME` as text. `payments.csv`, kept in partitions (`ledgers/payments/2026-11.csv`), is given
    /// as the one file it would be: every partition's rows in key order under one header.
    pub fn ledger(&self, name: &str) -> String {
        if name == <jiuzhu::ledger::Payment as jiuzhu::ledger::Record>::FILE
            && !self.path("ledgers/payments.csv").exists()
        {
            let rows = self.records::<jiuzhu::ledger::Payment>();
            return String::from_utf8(jiuzhu::ledger::to_bytes(&rows).unwrap()).unwrap();
        }
        self.read(&format!("ledgers/{name}"))
    }

    /// The records of a ledger, parsed (and validated) by jiuzhu's own ledger reader (every partition of a
    /// partitioned one, joined in key order).
    pub fn records<R: jiuzhu::ledger::Record>(&self) -> Vec<R> {
        if R::PARTITIONED {
            return jiuzhu::ledger::read::<R>(&Dir(self.root().to_path_buf()))
                .unwrap_or_else(|e| panic!("ledgers/{} does not read: {e:#}", R::FILE));
        }
        let bytes = self.bytes(&format!("ledgers/{}", R::FILE));
        jiuzhu::ledger::parse::<R>(R::FILE, &bytes)
            .unwrap_or_else(|e| panic!("ledgers/{} does not parse: {e:#}", R::FILE))
    }

    /// Every file under `ledgers/`.
    pub fn ledgers(&self) -> BTreeMap<String, Vec<u8>> {
        snapshot(&self.path("ledgers"), &[])
    }

    /// Every file under `reports/`.
    pub fn reports(&self) -> BTreeMap<String, Vec<u8>> {
        snapshot(&self.path("reports"), &[])
    }

    /// The whole workspace (files and folders) except `.git/` and the paths in `except`.
    pub fn tree(&self, except: &[&str]) -> BTreeMap<String, Vec<u8>> {
        let mut skip = vec![".git"];
        skip.extend_from_slice(except);
        snapshot(self.root(), &skip)
    }
}

/// Every file under `dir` (relative path → bytes), and every folder (relative path + `/` → empty), skipping the
/// relative paths in `skip`. A missing `dir` is empty.
pub fn snapshot(dir: &Path, skip: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    walk(dir, dir, skip, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, skip: &[&str], out: &mut BTreeMap<String, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let entry = entry.expect("dir entry");
        let path = entry.path();
        let rel = path
            .strip_prefix(root)
            .expect("under root")
            .to_string_lossy()
            .replace('\\', "/");
        if skip.contains(&rel.as_str()) {
            continue;
        }
        if entry.file_type().expect("file type").is_dir() {
            out.insert(format!("{rel}/"), Vec::new());
            walk(root, &path, skip, out);
        } else {
            out.insert(rel, std::fs::read(&path).expect("read file"));
        }
    }
}

/// Asserts two snapshots are equal, naming the paths that differ rather than dumping bytes.
#[track_caller]
pub fn assert_same_files(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>, what: &str) {
    let mut diffs = Vec::new();
    for (k, v) in before {
        match after.get(k) {
            None => diffs.push(format!("removed {k}")),
            Some(w) if w != v => diffs.push(format!("changed {k}")),
            _ => {}
        }
    }
    for k in after.keys().filter(|k| !before.contains_key(*k)) {
        diffs.push(format!("added {k}"));
    }
    assert!(diffs.is_empty(), "{what}: {}", diffs.join(", "));
}

/// One row of the rejects report: (sheet row number as in the register, the report's other cells as text).
#[derive(Debug, Clone)]
pub struct ReportRow {
    pub row: usize,
    pub cells: Vec<String>,
}

impl ReportRow {
    /// All cells joined, for "mentions" checks.
    pub fn text(&self) -> String {
        self.cells.join(" | ")
    }
}

/// Reads a rejects workbook with jiuzhu's own reader: for each sheet, its data rows (below the header row whose
/// first cell starts with `文件`), each with the register row number from the `行 row` column.
pub fn read_report(path: &Path) -> Vec<(String, Vec<ReportRow>)> {
    let wb = jiuzhu::sheet::reader::read_workbook(path, jiuzhu::sheet::reader::Encoding::Detect)
        .unwrap_or_else(|e| panic!("cannot read the report {}: {e:#}", path.display()));
    wb.sheets
        .iter()
        .map(|sheet| {
            let header_at = sheet
                .rows
                .iter()
                .position(|r| r.first().is_some_and(|c| c.text.starts_with("文件")))
                .unwrap_or_else(|| panic!("report sheet {} has no header row", sheet.name));
            let header: Vec<&str> = sheet.rows[header_at].iter().map(|c| c.text.as_str()).collect();
            let row_col = header
                .iter()
                .position(|h| h.starts_with("行"))
                .unwrap_or_else(|| panic!("report sheet {} has no 行 column: {header:?}", sheet.name));
            let rows = sheet.rows[header_at + 1..]
                .iter()
                .filter(|r| r.iter().any(|c| !c.is_blank()))
                .map(|r| {
                    let cell = r.get(row_col).map(|c| c.text.clone()).unwrap_or_default();
                    let row = cell
                        .parse::<f64>()
                        .unwrap_or_else(|_| panic!("row number `{cell}` in report sheet {}", sheet.name))
                        as usize;
                    ReportRow {
                        row,
                        cells: r.iter().map(|c| c.text.clone()).collect(),
                    }
                })
                .collect();
            (sheet.name.clone(), rows)
        })
        .collect()
}

/// An 18-character ID number with a correct check character, from its 17 leading digits.
pub fn id(first17: &str) -> String {
    let check = jiuzhu::domain::id_number::check_character(first17).expect("17 digits");
    format!("{first17}{check}")
}

/// The header of a per-member register, as the county's template has it.
pub const PER_MEMBER_HEADER: &str =
    "序号,户主身份证号,姓名,身份证号,与户主关系,申请类别,乡镇(街道),村(社区),住址,联系电话,\
申请日期,户籍类型,开户银行,银行账号,致困原因,月收入(元),残疾等级,重病,在校,劳动能力,提供材料";

/// One row of a per-member register CSV, by the fields a test cares about (others blank).
#[derive(Debug, Clone, Default)]
pub struct RegRow<'a> {
    pub serial: &'a str,
    pub key: &'a str,
    pub name: &'a str,
    pub id: &'a str,
    pub relation: &'a str,
    pub scheme: &'a str,
    pub township: &'a str,
    pub village: &'a str,
    pub address: &'a str,
    pub applied_on: &'a str,
    pub hardship: &'a str,
    pub income: &'a str,
}

impl RegRow<'_> {
    /// The row as CSV (fields quoted, quotes doubled).
    pub fn csv(&self) -> String {
        let fields = [
            self.serial,
            self.key,
            self.name,
            self.id,
            self.relation,
            self.scheme,
            self.township,
            self.village,
            self.address,
            "",
            self.applied_on,
            "",
            "",
            "",
            self.hardship,
            self.income,
            "",
            "",
            "",
            "",
            "",
        ];
        fields
            .iter()
            .map(|f| format!("\"{}\"", f.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Writes a UTF-8 per-member register CSV (header + rows, CRLF like Excel's export) into `dir` and returns its path.
pub fn write_register(dir: &Path, name: &str, rows: &[RegRow<'_>]) -> PathBuf {
    let mut text = String::from(PER_MEMBER_HEADER);
    text.push_str("\r\n");
    for r in rows {
        text.push_str(&r.csv());
        text.push_str("\r\n");
    }
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write register csv");
    path
}

/// Copies a folder and everything under it (a workspace fixture to work on).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// Reads a worksheet's cells as text, lets `edit` change them, and saves the result as a new xlsx — what a clerk
/// filling it in Excel or WPS hands back.
pub fn refill(src: &Path, dst: &Path, edit: impl Fn(&mut Vec<Vec<String>>)) {
    let wb = jiuzhu::sheet::reader::read_workbook(src, jiuzhu::sheet::reader::Encoding::Detect).unwrap();
    let mut grid: Vec<Vec<String>> = wb.sheets[0]
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.text.clone()).collect())
        .collect();
    edit(&mut grid);
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(&wb.sheets[0].name).unwrap();
    for (r, row) in grid.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r as u32, c as u16, v).unwrap();
            }
        }
    }
    book.save(dst).unwrap();
}

/// Lines of a run's stdout and stderr that slipped into English (see `jiuzhu::i18n::english_words`), each with
/// the English words found in it; empty when every line a Chinese user reads is Chinese.
pub fn english_lines(out: &Output) -> Vec<String> {
    let mut found = Vec::new();
    for line in stdout(out).lines().chain(stderr(out).lines()) {
        let words = jiuzhu::i18n::english_words(line);
        if !words.is_empty() {
            found.push(format!("{line}    <- {}", words.join(" ")));
        }
    }
    found
}

/// Asserts that a run under a Chinese locale printed no English sentence.
#[track_caller]
pub fn assert_chinese(out: &Output) {
    let found = english_lines(out);
    assert!(
        found.is_empty(),
        "English reached a Chinese user:\n{}",
        found.join("\n")
    );
}

/// A workspace folder as jiuzhu's ledger reader reads it (no lock, nothing written).
pub struct Dir(pub PathBuf);

impl jiuzhu::ledger::Store for Dir {
    type Bytes = Vec<u8>;
    fn read_ledger(&self, rel: &Path) -> anyhow::Result<Option<Vec<u8>>> {
        match std::fs::read(self.0.join(rel)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
    fn list_ledgers(&self, rel: &Path) -> anyhow::Result<Vec<String>> {
        jiuzhu::ledger::list_csv_files(&self.0.join(rel))
    }
}

/// Whether git can run here; prints a note when it cannot (a Git test then passes without checking anything).
pub fn have_git() -> bool {
    let ok = std::process::Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("note: git is not installed; skipping this Git test");
    }
    ok
}

/// `git ARGS…` in `dir`, isolated from the machine's system and global config, with a test identity, and the
/// `jiuzhu` under test first on PATH (as on a machine where it is installed); must succeed.
pub fn git(dir: &Path, args: &[&str]) -> Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_jiuzhu")).parent().unwrap().to_path_buf();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    git_with_path(dir, args, &path)
}

/// [`git`] with a given PATH (e.g. one without `jiuzhu`).
pub fn git_with_path(dir: &Path, args: &[&str], path: &str) -> Output {
    let out = std::process::Command::new("git")
        .args(["-c", "user.name=Test Clerk", "-c", "user.email=clerk@example.invalid"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("PATH", path)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// [`git`]'s standard output.
pub fn git_text(dir: &Path, args: &[&str]) -> String {
    String::from_utf8_lossy(&git(dir, args).stdout).into_owned()
}

/// `jiuzhu -C DIR ARGS…` with Git isolated from the machine's config and no identity in the environment (as on a
/// clerk's machine where Git was never set up).
pub fn jz(dir: &Path, args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    jiuzhu()
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("HOME", home.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("EMAIL")
        .env_remove("GIT_AUTHOR_NAME")
        .env_remove("GIT_AUTHOR_EMAIL")
        .env_remove("GIT_COMMITTER_NAME")
        .env_remove("GIT_COMMITTER_EMAIL")
        .output()
        .expect("run jiuzhu")
}
