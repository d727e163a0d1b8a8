//! The policy file `jiuzhu.yaml`: every standard, threshold, time limit and alias a step uses, with the date it
//! takes effect. Loaded and validated on every command; an error names the key and its line.
//!
//! Policy is data, not code (SPEC §5.8): when a county changes its 低保 standard, the administrator adds a dated
//! entry here and commits it, and every later decision records which entry it used.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::NaiveDate;
use serde::de::{self, Deserializer};
use serde::Deserialize;

use crate::domain::money::{Fen, MoneyError, RoundMode, RoundUnit};
use crate::i18n::tr;

/// Scheme and township names as compared ([`crate::domain::text::normalize_key`]) → the scheme's key, the
/// township's index.
/// The policy file at a workspace's root.
pub const POLICY_FILE: &str = "jiuzhu.yaml";

#[derive(Debug, Clone, Default)]
struct NameIndex {
    schemes: crate::hash::HashMap<String, String>,
    townships: crate::hash::HashMap<String, usize>,
}

/// The whole policy file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Format version of this file; 1.
    pub version: u32,
    pub region: Region,
    pub rounding: Rounding,
    /// Schemes by key (`urban_dibao`, `rural_dibao`, `tekun`, `temporary`, …).
    pub schemes: BTreeMap<String, Scheme>,
    /// Extra header names for the columns of the registers this county receives, by field key
    /// (`id_number: [证件号码, 身份证]`). Added to the built-in names.
    #[serde(default)]
    pub columns: BTreeMap<String, Vec<String>>,
    /// Other spellings of material names (`户口簿: [户口本]`), so the 提供材料 column can be read.
    #[serde(default)]
    pub material_aliases: BTreeMap<String, Vec<String>>,
    /// Local spellings of the relation to the head (`老伴: spouse`), added to the built-in GB/T 4761 names and
    /// 户口簿 forms ([`crate::domain::records::Relation::parse`]). The value is a relation code or a built-in name.
    #[serde(default)]
    pub relation_aliases: BTreeMap<String, String>,
    /// Local spellings of register values by field (`health: {长期慢性病: serious_illness}`), added to the
    /// built-in ones: which fields and codes there are is [`VALUE_FIELDS`].
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, ValueCode>>,
    /// `relation_aliases` and `values` by normalised spelling; built once, on first use.
    #[serde(skip)]
    value_index: std::sync::OnceLock<ValueIndex>,
    /// Every spelling of a material (normalised) → its canonical name; built once, on first use.
    #[serde(skip)]
    material_index: std::sync::OnceLock<BTreeMap<String, String>>,
    /// Every spelling of a scheme's and a township's name (normalised) → the scheme's key / the township's
    /// index; built once, on first use (a register asks for both on each of its households).
    #[serde(skip)]
    name_index: std::sync::OnceLock<NameIndex>,
    /// How verification (审核) works here: notices, visits, samples, calendar, asset limits.
    #[serde(default)]
    pub verification: Verification,
    /// Registries of other departments that `compare` matches against, by name.
    #[serde(default)]
    pub registries: BTreeMap<String, Registry>,
    /// Privacy-preserving exchange of ID numbers with another office.
    #[serde(default)]
    pub exchange: Option<Exchange>,
    /// How benefits are computed (救助金核算): top-ups, 单人户, 渐退, 特困 care, 临时救助 months and caps.
    #[serde(default)]
    pub benefits: Benefits,
    /// The decision procedure: review meeting, public notice, effective month, privacy of notices.
    #[serde(default)]
    pub decision: DecisionRules,
    /// Payments (发放): bank file profiles, which bank uses which, combined months, budgets.
    #[serde(default)]
    pub disbursement: Disbursement,
    /// Git: commit each writing step's files (as `--commit` does).
    #[serde(default)]
    pub git: GitSettings,
    /// `jiuzhu audit`: re-check cadence, schemes that exclude each other, registries of staff relatives.
    #[serde(default)]
    pub audit: AuditRules,
    /// `jiuzhu archive`: how long dossiers are kept.
    #[serde(default)]
    pub archive: ArchiveRules,
    /// Follow-up visits (回访): how often a household is visited again, by its class of difficulty.
    #[serde(default)]
    pub followups: FollowupRules,
    /// Complaints (信访): the time limit for a reply.
    #[serde(default)]
    pub complaints: ComplaintRules,
    /// Active discovery (主动发现): time limits, investigators, the departments referred to.
    #[serde(default)]
    pub discovery: DiscoveryRules,
    /// How the workbooks for people print: the paper, and who issues the public notice.
    #[serde(default)]
    pub print: PrintRules,
}

/// The register fields whose values the policy's `values:` can add spellings for, each with the codes a
/// spelling can be mapped to (what the rules read).
pub const VALUE_FIELDS: &[(&str, &[&str])] = &[
    // 户籍类型 / 户籍性质
    ("hukou", &["urban", "rural"]),
    // 健康状况: whether the member counts as 重病 for the top-up (分类施保).
    ("health", &["serious_illness", "none"]),
    // 残疾等级 / 残疾类别: 1 (一级, most severe) … 4, or none.
    ("disability_grade", &["1", "2", "3", "4", "none"]),
    // 生活自理能力 (特困 care standard)
    ("self_care", &["able", "partial", "unable"]),
    // 劳动能力
    ("work_ability", &["full", "partial", "none"]),
    // 供养方式
    ("support_mode", &["centralised", "dispersed"]),
];

/// What a spelling under `values:` maps to: written as text or, for a grade, as a number (`重度: 1`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ValueCode {
    Text(String),
    Number(u64),
}

impl ValueCode {
    pub fn code(&self) -> String {
        match self {
            ValueCode::Text(t) => t.trim().to_string(),
            ValueCode::Number(n) => n.to_string(),
        }
    }
}

/// The policy's own spellings, normalised ([`crate::domain::text::normalize_key`]).
#[derive(Debug, Clone, Default)]
struct ValueIndex {
    relations: crate::hash::HashMap<String, crate::domain::records::Relation>,
    /// (field, spelling) → code.
    values: crate::hash::HashMap<(String, String), String>,
}

/// How jiuzhu uses the workspace's Git repository.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GitSettings {
    /// After every writing step, `git add` the workspace folders and commit them with a message naming the
    /// step, the period and the input hashes (as `jiuzhu --commit`).
    pub commit: bool,
}

/// A classified top-up category (分类施保).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TopUpCategory {
    /// 重残: disability grade 1 or 2 (policy `severe_disability_max_grade`).
    SevereDisability,
    /// 重病
    SeriousIllness,
    /// 老年人: at least `elderly_age`.
    Elderly,
    /// 在校生
    Student,
    /// 单亲家庭: applied to the head of a household with no spouse and a child under 18 or in school.
    SingleParent,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopUp {
    pub category: TopUpCategory,
    /// Percent of the standard (10–30 in the sources).
    pub percent: u32,
}

/// Benefit computation settings. Defaults follow the sources; every value used is written into the decision.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Benefits {
    /// 分类施保: % of the standard per person in a category; the highest applies, never the sum.
    pub topups: Vec<TopUp>,
    pub elderly_age: u32,
    pub severe_disability_max_grade: u8,
    /// A floor per counted member when the gap is smaller (none when absent).
    pub min_per_person_amount: Option<PolicyMoney>,
    /// 单人户: a severely disabled or seriously ill dependant of a household whose per-capita income is at most
    /// this percent of the standard is covered alone.
    pub single_person_household_percent: u32,
    /// 渐退/缓退: months the benefit continues after income rises above the line (0 = none).
    pub gradual_exit_months: u32,
    pub tekun: TekunRules,
    pub temporary: TemporaryRules,
    /// Annual caps per household for a scheme (e.g. medical ≤ 5000 a year), by scheme key.
    pub annual_caps: BTreeMap<String, PolicyMoney>,
}

impl Default for Benefits {
    fn default() -> Benefits {
        Benefits {
            topups: Vec::new(),
            elderly_age: 60,
            severe_disability_max_grade: 2,
            min_per_person_amount: None,
            single_person_household_percent: 150,
            gradual_exit_months: 0,
            tekun: TekunRules::default(),
            temporary: TemporaryRules::default(),
            annual_caps: BTreeMap::new(),
        }
    }
}

/// 特困供养: basic living (the scheme's standard) plus a care standard by self-care ability.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TekunRules {
    /// The minimum wage (最低工资标准) the care standard is a percentage of, dated.
    pub minimum_wage: Vec<Standard>,
    /// Care as % of the minimum wage: fully unable to look after oneself, partly, able (in a care home).
    pub care_unable_percent: u32,
    pub care_partial_percent: u32,
    pub care_able_centralised_percent: u32,
    pub care_able_dispersed_percent: u32,
    /// Minors are supported up to this age.
    pub minor_age: u32,
}

impl Default for TekunRules {
    fn default() -> TekunRules {
        TekunRules {
            minimum_wage: Vec::new(),
            care_unable_percent: 100,
            care_partial_percent: 60,
            care_able_centralised_percent: 20,
            care_able_dispersed_percent: 0,
            minor_age: 18,
        }
    }
}

/// 临时救助: months of the standard by assessed need, capped.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TemporaryRules {
    pub min_months: u32,
    pub max_months: u32,
    /// The largest one-off amount (none when absent).
    pub cap_amount: Option<PolicyMoney>,
    /// The most the urgent path (先行救助) may pay before approval.
    pub urgent_cap_amount: Option<PolicyMoney>,
    /// Working days within which an urgent payment's approval must be back-filled.
    pub backfill_working_days: u32,
}

impl Default for TemporaryRules {
    fn default() -> TemporaryRules {
        TemporaryRules {
            min_months: 1,
            max_months: 6,
            cap_amount: None,
            urgent_cap_amount: None,
            backfill_working_days: 30,
        }
    }
}

/// When a decision takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectiveFrom {
    /// The month the application was made (arrears paid from then).
    ApplicationMonth,
    /// The month of approval.
    ApprovalMonth,
    /// The month after approval.
    NextMonth,
}

/// The decision procedure.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DecisionRules {
    /// Days a public notice runs (公示 7 天), per posting level.
    pub notice_days: u32,
    /// Posting levels: `[village]`, or `[village, township, county]` for the three-posting model.
    pub notice_levels: Vec<String>,
    /// Undisputed cases may skip the democratic appraisal (无争议免评议), where local policy allows.
    pub skip_appraisal_when_undisputed: bool,
    pub effective_from: EffectiveFrom,
    /// Hardship reasons or conditions that keep a case off every public list (e.g. 艾滋病).
    pub private_reasons: Vec<String>,
    /// Columns a public notice shows: name, village, household_size, scheme, amount, masked_id.
    pub notice_fields: Vec<String>,
}

impl Default for DecisionRules {
    fn default() -> DecisionRules {
        DecisionRules {
            notice_days: 7,
            notice_levels: vec!["village".into()],
            skip_appraisal_when_undisputed: false,
            effective_from: EffectiveFrom::ApprovalMonth,
            private_reasons: vec!["艾滋病".into(), "HIV".into()],
            notice_fields: vec![
                "name".into(),
                "village".into(),
                "household_size".into(),
                "scheme".into(),
                "amount".into(),
            ],
        }
    }
}

/// Verification settings. Every value has the default the sources give, so a short policy still works.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Verification {
    /// 一次性告知: the applicant is told everything missing within this many working days of receipt.
    pub supplement_working_days: u32,
    /// 入户调查 needs at least this many investigators present (两名以上调查员同时在场).
    pub min_investigators: u32,
    /// Township re-visit sample of village-reported cases, in percent (按照20%的比例入户调查核实).
    pub revisit_percent: u32,
    /// The seed of the re-visit sample, so the sample can be drawn again by anyone.
    pub revisit_seed: u64,
    /// "一证一书": when not empty, a case holding these materials is complete whatever its scheme lists.
    pub minimal_materials: Vec<String>,
    /// A parent must be at least this many years older than a child.
    pub min_parent_age_gap: u32,
    /// Legal marriage ages (婚姻法): a spouse younger than these is flagged.
    pub marriage_age_male: u32,
    pub marriage_age_female: u32,
    /// Public holidays (法定节假日) and make-up working days (调休上班) for counting working days.
    #[serde(deserialize_with = "policy_dates")]
    pub holidays: Vec<NaiveDate>,
    #[serde(deserialize_with = "policy_dates")]
    pub extra_workdays: Vec<NaiveDate>,
    /// Rigid-expenditure kinds that may be deducted from income (刚性支出), with evidence.
    pub deduction_kinds: Vec<String>,
    pub assets: AssetLimits,
}

impl Default for Verification {
    fn default() -> Verification {
        Verification {
            supplement_working_days: 3,
            min_investigators: 2,
            revisit_percent: 20,
            revisit_seed: 0,
            minimal_materials: Vec::new(),
            min_parent_age_gap: 15,
            marriage_age_male: 22,
            marriage_age_female: 20,
            holidays: Vec::new(),
            extra_workdays: Vec::new(),
            deduction_kinds: vec!["医疗".into(), "残疾".into(), "教育".into(), "就业成本".into()],
            assets: AssetLimits::default(),
        }
    }
}

/// Household asset limits for 低保.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AssetLimits {
    /// Deposits per member may not exceed this many months of the monthly standard.
    pub deposits_months_of_standard: u32,
    pub max_vehicles: u32,
    pub max_properties: u32,
}

impl Default for AssetLimits {
    fn default() -> AssetLimits {
        AssetLimits {
            deposits_months_of_standard: 24,
            max_vehicles: 0,
            max_properties: 1,
        }
    }
}

/// A registry of another department (信息比对): what it is called, how its columns are found, what a hit means.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registry {
    pub label: String,
    pub effect: crate::domain::records::Effect,
    /// The registry records deaths (死亡火化): a confirmed hit removes the person from the household counted, a
    /// household whose every member died is stopped (停发), the date of death is read from the evidence, and audit
    /// holds payments to it. Declared here, not inferred from the name; a policy that declares no such registry
    /// keeps the meaning for a registry named `deaths` (older policies), see [`Policy::is_death_registry`].
    #[serde(default)]
    pub death: Option<bool>,
    /// Extra header names for its columns, by field key (`id_number`, `name`, `birth_date`, `amount`, `id_hash`).
    #[serde(default)]
    pub columns: BTreeMap<String, Vec<String>>,
    /// Header names whose values are kept as the hit's evidence (e.g. 死亡日期, 号牌号码).
    #[serde(default)]
    pub evidence: Vec<String>,
    /// Also report name + birth-date matches (as leads, never as confirmed hits).
    #[serde(default)]
    pub name_birth_match: bool,
    /// Only rows whose amount is above this are hits (e.g. a medical bill > 10000).
    #[serde(default)]
    pub amount_above: Option<PolicyMoney>,
    /// The lower threshold for members of low-income (低保/特困) cases (e.g. > 4000).
    #[serde(default)]
    pub low_income_amount_above: Option<PolicyMoney>,
    /// A row of this registry about a monitored household (`monitored.csv`) not in an open case is a warning
    /// (监测预警) that `compare` records as a discovery (e.g. a disability registry: a new disability). Death
    /// registries and amount registries (`amount_above`) warn without it.
    #[serde(default)]
    pub warning: bool,
}

/// The shared salt for hashed ID exchange; both offices must use the same one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exchange {
    pub salt: String,
}

/// The county (区县) this workspace serves and its townships (乡镇/街道) and villages (村/社区).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// 6-digit administrative division code (行政区划代码).
    pub code: String,
    pub name: String,
    pub townships: Vec<Township>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Township {
    pub name: String,
    /// 9-digit township code; the case's `region_code`.
    pub code: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub villages: Vec<String>,
}

/// Where and how amounts are rounded: once, at the end of a computation.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rounding {
    pub unit: RoundUnitKey,
    pub mode: RoundModeKey,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundUnitKey {
    Fen,
    Jiao,
    Yuan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundModeKey {
    HalfUp,
    Up,
    Down,
}

impl Rounding {
    pub fn unit(&self) -> RoundUnit {
        match self.unit {
            RoundUnitKey::Fen => RoundUnit::Fen,
            RoundUnitKey::Jiao => RoundUnit::Jiao,
            RoundUnitKey::Yuan => RoundUnit::Yuan,
        }
    }
    pub fn mode(&self) -> RoundMode {
        match self.mode {
            RoundModeKey::HalfUp => RoundMode::HalfUp,
            RoundModeKey::Up => RoundMode::Up,
            RoundModeKey::Down => RoundMode::Down,
        }
    }
}

/// One assistance scheme (救助项目).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    /// The name clerks write in 申请类别 and that workbooks show.
    pub label: String,
    /// Other names accepted in registers.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Two-letter code used in case IDs (e.g. `CD` for 城市低保). Stable: changing it changes every case ID.
    pub code: String,
    pub kind: SchemeKind,
    /// Household registration the scheme applies to, if any (城市低保: urban; 农村低保: rural).
    #[serde(default)]
    pub hukou: Option<Hukou>,
    /// Dated standards (保障标准), oldest first; the one in force on a date is the last whose `from` ≤ date.
    pub standards: Vec<Standard>,
    /// Materials an application must include (申请材料).
    #[serde(default)]
    pub required_materials: Vec<String>,
    /// Working days from receipt to decision (审核确认时限).
    pub time_limit_working_days: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchemeKind {
    /// 最低生活保障
    Dibao,
    /// 特困人员救助供养
    Tekun,
    /// 临时救助
    Temporary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hukou {
    Urban,
    Rural,
}

/// A standard amount from a date, in an explicit unit (rural standards are often set per year, urban per month).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Standard {
    #[serde(deserialize_with = "policy_date")]
    pub from: NaiveDate,
    pub amount: PolicyMoney,
    pub unit: AmountUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountUnit {
    /// 元/人·月
    PerMonth,
    /// 元/人·年
    PerYear,
}

impl Scheme {
    /// The standard in force on a date: the last whose `from` is on or before it (None before the first).
    pub fn standard_on(&self, date: NaiveDate) -> Option<&Standard> {
        self.standards.iter().rev().find(|s| s.from <= date)
    }
}

impl Standard {
    /// The monthly amount per person, rounded by the policy's rounding.
    pub fn monthly(&self, rounding: &Rounding) -> Fen {
        match self.unit {
            AmountUnit::PerMonth => self.amount.0,
            AmountUnit::PerYear => self
                .amount
                .0
                .mul_ratio(1, 12, rounding.unit(), rounding.mode())
                .unwrap_or(self.amount.0),
        }
    }
}

/// A date in the policy (`2026-07-01`), read by the rule register dates are read by, so that an impossible one
/// (`2026-02-30`) is refused saying why ("February 2026 has 28 days") rather than in the date library's words.
fn policy_date<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<NaiveDate, D::Error> {
    struct V;
    impl de::Visitor<'_> for V {
        type Value = NaiveDate;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a date YYYY-MM-DD")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<NaiveDate, E> {
            crate::domain::date::parse_date(v).map_err(|e| E::custom(crate::i18n::tr(e.to_string(), e.zh())))
        }
    }
    d.deserialize_str(V)
}

/// A list of [`policy_date`]s.
fn policy_dates<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<NaiveDate>, D::Error> {
    struct One(NaiveDate);
    impl<'de> Deserialize<'de> for One {
        fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<One, D::Error> {
            policy_date(d).map(One)
        }
    }
    Ok(Vec::<One>::deserialize(d)?.into_iter().map(|o| o.0).collect())
}

/// A money amount in the policy: `"820.00"` or `820`, never negative. Parsed by the same rule as register cells.
/// The deepest `[`/`{` nesting a policy may use. serde_yaml's parser takes time quadratic in the depth of flow
/// collections (`[[[[…]]]]` 100 000 deep takes minutes), so a damaged or hostile jiuzhu.yaml would hang every
/// command; real policies nest two or three levels.
const MAX_FLOW_DEPTH: usize = 32;

/// The 1-based line where flow collections nest deeper than `max`, if they do. Brackets inside quotes and
/// comments do not count (approximately: a quote opens only at the start of a value).
fn flow_nesting_beyond(text: &str, max: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, line) in text.lines().enumerate() {
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for c in line.chars() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None => match c {
                    '#' if prev.is_whitespace() => break,
                    '\'' | '"' if prev.is_whitespace() || "[{,:".contains(prev) => quote = Some(c),
                    '[' | '{' => {
                        depth += 1;
                        if depth > max {
                            return Some(i + 1);
                        }
                    }
                    ']' | '}' => depth = depth.saturating_sub(1),
                    _ => {}
                },
            }
            prev = c;
        }
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyMoney(pub Fen);

impl<'de> Deserialize<'de> for PolicyMoney {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Int(i64),
            Float(f64),
        }
        let bad = |e: MoneyError| de::Error::custom(format!("{AMOUNT_MARK}{}", money_message(&e)));
        let fen = match Raw::deserialize(d)? {
            Raw::Text(s) => Fen::parse_yuan(&s).map_err(bad)?,
            Raw::Int(i) => Fen::parse_yuan(&i.to_string()).map_err(bad)?,
            Raw::Float(f) => Fen::from_number_cell(f).map_err(bad)?,
        };
        if fen.0 < 0 {
            return Err(de::Error::custom(
                AMOUNT_MARK.to_string()
                    + &tr(
                        format!("amount {fen} is negative; policy amounts are yuan ≥ 0"),
                        format!("金额 {fen} 是负数: 政策中的金额应为不小于 0 的元数, 如 \"820.00\""),
                    ),
            ));
        }
        Ok(PolicyMoney(fen))
    }
}

/// Starts the error of an amount in the policy, so that the error names the amount's key and line (see
/// [`Policy::parse`]); never shown.
const AMOUNT_MARK: &str = "\u{1}amount\u{1}";

/// Why an amount in the policy is not one, in the run's language.
fn money_message(e: &MoneyError) -> String {
    tr(e.to_string(), e.zh())
}

/// Payments (发放, 社会化发放): how batches are cut and how each bank wants its file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Disbursement {
    /// Bank file formats by name.
    pub profiles: BTreeMap<String, BankProfile>,
    /// 开户银行 (as in the case's `bank_name`) → profile name.
    pub banks: BTreeMap<String, String>,
    /// The profile for a bank not listed under `banks` (and for `--reconcile` without `--profile`).
    pub default_profile: Option<String>,
    /// A bank not listed under `banks`, paid in `default_profile`'s layout: `warn` (the default: the step names the
    /// bank and the profile used) or `refuse` (nothing is issued until the bank is mapped).
    pub unlisted_bank: UnlistedBank,
    /// Months paid together in one batch (e.g. January and February before the Spring Festival).
    pub combine: Vec<CombinedBatch>,
    /// The most a batch may pay under a scheme, by period (`--override-budget REASON` to exceed it).
    pub budgets: Vec<Budget>,
    /// An account number is digits only, of this many digits at least and at most (银行卡 16–19, 存折 longer).
    pub account_min_digits: u32,
    pub account_max_digits: u32,
}

impl Default for Disbursement {
    fn default() -> Disbursement {
        Disbursement {
            profiles: BTreeMap::new(),
            banks: BTreeMap::new(),
            default_profile: None,
            unlisted_bank: UnlistedBank::Warn,
            combine: Vec::new(),
            budgets: Vec::new(),
            account_min_digits: 10,
            account_max_digits: 30,
        }
    }
}

/// What a payment to a bank with no profile of its own gets (`disbursement.unlisted_bank`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnlistedBank {
    Warn,
    Refuse,
}

/// A batch that pays several months (`batch: "2027-01"`, `months: ["2027-01", "2027-02"]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CombinedBatch {
    pub batch: String,
    pub months: Vec<String>,
}

/// A scheme's budget for one batch period.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    pub scheme: String,
    pub period: String,
    pub amount: PolicyMoney,
}

/// One bank's file format (代发文件格式).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankProfile {
    pub file_type: BankFileType,
    #[serde(default)]
    pub encoding: BankEncoding,
    /// A header row of the column labels.
    #[serde(default = "yes")]
    pub header: bool,
    #[serde(default)]
    pub line_ending: LineEnding,
    /// File name under `reports/bank/`: `{bank}`, `{period}`, `{profile}` are filled in.
    pub file_name: String,
    #[serde(default)]
    pub amount_format: AmountFormat,
    pub columns: Vec<BankColumn>,
    #[serde(default)]
    pub summary: Option<SummaryRow>,
    /// How the bank's return file (回盘文件) is read.
    #[serde(default)]
    pub returns: ReturnFormat,
    /// What a character the file's `encoding` cannot hold is written as (a `gbk` file and a name with a
    /// character only GB18030 has); each one is listed in the 汇总表.
    #[serde(default = "question_mark")]
    pub replacement: String,
}

fn yes() -> bool {
    true
}

fn question_mark() -> String {
    "?".into()
}

/// The placeholders a bank profile's `summary.format` may use.
pub const SUMMARY_PLACEHOLDERS: &[&str] = &["count", "sum", "sum_yuan", "sum_fen", "period", "bank"];
/// The placeholders a bank profile's `file_name` may use.
pub const FILE_NAME_PLACEHOLDERS: &[&str] = &["bank", "period", "profile"];

/// The first `{name}` in `format` that is not one of `known`, or a brace left open.
fn unknown_placeholder<'a>(format: &'a str, known: &[&str]) -> Option<&'a str> {
    let mut rest = format;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        let Some(j) = after.find('}') else {
            return Some(&rest[i..]);
        };
        let name = &after[..j];
        if !known.contains(&name) {
            return Some(&rest[i..i + j + 2]);
        }
        rest = &after[j + 1..];
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BankFileType {
    Csv,
    Xlsx,
    /// Fixed-width text: every column has a `width` in bytes of the encoded text (a GBK character is 2).
    Fixed,
}

/// The text encoding a bank reads. A payee's name may hold a character GBK has no code for (a rare character,
/// 生僻字, that only GB18030 encodes): a bank that reads GB18030 gets it as it is; under `gbk` it is written as the
/// profile's `replacement` and listed in the 汇总表, so the clerk can check the payment with the bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BankEncoding {
    #[default]
    #[serde(alias = "utf8")]
    Utf8,
    #[serde(alias = "gb2312")]
    Gbk,
    /// GBK's superset, which encodes every character (GB 18030-2005).
    Gb18030,
}

impl BankEncoding {
    /// Whether the encoding can hold `c`.
    pub fn holds(self, c: char) -> bool {
        match self {
            BankEncoding::Utf8 | BankEncoding::Gb18030 => true,
            BankEncoding::Gbk => {
                let mut buf = [0u8; 4];
                !encoding_rs::GBK.encode(c.encode_utf8(&mut buf)).2
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineEnding {
    #[default]
    Crlf,
    Lf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountFormat {
    /// 元 with 2 decimals: `1234.50`.
    #[default]
    Yuan,
    /// Whole fen: `123450`.
    Fen,
}

/// What a bank-file column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BankField {
    /// 序号 within the file, 1, 2, 3, …
    Seq,
    PaymentId,
    CaseId,
    Name,
    Account,
    Amount,
    /// The payee's ID number, masked (`130199********001X`).
    IdMasked,
    /// The full ID number, for banks that verify the payee by it (the file is not public).
    IdNumber,
    Bank,
    /// The month paid (YYYY-MM).
    Period,
    Scheme,
    Village,
    /// 附言: period, scheme and 补发/重发/先行救助 markers.
    Note,
    /// A fixed text (`text:`).
    Text,
    /// Return files: 成功/失败 and the failure reason; a column to ignore.
    Status,
    Reason,
    Skip,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankColumn {
    pub field: BankField,
    #[serde(default)]
    pub label: String,
    /// Fixed-width files: bytes of the encoded value; padded, never cut (a longer value is an error).
    #[serde(default)]
    pub width: usize,
    #[serde(default)]
    pub align: Align,
    /// The padding character of a fixed-width column (`" "` or `"0"`).
    #[serde(default = "space")]
    pub pad: char,
    /// The value of a `text` column.
    #[serde(default)]
    pub text: String,
}

fn space() -> char {
    ' '
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    #[default]
    Left,
    Right,
}

/// The control-total row (汇总行): `format` with `{count}`, `{sum}` (as `amount_format`), `{sum_yuan}`,
/// `{sum_fen}`, `{period}`, `{bank}`; in an xlsx file the format is split into cells at commas.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryRow {
    pub position: SummaryPosition,
    pub format: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SummaryPosition {
    First,
    Last,
}

/// A bank's return file: file type and encoding (default: as the payment file), header, columns (by label
/// when there is a header, by position or width otherwise), and the words it uses for success and failure.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReturnFormat {
    pub file_type: Option<BankFileType>,
    pub encoding: Option<BankEncoding>,
    pub header: bool,
    pub columns: Vec<BankColumn>,
    pub success: Vec<String>,
    pub failure: Vec<String>,
}

impl Default for ReturnFormat {
    fn default() -> ReturnFormat {
        let col = |field, label: &str| BankColumn {
            field,
            label: label.into(),
            width: 0,
            align: Align::Left,
            pad: ' ',
            text: String::new(),
        };
        ReturnFormat {
            file_type: None,
            encoding: None,
            header: true,
            columns: vec![
                col(BankField::PaymentId, "流水号"),
                col(BankField::Account, "账号"),
                col(BankField::Amount, "金额"),
                col(BankField::Status, "状态"),
                col(BankField::Reason, "失败原因"),
            ],
            success: vec!["成功".into(), "已入账".into()],
            failure: vec!["失败".into(), "退回".into()],
        }
    }
}

impl Disbursement {
    /// The months a batch pays: those listed under `combine`, else the batch's own month.
    pub fn months_of(&self, batch: &str) -> Vec<String> {
        match self.combine.iter().find(|c| c.batch == batch) {
            Some(c) => c.months.clone(),
            None => vec![batch.to_string()],
        }
    }

    /// The profile (name and format) for a bank name.
    pub fn profile_for(&self, bank: &str) -> Option<(&str, &BankProfile)> {
        let name = self.banks.get(bank.trim()).or(self.default_profile.as_ref())?;
        self.profiles.get_key_value(name).map(|(k, p)| (k.as_str(), p))
    }

    fn validate(&self, policy: &Policy) -> std::result::Result<(), (Vec<PathSeg>, String)> {
        use PathSeg::{Idx, Key};
        let k = |s: &str| Key(s.to_string());
        let at = |rest: Vec<PathSeg>| {
            let mut p = vec![k("disbursement")];
            p.extend(rest);
            p
        };
        let is_month = |s: &str| crate::domain::date::Period::parse(s).is_ok_and(|p| p.to_string() == s);
        for (bank, name) in &self.banks {
            if !self.profiles.contains_key(name) {
                return Err((
                    at(vec![k("banks"), k(bank)]),
                    tr(
                        format!("no profile `{name}` under disbursement.profiles"),
                        format!("disbursement.profiles 下没有名为 `{name}` 的银行格式: 请写其中已有的一个, 或在 `profiles` 下添加它"),
                    ),
                ));
            }
        }
        if let Some(name) = &self.default_profile {
            if !self.profiles.contains_key(name) {
                return Err((
                    at(vec![k("default_profile")]),
                    tr(
                        format!("no profile `{name}`"),
                        format!("disbursement.profiles 下没有名为 `{name}` 的银行格式: 请写其中已有的一个"),
                    ),
                ));
            }
        }
        if self.account_min_digits == 0 || self.account_min_digits > self.account_max_digits {
            return Err((
                at(vec![k("account_min_digits")]),
                tr(
                    "at least 1 and not above account_max_digits",
                    "银行账号位数至少为 1, 且不能大于 `account_max_digits`",
                ),
            ));
        }
        for (i, c) in self.combine.iter().enumerate() {
            if !is_month(&c.batch) || c.months.iter().any(|m| !is_month(m)) {
                return Err((
                    at(vec![k("combine"), Idx(i)]),
                    tr(
                        "batch and months are YYYY-MM",
                        "`batch` 和 `months` 都应写成 YYYY-MM 格式的月份, 如 \"2027-01\"",
                    ),
                ));
            }
            if !c.months.contains(&c.batch) || c.months.windows(2).any(|w| w[1] <= w[0]) {
                return Err((
                    at(vec![k("combine"), Idx(i), k("months")]),
                    tr(
                        "the months include the batch's own month, in order, each once",
                        "`months` 须包含 `batch` 本身所在的月份, 按先后顺序排列, 每个月只写一次",
                    ),
                ));
            }
        }
        for (i, b) in self.budgets.iter().enumerate() {
            if !policy.schemes.contains_key(&b.scheme) {
                return Err((
                    at(vec![k("budgets"), Idx(i), k("scheme")]),
                    tr(
                        format!("no scheme `{}`", b.scheme),
                        format!(
                            "没有 `{}` 这个救助项目: 请写 `schemes` 下已有的项目键 (如 `urban_dibao`)",
                            b.scheme
                        ),
                    ),
                ));
            }
            if !is_month(&b.period) {
                return Err((
                    at(vec![k("budgets"), Idx(i), k("period")]),
                    tr(
                        "a period is YYYY-MM",
                        "`period` 应写成 YYYY-MM 格式的月份, 如 \"2026-12\"",
                    ),
                ));
            }
        }
        for (name, p) in &self.profiles {
            let here = |rest: Vec<PathSeg>| {
                let mut v = at(vec![k("profiles"), k(name)]);
                v.extend(rest);
                v
            };
            if p.columns.is_empty() {
                return Err((
                    here(vec![k("columns")]),
                    tr("list the file's columns", "请在 `columns` 下按顺序列出银行文件的各列"),
                ));
            }
            for (i, c) in p.columns.iter().enumerate() {
                if matches!(c.field, BankField::Status | BankField::Reason | BankField::Skip) {
                    return Err((
                        here(vec![k("columns"), Idx(i), k("field")]),
                        tr(
                            "status, reason and skip are for return files (returns.columns)",
                            "`status`、`reason`、`skip` 只用于回盘文件: 请写在 `returns` 的 `columns` 下",
                        ),
                    ));
                }
                if p.file_type == BankFileType::Fixed && c.width == 0 {
                    return Err((
                        here(vec![k("columns"), Idx(i), k("width")]),
                        tr(
                            "a fixed-width column needs a width",
                            "定长文件的每一列都要写 `width` (字节数, 一个 GBK 汉字占 2 字节)",
                        ),
                    ));
                }
            }
            let rt = p.returns.file_type.unwrap_or(p.file_type);
            for (i, c) in p.returns.columns.iter().enumerate() {
                if rt == BankFileType::Fixed && c.width == 0 {
                    return Err((
                        here(vec![k("returns"), k("columns"), Idx(i), k("width")]),
                        tr(
                            "a fixed-width column needs a width",
                            "定长文件的每一列都要写 `width` (字节数, 一个 GBK 汉字占 2 字节)",
                        ),
                    ));
                }
            }
            let fields: Vec<BankField> = p.returns.columns.iter().map(|c| c.field).collect();
            if !fields.contains(&BankField::Status)
                || !fields.contains(&BankField::Amount)
                || !(fields.contains(&BankField::PaymentId) || fields.contains(&BankField::Account))
            {
                return Err((
                    here(vec![k("returns"), k("columns")]),
                    tr(
                        "a return file needs status, amount, and payment_id or account",
                        "回盘文件的 `columns` 须包括 `status` 和 `amount`, 以及 `payment_id` 或 `account`",
                    ),
                ));
            }
            if p.file_name.trim().is_empty() || p.file_name.contains(['/', '\\']) {
                return Err((
                    here(vec![k("file_name")]),
                    tr(
                        "a plain file name such as 代发-{bank}-{period}.csv",
                        "请写一个不含 / 或 \\ 的文件名, 如 代发-{bank}-{period}.csv",
                    ),
                ));
            }
            if let Some(bad) = unknown_placeholder(&p.file_name, FILE_NAME_PLACEHOLDERS) {
                return Err((
                    here(vec![k("file_name")]),
                    placeholder_message(bad, FILE_NAME_PLACEHOLDERS, ("the file name", "文件名")),
                ));
            }
            if let Some(summary) = &p.summary {
                if let Some(bad) = unknown_placeholder(&summary.format, SUMMARY_PLACEHOLDERS) {
                    return Err((
                        here(vec![k("summary"), k("format")]),
                        placeholder_message(
                            bad,
                            SUMMARY_PLACEHOLDERS,
                            ("the bank file's control-total row", "银行文件的汇总行"),
                        ),
                    ));
                }
            }
            if p.replacement.is_empty() || !p.replacement.chars().all(|c| p.encoding.holds(c)) {
                return Err((
                    here(vec![k("replacement")]),
                    crate::i18n::tr(
                        format!(
                            "`{}` cannot stand for a character the bank file cannot hold: use a character its \
                             encoding has, such as ?",
                            p.replacement
                        ),
                        format!(
                            "`{}` 不能用作替换字符: 请用银行文件编码能表示的字符, 如 ?",
                            p.replacement
                        ),
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// An unknown placeholder in a bank profile's format, in the clerk's words.
fn placeholder_message(bad: &str, known: &[&str], (what, what_zh): (&str, &str)) -> String {
    let list = known.iter().map(|k| format!("{{{k}}}")).collect::<Vec<_>>().join(" ");
    crate::i18n::tr(
        format!(
            "`{bad}` is not a placeholder jiuzhu fills in, so it would be written as it is into {what}: use {list}"
        ),
        format!("`{bad}` 不是 jiuzhu 能填写的占位符, 会原样写入{what_zh}: 可用的占位符为 {list}"),
    )
}

/// What `jiuzhu audit` holds the ledgers to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditRules {
    /// Re-check cadence in months by scheme key (城市低保月动态、农村低保季动态): a case is overdue when it had no
    /// home visit, no follow-up visit (回访) and no verify check within this many months before the period's end
    /// (`domain::cadence`).
    pub recheck_months: BTreeMap<String, u32>,
    /// The cadence of every other scheme (年审: yearly).
    pub default_recheck_months: u32,
    /// Pairs of scheme keys a person may not receive together.
    pub exclusive_schemes: Vec<[String; 2]>,
    /// Registries whose hits name relatives of staff and village cadres (近亲属备案): such cases need the hit
    /// decided by a named person and a township re-visit.
    pub relatives_registries: Vec<String>,
}

impl Default for AuditRules {
    fn default() -> AuditRules {
        AuditRules {
            recheck_months: BTreeMap::from([("urban_dibao".to_string(), 1), ("rural_dibao".to_string(), 3)]),
            default_recheck_months: 12,
            exclusive_schemes: vec![
                ["urban_dibao".to_string(), "tekun".to_string()],
                ["rural_dibao".to_string(), "tekun".to_string()],
            ],
            relatives_registries: vec!["relatives".to_string()],
        }
    }
}

/// What `jiuzhu archive` keeps.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ArchiveRules {
    /// Years a dossier is kept after the case closed; never below 5.
    pub retention_years: u32,
}

impl Default for ArchiveRules {
    fn default() -> ArchiveRules {
        ArchiveRules { retention_years: 5 }
    }
}

/// The shortest retention a policy may set (档案至少保存5年).
pub const MIN_RETENTION_YEARS: u32 = 5;

/// How often households are visited again (回访频次), by class of difficulty (困难类别). The sources name the
/// classes (特殊困难 / 一般困难 / 临时困难) but no cadence: these defaults (monthly, quarterly, half-yearly) are
/// the county's to change.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FollowupRules {
    /// Months between visits: `special` (特殊困难), `general` (一般困难), `temporary` (临时困难).
    pub cadence_months: BTreeMap<crate::domain::records::DifficultyClass, u32>,
    /// The class of a household no follow-up has classed yet.
    pub default_class: crate::domain::records::DifficultyClass,
}

impl Default for FollowupRules {
    fn default() -> FollowupRules {
        use crate::domain::records::DifficultyClass::*;
        FollowupRules {
            cadence_months: BTreeMap::from([(Special, 1), (General, 3), (Temporary, 6)]),
            default_class: General,
        }
    }
}

impl FollowupRules {
    /// Months between visits for a class (12 — the yearly review, 年审 — when the policy leaves it out).
    pub fn months(&self, class: crate::domain::records::DifficultyClass) -> u32 {
        self.cadence_months.get(&class).copied().unwrap_or(12).max(1)
    }
}

/// Complaints (信访): replies are due within `due_days` calendar days of receipt (信访条例: 60 days).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ComplaintRules {
    pub due_days: u32,
}

impl Default for ComplaintRules {
    fn default() -> ComplaintRules {
        ComplaintRules { due_days: 60 }
    }
}

/// Active discovery (主动发现, 民办发〔2022〕18号 and the county's notice) and the monitored low-income population
/// (低收入人口动态监测). The sources set no number of days for the investigation: these defaults are the county's
/// to change.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiscoveryRules {
    /// Working days from the date found to the home investigation, by channel (`sweep`, `warning`, `hotline`,
    /// `petition`, `department`, `request`).
    pub due_working_days: BTreeMap<crate::domain::records::DiscoveryChannel, u32>,
    /// Investigators a home investigation needs at least (入户调查不少于2人).
    pub min_investigators: u32,
    /// The departments a discovery may be referred to (一门受理、协同办理).
    pub departments: Vec<String>,
    /// Working days a department has to answer a referral.
    pub referral_due_working_days: u32,
    /// The 低保边缘 line, in percent of the 低保 standard (150: per-capita income up to 1.5 times the standard).
    /// A household refused at `decide` whose income per head is at most this line enters the monitored population
    /// (`monitored.csv`: 低保边缘家庭 above the standard, 曾申请未获批准 at or under it); 0 enrols none.
    pub edge_percent: u32,
}

impl Default for DiscoveryRules {
    fn default() -> DiscoveryRules {
        use crate::domain::records::DiscoveryChannel::*;
        DiscoveryRules {
            due_working_days: BTreeMap::from([
                (Sweep, 10),
                (Warning, 5),
                (Hotline, 3),
                (Petition, 5),
                (Department, 5),
                (Request, 3),
            ]),
            min_investigators: 2,
            departments: ["医疗保障局", "教育局", "住房和城乡建设局", "人力资源和社会保障局"]
                .map(String::from)
                .to_vec(),
            referral_due_working_days: 15,
            edge_percent: 150,
        }
    }
}

impl DiscoveryRules {
    /// Working days allowed for a channel (10 when the policy leaves it out).
    pub fn working_days(&self, channel: crate::domain::records::DiscoveryChannel) -> u32 {
        self.due_working_days.get(&channel).copied().unwrap_or(10)
    }
}

/// Printing (打印): the paper every workbook for people is set up for, and what the public notice (公示) names.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrintRules {
    /// `A4` (the default), `A3`, `B5` or `letter`.
    pub paper: Paper,
    /// Who issues the notice: `township` (the village's 乡镇人民政府 / 街道办事处) or `county` (the 县民政局).
    pub notice_issuer: NoticeIssuer,
    /// The 监督电话 the notice gives for objections; empty leaves a line to write it in by hand.
    pub hotline: String,
}

impl Default for PrintRules {
    fn default() -> PrintRules {
        PrintRules {
            paper: Paper::A4,
            notice_issuer: NoticeIssuer::Township,
            hotline: String::new(),
        }
    }
}

/// The paper workbooks print on (`print.paper`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum Paper {
    #[default]
    A4,
    A3,
    B5,
    #[serde(alias = "letter")]
    Letter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeIssuer {
    Township,
    County,
}

/// A policy that cannot be used, with the key and line to fix.
#[derive(Debug)]
pub struct PolicyError {
    pub file: String,
    pub key: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = self.line.map(|l| l.to_string());
        let en = format!(
            "invalid policy {}{}{}",
            self.file,
            line.as_ref().map(|l| format!(" line {l}")).unwrap_or_default(),
            if self.key.is_empty() {
                String::new()
            } else {
                format!(" at `{}`", self.key)
            }
        );
        let zh = format!(
            "政策文件 {}{}{} 有误",
            self.file,
            line.as_ref().map(|l| format!(" 第 {l} 行")).unwrap_or_default(),
            if self.key.is_empty() {
                String::new()
            } else {
                format!(" `{}`", self.key)
            }
        );
        write!(f, "{}: {}", crate::i18n::tr(en, zh), self.message)
    }
}

impl std::error::Error for PolicyError {}

impl Policy {
    /// Reads policy bytes (a `jiuzhu.yaml` as read from disk): UTF-8, then [`Policy::parse`]; `file` names it in
    /// errors. Reading the file is the workspace's (`Policy::load`).
    pub fn from_bytes(bytes: Vec<u8>, file: &str) -> std::result::Result<Policy, PolicyError> {
        let text = String::from_utf8(bytes).map_err(|e| {
            let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            PolicyError {
                file: file.to_string(),
                key: String::new(),
                line: Some(line),
                message: crate::i18n::tr(
                    "the file is not UTF-8 text (saved as GBK/ANSI?): open it in a text editor and save it again \
                     with the encoding UTF-8",
                    "文件不是 UTF-8 文本 (被存成了 GBK/ANSI?): 请用文本编辑器打开, 另存为 UTF-8 编码",
                ),
            }
        })?;
        Policy::parse(&text, file)
    }

    /// Parses and validates policy text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> std::result::Result<Policy, PolicyError> {
        if let Some(line) = flow_nesting_beyond(text, MAX_FLOW_DEPTH) {
            return Err(PolicyError {
                file: file.to_string(),
                key: String::new(),
                line: Some(line),
                message: tr(
                    format!("brackets ([ or {{) nested more than {MAX_FLOW_DEPTH} deep; is this file damaged?"),
                    format!("括号 ([ 或 {{) 嵌套超过 {MAX_FLOW_DEPTH} 层, 文件可能已损坏: 请从 Git 恢复 (`git checkout -- jiuzhu.yaml`)"),
                ),
            });
        }
        if text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            return Err(PolicyError {
                file: file.to_string(),
                key: String::new(),
                line: None,
                message: crate::i18n::tr(
                    "the policy is empty: restore it from Git (`git checkout -- jiuzhu.yaml`), or start again from the \
                     one `jiuzhu init NEWDIR` writes",
                    "政策文件是空的: 请从 Git 恢复 (`git checkout -- jiuzhu.yaml`), 或以 `jiuzhu init 新文件夹` 生成的政策文件为底重新编辑",
                ),
            });
        }
        // A key given twice would be taken silently for the second (two `urban_dibao:` schemes: decisions used
        // the second one's standard): refused first, naming both lines.
        if let Some(path) = duplicate_key(text) {
            let (parent, key) = path.split_at(path.len() - 1);
            let key_name = match &key[0] {
                PathSeg::Key(k) => k.clone(),
                PathSeg::Idx(i) => i.to_string(),
            };
            let lines = key_lines(text, parent, &key_name);
            let where_ = match lines.as_slice() {
                [a, b, ..] => crate::i18n::tr(format!(" (lines {a} and {b})"), format!(" (第 {a} 行和第 {b} 行)")),
                _ => String::new(),
            };
            return Err(PolicyError {
                file: file.to_string(),
                key: path_text(&path),
                line: lines.get(1).copied().or_else(|| locate_line(text, parent)),
                message: crate::i18n::tr(
                    format!(
                        "`{key_name}` is given twice here{where_}; only the second would count. Keep one: delete \
                         the other, or merge the two"
                    ),
                    format!("`{key_name}` 在此处出现了两次{where_}, 只有后一个会生效。请只保留一个: 删除另一个, 或把两者合并"),
                ),
            });
        }
        let policy: Policy = serde_yaml::from_str(text).map_err(|e| {
            let msg = e.to_string();
            // serde_yaml says "path: message at line L column C"; split the path off so the key is named once.
            let (key, message) = match msg.split_once(": ") {
                Some((k, m)) if !k.contains(' ') => (k.to_string(), m.to_string()),
                _ => (String::new(), msg.clone()),
            };
            let message = match message.rfind(" at line ") {
                Some(i) => message[..i].to_string(),
                None => message,
            };
            let mut line = e.location().map(|l| l.line());
            let mut key = key;
            // An amount's error is reported at the list item holding it (`standards[1]`, its `- from:` line):
            // name the amount and its own line instead.
            let message = match message.strip_prefix(AMOUNT_MARK) {
                Some(m) => {
                    if key.ends_with(']') {
                        key.push_str(".amount");
                        if let Some(l) = line {
                            line = text
                                .lines()
                                .enumerate()
                                .skip(l.saturating_sub(1))
                                .take(8)
                                .find(|(_, t)| t.contains("amount:"))
                                .map(|(i, _)| i + 1)
                                .or(line);
                        }
                    }
                    m.to_string()
                }
                None => message,
            };
            let line_text = line.and_then(|l| text.lines().nth(l.saturating_sub(1))).unwrap_or("");
            PolicyError {
                file: file.to_string(),
                message: in_plain_words(&message, line_text),
                key,
                line,
            }
        })?;
        policy.validate().map_err(|(path, message)| PolicyError {
            file: file.to_string(),
            line: locate_line(text, &path),
            key: path_text(&path),
            message,
        })?;
        Ok(policy)
    }

    /// Checks what the types cannot: codes, dates in order, names unique, known column keys.
    fn validate(&self) -> std::result::Result<(), (Vec<PathSeg>, String)> {
        use PathSeg::{Idx, Key};
        let k = |s: &str| Key(s.to_string());
        if self.version != 1 {
            return Err((
                vec![k("version")],
                tr(
                    format!("version {} is not supported; use 1", self.version),
                    format!("不支持版本 {}: 请写 `version: 1`", self.version),
                ),
            ));
        }
        if self.region.code.len() != 6 || !self.region.code.bytes().all(|b| b.is_ascii_digit()) {
            return Err((
                vec![k("region"), k("code")],
                tr(
                    "the county code must be 6 digits (行政区划代码), e.g. \"130199\"",
                    "县的代码应为 6 位数字的行政区划代码, 加引号, 如 \"130199\"",
                ),
            ));
        }
        if self.region.townships.is_empty() {
            return Err((
                vec![k("region"), k("townships")],
                tr(
                    "list at least one township",
                    "请在 `townships` 下至少列出一个乡镇 (街道)",
                ),
            ));
        }
        let mut seen = BTreeSet::new();
        let mut codes_seen: BTreeMap<&str, &str> = BTreeMap::new();
        for (i, t) in self.region.townships.iter().enumerate() {
            let at = |f: &str| vec![k("region"), k("townships"), Idx(i), k(f)];
            if t.code.len() != 9
                || !t.code.bytes().all(|b| b.is_ascii_digit())
                || !t.code.starts_with(&self.region.code)
            {
                return Err((
                    at("code"),
                    tr(
                        format!(
                            "township code `{}` must be 9 digits starting with the county code {}",
                            t.code, self.region.code
                        ),
                        format!(
                            "乡镇代码 `{}` 应为 9 位数字, 以县代码 {} 开头, 加引号, 如 \"{}100\"",
                            t.code, self.region.code, self.region.code
                        ),
                    ),
                ));
            }
            if let Some(other) = codes_seen.insert(&t.code, &t.name) {
                return Err((
                    at("code"),
                    crate::i18n::tr(
                        format!(
                            "township code {} is given to both {other} and {}: every township has its own code \
                             (it becomes the case's region_code); correct one of them",
                            t.code, t.name
                        ),
                        format!(
                            "乡镇代码 {} 同时给了 {other} 和 {}: 每个乡镇的代码各不相同 (它是案件的 region_code); \
                             请更正其中一个",
                            t.code, t.name
                        ),
                    ),
                ));
            }
            for name in std::iter::once(&t.name).chain(&t.aliases) {
                if !seen.insert(name.clone()) {
                    return Err((
                        at("name"),
                        tr(
                            format!("township name `{name}` is used twice"),
                            format!("乡镇名称 `{name}` 出现了两次 (名称和 `aliases` 中的旧名都不能重复): 请删除或改正其中一个"),
                        ),
                    ));
                }
            }
            if t.villages.is_empty() {
                return Err((
                    at("villages"),
                    tr(
                        "list the township's villages",
                        "请在 `villages` 下列出该乡镇的村 (社区), 如 [东街社区, 南关村]",
                    ),
                ));
            }
        }
        if self.schemes.is_empty() {
            return Err((
                vec![k("schemes")],
                tr("define at least one scheme", "请在 `schemes` 下至少定义一个救助项目"),
            ));
        }
        let mut names = BTreeSet::new();
        let mut codes = BTreeSet::new();
        for (key, s) in &self.schemes {
            let at = |f: &str| vec![k("schemes"), k(key), k(f)];
            if !key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return Err((
                    vec![k("schemes"), k(key)],
                    tr(
                        "scheme keys are snake_case ASCII",
                        "项目的键只能用小写英文字母、数字和下划线 (如 `urban_dibao`); 中文名称请写在 `label` 下",
                    ),
                ));
            }
            if s.code.len() != 2 || !s.code.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err((
                    at("code"),
                    tr(
                        "the scheme code must be two capital letters, e.g. CD",
                        "项目代码应为两个大写英文字母, 如 CD",
                    ),
                ));
            }
            if !codes.insert(s.code.clone()) {
                return Err((
                    at("code"),
                    tr(
                        format!("scheme code {} is used by two schemes", s.code),
                        format!(
                            "项目代码 {} 被两个项目使用: 每个项目的代码各不相同, 请改正其中一个",
                            s.code
                        ),
                    ),
                ));
            }
            for name in std::iter::once(&s.label).chain(&s.aliases) {
                if !names.insert(name.clone()) {
                    return Err((
                        at("label"),
                        tr(
                            format!("scheme name `{name}` is used by two schemes"),
                            format!("项目名称 `{name}` 被两个项目使用 (`label` 和 `aliases` 都不能重复): 请删除或改正其中一个"),
                        ),
                    ));
                }
            }
            if s.standards.is_empty() {
                return Err((
                    at("standards"),
                    tr(
                        "give at least one dated standard",
                        "请在 `standards` 下至少写一条标准, 如 `- {from: 2026-01-01, amount: \"820.00\", unit: per_month}`",
                    ),
                ));
            }
            for (i, pair) in s.standards.windows(2).enumerate() {
                if pair[1].from <= pair[0].from {
                    return Err((
                        vec![k("schemes"), k(key), k("standards"), Idx(i + 1), k("from")],
                        tr(
                            format!(
                                "standards must be in date order without overlap: {} is not after {}",
                                pair[1].from, pair[0].from
                            ),
                            format!(
                                "标准须按生效日期从早到晚排列, 日期不能重复: {} 不晚于上一条的 {}",
                                pair[1].from, pair[0].from
                            ),
                        ),
                    ));
                }
            }
        }
        let v = &self.verification;
        if v.revisit_percent > 100 {
            return Err((
                vec![k("verification"), k("revisit_percent")],
                tr("a percentage from 0 to 100", "请写 0 到 100 之间的百分比 (如 20)"),
            ));
        }
        if v.min_investigators == 0 {
            return Err((
                vec![k("verification"), k("min_investigators")],
                tr("at least 1", "至少为 1 (一般为 2)"),
            ));
        }
        for (name, r) in &self.registries {
            let at = |f: &str| vec![k("registries"), k(name), k(f)];
            if !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return Err((
                    vec![k("registries"), k(name)],
                    tr(
                        "registry names are snake_case ASCII",
                        "数据源的名称只能用小写英文字母、数字和下划线 (如 `deaths`); 中文名称请写在 `label` 下",
                    ),
                ));
            }
            for key in r.columns.keys() {
                if !["id_number", "name", "birth_date", "amount", "id_hash"].contains(&key.as_str()) {
                    return Err((
                        at("columns"),
                        tr(
                            format!("unknown registry column `{key}`: use id_number, name, birth_date, amount, id_hash"),
                            format!(
                                "数据源没有 `{key}` 这一列: 可用的键为 `id_number`, `name`, `birth_date`, `amount`, `id_hash`"
                            ),
                        ),
                    ));
                }
            }
            if r.death == Some(true) && r.effect != crate::domain::records::Effect::Exclude {
                return Err((
                    at("death"),
                    tr(
                        "a registry of deaths has `effect: exclude`",
                        "登记死亡的数据源 (`death: true`) 应写 `effect: exclude` (确认后不再计入家庭)",
                    ),
                ));
            }
            if r.low_income_amount_above.is_some() && r.amount_above.is_none() {
                return Err((
                    at("low_income_amount_above"),
                    tr(
                        "set amount_above too",
                        "写了 `low_income_amount_above` 时, 也要写 `amount_above` (一般人员的金额门槛)",
                    ),
                ));
            }
        }
        let b = &self.benefits;
        for (i, t) in b.topups.iter().enumerate() {
            if t.percent > 100 {
                return Err((
                    vec![k("benefits"), k("topups"), Idx(i), k("percent")],
                    tr(
                        "a percentage of the standard from 0 to 100",
                        "请写 0 到 100 之间的百分比 (占保障标准的比例, 如 30)",
                    ),
                ));
            }
        }
        if b.temporary.min_months == 0 || b.temporary.min_months > b.temporary.max_months {
            return Err((
                vec![k("benefits"), k("temporary"), k("min_months")],
                tr(
                    "min_months must be at least 1 and not above max_months",
                    "`min_months` 至少为 1, 且不能大于 `max_months`",
                ),
            ));
        }
        for (i, pair) in b.tekun.minimum_wage.windows(2).enumerate() {
            if pair[1].from <= pair[0].from {
                return Err((
                    vec![k("benefits"), k("tekun"), k("minimum_wage"), Idx(i + 1), k("from")],
                    tr(
                        "dated entries must be in date order without overlap",
                        "各条须按生效日期从早到晚排列, 日期不能重复",
                    ),
                ));
            }
        }
        for key in b.annual_caps.keys() {
            if !self.schemes.contains_key(key) {
                return Err((
                    vec![k("benefits"), k("annual_caps"), k(key)],
                    tr(
                        format!("no scheme `{key}`"),
                        format!("没有 `{key}` 这个救助项目: 请写 `schemes` 下已有的项目键 (如 `urban_dibao`)"),
                    ),
                ));
            }
        }
        let d = &self.decision;
        if d.notice_days == 0 {
            return Err((
                vec![k("decision"), k("notice_days")],
                tr("a notice runs at least 1 day", "公示至少 1 天 (一般为 7 天)"),
            ));
        }
        for (i, l) in d.notice_levels.iter().enumerate() {
            if !["village", "township", "county"].contains(&l.as_str()) {
                return Err((
                    vec![k("decision"), k("notice_levels"), Idx(i)],
                    tr(
                        format!("unknown level `{l}`: use village, township, county"),
                        format!("没有 `{l}` 这一公示层级: 请写 `village` (村)、`township` (乡镇) 或 `county` (县)"),
                    ),
                ));
            }
        }
        for (i, f) in d.notice_fields.iter().enumerate() {
            if !["name", "village", "household_size", "scheme", "amount", "masked_id"].contains(&f.as_str()) {
                return Err((
                    vec![k("decision"), k("notice_fields"), Idx(i)],
                    tr(
                        format!("`{f}` cannot be published: use name, village, household_size, scheme, amount, masked_id"),
                        format!(
                            "`{f}` 不能公示: 可用的有 `name` (姓名)、`village` (村)、`household_size` (家庭人口)、`scheme` (救助项目)、`amount` (金额)、`masked_id` (隐去部分数字的身份证号)"
                        ),
                    ),
                ));
            }
        }
        if let Some(x) = &self.exchange {
            if x.salt.len() < 16 {
                return Err((
                    vec![k("exchange"), k("salt")],
                    tr(
                        "the salt must be at least 16 characters (agree a long random one with the other office)",
                        "`salt` 至少要 16 个字符: 请与对方单位约定一个较长的随机字符串",
                    ),
                ));
            }
        }
        let known = crate::domain::fields::all_keys();
        for key in self.columns.keys() {
            if !known.contains(&key.as_str()) {
                return Err((
                    vec![k("columns"), k(key)],
                    tr(
                        format!("unknown column key `{key}`; known keys: {}", known.join(", ")),
                        format!(
                            "没有 `{key}` 这个列的键: 可用的键为 {}",
                            known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                        ),
                    ),
                ));
            }
        }
        for (written, target) in &self.relation_aliases {
            if crate::domain::records::Relation::parse(target).is_none() {
                return Err((
                    vec![k("relation_aliases"), k(written)],
                    crate::i18n::tr(
                        format!(
                            "`{target}` is not a relation: write one of {RELATION_CODES} (or a built-in name such as \
                             配偶, 子, 女, 父亲, 其他)"
                        ),
                        format!(
                            "「{target}」不是与户主关系: 请写 {RELATION_CODES} 之一 (或 配偶、子、女、父亲、其他 等内置名称)"
                        ),
                    ),
                ));
            }
        }
        for (field, map) in &self.values {
            let Some((_, codes)) = VALUE_FIELDS.iter().find(|(f, _)| f == field) else {
                let fields: Vec<&str> = VALUE_FIELDS.iter().map(|(f, _)| *f).collect();
                return Err((
                    vec![k("values"), k(field)],
                    crate::i18n::tr(
                        format!("`{field}` has no value map; the fields are {}", fields.join(", ")),
                        format!("`{field}` 没有取值对照; 可用的字段: {}", fields.join(", ")),
                    ),
                ));
            };
            for (written, code) in map {
                let code = code.code();
                if !codes.contains(&code.as_str()) {
                    return Err((
                        vec![k("values"), k(field), k(written)],
                        crate::i18n::tr(
                            format!(
                                "`{written}` is mapped to `{code}`, which is not a value of {field}: use one of {}",
                                codes.join(", ")
                            ),
                            format!(
                                "「{written}」对应的 `{code}` 不是 `{field}` 的取值: 请写 {} 之一",
                                codes.join(", ")
                            ),
                        ),
                    ));
                }
            }
        }
        self.disbursement.validate(self)?;
        if self.archive.retention_years < MIN_RETENTION_YEARS {
            return Err((
                vec![k("archive"), k("retention_years")],
                tr(
                    format!(
                        "dossiers are kept at least {MIN_RETENTION_YEARS} years; {} is too short",
                        self.archive.retention_years
                    ),
                    format!(
                        "档案至少保存 {MIN_RETENTION_YEARS} 年, {} 年太短: 请写 {MIN_RETENTION_YEARS} 或更大的数",
                        self.archive.retention_years
                    ),
                ),
            ));
        }
        if self.audit.default_recheck_months == 0 || self.audit.recheck_months.values().any(|m| *m == 0) {
            return Err((
                vec![k("audit"), k("recheck_months")],
                tr("a cadence is at least 1 month", "复核周期至少为 1 个月"),
            ));
        }
        Ok(())
    }

    /// The scheme whose label or alias is `name` (after text normalisation), with its key.
    pub fn scheme_by_name(&self, name: &str) -> Option<(&str, &Scheme)> {
        let key = self.names().schemes.get(&crate::domain::text::normalize_key(name))?;
        self.schemes.get_key_value(key).map(|(k, s)| (k.as_str(), s))
    }

    /// The township whose name or alias is `name`.
    pub fn township(&self, name: &str) -> Option<&Township> {
        let &i = self.names().townships.get(&crate::domain::text::normalize_key(name))?;
        self.region.townships.get(i)
    }

    fn names(&self) -> &NameIndex {
        self.name_index.get_or_init(|| {
            let key = crate::domain::text::normalize_key;
            let mut index = NameIndex::default();
            // The first scheme (in key order) and the first township (in file order) a spelling names wins,
            // as when they were searched in order.
            for (k, s) in &self.schemes {
                for n in std::iter::once(&s.label).chain(&s.aliases).chain(std::iter::once(k)) {
                    index.schemes.entry(key(n)).or_insert_with(|| k.clone());
                }
            }
            for (i, t) in self.region.townships.iter().enumerate() {
                for n in std::iter::once(&t.name).chain(&t.aliases) {
                    index.townships.entry(key(n)).or_insert(i);
                }
            }
            index
        })
    }

    fn value_index(&self) -> &ValueIndex {
        self.value_index.get_or_init(|| {
            let key = crate::domain::text::normalize_key;
            let mut index = ValueIndex::default();
            for (written, target) in &self.relation_aliases {
                if let Some(r) = crate::domain::records::Relation::parse(target) {
                    index.relations.insert(key(written), r);
                }
            }
            for (field, map) in &self.values {
                for (written, code) in map {
                    index.values.insert((field.clone(), key(written)), code.code());
                }
            }
            index
        })
    }

    /// Whether hits of the registry `name` are deaths (see [`Registry::death`]): as the policy declares it; where
    /// no registry declares `death:` at all (a policy written before the key existed), the one named `deaths`.
    pub fn is_death_registry(&self, name: &str) -> bool {
        let declared = self.registries.values().any(|r| r.death.is_some());
        match self.registries.get(name) {
            Some(r) if declared => r.death == Some(true),
            _ => !declared && name == "deaths",
        }
    }

    /// The relation to the head a register's cell names: the policy's `relation_aliases:` first, then the
    /// built-in names.
    pub fn relation(&self, written: &str) -> Option<crate::domain::records::Relation> {
        let aliases = &self.value_index().relations;
        if !aliases.is_empty() {
            if let Some(r) = aliases.get(&crate::domain::text::normalize_key(written)) {
                return Some(*r);
            }
        }
        crate::domain::records::Relation::parse(written)
    }

    /// The code the policy's `values:` maps a cell of `field` to (one of the field's [`VALUE_FIELDS`] codes).
    pub fn value_code(&self, field: &str, written: &str) -> Option<&str> {
        let values = &self.value_index().values;
        if values.is_empty() {
            return None;
        }
        values
            .get(&(field.to_string(), crate::domain::text::normalize_key(written)))
            .map(String::as_str)
    }

    /// The canonical material name for what a clerk wrote, if the policy knows it.
    pub fn material(&self, written: &str) -> Option<String> {
        let index = self.material_index.get_or_init(|| {
            let key = crate::domain::text::normalize_key;
            let mut all: BTreeSet<&String> = self.schemes.values().flat_map(|s| &s.required_materials).collect();
            all.extend(self.material_aliases.keys());
            let mut index = BTreeMap::new();
            // Canonical names first, in order, so an alias never shadows a canonical spelling.
            for m in &all {
                index.entry(key(m)).or_insert_with(|| (*m).clone());
            }
            for m in &all {
                for a in self.material_aliases.get(*m).into_iter().flatten() {
                    index.entry(key(a)).or_insert_with(|| (*m).clone());
                }
            }
            index
        });
        index.get(&crate::domain::text::normalize_key(written)).cloned()
    }
}

/// The relation codes, as `relation_aliases:` takes them.
const RELATION_CODES: &str =
    "head, spouse, son, daughter, father, mother, grandson, granddaughter, daughter_in_law, son_in_law, sibling, other";

/// One step of a key path (`schemes.urban_dibao.standards[1].from`).
#[derive(Debug, Clone)]
enum PathSeg {
    Key(String),
    Idx(usize),
}

fn path_text(path: &[PathSeg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            PathSeg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            PathSeg::Idx(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// Finds the 1-based line of a key path in block-style YAML by following indentation. Best effort: where the
/// file uses a style this walk does not follow (a flow mapping `{a: 1}`, anchors) the line of the deepest key
/// found, or `None`; the message still names the key.
fn locate_line(text: &str, path: &[PathSeg]) -> Option<usize> {
    (1..=path.len())
        .rev()
        .find_map(|n| block_of(text, &path[..n])?.0)
        .map(|i| i + 1)
}

/// The 1-based lines where `key` is given directly under the key path `parent` (block-style YAML, best effort).
fn key_lines(text: &str, parent: &[PathSeg], key: &str) -> Vec<usize> {
    let Some((_, start, end, min_indent)) = block_of(text, parent) else {
        return Vec::new();
    };
    let lines: Vec<&str> = text.lines().collect();
    // A key's column: its indentation plus any list-item dashes before it.
    fn column(l: &str) -> (usize, &str) {
        let mut rest = l.trim_start();
        let mut col = l.len() - rest.len();
        while let Some(r) = rest.strip_prefix("- ") {
            let r2 = r.trim_start();
            col += rest.len() - r2.len();
            rest = r2;
        }
        (col, rest)
    }
    let mut level = None;
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate().take(end).skip(start) {
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') || l.len() - l.trim_start().len() < min_indent {
            continue;
        }
        let (col, rest) = column(l);
        if *level.get_or_insert(col) != col {
            continue;
        }
        let name = rest.split(':').next().unwrap_or("").trim().trim_matches(['"', '\'']);
        if name == key && rest.contains(':') {
            out.push(i + 1);
        }
    }
    out
}

/// The path of the first key given twice in one mapping, anywhere in the file. serde refuses a struct's field
/// given twice but takes the second of a map's (a scheme, a registry, a bank profile) silently. Walks the YAML
/// as parsed (any style), building nothing; an error other than a duplicate is left to the typed parse to
/// report (it names it better), and aliases are bounded by serde_yaml's repetition limit.
fn duplicate_key(text: &str) -> Option<Vec<PathSeg>> {
    use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use std::cell::RefCell;

    struct Walk<'a> {
        path: Vec<PathSeg>,
        found: &'a RefCell<Option<Vec<PathSeg>>>,
    }
    impl Walk<'_> {
        fn at(&self, seg: PathSeg) -> Self {
            let mut path = self.path.clone();
            path.push(seg);
            Walk {
                path,
                found: self.found,
            }
        }
    }
    impl<'de> DeserializeSeed<'de> for Walk<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for Walk<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("any YAML")
        }
        fn visit_bool<E>(self, _: bool) -> std::result::Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> std::result::Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> std::result::Result<(), E> {
            Ok(())
        }
        fn visit_i128<E>(self, _: i128) -> std::result::Result<(), E> {
            Ok(())
        }
        fn visit_u128<E>(self, _: u128) -> std::result::Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> std::result::Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> std::result::Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> std::result::Result<(), E> {
            Ok(())
        }
        fn visit_none<E>(self) -> std::result::Result<(), E> {
            Ok(())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
            d.deserialize_any(self)
        }
        fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> std::result::Result<(), A::Error> {
            IgnoredAny.visit_enum(data).map(|_| ())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
            let mut i = 0;
            while seq.next_element_seed(self.at(PathSeg::Idx(i)))?.is_some() {
                i += 1;
            }
            Ok(())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
            let mut seen = BTreeSet::new();
            while let Some(key) = map.next_key::<KeyText>()? {
                let name = key.0.unwrap_or_else(|| "?".into());
                if key_is_scalar(&name) && !seen.insert(name.clone()) {
                    *self.found.borrow_mut() = Some(self.at(PathSeg::Key(name)).path);
                    return Err(de::Error::custom("duplicate key"));
                }
                map.next_value_seed(self.at(PathSeg::Key(name)))?;
            }
            Ok(())
        }
    }
    fn key_is_scalar(name: &str) -> bool {
        name != "?"
    }
    /// A mapping key as text (a scalar), or `None` for a list or map used as a key.
    struct KeyText(Option<String>);
    impl<'de> Deserialize<'de> for KeyText {
        fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<KeyText, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = KeyText;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a key")
                }
                fn visit_bool<E>(self, v: bool) -> std::result::Result<KeyText, E> {
                    Ok(KeyText(Some(v.to_string())))
                }
                fn visit_i64<E>(self, v: i64) -> std::result::Result<KeyText, E> {
                    Ok(KeyText(Some(v.to_string())))
                }
                fn visit_u64<E>(self, v: u64) -> std::result::Result<KeyText, E> {
                    Ok(KeyText(Some(v.to_string())))
                }
                fn visit_f64<E>(self, v: f64) -> std::result::Result<KeyText, E> {
                    Ok(KeyText(Some(v.to_string())))
                }
                fn visit_str<E>(self, v: &str) -> std::result::Result<KeyText, E> {
                    Ok(KeyText(Some(v.to_string())))
                }
                fn visit_unit<E>(self) -> std::result::Result<KeyText, E> {
                    Ok(KeyText(Some("null".into())))
                }
                fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<KeyText, A::Error> {
                    IgnoredAny.visit_seq(seq).map(|_| KeyText(None))
                }
                fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<KeyText, A::Error> {
                    IgnoredAny.visit_map(map).map(|_| KeyText(None))
                }
            }
            d.deserialize_any(V)
        }
    }

    let found = RefCell::new(None);
    let root = Walk {
        path: Vec::new(),
        found: &found,
    };
    let _ = root.deserialize(serde_yaml::Deserializer::from_str(text));
    found.into_inner()
}

/// A message of the YAML parser or of serde, in the words of the clerk who edits the policy: what is wrong and
/// what to do, in the current language. `line` is the text of the line it is about. Messages of jiuzhu's own
/// (an amount, a date) are already such words and pass through.
fn in_plain_words(message: &str, line: &str) -> String {
    use crate::i18n::tr;
    // `a`, `b` or `c` (serde's lists of names) → a, b, c.
    let names = |list: &str| -> String {
        list.replace(" or ", ", ")
            .split(", ")
            .map(|n| n.trim().trim_matches('`'))
            .filter(|n| !n.is_empty())
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // What a type name expects, and an example.
    let wanted = |t: &str| -> (String, String) {
        let t = t.trim();
        match t {
            "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => (
                "a whole number, 0 or more (e.g. 30)".into(),
                "不小于 0 的整数 (如 30)".into(),
            ),
            "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => {
                ("a whole number (e.g. 30)".into(), "整数 (如 30)".into())
            }
            "a boolean" => ("true or false".into(), "`true` 或 `false`".into()),
            "a string" | "a borrowed string" | "text" => ("text".into(), "文字".into()),
            "a character" | "char" => (
                "one character in quotes (e.g. \"0\")".into(),
                "加引号的一个字符 (如 \"0\")".into(),
            ),
            "a sequence" => (
                "a list: [a, b] on one line, or one `- item` per line".into(),
                "列表: 一行写 [a, b], 或每行一个 `- 项`".into(),
            ),
            "a date YYYY-MM-DD" => (
                "a date written YYYY-MM-DD (e.g. 2026-07-01)".into(),
                "YYYY-MM-DD 格式的日期 (如 2026-07-01)".into(),
            ),
            t if t.starts_with("an array of length") => {
                let n = t.trim_start_matches("an array of length").trim();
                (
                    format!("a list of {n} (e.g. [a, b])"),
                    format!("含 {n} 项的列表 (如 [a, b])"),
                )
            }
            t if t.starts_with("struct ") || t.starts_with("a map") || t == "a YAML mapping" => (
                "a group of `key: value` lines, indented under its key".into(),
                "其键下缩进的一组 `键: 值` 行".into(),
            ),
            t if t.starts_with("enum ") || t.contains('`') => (
                format!("one of {}", names(t.trim_start_matches("one of "))),
                format!("以下之一: {}", names(t.trim_start_matches("one of "))),
            ),
            t => (
                t.to_string(),
                "此处应有的值 (可对照 `jiuzhu init 新文件夹` 生成的政策文件)".into(),
            ),
        }
    };

    if message.contains("cannot start any token") || message.contains("found a tab character") {
        if line.contains('\t') {
            return tr(
                "a tab is used here; YAML indents with spaces only: replace the tab(s) on this line with spaces, lined \
                 up with the lines around it",
                "此行用了制表符; YAML 只能用空格缩进: 请把此行的制表符换成空格, 与上下行对齐",
            );
        }
        return tr(
            "a value starts with a character YAML reserves (such as @, ` or %): put the value in quotes, e.g. \
             label: \"@value\"",
            "某个值以 YAML 保留的字符 (如 @、` 或 %) 开头: 请给这个值加上引号, 如 label: \"@值\"",
        );
    }
    if let Some(rest) = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
        .or_else(|| message.strip_prefix("invalid length "))
    {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let (want_en, want_zh) = wanted(expected);
        if expected.starts_with("struct Policy") {
            return tr(
                "the file is not a policy: a policy is `key: value` lines starting with `version: 1` (compare it with \
                 the one `jiuzhu init NEWDIR` writes, or restore it from Git)",
                "此文件不是政策文件的格式: 政策文件应为以 `version: 1` 开头的若干 `键: 值` 行 (可对照 `jiuzhu init 新文件夹` \
                 生成的文件, 或从 Git 恢复)",
            );
        }
        // `integer `-7``, `integer `123` as u128`, `string "soon"`, `floating point `1.5``, `sequence`, `map`.
        let value = found
            .split_once('`')
            .map(|(_, v)| v.split('`').next().unwrap_or(v).to_string())
            .or_else(|| found.strip_prefix("string ").map(|v| v.trim_matches('"').to_string()));
        let unsigned = matches!(expected.trim(), "u8" | "u16" | "u32" | "u64" | "u128" | "usize");
        return match value {
            Some(v) if unsigned && v.starts_with('-') => tr(
                format!("`{v}` is negative: write {want_en}"),
                format!("`{v}` 是负数: 请写{want_zh}"),
            ),
            Some(v)
                if found.starts_with("integer")
                    && (found.contains(" as ") || unsigned || expected.starts_with('i')) =>
            {
                tr(
                    format!("`{v}` is too large: write {want_en}"),
                    format!("`{v}` 太大了: 请写{want_zh}"),
                )
            }
            Some(v) => tr(
                format!("`{v}` cannot be used here: write {want_en}"),
                format!("此处不能写 `{v}`: 请写{want_zh}"),
            ),
            None if found.starts_with("unit") || found.starts_with("null") => tr(
                format!("nothing is written here: write {want_en}"),
                format!("此处没有填写内容: 请写{want_zh}"),
            ),
            None => {
                let (what_en, what_zh) = match found {
                    "sequence" => ("a list", "列表"),
                    "map" => ("a group of `key: value` lines", "一组 `键: 值`"),
                    f => (f, f),
                };
                tr(
                    format!("{what_en} is written here, but this key takes {want_en}"),
                    format!("此处写的是{what_zh}, 但这个键应为{want_zh}"),
                )
            }
        };
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let (field, expected) = rest.split_once(", ").unwrap_or((rest, ""));
        let field = field.trim_matches('`');
        let allowed = names(
            expected
                .trim_start_matches("expected one of ")
                .trim_start_matches("expected "),
        );
        if expected.starts_with("there are no fields") {
            return tr(
                format!("unknown key `{field}`: nothing can be set here"),
                format!("未知的键 `{field}`: 此处不能设置任何键"),
            );
        }
        return tr(
            format!("unknown key `{field}` (a typo?): the keys allowed here are {allowed}"),
            format!("未知的键 `{field}` (拼写有误?): 此处可用的键为 {allowed}"),
        );
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let (value, expected) = rest.split_once(", ").unwrap_or((rest, ""));
        let value = value.trim_matches('`');
        let allowed = names(
            expected
                .trim_start_matches("expected one of ")
                .trim_start_matches("expected "),
        );
        return tr(
            format!("`{value}` is not one of the values allowed here: {allowed}"),
            format!("`{value}` 不是此处允许的值; 可用的值为 {allowed}"),
        );
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        let field = rest.trim_matches('`');
        return tr(
            format!("the key `{field}` is missing here: add it (the policy `jiuzhu init NEWDIR` writes shows it)"),
            format!("此处缺少键 `{field}`: 请补上 (可参照 `jiuzhu init 新文件夹` 生成的政策文件)"),
        );
    }
    if let Some(rest) = message.strip_prefix("duplicate field ") {
        let field = rest.trim_matches('`');
        return tr(
            format!("`{field}` is given twice here; only one can count: delete the other"),
            format!("`{field}` 在此处出现了两次, 只能有一个: 请删除另一个"),
        );
    }
    if message.contains("did not match any variant of untagged enum") {
        return tr(
            "write an amount in yuan with at most 2 decimals, e.g. \"820.50\"",
            "请写以元为单位、最多两位小数的金额, 如 \"820.50\"",
        );
    }
    if message.contains("control characters are not allowed") {
        return tr(
            "the file holds a control character (such as a NUL byte), so it is probably damaged: restore it from Git \
             (`git checkout -- jiuzhu.yaml`) or remove the character in a text editor",
            "文件中有控制字符 (如 NUL 字节), 可能已损坏: 请从 Git 恢复 (`git checkout -- jiuzhu.yaml`), 或用文本编辑器删除该字符",
        );
    }
    if message.contains("recursion limit exceeded") || message.contains("repetition limit exceeded") {
        return tr(
            "aliases (*name) repeat or nest too much: write the values out instead of repeating them by alias",
            "别名 (*名称) 重复或嵌套过多: 请直接写出这些值, 不要用别名重复",
        );
    }
    if message.contains("did not find expected")
        || message.contains("could not find expected")
        || message.contains("mapping values are not allowed")
        || message.contains("are not allowed in this context")
        || message.contains("found unexpected")
        || message.contains("found undefined alias")
        || message.contains("found unknown")
        || message.contains("while scanning")
        || message.contains("while parsing")
    {
        return tr(
            "this line is not in the policy's form: check its indentation (spaces, lined up with the keys beside \
             it), the `:` after each key, and quotes around text that holds `:` or `#`",
            "此行格式有误: 请检查缩进 (用空格, 与同级的键对齐)、每个键后的 `:`, 以及含 `:` 或 `#` 的文字是否加了引号",
        );
    }
    // jiuzhu's own messages (a date, an amount) come already in the run's language; anything else the parser
    // says is English, and a Chinese user is told what to check instead.
    if crate::i18n::current() == crate::i18n::Lang::Zh && !crate::i18n::english_words(message).is_empty() {
        return "此处写法有误, jiuzhu 无法读取: 请对照 `jiuzhu init 新文件夹` 生成的政策文件检查此处的缩进、冒号和引号, \
                或从 Git 恢复 (`git checkout -- jiuzhu.yaml`)"
            .to_string();
    }
    message.to_string()
}

/// The block a key path names: its line (0-based, `None` for the whole file), and the lines `[start, end)` and
/// least indentation of what is under it.
#[allow(clippy::type_complexity)]
fn block_of(text: &str, path: &[PathSeg]) -> Option<(Option<usize>, usize, usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let meaningful = |l: &str| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    };
    // The block being searched: [start, end) lines, and the minimal indent of its entries.
    let (mut start, mut end, mut min_indent) = (0usize, lines.len(), 0usize);
    let mut found = None;
    for seg in path {
        let mut hit = None;
        match seg {
            PathSeg::Key(key) => {
                for (i, l) in lines.iter().enumerate().take(end).skip(start) {
                    if !meaningful(l) || indent(l) < min_indent {
                        continue;
                    }
                    let t = l.trim_start().trim_start_matches("- ");
                    let name = t.split(':').next().unwrap_or("").trim().trim_matches(['"', '\'']);
                    if name == key && t.contains(':') {
                        hit = Some(i);
                        break;
                    }
                }
            }
            PathSeg::Idx(want) => {
                let mut n = 0usize;
                let mut item_indent = None;
                for (i, l) in lines.iter().enumerate().take(end).skip(start) {
                    if !meaningful(l) || !l.trim_start().starts_with('-') {
                        continue;
                    }
                    let ind = indent(l);
                    if ind < min_indent || item_indent.is_some_and(|x| x != ind) {
                        continue;
                    }
                    item_indent = Some(ind);
                    if n == *want {
                        hit = Some(i);
                        break;
                    }
                    n += 1;
                }
            }
        }
        let i = hit?;
        found = Some(i);
        let base = indent(lines[i]);
        // The block under line i: following lines indented deeper than line i (or its list item's content).
        start = if matches!(seg, PathSeg::Idx(_)) { i } else { i + 1 };
        end = lines
            .iter()
            .enumerate()
            .skip(i + 1)
            .find(|(_, l)| {
                meaningful(l)
                    && indent(l) <= base
                    && !(matches!(seg, PathSeg::Key(_)) && indent(l) == base && l.trim_start().starts_with('-'))
            })
            .map(|(j, _)| j)
            .unwrap_or(lines.len());
        min_indent = base + if matches!(seg, PathSeg::Idx(_)) { 0 } else { 1 };
    }
    Some((found, start, end, min_indent))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const TEMPLATE: &str = include_str!("../../templates/jiuzhu.yaml");

    fn err(text: &str) -> PolicyError {
        Policy::parse(text, "jiuzhu.yaml").expect_err("policy should be refused")
    }

    #[test]
    fn relation_aliases_and_value_maps_are_read_and_checked() {
        use crate::domain::records::Relation;
        // The template's own entries (老伴, and no values) set aside, to give others.
        let template: String = TEMPLATE
            .lines()
            .filter(|l| !l.starts_with("relation_aliases:") && !l.starts_with("values:") && *l != "  老伴: spouse")
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(Policy::parse(TEMPLATE, "jiuzhu.yaml").unwrap().relation("老伴") == Some(Relation::Spouse));
        let p = Policy::parse(
            &format!(
                "{template}\nrelation_aliases: {{老伴: spouse, 干儿子: 子}}\n\
                 values: {{health: {{体弱多病: serious_illness}}, disability_grade: {{重度: 1}}, hukou: {{居民户口: rural}}}}\n"
            ),
            "jiuzhu.yaml",
        )
        .unwrap();
        assert_eq!(p.relation("老伴"), Some(Relation::Spouse));
        assert_eq!(p.relation(" 老 伴 "), Some(Relation::Spouse));
        assert_eq!(p.relation("干儿子"), Some(Relation::Son));
        assert_eq!(p.relation("之妻"), Some(Relation::Spouse));
        assert_eq!(p.relation("邻居"), None);
        assert_eq!(p.value_code("health", "体弱多病"), Some("serious_illness"));
        assert_eq!(p.value_code("disability_grade", "重度"), Some("1"));
        assert_eq!(p.value_code("hukou", "居民户口"), Some("rural"));
        assert_eq!(p.value_code("health", "重度"), None);

        let e = err(&format!("{template}\nrelation_aliases: {{老伴: wife}}\n"));
        assert_eq!(e.key, "relation_aliases.老伴", "{e}");
        assert!(e.message.contains("spouse"), "{e}");
        let e = err(&format!("{template}\nvalues: {{health: {{体弱多病: sick}}}}\n"));
        assert_eq!(e.key, "values.health.体弱多病", "{e}");
        assert!(e.message.contains("serious_illness, none"), "{e}");
        let e = err(&format!("{template}\nvalues: {{colour: {{红: red}}}}\n"));
        assert_eq!(e.key, "values.colour", "{e}");
        assert!(e.message.contains("health"), "{e}");
    }

    #[test]
    fn the_shipped_template_is_valid() {
        let p = Policy::parse(TEMPLATE, "t").expect("template parses");
        assert!(p.schemes.contains_key("urban_dibao"));
        assert!(p.scheme_by_name("城市低保").is_some());
    }

    /// The template's comments explain; they never change what it sets. Its values are recorded without comments
    /// in fixtures/policy/template-values.yaml, and both must load to the same policy, field for field.
    #[test]
    fn the_template_loads_to_its_recorded_values() {
        let values = include_str!("../../fixtures/policy/template-values.yaml");
        let template = Policy::parse(TEMPLATE, "jiuzhu.yaml").expect("template parses");
        let recorded = Policy::parse(values, "jiuzhu.yaml").expect("recorded values parse");
        assert_eq!(format!("{template:#?}"), format!("{recorded:#?}"));
    }

    #[test]
    fn schemes_and_townships_are_found_by_any_spelling() {
        let text = TEMPLATE.replacen("    - name: 东河乡\n", "    - name: 东河乡\n      aliases: [东河]\n", 1);
        let p = Policy::parse(&text, "t").expect("template parses");
        let scheme = |n: &str| p.scheme_by_name(n).map(|(k, _)| k.to_string());
        assert_eq!(scheme("城市低保").as_deref(), Some("urban_dibao"), "label");
        assert_eq!(scheme("城镇低保").as_deref(), Some("urban_dibao"), "alias");
        assert_eq!(scheme("rural_dibao").as_deref(), Some("rural_dibao"), "key");
        assert_eq!(scheme(" 特 困 ").as_deref(), Some("tekun"), "spaces");
        assert_eq!(scheme("Temporary").as_deref(), Some("temporary"), "letter case");
        assert_eq!(scheme("低保"), None);
        let township = |n: &str| p.township(n).map(|t| t.name.clone());
        assert_eq!(township("城关镇").as_deref(), Some("城关镇"));
        assert_eq!(township("东河").as_deref(), Some("东河乡"), "alias");
        assert_eq!(township("东 河 乡").as_deref(), Some("东河乡"));
        assert_eq!(township("南山镇"), None);
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let text = TEMPLATE.replacen("  unit: fen\n", "  unit: fen\n  colour: red\n", 1);
        let e = err(&text);
        assert!(e.to_string().contains("colour"), "{e}");
        let line = text.lines().position(|l| l.contains("colour")).unwrap() + 1;
        assert_eq!(e.line, Some(line), "{e}");
    }

    #[test]
    fn missing_unit_is_named() {
        let text = TEMPLATE.replacen("        unit: per_month\n", "", 1);
        let e = err(&text);
        assert!(e.to_string().contains("unit"), "{e}");
        assert!(e.line.is_some());
    }

    #[test]
    fn negative_amount_is_refused() {
        let text = TEMPLATE.replacen("amount: \"820.00\"", "amount: \"-820.00\"", 1);
        let e = err(&text);
        assert!(e.to_string().contains("negative"), "{e}");
    }

    #[test]
    fn unordered_dates_name_the_key_and_line() {
        let text = TEMPLATE.replacen("from: 2026-07-01", "from: 2025-07-01", 1);
        let e = err(&text);
        assert!(e.key.ends_with("standards[1].from"), "{e}");
        let line = text.lines().position(|l| l.contains("from: 2025-07-01")).unwrap() + 1;
        assert_eq!(e.line, Some(line), "{e}");
    }

    #[test]
    fn a_registry_of_deaths_is_declared_and_an_older_policy_keeps_the_name() {
        let p = Policy::parse(TEMPLATE, "t").unwrap();
        assert!(p.is_death_registry("deaths"));
        assert!(!p.is_death_registry("payroll") && !p.is_death_registry("nowhere"));
        // Renamed: the declaration goes with it.
        let renamed = Policy::parse(&TEMPLATE.replacen("\n  deaths:\n", "\n  cremation:\n", 1), "t").unwrap();
        assert!(renamed.is_death_registry("cremation") && !renamed.is_death_registry("deaths"));
        // A policy from before `death:` (none declares it): the registry named `deaths` is one.
        let older = Policy::parse(&TEMPLATE.replacen("    death: true", "", 1), "t").unwrap();
        assert!(older.is_death_registry("deaths") && !older.is_death_registry("payroll"));
        // Declared anywhere, the name means nothing.
        let declared = TEMPLATE.replacen("    death: true", "", 1).replacen(
            "    label: 财政供养人员\n",
            "    label: 财政供养人员\n    death: false\n",
            1,
        );
        assert!(!Policy::parse(&declared, "t").unwrap().is_death_registry("deaths"));
        // Deaths exclude.
        let review = TEMPLATE.replacen(
            "    effect: exclude\n    death: true",
            "    effect: review\n    death: true",
            1,
        );
        assert_ne!(review, TEMPLATE);
        let err = Policy::parse(&review, "t").unwrap_err().to_string();
        assert!(err.contains("registries.deaths.death"), "{err}");
    }

    #[test]
    fn the_standard_in_force_follows_the_dates() {
        let p = Policy::parse(TEMPLATE, "t").unwrap();
        let s = &p.schemes["urban_dibao"];
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert!(s.standard_on(d(2025, 12, 31)).is_none());
        assert_eq!(s.standard_on(d(2026, 6, 30)).unwrap().amount.0, Fen(82000));
        assert_eq!(s.standard_on(d(2026, 7, 1)).unwrap().amount.0, Fen(86000));
        let rural = &p.schemes["rural_dibao"];
        let std = rural.standard_on(d(2026, 3, 1)).unwrap();
        assert_eq!(std.monthly(&p.rounding), Fen(52000), "6240 a year is 520 a month");
    }

    #[test]
    fn wrong_type_is_named() {
        let text = TEMPLATE.replacen("time_limit_working_days: 30", "time_limit_working_days: soon", 1);
        let e = err(&text);
        assert!(e.to_string().contains("time_limit_working_days"), "{e}");
    }
}
