//! Git integration: `jiuzhu diff` (keyed, cell-level; table and daff formats; `REV:PATH`), `jiuzhu cat` as the
//! workbook textconv `jiuzhu init` registers, `--commit` after a writing step, and the hand-edit warning.
//!
//! Every test runs in temporary folders. When `git` is not installed the Git-dependent tests print a note and
//! pass without checking anything.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn commit_all(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

fn commit_count(dir: &Path) -> usize {
    let out = Command::new("git")
        .args(["rev-list", "--count", "HEAD"])
        .current_dir(dir)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(0)
}

const CASES_A: &str = "case_id,scheme,status,applicant_name,village\n\
C1,urban_dibao,received,张三,东街社区\n\
C2,urban_dibao,received,李四,东街社区\n\
C3,tekun,verified,王五,西岭村\n\
C4,rural_dibao,verified,赵六,西岭村\n";

const CASES_B: &str = "case_id,scheme,status,applicant_name,village\n\
C1,urban_dibao,verified,张三,东街社区\n\
C3,tekun,verified,王五,西岭村\n\
C4,rural_dibao,verified,赵六,北山村\n\
C5,temporary,received,\"钱,七\",东街社区\n";

#[test]
fn diff_of_two_ledgers_shows_added_removed_and_changed_cells() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("old")).unwrap();
    std::fs::write(dir.path().join("old/cases.csv"), CASES_A).unwrap();
    std::fs::write(dir.path().join("cases.csv"), CASES_B).unwrap();
    let out = jz(dir.path(), &["diff", "old/cases.csv", "cases.csv"]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains("1 added, 1 removed, 2 changed, 1 unchanged row (key: case_id)"),
        "{text}"
    );
    // Changed cells, old → new, under their row's key.
    assert!(
        text.lines()
            .any(|l| l.trim() == "C1       status   received → verified"),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.trim() == "C4       village  西岭村 → 北山村"),
        "{text}"
    );
    // The added and the removed row with their cells.
    let added = text.split("added (1 row):").nth(1).expect("an added section");
    assert!(added.contains("C5") && added.contains("钱,七"), "{text}");
    let removed = text.split("removed (1 row):").nth(1).expect("a removed section");
    assert!(removed.contains("C2") && removed.contains("李四"), "{text}");
    assert!(!removed.contains("C5"), "{text}");

    // Rows in another order are the same rows: the key, not the position, matches them.
    let shuffled: String = {
        let mut lines: Vec<&str> = CASES_A.lines().collect();
        lines[1..].reverse();
        lines.join("\n") + "\n"
    };
    std::fs::write(dir.path().join("shuffled.csv"), shuffled).unwrap();
    let out = jz(
        dir.path(),
        &["diff", "old/cases.csv", "shuffled.csv", "--key", "case_id"],
    );
    assert_exit(&out, 0);
    assert!(stdout(&out).starts_with("no differences"), "{}", stdout(&out));
}

#[test]
fn identical_ledgers_exit_0_and_a_missing_file_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.csv"), CASES_A).unwrap();
    std::fs::write(dir.path().join("b.csv"), CASES_A.replace('\n', "\r\n")).unwrap();
    let out = jz(dir.path(), &["diff", "a.csv", "b.csv"]);
    assert_exit(&out, 0);
    let out = jz(dir.path(), &["-q", "diff", "a.csv", "a.csv"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "");
    let out = jz(dir.path(), &["diff", "a.csv", "missing.csv"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("REV:PATH"), "{}", stderr(&out));
    // A key column that is not there is an error that says how to give one.
    let out = jz(dir.path(), &["diff", "--key", "id_number", "a.csv", "b.csv"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("--key"), "{}", stderr(&out));
}

#[test]
fn daff_format_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.csv"), CASES_A).unwrap();
    std::fs::write(dir.path().join("b.csv"), CASES_B).unwrap();
    let out = jz(
        dir.path(),
        &["diff", "--format", "daff", "--key", "case_id", "a.csv", "b.csv"],
    );
    assert_exit(&out, 1);
    assert_eq!(
        stdout(&out),
        "@@,case_id,scheme,status,applicant_name,village\n\
->,C1,urban_dibao,received->verified,张三,东街社区\n\
---,C2,urban_dibao,received,李四,东街社区\n\
...,...,...,...,...,...\n\
->,C4,rural_dibao,verified,赵六,西岭村->北山村\n\
+++,C5,temporary,received,\"钱,七\",东街社区\n"
    );

    // Columns added and removed: a schema row (`!`) marks them.
    std::fs::write(dir.path().join("c.csv"), "case_id,status,note\nC1,received,x\n").unwrap();
    std::fs::write(dir.path().join("d.csv"), "case_id,status,phone\nC1,verified,123\n").unwrap();
    let out = jz(dir.path(), &["diff", "--format", "daff", "c.csv", "d.csv"]);
    assert_exit(&out, 1);
    assert_eq!(
        stdout(&out),
        "!,,,---,+++\n@@,case_id,status,note,phone\n->,C1,received->verified,x,123\n"
    );
}

#[test]
fn members_are_keyed_by_case_and_id_number() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.csv"),
        "case_id,id_number,name\nC1,110,张三\nC1,111,张小三\nC2,110,张三\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("new")).unwrap();
    std::fs::write(
        dir.path().join("new/members.csv"),
        "case_id,id_number,name\nC1,110,张三\nC1,111,张晓三\nC2,110,张三\n",
    )
    .unwrap();
    let out = jz(dir.path(), &["diff", "--format", "daff", "a.csv", "new/members.csv"]);
    assert_exit(&out, 1);
    assert_eq!(
        stdout(&out),
        "@@,case_id,id_number,name\n...,...,...,...\n->,C1,111,张小三->张晓三\n...,...,...,...\n"
    );
}

#[test]
fn rev_path_diffs_a_ledger_against_its_history() {
    if !have_git() {
        return;
    }
    let ws = Ws::new();
    std::fs::write(ws.path("ledgers/cases.csv"), CASES_A).unwrap();
    commit_all(ws.root(), "first");
    std::fs::write(ws.path("ledgers/cases.csv"), CASES_B).unwrap();
    commit_all(ws.root(), "second");

    let out = jz(
        ws.root(),
        &[
            "diff",
            "--format",
            "daff",
            "HEAD~1:ledgers/cases.csv",
            "HEAD:ledgers/cases.csv",
        ],
    );
    assert_exit(&out, 1);
    assert!(
        stdout(&out).contains("->,C1,urban_dibao,received->verified,"),
        "{}",
        stdout(&out)
    );
    let out = jz(ws.root(), &["diff", "HEAD~1:ledgers/cases.csv", "ledgers/cases.csv"]);
    assert_exit(&out, 1);
    assert!(
        stdout(&out).contains("1 added, 1 removed, 2 changed"),
        "{}",
        stdout(&out)
    );
    let out = jz(ws.root(), &["diff", "HEAD:ledgers/cases.csv", "ledgers/cases.csv"]);
    assert_exit(&out, 0);
    // From a folder inside the workspace, paths are relative to it, as for the file side.
    let out = jz(&ws.path("ledgers"), &["diff", "HEAD~1:cases.csv", "cases.csv"]);
    assert_exit(&out, 1);
    // A revision that does not exist is an error naming it.
    let out = jz(ws.root(), &["diff", "HEAD~5:ledgers/cases.csv", "ledgers/cases.csv"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("HEAD~5:ledgers/cases.csv"), "{}", stderr(&out));
}

/// A one-sheet workbook from rows of text cells.
fn write_xlsx(path: &Path, sheet: &str, rows: &[&[&str]]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    book.save(path).unwrap();
}

#[test]
fn git_diff_of_a_workbook_shows_changed_cells() {
    if !have_git() {
        return;
    }
    let ws = Ws::new();
    assert!(
        ws.read(".gitattributes").contains("*.xlsx diff=jiuzhu-xlsx"),
        "{}",
        ws.read(".gitattributes")
    );
    assert!(
        ws.read(".gitattributes").contains("ledgers/*.csv text eol=lf"),
        "{}",
        ws.read(".gitattributes")
    );
    // By command name, found on PATH where the history is read, never a build folder's path.
    let textconv = git_text(ws.root(), &["config", "--get", "diff.jiuzhu-xlsx.textconv"]);
    assert!(textconv.contains("jiuzhu cat \"$1\""), "{textconv}");
    assert!(
        !textconv.contains(env!("CARGO_BIN_EXE_jiuzhu")),
        "no build path in the driver: {textconv}"
    );
    assert_eq!(
        git_text(ws.root(), &["config", "--get", "diff.jiuzhu-xlsx.binary"]).trim(),
        "true"
    );

    let book = ws.path("reports/名单.xlsx");
    write_xlsx(
        &book,
        "名单",
        &[
            &["姓名", "村(社区)", "金额"],
            &["张三", "东街社区", "820.00"],
            &["李四", "西岭村", "410.00"],
        ],
    );
    commit_all(ws.root(), "a workbook");
    write_xlsx(
        &book,
        "名单",
        &[
            &["姓名", "村(社区)", "金额"],
            &["张三", "东街社区", "910.00"],
            &["李四", "西岭村", "410.00"],
        ],
    );
    let diff = git_text(ws.root(), &["diff", "--", "reports/名单.xlsx"]);
    assert!(diff.contains("-2 | 张三 | 东街社区 | 820.00"), "{diff}");
    assert!(diff.contains("+2 | 张三 | 东街社区 | 910.00"), "{diff}");
    assert!(!diff.contains("Binary files"), "{diff}");

    // `jiuzhu cat` itself, and `jiuzhu diff` of the two versions of the workbook.
    let out = jz(ws.root(), &["cat", "reports/名单.xlsx"]);
    assert_exit(&out, 0);
    assert_eq!(
        stdout(&out),
        "== sheet 名单\n1 | 姓名 | 村(社区) | 金额\n2 | 张三 | 东街社区 | 910.00\n3 | 李四 | 西岭村 | 410.00\n"
    );
    let out = jz(ws.root(), &["diff", "HEAD:reports/名单.xlsx", "reports/名单.xlsx"]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(text.contains("sheet 名单: 0 added, 0 removed, 1 changed"), "{text}");
    assert!(text.contains("金额    820.00 → 910.00"), "{text}");
}

#[test]
fn commit_after_intake_makes_one_commit_naming_the_step_and_input_hash() {
    if !have_git() {
        return;
    }
    let ws = Ws::new();
    // Something a person staged elsewhere in the repository is not swept into jiuzhu's commit.
    std::fs::write(ws.path("notes.txt"), "my notes\n").unwrap();
    git(ws.root(), &["add", "notes.txt"]);

    let register = fixture("per-member-utf8bom.csv");
    let sha = jiuzhu::ledger::events::sha256_hex(&std::fs::read(&register).unwrap());
    let reg = register.to_str().unwrap();
    let out = jz(ws.root(), &["--commit", "intake", reg]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert!(stdout(&out).contains("committed "), "{}", stdout(&out));
    assert_eq!(commit_count(ws.root()), 1);
    let message = git_text(ws.root(), &["log", "-1", "--format=%B"]);
    assert!(message.starts_with("jiuzhu intake: "), "{message}");
    assert!(message.contains(&sha), "the input's sha256 {sha} in:\n{message}");
    assert!(message.contains("per-member-utf8bom.csv"), "{message}");
    // A repository without an identity gets jiuzhu's.
    let author = git_text(ws.root(), &["log", "-1", "--format=%an <%ae>"]);
    assert_eq!(author.trim(), "jiuzhu <jiuzhu@localhost>");
    // Exactly the workspace's folders and policy; notes.txt stays staged, uncommitted.
    let files = git_text(ws.root(), &["show", "--name-only", "--format=", "HEAD"]);
    assert!(files.lines().any(|f| f == "ledgers/cases.csv"), "{files}");
    assert!(files.lines().any(|f| f == "ledgers/events.csv"), "{files}");
    assert!(files.lines().any(|f| f.starts_with("inbox/")), "{files}");
    assert!(files.lines().any(|f| f == "jiuzhu.yaml"), "{files}");
    assert!(
        files
            .lines()
            .all(|f| ["ledgers/", "reports/", "inbox/", "archive/", "jiuzhu.yaml"]
                .iter()
                .any(|p| f.starts_with(p))),
        "{files}"
    );
    let status = git_text(ws.root(), &["status", "--porcelain"]);
    assert!(status.lines().any(|l| l == "A  notes.txt"), "{status}");
    assert!(!status.contains("ledgers/"), "{status}");

    // The same register again changes nothing: no event, no commit, and no hand-edit warning.
    let out = jz(ws.root(), &["--commit", "intake", reg]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert!(stdout(&out).contains("nothing to commit"), "{}", stdout(&out));
    assert!(!stderr(&out).contains("uncommitted"), "{}", stderr(&out));
    assert_eq!(commit_count(ws.root()), 1);
}

#[test]
fn the_policy_can_ask_for_commits() {
    if !have_git() {
        return;
    }
    let ws = Ws::new();
    let mut policy = ws.read("jiuzhu.yaml");
    policy.push_str("\ngit:\n  commit: true\n");
    std::fs::write(ws.path("jiuzhu.yaml"), policy).unwrap();
    let out = jz(
        ws.root(),
        &["intake", fixture("per-member-utf8bom.csv").to_str().unwrap()],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert_eq!(commit_count(ws.root()), 1);
    // A dry run is not a writing step: nothing to commit, nothing said about it.
    let out = jz(
        ws.root(),
        &["intake", "--dry-run", fixture("per-member.xlsx").to_str().unwrap()],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert_eq!(commit_count(ws.root()), 1);
}

#[test]
fn commit_outside_a_repository_warns_and_keeps_the_exit_code() {
    if !have_git() {
        return;
    }
    let ws = Ws::new();
    std::fs::remove_dir_all(ws.path(".git")).unwrap();
    let reg = fixture("per-member-utf8bom.csv");
    // The exit code the step gives without --commit, in a twin workspace.
    let twin = Ws::new();
    let expected = jz(twin.root(), &["intake", reg.to_str().unwrap()]).status.code();
    let out = jz(ws.root(), &["--commit", "intake", reg.to_str().unwrap()]);
    assert_eq!(out.status.code(), expected, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: --commit: nothing was committed")
            && stderr(&out).contains("not in a Git repository"),
        "{}",
        stderr(&out)
    );
}

/// A hand edit of a committed ledger stops the next step before it builds on it (exit 2, nothing written),
/// naming the file, the row by its key (the ID number masked) and the column, from the version the journal
/// recorded in the workspace's Git history. Restored, the step runs; accepted with who and why, it runs too and
/// the journal keeps the change, which audit lists (J104). jiuzhu's own writes not yet committed are no hand
/// edits: nothing is said about them.
#[test]
fn a_hand_edit_stops_the_next_step_naming_row_and_column() {
    if !have_git() {
        return;
    }
    let ws = Ws::new();
    let reg = fixture("per-member-utf8bom.csv");
    let out = jz(ws.root(), &["--commit", "intake", reg.to_str().unwrap()]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    // A step's uncommitted writes are not warned about.
    let out = jz(ws.root(), &["verify", "--as-of", "2026-11-20"]);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let out = jz(ws.root(), &["--commit", "verify", "--as-of", "2026-11-20"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));

    // A hand edit of a member's name.
    let members = ws.read("ledgers/members.csv");
    let edited = members.replacen("张", "章", 1);
    assert_ne!(edited, members, "the fixture has a 张 to edit");
    std::fs::write(ws.path("ledgers/members.csv"), &edited).unwrap();
    let edited_row = edited.lines().find(|l| l.contains('章')).unwrap();
    let case_id = edited_row.split(',').next().unwrap();
    let id = edited_row.split(',').nth(1).unwrap();

    let before = ws.tree(&[".jiuzhu"]);
    let out = jz(ws.root(), &["verify", "--as-of", "2026-11-21"]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("ledgers/members.csv is not what the journal recorded"),
        "{err}"
    );
    assert!(
        err.contains(&format!("case_id+id_number {case_id}+{}", &id[..6])) && err.contains(": name changed"),
        "{err}"
    );
    assert!(!err.contains(id), "no whole ID number in the message:\n{err}");
    assert!(err.contains("jiuzhu accept-edits"), "{err}");
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "a refused step");

    // Accepted by name and with a reason: the journal keeps the change; the step runs; audit lists it.
    let out = jz(
        ws.root(),
        &["accept-edits", "--by", "王芳", "--reason", "姓名依户口簿更正"],
    );
    assert_exit(&out, 0);
    let journal = ws.read("ledgers/events.csv");
    let accepted = journal
        .lines()
        .find(|l| l.contains(",accept-edits,"))
        .expect("the event");
    assert!(
        accepted.contains("王芳") && accepted.contains("members.csv") && accepted.contains("name changed"),
        "{accepted}"
    );
    let out = jz(ws.root(), &["verify", "--as-of", "2026-11-21"]);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = jz(ws.root(), &["audit", "journal"]);
    assert!(stdout(&out).contains("J104 warning"), "{}", stdout(&out));
}

/// `jiuzhu init` inside another Git repository (the README's walk-through run from the source tree) makes the
/// workspace a repository of its own: the outer repository never takes the ledgers into its history, and
/// `--commit` commits only in the workspace's repository.
#[test]
fn init_inside_another_repository_keeps_the_ledgers_out_of_it() {
    if !have_git() {
        return;
    }
    let outer = tempfile::tempdir().unwrap();
    git(outer.path(), &["init", "-q"]);
    let out = jz(outer.path(), &["init", "county"]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("a Git repository of its own"), "{}", stdout(&out));
    let ws = outer.path().join("county");
    assert!(ws.join(".git").exists());
    let reg = fixture("per-member-utf8bom.csv");
    let out = jz(&ws, &["--commit", "intake", reg.to_str().unwrap()]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert!(commit_count(&ws) >= 1);
    git(outer.path(), &["add", "-A"]);
    let files = git_text(outer.path(), &["ls-files"]);
    assert!(
        !files.contains("ledgers/"),
        "the outer repository took ledgers:\n{files}"
    );
}

/// An auditor clones a workspace and sets the clone up in one line (`jiuzhu init --here`): ledgers then diff cell
/// by cell, workbooks as their cells, Chinese file names unescaped. Where jiuzhu is not installed, `git log -p`
/// still works and says how to see a workbook.
#[test]
fn an_auditors_clone_reads_the_history_cell_by_cell() {
    if !have_git() {
        return;
    }
    let ws = Ws::new();
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("城关镇-申请登记.csv");
    std::fs::copy(fixture("per-member-utf8bom.csv"), &reg).unwrap();
    let out = jz(ws.root(), &["--commit", "intake", reg.to_str().unwrap()]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let out = jz(ws.root(), &["--commit", "verify", "--as-of", "2026-11-20"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let parent = tempfile::tempdir().unwrap();
    git(parent.path(), &["clone", "-q", ws.root().to_str().unwrap(), "clone"]);
    let clone = parent.path().join("clone");

    // Before the setup: history readable, workbooks binary, names escaped.
    let names = git_text(&clone, &["log", "--name-only", "--format="]);
    assert!(names.contains("\\"), "escaped before the setup:\n{names}");

    let out = jz(&clone, &["init", "--here"]);
    assert_exit(&out, 0);
    let names = git_text(&clone, &["log", "--name-only", "--format="]);
    assert!(names.contains("城关镇-申请登记"), "{names}");
    assert!(!names.contains("\\"), "unescaped after the setup:\n{names}");
    // A status change of verify, as a changed cell.
    let words = git_text(
        &clone,
        &["log", "-p", "--word-diff", "-n", "1", "--", "ledgers/cases.csv"],
    );
    assert!(words.contains("[-received-]{+needs_info+}"), "{words}");
    // A workbook, as its cells.
    let log = git_text(&clone, &["log", "-p", "-n", "1", "--", "reports/"]);
    assert!(log.contains("== sheet"), "{log}");
    assert!(!log.contains("Binary files"), "{log}");
    // No tracked file was touched by the setup.
    assert_eq!(git_text(&clone, &["status", "--porcelain"]), "");

    // Where jiuzhu is not installed, `git log -p` does not fail.
    let out = git_with_path(&clone, &["log", "-p", "-n", "1", "--", "reports/"], "/usr/bin:/bin");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("install jiuzhu to see its cells"), "{text}");
}

/// A workspace folder with nothing in it (`archive/` before anything is archived, its `.gitkeep` removed) does not
/// make the commit fail — Git knows no empty folder — and under Chinese the line that names the commit is
/// Chinese (the commit message itself is English, as the journal is).
#[test]
fn commit_with_an_empty_workspace_folder_and_under_chinese() {
    if !have_git() {
        return;
    }
    let ws = Ws::new();
    for sub in ["archive", "reports", "inbox"] {
        let _ = std::fs::remove_file(ws.path(&format!("{sub}/.gitkeep")));
    }
    let register = fixture("per-member-utf8bom.csv");
    let home = tempfile::tempdir().unwrap();
    let out = jiuzhu()
        .arg("-C")
        .arg(ws.root())
        .args(["--lang", "zh", "--commit", "intake", register.to_str().unwrap()])
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert_chinese(&out);
    assert!(stdout(&out).contains("已提交 "), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(commit_count(ws.root()), 1);
}
