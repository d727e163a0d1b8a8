//! `jiuzhu recover`: money paid that should not have been (多发, 追回). Without a case it finds the overpaid months
//! not yet recorded — months paid before a stop or a lower amount took effect from them, months paid after a
//! confirmed death ([`crate::domain::recovery`]) — records them in `recoveries.csv` with their reason, and lists
//! what is still to recover; `disburse` records them the same way before it issues a batch, so a retroactive stop
//! no longer blocks it. With a case it settles the case's open recoveries, oldest first: `--repaid AMOUNT` (the
//! household paid back, 退回) recorded by `--by`, or `--write-off` (核销, the rest not recovered) decided by a named
//! `--approver` with a `--reason`. Every record and settlement is a journal event.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{anyhow, bail, Result};

use crate::cmd::cli::{examples, Ctx};
use crate::domain::date::Period;
use crate::domain::money::Fen;
use crate::domain::policy::{Policy, SchemeKind};
use crate::domain::recovery::{self, Overpaid, Paid};
use crate::domain::{date, text};
use crate::i18n::tr;
use crate::ledger::events::{Journal, NewEvent};
use crate::ledger::{
    self, Case, Decision, Disposition, Match, Member, Payment, PaymentStatus, Recovery, RecoveryStatus, Text,
};
use crate::sheet::writer::{Column, Kind, SheetSpec, Value};
use crate::workspace::{Txn, Workspace};
use crate::Outcome;

/// The journal step.
pub const STEP: &str = "recover";

// Record overpayments to recover (追回) and settle them.
// Its options and help are in both languages, picked when the command line is built.
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = tr(
        "Overpayments to recover (追回): find and record the months paid that are no longer due (a stop or a \
lower amount from a paid month, a confirmed death), list them, and settle a case's by a repayment or a write-off",
        "多发资金追回: 查找并登记已发放但不应发放的月份 (停发或减发追溯到已发放月份、确认死亡), 列出待追回款项, 按退回或核销结清",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu recover\n  jiuzhu recover CD-2026-0B9A1C744081 --repaid 560 --date 2026-12-05 --by 王芳\n  \
jiuzhu recover CD-2026-0B9A1C744081 --write-off --approver 李局长 --reason 无力偿还 --date 2026-12-20",
        "示例:\n  jiuzhu recover\n  jiuzhu recover CD-2026-0B9A1C744081 --repaid 560 --date 2026-12-05 --by 王芳\n  \
jiuzhu recover CD-2026-0B9A1C744081 --write-off --approver 李局长 --reason 无力偿还 --date 2026-12-20",
    )),
)]
pub struct Args {
    #[arg(value_name = "CASE", help = tr(
        "The case whose recovery is settled; without it, overpayments are found, recorded and listed",
        "要结清追回款的案件编号; 不填则查找、登记并列出多发款项",
    ))]
    pub case_id: Option<String>,
    #[arg(long, value_name = "AMOUNT", requires = "case_id", conflicts_with = "write_off", help = tr(
        "Yuan the household paid back (退回)",
        "该户退回的金额 (元)",
    ))]
    pub repaid: Option<String>,
    #[arg(long, requires_all = ["case_id", "approver", "reason"], help = tr(
        "Write off what is still to recover (核销), as decided by --approver for --reason",
        "核销尚未追回的款项 (由 --approver 决定, 写明 --reason)",
    ))]
    pub write_off: bool,
    #[arg(long, value_name = "DATE", help = tr(
        "The day of the repayment or the write-off decision (e.g. 2026-12-05)",
        "退回或核销决定的日期 (如 2026-12-05)",
    ))]
    pub date: Option<String>,
    #[arg(long, value_name = "NAME", help = tr("Who records the repayment (经办人)", "登记退回款的经办人"))]
    pub by: Option<String>,
    #[arg(long, value_name = "NAME", help = tr(
        "Who decided the write-off (the approver, 审批人)",
        "作出核销决定的审批人",
    ))]
    pub approver: Option<String>,
    #[arg(long, value_name = "TEXT", help = tr(
        "Why it is written off, or a note on the repayment (收据号 …)",
        "核销原因, 或退回款的备注 (收据号 …)",
    ))]
    pub reason: Option<String>,
    #[arg(long, help = tr("Show what would be done; write nothing", "只显示将做什么; 不写任何文件"))]
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
    run(&ctx.workspace()?, &args, ctx.quiet)
}

/// The ledgers the search reads.
pub struct Books<'a> {
    pub cases: &'a [Case],
    pub decisions: &'a [Decision],
    pub payments: &'a [Payment],
    pub members: &'a [Member],
    pub matches: &'a [Match],
}

/// The (case, month)s a recovery already covers.
pub fn covered(recoveries: &[Recovery]) -> BTreeSet<(String, Period)> {
    recoveries
        .iter()
        .flat_map(|r| r.month_list().into_iter().map(move |m| (r.case_id.clone(), m)))
        .collect()
}

/// Money out for a payment: paid, or sent and not returned (a failed payment's money came back; a reissued one is
/// counted in its reissue).
fn money_out(p: &Payment) -> bool {
    matches!(p.status, PaymentStatus::Paid | PaymentStatus::Issued)
}

/// The overpaid months of every case not yet covered by a recovery, as new recoveries (one per case), found in
/// `found_in`.
pub fn find_new(
    policy: &Policy,
    books: &Books<'_>,
    existing: &[Recovery],
    found_in: Period,
) -> Vec<(Recovery, Vec<Overpaid>)> {
    let done = covered(existing);
    let mut deaths: BTreeMap<&str, chrono::NaiveDate> = BTreeMap::new();
    for m in books
        .matches
        .iter()
        .filter(|m| m.disposition == Disposition::Confirmed && policy.is_death_registry(&m.source))
    {
        if let Some(day) = crate::cmd::audit::death_date(&m.evidence) {
            deaths.insert(m.id_number.as_str(), day);
        }
    }
    let decisions_of = crate::domain::records::by_case_sorted(books.decisions);
    let mut paid_of: BTreeMap<&str, Vec<Paid<'_>>> = BTreeMap::new();
    for p in books.payments.iter().filter(|p| money_out(p)) {
        paid_of.entry(p.case_id.as_str()).or_default().push(Paid {
            month: p.period,
            amount: p.amount,
            decision_id: &p.decision_id,
        });
    }
    let mut members_of: BTreeMap<&str, Vec<&Member>> = BTreeMap::new();
    for m in books.members {
        members_of.entry(m.case_id.as_str()).or_default().push(m);
    }
    let mut out = Vec::new();
    for c in books.cases {
        let Some(paid) = paid_of.get(c.case_id.as_str()) else {
            continue;
        };
        let Some(scheme) = policy.schemes.get(&c.scheme) else {
            continue;
        };
        let ds = decisions_of.get(c.case_id.as_str()).cloned().unwrap_or_default();
        let ms = members_of.get(c.case_id.as_str()).cloned().unwrap_or_default();
        let each: Vec<Option<chrono::NaiveDate>> =
            ms.iter().map(|m| deaths.get(m.id_number.as_str()).copied()).collect();
        let died = recovery::died_on(deaths.get(c.applicant_id_number.as_str()).copied(), &each);
        let over: Vec<Overpaid> = recovery::overpaid_months(&ds, scheme.kind == SchemeKind::Temporary, paid, died)
            .into_iter()
            .filter(|o| !done.contains(&(c.case_id.clone(), o.month)))
            .collect();
        if over.is_empty() {
            continue;
        }
        let months: Vec<Period> = over.iter().map(|o| o.month).collect();
        let mut reasons: Vec<String> = Vec::new();
        for o in &over {
            let r = o.cause.zh();
            if !reasons.contains(&r) {
                reasons.push(r);
            }
        }
        let amount = Fen(over.iter().map(|o| o.over.0).sum());
        out.push((
            Recovery {
                recovery_id: recovery::recovery_id(&c.case_id, &months),
                case_id: c.case_id.clone(),
                scheme: c.scheme.clone(),
                months: months.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(";"),
                amount,
                reason: Text(reasons.join("; ")),
                found_in,
                repaid: Fen(0),
                written_off: Fen(0),
                status: RecoveryStatus::Open,
                settled_on: None,
                settled_by: Text::default(),
                note: Text::default(),
            },
            over,
        ));
    }
    out
}

/// The journal event recording a recovery found by `step`.
pub fn found_event(step: &str, r: &Recovery, over: &[Overpaid]) -> NewEvent {
    let why: Vec<String> = over
        .iter()
        .map(|o| format!("{} {}: {}", o.month, o.over, o.cause.en()))
        .collect();
    NewEvent {
        step: step.into(),
        case_id: r.case_id.clone(),
        detail: format!(
            "overpayment to recover (追回) {}: {} for {}; {}",
            r.recovery_id,
            r.amount,
            r.months.replace(';', ", "),
            why.join("; ")
        ),
        ..NewEvent::default()
    }
}

/// The line a step prints for a recovery it recorded.
pub fn found_line(r: &Recovery, name: &str) -> String {
    tr(
        format!(
            "  to recover (追回) {} {name}: {} for {} — {}",
            r.case_id,
            r.amount,
            r.months.replace(';', ", "),
            r.reason
        ),
        format!(
            "  应追回 {} {name}: {} 元, 月份 {} — {}",
            r.case_id,
            r.amount,
            r.months.replace(';', "、"),
            r.reason
        ),
    )
}

/// The 追回 sheet of a workbook (the 汇总表, the report): every recovery with what is still to recover.
pub fn sheet(policy: &Policy, recoveries: &[Recovery], cases: &[Case]) -> SheetSpec {
    let name_of: BTreeMap<&str, &str> = cases
        .iter()
        .map(|c| (c.case_id.as_str(), c.applicant_name.as_str()))
        .collect();
    let open = Fen(recoveries.iter().map(|r| r.outstanding().0).sum());
    SheetSpec {
        name: "追回".into(),
        title: Some(format!("多发资金追回台账: 待追回合计 {open} 元")),
        columns: vec![
            Column::new("案件编号", Kind::Code),
            Column::new("姓名", Kind::Text),
            Column::new("救助类别", Kind::Text),
            Column::new("多发月份", Kind::Code),
            Column::new("应追回(元)", Kind::Money),
            Column::new("原因", Kind::Text),
            Column::new("已退回(元)", Kind::Money),
            Column::new("已核销(元)", Kind::Money),
            Column::new("待追回(元)", Kind::Money),
            Column::new("状态", Kind::Text),
            Column::new("经办/审批", Kind::Text),
        ],
        rows: recoveries
            .iter()
            .map(|r| {
                vec![
                    Value::from(r.case_id.as_str()),
                    Value::from(name_of.get(r.case_id.as_str()).copied().unwrap_or("")),
                    Value::from(
                        policy
                            .schemes
                            .get(&r.scheme)
                            .map(|s| s.label.as_str())
                            .unwrap_or(&r.scheme),
                    ),
                    Value::from(r.months.replace(';', "、")),
                    Value::Money(r.amount),
                    Value::from(r.reason.as_str()),
                    Value::Money(r.repaid),
                    Value::Money(r.written_off),
                    Value::Money(r.outstanding()),
                    Value::from(r.status.label_zh()),
                    Value::from(r.settled_by.as_str()),
                ]
            })
            .collect(),
        batch: None,
        print: Default::default(),
    }
}

pub fn run(ws: &Workspace, args: &Args, quiet: bool) -> Result<Outcome> {
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let mut recoveries = ledger::read::<Recovery>(ws)?;
    let cases = ledger::read::<Case>(ws)?;
    let jiuzhu = ws.jiuzhu();
    let prefix = if args.dry_run {
        tr("dry run: ", "试运行: ")
    } else {
        String::new()
    };
    let mut journal = Journal::read(ws)?;
    let mut lines: Vec<String> = Vec::new();
    let summary;
    match &args.case_id {
        None => {
            let decisions = ledger::read::<Decision>(ws)?;
            let payments = ledger::read::<Payment>(ws)?;
            let members = ledger::read::<Member>(ws)?;
            let matches = ledger::read::<Match>(ws)?;
            let Some(found_in) = payments.iter().map(|p| p.period).max() else {
                if !quiet {
                    crate::outln!(
                        "{}",
                        tr(
                            "recover: nothing paid yet; nothing to recover",
                            "追回: 尚未发放, 无需追回"
                        )
                    );
                }
                return Ok(Outcome::Done);
            };
            let books = Books {
                cases: &cases,
                decisions: &decisions,
                payments: &payments,
                members: &members,
                matches: &matches,
            };
            let found = find_new(&ws.policy, &books, &recoveries, found_in);
            let name = |id: &str| {
                cases
                    .iter()
                    .find(|c| c.case_id == id)
                    .map(|c| c.applicant_name.0.clone())
            };
            for (r, over) in &found {
                lines.push(found_line(r, &name(&r.case_id).unwrap_or_default()));
                journal.append([found_event(STEP, r, over)]);
            }
            let new = found.len();
            let just: BTreeSet<String> = found.iter().map(|(r, _)| r.recovery_id.clone()).collect();
            recoveries.extend(found.into_iter().map(|(r, _)| r));
            let open: Vec<&Recovery> = recoveries.iter().filter(|r| r.status == RecoveryStatus::Open).collect();
            let total = Fen(open.iter().map(|r| r.outstanding().0).sum());
            for r in open.iter().filter(|r| !just.contains(&r.recovery_id)) {
                lines.push(tr(
                    format!(
                        "  open {} {}: {} of {} still to recover",
                        r.case_id,
                        name(&r.case_id).unwrap_or_default(),
                        r.outstanding(),
                        r.amount
                    ),
                    format!(
                        "  待追回 {} {}: 应追回 {} 元, 尚有 {} 元",
                        r.case_id,
                        name(&r.case_id).unwrap_or_default(),
                        r.amount,
                        r.outstanding()
                    ),
                ));
            }
            summary = tr(
                format!(
                    "{prefix}recover: {new} overpayments recorded; {} open, {total} still to recover",
                    open.len()
                ),
                format!(
                    "{prefix}追回: 新登记多发 {new} 笔; 待追回 {} 笔, 共 {total} 元",
                    open.len()
                ),
            );
            if !open.is_empty() {
                lines.push(tr(
                    format!("  next: when money comes back, `{jiuzhu} recover CASE --repaid AMOUNT --date DATE --by NAME`; what cannot be recovered, `{jiuzhu} recover CASE --write-off --approver NAME --reason TEXT --date DATE`"),
                    format!("  下一步: 款项退回后运行 `{jiuzhu} recover 案件编号 --repaid 金额 --date 日期 --by 经办人`; 无法追回的, 经审批后运行 `{jiuzhu} recover 案件编号 --write-off --approver 审批人 --reason 原因 --date 日期`"),
                ));
            }
            if new == 0 {
                let owed = !open.is_empty();
                return finish(ws, lock, None, journal, (&summary, &lines), quiet, owed);
            }
        }
        Some(case_id) => {
            let case_id = case_id.trim();
            let on = match &args.date {
                Some(d) => date::parse_date(d).map_err(|e| {
                    anyhow!(tr(
                        format!("--date `{d}`: {e}; write the date as 2026-12-05"),
                        format!("--date `{d}`: {}; 日期请写成 2026-12-05", e.zh())
                    ))
                })?,
                None => bail!(tr(
                    "--date is needed: the day of the repayment or the write-off decision",
                    "需要 --date: 退回或核销决定的日期"
                )),
            };
            let open: Vec<usize> = recoveries
                .iter()
                .enumerate()
                .filter(|(_, r)| r.case_id == case_id && r.status == RecoveryStatus::Open)
                .map(|(i, _)| i)
                .collect();
            if open.is_empty() {
                bail!(tr(
                    format!("recover {case_id}: the case has nothing to recover (no open recovery in ledgers/recoveries.csv); `{jiuzhu} recover` lists them"),
                    format!("追回 {case_id}: 该案件没有待追回款项 (ledgers/recoveries.csv 中无未结清记录); `{jiuzhu} recover` 可列出全部"),
                ));
            }
            let outstanding = Fen(open.iter().map(|&i| recoveries[i].outstanding().0).sum());
            let note = args.reason.as_deref().map(text::normalize).unwrap_or_default();
            if args.write_off {
                let approver = args.approver.as_deref().map(text::normalize).unwrap_or_default();
                if text::is_blank(&approver) || text::is_blank(&note) {
                    bail!(tr(
                        "--write-off needs the --approver who decided it and the --reason",
                        "核销需要填写 --approver (审批人) 和 --reason (核销原因)"
                    ));
                }
                for &i in &open {
                    let r = &mut recoveries[i];
                    let rest = r.outstanding();
                    r.written_off = Fen(r.written_off.0 + rest.0);
                    r.status = RecoveryStatus::Settled;
                    r.settled_on = Some(on);
                    r.settled_by = Text(approver.clone());
                    r.note = Text(note.clone());
                    journal.append([NewEvent {
                        step: STEP.into(),
                        case_id: case_id.into(),
                        detail: format!(
                            "written off (核销) {} of {}: {rest}, decided by {approver} on {on}: {note}",
                            r.recovery_id, r.amount
                        ),
                        ..NewEvent::default()
                    }]);
                }
                summary = tr(
                    format!("{prefix}recover {case_id}: {outstanding} written off (核销), decided by {approver} on {on}: {note}"),
                    format!("{prefix}追回 {case_id}: 核销 {outstanding} 元, 审批人 {approver}, {on}, 原因: {note}"),
                );
            } else {
                let Some(amount) = &args.repaid else {
                    bail!(tr(
                        format!("recover {case_id}: say what happened — --repaid AMOUNT --by NAME, or --write-off --approver NAME --reason TEXT"),
                        format!("追回 {case_id}: 请说明结果 — --repaid 金额 --by 经办人, 或 --write-off --approver 审批人 --reason 原因"),
                    ));
                };
                let by = args.by.as_deref().map(text::normalize).unwrap_or_default();
                if text::is_blank(&by) {
                    bail!(tr(
                        "--repaid needs --by: who records the repayment",
                        "登记退回款需要 --by (经办人)"
                    ));
                }
                let paid = Fen::parse_yuan(amount).map_err(|e| {
                    anyhow!(tr(
                        format!("--repaid `{amount}`: {e}"),
                        format!("--repaid `{amount}`: {}", e.zh())
                    ))
                })?;
                if paid.0 <= 0 || paid.0 > outstanding.0 {
                    bail!(tr(
                        format!("recover {case_id}: --repaid {paid} is not between 0.01 and what is still to recover ({outstanding})"),
                        format!("追回 {case_id}: --repaid {paid} 应在 0.01 与待追回金额 ({outstanding} 元) 之间"),
                    ));
                }
                let mut left = paid.0;
                for &i in &open {
                    let r = &mut recoveries[i];
                    let take = left.min(r.outstanding().0);
                    if take == 0 {
                        continue;
                    }
                    left -= take;
                    r.repaid = Fen(r.repaid.0 + take);
                    r.settled_by = Text(by.clone());
                    r.settled_on = Some(on);
                    if !note.is_empty() {
                        r.note = Text(note.clone());
                    }
                    if r.outstanding().0 == 0 {
                        r.status = RecoveryStatus::Settled;
                    }
                    journal.append([NewEvent {
                        step: STEP.into(),
                        case_id: case_id.into(),
                        detail: format!(
                            "repaid (退回) {} of {}: {}, recorded by {by} on {on}{}; {} still to recover",
                            r.recovery_id,
                            r.amount,
                            Fen(take),
                            if note.is_empty() {
                                String::new()
                            } else {
                                format!(" ({note})")
                            },
                            r.outstanding()
                        ),
                        ..NewEvent::default()
                    }]);
                }
                let rest = Fen(outstanding.0 - paid.0);
                summary = tr(
                    format!(
                        "{prefix}recover {case_id}: {paid} repaid on {on}, recorded by {by}; {rest} still to recover"
                    ),
                    format!("{prefix}追回 {case_id}: {on} 退回 {paid} 元, 经办人 {by}; 尚待追回 {rest} 元"),
                );
            }
        }
    }
    let owed = recoveries.iter().any(|r| r.outstanding().0 > 0);
    finish(ws, lock, Some(recoveries), journal, (&summary, &lines), quiet, owed)
}

fn finish(
    ws: &Workspace,
    lock: Option<crate::workspace::Lock>,
    recoveries: Option<Vec<Recovery>>,
    journal: Journal,
    (summary, lines): (&str, &[String]),
    quiet: bool,
    owed: bool,
) -> Result<Outcome> {
    if let (Some(lock), Some(mut recoveries)) = (lock, recoveries) {
        recoveries.sort_by(|a, b| a.recovery_id.cmp(&b.recovery_id));
        let mut txn = Txn::new();
        txn.put(ledger::path_of::<Recovery>(), ledger::to_bytes(&recoveries)?);
        journal.put(&mut txn)?;
        ws.commit(&lock, txn)?;
    }
    // Money still to recover needs a person (to collect it, or to have it written off).
    let outcome = if owed { Outcome::NeedsAttention } else { Outcome::Done };
    if !quiet || outcome != Outcome::Done {
        crate::outln!("{summary}");
        for l in lines {
            crate::outln!("{l}");
        }
    }
    Ok(outcome)
}
