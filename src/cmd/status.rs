//! `jiuzhu status` — where the workspace stands, and what needs a person now, each with the command that deals
//! with it. Read-only: it takes no lock and writes nothing.
//!
//! The date things are judged on (supplements due, follow-ups and complaints overdue) is `--as-of` or the
//! latest date in the ledgers — never the computer's clock, so the same ledgers always give the same answer.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{anyhow, Result};
use chrono::{Days, NaiveDate};
use serde::Serialize;

use crate::cmd::cli::{examples, Ctx};
use crate::cmd::followup;
use crate::domain::date::Period;
use crate::domain::eligibility;
use crate::domain::{cadence, date};
use crate::hash::{HashMap, HashSet};
use crate::i18n::tr;
use crate::ledger::{
    self, Case, CaseStatus, Check, CheckResult, Complaint, Decision, DecisionKind, DecisionStatus, Disposition,
    Followup, Match, Meeting, Notice, Payment, PaymentStatus, Visit,
};
use crate::sheet::reader::{self, Encoding};
use crate::ui;
use crate::workspace::Workspace;
use crate::Outcome;

// `jiuzhu status`: its options and help (the texts in both languages, picked when the command line is built).
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = tr(
        "Where the workspace stands: cases by scheme and status, and what needs a person now (rejects to fix, \
supplements due, open hits, meetings, notices, unreconciled payments, overdue follow-ups and complaints), each \
with the command that deals with it. Read-only",
        "工作区现状: 按救助类别和状态统计的案件, 以及当前需要人工处理的事项 (待改正的拒收行、到期的补充材料、\
待处理的比对命中、评议会、公示、未对账的发放、逾期的回访和信访), 每项附有处理它的命令。只读",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu status\n  jiuzhu status --as-of 2026-12-01\n  \
jiuzhu --json status | jq '.items[].command'\n  LANG=zh_CN.UTF-8 jiuzhu status",
        "示例:\n  jiuzhu status\n  jiuzhu status --as-of 2026-12-01\n  \
jiuzhu --json status | jq '.items[].command'\n  LANG=zh_CN.UTF-8 jiuzhu status",
    )),
    after_help = tr("\
Dates are judged on --as-of or the latest date in the ledgers (never the computer's clock). With --json, stdout is \
one JSON object: as_of, cases (scheme → status → count), items (kind, count, what, command, info) and \
needs_person.\n\nExit: 0 nothing needs a person; 1 something does; 2 error.", "\
日期按 --as-of 或台账中最近的日期判断 (绝不用电脑的时钟)。使用 --json 时, 标准输出为一个 JSON 对象: \
`as_of`、`cases` (救助类别 → 状态 → 数量)、`items` (`kind`、`count`、`what`、`command`、`info`) 和 \
`needs_person`。\n\n\
退出码: 0 没有需要人工处理的事项; 1 有需要人工处理的事项; 2 出错。")
)]
pub struct Args {
    #[arg(long, value_name = "DATE", help = tr(
        "The date overdue things are judged on (default: the latest date in the ledgers)",
        "判断是否逾期所依据的日期 (默认: 台账中最近的日期)",
    ))]
    pub as_of: Option<String>,
}

impl Args {
    /// `status` only reads.
    pub fn writing_step(&self) -> Option<Option<String>> {
        None
    }
}

/// The command line's entry.
pub fn main(args: Args, ctx: &Ctx) -> Result<Outcome> {
    run(&ctx.workspace()?, &args)
}

/// One thing that needs a person (or, when `info`, that is worth knowing).
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// `intake_rejects`, `supplements_due`, `verify_pending`, `review_pending`, `decide_pending`, `open_hits`, `meeting_pending`, `notices_running`,
    /// `notices_over`, `payments_outstanding`, `payments_failed`, `payments_reissue` (failed, the account corrected since: information), `followups_overdue`, `complaints_overdue`,
    /// `confirm_pending`, `recoveries_open`, `reopened` (info).
    pub kind: &'static str,
    pub count: usize,
    pub what: String,
    /// The command (or act) that deals with it.
    pub command: String,
    /// Informational only: does not make `status` exit 1.
    pub info: bool,
}

/// The whole status.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub as_of: Option<NaiveDate>,
    /// Scheme key → status → count.
    pub cases: BTreeMap<String, BTreeMap<String, usize>>,
    pub items: Vec<Item>,
    pub needs_person: usize,
}

/// A case's status as the office says it, by its ledger code (the labels `status` shows; other lines a Chinese
/// clerk reads about a case's state use them too).
pub(crate) fn status_zh(s: &str) -> &'static str {
    match s {
        "received" => "已受理",
        "needs_info" => "待补充",
        "verified" => "审核通过",
        "ineligible" => "审核不符",
        "rejected" => "不予批准",
        "approved" => "已批准",
        "effective" => "享受中",
        "stopped" => "停发",
        "closed" => "结案",
        "withdrawn" => "已撤回",
        _ => "其他",
    }
}

const STATUSES: [CaseStatus; 10] = [
    CaseStatus::Received,
    CaseStatus::NeedsInfo,
    CaseStatus::Verified,
    CaseStatus::Ineligible,
    CaseStatus::Approved,
    CaseStatus::Effective,
    CaseStatus::Rejected,
    CaseStatus::Stopped,
    CaseStatus::Closed,
    CaseStatus::Withdrawn,
];

pub fn run(ws: &Workspace, args: &Args) -> Result<Outcome> {
    let explicit = match &args.as_of {
        None => None,
        Some(s) => Some(date::parse_date(s).map_err(|e| {
            anyhow!(
                "{}",
                tr(
                    format!("--as-of `{s}`: {e}; write the date as 2026-11-20"),
                    format!("--as-of `{s}`: {}; 日期请写成 2026-11-20", e.zh())
                )
            )
        })?),
    };
    let st = gather(ws, explicit)?;
    ui::record_serialized("as_of", &st.as_of);
    ui::record_serialized("cases", &st.cases);
    ui::record_serialized("items", &st.items);
    ui::record("needs_person", st.needs_person);
    if !ui::json() {
        crate::out!("{}", render(ws, &st, explicit.is_some()));
    }
    Ok(if st.needs_person == 0 {
        Outcome::Done
    } else {
        Outcome::NeedsAttention
    })
}

/// Reads the ledgers and works out the status (no output).
pub fn gather(ws: &Workspace, explicit_as_of: Option<NaiveDate>) -> Result<Status> {
    let cases = ledger::read::<Case>(ws)?;
    let checks = ledger::read::<Check>(ws)?;
    let matches = ledger::read::<Match>(ws)?;
    let decisions = ledger::read::<Decision>(ws)?;
    let notices = ledger::read::<Notice>(ws)?;
    let meetings = ledger::read::<Meeting>(ws)?;
    let payments = ledger::read::<Payment>(ws)?;
    let visits = ledger::read::<Visit>(ws)?;
    let followups = ledger::read::<Followup>(ws)?;
    let complaints = ledger::read::<Complaint>(ws)?;
    let discoveries = ledger::read::<ledger::Discovery>(ws)?;
    let referrals = ledger::read::<ledger::Referral>(ws)?;

    let latest = cases
        .iter()
        .map(|c| c.applied_on)
        .chain(decisions.iter().filter_map(|d| d.decided_on))
        .chain(notices.iter().map(|n| n.start))
        .chain(meetings.iter().map(|m| m.date))
        .chain(checks.iter().map(|c| c.as_of))
        .chain(visits.iter().map(|v| v.visited_on))
        .chain(followups.iter().map(|f| f.visited_on))
        .chain(complaints.iter().map(|c| c.received_on))
        .chain(complaints.iter().filter_map(|c| c.replied_on))
        .chain(crate::cmd::discover::latest_date(&discoveries))
        .max();
    let as_of = explicit_as_of.or(latest);

    let mut by_scheme: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for c in &cases {
        *by_scheme
            .entry(c.scheme.clone())
            .or_default()
            .entry(c.status.as_str().to_string())
            .or_default() += 1;
    }

    // The commands run jiuzhu from where the user is: `jiuzhu -C DIR` after `jiuzhu -C DIR status`, so that each
    // works pasted (or run from `--json`'s `command`), its `reports/…` paths read in DIR.
    let jiuzhu = ws.jiuzhu();
    let mut items = Vec::new();
    let mut push = |kind: &'static str, count: usize, what: String, command: String, info: bool| {
        if count > 0 {
            items.push(Item {
                kind,
                count,
                what,
                command,
                info,
            });
        }
    };

    // Rejected rows of the newest intake run.
    if let Some((path, n)) = latest_intake_rejects(ws) {
        push(
            "intake_rejects",
            n,
            tr(
                format!("{n} rows rejected by the latest intake ({})", path.display()),
                format!("最近一次导入拒收 {n} 行 ({})", path.display()),
            ),
            tr(
                format!(
                    "fix the rows in the source file, then `{jiuzhu} intake FILE` again (delete the report once done)"
                ),
                format!("在原文件中改正这些行后重新 `{jiuzhu} intake 文件` (处理完后可删除该报告)"),
            ),
            false,
        );
    }

    // Supplements due (一次性告知). The cases told to supplement materials, collected once: a scan of every check
    // per held case was quadratic (a county has 600,000 checks).
    let told_to_supplement: HashSet<&str> = checks
        .iter()
        .filter(|k| k.check == "materials" && k.result == CheckResult::NeedsInfo)
        .map(|k| k.case_id.as_str())
        .collect();
    let mut due: Vec<NaiveDate> = cases
        .iter()
        .filter(|c| c.status == CaseStatus::NeedsInfo)
        .filter(|c| told_to_supplement.contains(c.case_id.as_str()))
        .map(|c| eligibility::supplement_due(c.applied_on, &ws.policy.verification))
        .collect();
    due.sort();
    let past = as_of.map(|d| due.iter().filter(|x| **x < d).count()).unwrap_or(0);
    if let Some(first) = due.first() {
        push(
            "supplements_due",
            due.len(),
            tr(
                format!(
                    "{} households were told to supplement materials; earliest due {first}, {past} past due",
                    due.len()
                ),
                format!("{} 户待补充材料, 最早 {first} 到期, 已逾期 {past} 户", due.len()),
            ),
            tr(
                format!(
                    "when the materials arrive, fill in 收到日期 and 已收材料 on reports/supplement-notices-*.xlsx and \
                     record them with `{jiuzhu} supplements FILE`; the next `{jiuzhu} verify --as-of DATE` checks the case \
                     again"
                ),
                format!(
                    "材料收到后, 在 reports/supplement-notices-*.xlsx 上填写 收到日期 和 已收材料, 用 `{jiuzhu} supplements \
                     文件` 登记; 下次 `{jiuzhu} verify --as-of 日期` 重新审核"
                ),
            ),
            false,
        );
    }

    // Cases waiting for a step: not yet verified, held for a check other than materials, verified but not
    // yet proposed.
    let received = cases.iter().filter(|c| c.status == CaseStatus::Received).count();
    push(
        "verify_pending",
        received,
        tr(
            format!("{received} cases not yet verified"),
            format!("{received} 件案件尚未审核"),
        ),
        format!("{jiuzhu} verify --as-of YYYY-MM-DD"),
        false,
    );
    // Held for a person's confirmation (人工确认: no work ability, a relation by age): the correction sheet records it.
    let to_confirm: HashSet<&str> = checks
        .iter()
        .filter(|k| eligibility::asks_confirmation(&k.check, k.result, &k.detail).is_some())
        .map(|k| k.case_id.as_str())
        .collect();
    let confirm = cases
        .iter()
        .filter(|c| c.status == CaseStatus::NeedsInfo && to_confirm.contains(c.case_id.as_str()))
        .count();
    push(
        "confirm_pending",
        confirm,
        tr(
            format!("{confirm} cases wait for a person to confirm (no work ability, a relation by age)"),
            format!("{confirm} 件案件待人工确认 (无劳动能力、家庭关系)"),
        ),
        tr(
            format!(
                "`{jiuzhu} correct --template 更正登记表.xlsx`, one row per case with 字段 `确认: 无劳动能力` or \
                 `确认: 家庭关系`, 新值 属实 / 不属实 and why; then `{jiuzhu} correct 更正登记表.xlsx` and \
                 `{jiuzhu} verify`"
            ),
            format!(
                "`{jiuzhu} correct --template 更正登记表.xlsx`, 每户一行, 字段填 `确认: 无劳动能力` 或 `确认: 家庭关系`, \
                 新值填 属实 / 不属实 并写明理由; 然后运行 `{jiuzhu} correct 更正登记表.xlsx` 和 `{jiuzhu} verify`"
            ),
        ),
        false,
    );
    let held = cases
        .iter()
        .filter(|c| c.status == CaseStatus::NeedsInfo)
        .filter(|c| !told_to_supplement.contains(c.case_id.as_str()))
        .filter(|c| !to_confirm.contains(c.case_id.as_str()))
        .count();
    push(
        "review_pending",
        held,
        tr(
            format!("{held} cases held by a check that needs a person (home visit, registry hit, time limit…)"),
            format!("{held} 件案件因需人工处理的审核项暂缓 (入户调查、比对疑点、时限…)"),
        ),
        tr(
            format!("see the reasons in reports/review-*.xlsx, act, then `{jiuzhu} verify --as-of YYYY-MM-DD`"),
            format!("原因见 reports/review-*.xlsx, 处理后运行 `{jiuzhu} verify --as-of 日期`"),
        ),
        false,
    );
    let open_decision: std::collections::BTreeSet<&str> = decisions
        .iter()
        .filter(|d| d.status != DecisionStatus::Rejected)
        .map(|d| d.case_id.as_str())
        .collect();
    let undecided = cases
        .iter()
        .filter(|c| c.status == CaseStatus::Verified && !open_decision.contains(c.case_id.as_str()))
        .count();
    push(
        "decide_pending",
        undecided,
        tr(
            format!("{undecided} verified cases have no proposal yet"),
            format!("{undecided} 件审核通过的案件尚未拟定决定"),
        ),
        format!("{jiuzhu} decide --period YYYY-MM"),
        false,
    );

    // Reopened applications (重新申请): open cases of a household whose earlier application was refused or
    // withdrawn — worth knowing at the review, not an act.
    let mut by_applicant: HashMap<&str, Vec<&Case>> = HashMap::default();
    for c in cases.iter() {
        by_applicant.entry(c.applicant_id_number.as_str()).or_default().push(c);
    }
    let reopened: Vec<(&Case, &Case)> = cases
        .iter()
        .filter(|c| c.status.is_open())
        .filter_map(|c| {
            let theirs = by_applicant.get(c.applicant_id_number.as_str())?;
            (theirs.len() > 1)
                .then(|| crate::domain::reopen::reopens(c, theirs.iter().copied()).map(|old| (c, old)))
                .flatten()
        })
        .collect();
    if let Some((new, old)) = reopened.first() {
        let n = reopened.len();
        push(
            "reopened",
            n,
            tr(
                format!(
                    "{n} open cases reopen a household's refused or withdrawn application (e.g. {} after {})",
                    new.case_id, old.case_id
                ),
                format!(
                    "{n} 件在办案件是曾被不予批准或撤回申请的家庭重新申请 (如 {} 接续 {})",
                    new.case_id, old.case_id
                ),
            ),
            format!("{jiuzhu} explain {}", new.case_id),
            true,
        );
    }

    // Overpayments recorded to recover (追回) and not yet settled.
    let open_recoveries: Vec<crate::ledger::Recovery> = ledger::read::<crate::ledger::Recovery>(ws)?
        .into_iter()
        .filter(|r| r.status == crate::ledger::RecoveryStatus::Open)
        .collect();
    if let Some(first) = open_recoveries.first() {
        let owed = crate::domain::money::Fen(open_recoveries.iter().map(|r| r.outstanding().0).sum());
        let n = open_recoveries.len();
        push(
            "recoveries_open",
            n,
            tr(
                format!("{n} overpayments still to recover (追回), {owed} in all"),
                format!("{n} 笔多发款待追回, 共 {owed} 元"),
            ),
            tr(
                format!(
                    "`{jiuzhu} recover` lists them; record a repayment with `{jiuzhu} recover {} --repaid AMOUNT \
                     --date YYYY-MM-DD --by NAME`, or an approved write-off with `--write-off --approver NAME --reason TEXT`",
                    first.case_id
                ),
                format!(
                    "`{jiuzhu} recover` 可列出; 退回款用 `{jiuzhu} recover {} --repaid 金额 --date 日期 --by 经办人` 登记, \
                     经审批核销的用 `--write-off --approver 审批人 --reason 原因`",
                    first.case_id
                ),
            ),
            false,
        );
    }

    // Open registry hits, by worksheet batch.
    let mut open: BTreeMap<&str, usize> = BTreeMap::new();
    for m in matches.iter().filter(|m| m.disposition == Disposition::Open) {
        *open.entry(m.batch.as_str()).or_default() += 1;
    }
    for (batch, n) in open {
        push(
            "open_hits",
            n,
            tr(
                format!("{n} registry hits not yet decided"),
                format!("{n} 条比对疑点未处理"),
            ),
            format!("{jiuzhu} compare --resolve reports/compare-hits-{batch}.xlsx"),
            false,
        );
    }

    // Proposals waiting for the review meeting, by period.
    let mut proposed: BTreeMap<Period, usize> = BTreeMap::new();
    for d in decisions.iter().filter(|d| d.status == DecisionStatus::Proposed) {
        *proposed.entry(d.period).or_default() += 1;
    }
    for (period, n) in proposed {
        push(
            "meeting_pending",
            n,
            tr(
                format!("{n} proposals for {period} wait for the review meeting"),
                format!("{period} 有 {n} 项拟定决定待审批会评议"),
            ),
            format!("{jiuzhu} decide --record reports/review-meeting-{period}.xlsx --meeting \"…\" --date YYYY-MM-DD"),
            false,
        );
    }

    // Notices (公示): running, and over but not yet made effective.
    let approved: BTreeMap<&str, &Decision> = decisions
        .iter()
        .filter(|d| d.status == DecisionStatus::Approved)
        .map(|d| (d.decision_id.as_str(), d))
        .collect();
    let mut running: BTreeMap<(NaiveDate, Period), usize> = BTreeMap::new();
    let mut over: BTreeMap<Period, (usize, NaiveDate)> = BTreeMap::new();
    for n in notices.iter().filter(|n| n.status != "objection_upheld") {
        let Some(d) = approved.get(n.decision_id.as_str()) else {
            continue;
        };
        if as_of.is_none_or(|a| n.end >= a) {
            *running.entry((n.end, d.period)).or_default() += 1;
        } else {
            let e = over.entry(d.period).or_insert((0, n.end));
            e.0 += 1;
            e.1 = e.1.max(n.end);
        }
    }
    for ((end, period), n) in running {
        let after = end.checked_add_days(Days::new(1)).unwrap_or(end);
        push(
            "notices_running",
            n,
            tr(
                format!("{n} public notices running until {end}"),
                format!("{n} 项公示进行中, {end} 结束"),
            ),
            format!("{jiuzhu} decide --period {period} --as-of {after}"),
            true,
        );
    }
    for (period, (n, end)) in over {
        let after = end.checked_add_days(Days::new(1)).unwrap_or(end);
        push(
            "notices_over",
            n,
            tr(
                format!("{n} approved decisions whose notice is over are not yet in force"),
                format!("{n} 项已批准决定公示期满, 尚未生效"),
            ),
            format!("{jiuzhu} decide --period {period} --as-of {after}"),
            false,
        );
    }

    // Payments not reconciled.
    let mut outstanding: BTreeMap<Period, (usize, i64)> = BTreeMap::new();
    let mut failed: BTreeMap<Period, (usize, i64)> = BTreeMap::new();
    // A failed payment whose case's account has been corrected since (`jiuzhu correct`) waits only for the next
    // batch, which reissues it: nothing for a person to do.
    let mut corrected: BTreeMap<Period, (usize, i64)> = BTreeMap::new();
    let account_of: HashMap<&str, &str> = cases
        .iter()
        .map(|c| (c.case_id.as_str(), c.bank_account.trim()))
        .collect();
    for p in &payments {
        let into = match p.status {
            PaymentStatus::Issued => &mut outstanding,
            PaymentStatus::Failed
                if account_of
                    .get(p.case_id.as_str())
                    .is_some_and(|a| !a.is_empty() && *a != p.account.trim()) =>
            {
                &mut corrected
            }
            PaymentStatus::Failed => &mut failed,
            _ => continue,
        };
        let e = into.entry(p.batch).or_default();
        e.0 += 1;
        e.1 += p.amount.0;
    }
    for (batch, (n, fen)) in outstanding {
        let amount = crate::domain::money::Fen(fen);
        push(
            "payments_outstanding",
            n,
            tr(
                format!("{n} payment(s) of batch {batch} ({amount}) have no bank return yet"),
                format!("批次 {batch} 有 {n} 笔 ({amount} 元) 尚无银行回盘"),
            ),
            format!("{jiuzhu} disburse --reconcile 回盘文件 --profile NAME"),
            false,
        );
    }
    for (batch, (n, fen)) in failed {
        let amount = crate::domain::money::Fen(fen);
        push(
            "payments_failed",
            n,
            tr(
                format!("{n} payment(s) of batch {batch} ({amount}) failed at the bank"),
                format!("批次 {batch} 有 {n} 笔 ({amount} 元) 发放失败"),
            ),
            tr(
                format!(
                    "correct the account with a correction sheet (`{jiuzhu} correct --template 更正登记表.xlsx`, field \
                     银行账号, then `{jiuzhu} correct 更正登记表.xlsx`); the next `{jiuzhu} disburse --period YYYY-MM` \
                     reissues them"
                ),
                format!(
                    "用更正登记表更正银行账号 (`{jiuzhu} correct --template 更正登记表.xlsx`, 字段 银行账号, 再运行 \
                     `{jiuzhu} correct 更正登记表.xlsx`); 下一次 `{jiuzhu} disburse --period YYYY-MM` 重发"
                ),
            ),
            false,
        );
    }
    for (batch, (n, fen)) in corrected {
        let amount = crate::domain::money::Fen(fen);
        push(
            "payments_reissue",
            n,
            tr(
                format!("{n} failed payment(s) of batch {batch} ({amount}): the account is corrected"),
                format!("批次 {batch} 有 {n} 笔 ({amount} 元) 发放失败, 账号已更正"),
            ),
            tr(
                format!("the next `{jiuzhu} disburse --period YYYY-MM` reissues them"),
                format!("下一次 `{jiuzhu} disburse --period YYYY-MM` 重发"),
            ),
            true,
        );
    }

    // Follow-ups (回访) and complaints (信访) overdue.
    if let Some(as_of) = as_of {
        let mut decided: HashMap<&str, NaiveDate> = HashMap::default();
        for d in decisions.iter().filter(|d| {
            matches!(d.status, DecisionStatus::Effective | DecisionStatus::Superseded) && d.kind != DecisionKind::Reject
        }) {
            if let Some(on) = d.decided_on {
                let e = decided.entry(d.case_id.as_str()).or_insert(on);
                *e = (*e).max(on);
            }
        }
        let seen = cadence::LastSeen::new(&visits, &followups, &checks, as_of);
        let late = cadence::overdue_followups(&ws.policy, &cases, &seen, &decided, as_of);
        if let Some(first) = late.first() {
            push(
                "followups_overdue",
                late.len(),
                tr(
                    format!(
                        "{} households are overdue for a follow-up visit (回访; earliest due {})",
                        late.len(),
                        first.due_on
                    ),
                    format!("{} 户回访逾期 (最早应于 {} 回访)", late.len(), first.due_on),
                ),
                format!("{jiuzhu} intake --kind followups 回访记录.xlsx"),
                false,
            );
        }
        let overdue = followup::overdue_complaints(&complaints, as_of);
        if let Some(first) = overdue.first() {
            push(
                "complaints_overdue",
                overdue.len(),
                tr(
                    format!(
                        "{} complaints (信访) are past their reply date (earliest {}: {})",
                        overdue.len(),
                        first.due_on,
                        first.subject
                    ),
                    format!(
                        "{} 件信访超期未答复 (最早 {}: {})",
                        overdue.len(),
                        first.due_on,
                        first.subject
                    ),
                ),
                tr(
                    format!("reply, fill in 处理结果 and 答复日期, then `{jiuzhu} intake --kind complaints FILE`"),
                    format!("答复后填写 处理结果 和 答复日期, 再 `{jiuzhu} intake --kind complaints 文件`"),
                ),
                false,
            );
        }
    }

    // Active discovery (主动发现): investigations and referrals overdue, and what is still open.
    if let Some(as_of) = as_of {
        crate::cmd::discover::status_items(&discoveries, &referrals, as_of, &jiuzhu, &mut push);
        let monitored = ledger::read::<ledger::Monitored>(ws)?;
        crate::cmd::monitor::status_items(&ws.policy, &monitored, as_of, &jiuzhu, &mut push);
    }

    let needs_person = items.iter().filter(|i| !i.info).count();
    Ok(Status {
        as_of,
        cases: by_scheme,
        items,
        needs_person,
    })
}

/// The newest intake rejects report and its number of rejected rows (newest by modification time, then name).
fn latest_intake_rejects(ws: &Workspace) -> Option<(PathBuf, usize)> {
    let dir = ws.path("reports");
    let mut found: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            let ok = name.starts_with("intake-rejects-") && name.ends_with(".xlsx");
            let t = e.metadata().ok()?.modified().ok()?;
            ok.then_some((t, name))
        })
        .collect();
    found.sort();
    let (_, name) = found.pop()?;
    let rel = PathBuf::from("reports").join(&name);
    let wb = reader::read_workbook(&ws.path(&rel), Encoding::Detect).ok()?;
    // The first sheet: a title row, the header, then one row per rejected row.
    let n = wb
        .sheets
        .first()
        .map(|s| {
            s.rows
                .iter()
                .skip(2)
                .filter(|r| r.iter().any(|c| !c.is_blank()))
                .count()
        })
        .unwrap_or(0);
    Some((rel, n))
}

fn render(ws: &Workspace, st: &Status, explicit: bool) -> String {
    let colour = ui::colour_stdout();
    let mut out = String::new();
    let when = match st.as_of {
        Some(d) if explicit => tr(format!("as of {d}"), format!("截至 {d}")),
        Some(d) => tr(
            format!("as of {d} (the latest date in the ledgers)"),
            format!("截至 {d} (台账中最近的日期)"),
        ),
        None => tr("an empty workspace", "空工作区"),
    };
    out.push_str(&ui::bold(
        &tr(
            format!("status of {}, {when}", ws.root.display()),
            format!("{} 的状态, {when}", ws.root.display()),
        ),
        colour,
    ));
    out.push('\n');
    // The cases table: one row per scheme, one column per status present.
    let present: Vec<CaseStatus> = STATUSES
        .iter()
        .copied()
        .filter(|s| st.cases.values().any(|m| m.contains_key(s.as_str())))
        .collect();
    if st.cases.is_empty() {
        out.push_str(&tr("no cases yet\n", "尚无案件\n"));
    } else {
        let zh = crate::i18n::current() == crate::i18n::Lang::Zh;
        let label = |s: CaseStatus| -> String {
            if zh {
                status_zh(s.as_str()).to_string()
            } else {
                s.as_str().to_string()
            }
        };
        let names: Vec<String> = st
            .cases
            .keys()
            .map(|k| {
                ws.policy
                    .schemes
                    .get(k)
                    .map(|s| s.label.clone())
                    .unwrap_or_else(|| k.clone())
            })
            .collect();
        let first_w = names
            .iter()
            .map(|n| width(n))
            .max()
            .unwrap_or(4)
            .max(width(&tr("cases", "案件")));
        let mut heads: Vec<String> = present.iter().map(|s| label(*s)).collect();
        heads.push(tr("total", "合计"));
        let widths: Vec<usize> = heads.iter().map(|h| width(h).max(5)).collect();
        out.push_str(&pad(&tr("cases", "案件"), first_w));
        for (h, w) in heads.iter().zip(&widths) {
            out.push_str("  ");
            out.push_str(&pad_left(h, *w));
        }
        out.push('\n');
        for ((_, counts), name) in st.cases.iter().zip(&names) {
            out.push_str(&pad(name, first_w));
            for (s, w) in present.iter().zip(&widths) {
                out.push_str("  ");
                let n = counts.get(s.as_str()).copied().unwrap_or(0);
                out.push_str(&pad_left(&if n == 0 { "·".into() } else { n.to_string() }, *w));
            }
            out.push_str("  ");
            out.push_str(&pad_left(
                &counts.values().sum::<usize>().to_string(),
                widths[widths.len() - 1],
            ));
            out.push('\n');
        }
    }
    if st.needs_person == 0 {
        out.push_str(&ui::green(&tr("nothing needs a person", "没有待办事项"), colour));
        out.push('\n');
    } else {
        out.push_str(&ui::red(
            &tr(
                format!("needs a person ({}):", st.needs_person),
                format!("待办事项 ({} 项):", st.needs_person),
            ),
            colour,
        ));
        out.push('\n');
    }
    for i in st.items.iter().filter(|i| !i.info) {
        out.push_str(&format!(
            "  {} {}\n      → {}\n",
            ui::red("✗", colour),
            i.what,
            i.command
        ));
    }
    let info: Vec<&Item> = st.items.iter().filter(|i| i.info).collect();
    if !info.is_empty() {
        out.push_str(&tr("in progress:\n", "进行中:\n"));
        for i in info {
            out.push_str(&format!("  · {}\n      → {}\n", i.what, i.command));
        }
    }
    out
}

/// Display width in a terminal: CJK characters take two columns.
fn width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) < 0x2E80 { 1 } else { 2 }).sum()
}

fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

fn pad_left(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(width(s))))
}

/// The workspace's counts (cases, decisions and payments by status), for the `--json` object of a command that
/// records none of its own.
pub fn counts(ws: &Workspace) -> Result<serde_json::Map<String, serde_json::Value>> {
    fn tally<'a>(keys: impl Iterator<Item = &'a str>) -> serde_json::Value {
        let mut m: BTreeMap<&str, usize> = BTreeMap::new();
        for k in keys {
            *m.entry(k).or_default() += 1;
        }
        serde_json::to_value(m).unwrap_or_default()
    }
    let cases = ledger::read::<Case>(ws)?;
    let decisions = ledger::read::<Decision>(ws)?;
    let payments = ledger::read::<Payment>(ws)?;
    let decision_status: Vec<String> = decisions
        .iter()
        .map(|d| {
            serde_json::to_value(d.status)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default()
        })
        .collect();
    let mut out = serde_json::Map::new();
    out.insert("cases".into(), tally(cases.iter().map(|c| c.status.as_str())));
    out.insert("decisions".into(), tally(decision_status.iter().map(String::as_str)));
    out.insert("payments".into(), tally(payments.iter().map(|p| p.status.as_str())));
    Ok(out)
}
