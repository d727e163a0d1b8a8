//! `jiuzhu accept-edits --by NAME --reason TEXT`: records in the journal a change made to the ledgers outside
//! jiuzhu, so the steps build on it again — the one way a hand edit stays, and it leaves a trail.
//!
//! A step refuses ledgers that are not what the journal last recorded (see [`crate::seal`]): a deleted
//! `payments/2026-11.csv` (the payments are kept by batch month, `ledgers/payments/YYYY-MM.csv`) would pay that
//! month again, a hand-edited account would be paid. When such a change is right and
//! must stay (a ledger repaired after a disk fault, a correction jiuzhu has no step for yet), an administrator
//! accepts it by name and with a reason. Each changed ledger must still read as its kind of ledger; the event
//! names the files and, where the workspace's Git history holds the recorded version, the rows and columns;
//! `audit` lists every accepted edit since its last run (J104) for the auditors. A journal that is missing or
//! was cut back cannot be accepted: it is the record of what happened, and is restored, not replaced.

use anyhow::{bail, Result};

use crate::cmd::cli::{examples, Ctx};
use crate::i18n::tr;
use crate::ledger::events::{Journal, NewEvent};
use crate::seal::Breach;
use crate::workspace::{Txn, Workspace};
use crate::Outcome;

/// The journal step of an accepted edit.
pub const STEP: &str = "accept-edits";

// Record a change made to the ledgers outside jiuzhu (承认台账的手工修改), with who and why, so the next steps
// build on it; the journal keeps it and `audit` lists it.
// Its options and help are in both languages, picked when the command line is built.
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = tr(
        "Record a change made to the ledgers outside jiuzhu (承认手工修改), with who and why, so the steps build \
on it again; the journal keeps it and audit lists it (J104)",
        "承认在 jiuzhu 之外对台账所做的手工修改, 写明由谁承认、为什么, 使后续步骤以修改后的台账为准; \
日志保存这一记录, audit 会列出它 (J104)",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu accept-edits --dry-run --by 王芳 --reason 从备份恢复\n  \
jiuzhu accept-edits --by \"王芳 (民政办)\" --reason \"payments/2026-11.csv 从 11 月 30 日的备份恢复\"",
        "示例:\n  jiuzhu accept-edits --dry-run --by 王芳 --reason 从备份恢复\n  \
jiuzhu accept-edits --by \"王芳 (民政办)\" --reason \"payments/2026-11.csv 从 11 月 30 日的备份恢复\"",
    )),
    after_help = tr("\
Every step holds the ledgers to what the journal recorded after the step before (the seal): a ledger missing, \
changed or added outside jiuzhu stops it (exit 2), naming the file and, where the workspace's Git history has the \
recorded version, the rows and columns. Restore the file when the change was a mistake. When it is right and must \
stay, accept it here: each changed ledger must still read as its kind of ledger, and the journal records the files, \
rows and columns, who accepted it and why. A missing or cut-back journal cannot be accepted: restore it.", "\
每一步都要求台账与上一步之后日志所记录的一致 (封存): 在 jiuzhu 之外缺失、改动或新增的台账会使该步停止 \
(退出码 2), 并指出文件, 工作区的 Git 历史中有所记录的版本时还指出行和列。改动有误时, 请恢复该文件。改动\
正确且须保留时, 在此承认: 每个改动过的台账仍须能按其类别读取, 日志记录文件、行和列、承认人及原因。缺失或\
被截短的日志不能承认: 请恢复它。")
)]
pub struct Args {
    #[arg(long, value_name = "NAME", help = tr(
        "Who accepts the change (name, or name and post)",
        "承认此改动的人 (姓名, 或姓名和职务)",
    ))]
    pub by: String,
    #[arg(long, value_name = "TEXT", help = tr("Why the change is right", "此改动正确的理由"))]
    pub reason: String,
    #[arg(long, help = tr(
        "Show what would be accepted; write nothing",
        "只显示将承认哪些改动; 不写任何文件",
    ))]
    pub dry_run: bool,
}

impl Args {
    /// A writing step (no period), unless a dry run.
    pub fn writing_step(&self) -> Option<Option<String>> {
        (!self.dry_run).then_some(None)
    }
}

/// The command line's entry.
pub fn main(args: Args, ctx: &Ctx) -> Result<Outcome> {
    run(&ctx.workspace_any_format()?, &args, ctx.quiet)
}

pub fn run(ws: &Workspace, args: &Args, quiet: bool) -> Result<Outcome> {
    let (by, reason) = (args.by.trim(), args.reason.trim());
    if by.is_empty() || reason.is_empty() {
        bail!(
            "{}",
            tr(
                "--by and --reason must say who accepts the change and why",
                "--by 和 --reason 须写明由谁承认此改动及原因"
            )
        );
    }
    let (lock, breaches, found) = ws.lock_unverified()?;
    if breaches.is_empty() {
        if !quiet {
            crate::outln!(
                "{}",
                tr(
                    "accept-edits: the ledgers are as the journal recorded them; nothing to accept",
                    "承认改动: 台账与日志记录一致, 无需承认"
                )
            );
        }
        return Ok(Outcome::Done);
    }
    if let Some(b) = breaches
        .iter()
        .find(|b| matches!(b, Breach::JournalMissing { .. } | Breach::JournalCut { .. }))
    {
        bail!(
            "{}\n{}",
            b.message(),
            tr(
                "A journal that is missing or was cut back cannot be accepted: restore ledgers/events.csv from Git \
                 (`git checkout -- ledgers/events.csv`) or a backup; nothing was done.",
                "日志不见或被截短时不能承认: 请从 Git (`git checkout -- ledgers/events.csv`) 或备份恢复 \
                 ledgers/events.csv; 未做任何改动。"
            )
        );
    }
    // What the clerk reads (the run's language), and what the journal keeps (English, whatever the locale).
    let (mut lines, mut recorded_lines, mut files) = (Vec::new(), Vec::new(), Vec::new());
    for b in &breaches {
        let file = b.file().to_string();
        let now = ws.read_optional(std::path::Path::new("ledgers").join(&file))?;
        // A ledger in an earlier format is read by `jiuzhu upgrade`, which checks every row, once accepted.
        if let Some(bytes) = now.as_ref().filter(|b| !crate::ledger::in_former_format(&file, b)) {
            crate::ledger::validate_named(&file, bytes)?;
        }
        lines.push(b.message());
        if let (Breach::Changed { recorded, .. }, Some(bytes)) = (b, &now) {
            let cells = |lang| crate::seal::describe(&ws.root, &file, recorded, bytes, 50, lang);
            lines.extend(cells(crate::i18n::current()).into_iter().map(|l| format!("  {l}")));
            recorded_lines.extend(cells(crate::i18n::Lang::En).into_iter().map(|l| format!("{file} {l}")));
        }
        let what = match b {
            Breach::Missing { .. } => tr("removed", "被删除"),
            Breach::Changed { .. } => tr("changed", "被改动"),
            _ => tr("added", "被添加"),
        };

        files.push(format!("{file} {what}"));
    }
    let summary = tr(
        format!("accept-edits: {by} accepts {} (why: {reason})", files.join(", ")),
        format!("承认改动: {by} 承认 {} (原因: {reason})", files.join("、")),
    );
    if args.dry_run {
        if !quiet {
            crate::outln!("{}{summary}", tr("dry run: ", "试运行: "));
            for l in &lines {
                crate::outln!("  {l}");
            }
        }
        return Ok(Outcome::NeedsAttention);
    }
    let mut journal = Journal::read(ws)?;
    journal.append([NewEvent {
        step: STEP.into(),
        detail: format!(
            "by {by}: {reason} — {}{}",
            files.join(", "),
            if recorded_lines.is_empty() {
                String::new()
            } else {
                format!(" ({})", recorded_lines.join("; "))
            }
        ),
        inputs: breaches
            .iter()
            .filter_map(|b| found.get(b.file()).map(|h| format!("{}={h}", b.file())))
            .collect::<Vec<_>>()
            .join(";"),
        ..NewEvent::default()
    }]);
    let mut txn = Txn::new();
    journal.put(&mut txn)?;
    ws.accept_as_found(found);
    ws.commit(&lock, txn)?;
    if !quiet {
        crate::outln!("{summary}");
        for l in &lines {
            crate::outln!("  {l}");
        }
    }
    Ok(Outcome::Done)
}
