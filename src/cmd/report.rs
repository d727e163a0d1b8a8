//! `jiuzhu report --period P` — the monthly statistics workbook administrators send upward (统计报表):
//! `reports/统计报表-P.xlsx`.
//!
//! Every number comes from the ledgers: the decisions in force in each month (households, persons, monthly
//! amount) and the payments (paid this month, paid this year). The first sheet tells the month at a glance —
//! the key figures, the change reconciliation and three native charts (the last 12 months' households and
//! amount, and the split by scheme); the other sheets hold the figures by scheme, by township and village, the
//! changes (新增/增发/减发/停发) and the trend the charts draw.
//!
//! Definitions (also in the README):
//! - **In force in month P**: a case's latest effective (or since superseded) decision whose `effective_from`
//!   ≤ P, unless it is a 停发 or a 渐退 whose `gradual_exit_until` < P. 临时救助 (one-off) counts only in the
//!   month it took effect. Persons are the members the amount was computed for (`members=` in the basis).
//! - **Changes** (monthly schemes only): new = in force in P, not in P−1; stopped = in force in P−1, not in P;
//!   increased / decreased = in force in both, with a higher / lower amount (the delta in fen). The month
//!   reconciles when last month's total + new + increases − decreases − stops = this month's total (✓/✗).
//! - **Paid**: payments for months of the period's year up to P, issued or paid (a failed payment counts in
//!   its reissue, never twice).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use anyhow::{anyhow, Result};
use serde::Serialize;

use crate::cmd::cli::{examples, Ctx};
use crate::domain::date::Period;
use crate::domain::decision;
use crate::domain::money::Fen;
use crate::domain::records;
use crate::i18n::tr;
use crate::ledger::{self, Case, Decision, Payment, PaymentStatus, Recovery, RecoveryStatus};
use crate::policy::{Policy, SchemeKind};
use crate::sheet::writer::{self, ChartKind, ChartSpec, Column, Kind, SheetSpec, Value};
use crate::workspace::{Txn, Workspace};
use crate::Outcome;
use chrono::Datelike;

// `jiuzhu report --period`: its options and help (the texts in both languages, picked when the command line is
// built).
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = tr(
        "The monthly statistics workbook (统计报表) for the period: households, persons and amounts by scheme \
and by township/village, new/increased/decreased/stopped, the change reconciliation, and charts",
        "该期间的月度统计报表工作簿: 按救助类别和乡镇/村统计的户数、人数和金额, 新增/增发/减发/停发, \
变动核对及图表",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu report --period 2026-11\n  \
jiuzhu --json report --period 2026-11\n  jiuzhu report --period 2026-11 --dry-run",
        "示例:\n  jiuzhu report --period 2026-11\n  \
jiuzhu --json report --period 2026-11\n  jiuzhu report --period 2026-11 --dry-run",
    )),
    after_help = tr("\
Writes reports/统计报表-PERIOD.xlsx: 汇总 (key figures, the reconciliation 上月 + 新增 + 增发 − 减发 − 停发 = 本月 \
with ✓/✗, and native charts of the last 12 months and of the split by scheme), 按类别, 按乡镇村, 变动 and 趋势. \
Numbers come from ledgers/decisions.csv (in force each month) and ledgers/payments/ (paid, one file per batch month); the same ledgers \
give the same bytes.\n\nExit: 0 done; 1 the month does not reconcile; 2 nothing done.", "\
写出 reports/统计报表-PERIOD.xlsx: 汇总 (主要数字, 核对式 上月 + 新增 + 增发 − 减发 − 停发 = 本月 及 ✓/✗, \
以及近 12 个月和按救助类别分布的图表)、按类别、按乡镇村、变动 和 趋势。数字来自 ledgers/decisions.csv \
(每月有效的决定) 和 ledgers/payments/ (已发放, 每个批次月份一个文件); 台账相同, 输出逐字节相同。\n\n\
退出码: 0 完成; 1 当月核对不平; 2 未做任何事。")
)]
pub struct Args {
    #[arg(long, value_name = "YYYY-MM", help = tr("The month (YYYY-MM)", "月份 (YYYY-MM)"))]
    pub period: String,
    #[arg(long, help = tr(
        "Compute and print the summary; write nothing",
        "计算并输出汇总; 不写任何文件",
    ))]
    pub dry_run: bool,
}

impl Args {
    /// A writing step for its period, unless a dry run.
    pub fn writing_step(&self) -> Option<Option<String>> {
        (!self.dry_run).then(|| Some(self.period.clone()))
    }
}

/// The command line's entry.
pub fn main(args: Args, ctx: &Ctx) -> Result<Outcome> {
    run(
        &ctx.workspace()?,
        &Request {
            period: args.period,
            dry_run: args.dry_run,
            quiet: ctx.quiet,
        },
    )
}

/// What `report` was asked to do, resolved from its command line ([`Args`]).
#[derive(Debug, Clone)]
pub struct Request {
    pub period: String,
    pub dry_run: bool,
    pub quiet: bool,
}

/// A case in force in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InForce {
    pub scheme: String,
    pub township: String,
    pub village: String,
    pub amount: Fen,
    pub persons: u32,
}

/// Households, persons and money.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub households: i64,
    pub persons: i64,
    pub amount: Fen,
}

impl Figures {
    fn add(&mut self, persons: u32, amount: Fen) {
        self.households += 1;
        self.persons += persons as i64;
        self.amount = Fen(self.amount.0 + amount.0);
    }
}

/// One scheme's change from last month to this (monthly schemes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Change {
    pub before: Figures,
    pub new: Figures,
    /// Households whose amount rose, and by how much in all.
    pub increased: Figures,
    pub decreased: Figures,
    pub stopped: Figures,
    pub after: Figures,
}

impl Change {
    /// last month + new + increases − decreases − stops.
    pub fn computed(&self) -> Fen {
        Fen(self.before.amount.0 + self.new.amount.0 + self.increased.amount.0
            - self.decreased.amount.0
            - self.stopped.amount.0)
    }

    pub fn balances(&self) -> bool {
        self.computed() == self.after.amount
    }

    fn add(&mut self, o: &Change) {
        for (a, b) in [
            (&mut self.before, &o.before),
            (&mut self.new, &o.new),
            (&mut self.increased, &o.increased),
            (&mut self.decreased, &o.decreased),
            (&mut self.stopped, &o.stopped),
            (&mut self.after, &o.after),
        ] {
            a.households += b.households;
            a.persons += b.persons;
            a.amount = Fen(a.amount.0 + b.amount.0);
        }
    }
}

/// Everything the workbook shows, computed from the ledgers (pure).
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub period: String,
    pub total: Figures,
    pub by_scheme: BTreeMap<String, Figures>,
    /// (township, village) → figures.
    pub by_village: BTreeMap<(String, String), Figures>,
    pub changes: BTreeMap<String, Change>,
    pub paid_month: BTreeMap<String, Fen>,
    pub paid_year: BTreeMap<String, Fen>,
    /// The last 12 months, oldest first: (month, figures).
    pub trend: Vec<(String, Figures)>,
}

/// The persons an amount was computed for: `members=N` in the decision's basis, else the household size.
fn persons_of(d: &Decision, case: Option<&Case>) -> u32 {
    crate::domain::benefit::Basis::parse(&d.basis)
        .and_then(|b| u32::try_from(b.members).ok())
        .or_else(|| case.map(|c| c.household_size))
        .unwrap_or(1)
}

/// The cases in force in a month (see the module doc), by case ID.
pub fn in_force(policy: &Policy, cases: &[Case], decisions: &[Decision], month: Period) -> BTreeMap<String, InForce> {
    let of_case = records::by_case_sorted(decisions.iter().filter(|d| decision::defines_amounts(d)));
    let latest = of_case
        .into_iter()
        .filter_map(|(case_id, ds)| Some((case_id, decision::in_force_on(ds, month)?)));
    let by_id: BTreeMap<&str, &Case> = cases.iter().map(|c| (c.case_id.as_str(), c)).collect();
    let mut out = BTreeMap::new();
    for (case_id, d) in latest {
        let case = by_id.get(case_id).copied();
        let Some(case) = case else { continue };
        let one_off = policy
            .schemes
            .get(&case.scheme)
            .is_some_and(|s| s.kind == SchemeKind::Temporary);
        if !decision::pays_in(d, month) || (one_off && d.effective_from != Some(month)) {
            continue;
        }
        out.insert(
            case_id.to_string(),
            InForce {
                scheme: case.scheme.clone(),
                township: case.township.0.clone(),
                village: case.village.0.clone(),
                amount: d.amount,
                persons: persons_of(d, Some(case)),
            },
        );
    }
    out
}

/// Computes the month's statistics.
pub fn compute(policy: &Policy, cases: &[Case], decisions: &[Decision], payments: &[Payment], period: Period) -> Stats {
    // The month, the one before, and the twelve of the trend: each is a pass over the decisions.
    let progress = crate::ui::Progress::new(14, tr("report: months counted", "统计报表: 已统计月份"));
    let now = in_force(policy, cases, decisions, period);
    progress.inc(1);
    let before = in_force(policy, cases, decisions, period.prev());
    progress.inc(1);
    let monthly = |scheme: &str| {
        policy
            .schemes
            .get(scheme)
            .is_some_and(|s| s.kind != SchemeKind::Temporary)
    };
    let mut total = Figures::default();
    let mut by_scheme: BTreeMap<String, Figures> =
        policy.schemes.keys().map(|k| (k.clone(), Figures::default())).collect();
    let mut by_village: BTreeMap<(String, String), Figures> = BTreeMap::new();
    for f in now.values() {
        total.add(f.persons, f.amount);
        by_scheme.entry(f.scheme.clone()).or_default().add(f.persons, f.amount);
        by_village
            .entry((f.township.clone(), f.village.clone()))
            .or_default()
            .add(f.persons, f.amount);
    }
    let mut changes: BTreeMap<String, Change> = policy
        .schemes
        .keys()
        .filter(|k| monthly(k))
        .map(|k| (k.clone(), Change::default()))
        .collect();
    let ids: BTreeSet<&String> = now.keys().chain(before.keys()).collect();
    for id in ids {
        match (before.get(id), now.get(id)) {
            (Some(b), _) if !monthly(&b.scheme) => {}
            (_, Some(n)) if !monthly(&n.scheme) => {}
            (Some(b), Some(n)) => {
                let c = changes.entry(n.scheme.clone()).or_default();
                c.before.add(b.persons, b.amount);
                c.after.add(n.persons, n.amount);
                if n.amount > b.amount {
                    c.increased.add(n.persons, Fen(n.amount.0 - b.amount.0));
                } else if n.amount < b.amount {
                    c.decreased.add(n.persons, Fen(b.amount.0 - n.amount.0));
                }
            }
            (None, Some(n)) => {
                let c = changes.entry(n.scheme.clone()).or_default();
                c.new.add(n.persons, n.amount);
                c.after.add(n.persons, n.amount);
            }
            (Some(b), None) => {
                let c = changes.entry(b.scheme.clone()).or_default();
                c.before.add(b.persons, b.amount);
                c.stopped.add(b.persons, b.amount);
            }
            (None, None) => {}
        }
    }
    let year_start = Period::new(period.year(), 1).unwrap_or(period);
    let mut paid_month: BTreeMap<String, Fen> = BTreeMap::new();
    let mut paid_year: BTreeMap<String, Fen> = BTreeMap::new();
    for x in payments
        .iter()
        .filter(|x| matches!(x.status, PaymentStatus::Issued | PaymentStatus::Paid))
    {
        if x.period >= year_start && x.period <= period {
            let e = paid_year.entry(x.scheme.clone()).or_default();
            *e = Fen(e.0 + x.amount.0);
            if x.period == period {
                let e = paid_month.entry(x.scheme.clone()).or_default();
                *e = Fen(e.0 + x.amount.0);
            }
        }
    }
    let mut months = vec![period];
    for _ in 1..12 {
        let earlier = months[months.len() - 1].prev();
        months.push(earlier);
    }
    months.reverse();
    let trend = months
        .into_iter()
        .map(|m| {
            let mut f = Figures::default();
            for x in in_force(policy, cases, decisions, m).values() {
                f.add(x.persons, x.amount);
            }
            progress.inc(1);
            (m.to_string(), f)
        })
        .collect();
    Stats {
        period: period.to_string(),
        total,
        by_scheme,
        by_village,
        changes,
        paid_month,
        paid_year,
        trend,
    }
}

pub fn run(ws: &Workspace, args: &Request) -> Result<Outcome> {
    if let Some(quarter) = crate::cmd::discovery_report::parse_quarter(&args.period) {
        return run_quarter(ws, args, quarter?);
    }
    let period = Period::parse(&args.period).map_err(|e| {
        anyhow!(
            "{}",
            tr(
                format!("--period `{}`: {e}; write the month as 2026-11", args.period),
                format!("--period `{}`: {}", args.period, e.zh())
            )
        )
    })?;
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let cases = ledger::read::<Case>(ws)?;
    let decisions = ledger::read::<Decision>(ws)?;
    let payments = ledger::read::<Payment>(ws)?;
    let stats = compute(&ws.policy, &cases, &decisions, &payments, period);
    let rel = path_for(period);
    // The 主动发现 sheet, when the workspace does active discovery.
    let discoveries = ledger::read::<crate::ledger::Discovery>(ws)?;
    let monitored = ledger::read::<crate::ledger::Monitored>(ws)?;
    let discovery = if discoveries.is_empty() && monitored.is_empty() {
        None
    } else {
        let t = crate::cmd::discovery_report::tally(
            &discoveries,
            &ledger::read::<crate::ledger::Investigation>(ws)?,
            &ledger::read::<crate::ledger::Referral>(ws)?,
            &monitored,
            (period.first_day(), period.last_day()),
        );
        Some(t)
    };
    crate::ui::record("discoveries", discovery.as_ref().map_or(0, |t| t.total.found));
    // 追回: the overpayments recorded up to the period.
    let recoveries: Vec<Recovery> = ledger::read::<Recovery>(ws)?
        .into_iter()
        .filter(|r| r.found_in <= period)
        .collect();
    let bytes = workbook_with(&ws.policy, &stats, discovery.as_ref(), &recoveries, &cases)?;

    let mut all = Change::default();
    for c in stats.changes.values() {
        all.add(c);
    }
    let ytd = Fen(stats.paid_year.values().map(|f| f.0).sum());
    let balanced = stats.changes.values().all(Change::balances);
    crate::ui::record("period", stats.period.clone());
    crate::ui::record("report", rel.display().to_string());
    crate::ui::record("households", stats.total.households);
    crate::ui::record("persons", stats.total.persons);
    crate::ui::record("amount", stats.total.amount.to_string());
    crate::ui::record("paid_year_to_date", ytd.to_string());
    crate::ui::record("new_households", all.new.households);
    crate::ui::record("increased_households", all.increased.households);
    crate::ui::record("decreased_households", all.decreased.households);
    crate::ui::record("stopped_households", all.stopped.households);
    crate::ui::record("reconciles", balanced);

    let mark = if balanced { "✓" } else { "✗" };
    // A dry run names the workbook as one it would write.
    let written = if args.dry_run {
        tr(
            format!("would be {}", rel.display()),
            format!("将写入 {}", rel.display()),
        )
    } else {
        rel.display().to_string()
    };
    let out = tr(
        format!(
            "{}report {}: {} households, {} persons, {} this month ({} paid this year); new {}, increased {}, \
             decreased {}, stopped {}; {} + {} + {} − {} − {} = {} {mark}\n  {}",
            if args.dry_run { "dry run: " } else { "" },
            stats.period,
            stats.total.households,
            stats.total.persons,
            stats.total.amount,
            ytd,
            all.new.households,
            all.increased.households,
            all.decreased.households,
            all.stopped.households,
            all.before.amount,
            all.new.amount,
            all.increased.amount,
            all.decreased.amount,
            all.stopped.amount,
            all.after.amount,
            written
        ),
        format!(
            "{}统计报表 {}: 在保 {} 户 {} 人, 本月 {} 元 (本年累计发放 {} 元); 新增 {} 户, 增发 {} 户, 减发 {} 户, \
             停发 {} 户; {} + {} + {} − {} − {} = {} {mark}\n  {}",
            if args.dry_run { "试运行: " } else { "" },
            stats.period,
            stats.total.households,
            stats.total.persons,
            stats.total.amount,
            ytd,
            all.new.households,
            all.increased.households,
            all.decreased.households,
            all.stopped.households,
            all.before.amount,
            all.new.amount,
            all.increased.amount,
            all.decreased.amount,
            all.stopped.amount,
            all.after.amount,
            written
        ),
    );
    let mut out = out;
    let open_recoveries = recoveries.iter().filter(|r| r.status == RecoveryStatus::Open);
    crate::ui::record("recoveries_open", open_recoveries.clone().count());
    crate::ui::record(
        "recoveries_outstanding",
        Fen(open_recoveries.map(|r| r.outstanding().0).sum()).to_string(),
    );
    if !recoveries.is_empty() {
        let open: Vec<&Recovery> = recoveries.iter().filter(|r| r.status == RecoveryStatus::Open).collect();
        let owed = Fen(open.iter().map(|r| r.outstanding().0).sum());
        let back = Fen(recoveries.iter().map(|r| r.repaid.0).sum());
        let off = Fen(recoveries.iter().map(|r| r.written_off.0).sum());
        out.push_str(&tr(
            format!(
                "\n  overpayments (追回): {} recorded, {} open with {owed} still to recover; {back} repaid, {off} \
                 written off (sheet 追回)",
                recoveries.len(),
                open.len()
            ),
            format!(
                "\n  多发追回: 登记 {} 笔, 未结清 {} 笔, 待追回 {owed} 元; 已退回 {back} 元, 已核销 {off} 元 (见「追回」表)",
                recoveries.len(),
                open.len()
            ),
        ));
    }
    let outcome = if balanced {
        Outcome::Done
    } else {
        Outcome::NeedsAttention
    };
    if let Some(lock) = lock {
        let mut txn = Txn::new();
        txn.put(&rel, bytes);
        ws.commit(&lock, txn)?;
    }
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}

pub fn path_for(period: Period) -> PathBuf {
    PathBuf::from("reports").join(format!("统计报表-{period}.xlsx"))
}

fn scheme_label(policy: &Policy, key: &str) -> String {
    policy
        .schemes
        .get(key)
        .map(|s| s.label.clone())
        .unwrap_or_else(|| key.to_string())
}

fn figures_cells(f: &Figures) -> [Value; 3] {
    [
        Value::Count(f.households),
        Value::Count(f.persons),
        Value::Money(f.amount),
    ]
}

/// The workbook: 汇总 (with charts), 按类别, 按乡镇村, 变动, 趋势.
pub fn workbook(policy: &Policy, s: &Stats, recoveries: &[Recovery], cases: &[Case]) -> Result<Vec<u8>> {
    workbook_with(policy, s, None, recoveries, cases)
}

/// As [`workbook`], with the 主动发现 sheet (and its chart) after 趋势 when active discovery is tallied.
pub fn workbook_with(
    policy: &Policy,
    s: &Stats,
    discovery: Option<&crate::cmd::discovery_report::Tally>,
    recoveries: &[Recovery],
    cases: &[Case],
) -> Result<Vec<u8>> {
    let (y, m) = s.period.split_once('-').unwrap_or((&s.period, ""));
    let month_zh = format!("{y}年{}月", m.trim_start_matches('0'));
    let mut all = Change::default();
    for c in s.changes.values() {
        all.add(c);
    }
    let ytd = Fen(s.paid_year.values().map(|f| f.0).sum());
    let paid = Fen(s.paid_month.values().map(|f| f.0).sum());
    let balanced = s.changes.values().all(Change::balances);
    let kv = |k: &str, v: Value| vec![Value::from(k), v];
    let mut summary = SheetSpec {
        name: "汇总".into(),
        title: Some(format!("{} {month_zh} 社会救助统计报表", policy.region.name)),
        columns: vec![Column::new("项目", Kind::Text), Column::new("数值", Kind::Money)],
        rows: vec![
            kv("在保户数 (户)", Value::Count(s.total.households)),
            kv("在保人数 (人)", Value::Count(s.total.persons)),
            kv("本月保障金额 (元)", Value::Money(s.total.amount)),
            kv("本月实发金额 (元)", Value::Money(paid)),
            kv("本年累计发放 (元)", Value::Money(ytd)),
            kv("上月保障金额 (元, 按月救助)", Value::Money(all.before.amount)),
            kv("新增 (户)", Value::Count(all.new.households)),
            kv("新增金额 (元)", Value::Money(all.new.amount)),
            kv("增发 (户)", Value::Count(all.increased.households)),
            kv("增发金额 (元)", Value::Money(all.increased.amount)),
            kv("减发 (户)", Value::Count(all.decreased.households)),
            kv("减发金额 (元)", Value::Money(all.decreased.amount)),
            kv("停发 (户)", Value::Count(all.stopped.households)),
            kv("停发金额 (元)", Value::Money(all.stopped.amount)),
            kv("本月金额 (元, 按月救助)", Value::Money(all.after.amount)),
            kv(
                "平衡校验: 上月 + 新增 + 增发 − 减发 − 停发 = 本月",
                Value::from(if balanced { "✓ 平衡" } else { "✗ 不平衡" }),
            ),
        ],
        batch: None,
        print: Default::default(),
    };
    if !recoveries.is_empty() {
        let sum = |f: &dyn Fn(&Recovery) -> i64| Value::Money(Fen(recoveries.iter().map(f).sum()));
        summary.rows.push(kv("多发应追回 (元)", sum(&|r| r.amount.0)));
        summary.rows.push(kv("已退回 (元)", sum(&|r| r.repaid.0)));
        summary.rows.push(kv("已核销 (元)", sum(&|r| r.written_off.0)));
        summary.rows.push(kv("待追回 (元)", sum(&|r| r.outstanding().0)));
    }
    // The report's paper: its title with the county and period, the date it is made (the period's last day,
    // never the clock), the figures on the first page and the charts on a page of their own below them.
    let made = s
        .period
        .parse::<crate::domain::date::Period>()
        .map(|p| {
            let d = p.last_day();
            format!("{}年{}月{}日", d.year(), d.month(), d.day())
        })
        .unwrap_or_default();
    let chart_row = writer::first_data_row(&summary) + 1 + summary.rows.len() as u32 + 1;
    summary.print = writer::Print {
        above: vec![writer::Line::left(format!(
            "填报单位: {}民政局    统计期: {month_zh}    制表日期: {made}",
            policy.region.name
        ))],
        page_breaks: vec![chart_row],
        ..Default::default()
    };
    let chart_row = chart_row + 1;
    let mut scheme_rows: Vec<Vec<Value>> = Vec::new();
    for (k, f) in &s.by_scheme {
        let mut row = vec![Value::from(scheme_label(policy, k))];
        row.extend(figures_cells(f));
        row.push(Value::Money(s.paid_month.get(k).copied().unwrap_or_default()));
        row.push(Value::Money(s.paid_year.get(k).copied().unwrap_or_default()));
        scheme_rows.push(row);
    }
    let n_schemes = scheme_rows.len();
    let mut total_row = vec![Value::from("合计")];
    total_row.extend(figures_cells(&s.total));
    total_row.push(Value::Money(paid));
    total_row.push(Value::Money(ytd));
    scheme_rows.push(total_row);
    let by_scheme = SheetSpec {
        name: "按类别".into(),
        title: Some(format!("{month_zh} 分类别统计 (临时救助为当月一次性)")),
        columns: vec![
            Column::new("救助类别", Kind::Text),
            Column::new("户数", Kind::Count),
            Column::new("人数", Kind::Count),
            Column::new("本月保障金额(元)", Kind::Money),
            Column::new("本月实发(元)", Kind::Money),
            Column::new("本年累计发放(元)", Kind::Money),
        ],
        rows: scheme_rows,
        batch: None,
        print: Default::default(),
    };
    let mut village_rows: Vec<Vec<Value>> = s
        .by_village
        .iter()
        .map(|((t, v), f)| {
            let mut row = vec![Value::from(t.as_str()), Value::from(v.as_str())];
            row.extend(figures_cells(f));
            row
        })
        .collect();
    let mut total_row = vec![Value::from("合计"), Value::from("")];
    total_row.extend(figures_cells(&s.total));
    village_rows.push(total_row);
    let by_village = SheetSpec {
        name: "按乡镇村".into(),
        title: Some(format!("{month_zh} 分乡镇(街道)、村(社区)统计")),
        columns: vec![
            Column::new("乡镇(街道)", Kind::Text),
            Column::new("村(社区)", Kind::Text),
            Column::new("户数", Kind::Count),
            Column::new("人数", Kind::Count),
            Column::new("本月保障金额(元)", Kind::Money),
        ],
        rows: village_rows,
        batch: None,
        print: Default::default(),
    };
    let change_row = |label: String, c: &Change| {
        vec![
            Value::from(label),
            Value::Count(c.before.households),
            Value::Money(c.before.amount),
            Value::Count(c.new.households),
            Value::Money(c.new.amount),
            Value::Count(c.increased.households),
            Value::Money(c.increased.amount),
            Value::Count(c.decreased.households),
            Value::Money(c.decreased.amount),
            Value::Count(c.stopped.households),
            Value::Money(c.stopped.amount),
            Value::Count(c.after.households),
            Value::Money(c.after.amount),
            Value::Money(c.computed()),
            Value::from(if c.balances() { "✓" } else { "✗" }),
        ]
    };
    let mut change_rows: Vec<Vec<Value>> = s
        .changes
        .iter()
        .map(|(k, c)| change_row(scheme_label(policy, k), c))
        .collect();
    change_rows.push(change_row("合计".into(), &all));
    let changes = SheetSpec {
        name: "变动".into(),
        title: Some(format!(
            "{month_zh} 变动情况 (按月救助): 上月金额 + 新增 + 增发 − 减发 − 停发 = 本月金额"
        )),
        columns: vec![
            Column::new("救助类别", Kind::Text),
            Column::new("上月户数", Kind::Count),
            Column::new("上月金额(元)", Kind::Money),
            Column::new("新增户数", Kind::Count),
            Column::new("新增金额(元)", Kind::Money),
            Column::new("增发户数", Kind::Count),
            Column::new("增发金额(元)", Kind::Money),
            Column::new("减发户数", Kind::Count),
            Column::new("减发金额(元)", Kind::Money),
            Column::new("停发户数", Kind::Count),
            Column::new("停发金额(元)", Kind::Money),
            Column::new("本月户数", Kind::Count),
            Column::new("本月金额(元)", Kind::Money),
            Column::new("计算金额(元)", Kind::Money),
            Column::new("平衡", Kind::Text),
        ],
        rows: change_rows,
        batch: None,
        print: Default::default(),
    };
    let trend = SheetSpec {
        name: "趋势".into(),
        title: Some("近12个月在保户数、人数与保障金额".into()),
        columns: vec![
            Column::new("月份", Kind::Text),
            Column::new("户数", Kind::Count),
            Column::new("人数", Kind::Count),
            Column::new("保障金额(元)", Kind::Money),
        ],
        rows: s
            .trend
            .iter()
            .map(|(m, f)| {
                let mut row = vec![Value::from(m.as_str())];
                row.extend(figures_cells(f));
                row
            })
            .collect(),
        batch: None,
        print: Default::default(),
    };
    let months = s.trend.len();
    let charts = vec![
        ChartSpec {
            kind: ChartKind::Line,
            title: "近12个月在保户数".into(),
            on_sheet: 0,
            at: (chart_row, 0),
            data_sheet: 4,
            categories: 0,
            values: vec![1],
            rows: 0..months,
        },
        ChartSpec {
            kind: ChartKind::Column,
            title: "近12个月保障金额(元)".into(),
            on_sheet: 0,
            at: (chart_row + 16, 0),
            data_sheet: 4,
            categories: 0,
            values: vec![3],
            rows: 0..months,
        },
        ChartSpec {
            kind: ChartKind::Pie,
            title: format!("{month_zh} 各类别保障金额"),
            on_sheet: 0,
            at: (chart_row + 32, 0),
            data_sheet: 1,
            categories: 0,
            values: vec![3],
            rows: 0..n_schemes,
        },
    ];
    let mut sheets = vec![summary, by_scheme, by_village, changes, trend];
    let mut charts = charts;
    if let Some(t) = discovery {
        let (sheet, more) = crate::cmd::discovery_report::month_sheet(t, &month_zh, sheets.len());
        sheets.push(sheet);
        charts.extend(more);
    }
    if !recoveries.is_empty() {
        sheets.push(crate::cmd::recover::sheet(policy, recoveries, cases));
    }
    writer::workbook_bytes_with_charts(&sheets, &charts)
}

/// `jiuzhu report --period 2026Q4`: the quarterly township inspection report of active discovery
/// (乡镇主动发现督查表, `reports/主动发现督查-2026Q4.xlsx`).
fn run_quarter(
    ws: &Workspace,
    args: &Request,
    (from, to, quarter_zh): (chrono::NaiveDate, chrono::NaiveDate, String),
) -> Result<Outcome> {
    use crate::cmd::discovery_report as dr;
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };
    let t = dr::tally(
        &ledger::read::<crate::ledger::Discovery>(ws)?,
        &ledger::read::<crate::ledger::Investigation>(ws)?,
        &ledger::read::<crate::ledger::Referral>(ws)?,
        &ledger::read::<crate::ledger::Monitored>(ws)?,
        (from, to),
    );
    let towns: Vec<String> = ws.policy.region.townships.iter().map(|t| t.name.clone()).collect();
    let bytes = dr::quarter_workbook(&t, &quarter_zh, &towns)?;
    let quarter = args.period.trim().to_uppercase();
    let rel = PathBuf::from("reports").join(format!("主动发现督查-{quarter}.xlsx"));
    let c = &t.total;
    crate::ui::record("quarter", quarter.clone());
    crate::ui::record("report", rel.display().to_string());
    crate::ui::record("discoveries", c.found);
    crate::ui::record("in_time", c.in_time);
    crate::ui::record("overdue", c.overdue);
    let prefix = if args.dry_run {
        tr("dry run: ", "试运行: ")
    } else {
        String::new()
    };
    let out = tr(
        format!(
            "{prefix}township inspection {quarter} (主动发现督查): {} discoveries; {} investigated in time, {} late, {} \
             overdue, {} within their limit; referrals {} answered of {} ({} overdue); {} monitored households\n  {}",
            c.found,
            c.in_time,
            c.late,
            c.overdue,
            c.open,
            c.answered,
            c.referred,
            c.referrals_overdue,
            c.monitored,
            rel.display()
        ),
        format!(
            "{prefix}{quarter_zh}乡镇主动发现督查: 发现 {} 条; 按时调查 {}, 超时限调查 {}, 超时限未调查 {}, 时限内待调查 {}; \
             转介 {} 件已答复 {} 件 (超期未答复 {} 件); 监测 {} 户\n  {}",
            c.found,
            c.in_time,
            c.late,
            c.overdue,
            c.open,
            c.referred,
            c.answered,
            c.referrals_overdue,
            c.monitored,
            rel.display()
        ),
    );
    let outcome = if c.overdue > 0 || c.referrals_overdue > 0 {
        Outcome::NeedsAttention
    } else {
        Outcome::Done
    };
    if let Some(lock) = lock {
        let mut txn = Txn::new();
        txn.put(&rel, bytes);
        ws.commit(&lock, txn)?;
    }
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}
