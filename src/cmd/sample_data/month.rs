//! `jiuzhu sample-data --month YYYY-MM WS` — a later month's inputs for a workspace that has run its earlier
//! months, as a running county receives them. Read from the workspace's ledgers (the households in force and
//! their members), written to `inputs/YYYY-MM/`:
//!
//! ```text
//! inputs/YYYY-MM/followups.csv            回访记录: a share of the households in force visited (特殊困难 every
//!                                         month, 一般困难 a third, 临时困难 a sixth; every household of a scheme
//!                                         the policy re-checks monthly, 城市低保), some with a change found —
//!                                         a member's new income (lost work: 增发; earns more: 减发 or 停发) or a
//!                                         member moved out
//! inputs/YYYY-MM/registers/<乡镇>-申请登记.csv   the month's new applications (1% of the workspace's cases by
//!                                         default), people the workspace does not know, applied on the month's
//!                                         first working days
//! inputs/YYYY-MM/visits.csv               入户调查 of the new applications: a village visit and a township re-visit
//! inputs/YYYY-MM/registries/<name>.csv    the month's registries (10 rows per case by default), with a few members
//!                                         of households in force (临时救助 aside) planted: died, a vehicle or a
//!                                         home registered, on a payroll … in the month before
//! inputs/YYYY-MM/expected-hits.csv        the planted hits: what `compare` must find
//! ```
//!
//! Deterministic: the same workspace, month and seed give the same bytes (the random streams are named by the
//! month, so no month repeats another's people or rows).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use chrono::{Datelike, NaiveDate, Weekday};

use super::{
    create, region_of, registry_sizes, two_of, write_expected, write_registered, write_registries, write_row,
    write_visits, Generator, IdAllocator, Planted, Recent, Registers, SplitMix64, APPLICATION_DAYS,
    INVESTIGATORS_VILLAGE, REGISTRIES, REGISTRY_ROWS_PER_HOUSEHOLD, VISITS_HEADER,
};
use crate::domain::date::Period;
use crate::hash::HashMap;
use crate::i18n::tr;
use crate::ledger::{self, Case, CaseStatus, Member, Relation, WorkAbility};
use crate::workspace::Workspace;

/// What `sample-data --month` was asked to write.
#[derive(Debug, Clone)]
pub struct MonthSpec {
    pub dir: PathBuf,
    pub month: Period,
    pub seed: u64,
    /// New applications; default 1% of the workspace's cases (at least one).
    pub households: Option<usize>,
    /// Registry rows in all; default 10 per case of the workspace.
    pub registry_rows: Option<u64>,
    /// Share of the members of households in force planted in some registry, in percent.
    pub hit_percent: f64,
}

/// What was written, for the summary and the tests.
#[derive(Debug, Default, Clone)]
pub struct MonthWritten {
    pub in_force: usize,
    pub followups: usize,
    pub income_changes: usize,
    pub moved_out: usize,
    pub households: usize,
    pub members: usize,
    pub register_files: usize,
    pub visit_rows: usize,
    pub registry_rows: u64,
    pub planted_hits: usize,
}

/// The followups sheet's header (the columns `intake --kind followups` reads).
const FOLLOWUP_HEADER: &[&str] = &[
    "户主身份证号",
    "回访日期",
    "回访人",
    "困难类别",
    "回访情况",
    "变化类型",
    "变化成员身份证号",
    "变化后月收入",
];

/// The month's working days (Monday to Friday, the policy's holidays aside) up to day `last`.
fn working_days(ws: &Workspace, month: Period, last: u32) -> Vec<NaiveDate> {
    let holidays = &ws.policy.verification.holidays;
    (1..=last)
        .filter_map(|d| NaiveDate::from_ymd_opt(month.first_day().year(), month.month(), d))
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(d))
        .collect()
}

/// Writes the month's inputs into the workspace at `spec.dir`.
pub fn generate(spec: &MonthSpec) -> Result<MonthWritten> {
    if !(0.0..=100.0).contains(&spec.hit_percent) {
        bail!(
            "{}",
            tr(
                "--hit-percent must be between 0 and 100",
                "--hit-percent 须在 0 到 100 之间"
            )
        );
    }
    let ws = Workspace::open(&spec.dir)?;
    let month = spec.month;
    let out_dir = ws.path("inputs").join(month.to_string());
    if out_dir.exists() {
        bail!(
            "{}",
            tr(
                format!(
                    "{} exists: sample-data does not overwrite a month's inputs — remove the folder to write them again",
                    out_dir.display()
                ),
                format!("{} 已存在: `sample-data` 不覆盖某月的输入 — 如需重新生成, 请先删除该文件夹", out_dir.display()),
            )
        );
    }
    let cases: Vec<Case> = ledger::read(&ws)?;
    let members: Vec<Member> = ledger::read(&ws)?;
    let in_force: Vec<&Case> = cases.iter().filter(|c| c.status == CaseStatus::Effective).collect();
    if in_force.is_empty() {
        bail!(
            "{}",
            tr(
                format!(
                    "no household is in force in {}: --month writes a running county's month — run the month before \
                     it first (intake, verify, decide until the decisions are in force)",
                    ws.root.display()
                ),
                format!(
                    "{} 中没有享受中的家庭: --month 生成的是正常运转的县的一个月 — 请先把上个月办完 (导入、审核、审批直至决定生效)",
                    ws.root.display()
                ),
            )
        );
    }
    let mut by_case: HashMap<&str, Vec<&Member>> = HashMap::default();
    for m in &members {
        by_case.entry(m.case_id.as_str()).or_default().push(m);
    }
    for sub in ["registers", "registries"] {
        let d = out_dir.join(sub);
        std::fs::create_dir_all(&d).with_context(|| format!("cannot create {}", d.display()))?;
    }
    let stream = |name: &str| SplitMix64::new(spec.seed, &format!("{month}/{name}"));
    let mut out = MonthWritten {
        in_force: in_force.len(),
        ..MonthWritten::default()
    };

    // Follow-up visits (回访) of the households in force, with the changes they find.
    let mut rng = stream("followups");
    // The changes found draw from a stream of their own.
    let mut change_rng = stream("changes");
    let visit_days = working_days(&ws, month, 15);
    let mut w = create(&out_dir.join("followups.csv"))?;
    write_row(&mut w, FOLLOWUP_HEADER)?;
    let mut gone: crate::hash::HashSet<&str> = crate::hash::HashSet::default();
    for c in &in_force {
        if c.scheme == "temporary" {
            continue; // 临时救助 is paid for its months; no follow-up
        }
        let Some(people) = by_case.get(c.case_id.as_str()) else {
            continue;
        };
        let (class, share) = match rng.weighted(&[20, 60, 20]) {
            0 => ("特殊困难", 1.0),
            1 => ("一般困难", 1.0 / 3.0),
            _ => ("临时困难", 1.0 / 6.0),
        };
        // A scheme the policy re-checks every month (城市低保按月) is visited every month, whatever the class.
        let rules = &ws.policy.audit;
        let monthly = rules
            .recheck_months
            .get(&c.scheme)
            .copied()
            .unwrap_or(rules.default_recheck_months)
            <= 1;
        if !rng.chance(share) && !monthly {
            continue;
        }
        let day = *rng.pick(&visit_days);
        let visitors = two_of(&mut rng, INVESTIGATORS_VILLAGE);
        let head = c.applicant_id_number.as_str();
        let others: Vec<&&Member> = people.iter().filter(|m| m.relation != Relation::Head).collect();
        let earners: Vec<&&Member> = people
            .iter()
            .filter(|m| matches!(m.work_ability, WorkAbility::Full | WorkAbility::Partial))
            .collect();
        let roll = rng.below(100);
        let (situation, change, member, income) = if roll < 12 && !earners.is_empty() {
            let m = rng.pick(&earners);
            let old = m.monthly_income_amount.0 / 100;
            // Work lost (增发) needs an income to lose; else it rises a little (减发) or a lot (停发, 渐退).
            let weights: &[u32] = if old > 0 { &[40, 45, 15] } else { &[0, 75, 25] };
            let (text, new) = match change_rng.weighted(weights) {
                0 => ("务工中断, 暂无收入", 0),
                1 => ("务工收入有所增加", old + change_rng.range(100, 600) as i64),
                _ => ("已稳定就业, 收入明显增加", change_rng.range(3000, 5000) as i64),
            };
            out.income_changes += 1;
            (text, "收入变化", m.id_number.as_str().to_string(), format!("{new}.00"))
        } else if roll < 14 && !others.is_empty() {
            let m = rng.pick(&others);
            gone.insert(m.id_number.as_str());
            out.moved_out += 1;
            (
                "成员外出务工, 户口已迁出",
                "迁出",
                m.id_number.as_str().to_string(),
                String::new(),
            )
        } else if roll < 57 {
            ("家庭情况与上次回访一致", "无变化", String::new(), String::new())
        } else {
            ("情况与申报一致", "", String::new(), String::new())
        };
        write_row(
            &mut w,
            &[
                head,
                &day.format("%Y-%m-%d").to_string(),
                &visitors,
                class,
                situation,
                change,
                &member,
                &income,
            ],
        )?;
        out.followups += 1;
    }
    w.flush()?;

    // New applications, with their home visits.
    let region = region_of(&ws.policy);
    let app_days = working_days(&ws, month, 11);
    if app_days.is_empty() {
        bail!("{month}: no working day in the first 11 days");
    }
    let mut gen = Generator {
        rng: stream("households"),
        region: &region,
        ids: IdAllocator {
            taken: members.iter().map(|m| m.id_number.as_str().to_string()).collect(),
            ..IdAllocator::default()
        },
    };
    let mut visit_rng = stream("visits");
    let mut visits = create(&out_dir.join("visits.csv"))?;
    write_row(&mut visits, VISITS_HEADER)?;
    let mut registers = Registers::new();
    let new_households = spec.households.unwrap_or((cases.len() / 100).max(1));
    for _ in 0..new_households {
        let mut h = gen.household();
        // The first month's application day, moved to the same place among this month's working days.
        let slot = APPLICATION_DAYS
            .iter()
            .position(|&d| d == h.applied_on.day())
            .unwrap_or(0);
        h.applied_on = app_days[slot % app_days.len()];
        write_registered(&mut registers, &out_dir.join("registers"), &h, &region)?;
        out.households += 1;
        out.members += h.members.len();
        out.visit_rows += write_visits(&mut visits, &h, &mut visit_rng)?;
    }
    out.register_files = registers.len();
    for (_, (mut w, _)) in registers {
        w.flush()?;
    }
    visits.flush()?;

    // The month's registries: people of other places, and a few members of households in force planted.
    let total = spec
        .registry_rows
        .unwrap_or(cases.len() as u64 * REGISTRY_ROWS_PER_HOUSEHOLD);
    let sizes = registry_sizes(total);
    let weights: Vec<u32> = REGISTRIES.iter().map(|r| r.1 as u32).collect();
    let mut plant_rng = stream("planted");
    let mut planted = Vec::new();
    // Households of the schemes paid month after month (临时救助 is a one-off help for its months: left out, as
    // the follow-ups leave it out).
    for c in in_force.iter().filter(|c| c.scheme != "temporary") {
        for m in by_case.get(c.case_id.as_str()).into_iter().flatten() {
            if gone.contains(m.id_number.as_str()) || !plant_rng.chance(spec.hit_percent / 100.0) {
                continue;
            }
            let registry = plant_rng.weighted(&weights);
            planted.push(Planted {
                registry,
                position: plant_rng.range(0, sizes[registry]),
                id: m.id_number.as_str().to_string(),
                name: m.name.as_str().to_string(),
                birth: m.birth_date,
                male: m.sex == "M",
                head_id: c.applicant_id_number.as_str().to_string(),
            });
        }
    }
    // Registered (or died) in the month before this one.
    let before = month.prev();
    let days = (before.last_day() - before.first_day()).num_days() as u64 + 1;
    let recent = Recent {
        since: before.first_day(),
        days,
        died_from: before.first_day(),
        died_days: days,
        died_by: before.last_day(),
    };
    let prefix = format!("{month}/");
    let (rows, expected) = write_registries(
        &out_dir.join("registries"),
        spec.seed,
        &prefix,
        &sizes,
        planted,
        &recent,
    )?;
    out.registry_rows = rows;
    out.planted_hits = expected.len();
    write_expected(&out_dir.join("expected-hits.csv"), &expected)?;
    Ok(out)
}

/// Prints what [`generate`] wrote and the month's first steps.
pub fn summary(spec: &MonthSpec, w: &MonthWritten) {
    let m = spec.month;
    let dir = spec.dir.display();
    let (in_force, followups, income, moved) = (w.in_force, w.followups, w.income_changes, w.moved_out);
    let (households, members, visits) = (w.households, w.members, w.visit_rows);
    let (rows, planted) = (w.registry_rows, w.planted_hits);
    crate::outln!(
        "{}",
        tr(
            format!(
                "sample-data {dir} {m}: {followups} follow-up visits of {in_force} households in force ({income} income \
                 changes, {moved} moved out); {households} new households ({members} members) with {visits} visit rows; \
                 {rows} registry rows ({planted} planted hits in inputs/{m}/expected-hits.csv)"
            ),
            format!(
                "示例数据 {dir} {m}: 享受中 {in_force} 户, 回访 {followups} 户 (收入变化 {income} 户, 迁出 {moved} 人); \
                 新申请 {households} 户 ({members} 人), 入户调查 {visits} 行; 比对数据 {rows} 行 (预埋疑点 {planted} 条, \
                 见 inputs/{m}/expected-hits.csv)"
            ),
        )
    );
    let next = format!(
        "{}jiuzhu intake inputs/{m}/registers/*.csv && jiuzhu intake --kind followups inputs/{m}/followups.csv && \
         jiuzhu verify --visits inputs/{m}/visits.csv",
        crate::ui::cd_to(&spec.dir)
    );
    crate::outln!("{}", tr(format!("  next: {next}"), format!("  下一步: `{next}`")));
}
