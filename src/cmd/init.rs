//! `jiuzhu init [DIR]` — a new workspace: the policy (a commented, realistic template), the folders, Git
//! settings, and a Git repository when the folder is not in one already.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::cmd::cli::{examples, Ctx};
use crate::i18n::tr;
use crate::policy::Policy;
use crate::workspace::{POLICY_FILE, STATE_DIR};
use crate::Outcome;

/// The policy a new workspace starts from (a fictional county; edit it before real use).
pub const POLICY_TEMPLATE: &str = include_str!("../../templates/jiuzhu.yaml");

const GITIGNORE: &str = "# jiuzhu's private state (lock, staging of an unfinished step)\n.jiuzhu/\n";
const GITATTRIBUTES: &str = "# Ledgers are text: LF endings, diffed cell by cell with `git diff --word-diff`.\n\
ledgers/*.csv text eol=lf diff=jiuzhu-csv\n\
ledgers/**/*.csv text eol=lf diff=jiuzhu-csv\n\
# Workbooks are diffed as text by `jiuzhu cat` (the drivers are set in the repository's config by `jiuzhu init`;\n\
# in a clone, by `jiuzhu init --here`).\n\
*.xlsx diff=jiuzhu-xlsx\n*.xls diff=jiuzhu-xlsx\n*.ods diff=jiuzhu-xlsx\n";

// `jiuzhu init [DIR] [--here]`: its options and help (the texts in both languages, picked when the command line is
// built).
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = tr(
        "Create a workspace: jiuzhu.yaml (policy), ledgers/, inbox/, reports/, archive/, Git settings",
        "创建工作区: jiuzhu.yaml (政策文件)、ledgers/、inbox/、reports/、archive/ 及 Git 设置",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu init            # here\n  jiuzhu init county     # in ./county\n  \
jiuzhu init --here     # an auditor's clone of a workspace: set up its diffs",
        "示例:\n  jiuzhu init            # 在当前文件夹\n  jiuzhu init county     # 在 ./county\n  \
jiuzhu init --here     # 审计人员克隆的工作区: 设置其差异显示",
    )),
    after_help = tr("\
Refuses to touch a folder that already has a jiuzhu.yaml. The workspace is always a Git repository of its own \
(`git init` in the folder, also inside another repository, so the ledgers never enter that repository's history), \
when git is installed. `--here` sets up an existing clone of a workspace (an auditor's) instead: workbooks diffed as \
text by `jiuzhu cat`, ledgers diffed cell by cell (`git diff --word-diff`, or `git difftool -t jiuzhu`), file names \
unescaped (core.quotepath=false). Both only set the repository's local config and .git/info/attributes.", "\
不会改动已有 jiuzhu.yaml 的文件夹。装有 git 时, 工作区总是一个独立的 Git 仓库 (在该文件夹中 `git init`, \
即使它位于另一个仓库之内, 台账也不会进入那个仓库的历史)。`--here` 则设置一个已有工作区的克隆 (如审计人员的): \
工作簿按 `jiuzhu cat` 输出的文本比较差异, 台账逐格比较 (`git diff --word-diff` 或 `git difftool -t jiuzhu`), \
文件名不转义 (`core.quotepath=false`)。两者都只改动该仓库的本地配置和 .git/info/attributes。")
)]
pub struct Args {
    #[arg(help = tr(
        "The folder (created if missing); default: the current folder (or -C DIR)",
        "文件夹 (不存在则创建); 默认: 当前文件夹 (或 -C DIR)",
    ))]
    pub dir: Option<PathBuf>,
    #[arg(long, help = tr(
        "Set up the Git clone of an existing workspace for reading its history (drivers, no files written)",
        "为查阅历史设置一个已有工作区的 Git 克隆 (只设差异驱动, 不写文件)",
    ))]
    pub here: bool,
}

impl Args {
    /// `init` is not a step of the workflow: nothing to watch or commit.
    pub fn writing_step(&self) -> Option<Option<String>> {
        None
    }
}

/// The command line's entry: the folder taken from `-C DIR` as git does.
pub fn main(args: Args, ctx: &Ctx) -> Result<Outcome> {
    let dir = args.dir.map(|d| ctx.path(d)).unwrap_or_else(|| ctx.start());
    if args.here {
        return here(&dir, ctx.quiet);
    }
    run(&dir, ctx.quiet)
}

pub fn run(dir: &Path, quiet: bool) -> Result<Outcome> {
    if dir.join(POLICY_FILE).exists() {
        bail!(
            "{}",
            tr(
                format!(
                    "{} is already a jiuzhu workspace ({POLICY_FILE} exists); nothing was changed",
                    dir.display()
                ),
                format!(
                    "{} 已经是 jiuzhu 工作区 (已有 {POLICY_FILE}); 未做任何改动",
                    dir.display()
                ),
            )
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
        // `git diff` / `git log -p` of a workbook show its cells (textconv `jiuzhu cat`), of a ledger its cells.
        if let Err(e) = crate::git::register_drivers(dir) {
            crate::errln!(
                "{}",
                tr(
                    format!("warning: workbooks will diff as binary: cannot register jiuzhu's diff drivers: {e:#}"),
                    format!("警告: 无法登记 jiuzhu 的比对程序, 工作簿将按二进制比对: {e:#}")
                )
            );
        }
    }
    if !quiet {
        let git = match &git {
            GitInit::Created => tr(" (new Git repository)", " (新建 Git 仓库)"),
            GitInit::Inside(outer) => tr(
                format!(
                    " (a Git repository of its own, inside the repository at {}: the ledgers stay out of that \
                     repository's history)",
                    outer.display()
                ),
                format!(
                    " (独立的 Git 仓库, 位于 {} 仓库之内: 台账不会进入该仓库的历史)",
                    outer.display()
                ),
            ),
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

/// Appends to `path` the lines of `text` it lacks (each rule once, whatever the file held before).
fn append_once(path: &Path, text: &str) -> Result<()> {
    let existing = std::fs::read_to_string(path).unwrap_or_default();
    match crate::git::with_missing_lines(&existing, text, &[]) {
        Some(out) => std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display())),
        None => Ok(()),
    }
}

enum GitInit {
    Created,
    /// A repository of its own, inside the repository at this folder (whose history must not take the ledgers).
    Inside(std::path::PathBuf),
    NoGit,
}

/// Makes the workspace a Git repository of its own: `git init` in it, also when it is inside another
/// repository (the outer one then sees a nested repository, never the ledgers' contents).
fn git_init(dir: &Path) -> GitInit {
    if !crate::git::available() {
        return GitInit::NoGit;
    }
    let outer = crate::git::toplevel(dir);
    match Command::new("git").args(["init", "-q"]).current_dir(dir).status() {
        Ok(s) if s.success() => match outer {
            Some(o) => GitInit::Inside(o),
            None => GitInit::Created,
        },
        _ => GitInit::NoGit,
    }
}

/// `jiuzhu init --here`: sets up a clone of a workspace (an auditor's) to read its history — the workbook
/// textconv, the ledgers' cell-level word diff, `jiuzhu diff` as a difftool, unescaped file names — in the
/// clone's local config and `.git/info/attributes`; no tracked file is touched.
pub fn here(dir: &Path, quiet: bool) -> Result<Outcome> {
    if !dir.join(POLICY_FILE).is_file() {
        bail!(
            "{}",
            tr(
                format!(
                    "{} is not a jiuzhu workspace (no {POLICY_FILE}): run `jiuzhu init --here` in the clone of a \
                     workspace",
                    dir.display()
                ),
                format!(
                    "{} 不是 jiuzhu 工作区 (没有 {POLICY_FILE}): 请在工作区的克隆中运行 `jiuzhu init --here`",
                    dir.display()
                )
            )
        );
    }
    if crate::git::toplevel(dir).is_none() {
        bail!(
            "{}",
            tr(
                format!(
                    "{} is not in a Git repository: clone the workspace with `git clone` first",
                    dir.display()
                ),
                format!("{} 不在 Git 仓库中: 请先用 `git clone` 克隆工作区", dir.display())
            )
        );
    }
    crate::git::register_drivers(dir)?;
    // The clone's tracked `.gitattributes` already has the lines of the version that made the workspace: only
    // those it lacks go into `.git/info/attributes`.
    let tracked = std::fs::read_to_string(dir.join(".gitattributes")).unwrap_or_default();
    crate::git::add_local_attributes(dir, GITATTRIBUTES, &tracked)?;
    if !quiet {
        crate::outln!(
            "{}",
            tr(
                format!(
                    "set up {} to read a jiuzhu workspace's history: workbooks as text (jiuzhu cat), ledgers cell by \
                     cell (`git log -p --word-diff`, `git difftool -t jiuzhu`), file names unescaped",
                    dir.display()
                ),
                format!(
                    "已设置 {} 以查阅 jiuzhu 工作区的历史: 工作簿以文本显示 (jiuzhu cat), 台账逐格比对 \
                     (`git log -p --word-diff`, `git difftool -t jiuzhu`), 文件名不转义",
                    dir.display()
                )
            )
        );
    }
    Ok(Outcome::Done)
}
