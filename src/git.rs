//! Git plumbing: reading a file as it was at a revision, finding the version of a ledger jiuzhu recorded, registering the workbook
//! textconv driver, and committing the workspace's files (`commit_workspace`; the `--commit` after a step is `cmd::commit`). Everything goes through the `git` program
//! (`std::process::Command`); no library, no network.
//!
//! What jiuzhu may commit is fixed: the workspace's own folders and policy ([`WORKSPACE_PATHS`]). Files a person
//! staged elsewhere in the repository are never swept into a jiuzhu commit.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{anyhow, bail, Context, Result};

use crate::policy::POLICY_FILE;

/// The workspace paths a `--commit` stages and commits (relative to the workspace root).
pub const WORKSPACE_PATHS: &[&str] = &["ledgers", "reports", "inbox", "archive", POLICY_FILE];

/// The diff driver `jiuzhu init` registers for workbooks (`*.xlsx diff=jiuzhu-xlsx` in `.gitattributes`).
pub const XLSX_DRIVER: &str = "jiuzhu-xlsx";

/// The identity a commit falls back to when the repository has none (no `user.name` / `user.email`).
pub const FALLBACK_NAME: &str = "jiuzhu";
pub const FALLBACK_EMAIL: &str = "jiuzhu@localhost";

/// `git ARGS…` run in `dir`; `Err` only when git cannot be started at all.
pub(crate) fn git(dir: &Path, args: &[&str]) -> std::io::Result<Output> {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        // Never prompt (credentials, editors): jiuzhu runs in scripts.
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
}

/// `git ARGS…` in `dir` that must succeed; the error quotes git's own message.
pub(crate) fn git_ok(dir: &Path, args: &[&str]) -> Result<Output> {
    let out = git(dir, args).map_err(|e| not_installed(&e))?;
    if !out.status.success() {
        bail!(
            "`git {}` failed in {}: {}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(out)
}

fn not_installed(e: &std::io::Error) -> anyhow::Error {
    anyhow!("git is not installed or not on PATH ({e}); install Git to use jiuzhu's Git features")
}

/// Whether the `git` program can be run.
pub fn available() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The top folder of the Git repository `dir` is in, or `None` (not in a repository, or git missing).
pub fn toplevel(dir: &Path) -> Option<PathBuf> {
    let out = git(dir, &["rev-parse", "--show-toplevel"]).ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    Some(PathBuf::from(text.trim_end_matches(['\n', '\r'])))
}

/// The bytes of `path` at revision `rev` (`git show REV:PATH`), run in `dir`.
///
/// A path is first taken relative to `dir` (as the other side of a `jiuzhu diff` is), then, if that names
/// nothing, relative to the repository's top folder (as git itself reads `REV:PATH`).
pub fn show(dir: &Path, rev: &str, path: &str) -> Result<Vec<u8>> {
    let out = git(dir, &["rev-parse", "--is-inside-work-tree"]).map_err(|e| not_installed(&e))?;
    if !out.status.success() {
        bail!(
            "{rev}:{path}: {} is not in a Git repository, so there is no revision {rev} to read from",
            dir.display()
        );
    }
    let mut tries = Vec::new();
    if !path.starts_with("./") && !path.starts_with("../") && !path.starts_with('/') {
        tries.push(format!("{rev}:./{path}"));
    }
    tries.push(format!("{rev}:{path}"));
    let mut last_err = String::new();
    for spec in &tries {
        let out = git(dir, &["show", spec]).map_err(|e| not_installed(&e))?;
        if out.status.success() {
            return Ok(out.stdout);
        }
        last_err = String::from_utf8_lossy(&out.stderr).trim().to_string();
    }
    bail!("cannot read {rev}:{path} from Git: {last_err}")
}

/// A version of a workspace file, from the workspace's Git history, whose bytes have the given SHA-256: the
/// file as jiuzhu recorded it, to say what changed since. Looks at the index and the last 50 commits that
/// touched the file; `None` outside Git, without Git, or when no version matches.
pub fn version_with_sha256(root: &Path, rel: &str, sha256: &str) -> Option<Vec<u8>> {
    let out = git(root, &["log", "--format=%H", "-n", "50", "--", rel]).ok()?;
    if !out.status.success() {
        return None;
    }
    let mut revs = vec![String::new()]; // the index (`:path`)
    revs.extend(String::from_utf8_lossy(&out.stdout).lines().map(str::to_string));
    revs.into_iter().find_map(|rev| {
        let out = git(root, &["show", &format!("{rev}:./{rel}")]).ok()?;
        (out.status.success() && crate::ledger::events::sha256_hex(&out.stdout) == sha256).then_some(out.stdout)
    })
}

/// Registers jiuzhu's diff drivers in the repository `dir` is in (its local config): `jiuzhu-xlsx` shows a
/// workbook's cells (textconv `jiuzhu cat`, binary otherwise), `jiuzhu-csv` diffs a ledger's words cell by cell
/// (`git diff --word-diff`), the difftool `jiuzhu` runs `jiuzhu diff`, and `core.quotepath=false` shows Chinese file
/// names as they are. The commands name `jiuzhu` as found on PATH, never a build folder, so a clone on another
/// machine works; where `jiuzhu` is not installed, the textconv prints a line saying so instead of failing
/// `git log -p`. Returns the textconv command.
pub fn register_drivers(dir: &Path) -> Result<String> {
    let command = TEXTCONV.to_string();
    for (key, value) in [
        (format!("diff.{XLSX_DRIVER}.textconv"), command.as_str()),
        (format!("diff.{XLSX_DRIVER}.binary"), "true"),
        // A cell: a quoted field (with doubled quotes) or a run of anything but commas.
        ("diff.jiuzhu-csv.wordRegex".to_string(), r#""([^"]|"")*"|[^,"]+"#),
        ("difftool.jiuzhu.cmd".to_string(), r#"jiuzhu diff "$LOCAL" "$REMOTE""#),
        ("difftool.prompt".to_string(), "false"),
        ("core.quotepath".to_string(), "false"),
    ] {
        git_ok(dir, &["config", &key, value])?;
    }
    Ok(command)
}

/// The workbook textconv: `jiuzhu cat FILE` when `jiuzhu` is on PATH, else a line saying how to get it (git runs
/// textconv commands with `sh`, the file's path appended).
pub const TEXTCONV: &str =
    "f() { if command -v jiuzhu >/dev/null 2>&1; then jiuzhu cat \"$1\"; else echo \"(a workbook: \
install jiuzhu to see its cells, e.g. cargo install --path . in jiuzhu's source)\"; fi; }; f";

/// Adds to the clone's own `.git/info/attributes` (not tracked) the lines of `text` that are in effect nowhere
/// yet: neither in that file nor in `tracked` (the workspace's `.gitattributes`, which a clone already has). Run
/// again, or after `jiuzhu init`, it adds nothing.
pub fn add_local_attributes(dir: &Path, text: &str, tracked: &str) -> Result<()> {
    let out = git_ok(dir, &["rev-parse", "--git-path", "info/attributes"])?;
    let rel = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let path = dir.join(rel);
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    let Some(out) = with_missing_lines(&existing, text, &[tracked]) else {
        return Ok(());
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&path, out).with_context(|| format!("cannot write {}", path.display()))
}

/// Whether Git ignores `path` (relative to `root`; a folder ends in `/`) in the repository `root` is in, by any of
/// its rules (`.gitignore`, `.git/info/exclude`, the user's global excludes). `false` outside a repository.
pub fn ignores(root: &Path, path: &str) -> bool {
    git(root, &["check-ignore", "-q", "--", path]).is_ok_and(|o| o.status.success())
}

/// Adds to the repository's own `.git/info/exclude` (not tracked, not cloned) the lines of `text` it lacks.
pub fn add_local_excludes(root: &Path, text: &str) -> Result<()> {
    let out = git_ok(root, &["rev-parse", "--git-path", "info/exclude"])?;
    let rel = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let path = root.join(rel);
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    let Some(out) = with_missing_lines(&existing, text, &[]) else {
        return Ok(());
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&path, out).with_context(|| format!("cannot write {}", path.display()))
}

/// `file` (the text of a `.gitignore` / `.gitattributes`-like file) with the rules of `block` it lacks appended,
/// or `None` when it lacks none. A rule counts as there when `file` or one of `also` has the same line (spaces
/// aside), so each rule is written once whatever the order of calls and whatever else the file holds. `block` is
/// made of sections, each its comment lines and then its rules: a section whose rules are all there is left out,
/// and of the others only the missing rules are written, under their comments (those not in `file` already).
pub fn with_missing_lines(file: &str, block: &str, also: &[&str]) -> Option<String> {
    fn norm(line: &str) -> String {
        line.split_whitespace().collect::<Vec<_>>().join(" ")
    }
    let present: std::collections::BTreeSet<String> = std::iter::once(file)
        .chain(also.iter().copied())
        .flat_map(str::lines)
        .map(norm)
        .filter(|l| !l.is_empty())
        .collect();
    let in_file: std::collections::BTreeSet<String> = file.lines().map(norm).collect();
    let mut sections: Vec<(Vec<&str>, Vec<&str>)> = Vec::new();
    for line in block.lines().filter(|l| !l.trim().is_empty()) {
        let comment = line.trim_start().starts_with('#');
        if sections.last().is_none_or(|(_, rules)| comment && !rules.is_empty()) {
            sections.push((Vec::new(), Vec::new()));
        }
        if let Some((comments, rules)) = sections.last_mut() {
            if comment {
                comments.push(line);
            } else {
                rules.push(line);
            }
        }
    }
    let mut added = String::new();
    for (comments, rules) in sections {
        let missing: Vec<&str> = rules.into_iter().filter(|r| !present.contains(&norm(r))).collect();
        if missing.is_empty() {
            continue;
        }
        for line in comments
            .into_iter()
            .filter(|c| !in_file.contains(&norm(c)))
            .chain(missing)
        {
            added.push_str(line);
            added.push('\n');
        }
    }
    if added.is_empty() {
        return None;
    }
    let mut out = file.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&added);
    Some(out)
}

/// What `--commit` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Committed {
    /// A commit was made: its short hash and subject.
    Commit { hash: String, subject: String },
    /// The step appended no step-run event, or left the workspace files as committed.
    Nothing,
}

/// Whether `path` is a file or a folder with a file somewhere under it: Git knows no empty folder, and a
/// pathspec naming one (an `archive/` with nothing archived yet) makes `git commit` fail.
fn holds_a_file(path: &Path) -> bool {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => std::fs::read_dir(path)
            .map(|d| d.filter_map(|e| e.ok()).any(|e| holds_a_file(&e.path())))
            .unwrap_or(false),
        Ok(_) => true,
        Err(_) => false,
    }
}

/// Stages the workspace paths ([`WORKSPACE_PATHS`]) and commits exactly them with `message`. Other staged
/// files in the repository stay staged and uncommitted. Uses a fallback identity only when the repository
/// has none.
pub fn commit_workspace(root: &Path, message: &str) -> Result<Committed> {
    let Some(top) = toplevel(root) else {
        if !available() {
            bail!(
                "{}",
                crate::i18n::tr(
                    "git is not installed or not on PATH: install Git to commit the steps",
                    "未安装 git (或不在 PATH 中): 请安装 Git 后再提交各步骤",
                )
            );
        }
        bail!(
            "{}",
            crate::i18n::tr(
                format!("{} is not in a Git repository (run `git init` there)", root.display()),
                format!("{} 不在 Git 仓库中 (请在那里运行 `git init`)", root.display()),
            )
        );
    };
    // Only ever the workspace's own repository: an outer one must not take the ledgers into its history.
    let same = |a: &Path, b: &Path| a.canonicalize().ok() == b.canonicalize().ok();
    if !same(&top, root) {
        bail!(
            "{}",
            crate::i18n::tr(
                format!(
                    "{} is inside the Git repository at {}, not a repository of its own; nothing was committed (the \
                     ledgers must not enter that repository's history): run `git init` in the workspace",
                    root.display(),
                    top.display()
                ),
                format!(
                    "{} 位于 {} 的 Git 仓库之内, 不是独立的仓库; 未提交任何内容 (台账不能进入该仓库的历史): 请在工作区中运行 `git init`",
                    root.display(),
                    top.display()
                )
            )
        );
    }
    let paths: Vec<&str> = WORKSPACE_PATHS
        .iter()
        .copied()
        .filter(|p| holds_a_file(&root.join(p)) || tracked(root, p))
        .collect();
    if paths.is_empty() {
        return Ok(Committed::Nothing);
    }
    let mut add = vec!["add", "-A", "--"];
    add.extend(&paths);
    git_ok(root, &add).context("cannot stage the step's files")?;
    let mut quiet = vec!["diff", "--cached", "--quiet", "--"];
    quiet.extend(&paths);
    let out = git(root, &quiet).map_err(|e| not_installed(&e))?;
    match out.status.code() {
        Some(0) => return Ok(Committed::Nothing),
        Some(1) => {}
        _ => bail!(
            "`git diff --cached` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
    }
    let mut args: Vec<String> = Vec::new();
    if !has_config(root, "user.name") && std::env::var_os("GIT_COMMITTER_NAME").is_none() {
        args.extend(["-c".into(), format!("user.name={FALLBACK_NAME}")]);
    }
    if !has_config(root, "user.email")
        && std::env::var_os("GIT_COMMITTER_EMAIL").is_none()
        && std::env::var_os("EMAIL").is_none()
    {
        args.extend(["-c".into(), format!("user.email={FALLBACK_EMAIL}")]);
    }
    args.extend(["commit", "-q", "-m", message, "--"].map(String::from));
    args.extend(paths.iter().map(|p| p.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    git_ok(root, &args).context("cannot commit the step")?;
    let hash = git_ok(root, &["rev-parse", "--short", "HEAD"])?;
    Ok(Committed::Commit {
        hash: String::from_utf8_lossy(&hash.stdout).trim().to_string(),
        subject: message.lines().next().unwrap_or_default().to_string(),
    })
}

pub(crate) fn has_config(root: &Path, key: &str) -> bool {
    git(root, &["config", "--get", key]).is_ok_and(|o| o.status.success() && !o.stdout.trim_ascii().is_empty())
}

pub(crate) fn tracked(root: &Path, path: &str) -> bool {
    git(root, &["ls-files", "--error-unmatch", "--", path]).is_ok_and(|o| o.status.success())
}

#[cfg(test)]
mod tests {
    use super::with_missing_lines;

    const BLOCK: &str =
        "# ledgers\nledgers/*.csv text eol=lf\nledgers/**/*.csv text eol=lf\n# workbooks\n*.xlsx diff=x\n";

    #[test]
    fn a_file_that_has_every_rule_is_left_as_it_is() {
        assert_eq!(with_missing_lines(BLOCK, BLOCK, &[]), None);
        // Comments and spacing aside, and in another order.
        let other = "*.xlsx   diff=x\nledgers/**/*.csv text eol=lf\nmine\nledgers/*.csv text eol=lf";
        assert_eq!(with_missing_lines(other, BLOCK, &[]), None);
        // Or when the rules are in effect from another file.
        assert_eq!(with_missing_lines("", BLOCK, &[BLOCK]), None);
    }

    #[test]
    fn only_the_missing_rules_are_added_under_their_comments() {
        assert_eq!(with_missing_lines("", BLOCK, &[]).as_deref(), Some(BLOCK));
        let old = "# ledgers\nledgers/*.csv text eol=lf";
        assert_eq!(
            with_missing_lines(old, BLOCK, &[]).as_deref(),
            Some("# ledgers\nledgers/*.csv text eol=lf\nledgers/**/*.csv text eol=lf\n# workbooks\n*.xlsx diff=x\n")
        );
        // A rule already in effect elsewhere is not repeated; its section's comment goes with the other rule.
        let out = with_missing_lines("mine\n", BLOCK, &["*.xlsx diff=x\nledgers/*.csv text eol=lf\n"]);
        assert_eq!(out.as_deref(), Some("mine\n# ledgers\nledgers/**/*.csv text eol=lf\n"));
        // Applied twice, the second adds nothing.
        let once = with_missing_lines("mine", BLOCK, &[]).unwrap();
        assert_eq!(with_missing_lines(&once, BLOCK, &[]), None);
    }
}
