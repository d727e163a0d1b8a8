//! `jiuzhu upgrade`: a workspace made by an earlier jiuzhu moved to the ledgers' present format, as one step of
//! its own — locked, all or nothing, in the journal, committed with `--commit` like any step — with nothing lost:
//! every row of every ledger it changes is checked to be recoverable from the new format before anything is
//! written. A step that finds a ledger in an earlier format refuses it and says to run this command.
//!
//! The format changes, oldest first ([`CHANGES`]):
//! - `checks.csv`: the policy values' text, on every row until issue 21 (twelve rows per case repeating the
//!   policy), is kept once per text in `policy_values.csv`; each check names it by key (`policy`).
//! - `payments.csv`: one file holding every payment ever made until issue 21, is kept as one file per batch month
//!   under `payments/` (`payments/2026-11.csv`), so a month's `disburse` rewrites only its own month.

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};

use crate::cmd::cli::{dry_run_help, examples, Ctx};
use crate::cmd::step::Step;
use crate::domain::digest::sha256_hex;
use crate::i18n::tr;
use crate::ledger::events::NewEvent;
use crate::ledger::{self, partition, Check, CheckResult, Payment, PolicyValues, Record, Text};
use crate::workspace::Workspace;
use crate::Outcome;

/// The journal step of an upgrade.
pub const STEP: &str = "upgrade";

#[derive(Debug, Clone, clap::Args)]
#[command(
    about = tr(
        "Move a workspace made by an earlier jiuzhu to the present format of the ledgers, as one step of its own \
(nothing lost; in the journal)",
        "把较早版本的 jiuzhu 建立的工作区转换为现在的台账格式, 单独一步 (不丢失任何内容; 记入日志)",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu upgrade --dry-run\n  jiuzhu upgrade --commit",
        "示例:\n  jiuzhu upgrade --dry-run\n  jiuzhu upgrade --commit",
    )),
    after_help = tr("\
A step that finds a ledger written by an earlier jiuzhu stops (exit 2) and says to run this. The upgrade checks that \
every row it rewrites can be recovered from the new format before it writes anything, records what it moved in the \
journal, and leaves the ledgers sealed as after any step: `jiuzhu audit` reads them as before. A workspace already in \
the present format is left as it is (exit 0).", "\
某一步遇到较早版本的 jiuzhu 写的台账时会停止 (退出码 2), 并提示运行本命令。转换前先核对改写的每一行都能从新格式中\
完整恢复, 然后才写入; 转换的内容记入日志, 台账与其他步骤之后一样封存: `jiuzhu audit` 照常读取。已是现在格式的工作区\
保持不变 (退出码 0)。")
)]
pub struct Args {
    #[arg(long, help = dry_run_help())]
    pub dry_run: bool,
}

impl Args {
    /// A writing step (with no period), unless a dry run.
    pub fn writing_step(&self) -> Option<Option<String>> {
        (!self.dry_run).then_some(None)
    }
}

/// The command line's entry.
pub fn main(args: Args, ctx: &Ctx) -> Result<Outcome> {
    run(&ctx.workspace_any_format()?, &args, ctx.quiet)
}

/// One change of a ledger's format: whether the workspace still has the earlier format, and the move to the
/// present one (into the step; the line that says what it did).
struct Change {
    /// Its name, for scripts (`--json`).
    name: &'static str,
    applies: fn(&Workspace) -> Result<bool>,
    apply: fn(&mut Step<'_>) -> Result<(String, NewEvent)>,
}

/// Every format change, oldest first.
const CHANGES: &[Change] = &[
    Change {
        name: "checks-policy-values",
        applies: checks_have_policy_text,
        apply: move_policy_text,
    },
    Change {
        name: "payments-by-month",
        applies: payments_in_one_file,
        apply: partition_payments,
    },
];

pub fn run(ws: &Workspace, args: &Args, quiet: bool) -> Result<Outcome> {
    // Only the ledgers as the journal last recorded them are moved over — also in a dry run, and also when there
    // is nothing to move: a ledger deleted or edited outside jiuzhu is restored, or recorded with `accept-edits`,
    // first.
    ws.refuse_unsealed()?;
    let mut due = Vec::new();
    for change in CHANGES {
        if (change.applies)(ws)? {
            due.push(change);
        }
    }
    crate::ui::record("dry_run", args.dry_run);
    if due.is_empty() {
        crate::ui::record("changes", Vec::<serde_json::Value>::new());
        if !quiet {
            crate::outln!(
                "{}",
                tr(
                    "upgrade: the workspace is in the present format; nothing to do",
                    "格式转换: 工作区已是现在的格式; 无需转换",
                )
            );
        }
        return Ok(Outcome::Done);
    }
    let mut step = Step::begin(ws, STEP, args.dry_run)?;
    let mut said = Vec::new();
    let mut changes = Vec::new();
    for change in due {
        let (line, event) = (change.apply)(&mut step)?;
        changes.push(serde_json::json!({ "name": change.name, "detail": event.detail }));
        said.push(line);
        step.event(event);
    }
    crate::ui::record("changes", changes);
    let dry = step.dry_run();
    step.commit()?;
    if !quiet {
        for line in said {
            if dry {
                crate::outln!("{}", tr(format!("dry run: {line}"), format!("试运行: {line}")));
            } else {
                crate::outln!("{line}");
            }
        }
    }
    Ok(Outcome::Done)
}

/// `checks.csv` as jiuzhu wrote it before issue 21: the policy values' text on every row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct FormerCheck {
    case_id: String,
    check: String,
    result: CheckResult,
    detail: Text,
    policy_values: Text,
    #[serde(with = "crate::domain::record::date_field")]
    as_of: chrono::NaiveDate,
}

impl Record for FormerCheck {
    const FILE: &'static str = Check::FILE;
    const COLUMNS: &'static [&'static str] = Check::FORMER_COLUMNS[0];
    fn key(&self) -> String {
        format!("{}/{}", self.case_id, self.check)
    }
}

/// `checks.csv` in the format before issue 21 (judged by its header, as every step judges it).
fn checks_have_policy_text(ws: &Workspace) -> Result<bool> {
    let bytes = ws.read_optional(ledger::path_of::<Check>())?;
    Ok(bytes.is_some_and(|b| ledger::in_former_format(Check::FILE, &b)))
}

/// The policy values' text of every check, once per text in `policy_values.csv`, named by key on each row.
fn move_policy_text(step: &mut Step<'_>) -> Result<(String, NewEvent)> {
    let ws = step.workspace();
    let bytes = ws
        .read_optional(ledger::path_of::<Check>())?
        .map(|b| b.to_vec())
        .unwrap_or_default();
    let former: Vec<FormerCheck> = ledger::parse(Check::FILE, &bytes)?;
    let mut values: BTreeMap<String, PolicyValues> = step
        .read::<PolicyValues>()?
        .into_iter()
        .map(|v| (v.key.clone(), v))
        .collect();
    let mut checks = Vec::with_capacity(former.len());
    for f in &former {
        let key = PolicyValues::key_of(&f.policy_values);
        if !key.is_empty() {
            values
                .entry(key.clone())
                .or_insert_with(|| PolicyValues::of(&f.policy_values));
        }
        checks.push(Check {
            case_id: f.case_id.clone(),
            check: f.check.clone(),
            result: f.result,
            detail: f.detail.clone(),
            policy: key,
            as_of: f.as_of,
        });
    }
    // Nothing lost: every row, read back from the new format with its key's text, is the row as it was.
    for (f, c) in former.iter().zip(&checks) {
        let text = match c.policy.as_str() {
            "" => "",
            key => values.get(key).map_or("\u{0}", |v| v.values.as_str()),
        };
        let back = FormerCheck {
            case_id: c.case_id.clone(),
            check: c.check.clone(),
            result: c.result,
            detail: c.detail.clone(),
            policy_values: Text(text.to_string()),
            as_of: c.as_of,
        };
        if &back != f {
            bail!(
                "internal error: {} {}/{} would not be recovered from the new format; nothing was done",
                Check::FILE,
                f.case_id,
                f.check
            );
        }
    }
    let values: Vec<PolicyValues> = values.into_values().collect();
    let (rows, texts) = (checks.len(), values.len());
    step.put(&checks)?;
    step.put(&values)?;
    let line = tr(
        format!(
            "upgrade: {}: the policy values of {rows} checks are kept once per text in {} ({texts} texts), each \
             check naming its text by key",
            Check::FILE,
            PolicyValues::FILE
        ),
        format!(
            "格式转换: {}: {rows} 条审核记录的政策取值改为在 {} 中每种只存一次 (共 {texts} 种), 各审核记录按编号引用",
            Check::FILE,
            PolicyValues::FILE
        ),
    );
    let event = NewEvent {
        detail: format!(
            "{}: policy_values moved to {} ({rows} rows, {texts} texts; every row recovered from the new format \
             before writing)",
            Check::FILE,
            PolicyValues::FILE
        ),
        inputs: format!("{}={}", Check::FILE, sha256_hex(&bytes)),
        ..NewEvent::default()
    };
    Ok((line, event))
}

fn payments_in_one_file(ws: &Workspace) -> Result<bool> {
    Ok(ws.read_optional(ledger::path_of::<Payment>())?.is_some())
}

/// `payments.csv` moved to one file per batch month under `payments/`: every row read back from the new files and
/// found as it was before anything is written; the one file removed in the same commit.
fn partition_payments(step: &mut Step<'_>) -> Result<(String, NewEvent)> {
    let ws = step.workspace();
    let former = ledger::path_of::<Payment>();
    let bytes = ws.read_optional(&former)?.map(|b| b.to_vec()).unwrap_or_default();
    if let Some(name) = partition::names::<Payment>(ws)?.first() {
        bail!(
            "{}",
            tr(
                format!(
                    "ledgers/{} and ledgers/{name} are both there: the ledger was moved by hand, or a copy went wrong; restore ledgers/ from Git (`git status ledgers/`) and run `jiuzhu upgrade` again; nothing was done",
                    Payment::FILE
                ),
                format!(
                    "ledgers/{} 与 ledgers/{name} 同时存在: 台账被手工移动过, 或复制出错; 请从 Git 恢复 ledgers/ (`git status ledgers/`) 后重新运行 `jiuzhu upgrade`; 未做任何改动",
                    Payment::FILE
                ),
            )
        );
    }
    let mut rows: Vec<Payment> = ledger::parse(Payment::FILE, &bytes)?;
    let parts = partition::split(&rows)?;
    // Nothing lost: the new files, read back as every step reads them, are exactly the rows (in key order).
    let mut back = Vec::with_capacity(rows.len());
    for (p, b) in &parts {
        back.extend(partition::parse_part::<Payment>(&partition::name_of::<Payment>(p), b)?);
    }
    back.sort_by(|a, b| a.key_cmp(b));
    rows.sort_by(|a, b| a.key_cmp(b));
    if back != rows {
        bail!(
            "internal error: {} would not be recovered from its partitions; nothing was done",
            Payment::FILE
        );
    }
    let counts: Vec<String> = parts
        .iter()
        .map(|(p, b)| {
            let n = b.iter().filter(|&&c| c == b'\n').count().saturating_sub(1);
            format!("{} {n}", partition::name_of::<Payment>(p))
        })
        .collect();
    let (n, files) = (rows.len(), parts.len());
    for (p, b) in parts {
        step.put_file(partition::path_of::<Payment>(&p), b);
    }
    step.remove_file(former);
    let dir = partition::folder::<Payment>();
    let line = tr(
        format!(
            "upgrade: {}: {n} payments moved to one file per batch month under ledgers/{dir}/ ({files} file{})",
            Payment::FILE,
            if files == 1 { "" } else { "s" }
        ),
        format!(
            "格式转换: {}: {n} 笔发放记录按批次月份分存到 ledgers/{dir}/ 下 (共 {files} 个文件)",
            Payment::FILE
        ),
    );
    let event = NewEvent {
        detail: format!(
            "{}: moved to one file per batch month under {dir}/ ({n} rows: {}; every row read back from the new \
             files before writing)",
            Payment::FILE,
            counts.join(", ")
        ),
        inputs: format!("{}={}", Payment::FILE, sha256_hex(&bytes)),
        ..NewEvent::default()
    };
    Ok((line, event))
}
