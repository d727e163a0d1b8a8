//! `jiuzhu disburse` — payment (发放): the month's batch from effective decisions, written in each bank's file
//! format with control totals; the bank's return file reconciled; failures reissued; in-kind goods (物资) with
//! their receipts.
//!
//! By workflow: [`issue`] (`--period`: the month's batch and its sign-off summary), [`bank`] (the bank files in
//! each profile's format), [`returns`] (`--reconcile`: the bank's return file), [`goods`] (`--goods`,
//! `--goods-receipts`). This file holds the command line, what they read ([`State`]), the IDs of payments and the
//! money invariants they all keep.
//!
//! **What is due.** For a case and a month, the amount in force is the one of the latest effective-or-superseded
//! decision whose `effective_from` is on or before the month (superseded decisions still define the months before
//! their successor). A 停发 in force pays nothing; a 渐退 pays up to `gradual_exit_until`. 临时救助 is one one-off
//! payment of the decision's amount, for the month it took effect. A batch pays every month due up to its last
//! month that no payment covers yet (补发 for months before the batch), so arrears are never forgotten and a month
//! is never paid twice.
//!
//! **Never twice.** A batch, once issued, is recorded in `batches.csv` and frozen: a rerun writes the same bytes
//! and adds nothing; money that becomes due later goes into the next batch. A failed payment is paid again (重发)
//! only in a later batch, only once the case's account differs from the one that failed, and the failed payment
//! then becomes `reissued`, so its money is counted once, in the reissue.
//!
//! **Money invariants** (checked on every run; a violation stops the run with exit 2 and the numbers), per
//! scheme and month paid:
//! - *decided* = Σ over the scheme's cases of the amount in force for the month (0 for a stopped case);
//! - *issued* = Σ of the month's payments that are not `reissued` = *paid* + *failed* + *outstanding* (issued);
//! - *unissued* = Σ over cases of (due − issued) where a case's month is due and not (fully) issued — cases
//!   without a valid account, or due after their month's batch was issued;
//! - and **decided = issued + unissued**: no case and month is ever issued more than its amount in force.
//!
//! Per batch, `batches.csv` records the count and sum issued, and these must equal the batch's payments.

mod bank;
mod goods;
mod issue;
mod returns;

use self::bank::*;
use self::goods::*;
use self::issue::*;
use self::returns::*;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use chrono::NaiveDate;

use crate::cmd::cli::{dry_run_help, examples, Ctx};
use crate::domain::date::{self, Period};
use crate::domain::decision;
use crate::domain::mask;
use crate::domain::money::Fen;
use crate::domain::records;
use crate::domain::text;
use crate::hash::{HashMap, HashSet};
use crate::i18n::{tr, Msg};
use crate::ledger::events::{self, sha256_hex, NewEvent};
use crate::ledger::{
    self, Batch, Case, CaseStatus, Decision, Goods, GoodsStatus, Payment, PaymentKind, PaymentStatus, Quantity, Text,
};
use crate::ledger::{Match, Member, Recovery};
use crate::policy::{
    AmountFormat, BankColumn, BankEncoding, BankField, BankFileType, BankProfile, LineEnding, Policy, SchemeKind,
    SummaryPosition,
};
use crate::sheet::reader::{self, Encoding};
use crate::sheet::writer::{self, Column, Input, Kind, SheetSpec, Value};
use crate::workspace::{inbox_path, safe_file_name, Txn, Workspace};
use crate::Outcome;

#[derive(Debug, Clone)]
pub enum Mode {
    /// Issue (or reproduce) the batch of a period.
    Batch {
        period: String,
        override_budget: Option<String>,
    },
    /// Read a bank's return file.
    Reconcile { file: PathBuf, profile: Option<String> },
    /// Record a goods distribution plan and write the distribution list.
    Goods(PathBuf),
    /// Read back a signed distribution list.
    GoodsReceipts(PathBuf),
}

// `jiuzhu disburse`: its options and help (the texts in both languages, picked when the command line is built).
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = tr(
        "Pay (发放): the month's batch from effective decisions in each bank's file format, reconciliation of \
the bank's return file, reissues, and in-kind goods (物资) with their receipts",
        "发放: 按生效的决定以各银行的文件格式生成当月发放批次, 核对银行回盘文件, 重新发放, 以及实物 (物资) \
发放及其领取登记",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu disburse --period 2026-12\n  \
jiuzhu disburse --period 2026-12 --override-budget \"县政府常务会议纪要第5号追加预算\"\n  \
jiuzhu disburse --reconcile 回盘-2026-12.csv --profile rcc_csv\n  \
jiuzhu disburse --goods 冬季物资发放计划.xlsx\n  \
jiuzhu disburse --goods-receipts reports/goods-1A2B3C4D.xlsx",
        "示例:\n  jiuzhu disburse --period 2026-12\n  \
jiuzhu disburse --period 2026-12 --override-budget \"县政府常务会议纪要第5号追加预算\"\n  \
jiuzhu disburse --reconcile 回盘-2026-12.csv --profile rcc_csv\n  \
jiuzhu disburse --goods 冬季物资发放计划.xlsx\n  \
jiuzhu disburse --goods-receipts reports/goods-1A2B3C4D.xlsx",
    )),
    after_help = tr("\
--period writes one payment per case and month due (arrears included, stopped cases excluded) to \
ledgers/payments/PERIOD.csv (one file per batch month), the bank files under reports/bank/ in the format of each bank's profile \
(`disbursement.profiles` in jiuzhu.yaml) with their control totals, and reports/disburse-PERIOD-汇总表.xlsx to sign. \
A batch is issued once: a rerun reproduces it byte for byte. --reconcile reads the bank's return file and marks \
payments paid or failed, all or nothing; failures are reissued in a later batch once the account is corrected.\n\n\
Exit: 0 done; 1 done, but a case has no valid account or a failed payment waits for a corrected one; \
2 nothing done (refused return file, budget exceeded, money totals that do not balance).", "\
--period 为每个案件的每个应发月份写一笔发放记录 (含补发, 不含已停发的案件) 到 ledgers/payments/PERIOD.csv (每个批次月份一个文件), \
按各银行的配置 (jiuzhu.yaml 中的 `disbursement.profiles`) 在 reports/bank/ 下写出银行文件及其控制总数, \
并写出待签字的 reports/disburse-PERIOD-汇总表.xlsx。一个批次只生成一次: 重新运行会逐字节重现该批次。\
--reconcile 读入银行回盘文件, 把发放记录标为已发放或失败, 要么全部处理, 要么全不处理; 失败的发放在账户\
改正后于以后的批次中重新发放。\n\n\
退出码: 0 完成; 1 完成, 但有案件没有有效账户, 或有失败的发放在等待改正账户; 2 未做任何事 (回盘文件被拒收、\
超出预算、金额合计不平)。")
)]
pub struct Args {
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["reconcile", "goods", "goods_receipts"], help = tr(
        "The batch to issue (YYYY-MM)",
        "要生成的批次 (YYYY-MM)",
    ))]
    pub period: Option<String>,
    #[arg(long, value_name = "REASON", requires = "period", help = tr(
        "Issue a batch above a scheme's budget, recording why",
        "超出某救助类别的预算时仍生成批次, 并记录原因",
    ))]
    pub override_budget: Option<String>,
    #[arg(long, value_name = "FILE", conflicts_with_all = ["goods", "goods_receipts"], help = tr(
        "Read a bank's return file (回盘) and mark payments paid or failed",
        "读入银行回盘文件, 把发放记录标为已发放或失败",
    ))]
    pub reconcile: Option<PathBuf>,
    #[arg(long, value_name = "NAME", requires = "reconcile", help = tr(
        "The bank profile of the return file (default: disbursement.default_profile)",
        "回盘文件所用的银行配置 (默认: disbursement.default_profile)",
    ))]
    pub profile: Option<String>,
    #[arg(long, value_name = "FILE", conflicts_with = "goods_receipts", help = tr(
        "A goods distribution plan (物资名称, 数量, 单位, and 案件编号 or 村(社区))",
        "物资发放计划 (物资名称、数量、单位, 以及 案件编号 或 村(社区))",
    ))]
    pub goods: Option<PathBuf>,
    #[arg(long, value_name = "FILE", help = tr(
        "A signed goods distribution list (领取登记表) read back",
        "读回已签字的物资领取登记表",
    ))]
    pub goods_receipts: Option<PathBuf>,
    #[arg(long, value_name = "ENC", help = tr(
        "CSV encoding of a goods plan (default: detect)",
        "物资发放计划的 CSV 编码 (默认: 自动识别)",
    ))]
    pub encoding: Option<String>,
    #[arg(long, help = dry_run_help())]
    pub dry_run: bool,
}

impl Args {
    /// A writing step (with its period when `--period`), unless a dry run.
    pub fn writing_step(&self) -> Option<Option<String>> {
        (!self.dry_run).then(|| self.period.clone())
    }
}

/// The command line's entry: the mode chosen from the options, files taken from `-C DIR` as git does.
pub fn main(args: Args, ctx: &Ctx) -> Result<Outcome> {
    let ws = ctx.workspace()?;
    let mode = if let Some(period) = args.period {
        Mode::Batch {
            period,
            override_budget: args.override_budget,
        }
    } else if let Some(file) = args.reconcile {
        Mode::Reconcile {
            file: ctx.path(file),
            profile: args.profile,
        }
    } else if let Some(file) = args.goods {
        Mode::Goods(ctx.path(file))
    } else if let Some(file) = args.goods_receipts {
        Mode::GoodsReceipts(ctx.path(file))
    } else {
        bail!(
            "{}",
            tr(
                "give --period YYYY-MM, --reconcile FILE, --goods FILE or --goods-receipts FILE",
                "请给出 --period YYYY-MM、--reconcile 文件、--goods 文件 或 --goods-receipts 文件 之一"
            )
        )
    };
    run(
        &ws,
        &Request {
            mode,
            encoding: args.encoding,
            dry_run: args.dry_run,
            quiet: ctx.quiet,
        },
    )
}

/// What `disburse` was asked to do, resolved from its command line ([`Args`]).
#[derive(Debug, Clone)]
pub struct Request {
    pub mode: Mode,
    pub encoding: Option<String>,
    pub dry_run: bool,
    pub quiet: bool,
}

pub fn run(ws: &Workspace, args: &Request) -> Result<Outcome> {
    match &args.mode {
        Mode::Batch {
            period,
            override_budget,
        } => {
            let p = Period::parse(period).map_err(|e| {
                anyhow!(
                    "--period {period}: {}",
                    tr(format!("{e} (write e.g. 2026-12)"), format!("{} (如 2026-12)", e.zh()))
                )
            })?;
            let reason = override_budget.as_deref().map(str::trim).filter(|r| !r.is_empty());
            if override_budget.is_some() && reason.is_none() {
                bail!(
                    "{}",
                    tr(
                        "--override-budget needs the reason (e.g. the meeting that approved the extra money)",
                        "--override-budget 须写明原因 (如批准追加资金的会议)"
                    )
                );
            }
            issue(ws, args, p, reason)
        }
        Mode::Reconcile { file, profile } => reconcile(ws, args, file, profile.as_deref()),
        Mode::Goods(file) => goods_plan(ws, args, file),
        Mode::GoodsReceipts(file) => goods_receipts(ws, args, file),
    }
}

/// Everything disburse reads.
struct State {
    cases: Vec<Case>,
    decisions: Vec<Decision>,
    payments: Vec<Payment>,
    batches: Vec<Batch>,
    goods: Vec<Goods>,
    /// Overpayments recorded to recover (追回): their months do not break the money invariants.
    recoveries: Vec<Recovery>,
    chain: events::Journal,
    /// Case ID → position in `cases` (cases are never added or removed by disburse), built on first use.
    case_index: std::sync::OnceLock<HashMap<String, usize>>,
}

impl State {
    fn load(ws: &Workspace) -> Result<State> {
        let chain = events::Journal::read(ws)?;
        Ok(State {
            cases: ledger::read(ws)?,
            decisions: ledger::read(ws)?,
            payments: ledger::read(ws)?,
            batches: ledger::read(ws)?,
            goods: ledger::read(ws)?,
            recoveries: ledger::read(ws)?,
            chain,
            case_index: std::sync::OnceLock::new(),
        })
    }

    fn case(&self, case_id: &str) -> Option<&Case> {
        let index = self.case_index.get_or_init(|| {
            self.cases
                .iter()
                .enumerate()
                .map(|(i, c)| (c.case_id.clone(), i))
                .collect()
        });
        index.get(case_id).map(|&i| &self.cases[i])
    }

    /// Decisions grouped by case (in ledger order).
    fn decisions_by_case(&self) -> HashMap<&str, Vec<&Decision>> {
        records::by_case(&self.decisions)
    }
}

/// SHA-256 of the files a step read, as the journal records them.
fn inputs(ws: &Workspace, ledgers: &[&str], extra: &[(String, String)]) -> Result<String> {
    let mut list = ws.inputs_read(ledgers)?;
    for (n, h) in extra {
        list.push_str(&format!(";{n}={h}"));
    }
    Ok(list)
}

// ---------------------------------------------------------------------------------------------------------------
// What is due: pure.

/// Why an account cannot be paid into, or None when it can.
pub fn account_problem(account: &str, min: u32, max: u32) -> Option<Msg> {
    let a = account.trim();
    if a.is_empty() {
        return Some(Msg::new("no bank account", "无银行账号"));
    }
    if !a.bytes().all(|b| b.is_ascii_digit()) {
        let m = mask::account(a);
        return Some(Msg::new(
            format!("account {m} is not digits only"),
            format!("账号 {m} 含非数字字符"),
        ));
    }
    let n = a.len() as u32;
    if n < min || n > max {
        let m = mask::account(a);
        return Some(Msg::new(
            format!("account {m} has {n} digits, not {min}–{max}"),
            format!("账号 {m} 为 {n} 位, 不在 {min}–{max} 位之间"),
        ));
    }
    None
}

pub(crate) use crate::domain::ids::payment_id;

fn is_live(p: &Payment) -> bool {
    p.status != PaymentStatus::Reissued
}

// ---------------------------------------------------------------------------------------------------------------
// Money invariants.

/// Totals of one scheme and month (see the module doc for the definitions).
#[derive(Debug, Clone, Default, PartialEq)]
struct Totals {
    decided: i64,
    paid: i64,
    failed: i64,
    outstanding: i64,
    unissued: i64,
    /// Issued above what is due, in months recorded to recover (追回).
    overpaid: i64,
}

impl Totals {
    fn issued(&self) -> i64 {
        self.paid + self.failed + self.outstanding
    }
}

struct Invariants {
    by_scheme_month: BTreeMap<(String, Period), Totals>,
    violations: Vec<Msg>,
}

/// Checks the money invariants over every case and month up to `through`.
fn check_invariants(policy: &Policy, st: &State, through: Period) -> Invariants {
    let mut by: BTreeMap<(String, Period), Totals> = BTreeMap::new();
    let mut violations = Vec::new();
    let recovered = crate::cmd::recover::covered(&st.recoveries);
    let mut live: BTreeMap<(&str, Period), i64> = BTreeMap::new();
    for p in st.payments.iter().filter(|p| is_live(p)) {
        let m = p.period;
        *live.entry((p.case_id.as_str(), m)).or_default() += p.amount.0;
        let t = by.entry((p.scheme.clone(), m)).or_default();
        match p.status {
            PaymentStatus::Paid => t.paid += p.amount.0,
            PaymentStatus::Failed => t.failed += p.amount.0,
            _ => t.outstanding += p.amount.0,
        }
    }
    let mut due_of: BTreeMap<(&str, Period), i64> = BTreeMap::new();
    let last = st
        .payments
        .iter()
        .map(|p| p.period)
        .max()
        .map_or(through, |m| m.max(through));
    let decisions_of = st.decisions_by_case();
    for c in &st.cases {
        let Some(scheme) = policy.schemes.get(&c.scheme) else {
            continue;
        };
        let ds: Vec<&Decision> = decisions_of.get(c.case_id.as_str()).cloned().unwrap_or_default();
        for d in decision::due_months(&ds, scheme.kind == SchemeKind::Temporary, last) {
            due_of.insert((c.case_id.as_str(), d.month), d.amount.0);
            let issued = live.get(&(c.case_id.as_str(), d.month)).copied().unwrap_or(0);
            let t = by.entry((c.scheme.clone(), d.month)).or_default();
            t.decided += d.amount.0;
            if d.amount.0 > issued {
                t.unissued += d.amount.0 - issued;
            }
        }
    }
    for ((case_id, m), issued) in &live {
        let due = due_of.get(&(*case_id, *m)).copied().unwrap_or(0);
        if *issued > due && recovered.contains(&(case_id.to_string(), *m)) {
            if let Some(c) = st.case(case_id) {
                by.entry((c.scheme.clone(), *m)).or_default().overpaid += issued - due;
            }
        } else if *issued > due {
            violations.push(Msg::new(
                format!(
                    "case {case_id} month {m}: issued {} but the amount in force is {} (overpaid {}; recover the \
                     money and correct the ledgers, or restore them from Git)",
                    Fen(*issued),
                    Fen(due),
                    Fen(issued - due)
                ),
                format!(
                    "案件 {case_id} {m} 月: 已发放 {}, 而现行金额为 {} (多发 {}; 请追回并更正台账, 或从 Git 恢复台账)",
                    Fen(*issued),
                    Fen(due),
                    Fen(issued - due)
                ),
            ));
        }
    }
    for ((scheme, m), t) in &by {
        if t.decided + t.overpaid != t.issued() + t.unissued && violations.is_empty() {
            violations.push(Msg::new(
                format!(
                    "{scheme} {m}: decided {} ≠ issued {} (paid {} + failed {} + outstanding {}) + unissued {}",
                    Fen(t.decided),
                    Fen(t.issued()),
                    Fen(t.paid),
                    Fen(t.failed),
                    Fen(t.outstanding),
                    Fen(t.unissued)
                ),
                format!(
                    "{} {m}: 核定 {} ≠ 已发放 {} (成功 {} + 失败 {} + 待回盘 {}) + 未发放 {}",
                    scheme_label(policy, scheme),
                    Fen(t.decided),
                    Fen(t.issued()),
                    Fen(t.paid),
                    Fen(t.failed),
                    Fen(t.outstanding),
                    Fen(t.unissued)
                ),
            ));
        }
    }
    let mut of_batch: HashMap<Period, Vec<&Payment>> = HashMap::default();
    for p in &st.payments {
        of_batch.entry(p.batch).or_default().push(p);
    }
    for b in &st.batches {
        let ps: &[&Payment] = of_batch.get(&b.batch).map_or(&[], Vec::as_slice);
        let sum: i64 = ps.iter().map(|p| p.amount.0).sum();
        if ps.len() as u32 != b.payments || sum != b.amount.0 {
            violations.push(Msg::new(
                format!(
                    "batch {}: batches.csv records {} payments, {} but payments/{}.csv holds {} payments, {}",
                    b.batch,
                    b.payments,
                    b.amount,
                    b.batch,
                    ps.len(),
                    Fen(sum)
                ),
                format!(
                    "批次 {}: batches.csv 记录 {} 笔、{} 元, 而 payments/{}.csv 中为 {} 笔、{} 元",
                    b.batch,
                    b.payments,
                    b.amount,
                    b.batch,
                    ps.len(),
                    Fen(sum)
                ),
            ));
        }
    }
    let by_id: HashMap<&str, &Payment> = st.payments.iter().map(|p| (p.payment_id.as_str(), p)).collect();
    let reissued: HashSet<&str> = st
        .payments
        .iter()
        .filter(|p| !p.reissue_of.is_empty())
        .map(|p| p.reissue_of.as_str())
        .collect();
    for p in &st.payments {
        if !p.reissue_of.is_empty() {
            match by_id.get(p.reissue_of.as_str()) {
                Some(f) if f.status == PaymentStatus::Reissued && f.amount == p.amount => {}
                _ => violations.push(Msg::new(
                    format!(
                        "payment {} reissues {}, which is not a reissued payment of the same amount",
                        p.payment_id, p.reissue_of
                    ),
                    format!(
                        "付款 {} 重发的 {} 不是金额相同、已标为重发的付款",
                        p.payment_id, p.reissue_of
                    ),
                )),
            }
        }
        if p.status == PaymentStatus::Reissued && !reissued.contains(p.payment_id.as_str()) {
            violations.push(Msg::new(
                format!("payment {} is marked reissued but nothing reissues it", p.payment_id),
                format!("付款 {} 标为已重发, 但没有重发它的付款", p.payment_id),
            ));
        }
    }
    Invariants {
        by_scheme_month: by,
        violations,
    }
}

/// The money invariants over these ledgers, up to the last month paid (for `jiuzhu audit`): one line per violation.
pub(crate) fn money_violations(
    policy: &Policy,
    cases: &[Case],
    decisions: &[Decision],
    payments: &[Payment],
    batches: &[Batch],
    recoveries: &[Recovery],
) -> Vec<Msg> {
    let Some(through) = payments.iter().map(|p| p.period).max() else {
        return Vec::new();
    };
    let st = State {
        cases: cases.to_vec(),
        decisions: decisions.to_vec(),
        payments: payments.to_vec(),
        batches: batches.to_vec(),
        goods: Vec::new(),
        recoveries: recoveries.to_vec(),
        chain: events::Journal::default(),
        case_index: std::sync::OnceLock::new(),
    };
    check_invariants(policy, &st, through).violations
}

fn refuse_on_violation(inv: &Invariants) -> Result<()> {
    if inv.violations.is_empty() {
        return Ok(());
    }
    bail!(
        "{}\n  {}",
        tr(
            "the money does not balance, nothing done:",
            "资金核对不平, 未做任何改动:"
        ),
        inv.violations
            .iter()
            .take(30)
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("\n  ")
    )
}

fn scheme_label<'a>(policy: &'a Policy, key: &'a str) -> &'a str {
    policy.schemes.get(key).map(|s| s.label.as_str()).unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_digits_of_a_plausible_length() {
        assert!(account_problem("6229530100000000001", 10, 30).is_none());
        assert!(account_problem("", 10, 30).unwrap().zh().contains("无银行账号"));
        assert!(account_problem("6229 5301", 10, 30).is_some());
        assert!(account_problem("123", 10, 30).is_some());
    }
}
