//! Eligibility (审核): the checks `jiuzhu verify` runs on each case under review, as pure functions over the
//! case, its members, its visits and registry hits, and the policy. No file system, no clock: the date checks
//! are made on is always given (`as_of`).
//!
//! Each check gives a [`Finding`]: pass, needs_info (a person must act: supplement materials, visit, look at a
//! hit) or fail (the household does not qualify), with a detail in Chinese for the review workbook and the
//! policy values it used. [`status_from`] turns a case's findings into its status.

use std::collections::{BTreeMap, BTreeSet};

use crate::domain::digest::{Digest, Sha256};
use chrono::NaiveDate;

use crate::domain::benefit::{self, Computed, Household, StandardUsed};
use crate::domain::date::{add_working_days, working_days_between};
use crate::domain::id_number::Sex;
use crate::domain::money::{div_per_capita, Fen, RoundMode, RoundUnit};
use crate::domain::policy::{AmountUnit, Policy, Scheme, SchemeKind, Verification};
use crate::domain::records::{
    Case, CaseStatus, CheckResult, ConfirmResult, ConfirmSubject, Confirmation, Disposition, Effect, Extension, Match,
    Member, Relation, Visit, VisitLevel, WorkAbility,
};

/// The checks, in the order they are run and shown, with their Chinese labels.
pub const CHECKS: &[(&str, &str)] = &[
    ("materials", "申请材料"),
    ("identity", "身份与户主"),
    ("relations", "家庭关系"),
    ("duplicate_person", "重复人员"),
    ("residence", "户籍"),
    ("income", "收入"),
    ("assets", "财产"),
    ("exclusions", "排除情形"),
    ("registry_hits", "信息比对"),
    ("home_visit", "入户调查"),
    ("revisit", "乡镇复核抽查"),
    ("time_limit", "办理时限"),
];

/// The Chinese label of a check key (the key itself when unknown).
pub fn check_label(check: &str) -> &str {
    CHECKS
        .iter()
        .find(|(k, _)| *k == check)
        .map(|(_, l)| *l)
        .unwrap_or(check)
}

/// The outcome of one check on one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub check: &'static str,
    pub result: CheckResult,
    /// What was found, in Chinese.
    pub detail: String,
    /// The policy values used, `key=value` joined by `; `.
    pub policy_values: String,
}

impl Finding {
    fn new(
        check: &'static str,
        result: CheckResult,
        detail: impl Into<String>,
        policy_values: impl Into<String>,
    ) -> Self {
        Finding {
            check,
            result,
            detail: detail.into(),
            policy_values: policy_values.into(),
        }
    }
}

/// Everything known about one case, gathered by the command from the ledgers.
#[derive(Debug, Clone)]
pub struct CaseFacts<'a> {
    pub case: &'a Case,
    pub scheme: &'a Scheme,
    pub members: Vec<&'a Member>,
    pub visits: Vec<&'a Visit>,
    pub hits: Vec<&'a Match>,
    pub extension: Option<&'a Extension>,
    /// Drawn into the township re-visit sample.
    pub in_sample: bool,
    /// For each member's ID number, the other open cases the person is also in.
    pub also_in: BTreeMap<String, Vec<String>>,
    /// What a person confirmed or refused for this case (人工确认: work ability, relations).
    pub confirmations: Vec<&'a Confirmation>,
}

/// Runs every check on a case, in the order of [`CHECKS`].
pub fn check_case(policy: &Policy, f: &CaseFacts<'_>, as_of: NaiveDate) -> Vec<Finding> {
    let v = &policy.verification;
    let provided: Vec<String> = split_list(&f.case.materials);
    let mut income = income_check(policy, f.scheme, f.case, &f.members, as_of);
    if f.scheme.kind == SchemeKind::Tekun && income.result == CheckResult::NeedsInfo {
        if let Some(done) = work_ability_confirmed(&f.members, &f.confirmations, &income) {
            income = done;
        }
    }
    vec![
        materials_check(&f.scheme.required_materials, &v.minimal_materials, &provided),
        identity_check(f.case, &f.members),
        relations_check(&f.members, as_of, v, &f.confirmations),
        duplicate_check(&f.members, &f.also_in),
        residence_check(&f.members, policy),
        income,
        assets_check(policy, f.scheme, f.case, as_of),
        exclusions_check(&f.case.exclusions),
        registry_check(&f.hits, f.case, &f.members, policy),
        visit_check(
            "home_visit",
            &f.visits,
            VisitLevel::Village,
            v.min_investigators,
            as_of,
            true,
        ),
        visit_check(
            "revisit",
            &f.visits,
            VisitLevel::Township,
            v.min_investigators,
            as_of,
            f.in_sample,
        ),
        time_limit_check(f.case.applied_on, as_of, f.scheme, f.extension, v),
    ]
}

/// The status a case's findings give: any fail → ineligible; else any needs_info (except `time_limit`, which
/// flags an overdue case without changing its status) → needs_info; else verified.
pub fn status_from(findings: &[Finding]) -> CaseStatus {
    if findings.iter().any(|f| f.result == CheckResult::Fail) {
        CaseStatus::Ineligible
    } else if findings
        .iter()
        .any(|f| f.result == CheckResult::NeedsInfo && f.check != "time_limit")
    {
        CaseStatus::NeedsInfo
    } else {
        CaseStatus::Verified
    }
}

/// Whether a check's outcome waits for a person's confirmation (人工确认) that the correction sheet records
/// (字段 `确认: 无劳动能力` / `确认: 家庭关系`), and which.
pub fn asks_confirmation(check: &str, result: CheckResult, detail: &str) -> Option<ConfirmSubject> {
    if result != CheckResult::NeedsInfo {
        return None;
    }
    match check {
        "relations" => Some(ConfirmSubject::Relation),
        "income" if detail.contains("需人工确认无劳动能力") => Some(ConfirmSubject::WorkAbility),
        _ => None,
    }
}

/// A `、`-joined list (materials, exclusions) as its items.
pub fn split_list(s: &str) -> Vec<String> {
    s.split(['、', ',', ';'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

// ---------------------------------------------------------------------------------------------------------
// Materials (申请材料, 一次性告知)

/// The required materials a case does not hold, each once, in the policy's order. Empty when complete — also
/// when the county accepts "一证一书" (`minimal`, not empty) and the case holds all of those.
pub fn missing_materials(required: &[String], minimal: &[String], provided: &[String]) -> Vec<String> {
    let have: BTreeSet<&str> = provided.iter().map(String::as_str).collect();
    if !minimal.is_empty() && minimal.iter().all(|m| have.contains(m.as_str())) {
        return Vec::new();
    }
    let mut seen = BTreeSet::new();
    required
        .iter()
        .filter(|m| !have.contains(m.as_str()) && seen.insert(m.as_str()))
        .cloned()
        .collect()
}

/// The date by which the household must have been told everything to supplement (一次性告知): `days` working
/// days after receipt, counted from the next day, on the policy calendar.
pub fn supplement_due(applied_on: NaiveDate, v: &Verification) -> NaiveDate {
    add_working_days(applied_on, v.supplement_working_days, &v.holidays, &v.extra_workdays)
}

fn materials_check(required: &[String], minimal: &[String], provided: &[String]) -> Finding {
    let pv = format!(
        "required_materials={}; minimal_materials={}",
        required.join("、"),
        if minimal.is_empty() {
            "-".to_string()
        } else {
            minimal.join("、")
        }
    );
    let missing = missing_materials(required, minimal, provided);
    if missing.is_empty() {
        let have: BTreeSet<&str> = provided.iter().map(String::as_str).collect();
        let detail = if !minimal.is_empty() && minimal.iter().all(|m| have.contains(m.as_str())) {
            format!("一证一书: 已提供{}", minimal.join("、"))
        } else {
            "材料齐全".to_string()
        };
        Finding::new("materials", CheckResult::Pass, detail, pv)
    } else {
        Finding::new(
            "materials",
            CheckResult::NeedsInfo,
            format!("缺{}", missing.join("、")),
            pv,
        )
    }
}

// ---------------------------------------------------------------------------------------------------------
// Identity and relations (身份, 家庭关系)

fn who(m: &Member) -> String {
    format!("{} ({})", m.name, m.id_number.masked())
}

fn identity_check(case: &Case, members: &[&Member]) -> Finding {
    let mut problems = Vec::new();
    let heads: Vec<&&Member> = members.iter().filter(|m| m.relation == Relation::Head).collect();
    match heads.len() {
        1 => {
            if heads[0].id_number != case.applicant_id_number {
                problems.push(format!(
                    "户主 {} 不是申请人 {}",
                    who(heads[0]),
                    case.applicant_id_number.masked()
                ));
            }
        }
        0 => problems.push("没有户主".to_string()),
        n => problems.push(format!("{n} 名成员为户主")),
    }
    if members.len() != case.household_size as usize {
        problems.push(format!(
            "家庭人口 {} 与成员 {} 人不符",
            case.household_size,
            members.len()
        ));
    }
    if problems.is_empty() {
        Finding::new("identity", CheckResult::Pass, "户主唯一, 与申请人一致", "")
    } else {
        Finding::new("identity", CheckResult::NeedsInfo, problems.join("; "), "")
    }
}

/// Members whose relation to the head does not fit their ages, each as a sentence naming the member (masked
/// ID): a child (子/女) not at least `min_parent_age_gap` years younger than the head, a parent (父/母) not at
/// least that much older, a spouse younger than the legal marriage age for the spouse's sex on `as_of`.
///
/// "At least N years younger" counts full years on the birthday: a child born on the head's 15th birthday is
/// 15 years younger; one born the day before is not.
pub fn relation_problems(members: &[&Member], as_of: NaiveDate, v: &Verification) -> Vec<String> {
    relation_problems_of(members, as_of, v)
        .into_iter()
        .map(|(_, p)| p)
        .collect()
}

/// [`relation_problems`], each with the member it is about.
fn relation_problems_of<'m>(members: &[&'m Member], as_of: NaiveDate, v: &Verification) -> Vec<(&'m Member, String)> {
    let Some(head) = members.iter().find(|m| m.relation == Relation::Head) else {
        return Vec::new();
    };
    let gap = v.min_parent_age_gap;
    let mut out = Vec::new();
    for m in members {
        match m.relation {
            Relation::Son | Relation::Daughter => {
                // The head's age (full years) on the child's birth date.
                let years = head.id_number.age_on(m.birth_date);
                if years < gap {
                    out.push((
                        *m,
                        format!(
                            "{}为{}, 与户主年龄差不足{gap}岁 (户主出生 {}, 本人出生 {})",
                            who(m),
                            m.relation.label_zh(),
                            head.birth_date,
                            m.birth_date
                        ),
                    ));
                }
            }
            Relation::Father | Relation::Mother => {
                let years = m.id_number.age_on(head.birth_date);
                if years < gap {
                    out.push((
                        *m,
                        format!(
                            "{}为{}, 比户主年长不足{gap}岁 (本人出生 {}, 户主出生 {})",
                            who(m),
                            m.relation.label_zh(),
                            m.birth_date,
                            head.birth_date
                        ),
                    ));
                }
            }
            Relation::Spouse => {
                let min = match m.id_number.sex() {
                    Sex::Male => v.marriage_age_male,
                    Sex::Female => v.marriage_age_female,
                };
                let age = m.id_number.age_on(as_of);
                if age < min {
                    out.push((
                        *m,
                        format!("{}为配偶, {} 时 {age} 岁, 未到法定婚龄 {min} 岁", who(m), as_of),
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

/// A relation the ages make doubtful needs a person: confirmed (属实, with why) it passes; refused (不属实) the
/// check fails with the person's reason; not yet answered it waits (needs_info).
fn relations_check(
    members: &[&Member],
    as_of: NaiveDate,
    v: &Verification,
    confirmations: &[&Confirmation],
) -> Finding {
    let pv = format!(
        "min_parent_age_gap={}; marriage_age_male={}; marriage_age_female={}",
        v.min_parent_age_gap, v.marriage_age_male, v.marriage_age_female
    );
    let (mut open, mut refused, mut confirmed) = (Vec::new(), Vec::new(), Vec::new());
    for (m, problem) in relation_problems_of(members, as_of, v) {
        let answer = confirmations
            .iter()
            .find(|c| c.subject == ConfirmSubject::Relation && c.id_number == m.id_number);
        match answer {
            Some(c) if c.result == ConfirmResult::Refused => refused.push(format!(
                "{problem}; 经 {} {} 核实不属实: {}",
                c.confirmed_by, c.confirmed_on, c.reason
            )),
            Some(c) => confirmed.push(format!(
                "{}的关系经 {} {} 确认属实: {}",
                who(m),
                c.confirmed_by,
                c.confirmed_on,
                c.reason
            )),
            None => open.push(problem),
        }
    }
    if !refused.is_empty() {
        Finding::new("relations", CheckResult::Fail, refused.join("; "), pv)
    } else if !open.is_empty() {
        open.push("需人工确认关系 (更正登记表 字段 `确认: 家庭关系`)".into());
        Finding::new("relations", CheckResult::NeedsInfo, open.join("; "), pv)
    } else if !confirmed.is_empty() {
        Finding::new("relations", CheckResult::Pass, confirmed.join("; "), pv)
    } else {
        Finding::new("relations", CheckResult::Pass, "关系与年龄相符", pv)
    }
}

/// 特困 held for a person to confirm the head's lack of work ability: the finding once someone has answered —
/// confirmed it passes, refused it fails with the reason — or None while no one has.
fn work_ability_confirmed(members: &[&Member], confirmations: &[&Confirmation], held: &Finding) -> Option<Finding> {
    let head = members.iter().find(|m| m.relation == Relation::Head)?;
    let c = confirmations
        .iter()
        .find(|c| c.subject == ConfirmSubject::WorkAbility && c.id_number == head.id_number)?;
    Some(match c.result {
        ConfirmResult::Confirmed => Finding::new(
            "income",
            CheckResult::Pass,
            format!(
                "经 {} {} 确认无劳动能力、无赡养抚养扶养义务人: {}",
                c.confirmed_by, c.confirmed_on, c.reason
            ),
            held.policy_values.clone(),
        ),
        ConfirmResult::Refused => Finding::new(
            "income",
            CheckResult::Fail,
            format!(
                "经 {} {} 核实, 不属于无劳动能力、无赡养抚养扶养义务人: {}",
                c.confirmed_by, c.confirmed_on, c.reason
            ),
            held.policy_values.clone(),
        ),
    })
}

fn duplicate_check(members: &[&Member], also_in: &BTreeMap<String, Vec<String>>) -> Finding {
    let mut problems = Vec::new();
    for m in members {
        if let Some(others) = also_in.get(m.id_number.as_str()).filter(|o| !o.is_empty()) {
            problems.push(format!("{}同时在案件 {} 中", who(m), others.join("、")));
        }
    }
    if problems.is_empty() {
        Finding::new("duplicate_person", CheckResult::Pass, "无重复人员", "")
    } else {
        Finding::new("duplicate_person", CheckResult::Fail, problems.join("; "), "")
    }
}

/// 人户分离: a member registered outside the county is recorded, not rejected.
fn residence_check(members: &[&Member], policy: &Policy) -> Finding {
    let mut places: Vec<&str> = vec![policy.region.name.as_str()];
    for t in &policy.region.townships {
        places.push(&t.name);
        places.extend(t.aliases.iter().map(String::as_str));
    }
    let apart: Vec<String> = members
        .iter()
        .filter(|m| !m.registered_region.trim().is_empty())
        .filter(|m| !places.iter().any(|p| m.registered_region.contains(p)))
        .map(|m| format!("{} 户籍地 {}", who(m), m.registered_region))
        .collect();
    let detail = if apart.is_empty() {
        "户籍在本县或未填户籍地".to_string()
    } else {
        format!("人户分离: {}", apart.join("; "))
    };
    Finding::new(
        "residence",
        CheckResult::Pass,
        detail,
        format!("region={}", policy.region.name),
    )
}

// ---------------------------------------------------------------------------------------------------------
// Income (收入)

/// Household per-capita monthly income (家庭人均月收入): (sum of members' monthly incomes − the counted
/// deduction) ÷ household size, rounded once. A deduction larger than the income brings it to 0, not below.
/// `None` when the size is 0 or the sum overflows.
pub fn per_capita_income(
    members_income: &[Fen],
    deduction: Option<Fen>,
    size: u32,
    unit: RoundUnit,
    mode: RoundMode,
) -> Option<Fen> {
    let total = Fen::checked_sum(members_income.iter().copied())?;
    let net = total.checked_sub(deduction.unwrap_or(Fen::ZERO))?;
    let net = if net.is_negative() { Fen::ZERO } else { net };
    div_per_capita(net, size, unit, mode)
}

/// Whether a claimed rigid expenditure (刚性支出) is counted: its kind is one the policy allows and it has
/// evidence. `Err` says why not, in Chinese.
pub fn counted_deduction(case: &Case, v: &Verification) -> Result<Option<Fen>, String> {
    let Some(amount) = case.deduction_amount.filter(|a| *a != Fen::ZERO) else {
        return Ok(None);
    };
    let kind = case.deduction_kind.trim();
    if kind.is_empty() || !v.deduction_kinds.iter().any(|k| k == kind) {
        return Err(format!(
            "刚性支出 {amount} 未扣减: 类别「{kind}」不在可扣减类别 ({}) 内",
            v.deduction_kinds.join("、")
        ));
    }
    if case.deduction_evidence.trim().is_empty() {
        return Err(format!("刚性支出 {amount} 未扣减: 无支出凭证"));
    }
    Ok(Some(amount))
}

/// The standard in force on `as_of`, monthly, with how it reads (`860.00` or `550.00 (6600.00/年÷12)`).
fn monthly_standard(policy: &Policy, scheme: &Scheme, as_of: NaiveDate) -> Option<(Fen, String, NaiveDate)> {
    let s = scheme.standard_on(as_of)?;
    let monthly = s.monthly(&policy.rounding);
    let shown = match s.unit {
        AmountUnit::PerMonth => monthly.to_string(),
        AmountUnit::PerYear => format!("{monthly} ({}/年÷12)", s.amount.0),
    };
    Some((monthly, shown, s.from))
}

fn standard_values(policy: &Policy, scheme: &Scheme, as_of: NaiveDate) -> String {
    match scheme.standard_on(as_of) {
        Some(s) => format!(
            "standard={}/{} from {}",
            s.amount.0,
            match s.unit {
                AmountUnit::PerMonth => "month",
                AmountUnit::PerYear => "year",
            },
            s.from
        ),
        None => format!("standard=none in force on {as_of}; rounding={:?}", policy.rounding.unit),
    }
}

fn income_check(policy: &Policy, scheme: &Scheme, case: &Case, members: &[&Member], as_of: NaiveDate) -> Finding {
    let v = &policy.verification;
    match scheme.kind {
        SchemeKind::Temporary => {
            let t = &policy.benefits.temporary;
            match case.temporary_months {
                Some(m) if (t.min_months..=t.max_months).contains(&m) => Finding::new(
                    "income",
                    CheckResult::Pass,
                    format!("临时救助: 核定困难月数 {m} 个月, 金额在决定时按标准核算"),
                    standard_values(policy, scheme, as_of),
                ),
                Some(m) => Finding::new(
                    "income",
                    CheckResult::NeedsInfo,
                    format!(
                        "临时救助: 救助月数 {m} 不在 {}–{} 个月之内, 请重新核定",
                        t.min_months, t.max_months
                    ),
                    standard_values(policy, scheme, as_of),
                ),
                None => Finding::new(
                    "income",
                    CheckResult::NeedsInfo,
                    format!(
                        "临时救助: 未核定救助月数 ({}–{} 个月), 请在登记表「救助月数」列填写",
                        t.min_months, t.max_months
                    ),
                    standard_values(policy, scheme, as_of),
                ),
            }
        }
        SchemeKind::Tekun => tekun_check(members, as_of, policy.benefits.tekun.minor_age),
        SchemeKind::Dibao => {
            let Some((standard, shown, from)) = monthly_standard(policy, scheme, as_of) else {
                return Finding::new(
                    "income",
                    CheckResult::NeedsInfo,
                    format!("{as_of} 无有效的保障标准, 请在 jiuzhu.yaml 中补充"),
                    standard_values(policy, scheme, as_of),
                );
            };
            let incomes: Vec<Fen> = members.iter().map(|m| m.monthly_income_amount).collect();
            let (deduction, why_not) = match counted_deduction(case, v) {
                Ok(d) => (d, None),
                Err(why) => (None, Some(why)),
            };
            let size = case.household_size;
            let (unit, mode) = (policy.rounding.unit(), policy.rounding.mode());
            let pv = format!(
                "{}; rounding={}; deduction_kinds={}",
                standard_values(policy, scheme, as_of),
                rounding_text(unit, mode),
                v.deduction_kinds.join("、")
            );
            let Some(pc) = per_capita_income(&incomes, deduction, size, unit, mode) else {
                return Finding::new("income", CheckResult::NeedsInfo, "家庭人口为0, 无法计算人均收入", pv);
            };
            let sum: Vec<String> = incomes.iter().map(Fen::to_string).collect();
            // The test itself is exact, with no division (T ≥ S × n), as in `domain::benefit`: a rounded per-capita
            // figure is for reading only, and must never decide a case on the line.
            let net = Fen::checked_sum(incomes.iter().copied())
                .and_then(|t| t.checked_sub(deduction.unwrap_or(Fen::ZERO)))
                .map(|t| if t.is_negative() { Fen::ZERO } else { t });
            let line = standard.checked_mul(size as i64);
            let above = match (net, line) {
                (Some(t), Some(l)) => t >= l,
                _ => pc >= standard,
            };
            // Above the line, the 单人户 route may still cover a severely disabled or seriously ill member alone:
            // the same rule `decide` computes the amount with (`benefit::dibao`), so verify never refuses a household
            // that decide would pay.
            let single_person = if above {
                single_person_route(policy, scheme, case, members, as_of)
            } else {
                None
            };
            let (cmp, result) = match (above, &single_person) {
                (false, _) => ("<", CheckResult::Pass),
                (true, Some(_)) => ("≥", CheckResult::Pass),
                (true, None) => ("≥", CheckResult::Fail),
            };
            let mut detail = format!(
                "人均月收入 ({}−{})÷{size} = {pc} {cmp} 标准 {shown} ({from}起)",
                if sum.is_empty() {
                    "0.00".to_string()
                } else {
                    sum.join("+")
                },
                deduction.unwrap_or(Fen::ZERO),
            );
            if let Some(why) = why_not {
                detail.push_str("; ");
                detail.push_str(&why);
            }
            if let Some(route) = single_person {
                detail.push_str("; ");
                detail.push_str(&route);
            }
            Finding::new("income", result, detail, pv)
        }
    }
}

/// 单人户: for a 低保 household whose income is not below the line, the benefit rules' text of the route that
/// covers one severely disabled or seriously ill member alone, when it applies on `as_of`; `None` when it does not.
fn single_person_route(
    policy: &Policy,
    scheme: &Scheme,
    case: &Case,
    members: &[&Member],
    as_of: NaiveDate,
) -> Option<String> {
    let standard = StandardUsed::from_standard(scheme.standard_on(as_of)?, &policy.rounding);
    let household = Household::of_case(policy, case, members, as_of, &BTreeSet::new());
    match benefit::dibao(&household, &standard, &policy.benefits, &policy.rounding) {
        Computed::Pay {
            single_person: Some(_),
            derivation,
            ..
        } => derivation
            .steps
            .iter()
            .find(|s| s.rule == "dibao.single_person")
            .map(|s| s.text.clone()),
        _ => None,
    }
}

fn rounding_text(unit: RoundUnit, mode: RoundMode) -> String {
    let u = match unit {
        RoundUnit::Fen => "fen",
        RoundUnit::Jiao => "jiao",
        RoundUnit::Yuan => "yuan",
    };
    let m = match mode {
        RoundMode::HalfUp => "half_up",
        RoundMode::Up => "up",
        RoundMode::Down => "down",
    };
    format!("{u} {m}")
}

/// 特困: the head has no work ability, or is 60 or older, or under 16; otherwise a person must confirm no work
/// ability and no one obliged to support them (无劳动能力、无赡养抚养扶养义务人).
fn tekun_check(members: &[&Member], as_of: NaiveDate, minor_age: u32) -> Finding {
    // 特困: no work ability, or elderly (60+), or a minor (supported to `benefits.tekun.minor_age`, 18).
    let pv = format!("tekun: work_ability=none or age≥60 or age<{minor_age} (benefits.tekun.minor_age)");
    let pv = pv.as_str();
    let Some(head) = members.iter().find(|m| m.relation == Relation::Head) else {
        return Finding::new("income", CheckResult::NeedsInfo, "没有户主, 无法审核特困条件", pv);
    };
    let age = head.id_number.age_on(as_of);
    if head.work_ability == WorkAbility::None {
        Finding::new("income", CheckResult::Pass, format!("户主 {age} 岁, 无劳动能力"), pv)
    } else if age >= 60 {
        Finding::new("income", CheckResult::Pass, format!("户主 {age} 岁 (≥60)"), pv)
    } else if age < minor_age {
        Finding::new(
            "income",
            CheckResult::Pass,
            format!("户主 {age} 岁 (未满 {minor_age} 周岁)"),
            pv,
        )
    } else {
        Finding::new(
            "income",
            CheckResult::NeedsInfo,
            format!("户主 {age} 岁, 劳动能力不是「无」: 需人工确认无劳动能力、无赡养抚养扶养义务人 (更正登记表 字段 `确认: 无劳动能力`)"),
            pv,
        )
    }
}

// ---------------------------------------------------------------------------------------------------------
// Assets (财产)

fn assets_check(policy: &Policy, scheme: &Scheme, case: &Case, as_of: NaiveDate) -> Finding {
    let limits = &policy.verification.assets;
    if scheme.kind == SchemeKind::Temporary {
        return Finding::new("assets", CheckResult::Pass, "临时救助: 不审核家庭财产", "");
    }
    let standard = monthly_standard(policy, scheme, as_of);
    let pv = format!(
        "deposits_months_of_standard={}; max_vehicles={}; max_properties={}; {}",
        limits.deposits_months_of_standard,
        limits.max_vehicles,
        limits.max_properties,
        standard_values(policy, scheme, as_of)
    );
    if case.deposits_amount.is_none() && case.vehicles.is_none() && case.properties.is_none() {
        return Finding::new("assets", CheckResult::Pass, "未申报 (车辆、房产以信息比对为准)", pv);
    }
    let mut fails = Vec::new();
    let mut notes = Vec::new();
    if let Some(deposits) = case.deposits_amount {
        let (unit, mode) = (policy.rounding.unit(), policy.rounding.mode());
        match (
            div_per_capita(deposits, case.household_size, unit, mode),
            standard
                .as_ref()
                .and_then(|(s, _, _)| s.checked_mul(i64::from(limits.deposits_months_of_standard))),
        ) {
            (Some(per), Some(limit)) => {
                let text = format!(
                    "人均存款 {deposits}÷{} = {per} {} {}个月标准 {limit}",
                    case.household_size,
                    if per > limit { ">" } else { "≤" },
                    limits.deposits_months_of_standard
                );
                if per > limit {
                    fails.push(text);
                } else {
                    notes.push(text);
                }
            }
            _ => notes.push(format!("存款 {deposits}: 无有效标准, 未比较")),
        }
    }
    if let Some(n) = case.vehicles {
        let text = format!("车辆 {n} 辆 (上限 {})", limits.max_vehicles);
        if n > limits.max_vehicles {
            fails.push(text);
        } else {
            notes.push(text);
        }
    }
    if let Some(n) = case.properties {
        let text = format!("房产 {n} 套 (上限 {})", limits.max_properties);
        if n > limits.max_properties {
            fails.push(text);
        } else {
            notes.push(text);
        }
    }
    if fails.is_empty() {
        Finding::new("assets", CheckResult::Pass, notes.join("; "), pv)
    } else {
        Finding::new(
            "assets",
            CheckResult::Fail,
            format!("超过限额: {}", fails.join("; ")),
            pv,
        )
    }
}

fn exclusions_check(exclusions: &str) -> Finding {
    let items = split_list(exclusions);
    if items.is_empty() {
        Finding::new("exclusions", CheckResult::Pass, "无排除情形", "")
    } else {
        Finding::new(
            "exclusions",
            CheckResult::Fail,
            format!("排除情形: {}", items.join("、")),
            "",
        )
    }
}

// ---------------------------------------------------------------------------------------------------------
// Registry hits (信息比对)

fn registry_check(hits: &[&Match], case: &Case, members: &[&Member], policy: &Policy) -> Finding {
    // A member whose death was confirmed and who has since been removed from the household (`jiuzhu correct`,
    // 减少成员) is acted on: the hit no longer holds the case.
    let removed = |h: &&Match| {
        policy.is_death_registry(&h.source)
            && h.disposition == Disposition::Confirmed
            && !members.iter().any(|m| m.id_number == h.id_number)
    };
    let hits: Vec<&Match> = hits.iter().copied().filter(|h| !removed(h)).collect();
    let hits = hits.as_slice();
    let label = |source: &str| {
        policy
            .registries
            .get(source)
            .map(|r| r.label.clone())
            .unwrap_or_else(|| source.to_string())
    };
    let describe = |h: &Match| {
        format!(
            "{} {} {}: {}",
            label(&h.source),
            h.name,
            h.id_number.masked(),
            h.evidence
        )
    };
    let matters = |h: &&&Match| matches!(h.effect, Effect::Exclude | Effect::Review);
    // A confirmed death of a member (not the applicant) does not make the household ineligible: the household is
    // to be corrected and computed without them, so a person must act.
    let member_died = |h: &&&Match| policy.is_death_registry(&h.source) && h.id_number != case.applicant_id_number;
    let died: Vec<String> = hits
        .iter()
        .filter(matters)
        .filter(|h| h.disposition == Disposition::Confirmed)
        .filter(member_died)
        .map(|h| describe(h))
        .collect();
    let confirmed: Vec<String> = hits
        .iter()
        .filter(matters)
        .filter(|h| h.disposition == Disposition::Confirmed)
        .filter(|h| !member_died(h))
        .map(|h| describe(h))
        .collect();
    if confirmed.is_empty() && !died.is_empty() {
        return Finding::new(
            "registry_hits",
            CheckResult::NeedsInfo,
            format!(
                "家庭成员已死亡 (比对属实): {}; 请更正家庭成员后重新审核",
                died.join("; ")
            ),
            "",
        );
    }
    let open: Vec<String> = hits
        .iter()
        .filter(matters)
        .filter(|h| h.disposition == Disposition::Open)
        .map(|h| describe(h))
        .collect();
    if !confirmed.is_empty() {
        Finding::new(
            "registry_hits",
            CheckResult::Fail,
            format!("比对属实: {}", confirmed.join("; ")),
            "",
        )
    } else if !open.is_empty() {
        Finding::new(
            "registry_hits",
            CheckResult::NeedsInfo,
            format!("比对命中待核实: {}", open.join("; ")),
            "",
        )
    } else if hits.is_empty() {
        Finding::new("registry_hits", CheckResult::Pass, "无比对命中", "")
    } else {
        Finding::new(
            "registry_hits",
            CheckResult::Pass,
            format!("{} 条命中已排除或仅记录", hits.len()),
            "",
        )
    }
}

// ---------------------------------------------------------------------------------------------------------
// Visits (入户调查, 乡镇复核)

/// A visit is valid when it has at least `min` investigators and is signed; only visits made on or before
/// `as_of` count. `required` false (e.g. not drawn into the re-visit sample) passes with "未抽中".
fn visit_check(
    check: &'static str,
    visits: &[&Visit],
    level: VisitLevel,
    min: u32,
    as_of: NaiveDate,
    required: bool,
) -> Finding {
    let pv = format!("min_investigators={min}");
    let what = match level {
        VisitLevel::Village => "入户调查",
        VisitLevel::Township => "乡镇复核入户",
        VisitLevel::County => "县级入户",
    };
    if !required {
        return Finding::new(check, CheckResult::Pass, "未抽中", pv);
    }
    let mut at_level: Vec<&&Visit> = visits
        .iter()
        .filter(|v| v.level == level && v.visited_on <= as_of)
        .collect();
    at_level.sort_by(|a, b| (a.visited_on, &a.visit_id).cmp(&(b.visited_on, &b.visit_id)));
    let prefix = if check == "revisit" { "抽中复核: " } else { "" };
    if let Some(ok) = at_level.iter().rev().find(|v| v.investigator_count >= min && v.signed) {
        return Finding::new(
            check,
            CheckResult::Pass,
            format!("{prefix}{} {} ({}), 已签字", what, ok.visited_on, ok.investigators),
            pv,
        );
    }
    let detail = match at_level.last() {
        None => format!("{prefix}缺{what}"),
        Some(v) if v.investigator_count < min => {
            format!(
                "{prefix}{} {}: 调查人不足{min}人 ({})",
                what, v.visited_on, v.investigators
            )
        }
        Some(v) => format!("{prefix}{} {}: 未签字", what, v.visited_on),
    };
    Finding::new(check, CheckResult::NeedsInfo, detail, pv)
}

// ---------------------------------------------------------------------------------------------------------
// Re-visit sample (乡镇按比例复核)

/// The township re-visit sample: in each township, the cases ranked by SHA-256 of `"{seed}|{case_id}"` (hex),
/// and the first ceil(`percent` × n ÷ 100) taken. The same seed and cases always give the same sample, and
/// anyone can redraw it.
pub fn revisit_sample(
    seed: u64,
    case_ids_by_township: &BTreeMap<String, Vec<String>>,
    percent: u32,
) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for ids in case_ids_by_township.values() {
        for (_, id) in ranked(seed, ids).into_iter().take(sample_size(ids.len(), percent)) {
            out.insert(id);
        }
    }
    out
}

/// The cases of one township in sample order, with their ranking hash.
pub fn ranked(seed: u64, ids: &[String]) -> Vec<(String, String)> {
    let unique: BTreeSet<&String> = ids.iter().collect();
    let mut v: Vec<(String, String)> = unique
        .into_iter()
        .map(|id| (sample_hash(seed, id), id.clone()))
        .collect();
    v.sort();
    v
}

/// How many of `n` cases a `percent` sample takes: ceil(percent × n ÷ 100), at most n.
pub fn sample_size(n: usize, percent: u32) -> usize {
    let pct = percent.min(100) as usize;
    (pct * n).div_ceil(100)
}

fn sample_hash(seed: u64, case_id: &str) -> String {
    let digest = Sha256::digest(format!("{seed}|{case_id}").as_bytes());
    crate::domain::digest::hex(&digest)
}

// ---------------------------------------------------------------------------------------------------------
// Time limit (审核确认时限)

/// Working days used from the day after receipt to `as_of`, and the limit with any extension (延期).
pub fn time_used(
    applied_on: NaiveDate,
    as_of: NaiveDate,
    scheme: &Scheme,
    extension: Option<&Extension>,
    v: &Verification,
) -> (u32, u32) {
    let used = working_days_between(applied_on, as_of, &v.holidays, &v.extra_workdays);
    let limit = scheme.time_limit_working_days + extension.map(|e| e.extra_working_days).unwrap_or(0);
    (used, limit)
}

fn time_limit_check(
    applied_on: NaiveDate,
    as_of: NaiveDate,
    scheme: &Scheme,
    extension: Option<&Extension>,
    v: &Verification,
) -> Finding {
    let (used, limit) = time_used(applied_on, as_of, scheme, extension, v);
    let ext = extension.map(|e| e.extra_working_days).unwrap_or(0);
    let pv = format!(
        "time_limit_working_days={}; extension={ext}",
        scheme.time_limit_working_days
    );
    let limit_text = if ext > 0 {
        format!("时限 {} + 延期 {ext} = {limit}", scheme.time_limit_working_days)
    } else {
        format!("时限 {limit}")
    };
    if used > limit {
        Finding::new(
            "time_limit",
            CheckResult::NeedsInfo,
            format!(
                "超期 {} 个工作日 (受理 {applied_on}, 已用 {used} / {limit_text})",
                used - limit
            ),
            pv,
        )
    } else {
        Finding::new(
            "time_limit",
            CheckResult::Pass,
            format!("已用 {used} 个工作日 / {limit_text}"),
            pv,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::id_number;
    use crate::domain::records::Text;

    const TEMPLATE: &str = include_str!("../../templates/jiuzhu.yaml");

    fn policy() -> Policy {
        Policy::parse(TEMPLATE, "t").unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn y(s: &str) -> Fen {
        Fen::parse_yuan(s).unwrap()
    }

    /// A valid ID from a birth date and a sequence (odd = male).
    fn idn(birth: &str, seq: u32) -> id_number::IdNumber {
        let first17 = format!("130199{birth}{seq:03}");
        let c = id_number::check_character(&first17).unwrap();
        id_number::parse(&format!("{first17}{c}")).unwrap()
    }

    fn member(case: &str, birth: &str, seq: u32, relation: Relation, income: &str) -> Member {
        let id = idn(birth, seq);
        Member {
            case_id: case.into(),
            birth_date: id.birth_date(),
            sex: id.sex().code().into(),
            id_number: id,
            name: Text(format!("成员{seq}")),
            relation,
            monthly_income_amount: y(income),
            disability_grade: 0,
            serious_illness: false,
            in_school: false,
            work_ability: WorkAbility::Full,
            registered_region: Text::default(),
            self_care: crate::domain::records::SelfCare::Unknown,
        }
    }

    fn case(scheme: &str, head: &Member, size: u32, applied_on: NaiveDate) -> Case {
        Case {
            case_id: "CD-2026-000000000001".into(),
            scheme: scheme.into(),
            status: CaseStatus::Received,
            applicant_id_number: head.id_number.clone(),
            applicant_name: head.name.clone(),
            region_code: "130199100".into(),
            township: Text("城关镇".into()),
            village: Text("东街社区".into()),
            address: Text::default(),
            phone: Text::default(),
            hukou: "urban".into(),
            household_size: size,
            applied_on,
            bank_name: Text::default(),
            bank_account: Text::default(),
            hardship_reason: Text::default(),
            materials: Text("户口簿、授权书、收入证明、申请书、身份证".into()),
            deposits_amount: None,
            vehicles: None,
            properties: None,
            deduction_amount: None,
            deduction_kind: Text::default(),
            deduction_evidence: Text::default(),
            exclusions: Text::default(),
            support_mode: None,
            temporary_months: None,
            urgent: false,
            private: false,
        }
    }

    fn income_of(p: &Policy, c: &Case, ms: &[Member], as_of: NaiveDate) -> Finding {
        let refs: Vec<&Member> = ms.iter().collect();
        income_check(p, &p.schemes[&c.scheme], c, &refs, as_of)
    }

    #[test]
    fn per_capita_income_is_exact_to_the_fen() {
        let (f, h) = (RoundUnit::Fen, RoundMode::HalfUp);
        // 980.00 ÷ 3 = 326.666… → 326.67
        assert_eq!(
            per_capita_income(&[y("980"), Fen::ZERO, Fen::ZERO], None, 3, f, h),
            Some(y("326.67"))
        );
        // (1000.00 + 500.01 − 300.00) ÷ 2 = 600.005 → half up 600.01, down 600.00
        let inc = [y("1000"), y("500.01")];
        assert_eq!(per_capita_income(&inc, Some(y("300")), 2, f, h), Some(y("600.01")));
        assert_eq!(
            per_capita_income(&inc, Some(y("300")), 2, f, RoundMode::Down),
            Some(y("600.00"))
        );
        // yuan rounding: 326.67 → 327.00
        assert_eq!(
            per_capita_income(&[y("980")], None, 3, RoundUnit::Yuan, h),
            Some(y("327.00"))
        );
        // A deduction above the income brings it to 0, never below.
        assert_eq!(per_capita_income(&[y("100")], Some(y("300")), 1, f, h), Some(Fen::ZERO));
        assert_eq!(per_capita_income(&[y("100")], None, 0, f, h), None);
    }

    #[test]
    fn income_detail_shows_the_arithmetic_and_the_standard() {
        let p = policy();
        let h = member("C", "19800101", 11, Relation::Head, "980");
        let ms = vec![
            h.clone(),
            member("C", "19820101", 22, Relation::Spouse, "0"),
            member("C", "20100101", 31, Relation::Son, "0"),
        ];
        let c = case("urban_dibao", &h, 3, d(2026, 10, 12));
        let f = income_of(&p, &c, &ms, d(2026, 11, 20));
        assert_eq!(f.result, CheckResult::Pass);
        assert_eq!(
            f.detail,
            "人均月收入 (980.00+0.00+0.00−0.00)÷3 = 326.67 < 标准 860.00 (2026-07-01起)"
        );
        assert!(
            f.policy_values.contains("standard=860.00/month from 2026-07-01"),
            "{}",
            f.policy_values
        );
    }

    #[test]
    fn the_july_standard_change_is_respected() {
        // 3 × 840.00 = 2520.00: per capita 840.00, between 820 (to June) and 860 (from July).
        let p = policy();
        let h = member("C", "19800101", 11, Relation::Head, "1260");
        let ms = vec![
            h.clone(),
            member("C", "19820101", 22, Relation::Spouse, "1260"),
            member("C", "20100101", 31, Relation::Son, "0"),
        ];
        let c = case("urban_dibao", &h, 3, d(2026, 6, 1));
        let june = income_of(&p, &c, &ms, d(2026, 6, 30));
        assert_eq!(june.result, CheckResult::Fail, "{}", june.detail);
        assert!(
            june.detail.contains("= 840.00 ≥ 标准 820.00 (2026-01-01起)"),
            "{}",
            june.detail
        );
        let july = income_of(&p, &c, &ms, d(2026, 7, 1));
        assert_eq!(july.result, CheckResult::Pass, "{}", july.detail);
        assert!(
            july.detail.contains("= 840.00 < 标准 860.00 (2026-07-01起)"),
            "{}",
            july.detail
        );
        // Exactly the standard is not below it.
        let at = vec![member("C", "19800101", 11, Relation::Head, "860")];
        let c1 = case("urban_dibao", &at[0], 1, d(2026, 7, 1));
        assert_eq!(income_of(&p, &c1, &at, d(2026, 7, 1)).result, CheckResult::Fail);
    }

    #[test]
    fn rural_standards_per_year_are_compared_per_month() {
        // 6240.00/年 → 520.00/月 until June; 6600.00/年 → 550.00/月 from July.
        let p = policy();
        let h = member("C", "19800101", 11, Relation::Head, "1070");
        let ms = vec![h.clone(), member("C", "19820101", 22, Relation::Spouse, "0")];
        let c = case("rural_dibao", &h, 2, d(2026, 6, 1));
        let june = income_of(&p, &c, &ms, d(2026, 6, 30));
        assert_eq!(june.result, CheckResult::Fail);
        assert!(
            june.detail
                .contains("= 535.00 ≥ 标准 520.00 (6240.00/年÷12) (2026-01-01起)"),
            "{}",
            june.detail
        );
        let july = income_of(&p, &c, &ms, d(2026, 7, 1));
        assert_eq!(july.result, CheckResult::Pass, "{}", july.detail);
        assert!(july.policy_values.contains("standard=6600.00/year from 2026-07-01"));
    }

    #[test]
    fn a_deduction_counts_only_with_an_allowed_kind_and_evidence() {
        let p = policy();
        let h = member("C", "19800101", 11, Relation::Head, "1000");
        let ms = vec![h.clone()];
        let mut c = case("urban_dibao", &h, 1, d(2026, 10, 1));
        c.deduction_amount = Some(y("300"));
        c.deduction_kind = Text("医疗".into());
        // No evidence: not counted, and the detail says why.
        let f = income_of(&p, &c, &ms, d(2026, 11, 1));
        assert_eq!(f.result, CheckResult::Fail);
        assert!(f.detail.contains("(1000.00−0.00)÷1 = 1000.00 ≥"), "{}", f.detail);
        assert!(f.detail.contains("刚性支出 300.00 未扣减: 无支出凭证"), "{}", f.detail);
        // With evidence: counted.
        c.deduction_evidence = Text("住院发票".into());
        let f = income_of(&p, &c, &ms, d(2026, 11, 1));
        assert_eq!(f.result, CheckResult::Pass, "{}", f.detail);
        assert!(f.detail.contains("(1000.00−300.00)÷1 = 700.00 <"), "{}", f.detail);
        // A kind the policy does not allow: not counted.
        c.deduction_kind = Text("旅游".into());
        let f = income_of(&p, &c, &ms, d(2026, 11, 1));
        assert_eq!(f.result, CheckResult::Fail);
        assert!(f.detail.contains("类别「旅游」不在可扣减类别"), "{}", f.detail);
    }

    #[test]
    fn tekun_needs_no_work_ability_or_an_age_outside_16_to_60() {
        let p = policy();
        let as_of = d(2026, 11, 20);
        let mut h = member("C", "19661120", 11, Relation::Head, "0");
        let c = case("tekun", &h, 1, d(2026, 10, 1));
        // 60 on the as-of date (birthday): passes.
        assert_eq!(
            income_of(&p, &c, std::slice::from_ref(&h), as_of).result,
            CheckResult::Pass
        );
        // 59 the day before.
        let f = income_of(&p, &c, std::slice::from_ref(&h), d(2026, 11, 19));
        assert_eq!(f.result, CheckResult::NeedsInfo, "{}", f.detail);
        h.work_ability = WorkAbility::None;
        assert_eq!(
            income_of(&p, &c, std::slice::from_ref(&h), d(2026, 11, 19)).result,
            CheckResult::Pass
        );
        let child = member("C", "20101121", 11, Relation::Head, "0");
        let c2 = case("tekun", &child, 1, d(2026, 10, 1));
        assert_eq!(
            income_of(&p, &c2, &[child], as_of).result,
            CheckResult::Pass,
            "15 is under 16"
        );
    }

    #[test]
    fn relations_are_checked_on_birthdays() {
        let v = policy().verification;
        let as_of = d(2026, 11, 20);
        let head = member("C", "19900301", 11, Relation::Head, "0");
        // Born on the head's 15th birthday: exactly 15 years younger, fine.
        let ok = member("C", "20050301", 31, Relation::Son, "0");
        // Born the day before: 14 full years.
        let young = member("C", "20050228", 42, Relation::Daughter, "0");
        let ms = [&head, &ok, &young];
        let p = relation_problems(&ms, as_of, &v);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].contains("成员42 (130199********") && p[0].contains("不足15岁"),
            "{p:?}"
        );
        // A father exactly 15 years older is fine; one 14 years older is not.
        let dad = member("C", "19750301", 51, Relation::Father, "0");
        let mum = member("C", "19750302", 62, Relation::Mother, "0");
        let p = relation_problems(&[&head, &dad, &mum], as_of, &v);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("成员62") && p[0].contains("年长不足15岁"), "{p:?}");
    }

    #[test]
    fn a_spouse_under_the_marriage_age_is_flagged_by_sex() {
        let v = policy().verification;
        let head = member("C", "19800101", 11, Relation::Head, "0");
        // Female (even sequence), 20 on 2026-11-20: fine. Male 21: flagged (22).
        let wife = member("C", "20061120", 22, Relation::Spouse, "0");
        let husband = member("C", "20051120", 33, Relation::Spouse, "0");
        assert!(relation_problems(&[&head, &wife], d(2026, 11, 20), &v).is_empty());
        let p = relation_problems(&[&head, &wife], d(2026, 11, 19), &v);
        assert!(p[0].contains("19 岁, 未到法定婚龄 20 岁"), "{p:?}");
        let p = relation_problems(&[&head, &husband], d(2026, 11, 20), &v);
        assert!(p[0].contains("21 岁, 未到法定婚龄 22 岁"), "{p:?}");
    }

    #[test]
    fn materials_missing_are_listed_once_and_one_card_one_letter_suffices() {
        let s = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let req = s(&["身份证", "户口簿", "申请书", "授权书", "收入证明", "授权书"]);
        assert_eq!(
            missing_materials(&req, &[], &s(&["身份证", "申请书"])),
            s(&["户口簿", "授权书", "收入证明"])
        );
        let minimal = s(&["身份证", "授权书"]);
        assert!(missing_materials(&req, &minimal, &s(&["授权书", "身份证"])).is_empty());
        assert_eq!(missing_materials(&req, &minimal, &s(&["身份证"])).len(), 4);
        let f = materials_check(&req, &minimal, &s(&["授权书", "身份证"]));
        assert_eq!(f.detail, "一证一书: 已提供身份证、授权书");
    }

    #[test]
    fn the_supplement_due_date_skips_the_national_day_holiday() {
        let v = policy().verification;
        // 09-30 received; 10-01/02 holidays, 10-03/04 weekend, 10-05..07 holidays; 10-08 (1), 10-09 (2),
        // 10-10 Saturday but a make-up working day (3).
        assert_eq!(supplement_due(d(2026, 9, 30), &v), d(2026, 10, 10));
        // An ordinary week: Monday 11-02 → Thursday 11-05.
        assert_eq!(supplement_due(d(2026, 11, 2), &v), d(2026, 11, 5));
    }

    #[test]
    fn the_sample_is_reproducible_and_of_the_right_size() {
        let mut by: BTreeMap<String, Vec<String>> = BTreeMap::new();
        by.insert("A".into(), (0..20).map(|i| format!("CD-2026-{i:012}")).collect());
        by.insert("B".into(), (0..13).map(|i| format!("ND-2026-{i:012}")).collect());
        by.insert("C".into(), vec!["LS-2026-000000000001".into()]);
        let s1 = revisit_sample(2026, &by, 20);
        let s2 = revisit_sample(2026, &by, 20);
        assert_eq!(s1, s2);
        // ceil(20×20/100)=4, ceil(20×13/100)=3 (2.6 up), ceil(20×1/100)=1
        assert_eq!(s1.iter().filter(|c| c.starts_with("CD")).count(), 4);
        assert_eq!(s1.iter().filter(|c| c.starts_with("ND")).count(), 3);
        assert_eq!(s1.iter().filter(|c| c.starts_with("LS")).count(), 1);
        // Order of listing does not matter; another seed gives another sample.
        let mut rev = by.clone();
        rev.values_mut().for_each(|v| v.reverse());
        assert_eq!(revisit_sample(2026, &rev, 20), s1);
        assert_ne!(revisit_sample(7, &by, 20), s1);
        assert_eq!(sample_size(10, 0), 0);
        assert_eq!(sample_size(10, 100), 10);
        assert_eq!(sample_size(10, 250), 10);
        // The rank is SHA-256 of "seed|case_id" (`echo -n "2026|CD-2026-0B9A1C744081" | sha256sum`).
        assert_eq!(
            sample_hash(2026, "CD-2026-0B9A1C744081"),
            "2284863a1aa8a59a31611474d6eeef48a8fccedfee1bab4b8ec18b43b50660de"
        );
    }

    #[test]
    fn visits_need_enough_signed_investigators() {
        let mk = |count: u32, signed: bool, level: VisitLevel, on: NaiveDate| Visit {
            visit_id: format!("V{count}{signed}{level:?}"),
            case_id: "C".into(),
            visited_on: on,
            level,
            investigators: Text("张三、李四".into()),
            investigator_count: count,
            findings: Text::default(),
            signed,
            file_sha256: String::new(),
            row: 2,
        };
        let as_of = d(2026, 11, 20);
        let f = visit_check("home_visit", &[], VisitLevel::Village, 2, as_of, true);
        assert_eq!((f.result, f.detail.as_str()), (CheckResult::NeedsInfo, "缺入户调查"));
        let one = mk(1, true, VisitLevel::Village, d(2026, 11, 10));
        let f = visit_check("home_visit", &[&one], VisitLevel::Village, 2, as_of, true);
        assert!(f.detail.contains("调查人不足2人"), "{}", f.detail);
        let unsigned = mk(2, false, VisitLevel::Village, d(2026, 11, 10));
        let f = visit_check("home_visit", &[&unsigned], VisitLevel::Village, 2, as_of, true);
        assert!(f.detail.ends_with("未签字"), "{}", f.detail);
        let good = mk(2, true, VisitLevel::Village, d(2026, 11, 10));
        assert_eq!(
            visit_check("home_visit", &[&one, &good], VisitLevel::Village, 2, as_of, true).result,
            CheckResult::Pass
        );
        // A visit after the as-of date does not count yet; a village visit is no township re-visit.
        assert_eq!(
            visit_check("home_visit", &[&good], VisitLevel::Village, 2, d(2026, 11, 9), true).result,
            CheckResult::NeedsInfo
        );
        let f = visit_check("revisit", &[&good], VisitLevel::Township, 2, as_of, true);
        assert_eq!(f.detail, "抽中复核: 缺乡镇复核入户");
        assert_eq!(
            visit_check("revisit", &[], VisitLevel::Township, 2, as_of, false).detail,
            "未抽中"
        );
    }

    #[test]
    fn time_limits_count_working_days_and_extensions() {
        let p = policy();
        let s = &p.schemes["urban_dibao"];
        // 10-08 received; 10-09 (1), 10-10 make-up Saturday (2), then 6 full weeks to 11-20: 32 working days.
        let f = time_limit_check(d(2026, 10, 8), d(2026, 11, 20), s, None, &p.verification);
        assert_eq!(f.result, CheckResult::NeedsInfo);
        assert!(f.detail.starts_with("超期 2 个工作日"), "{}", f.detail);
        let ext = Extension {
            case_id: "C".into(),
            extra_working_days: 2,
            approver: Text("王局长".into()),
            reason: Text("外地收入证明".into()),
        };
        let f = time_limit_check(d(2026, 10, 8), d(2026, 11, 20), s, Some(&ext), &p.verification);
        assert_eq!(f.result, CheckResult::Pass);
        assert_eq!(f.detail, "已用 32 个工作日 / 时限 30 + 延期 2 = 32");
    }

    #[test]
    fn status_follows_the_worst_finding_but_not_the_time_limit() {
        let f = |check, result| Finding::new(check, result, "", "");
        use CheckResult::*;
        assert_eq!(
            status_from(&[f("income", Pass), f("time_limit", NeedsInfo)]),
            CaseStatus::Verified
        );
        assert_eq!(status_from(&[f("materials", NeedsInfo)]), CaseStatus::NeedsInfo);
        assert_eq!(
            status_from(&[f("materials", NeedsInfo), f("income", Fail)]),
            CaseStatus::Ineligible
        );
    }

    #[test]
    fn assets_above_the_limits_fail() {
        let p = policy();
        let h = member("C", "19800101", 11, Relation::Head, "0");
        let mut c = case("urban_dibao", &h, 2, d(2026, 10, 1));
        let s = &p.schemes["urban_dibao"];
        let as_of = d(2026, 11, 20);
        assert_eq!(
            assets_check(&p, s, &c, as_of).detail,
            "未申报 (车辆、房产以信息比对为准)"
        );
        // 24 × 860.00 = 20640.00 per member; 41280.00 ÷ 2 = 20640.00 is at the limit, one fen more is over.
        c.deposits_amount = Some(y("41280"));
        assert_eq!(assets_check(&p, s, &c, as_of).result, CheckResult::Pass);
        c.deposits_amount = Some(y("41280.02"));
        let f = assets_check(&p, s, &c, as_of);
        assert_eq!(f.result, CheckResult::Fail, "{}", f.detail);
        c.deposits_amount = None;
        c.vehicles = Some(1);
        assert_eq!(assets_check(&p, s, &c, as_of).result, CheckResult::Fail);
        c.vehicles = Some(0);
        c.properties = Some(2);
        assert!(assets_check(&p, s, &c, as_of).detail.contains("房产 2 套 (上限 1)"));
    }
}
