//! `jiuzhu init [DIR]` — a new workspace: the policy (a commented, realistic template), the folders, Git
//! settings, and a Git repository when the folder is not in one already.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::i18n::tr;
use crate::policy::Policy;
use crate::workspace::{POLICY_FILE, STATE_DIR};
use crate::Outcome;

/// The policy a new workspace starts from (a fictional county; edit it before real use).
pub const POLICY_TEMPLATE: &str = include_str!("../../templates/jiuzhu.yaml");

const GITIGNORE: &str = "# jiuzhu's private state (lock, staging of an unfinished step)\n.jiuzhu/\n";
const GITATTRIBUTES: &str = "# Ledgers are text: LF endings, diffed line by line.\nledgers/*.csv text eol=lf\n\
# Workbooks are diffed as text by `jiuzhu cat` (the diff driver is set in the repository's config by `jiuzhu init`).\n\
*.xlsx diff=jiuzhu-xlsx\n*.xls diff=jiuzhu-xlsx\n*.ods diff=jiuzhu-xlsx\n";

pub fn run(dir: &Path, quiet: bool) -> Result<Outcome> {
    if dir.join(POLICY_FILE).exists() {
        bail!(
            "{} is already a jiuzhu workspace ({POLICY_FILE} exists); nothing was changed",
            dir.display()
        );
    }
    // The template must always load: a fresh workspace that fails its own policy check would be a bug.
    Policy::parse(POLICY_TEMPLATE, POLICY_FILE).context("the built-in policy template is invalid")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for sub in ["ledgers", "inbox", "reports", "archive", STATE_DIR] {
        // Private: these folders will hold households' personal data.
        crate::workspace::create_private_dir_all(&dir.join(sub))
            .with_context(|| format!("cannot create {}", dir.join(sub).display()))?;
    }
    for sub in ["ledgers", "inbox", "reports", "archive"] {
        let keep = dir.join(sub).join(".gitkeep");
        if !keep.exists() {
            std::fs::write(&keep, "")?;
        }
    }
    append_once(&dir.join(".gitignore"), GITIGNORE)?;
    append_once(&dir.join(".gitattributes"), GITATTRIBUTES)?;
    std::fs::write(dir.join(POLICY_FILE), POLICY_TEMPLATE)
        .with_context(|| format!("cannot write {}", dir.join(POLICY_FILE).display()))?;
    let git = git_init(dir);
    if !matches!(git, GitInit::NoGit) {
        // `git diff` / `git log -p` of a workbook show its cells (textconv `jiuzhu cat`).
        if let Err(e) = crate::git::register_textconv(dir) {
            crate::errln!("warning: workbooks will diff as binary: cannot register the jiuzhu-xlsx diff driver: {e:#}");
        }
    }
    if !quiet {
        let git = match git {
            GitInit::Created => tr(" (new Git repository)", " (新建 Git 仓库)"),
            GitInit::Existing => tr(" (inside an existing Git repository)", " (位于已有的 Git 仓库中)"),
            GitInit::NoGit => tr(
                " (git not found: ledgers are not versioned until you run `git init`)",
                " (未找到 git: 运行 `git init` 之前台账不受版本管理)",
            ),
        };
        // Named from where the user is: the policy to edit, and the folder to intake in (REGISTER.xlsx is read
        // there, as the user would expect of a path typed after `cd`).
        let policy = match crate::ui::dir_from_here(dir) {
            Some(d) => format!("{d}/{POLICY_FILE}"),
            None => POLICY_FILE.to_string(),
        };
        let cd = crate::ui::cd_to(dir);
        crate::outln!(
            "{}",
            tr(
                format!(
                    "initialised jiuzhu workspace in {}{git}\n  next: edit {policy} for your county, then \
                     `{cd}jiuzhu intake REGISTER.xlsx`",
                    dir.display()
                ),
                format!(
                    "已在 {} 创建 jiuzhu 工作区{git}\n  下一步: 按本县情况修改 {policy}, 然后 \
                     `{cd}jiuzhu intake 申请登记表.xlsx`",
                    dir.display()
                )
            )
        );
    }
    Ok(Outcome::Done)
}

fn append_once(path: &Path, text: &str) -> Result<()> {
    let existing = std::fs::read_to_string(path).unwrap_or_default();
    if existing.contains(text.trim_end()) {
        return Ok(());
    }
    let mut out = existing;
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(text);
    std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))
}

enum GitInit {
    Created,
    Existing,
    NoGit,
}

fn git_init(dir: &Path) -> GitInit {
    let inside = Command::new("git")
        .args(["rev-parse", "--is-inside-work-tree"])
        .current_dir(dir)
        .output();
    match inside {
        Err(_) => GitInit::NoGit,
        Ok(o) if o.status.success() => GitInit::Existing,
        Ok(_) => match Command::new("git").args(["init", "-q"]).current_dir(dir).status() {
            Ok(s) if s.success() => GitInit::Created,
            _ => GitInit::NoGit,
        },
    }
}
