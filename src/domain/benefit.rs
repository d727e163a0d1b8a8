//! Benefit computation (救助金核算): the monthly 低保 amount (补差 + 分类施保, 单人户), the 特困供养 amount
//! (basic living + care) and the one-off 临时救助 amount, each with a derivation a person can read and check.
//!
//! Pure: no file system, no clock, no floats. Money is [`Fen`]; every intermediate amount is exact, held in
//! 1/100 fen in `i128` (a whole percent of a whole-fen amount is always a whole number of 1/100 fen), and the
//! result is rounded **once, at the end**, with the policy rounding ([`Rounding::unit`], [`Rounding::mode`]).
//! The only rounding before that is the caller's normalisation of a per-year standard to a monthly one
//! ([`StandardUsed::from_standard`], the same [`Standard::monthly`] `verify` uses): that is the standard as
//! used, not a step of the computation.
//!
//! Rules (sources: seed-002-003 §1.1–1.3, §7 items 23–29, 35; every number is a policy value):
//! - 低保: with T = max(Σ monthly income − deduction, 0), n members and standard S, the household qualifies iff
//!   T < S × n (per-capita income below S, compared without division). 补差 = S × n − T, raised to the policy
//!   floor × n if set; plus, for each member, the **highest** top-up percent among the categories that apply
//!   (就高不就低、不累加) × S. Otherwise, if T ≤ S × n × `single_person_household_percent`%, a household of at
//!   least 2 has a severely disabled or seriously ill member, that member is covered alone as a 单人户:
//!   max(S − own income, 0) (raised to the floor if set) + the member's own top-up (as a household of one, so
//!   单亲 never applies). When several members qualify the one with the **largest amount** is covered (the first
//!   in list order on a tie); with equal incomes that is the one with the largest top-up.
//! - 特困: S (the 特困 standard, ≥ 1.3 × the 低保 standard in the policy) per member + care as a percent of the
//!   minimum wage by self-care ability and 供养方式 (unknown ability counts as able, unknown mode as dispersed;
//!   both are said in the text).
//! - 临时救助: S × months (within the policy range), capped by `cap_amount` and, on the urgent path (先行救助、
//!   后置审批), by `urgent_cap_amount`. A cap is never exceeded, even by rounding up: if rounding the capped amount
//!   would pass the cap, the cap rounded down to the unit is paid.
//!
//! Note (a property of the rules, not of this code): the 单人户 route only opens when the household fails, so a
//! household just above the line can get more (one member's full standard + top-up) than one just below it
//! (a small gap + top-ups). The test `single_person_cliff_is_real` shows it; the decide step may want to say so.

use chrono::NaiveDate;

use crate::domain::money::{Fen, RoundMode, RoundUnit};
use crate::domain::policy::{AmountUnit, Benefits, Rounding, Standard, TopUpCategory};
use crate::domain::records::{Relation, SelfCare, SupportMode};

/// 1/100 fen per fen: the unit of exact intermediate amounts.
const SUB: i128 = 100;

/// Age of majority (民法典 第十七条) for the 单亲 top-up's "child under 18": national law, not local policy.
pub const MINOR_AGE: u32 = 18;

/// A standard as used: the monthly amount per person after unit normalisation, and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct StandardUsed {
    pub monthly: Fen,
    pub stated: Fen,
    pub unit: AmountUnit,
    pub from: NaiveDate,
}

impl StandardUsed {
    /// The standard in force as used: a per-year amount is divided by 12 with the policy rounding
    /// ([`Standard::monthly`]), e.g. 6600.00/年 → 550.00/月.
    pub fn from_standard(s: &Standard, rounding: &Rounding) -> StandardUsed {
        StandardUsed {
            monthly: s.monthly(rounding),
            stated: s.amount.0,
            unit: s.unit,
            from: s.from,
        }
    }

    /// How the standard reads in a derivation: `860.00` or `550.00 (6600.00/年÷12)`.
    fn shown(&self) -> String {
        match self.unit {
            AmountUnit::PerMonth => self.monthly.to_string(),
            AmountUnit::PerYear => format!("{} ({}/年÷12)", self.monthly, self.stated),
        }
    }

    /// `key=860.00/month from 2026-07-01` or `key=6600.00/year from 2026-07-01 (550.00/month)` (shown to people
    /// through [`policy_values_zh`]).
    fn policy_value(&self, key: &str) -> String {
        match self.unit {
            AmountUnit::PerMonth => format!("{key}={}/month from {}", self.monthly, self.from),
            AmountUnit::PerYear => format!("{key}={}/year from {} ({}/month)", self.stated, self.from, self.monthly),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// The member's name as shown in the derivation (never an ID number).
    pub label: String,
    /// Full years on the decision date.
    pub age: u32,
    pub relation: Relation,
    pub monthly_income: Fen,
    /// 0 none, 1..=4 (1 most severe).
    pub disability_grade: u8,
    pub serious_illness: bool,
    pub in_school: bool,
    pub self_care: SelfCare,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Household {
    pub members: Vec<Person>,
    /// Allowed rigid-expenditure deduction (monthly), already checked for evidence and kind by the caller.
    /// A negative value counts as 0.
    pub deduction: Option<Fen>,
    pub support_mode: Option<SupportMode>,
    pub temporary_months: Option<u32>,
    pub urgent: bool,
}

impl Household {
    /// The household of a case as the benefit rules see it on a date (ages on `on`), leaving out the members
    /// whose ID numbers are in `without` (e.g. members confirmed dead). The deduction is the one `verify`
    /// counts: an allowed kind with evidence ([`counted_deduction`](crate::domain::eligibility::counted_deduction)).
    pub fn of_case(
        policy: &crate::domain::policy::Policy,
        case: &crate::domain::records::Case,
        members: &[&crate::domain::records::Member],
        on: NaiveDate,
        without: &std::collections::BTreeSet<String>,
    ) -> Household {
        let deduction = crate::domain::eligibility::counted_deduction(case, &policy.verification)
            .ok()
            .flatten();
        Household {
            members: members
                .iter()
                .filter(|m| !without.contains(m.id_number.as_str()))
                .map(|m| Person {
                    label: m.name.0.clone(),
                    age: m.id_number.age_on(on),
                    relation: m.relation,
                    monthly_income: m.monthly_income_amount,
                    disability_grade: m.disability_grade,
                    serious_illness: m.serious_illness,
                    in_school: m.in_school,
                    self_care: m.self_care,
                })
                .collect(),
            deduction,
            support_mode: case.support_mode,
            temporary_months: case.temporary_months,
            urgent: case.urgent,
        }
    }
}

/// The inputs a decision's amount was computed from (its `basis` in `decisions.csv`): how many members were
/// counted, their monthly income, the counted deduction and the monthly standard with the date it is in force
/// from, and which members were counted. Written as
/// `members=3;income=980.00;deduction=0.00;standard=860.00@2026-07-01;household=4f0c2a9d81be`, so an auditor can
/// replay the decision and the next month's re-decision can tell what changed (a member, the standard, the income).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Basis {
    pub members: usize,
    pub income: Fen,
    pub deduction: Fen,
    pub standard: Fen,
    pub standard_from: NaiveDate,
    /// The members counted, as the rules read them: the first 6 bytes of the SHA-256 of each counted member's
    /// name, age, relation, income, disability grade, serious illness, schooling and self-care. Two households of
    /// the same size and income (a member moved out, another not counted before now counted) have different
    /// amounts when their top-ups differ; this tells them apart. `None` in decisions made before it was recorded.
    pub household: Option<[u8; 6]>,
}

impl Basis {
    /// The basis of a computation: the household as counted and the standard used.
    pub fn of(h: &Household, standard: &StandardUsed) -> Basis {
        Basis {
            members: h.members.len(),
            income: Fen::checked_sum(h.members.iter().map(|p| p.monthly_income)).unwrap_or(Fen(i64::MAX)),
            deduction: h.deduction.unwrap_or_default(),
            standard: standard.monthly,
            standard_from: standard.from,
            household: Some(household_digest(&h.members)),
        }
    }

    /// Whether a computation's basis (`self`) is the one a decision recorded (`recorded`): the same counts, amounts
    /// and standard, and — when the decision recorded it — the same members counted.
    pub fn reproduces(&self, recorded: &Basis) -> bool {
        match recorded.household {
            Some(_) => self == recorded,
            None => {
                Basis {
                    household: None,
                    ..*self
                } == *recorded
            }
        }
    }

    /// Reads a basis as written; `None` when the text is not one (empty for decisions made without a
    /// computation, e.g. a rejection for failed checks, or damaged).
    pub fn parse(text: &str) -> Option<Basis> {
        let mut parts = text.split(';');
        let mut field = |key: &str| parts.next()?.strip_prefix(key)?.strip_prefix('=');
        let members = field("members")?.parse().ok()?;
        let income = Fen::parse_yuan(field("income")?).ok()?;
        let deduction = Fen::parse_yuan(field("deduction")?).ok()?;
        let (standard, from) = field("standard")?.split_once('@')?;
        let mut basis = Basis {
            members,
            income,
            deduction,
            standard: Fen::parse_yuan(standard).ok()?,
            standard_from: NaiveDate::parse_from_str(from, "%Y-%m-%d").ok()?,
            household: None,
        };
        if let Some(part) = parts.next() {
            let hex = part.strip_prefix("household=")?;
            if hex.len() != 12 || !hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
                return None;
            }
            let mut digest = [0u8; 6];
            for (i, d) in digest.iter_mut().enumerate() {
                *d = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
            }
            basis.household = Some(digest);
        }
        parts.next().is_none().then_some(basis)
    }

    /// Whether the standard used differs (its amount or the date it is in force from).
    pub fn standard_differs(&self, other: &Basis) -> bool {
        (self.standard, self.standard_from) != (other.standard, other.standard_from)
    }
}

impl std::fmt::Display for Basis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "members={};income={};deduction={};standard={}@{}",
            self.members, self.income, self.deduction, self.standard, self.standard_from
        )?;
        if let Some(d) = self.household {
            write!(f, ";household={}", crate::domain::digest::hex(&d))?;
        }
        Ok(())
    }
}

/// [`Basis::household`]: each counted member's fields the rules read, `\x1f`-separated, a `\x1e` after each
/// member, in the household's order.
fn household_digest(members: &[Person]) -> [u8; 6] {
    use crate::domain::digest::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in members {
        let fields = [
            p.label.clone(),
            p.age.to_string(),
            format!("{:?}", p.relation),
            p.monthly_income.to_string(),
            p.disability_grade.to_string(),
            p.serious_illness.to_string(),
            p.in_school.to_string(),
            format!("{:?}", p.self_care),
        ];
        for f in fields {
            h.update(f.as_bytes());
            h.update([0x1f]);
        }
        h.update([0x1e]);
    }
    let full = h.finalize();
    let mut out = [0u8; 6];
    out.copy_from_slice(&full[..6]);
    out
}

/// One line of a derivation: a rule ID (stable: "dibao.standard", "dibao.income", "dibao.test", "dibao.gap",
/// "dibao.floor", "dibao.topup", "dibao.single_person", "tekun.basic", "tekun.care", "temporary.months",
/// "temporary.cap", "temporary.urgent", "round"), the Chinese text a person reads, and the amount after this step
/// (the figure after "=" in the text). Where that figure has a fraction of a fen (a percent of an amount, e.g.
/// 258.015), the text shows it exactly and `amount` holds it truncated to the fen, for display only: the
/// computation carries the exact value to the single rounding in the "round" step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub rule: &'static str,
    pub text: String,
    pub amount: Fen,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Derivation {
    pub steps: Vec<Step>,
    /// The policy values used, e.g. "standard=860.00/month from 2026-07-01", "topup.student=20%".
    pub policy_values: Vec<String>,
}

impl Derivation {
    /// The whole derivation as one line of Chinese text, steps joined by "；" — what `jiuzhu explain` prints.
    pub fn text(&self) -> String {
        self.steps
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join("；")
    }

    fn step(&mut self, rule: &'static str, text: String, exact: i128) {
        self.steps.push(Step {
            rule,
            text,
            amount: truncated(exact),
        });
    }

    fn value(&mut self, v: String) {
        if !self.policy_values.contains(&v) {
            self.policy_values.push(v);
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Computed {
    /// The monthly amount (one-off amount for 临时救助), and for 单人户 the member covered.
    Pay {
        amount: Fen,
        single_person: Option<String>,
        derivation: Derivation,
    },
    /// Not eligible: a stable reason code ("income_above_standard", "no_members", "months_missing",
    /// "months_out_of_range", "amount_overflow") and Chinese text.
    Ineligible {
        reason_code: &'static str,
        reason: String,
        derivation: Derivation,
    },
}

// ---------------------------------------------------------------------------------------------------------------
// Exact amounts in 1/100 fen.

fn sub(f: Fen) -> i128 {
    i128::from(f.0) * SUB
}

/// An exact amount in yuan: two decimals, and up to two more when there is a fraction of a fen (258.015).
fn show(v: i128) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    let (yuan, rest) = (a / 10_000, a % 10_000);
    let (fen, part) = (rest / 100, rest % 100);
    if part == 0 {
        format!("{sign}{yuan}.{fen:02}")
    } else if part % 10 == 0 {
        format!("{sign}{yuan}.{fen:02}{}", part / 10)
    } else {
        format!("{sign}{yuan}.{fen:02}{part:02}")
    }
}

/// Toward zero, to whole fen, saturating (display only).
fn truncated(v: i128) -> Fen {
    let fen = v / SUB;
    Fen(i64::try_from(fen).unwrap_or(if fen < 0 { i64::MIN } else { i64::MAX }))
}

/// Rounds an exact amount once to `unit` with `mode`; `None` if it does not fit in `i64` fen.
fn round_exact(v: i128, unit: RoundUnit, mode: RoundMode) -> Option<Fen> {
    let v = i64::try_from(v).ok()?;
    Fen(v).mul_ratio(1, SUB as i64, unit, mode)
}

fn rounding_text(r: &Rounding) -> String {
    let unit = match r.unit() {
        RoundUnit::Fen => "分",
        RoundUnit::Jiao => "角",
        RoundUnit::Yuan => "元",
    };
    let mode = match r.mode() {
        RoundMode::HalfUp => "四舍五入",
        RoundMode::Up => "进位",
        RoundMode::Down => "舍去",
    };
    format!("按{unit}{mode}")
}

fn rounding_value(r: &Rounding) -> String {
    let unit = match r.unit() {
        RoundUnit::Fen => "fen",
        RoundUnit::Jiao => "jiao",
        RoundUnit::Yuan => "yuan",
    };
    let mode = match r.mode() {
        RoundMode::HalfUp => "half_up",
        RoundMode::Up => "up",
        RoundMode::Down => "down",
    };
    format!("rounding={unit}/{mode}")
}

fn overflow(derivation: Derivation) -> Computed {
    Computed::Ineligible {
        reason_code: "amount_overflow",
        reason: "金额超出可计算范围，请核对收入与标准".to_string(),
        derivation,
    }
}

/// The single rounding: `what parts… = total[，按元四舍五入 = amount]`, as the "round" step.
fn finish(d: &mut Derivation, what: &str, parts: &[i128], r: &Rounding) -> Option<Fen> {
    let total: i128 = parts.iter().sum();
    d.value(rounding_value(r));
    let amount = round_exact(total, r.unit(), r.mode())?;
    let mut text = format!("{what} ");
    if parts.len() > 1 {
        let shown: Vec<String> = parts.iter().map(|&p| show(p)).collect();
        text.push_str(&format!("{} = ", shown.join(" + ")));
    }
    text.push_str(&show(total));
    if sub(amount) != total {
        text.push_str(&format!("，{} = {amount}", rounding_text(r)));
    }
    d.steps.push(Step {
        rule: "round",
        text,
        amount,
    });
    Some(amount)
}

// ---------------------------------------------------------------------------------------------------------------
// 分类施保 categories.

const ALL_CATEGORIES: [TopUpCategory; 5] = [
    TopUpCategory::SevereDisability,
    TopUpCategory::SeriousIllness,
    TopUpCategory::Elderly,
    TopUpCategory::Student,
    TopUpCategory::SingleParent,
];

fn category_name(c: TopUpCategory) -> &'static str {
    match c {
        TopUpCategory::SevereDisability => "重残",
        TopUpCategory::SeriousIllness => "重病",
        TopUpCategory::Elderly => "老年",
        TopUpCategory::Student => "在校生",
        TopUpCategory::SingleParent => "单亲",
    }
}

fn category_key(c: TopUpCategory) -> &'static str {
    match c {
        TopUpCategory::SevereDisability => "severe_disability",
        TopUpCategory::SeriousIllness => "serious_illness",
        TopUpCategory::Elderly => "elderly",
        TopUpCategory::Student => "student",
        TopUpCategory::SingleParent => "single_parent",
    }
}

fn severely_disabled(p: &Person, b: &Benefits) -> bool {
    p.disability_grade >= 1 && p.disability_grade <= b.severe_disability_max_grade
}

fn is_child(r: Relation) -> bool {
    matches!(
        r,
        Relation::Son | Relation::Daughter | Relation::Grandson | Relation::Granddaughter
    )
}

/// The top-up categories that apply to a person in a household (for display and tests), in category order,
/// whether or not the policy gives them a percent:
/// severe_disability (grade 1..=`severe_disability_max_grade`), serious_illness, elderly (age ≥ `elderly_age`),
/// student (in school), single_parent (the head only, when no member is the head's spouse and some son, daughter
/// or grandchild is under 18 or in school).
pub fn categories(p: &Person, h: &Household, b: &Benefits) -> Vec<TopUpCategory> {
    ALL_CATEGORIES
        .into_iter()
        .filter(|&c| match c {
            TopUpCategory::SevereDisability => severely_disabled(p, b),
            TopUpCategory::SeriousIllness => p.serious_illness,
            TopUpCategory::Elderly => p.age >= b.elderly_age,
            TopUpCategory::Student => p.in_school,
            TopUpCategory::SingleParent => {
                p.relation == Relation::Head
                    && !h.members.iter().any(|m| m.relation == Relation::Spouse)
                    && h.members
                        .iter()
                        .any(|m| is_child(m.relation) && (m.age < MINOR_AGE || m.in_school))
            }
        })
        .collect()
}

/// The policy percent of a category (0 when absent; the highest if listed twice).
fn percent_of(b: &Benefits, c: TopUpCategory) -> u32 {
    b.topups
        .iter()
        .filter(|t| t.category == c)
        .map(|t| t.percent)
        .max()
        .unwrap_or(0)
}

/// The top-up a person gets: the applicable category with the highest percent (the first in category order on a
/// tie), and the other applicable categories with their percents. `None` when no category gives more than 0%.
#[derive(Debug, Clone, PartialEq)]
struct TopUpChoice {
    category: TopUpCategory,
    percent: u32,
    others: Vec<(TopUpCategory, u32)>,
}

fn choose_topup(p: &Person, h: &Household, b: &Benefits) -> Option<TopUpChoice> {
    let cats = categories(p, h, b);
    let mut best: Option<(TopUpCategory, u32)> = None;
    for &c in &cats {
        let pct = percent_of(b, c);
        if best.is_none_or(|(_, bp)| pct > bp) {
            best = Some((c, pct));
        }
    }
    let (category, percent) = best?;
    if percent == 0 {
        return None;
    }
    let others = cats
        .iter()
        .filter(|&&c| c != category)
        .map(|&c| (c, percent_of(b, c)))
        .collect();
    Some(TopUpChoice {
        category,
        percent,
        others,
    })
}

/// Adds a "dibao.topup" step and the policy values used; returns the exact top-up (percent × S).
fn topup_step(d: &mut Derivation, p: &Person, choice: &TopUpChoice, s: Fen, b: &Benefits) -> i128 {
    let amount = i128::from(choice.percent) * i128::from(s.0);
    let mut who = p.label.clone();
    if !choice.others.is_empty() {
        let others: Vec<String> = choice
            .others
            .iter()
            .map(|&(c, pct)| format!("{} {pct}%", category_name(c)))
            .collect();
        who.push_str(&format!("，另符合{}，就高不累加", others.join("、")));
    }
    d.step(
        "dibao.topup",
        format!(
            "{}加发 {}% × {s} = {} ({who})",
            category_name(choice.category),
            choice.percent,
            show(amount)
        ),
        amount,
    );
    d.value(format!("topup.{}={}%", category_key(choice.category), choice.percent));
    match choice.category {
        TopUpCategory::SevereDisability => {
            d.value(format!("severe_disability_max_grade={}", b.severe_disability_max_grade))
        }
        TopUpCategory::Elderly => d.value(format!("elderly_age={}", b.elderly_age)),
        TopUpCategory::SingleParent => d.value(format!("single_parent.child_age_below={MINOR_AGE}")),
        TopUpCategory::SeriousIllness | TopUpCategory::Student => {}
    }
    amount
}

// ---------------------------------------------------------------------------------------------------------------
// 低保

/// 低保 monthly amount: 补差 + 分类施保, or 单人户 (see the module documentation).
pub fn dibao(h: &Household, standard: &StandardUsed, b: &Benefits, rounding: &Rounding) -> Computed {
    let mut d = Derivation::default();
    d.value(standard.policy_value("standard"));
    if h.members.is_empty() {
        return Computed::Ineligible {
            reason_code: "no_members",
            reason: "家庭成员为空，无法核算低保金".to_string(),
            derivation: d,
        };
    }
    let s = standard.monthly;
    let n = h.members.len();
    let line = sub(s) * n as i128;
    d.step(
        "dibao.standard",
        format!("标准 {} × {n} 人 = {}", standard.shown(), show(line)),
        line,
    );

    let income: i128 = h.members.iter().map(|m| sub(m.monthly_income)).sum();
    let deduction = sub(h.deduction.unwrap_or(Fen::ZERO)).max(0);
    let net = income - deduction;
    let t = net.max(0);
    let mut text = format!(
        "家庭月收入 {} − 刚性支出 {} = {}",
        show(income),
        show(deduction),
        show(t)
    );
    if net < 0 {
        text.push_str("（不低于 0）");
    }
    if n > 1 {
        let n_i = n as i128;
        if t % (SUB * n_i) == 0 {
            text.push_str(&format!("，人均 {}", show(t / n_i)));
        } else if let Some(pc) = round_exact(t, RoundUnit::Fen, RoundMode::HalfUp)
            .and_then(|f| f.mul_ratio(1, n as i64, RoundUnit::Fen, RoundMode::HalfUp))
        {
            text.push_str(&format!("，人均约 {pc}"));
        }
    }
    d.step("dibao.income", text, t);

    if t >= line {
        d.step(
            "dibao.test",
            format!(
                "家庭月收入 {} ≥ 标准合计 {}，人均收入不低于标准，整户不符合低保条件",
                show(t),
                show(line)
            ),
            t,
        );
        return single_person(h, standard, b, rounding, d, t, line);
    }

    let mut gap = line - t;
    d.step(
        "dibao.gap",
        format!("补差 {} − {} = {}", show(line), show(t), show(gap)),
        gap,
    );
    if let Some(floor) = b.min_per_person_amount {
        d.value(format!("min_per_person_amount={}", floor.0));
        let floor_total = sub(floor.0) * n as i128;
        if gap < floor_total {
            gap = floor_total;
            d.step(
                "dibao.floor",
                format!("补差低于每人最低 {} × {n} 人 = {}，按最低额", floor.0, show(gap)),
                gap,
            );
        }
    }
    let mut parts = vec![gap];
    for p in &h.members {
        if let Some(choice) = choose_topup(p, h, b) {
            parts.push(topup_step(&mut d, p, &choice, s, b));
        }
    }
    match finish(&mut d, "月保障金", &parts, rounding) {
        Some(amount) => Computed::Pay {
            amount,
            single_person: None,
            derivation: d,
        },
        None => overflow(d),
    }
}

/// The 单人户 route for a household that failed the income test (`t ≥ line`).
fn single_person(
    h: &Household,
    standard: &StandardUsed,
    b: &Benefits,
    rounding: &Rounding,
    mut d: Derivation,
    t: i128,
    line: i128,
) -> Computed {
    let s = standard.monthly;
    let pct = b.single_person_household_percent;
    d.value(format!("single_person_household_percent={pct}%"));
    let limit = line * i128::from(pct) / 100; // exact: line is in 1/100 fen of whole fen
    let base_reason = format!(
        "家庭人均月收入不低于低保标准（家庭月收入 {} ≥ 标准合计 {}）",
        show(t),
        show(line)
    );
    let refuse = |mut d: Derivation, why: String| {
        d.step("dibao.single_person", format!("单人户：{why}"), 0);
        Computed::Ineligible {
            reason_code: "income_above_standard",
            reason: format!("{base_reason}；单人户：{why}"),
            derivation: d,
        }
    };
    let candidates: Vec<&Person> = h
        .members
        .iter()
        .filter(|p| severely_disabled(p, b) || p.serious_illness)
        .collect();
    if candidates.is_empty() {
        return refuse(d, "家庭中无重残、重病成员，不适用".to_string());
    }
    if h.members.len() < 2 {
        return refuse(d, "家庭仅 1 人，不另按单人户纳入".to_string());
    }
    if t > limit {
        return refuse(
            d,
            format!("家庭月收入 {} 超过标准合计的 {pct}% {}，不适用", show(t), show(limit)),
        );
    }
    let floor = b.min_per_person_amount.map(|f| sub(f.0));
    if let Some(f) = b.min_per_person_amount {
        d.value(format!("min_per_person_amount={}", f.0));
    }
    // (person, raw gap, gap after floor, top-up choice, exact amount)
    let mut best: Option<(&Person, i128, i128, Option<TopUpChoice>, i128)> = None;
    for &p in &candidates {
        let solo = Household {
            members: vec![p.clone()],
            deduction: None,
            support_mode: h.support_mode,
            temporary_months: None,
            urgent: false,
        };
        let raw = (sub(s) - sub(p.monthly_income)).max(0);
        let gap = match floor {
            Some(f) if raw < f => f,
            _ => raw,
        };
        let choice = choose_topup(p, &solo, b);
        let top = choice.as_ref().map_or(0, |c| i128::from(c.percent) * i128::from(s.0));
        let amount = gap + top;
        if best.as_ref().is_none_or(|bst| amount > bst.4) {
            best = Some((p, raw, gap, choice, amount));
        }
    }
    let Some((p, raw, gap, choice, amount)) = best else {
        return refuse(d, "家庭中无重残、重病成员，不适用".to_string());
    };
    if amount <= 0 {
        return refuse(
            d,
            format!("{} 本人月收入 {} 不低于标准且无加发，不适用", p.label, p.monthly_income),
        );
    }
    let kind = match (severely_disabled(p, b), p.serious_illness) {
        (true, true) => "重残、重病",
        (true, false) => "重残",
        _ => "重病",
    };
    let mut text = format!(
        "家庭月收入 {} 不超过标准合计的 {pct}% {}，{}为{kind}成员，参照单人户纳入",
        show(t),
        show(limit),
        p.label
    );
    if candidates.len() > 1 {
        text.push_str(&format!("（{} 名重残、重病成员中金额最高者）", candidates.len()));
    }
    text.push_str(&format!(
        "：标准 {} − 本人月收入 {} = {}",
        standard.shown(),
        p.monthly_income,
        show(raw)
    ));
    if sub(s) < sub(p.monthly_income) {
        text.push_str("（不低于 0）");
    }
    d.step("dibao.single_person", text, raw);
    if gap != raw {
        d.step(
            "dibao.floor",
            format!(
                "补差 {} 低于每人最低 {}，按最低额 = {}",
                show(raw),
                show(gap),
                show(gap)
            ),
            gap,
        );
    }
    let mut parts = vec![gap];
    if let Some(c) = &choice {
        parts.push(topup_step(&mut d, p, c, s, b));
    }
    match finish(&mut d, "月保障金", &parts, rounding) {
        Some(amount) => Computed::Pay {
            amount,
            single_person: Some(p.label.clone()),
            derivation: d,
        },
        None => overflow(d),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// 特困供养

/// 特困供养 monthly amount: the standard per member + care as a percent of the minimum wage by self-care ability
/// and 供养方式. Without a minimum wage, care is 0 (said in the text and the policy values).
pub fn tekun(
    h: &Household,
    standard: &StandardUsed,
    minimum_wage: Option<&StandardUsed>,
    b: &Benefits,
    rounding: &Rounding,
) -> Computed {
    let mut d = Derivation::default();
    d.value(standard.policy_value("standard"));
    if h.members.is_empty() {
        return Computed::Ineligible {
            reason_code: "no_members",
            reason: "没有供养对象，无法核算特困供养金".to_string(),
            derivation: d,
        };
    }
    let n = h.members.len();
    let basic = sub(standard.monthly) * n as i128;
    d.step(
        "tekun.basic",
        format!("基本生活标准 {} × {n} 人 = {}", standard.shown(), show(basic)),
        basic,
    );
    let mut parts = vec![basic];
    match minimum_wage {
        None => {
            d.value("minimum_wage=none (care 0)".to_string());
            d.step("tekun.care", "未配置最低工资标准，照料护理标准按 0 计".to_string(), 0);
        }
        Some(mw) => {
            d.value(mw.policy_value("minimum_wage"));
            let t = &b.tekun;
            for p in &h.members {
                let ability = if p.self_care == SelfCare::Unknown {
                    "自理能力未填写按具备生活自理能力计"
                } else {
                    "具备生活自理能力"
                };
                let (pct, key, what) = match (p.self_care, h.support_mode) {
                    (SelfCare::Unable, _) => (
                        t.care_unable_percent,
                        "care_unable_percent",
                        "完全丧失生活自理能力".to_string(),
                    ),
                    (SelfCare::Partial, _) => (
                        t.care_partial_percent,
                        "care_partial_percent",
                        "部分丧失生活自理能力".to_string(),
                    ),
                    (SelfCare::Able | SelfCare::Unknown, Some(SupportMode::Centralised)) => (
                        t.care_able_centralised_percent,
                        "care_able_centralised_percent",
                        format!("{ability}、集中供养"),
                    ),
                    (SelfCare::Able | SelfCare::Unknown, Some(SupportMode::Dispersed)) => (
                        t.care_able_dispersed_percent,
                        "care_able_dispersed_percent",
                        format!("{ability}、分散供养"),
                    ),
                    (SelfCare::Able | SelfCare::Unknown, None) => (
                        t.care_able_dispersed_percent,
                        "care_able_dispersed_percent",
                        format!("{ability}、供养方式未填写按分散供养计"),
                    ),
                };
                let care = i128::from(pct) * i128::from(mw.monthly.0);
                let who = format!("{}，{what}", p.label);
                d.step(
                    "tekun.care",
                    format!("照料护理 {pct}% × 最低工资 {} = {} ({who})", mw.shown(), show(care)),
                    care,
                );
                d.value(format!("tekun.{key}={pct}%"));
                parts.push(care);
            }
        }
    }
    match finish(&mut d, "月供养金", &parts, rounding) {
        Some(amount) => Computed::Pay {
            amount,
            single_person: None,
            derivation: d,
        },
        None => overflow(d),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// 临时救助

/// 临时救助 one-off amount: the standard × months of need, within the policy range, capped.
pub fn temporary(h: &Household, standard: &StandardUsed, b: &Benefits, rounding: &Rounding) -> Computed {
    let t = &b.temporary;
    let mut d = Derivation::default();
    d.value(standard.policy_value("standard"));
    d.value(format!("temporary.months={}..{}", t.min_months, t.max_months));
    let Some(m) = h.temporary_months else {
        return Computed::Ineligible {
            reason_code: "months_missing",
            reason: format!(
                "未填写救助月数（临时救助按标准的 {}–{} 个月核算）",
                t.min_months, t.max_months
            ),
            derivation: d,
        };
    };
    if m < t.min_months || m > t.max_months {
        return Computed::Ineligible {
            reason_code: "months_out_of_range",
            reason: format!("救助月数 {m} 不在 {}–{} 个月之内", t.min_months, t.max_months),
            derivation: d,
        };
    }
    let mut amount = sub(standard.monthly) * i128::from(m);
    d.step(
        "temporary.months",
        format!("标准 {} × {m} 个月 = {}（一次性）", standard.shown(), show(amount)),
        amount,
    );
    let mut limit: Option<i128> = None;
    if let Some(cap) = t.cap_amount {
        d.value(format!("temporary.cap_amount={}", cap.0));
        let cap = sub(cap.0);
        limit = Some(cap);
        if amount > cap {
            amount = cap;
            d.step(
                "temporary.cap",
                format!("超过单次救助上限 {}，按上限 = {}", show(cap), show(amount)),
                amount,
            );
        }
    }
    if h.urgent {
        d.value(format!("temporary.backfill_working_days={}", t.backfill_working_days));
        let head = format!(
            "急难先行救助、后置审批（须在 {} 个工作日内补齐审批手续）",
            t.backfill_working_days
        );
        let text = match t.urgent_cap_amount {
            Some(cap) => {
                d.value(format!("temporary.urgent_cap_amount={}", cap.0));
                let cap = sub(cap.0);
                limit = Some(limit.map_or(cap, |l| l.min(cap)));
                if amount > cap {
                    amount = cap;
                    format!("{head}：超过先行发放上限 {}，按上限 = {}", show(cap), show(amount))
                } else {
                    format!("{head}：未超过先行发放上限 {}，按 {} 发放", show(cap), show(amount))
                }
            }
            None => {
                d.value("temporary.urgent_cap_amount=none".to_string());
                format!("{head}：政策未设先行发放上限，按 {} 发放", show(amount))
            }
        };
        d.step("temporary.urgent", text, amount);
    }
    d.value(rounding_value(rounding));
    let Some(mut paid) = round_exact(amount, rounding.unit(), rounding.mode()) else {
        return overflow(d);
    };
    let mut text = format!("临时救助金 {}", show(amount));
    if sub(paid) != amount {
        text.push_str(&format!("，{} = {paid}", rounding_text(rounding)));
    }
    if let Some(l) = limit {
        if sub(paid) > l {
            let Some(down) = round_exact(l, rounding.unit(), RoundMode::Down) else {
                return overflow(d);
            };
            paid = down;
            text.push_str(&format!("，超过上限 {}，按上限舍去 = {paid}", show(l)));
        }
    }
    d.steps.push(Step {
        rule: "round",
        text,
        amount: paid,
    });
    Computed::Pay {
        amount: paid,
        single_person: None,
        derivation: d,
    }
}

/// Policy values as recorded (`standard=860.00/month from 2026-07-01; topup.student=20%`), as a Chinese reader
/// sees them in a workbook or `explain`: the keys kept, the units and dates in Chinese
/// (`` `standard`=860.00/月 (2026-07-01起); `topup.student`=20% ``: a key in backticks, as a code).
pub fn policy_values_zh(values: &str) -> String {
    if values.is_empty() {
        return String::new();
    }
    values
        .split("; ")
        .map(|part| {
            let mut part = part.to_string();
            if let Some(at) = part.find(" in force on ") {
                let date = part[at + " in force on ".len()..].to_string();
                part = format!("{}=({date} 无有效标准)", part[..at].trim_end_matches("=none"));
            }
            if let Some(at) = part.find(" from ") {
                let rest = &part[at + " from ".len()..];
                let (date, tail) = rest.split_at(rest.find(' ').unwrap_or(rest.len()));
                part = format!("{} ({date}起){tail}", &part[..at]);
            }
            let part = part
                .replace("/month", "/月")
                .replace("/year", "/年")
                .replace(" or ", " 或 ")
                .replace("age≥", "年龄≥")
                .replace("age<", "年龄<")
                .replace("=none", "=无");
            match part.split_once('=') {
                Some((key, value)) => {
                    let value: Vec<&str> = value
                        .split(' ')
                        .map(|w| match w {
                            "Fen" | "fen" => "分",
                            "Jiao" | "jiao" => "角",
                            "Yuan" | "yuan" => "元",
                            w => w,
                        })
                        .collect();
                    format!("`{key}`={}", value.join(" "))
                }
                None => part,
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_values_read_in_chinese() {
        assert_eq!(
            policy_values_zh("standard=860.00/month from 2026-07-01; topup.student=20%"),
            "`standard`=860.00/月 (2026-07-01起); `topup.student`=20%"
        );
        assert_eq!(
            policy_values_zh("standard=6600.00/year from 2026-07-01 (550.00/month)"),
            "`standard`=6600.00/年 (2026-07-01起) (550.00/月)"
        );
        assert!(crate::i18n::english_words(&policy_values_zh("rounding=fen half_up; region=青禾县")).is_empty());
        assert!(crate::i18n::english_words(&policy_values_zh(
            "tekun: work_ability=none or age≥60 or age<18 (benefits.tekun.minor_age)"
        ))
        .is_empty());
        assert!(
            crate::i18n::english_words(&policy_values_zh("standard=none in force on 2026-11-20; rounding=Fen"))
                .is_empty()
        );
    }
    use crate::domain::policy::{PolicyMoney, RoundModeKey, RoundUnitKey, TopUp};
    use proptest::prelude::*;
    use Relation::*;

    fn y(s: &str) -> Fen {
        Fen::parse_yuan(s).expect("amount")
    }

    fn july() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 7, 1).expect("date")
    }

    fn monthly(s: &str) -> StandardUsed {
        StandardUsed {
            monthly: y(s),
            stated: y(s),
            unit: AmountUnit::PerMonth,
            from: july(),
        }
    }

    fn rounding(unit: RoundUnitKey, mode: RoundModeKey) -> Rounding {
        Rounding { unit, mode }
    }

    fn fen_half_up() -> Rounding {
        rounding(RoundUnitKey::Fen, RoundModeKey::HalfUp)
    }

    fn topup(category: TopUpCategory, percent: u32) -> TopUp {
        TopUp { category, percent }
    }

    /// The `benefits:` section of templates/jiuzhu.yaml.
    fn template() -> Benefits {
        let mut b = Benefits {
            topups: vec![
                topup(TopUpCategory::SevereDisability, 30),
                topup(TopUpCategory::SeriousIllness, 30),
                topup(TopUpCategory::Elderly, 10),
                topup(TopUpCategory::Student, 20),
                topup(TopUpCategory::SingleParent, 20),
            ],
            elderly_age: 70,
            severe_disability_max_grade: 2,
            single_person_household_percent: 150,
            gradual_exit_months: 6,
            ..Benefits::default()
        };
        b.temporary.cap_amount = Some(PolicyMoney(y("5160")));
        b.temporary.urgent_cap_amount = Some(PolicyMoney(y("2000")));
        b
    }

    fn person(label: &str, age: u32, relation: Relation, income: &str) -> Person {
        Person {
            label: label.to_string(),
            age,
            relation,
            monthly_income: y(income),
            disability_grade: 0,
            serious_illness: false,
            in_school: false,
            self_care: SelfCare::Able,
        }
    }

    fn disabled(mut p: Person, grade: u8) -> Person {
        p.disability_grade = grade;
        p
    }

    fn ill(mut p: Person) -> Person {
        p.serious_illness = true;
        p
    }

    fn student(mut p: Person) -> Person {
        p.in_school = true;
        p
    }

    fn cared(mut p: Person, self_care: SelfCare) -> Person {
        p.self_care = self_care;
        p
    }

    fn household(members: Vec<Person>) -> Household {
        Household {
            members,
            deduction: None,
            support_mode: None,
            temporary_months: None,
            urgent: false,
        }
    }

    fn pay(c: &Computed) -> Fen {
        match c {
            Computed::Pay { amount, .. } => *amount,
            Computed::Ineligible { reason, .. } => panic!("expected a payment, got: {reason}"),
        }
    }

    fn covered(c: &Computed) -> Option<&str> {
        match c {
            Computed::Pay { single_person, .. } => single_person.as_deref(),
            Computed::Ineligible { .. } => None,
        }
    }

    fn reason(c: &Computed) -> &'static str {
        match c {
            Computed::Ineligible { reason_code, .. } => reason_code,
            Computed::Pay { amount, .. } => panic!("expected ineligible, got a payment of {amount}"),
        }
    }

    fn derivation(c: &Computed) -> &Derivation {
        match c {
            Computed::Pay { derivation, .. } | Computed::Ineligible { derivation, .. } => derivation,
        }
    }

    fn rules(c: &Computed) -> Vec<&'static str> {
        derivation(c).steps.iter().map(|s| s.rule).collect()
    }

    // -----------------------------------------------------------------------------------------------------------
    // 低保: the table (S = 860.00/month, template policy, rounding to the fen half-up).

    #[test]
    fn dibao_table() {
        let s = monthly("860");
        let b = template();
        let r = fen_half_up();
        // (case, members, deduction, expected monthly amount)
        let cases: Vec<(&str, Vec<Person>, Option<&str>, &str)> = vec![
            // 860 × 1 = 860; 860 − 0 = 860.
            ("1 person, no income", vec![person("甲", 45, Head, "0")], None, "860.00"),
            // 860 × 2 = 1720; income 500 + 300 = 800; 1720 − 800 = 920.
            (
                "2 persons",
                vec![person("甲", 45, Head, "500"), person("乙", 43, Spouse, "300")],
                None,
                "920.00",
            ),
            // 860 × 3 = 2580; income 980; 2580 − 980 = 1600 (son 20, not in school: no top-up).
            (
                "3 persons",
                vec![
                    person("甲", 50, Head, "980"),
                    person("乙", 48, Spouse, "0"),
                    person("丙", 20, Son, "0"),
                ],
                None,
                "1600.00",
            ),
            // 860 × 4 = 3440; income 1000 + 800 = 1800 − deduction 300 = 1500; 3440 − 1500 = 1940.
            (
                "4 persons with deduction",
                vec![
                    person("甲", 40, Head, "1000"),
                    person("乙", 38, Spouse, "800"),
                    person("丙", 16, Son, "0"),
                    person("丁", 12, Daughter, "0"),
                ],
                Some("300"),
                "1940.00",
            ),
            // 860 × 5 = 4300; 3000 + 1000 = 4000 − 500 = 3500; 4300 − 3500 = 800 (father 68 < 70: not elderly).
            (
                "5 persons with deduction",
                vec![
                    person("甲", 45, Head, "3000"),
                    person("乙", 44, Spouse, "1000"),
                    person("丙", 68, Father, "0"),
                    person("丁", 22, Son, "0"),
                    person("戊", 19, Daughter, "0"),
                ],
                Some("500"),
                "800.00",
            ),
            // 860 × 6 = 5160; 2000 + 2000 + 600 = 4600; 5160 − 4600 = 560 (mother 69: not elderly).
            (
                "6 persons",
                vec![
                    person("甲", 50, Head, "2000"),
                    person("乙", 49, Spouse, "2000"),
                    person("丙", 25, Son, "600"),
                    person("丁", 24, DaughterInLaw, "0"),
                    person("戊", 3, Grandson, "0"),
                    person("己", 69, Mother, "0"),
                ],
                None,
                "560.00",
            ),
            // 200 − 500 < 0 → 0; 1720 − 0 = 1720.
            (
                "deduction above income",
                vec![person("甲", 45, Head, "200"), person("乙", 40, Spouse, "0")],
                Some("500"),
                "1720.00",
            ),
            // 6 persons, deduction, two top-ups: 5160 − (1500 + 1200 − 400 = 2300) = 2860;
            // + 重病 30% × 860 = 258 + 老年 10% × 860 = 86 → 3204.
            (
                "6 persons, deduction, two top-ups",
                vec![
                    person("甲", 50, Head, "1500"),
                    person("乙", 49, Spouse, "1200"),
                    ill(person("丙", 25, Son, "0")),
                    person("丁", 24, DaughterInLaw, "0"),
                    person("戊", 3, Grandson, "0"),
                    person("己", 71, Mother, "0"),
                ],
                Some("400"),
                "3204.00",
            ),
        ];
        for (name, members, deduction, want) in cases {
            let mut h = household(members);
            h.deduction = deduction.map(y);
            let c = dibao(&h, &s, &b, &r);
            assert_eq!(pay(&c), y(want), "{name}: {}", derivation(&c).text());
            assert_eq!(covered(&c), None, "{name}");
        }
    }

    #[test]
    fn dibao_each_topup_category_alone() {
        let s = monthly("860");
        let b = template();
        let r = fen_half_up();
        // Base: head 980 + spouse 0 + X 0 → 2580 − 980 = 1600; X's top-up is a percent of 860.
        let cases: Vec<(&str, Person, &str)> = vec![
            (
                "severe disability grade 1: 30% × 860 = 258",
                disabled(person("X", 20, Son, "0"), 1),
                "1858.00",
            ),
            (
                "severe disability grade 2 (the max grade): 258",
                disabled(person("X", 20, Son, "0"), 2),
                "1858.00",
            ),
            (
                "disability grade 3 is not severe: 0",
                disabled(person("X", 20, Son, "0"), 3),
                "1600.00",
            ),
            (
                "serious illness: 30% × 860 = 258",
                ill(person("X", 20, Son, "0")),
                "1858.00",
            ),
            ("elderly at 70: 10% × 860 = 86", person("X", 70, Father, "0"), "1686.00"),
            ("69 is not elderly: 0", person("X", 69, Father, "0"), "1600.00"),
            (
                "student: 20% × 860 = 172",
                student(person("X", 17, Daughter, "0")),
                "1772.00",
            ),
            // Two categories on one person: the highest (30%), not the sum (40% = 344).
            (
                "elderly + severe: max(10%, 30%)",
                disabled(person("X", 75, Father, "0"), 1),
                "1858.00",
            ),
            // Two categories at the same percent: 30%, not 60% (516).
            (
                "ill + severe: 30% once",
                ill(disabled(person("X", 20, Son, "0"), 1)),
                "1858.00",
            ),
        ];
        for (name, x, want) in cases {
            let h = household(vec![person("甲", 50, Head, "980"), person("乙", 48, Spouse, "0"), x]);
            let c = dibao(&h, &s, &b, &r);
            assert_eq!(pay(&c), y(want), "{name}: {}", derivation(&c).text());
        }
    }

    #[test]
    fn dibao_highest_topup_text_names_the_others() {
        let h = household(vec![
            person("甲", 50, Head, "980"),
            person("乙", 48, Spouse, "0"),
            disabled(person("王大爷", 75, Father, "0"), 1),
        ]);
        let c = dibao(&h, &monthly("860"), &template(), &fen_half_up());
        let d = derivation(&c);
        let step = d.steps.iter().find(|s| s.rule == "dibao.topup").expect("top-up step");
        assert_eq!(
            step.text,
            "重残加发 30% × 860.00 = 258.00 (王大爷，另符合老年 10%，就高不累加)"
        );
        assert_eq!(step.amount, y("258"));
        assert!(d.policy_values.contains(&"topup.severe_disability=30%".to_string()));
        assert!(!d.policy_values.iter().any(|v| v.starts_with("topup.elderly")));
    }

    #[test]
    fn dibao_two_people_with_topups() {
        // 2580 − 980 = 1600; father ill 30% × 860 = 258; sister student 20% × 860 = 172; 1600 + 258 + 172 = 2030.
        // (A sister, not a daughter: a head without spouse and with a child in school would also get 单亲.)
        let h = household(vec![
            person("甲", 50, Head, "980"),
            ill(person("乙", 72, Father, "0")),
            student(person("丙", 16, Sibling, "0")),
        ]);
        let c = dibao(&h, &monthly("860"), &template(), &fen_half_up());
        assert_eq!(pay(&c), y("2030.00"));
        let d = derivation(&c);
        assert_eq!(d.steps.iter().filter(|s| s.rule == "dibao.topup").count(), 2);
        assert_eq!(
            d.steps.last().map(|s| s.text.as_str()),
            Some("月保障金 1600.00 + 258.00 + 172.00 = 2030.00")
        );
    }

    #[test]
    fn dibao_single_parent() {
        let s = monthly("860");
        let b = template();
        let r = fen_half_up();
        // Head, no spouse, daughter 10: head gets 单亲 20% × 860 = 172; 2580 − 980 = 1600 + 172 = 1772.
        let h = household(vec![
            person("甲", 40, Head, "980"),
            person("乙", 10, Daughter, "0"),
            person("丙", 20, Son, "0"),
        ]);
        assert_eq!(pay(&dibao(&h, &s, &b, &r)), y("1772.00"));
        assert_eq!(categories(&h.members[0], &h, &b), vec![TopUpCategory::SingleParent]);
        // Only the head: the son (20, no spouse in the household either) is not a single parent.
        assert_eq!(categories(&h.members[2], &h, &b), vec![]);

        // Spouse present: no 单亲; 1600.
        let h = household(vec![
            person("甲", 40, Head, "980"),
            person("乙", 38, Spouse, "0"),
            person("丙", 10, Daughter, "0"),
        ]);
        assert_eq!(pay(&dibao(&h, &s, &b, &r)), y("1600.00"));
        assert_eq!(categories(&h.members[0], &h, &b), vec![]);

        // Child 18 and not in school: no 单亲; 860 × 2 = 1720 − 980 = 740.
        let h = household(vec![person("甲", 45, Head, "980"), person("乙", 18, Son, "0")]);
        assert_eq!(pay(&dibao(&h, &s, &b, &r)), y("740.00"));

        // Child 18 in school: head 单亲 172 and son 在校生 172; 740 + 172 + 172 = 1084.
        let h = household(vec![person("甲", 45, Head, "980"), student(person("乙", 18, Son, "0"))]);
        assert_eq!(pay(&dibao(&h, &s, &b, &r)), y("1084.00"));

        // A grandchild under 18 counts: 740 + 172 = 912.
        let h = household(vec![person("甲", 60, Head, "980"), person("乙", 8, Granddaughter, "0")]);
        assert_eq!(pay(&dibao(&h, &s, &b, &r)), y("912.00"));

        // Elderly single-parent head (72): max(老年 10%, 单亲 20%) = 172, not 258; 740 + 172 = 912.
        let h = household(vec![person("甲", 72, Head, "980"), person("乙", 8, Granddaughter, "0")]);
        assert_eq!(
            categories(&h.members[0], &h, &b),
            vec![TopUpCategory::Elderly, TopUpCategory::SingleParent]
        );
        assert_eq!(pay(&dibao(&h, &s, &b, &r)), y("912.00"));
    }

    #[test]
    fn categories_of_a_person() {
        let b = template();
        let h = household(vec![person("甲", 45, Head, "0")]);
        let everything = student(ill(disabled(person("X", 80, Father, "0"), 1)));
        assert_eq!(
            categories(&everything, &h, &b),
            vec![
                TopUpCategory::SevereDisability,
                TopUpCategory::SeriousIllness,
                TopUpCategory::Elderly,
                TopUpCategory::Student
            ]
        );
        assert_eq!(categories(&disabled(person("X", 30, Son, "0"), 4), &h, &b), vec![]);
        // A category with no percent in the policy still applies, but gives 0.
        let mut no_student = template();
        no_student.topups.retain(|t| t.category != TopUpCategory::Student);
        let kid = student(person("X", 12, Son, "0"));
        assert_eq!(categories(&kid, &h, &no_student), vec![TopUpCategory::Student]);
        assert_eq!(choose_topup(&kid, &h, &no_student), None);
        // Listed twice: the higher percent.
        let mut twice = template();
        twice.topups.push(topup(TopUpCategory::Student, 25));
        assert_eq!(choose_topup(&kid, &h, &twice).map(|c| c.percent), Some(25));
    }

    #[test]
    fn dibao_issue_example() {
        // S = 820, per-capita income 300 × 3 = 900; 820 × 3 = 2460 − 900 = 1560 (= (820 − 300) × 3);
        // 重残加发 20% × 820 = 164; 1560 + 164 = 1724.
        let b = Benefits {
            topups: vec![topup(TopUpCategory::SevereDisability, 20)],
            ..Benefits::default()
        };
        let h = household(vec![
            person("甲", 50, Head, "300"),
            person("乙", 48, Spouse, "300"),
            disabled(person("丙", 20, Son, "300"), 1),
        ]);
        let c = dibao(&h, &monthly("820"), &b, &fen_half_up());
        assert_eq!(pay(&c), y("1724.00"));
        assert_eq!(
            derivation(&c).text(),
            "标准 820.00 × 3 人 = 2460.00；家庭月收入 900.00 − 刚性支出 0.00 = 900.00，人均 300.00；\
             补差 2460.00 − 900.00 = 1560.00；重残加发 20% × 820.00 = 164.00 (丙)；月保障金 1560.00 + 164.00 = 1724.00"
        );
    }

    #[test]
    fn dibao_derivation_and_policy_values() {
        let h = household(vec![
            person("李建国", 50, Head, "980"),
            disabled(person("李秀兰", 48, Spouse, "0"), 1),
            person("李明", 20, Son, "0"),
        ]);
        let c = dibao(&h, &monthly("860"), &template(), &fen_half_up());
        assert_eq!(pay(&c), y("1858.00"));
        let d = derivation(&c);
        assert_eq!(
            d.text(),
            "标准 860.00 × 3 人 = 2580.00；家庭月收入 980.00 − 刚性支出 0.00 = 980.00，人均约 326.67；\
             补差 2580.00 − 980.00 = 1600.00；重残加发 30% × 860.00 = 258.00 (李秀兰)；\
             月保障金 1600.00 + 258.00 = 1858.00"
        );
        assert_eq!(
            rules(&c),
            vec!["dibao.standard", "dibao.income", "dibao.gap", "dibao.topup", "round"]
        );
        let amounts: Vec<Fen> = d.steps.iter().map(|s| s.amount).collect();
        assert_eq!(amounts, vec![y("2580"), y("980"), y("1600"), y("258"), y("1858")]);
        assert_eq!(
            d.policy_values,
            vec![
                "standard=860.00/month from 2026-07-01",
                "topup.severe_disability=30%",
                "severe_disability_max_grade=2",
                "rounding=fen/half_up",
            ]
        );
        assert!(!d.text().contains('\n'));
    }

    #[test]
    fn dibao_per_year_standard() {
        let standard = Standard {
            from: july(),
            amount: PolicyMoney(y("6600")),
            unit: AmountUnit::PerYear,
        };
        let s = StandardUsed::from_standard(&standard, &fen_half_up());
        // 6600 ÷ 12 = 550.00 a month.
        assert_eq!(s.monthly, y("550.00"));
        assert_eq!(s.stated, y("6600.00"));
        // 550 × 2 = 1100 − 400 = 700.
        let h = household(vec![person("甲", 50, Head, "400"), person("乙", 48, Spouse, "0")]);
        let c = dibao(&h, &s, &template(), &fen_half_up());
        assert_eq!(pay(&c), y("700.00"));
        let d = derivation(&c);
        assert_eq!(d.steps[0].text, "标准 550.00 (6600.00/年÷12) × 2 人 = 1100.00");
        assert_eq!(
            d.policy_values[0],
            "standard=6600.00/year from 2026-07-01 (550.00/month)"
        );
    }

    #[test]
    fn dibao_boundary_at_the_line() {
        let s = monthly("860");
        let b = template();
        let r = fen_half_up();
        // Income exactly 860 × 3 = 2580: per-capita = standard, not below it → ineligible.
        let h = household(vec![
            person("甲", 50, Head, "2580"),
            person("乙", 48, Spouse, "0"),
            person("丙", 20, Son, "0"),
        ]);
        let c = dibao(&h, &s, &b, &r);
        assert_eq!(reason(&c), "income_above_standard");
        assert!(derivation(&c).text().contains("家庭月收入 2580.00 ≥ 标准合计 2580.00"));
        assert!(derivation(&c).text().contains("无重残、重病成员"));
        // One fen below: gap 0.01.
        let h = household(vec![
            person("甲", 50, Head, "2579.99"),
            person("乙", 48, Spouse, "0"),
            person("丙", 20, Son, "0"),
        ]);
        assert_eq!(pay(&dibao(&h, &s, &b, &r)), y("0.01"));
        // One fen below with a student: 0.01 + 20% × 860 = 172.01.
        let h = household(vec![
            person("甲", 50, Head, "2579.99"),
            person("乙", 48, Spouse, "0"),
            student(person("丙", 17, Daughter, "0")),
        ]);
        assert_eq!(pay(&dibao(&h, &s, &b, &r)), y("172.01"));
        // The deduction brings a household over the line back under it: 2600 − 30 = 2570 < 2580 → 10.00.
        let mut h = household(vec![
            person("甲", 50, Head, "2600"),
            person("乙", 48, Spouse, "0"),
            person("丙", 20, Son, "0"),
        ]);
        h.deduction = Some(y("30"));
        assert_eq!(pay(&dibao(&h, &s, &b, &r)), y("10.00"));
    }

    #[test]
    fn dibao_no_members() {
        let c = dibao(&household(vec![]), &monthly("860"), &template(), &fen_half_up());
        assert_eq!(reason(&c), "no_members");
    }

    #[test]
    fn dibao_floor() {
        let s = monthly("860");
        let mut b = template();
        b.min_per_person_amount = Some(PolicyMoney(y("50")));
        let r = fen_half_up();
        // 1720 − 1700 = 20 < 50 × 2 = 100 → 100.
        let h = household(vec![person("甲", 50, Head, "1700"), person("乙", 48, Spouse, "0")]);
        let c = dibao(&h, &s, &b, &r);
        assert_eq!(pay(&c), y("100.00"));
        assert!(rules(&c).contains(&"dibao.floor"));
        assert!(derivation(&c)
            .policy_values
            .contains(&"min_per_person_amount=50.00".to_string()));
        // Floor, then top-ups on top: head without spouse, daughter 16 in school → 单亲 20% (head) and
        // 在校生 20% (daughter): 100 + 172 + 172 = 444.
        let h = household(vec![
            person("甲", 50, Head, "1700"),
            student(person("乙", 16, Daughter, "0")),
        ]);
        assert_eq!(pay(&dibao(&h, &s, &b, &r)), y("444.00"));
        // A spouse in school: 在校生 only: 100 + 172 = 272.
        let h = household(vec![
            person("甲", 50, Head, "1700"),
            student(person("乙", 48, Spouse, "0")),
        ]);
        assert_eq!(pay(&dibao(&h, &s, &b, &r)), y("272.00"));
        // Not binding: 1720 − 800 = 920 ≥ 100.
        let h = household(vec![person("甲", 50, Head, "800"), person("乙", 48, Spouse, "0")]);
        let c = dibao(&h, &s, &b, &r);
        assert_eq!(pay(&c), y("920.00"));
        assert!(!rules(&c).contains(&"dibao.floor"));
    }

    // -----------------------------------------------------------------------------------------------------------
    // 单人户

    #[test]
    fn single_person_at_150_percent() {
        let s = monthly("860");
        let b = template();
        let r = fen_half_up();
        // 860 × 3 = 2580; 150% = 3870. Income 3870 ≤ 3870: the severely disabled son is covered alone:
        // 860 − 0 = 860 + 重残 30% × 860 = 258 → 1118.
        let h = household(vec![
            person("甲", 50, Head, "3870"),
            person("乙", 48, Spouse, "0"),
            disabled(person("小明", 20, Son, "0"), 1),
        ]);
        let c = dibao(&h, &s, &b, &r);
        assert_eq!(pay(&c), y("1118.00"));
        assert_eq!(covered(&c), Some("小明"));
        assert!(rules(&c).contains(&"dibao.single_person"));
        let d = derivation(&c);
        assert!(d.text().contains("不超过标准合计的 150% 3870.00"), "{}", d.text());
        assert!(d
            .policy_values
            .contains(&"single_person_household_percent=150%".to_string()));

        // One fen over 150%: ineligible.
        let h = household(vec![
            person("甲", 50, Head, "3870.01"),
            person("乙", 48, Spouse, "0"),
            disabled(person("小明", 20, Son, "0"), 1),
        ]);
        let c = dibao(&h, &s, &b, &r);
        assert_eq!(reason(&c), "income_above_standard");
        assert!(derivation(&c).text().contains("超过标准合计的 150% 3870.00"));

        // The covered member's own income counts: 860 − 300 = 560 + 258 = 818.
        let h = household(vec![
            person("甲", 50, Head, "3570"),
            person("乙", 48, Spouse, "0"),
            disabled(person("小明", 20, Son, "300"), 1),
        ]);
        assert_eq!(pay(&dibao(&h, &s, &b, &r)), y("818.00"));

        // Seriously ill (not disabled) also qualifies: 860 + 258 = 1118.
        let h = household(vec![person("甲", 50, Head, "2000"), ill(person("乙", 48, Spouse, "0"))]);
        // 860 × 2 = 1720 ≤ 2000 ≤ 2580.
        assert_eq!(pay(&dibao(&h, &s, &b, &r)), y("1118.00"));
    }

    #[test]
    fn single_person_picks_the_largest_amount() {
        let s = monthly("860");
        let b = template();
        let r = fen_half_up();
        // Son (grade 1, income 300): 560 + 258 = 818; daughter (ill, income 0): 860 + 258 = 1118 → daughter.
        let h = household(vec![
            person("甲", 50, Head, "3570"),
            disabled(person("子", 20, Son, "300"), 1),
            ill(person("女", 18, Daughter, "0")),
        ]);
        let c = dibao(&h, &s, &b, &r);
        assert_eq!(pay(&c), y("1118.00"));
        assert_eq!(covered(&c), Some("女"));
        assert!(derivation(&c).text().contains("2 名重残、重病成员中金额最高者"));
        // Equal amounts: the first in list order.
        let h = household(vec![
            person("甲", 50, Head, "3870"),
            disabled(person("子", 20, Son, "0"), 1),
            ill(person("女", 18, Daughter, "0")),
        ]);
        assert_eq!(covered(&dibao(&h, &s, &b, &r)), Some("子"));
        // Equal incomes: the larger top-up (elderly + ill 30% beats disabled grade 2 with severe at 25%).
        let mut b2 = template();
        b2.topups = vec![
            topup(TopUpCategory::SevereDisability, 25),
            topup(TopUpCategory::SeriousIllness, 30),
        ];
        let h = household(vec![
            person("甲", 50, Head, "3870"),
            disabled(person("子", 20, Son, "0"), 2),
            ill(person("父", 75, Father, "0")),
        ]);
        // 860 × 3 × 150% = 3870; 父: 860 + 30% × 860 = 1118 > 子: 860 + 215 = 1075.
        let c = dibao(&h, &s, &b2, &r);
        assert_eq!(covered(&c), Some("父"));
        assert_eq!(pay(&c), y("1118.00"));
    }

    #[test]
    fn single_person_not_applicable() {
        let s = monthly("860");
        let b = template();
        let r = fen_half_up();
        // One-person household above the line: nothing to cover separately.
        let h = household(vec![disabled(person("甲", 50, Head, "900"), 1)]);
        let c = dibao(&h, &s, &b, &r);
        assert_eq!(reason(&c), "income_above_standard");
        assert!(derivation(&c).text().contains("家庭仅 1 人"));
        // Disabled member whose own income ≥ S and no top-up percent: nothing to pay.
        let no_topups = Benefits::default();
        let h = household(vec![
            person("甲", 50, Head, "1000"),
            disabled(person("乙", 48, Spouse, "900"), 1),
        ]);
        let c = dibao(&h, &s, &no_topups, &r);
        assert_eq!(reason(&c), "income_above_standard");
        // Own income ≥ S but a top-up: 0 + 258.
        let c = dibao(&h, &s, &b, &r);
        assert_eq!(pay(&c), y("258.00"));
    }

    #[test]
    fn single_person_head_gets_no_single_parent_topup() {
        // The head is covered alone, as a household of one: 单亲 (40% here) does not apply; 重残 30% does.
        // Household income 2500 (a 16-year-old's wage): 860 × 2 = 1720 ≤ 2500 ≤ 150% × 1720 = 2580.
        let mut b = template();
        b.topups.push(topup(TopUpCategory::SingleParent, 40));
        let h = household(vec![
            disabled(person("甲", 45, Head, "0"), 1),
            person("乙", 16, Son, "2500"),
        ]);
        let c = dibao(&h, &monthly("860"), &b, &fen_half_up());
        // 860 − 0 + 258 = 1118 (not 860 + 344 = 1204).
        assert_eq!(pay(&c), y("1118.00"));
        assert_eq!(covered(&c), Some("甲"));
    }

    #[test]
    fn single_person_with_floor() {
        // Own income 850: 860 − 850 = 10 < floor 50 → 50; + 258 = 308.
        let mut b = template();
        b.min_per_person_amount = Some(PolicyMoney(y("50")));
        let h = household(vec![
            person("甲", 50, Head, "1000"),
            disabled(person("乙", 48, Spouse, "850"), 1),
        ]);
        let c = dibao(&h, &monthly("860"), &b, &fen_half_up());
        assert_eq!(pay(&c), y("308.00"));
        assert!(rules(&c).contains(&"dibao.floor"));
        assert!(derivation(&c).text().contains("乙为重残成员，参照单人户纳入：标准 860.00 − 本人月收入 850.00 = 10.00；\
             补差 10.00 低于每人最低 50.00，按最低额 = 50.00；重残加发 30% × 860.00 = 258.00 (乙)；月保障金 50.00 + 258.00 = 308.00"));
    }

    #[test]
    fn single_person_cliff_is_real() {
        // The rules, not a bug: 2 persons, S 860, line 1720. Just below the line the household gets
        // 0.01 + 258 = 258.01; just at it, the disabled spouse alone gets 860 + 258 = 1118.
        let s = monthly("860");
        let b = template();
        let r = fen_half_up();
        let below = household(vec![
            person("甲", 50, Head, "1719.99"),
            disabled(person("乙", 48, Spouse, "0"), 1),
        ]);
        let at = household(vec![
            person("甲", 50, Head, "1720"),
            disabled(person("乙", 48, Spouse, "0"), 1),
        ]);
        assert_eq!(pay(&dibao(&below, &s, &b, &r)), y("258.01"));
        assert_eq!(pay(&dibao(&at, &s, &b, &r)), y("1118.00"));
    }

    // -----------------------------------------------------------------------------------------------------------
    // Rounding once, at the end.

    #[test]
    fn rounding_once_to_the_fen() {
        // S = 860.05, 3 members all severely disabled, no income (head has no spouse but no children either).
        // Gap 860.05 × 3 = 2580.15; top-ups 3 × 30% × 860.05 = 3 × 258.015 = 774.045; total 3354.195.
        // Once: half-up 3354.20, up 3354.20, down 3354.19. Per step (258.02 × 3) would give 3354.21.
        let h = household(vec![
            disabled(person("甲", 50, Head, "0"), 1),
            disabled(person("乙", 80, Mother, "0"), 1),
            disabled(person("丙", 45, Sibling, "0"), 2),
        ]);
        let s = monthly("860.05");
        let b = template();
        let r = |m| rounding(RoundUnitKey::Fen, m);
        let c = dibao(&h, &s, &b, &r(RoundModeKey::HalfUp));
        assert_eq!(pay(&c), y("3354.20"));
        let d = derivation(&c);
        let top = d.steps.iter().find(|s| s.rule == "dibao.topup").expect("top-up");
        assert_eq!(top.text, "重残加发 30% × 860.05 = 258.015 (甲)");
        assert_eq!(top.amount, y("258.01"), "display amount truncated, computation exact");
        assert_eq!(
            d.steps.last().map(|s| s.text.as_str()),
            Some("月保障金 2580.15 + 258.015 + 258.015 + 258.015 = 3354.195，按分四舍五入 = 3354.20")
        );
        assert_eq!(pay(&dibao(&h, &s, &b, &r(RoundModeKey::Up))), y("3354.20"));
        assert_eq!(pay(&dibao(&h, &s, &b, &r(RoundModeKey::Down))), y("3354.19"));
        // To the jiao: 3354.195 → half-up 3354.20, up 3354.20, down 3354.10.
        let j = |m| rounding(RoundUnitKey::Jiao, m);
        assert_eq!(pay(&dibao(&h, &s, &b, &j(RoundModeKey::HalfUp))), y("3354.20"));
        assert_eq!(pay(&dibao(&h, &s, &b, &j(RoundModeKey::Up))), y("3354.20"));
        assert_eq!(pay(&dibao(&h, &s, &b, &j(RoundModeKey::Down))), y("3354.10"));
    }

    #[test]
    fn rounding_once_to_the_yuan() {
        // S = 863, 3 members, income 987.40: gap 2589 − 987.40 = 1601.60. Head single parent (no spouse, children
        // in school) 20%, both children students 20%: 3 × 172.60 = 517.80. Total 2119.40.
        //            once          per step (1601.60 and each 172.60 rounded first)
        // half-up    2119          1602 + 3 × 173 = 2121
        // up         2120          1602 + 3 × 173 = 2121
        // down       2119          1601 + 3 × 172 = 2117
        let h = household(vec![
            person("甲", 45, Head, "987.40"),
            student(person("乙", 16, Daughter, "0")),
            student(person("丙", 15, Son, "0")),
        ]);
        let s = monthly("863");
        let b = template();
        let r = |m| rounding(RoundUnitKey::Yuan, m);
        let c = dibao(&h, &s, &b, &r(RoundModeKey::HalfUp));
        assert_eq!(pay(&c), y("2119.00"));
        assert_eq!(
            derivation(&c).steps.last().map(|s| s.text.as_str()),
            Some("月保障金 1601.60 + 172.60 + 172.60 + 172.60 = 2119.40，按元四舍五入 = 2119.00")
        );
        assert!(derivation(&c)
            .policy_values
            .contains(&"rounding=yuan/half_up".to_string()));
        assert_eq!(pay(&dibao(&h, &s, &b, &r(RoundModeKey::Up))), y("2120.00"));
        assert_eq!(pay(&dibao(&h, &s, &b, &r(RoundModeKey::Down))), y("2119.00"));
    }

    // -----------------------------------------------------------------------------------------------------------
    // 特困供养 (S = 1118.00, minimum wage 1900.00, template care percents 100/60/20/0).

    fn tekun_one(self_care: SelfCare, mode: Option<SupportMode>, mw: Option<&StandardUsed>) -> Computed {
        let mut h = household(vec![cared(person("张三", 70, Head, "0"), self_care)]);
        h.support_mode = mode;
        tekun(&h, &monthly("1118"), mw, &template(), &fen_half_up())
    }

    #[test]
    fn tekun_care_levels() {
        use SupportMode::*;
        let mw = monthly("1900");
        // (self-care, mode, expected): 1118 + care% × 1900.
        let cases = [
            (SelfCare::Unable, Some(Dispersed), "3018.00"), // 1118 + 100% × 1900 = 1118 + 1900
            (SelfCare::Unable, Some(Centralised), "3018.00"), // mode does not matter when unable
            (SelfCare::Partial, Some(Dispersed), "2258.00"), // 1118 + 60% × 1900 = 1118 + 1140
            (SelfCare::Partial, Some(Centralised), "2258.00"),
            (SelfCare::Able, Some(Centralised), "1498.00"), // 1118 + 20% × 1900 = 1118 + 380
            (SelfCare::Able, Some(Dispersed), "1118.00"),   // 1118 + 0% × 1900
            (SelfCare::Able, None, "1118.00"),              // mode unknown → dispersed
            (SelfCare::Unknown, Some(Centralised), "1498.00"), // ability unknown → able
            (SelfCare::Unknown, Some(Dispersed), "1118.00"),
        ];
        for (care, mode, want) in cases {
            let c = tekun_one(care, mode, Some(&mw));
            assert_eq!(pay(&c), y(want), "{care:?} {mode:?}: {}", derivation(&c).text());
        }
        let c = tekun_one(SelfCare::Unknown, Some(Centralised), Some(&mw));
        assert!(derivation(&c)
            .text()
            .contains("(张三，自理能力未填写按具备生活自理能力计、集中供养)"));
        let c = tekun_one(SelfCare::Able, None, Some(&mw));
        assert!(derivation(&c)
            .text()
            .contains("(张三，具备生活自理能力、供养方式未填写按分散供养计)"));
        let c = tekun_one(SelfCare::Unable, Some(Dispersed), Some(&mw));
        assert_eq!(
            derivation(&c).text(),
            "基本生活标准 1118.00 × 1 人 = 1118.00；照料护理 100% × 最低工资 1900.00 = 1900.00 (张三，完全丧失生活自理能力)；\
             月供养金 1118.00 + 1900.00 = 3018.00"
        );
        assert_eq!(
            derivation(&c).policy_values,
            vec![
                "standard=1118.00/month from 2026-07-01",
                "minimum_wage=1900.00/month from 2026-07-01",
                "tekun.care_unable_percent=100%",
                "rounding=fen/half_up",
            ]
        );
    }

    #[test]
    fn tekun_without_minimum_wage() {
        let c = tekun_one(SelfCare::Unable, Some(SupportMode::Centralised), None);
        assert_eq!(pay(&c), y("1118.00"));
        let d = derivation(&c);
        assert!(d.policy_values.contains(&"minimum_wage=none (care 0)".to_string()));
        assert!(d.text().contains("未配置最低工资标准"));
    }

    #[test]
    fn tekun_several_members_and_none() {
        // Centralised: 1118 × 2 = 2236 + unable 1900 + partial 1140 = 5276.
        let mut h = household(vec![
            cared(person("甲", 80, Head, "0"), SelfCare::Unable),
            cared(person("乙", 78, Sibling, "0"), SelfCare::Partial),
        ]);
        h.support_mode = Some(SupportMode::Centralised);
        let c = tekun(
            &h,
            &monthly("1118"),
            Some(&monthly("1900")),
            &template(),
            &fen_half_up(),
        );
        assert_eq!(pay(&c), y("5276.00"));
        let c = tekun(&household(vec![]), &monthly("1118"), None, &template(), &fen_half_up());
        assert_eq!(reason(&c), "no_members");
    }

    #[test]
    fn tekun_fraction_rounded_once() {
        // 60% × 1900.07 = 1140.042; 1118 + 1140.042 = 2258.042 → fen half-up 2258.04, yuan up 2259, yuan down 2258.
        let mw = monthly("1900.07");
        let h = household(vec![cared(person("甲", 80, Head, "0"), SelfCare::Partial)]);
        let s = monthly("1118");
        let b = template();
        let c = tekun(&h, &s, Some(&mw), &b, &fen_half_up());
        assert_eq!(pay(&c), y("2258.04"));
        assert!(derivation(&c).text().contains("60% × 最低工资 1900.07 = 1140.042"));
        let yuan = |m| rounding(RoundUnitKey::Yuan, m);
        assert_eq!(
            pay(&tekun(&h, &s, Some(&mw), &b, &yuan(RoundModeKey::Up))),
            y("2259.00")
        );
        assert_eq!(
            pay(&tekun(&h, &s, Some(&mw), &b, &yuan(RoundModeKey::Down))),
            y("2258.00")
        );
    }

    // -----------------------------------------------------------------------------------------------------------
    // 临时救助 (S = 860.00, months 1–6, cap 5160.00, urgent cap 2000.00).

    fn temp(months: Option<u32>, urgent: bool, s: &str, b: &Benefits, r: &Rounding) -> Computed {
        let mut h = household(vec![person("甲", 40, Head, "0")]);
        h.temporary_months = months;
        h.urgent = urgent;
        temporary(&h, &monthly(s), b, r)
    }

    #[test]
    fn temporary_months() {
        let b = template();
        let r = fen_half_up();
        // 860 × 1 = 860; 860 × 6 = 5160 (= the cap, not over it).
        assert_eq!(pay(&temp(Some(1), false, "860", &b, &r)), y("860.00"));
        let c = temp(Some(6), false, "860", &b, &r);
        assert_eq!(pay(&c), y("5160.00"));
        assert!(!rules(&c).contains(&"temporary.cap"));
        assert_eq!(
            derivation(&c).policy_values,
            vec![
                "standard=860.00/month from 2026-07-01",
                "temporary.months=1..6",
                "temporary.cap_amount=5160.00",
                "rounding=fen/half_up",
            ]
        );
        assert_eq!(reason(&temp(Some(0), false, "860", &b, &r)), "months_out_of_range");
        assert_eq!(reason(&temp(Some(7), false, "860", &b, &r)), "months_out_of_range");
        assert_eq!(reason(&temp(None, false, "860", &b, &r)), "months_missing");
    }

    #[test]
    fn temporary_caps() {
        let r = fen_half_up();
        // Cap 5000: 860 × 6 = 5160 > 5000 → 5000.
        let mut b = template();
        b.temporary.cap_amount = Some(PolicyMoney(y("5000")));
        let c = temp(Some(6), false, "860", &b, &r);
        assert_eq!(pay(&c), y("5000.00"));
        assert_eq!(rules(&c), vec!["temporary.months", "temporary.cap", "round"]);
        // Urgent: 860 × 3 = 2580 > 2000 → 2000 before approval.
        let b = template();
        let c = temp(Some(3), true, "860", &b, &r);
        assert_eq!(pay(&c), y("2000.00"));
        let d = derivation(&c);
        assert!(d
            .text()
            .contains("急难先行救助、后置审批（须在 30 个工作日内补齐审批手续）：超过先行发放上限 2000.00"));
        assert!(d
            .policy_values
            .contains(&"temporary.urgent_cap_amount=2000.00".to_string()));
        // Urgent under the cap: 860 × 2 = 1720.
        let c = temp(Some(2), true, "860", &b, &r);
        assert_eq!(pay(&c), y("1720.00"));
        assert!(derivation(&c)
            .text()
            .contains("未超过先行发放上限 2000.00，按 1720.00 发放；临时救助金 1720.00"));
        // Urgent with no urgent cap: 2580, said so.
        let mut b = template();
        b.temporary.urgent_cap_amount = None;
        let c = temp(Some(3), true, "860", &b, &r);
        assert_eq!(pay(&c), y("2580.00"));
        assert!(derivation(&c).text().contains("政策未设先行发放上限"));
        // Both caps: urgent 2000 below cap 5000 → 2000 (6 × 860 = 5160 → 5000 → 2000).
        let mut b = template();
        b.temporary.cap_amount = Some(PolicyMoney(y("5000")));
        assert_eq!(pay(&temp(Some(6), true, "860", &b, &r)), y("2000.00"));
    }

    #[test]
    fn temporary_cap_never_exceeded_by_rounding() {
        // 860.55 × 6 = 5163.30 → cap 5160.50; to the yuan half-up or up would be 5161 > cap → 5160.
        let mut b = template();
        b.temporary.cap_amount = Some(PolicyMoney(y("5160.50")));
        let yuan = |m| rounding(RoundUnitKey::Yuan, m);
        for mode in [RoundModeKey::HalfUp, RoundModeKey::Up, RoundModeKey::Down] {
            assert_eq!(
                pay(&temp(Some(6), false, "860.55", &b, &yuan(mode))),
                y("5160.00"),
                "{mode:?}"
            );
        }
        // Below the cap rounding works normally: 860.55 × 2 = 1721.10 → up 1722.
        assert_eq!(
            pay(&temp(Some(2), false, "860.55", &b, &yuan(RoundModeKey::Up))),
            y("1722.00")
        );
    }

    #[test]
    fn overflow_is_a_reason_not_a_panic() {
        let h = household(vec![person("甲", 40, Head, "0"), person("乙", 40, Spouse, "0")]);
        let s = StandardUsed {
            monthly: Fen(i64::MAX),
            stated: Fen(i64::MAX),
            unit: AmountUnit::PerMonth,
            from: july(),
        };
        assert_eq!(reason(&dibao(&h, &s, &template(), &fen_half_up())), "amount_overflow");
        assert_eq!(
            reason(&tekun(&h, &s, None, &template(), &fen_half_up())),
            "amount_overflow"
        );
    }

    #[test]
    fn show_exact_amounts() {
        assert_eq!(show(0), "0.00");
        assert_eq!(show(25_801_500), "2580.15");
        assert_eq!(show(2_580_150), "258.015");
        assert_eq!(show(2_580_151), "258.0151");
        assert_eq!(show(-150), "-0.015");
    }

    // -----------------------------------------------------------------------------------------------------------
    // Properties.

    fn arb_person() -> impl Strategy<Value = Person> {
        let relations = vec![
            Head,
            Spouse,
            Son,
            Daughter,
            Father,
            Mother,
            Grandson,
            Granddaughter,
            Sibling,
            Other,
        ];
        let care = vec![SelfCare::Able, SelfCare::Partial, SelfCare::Unable, SelfCare::Unknown];
        (
            0u32..100,
            prop::sample::select(relations),
            0i64..400_000,
            0u8..=4,
            any::<bool>(),
            any::<bool>(),
            prop::sample::select(care),
        )
            .prop_map(|(age, relation, income, grade, ill, school, self_care)| Person {
                label: String::new(),
                age,
                relation,
                monthly_income: Fen(income),
                disability_grade: grade,
                serious_illness: ill,
                in_school: school,
                self_care,
            })
    }

    fn arb_household() -> impl Strategy<Value = Household> {
        (
            prop::collection::vec(arb_person(), 1..=6),
            prop::option::of(0i64..150_000),
            prop::option::of(prop::sample::select(vec![
                SupportMode::Centralised,
                SupportMode::Dispersed,
            ])),
            prop::option::of(0u32..9),
            any::<bool>(),
        )
            .prop_map(|(mut members, deduction, support_mode, months, urgent)| {
                for (i, m) in members.iter_mut().enumerate() {
                    m.label = format!("成员{i}");
                }
                Household {
                    members,
                    deduction: deduction.map(Fen),
                    support_mode,
                    temporary_months: months,
                    urgent,
                }
            })
    }

    fn arb_benefits() -> impl Strategy<Value = Benefits> {
        (
            prop::collection::vec(0u32..=50, 5),
            55u32..80,
            1u8..=4,
            prop::option::of(0i64..20_000),
            100u32..=200,
            (prop::option::of(0i64..800_000), prop::option::of(0i64..400_000)),
        )
            .prop_map(|(pcts, elderly_age, grade, floor, single, (cap, urgent_cap))| {
                let mut b = Benefits {
                    topups: ALL_CATEGORIES.iter().zip(pcts).map(|(&c, p)| topup(c, p)).collect(),
                    elderly_age,
                    severe_disability_max_grade: grade,
                    min_per_person_amount: floor.map(|f| PolicyMoney(Fen(f))),
                    single_person_household_percent: single,
                    ..Benefits::default()
                };
                b.temporary.cap_amount = cap.map(|c| PolicyMoney(Fen(c)));
                b.temporary.urgent_cap_amount = urgent_cap.map(|c| PolicyMoney(Fen(c)));
                b
            })
    }

    fn arb_rounding() -> impl Strategy<Value = Rounding> {
        (
            prop::sample::select(vec![RoundUnitKey::Fen, RoundUnitKey::Jiao, RoundUnitKey::Yuan]),
            prop::sample::select(vec![RoundModeKey::HalfUp, RoundModeKey::Up, RoundModeKey::Down]),
        )
            .prop_map(|(unit, mode)| Rounding { unit, mode })
    }

    fn arb_standard() -> impl Strategy<Value = StandardUsed> {
        (0i64..200_000).prop_map(|f| StandardUsed {
            monthly: Fen(f),
            stated: Fen(f),
            unit: AmountUnit::PerMonth,
            from: july(),
        })
    }

    fn amount_of(c: &Computed) -> i64 {
        match c {
            Computed::Pay { amount, .. } => amount.0,
            Computed::Ineligible { .. } => 0,
        }
    }

    fn household_route(c: &Computed) -> bool {
        matches!(
            c,
            Computed::Pay {
                single_person: None,
                ..
            }
        )
    }

    /// A reference for the household route, written independently: Some(amount) when T < S × n.
    fn reference_dibao(h: &Household, s: Fen, b: &Benefits, r: &Rounding) -> Option<Fen> {
        let n = h.members.len() as i64;
        let income: i64 = h.members.iter().map(|m| m.monthly_income.0).sum();
        let t = (income - h.deduction.map_or(0, |d| d.0.max(0))).max(0);
        if t >= s.0 * n {
            return None;
        }
        let mut gap = s.0 * n - t;
        if let Some(f) = b.min_per_person_amount {
            gap = gap.max(f.0 .0 * n);
        }
        // In 1/100 fen: gap × 100 + Σ (max percent over the person's categories) × S.
        let mut total = i128::from(gap) * 100;
        for p in &h.members {
            let pct = categories(p, h, b)
                .into_iter()
                .map(|c| percent_of(b, c))
                .max()
                .unwrap_or(0);
            total += i128::from(pct) * i128::from(s.0);
        }
        Fen(i64::try_from(total).ok()?).mul_ratio(1, 100, r.unit(), r.mode())
    }

    proptest! {
        #[test]
        fn amounts_never_negative(h in arb_household(), s in arb_standard(), mw in arb_standard(),
                                  b in arb_benefits(), r in arb_rounding()) {
            prop_assert!(amount_of(&dibao(&h, &s, &b, &r)) >= 0);
            prop_assert!(amount_of(&tekun(&h, &s, Some(&mw), &b, &r)) >= 0);
            prop_assert!(amount_of(&tekun(&h, &s, None, &b, &r)) >= 0);
            let t = temporary(&h, &s, &b, &r);
            prop_assert!(amount_of(&t) >= 0);
            if let Some(cap) = b.temporary.cap_amount {
                prop_assert!(amount_of(&t) <= cap.0 .0);
            }
            if let (true, Some(cap)) = (h.urgent, b.temporary.urgent_cap_amount) {
                prop_assert!(amount_of(&t) <= cap.0 .0);
            }
        }

        #[test]
        fn dibao_matches_reference_and_covers_the_gap(h in arb_household(), s in arb_standard(),
                                                      b in arb_benefits(), r in arb_rounding()) {
            let c = dibao(&h, &s, &b, &r);
            let want = reference_dibao(&h, s.monthly, &b, &r);
            match &c {
                Computed::Pay { amount, single_person: None, derivation } => {
                    prop_assert_eq!(Some(*amount), want);
                    // Amount ≥ the gap (both rounded alike; rounding is monotone).
                    let n = h.members.len() as i64;
                    let income: i64 = h.members.iter().map(|m| m.monthly_income.0).sum();
                    let t = (income - h.deduction.map_or(0, |d| d.0)).max(0);
                    let gap = Fen(s.monthly.0 * n - t).round(r.unit(), r.mode());
                    prop_assert!(*amount >= gap);
                    prop_assert_eq!(derivation.steps.last().map(|s| s.rule), Some("round"));
                    prop_assert_eq!(derivation.steps.last().map(|s| s.amount), Some(*amount));
                }
                _ => prop_assert_eq!(want, None),
            }
        }

        #[test]
        fn more_income_never_more_money(h in arb_household(), s in arb_standard(), b in arb_benefits(),
                                        r in arb_rounding(), who in 0usize..6, delta in 1i64..200_000) {
            let before = dibao(&h, &s, &b, &r);
            let mut more = h.clone();
            let i = who % more.members.len();
            more.members[i].monthly_income = Fen(more.members[i].monthly_income.0 + delta);
            let after = dibao(&more, &s, &b, &r);
            // The one exception is the rules' own cliff (see `single_person_cliff_is_real`).
            let cliff = household_route(&before) && covered(&after).is_some();
            if !cliff {
                prop_assert!(amount_of(&after) <= amount_of(&before),
                    "before {} / after {}", derivation(&before).text(), derivation(&after).text());
            }
        }

        #[test]
        fn another_category_never_less_money(h in arb_household(), s in arb_standard(), b in arb_benefits(),
                                              r in arb_rounding(), who in 0usize..6, what in 0u8..3) {
            let before = dibao(&h, &s, &b, &r);
            let mut more = h.clone();
            let i = who % more.members.len();
            match what {
                0 => more.members[i].serious_illness = true,
                1 => more.members[i].in_school = true,
                _ => more.members[i].disability_grade = 1,
            }
            let after = dibao(&more, &s, &b, &r);
            prop_assert!(amount_of(&after) >= amount_of(&before),
                "before {} / after {}", derivation(&before).text(), derivation(&after).text());
        }

        #[test]
        fn topups_bounded_by_max_percent(h in arb_household(), s in arb_standard(), b in arb_benefits()) {
            let max_pct = b.topups.iter().map(|t| t.percent).max().unwrap_or(0);
            let mut total: i128 = 0;
            for p in &h.members {
                let pct = choose_topup(p, &h, &b).map_or(0, |c| c.percent);
                prop_assert!(pct <= max_pct);
                // The highest applicable, never a sum.
                let highest = categories(p, &h, &b).into_iter().map(|c| percent_of(&b, c)).max().unwrap_or(0);
                prop_assert_eq!(pct, highest);
                total += i128::from(pct) * i128::from(s.monthly.0);
            }
            prop_assert!(total <= h.members.len() as i128 * i128::from(max_pct) * i128::from(s.monthly.0));
            // And the derivation's top-up steps add up to the same (exactly, in 1/100 fen, via their text).
            let c = dibao(&h, &s, &b, &fen_half_up());
            if household_route(&c) {
                let shown = derivation(&c).steps.iter().filter(|s| s.rule == "dibao.topup").count();
                let nonzero = h.members.iter().filter(|p| choose_topup(p, &h, &b).is_some()).count();
                prop_assert_eq!(shown, nonzero);
            }
        }
    }

    #[test]
    fn the_members_counted_are_part_of_the_basis() {
        // The same size and income, one household with a student among those counted: the top-ups differ, so
        // must the bases (a replay of the one from the other's members would find the wrong amount).
        let a = household(vec![
            person("甲", 50, Relation::Head, "900"),
            person("乙", 16, Relation::Son, "0"),
        ]);
        let b = household(vec![
            person("甲", 50, Relation::Head, "900"),
            student(person("丙", 16, Relation::Daughter, "0")),
        ]);
        let (ba, bb) = (Basis::of(&a, &monthly("860")), Basis::of(&b, &monthly("860")));
        assert_eq!((ba.members, ba.income), (bb.members, bb.income));
        assert_ne!(ba, bb);
        assert!(!bb.reproduces(&ba));
        assert_eq!(Basis::of(&a, &monthly("860")), ba, "the same household, the same basis");
        assert!(ba
            .to_string()
            .starts_with("members=2;income=900.00;deduction=0.00;standard=860.00@2026-07-01;household="));
    }

    #[test]
    fn a_basis_reads_back_as_written() {
        let text = "members=3;income=980.00;deduction=120.50;standard=860.00@2026-07-01";
        let b = Basis::parse(text).expect("a basis");
        assert_eq!(b.members, 3);
        assert_eq!(b.income, Fen(98_000));
        assert_eq!(b.deduction, Fen(12_050));
        assert_eq!(b.standard, Fen(86_000));
        assert_eq!(b.standard_from, NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
        assert_eq!(b.to_string(), text);
        let raised = Basis::parse("members=3;income=980.00;deduction=120.50;standard=900.00@2027-01-01").unwrap();
        assert!(raised.standard_differs(&b) && !b.standard_differs(&b));
        // With the members counted (as decisions record it since): read back, and a basis without it (an older
        // decision) is reproduced by any household of the same counts.
        let with = format!("{text};household=4f0c2a9d81be");
        let w = Basis::parse(&with).expect("a basis with its household");
        assert_eq!(w.household, Some([0x4f, 0x0c, 0x2a, 0x9d, 0x81, 0xbe]));
        assert_eq!(w.to_string(), with);
        assert!(w.reproduces(&b) && w.reproduces(&w) && !b.reproduces(&w));
        let other = Basis {
            household: Some([0; 6]),
            ..w
        };
        assert!(!other.reproduces(&w) && other.reproduces(&b));
        for bad in [
            "",
            "members=3;income=980.00;deduction=0.00",
            "members=x;income=980.00;deduction=0.00;standard=860.00@2026-07-01",
            "members=3;income=980.00;deduction=0.00;standard=860.00",
            "members=3;income=980.00;deduction=0.00;standard=860.00@2026-07-01;extra=1",
            "members=3;income=980.00;deduction=0.00;standard=860.00@2026-07-01;household=4F0C2A9D81BE",
            "members=3;income=980.00;deduction=0.00;standard=860.00@2026-07-01;household=4f0c2a9d81",
            "members=3;income=980.00;deduction=0.00;standard=860.00@2026-07-01;household=4f0c2a9d81be;x=1",
            "income=980.00;members=3;deduction=0.00;standard=860.00@2026-07-01",
        ] {
            assert_eq!(Basis::parse(bad), None, "{bad}");
        }
    }
}
