//! The case ledgers written by intake: `cases.csv`, `members.csv` and `sources.csv` (provenance).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub mod correction;
pub mod discovery;

use crate::domain::date::Period;
use crate::domain::id_number::IdNumber;
use crate::domain::money::Fen;
pub use crate::domain::record::{Record, Text};
pub use correction::{ConfirmResult, ConfirmSubject, Confirmation, Recovery, RecoveryStatus};
pub use discovery::{
    Discovery, DiscoveryChannel, DiscoveryOutcome, DiscoveryStatus, Investigation, MonitorCategory, Monitored, Referral,
};

/// Where a case stands. Intake creates cases as `received` (受理); later steps move them on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// 已受理: application accepted, not yet verified.
    Received,
    /// 待补充材料: the household was told what to supplement.
    NeedsInfo,
    /// 审核通过: verification passed; awaiting decision.
    Verified,
    /// 审核不符合: a check failed (income above the standard, an exclusion ground, a confirmed registry hit);
    /// the decision step proposes the rejection.
    Ineligible,
    /// 不予受理/审核不通过.
    Rejected,
    /// 审批同意: approved, in public notice or awaiting the effective month.
    Approved,
    /// 享受中: receiving the benefit.
    Effective,
    /// 停发.
    Stopped,
    /// 已结案.
    Closed,
    /// 申请撤回: withdrawn at the applicant's request before a decision (`jiuzhu withdraw`); closed, and the
    /// household may apply again as a new case.
    Withdrawn,
}

impl CaseStatus {
    /// A case that still holds its people: nobody may be in a second open case.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            CaseStatus::Rejected | CaseStatus::Stopped | CaseStatus::Closed | CaseStatus::Withdrawn
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Received => "received",
            CaseStatus::NeedsInfo => "needs_info",
            CaseStatus::Verified => "verified",
            CaseStatus::Ineligible => "ineligible",
            CaseStatus::Rejected => "rejected",
            CaseStatus::Approved => "approved",
            CaseStatus::Effective => "effective",
            CaseStatus::Stopped => "stopped",
            CaseStatus::Closed => "closed",
            CaseStatus::Withdrawn => "withdrawn",
        }
    }

    /// The status as a clerk names it.
    pub fn label_zh(self) -> &'static str {
        match self {
            CaseStatus::Received => "已受理",
            CaseStatus::NeedsInfo => "待补充材料",
            CaseStatus::Verified => "审核通过",
            CaseStatus::Ineligible => "审核不符合",
            CaseStatus::Rejected => "不予批准",
            CaseStatus::Approved => "审批同意",
            CaseStatus::Effective => "享受中",
            CaseStatus::Stopped => "停发",
            CaseStatus::Closed => "已结案",
            CaseStatus::Withdrawn => "已撤回",
        }
    }
}

/// One case: a household's application under one scheme. Household-level facts live here; people in
/// `members.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// Stable ID: scheme code, application year, and a hash of head ID + scheme + application date.
    pub case_id: String,
    /// Scheme key in the policy (`urban_dibao`, …).
    pub scheme: String,
    pub status: CaseStatus,
    /// The head of household (户主), who applies.
    pub applicant_id_number: IdNumber,
    pub applicant_name: Text,
    /// The township's 9-digit code.
    pub region_code: String,
    pub township: Text,
    pub village: Text,
    pub address: Text,
    pub phone: Text,
    /// `urban` / `rural` / empty when the register did not say (户籍类型).
    pub hukou: String,
    pub household_size: u32,
    #[serde(with = "crate::domain::record::date_field")]
    pub applied_on: NaiveDate,
    pub bank_name: Text,
    pub bank_account: Text,
    pub hardship_reason: Text,
    /// Materials provided (提供材料), canonical names joined by `、`, sorted.
    pub materials: Text,
    /// Declared deposits (存款), empty when not declared.
    pub deposits_amount: Option<Fen>,
    /// Declared vehicles and properties (车辆, 房产), empty when not declared.
    pub vehicles: Option<u32>,
    pub properties: Option<u32>,
    /// Monthly rigid expenditure claimed as a deduction (刚性支出), its kind and its evidence.
    pub deduction_amount: Option<Fen>,
    pub deduction_kind: Text,
    pub deduction_evidence: Text,
    /// Exclusion grounds noted by the village (排除情形), joined by `、`.
    pub exclusions: Text,
    /// 特困: 集中 or 分散 供养; empty for other schemes or when not stated.
    pub support_mode: Option<SupportMode>,
    /// 临时救助: months of need assessed (救助月数, 1–6 by policy).
    pub temporary_months: Option<u32>,
    /// 临时救助: urgent, paid first and approved after (先行救助、后置审批).
    pub urgent: bool,
    /// Never on a public list (不公示 / 隐私保护 / 保密 in the register), whatever the hardship reason says. An
    /// optional column: written only once a case sets it.
    #[serde(default)]
    pub private: bool,
}

impl Record for Case {
    const FILE: &'static str = "cases.csv";
    const COLUMNS: &'static [&'static str] = &[
        "case_id",
        "scheme",
        "status",
        "applicant_id_number",
        "applicant_name",
        "region_code",
        "township",
        "village",
        "address",
        "phone",
        "hukou",
        "household_size",
        "applied_on",
        "bank_name",
        "bank_account",
        "hardship_reason",
        "materials",
        "deposits_amount",
        "vehicles",
        "properties",
        "deduction_amount",
        "deduction_kind",
        "deduction_evidence",
        "exclusions",
        "support_mode",
        "temporary_months",
        "urgent",
        "private",
    ];
    const OPTIONAL_TAIL: usize = 1;
    fn uses_tail(&self) -> bool {
        self.private
    }
    fn key(&self) -> String {
        self.case_id.clone()
    }
    fn key_cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.case_id.cmp(&other.case_id)
    }
}

/// Relation to the head of household (与户主关系).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Head,
    Spouse,
    Son,
    Daughter,
    Father,
    Mother,
    Grandson,
    Granddaughter,
    DaughterInLaw,
    SonInLaw,
    Sibling,
    Other,
}

impl Relation {
    /// Reads what clerks write in 与户主关系: the GB/T 4761 家庭关系 names (本人, 户主, 配偶, 夫, 妻, 长子 … 独生女,
    /// 养子, 女婿, 儿媳, 孙子, 外孙女, 父亲, 公公, 岳母, 祖父, 兄, 嫂, 侄子, 其他 …), the 户口簿 forms (之妻, 之子,
    /// 户主之女 …), the codes of this enum (`spouse`). Relations the benefit rules do not tell apart are mapped to
    /// the nearest they do: 养子/继子 are 子; 继父/养父 are 父亲; 兄弟姐妹 of every kind are one. In-laws of the
    /// head's generation and above, grandparents, the spouses of siblings, nephews, nieces and other relatives are
    /// 其他: the rules that read a relation (a child's or a parent's age against the head's, 单亲) do not hold for
    /// them. A county's own spellings are added with the policy's `relation_aliases:`.
    pub fn parse(s: &str) -> Option<Relation> {
        use Relation::*;
        let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        // 户口簿: `户主之妻`, `之子`.
        let t = match compact.strip_prefix("户主") {
            Some(rest) if !rest.is_empty() => rest,
            _ => compact.as_str(),
        };
        let t = t.strip_prefix('之').filter(|r| !r.is_empty()).unwrap_or(t);
        let r = match t {
            "户主" | "本人" | "申请人" | "head" => Head,
            "配偶" | "妻" | "妻子" | "夫" | "丈夫" | "爱人" | "spouse" => Spouse,
            "子" | "儿子" | "长子" | "次子" | "三子" | "四子" | "五子" | "六子" | "幼子" | "独生子" | "养子"
            | "继子" | "其他儿子" | "son" => Son,
            "女" | "女儿" | "长女" | "次女" | "三女" | "四女" | "五女" | "六女" | "幼女" | "独生女" | "养女"
            | "继女" | "其他女儿" | "daughter" => Daughter,
            "父亲" | "父" | "继父" | "养父" | "father" => Father,
            "母亲" | "母" | "继母" | "养母" | "mother" => Mother,
            "孙子" | "孙" | "外孙" | "外孙子" | "曾孙" | "曾孙子" | "外曾孙子" | "grandson" => {
                Grandson
            }
            "孙女" | "外孙女" | "曾孙女" | "外曾孙女" | "granddaughter" => Granddaughter,
            "儿媳" | "儿媳妇" | "媳妇" | "daughter_in_law" => DaughterInLaw,
            "女婿" | "son_in_law" => SonInLaw,
            "兄弟姐妹" | "兄" | "弟" | "姐" | "妹" | "哥" | "哥哥" | "弟弟" | "姐姐" | "妹妹" | "兄弟" | "姐妹"
            | "其他兄弟姐妹" | "sibling" => Sibling,
            "其他" | "其它" | "公公" | "婆婆" | "岳父" | "岳母" | "祖父" | "祖母" | "外祖父" | "外祖母" | "曾祖父"
            | "曾祖母" | "嫂" | "嫂子" | "弟媳" | "弟妹" | "姐夫" | "妹夫" | "侄子" | "侄女" | "外甥" | "外甥女"
            | "孙媳妇" | "孙女婿" | "伯父" | "伯母" | "叔父" | "叔叔" | "婶母" | "婶婶" | "舅父" | "舅舅" | "舅母"
            | "姨父" | "姨母" | "姑父" | "姑母" | "堂兄弟" | "堂姐妹" | "表兄弟" | "表姐妹" | "其他亲属" | "other" => {
                Other
            }
            _ => return None,
        };
        Some(r)
    }

    pub fn label_zh(self) -> &'static str {
        use Relation::*;
        match self {
            Head => "户主",
            Spouse => "配偶",
            Son => "子",
            Daughter => "女",
            Father => "父亲",
            Mother => "母亲",
            Grandson => "孙子",
            Granddaughter => "孙女",
            DaughterInLaw => "儿媳",
            SonInLaw => "女婿",
            Sibling => "兄弟姐妹",
            Other => "其他",
        }
    }
}

/// Capacity to work (劳动能力), which later rules read (e.g. refusing work).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkAbility {
    /// 有劳动能力
    Full,
    /// 部分丧失劳动能力
    Partial,
    /// 无劳动能力 / 完全丧失
    None,
    /// Not stated in the register.
    Unknown,
}

impl WorkAbility {
    /// The ability as workbooks show it.
    pub fn label_zh(self) -> &'static str {
        match self {
            WorkAbility::Full => "有劳动能力",
            WorkAbility::Partial => "部分丧失劳动能力",
            WorkAbility::None => "无劳动能力",
            WorkAbility::Unknown => "未填写",
        }
    }

    pub fn parse(s: &str) -> Option<WorkAbility> {
        let s = s.trim();
        Some(match s {
            "" => WorkAbility::Unknown,
            "有" | "有劳动能力" | "具有劳动能力" | "有劳动力" | "正常" | "健全" | "full" => {
                WorkAbility::Full
            }
            "部分"
            | "部分丧失"
            | "部分丧失劳动能力"
            | "部分丧失劳动力"
            | "部分劳动能力"
            | "弱"
            | "弱劳动能力"
            | "弱劳动力"
            | "半劳动力"
            | "partial" => WorkAbility::Partial,
            "无"
            | "无劳动能力"
            | "无劳动力"
            | "丧失"
            | "丧失劳动能力"
            | "丧失劳动力"
            | "完全丧失"
            | "完全丧失劳动能力"
            | "none" => WorkAbility::None,
            _ => return None,
        })
    }
}

/// Ability to look after oneself (生活自理能力), which sets the 特困 care standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SelfCare {
    /// 具备生活自理能力
    Able,
    /// 部分丧失生活自理能力
    Partial,
    /// 完全丧失生活自理能力
    Unable,
    /// Not stated.
    Unknown,
}

impl SelfCare {
    /// The ability as workbooks show it.
    pub fn label_zh(self) -> &'static str {
        match self {
            SelfCare::Able => "具备生活自理能力",
            SelfCare::Partial => "部分丧失生活自理能力",
            SelfCare::Unable => "完全丧失生活自理能力",
            SelfCare::Unknown => "未填写",
        }
    }

    pub fn parse(s: &str) -> Option<SelfCare> {
        Some(match s.trim() {
            "" => SelfCare::Unknown,
            "能" | "自理" | "能自理" | "具备" | "具备生活自理能力" | "完全自理" | "有" | "able" => {
                SelfCare::Able
            }
            // 失能等级 as care assessments write it: 全失能 / 半失能 (部分失能).
            "部分"
            | "部分自理"
            | "半自理"
            | "部分丧失"
            | "部分丧失生活自理能力"
            | "半失能"
            | "部分失能"
            | "partial" => SelfCare::Partial,
            "不能"
            | "不能自理"
            | "完全不能自理"
            | "无"
            | "丧失"
            | "完全丧失"
            | "完全丧失生活自理能力"
            | "全失能"
            | "完全失能"
            | "失能"
            | "unable" => SelfCare::Unable,
            _ => return None,
        })
    }
}

/// How a 特困 person is supported (供养方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupportMode {
    /// 集中供养 (in a care home)
    Centralised,
    /// 分散供养 (at home)
    Dispersed,
}

impl SupportMode {
    /// The mode as workbooks show it.
    pub fn label_zh(self) -> &'static str {
        match self {
            SupportMode::Centralised => "集中供养",
            SupportMode::Dispersed => "分散供养",
        }
    }

    pub fn parse(s: &str) -> Option<SupportMode> {
        match s.trim() {
            "集中" | "集中供养" | "centralised" => Some(SupportMode::Centralised),
            "分散" | "分散供养" | "dispersed" => Some(SupportMode::Dispersed),
            _ => None,
        }
    }
}

/// One household member of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub case_id: String,
    pub id_number: IdNumber,
    pub name: Text,
    pub relation: Relation,
    /// Derived from the ID number, never typed.
    #[serde(with = "crate::domain::record::date_field")]
    pub birth_date: NaiveDate,
    /// `M` / `F`, derived from the ID number.
    pub sex: String,
    /// Monthly income in yuan (月收入), as declared.
    pub monthly_income_amount: Fen,
    /// 残疾等级 1–4 (一级 most severe); 0 when none.
    pub disability_grade: u8,
    pub serious_illness: bool,
    pub in_school: bool,
    pub work_ability: WorkAbility,
    /// Place of household registration (户籍地) when the register gives it; a member registered outside the
    /// county lives apart from their registration (人户分离), which verify records.
    pub registered_region: Text,
    /// 生活自理能力 (for 特困 care).
    pub self_care: SelfCare,
}

impl Record for Member {
    const FILE: &'static str = "members.csv";
    const COLUMNS: &'static [&'static str] = &[
        "case_id",
        "id_number",
        "name",
        "relation",
        "birth_date",
        "sex",
        "monthly_income_amount",
        "disability_grade",
        "serious_illness",
        "in_school",
        "work_ability",
        "registered_region",
        "self_care",
    ];
    fn key(&self) -> String {
        format!("{}/{}", self.case_id, self.id_number.as_str())
    }
    fn key_cmp(&self, other: &Self) -> std::cmp::Ordering {
        crate::domain::record::cmp_joined(
            [self.case_id.as_str(), self.id_number.as_str()],
            [other.case_id.as_str(), other.id_number.as_str()],
        )
    }
}

/// Provenance: the file (by content hash, kept in `inbox/`), sheet and row each record came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// `case/CASE_ID` or `member/CASE_ID/ID_NUMBER`.
    pub record: String,
    pub file_sha256: String,
    pub file_name: Text,
    pub sheet: Text,
    pub row: u32,
}

impl Record for Source {
    const FILE: &'static str = "sources.csv";
    const COLUMNS: &'static [&'static str] = &["record", "file_sha256", "file_name", "sheet", "row"];
    fn key(&self) -> String {
        self.record.clone()
    }
    fn key_cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.record.cmp(&other.record)
    }
}

/// The outcome of one check on one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckResult {
    Pass,
    /// A person must act: supplement materials, visit, look at a hit, decide an overdue case.
    NeedsInfo,
    Fail,
}

impl CheckResult {
    /// The result as the review workbook names it.
    pub fn label_zh(self) -> &'static str {
        match self {
            CheckResult::Pass => "通过",
            CheckResult::NeedsInfo => "待补充",
            CheckResult::Fail => "不符合",
        }
    }
}

/// `checks.csv`: the latest outcome of each check on each case under review, with the key of the policy values
/// used (their text is once in `policy_values.csv`, [`PolicyValues`], not repeated on every case's row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub case_id: String,
    /// `materials`, `identity`, `relations`, `residence`, `duplicate_person`, `income`, `assets`, `exclusions`,
    /// `registry_hits`, `home_visit`, `revisit`, `time_limit`.
    pub check: String,
    pub result: CheckResult,
    /// What was found, in Chinese, for the review workbook.
    pub detail: Text,
    /// The key of the policy values used ([`PolicyValues::key_of`]; blank when the check used none): their text
    /// (`standard=820.00/month from 2026-01-01; …`) is the row of `policy_values.csv` with this key.
    pub policy: String,
    #[serde(with = "crate::domain::record::date_field")]
    pub as_of: NaiveDate,
}

impl Record for Check {
    const FILE: &'static str = "checks.csv";
    const COLUMNS: &'static [&'static str] = &["case_id", "check", "result", "detail", "policy", "as_of"];
    /// Before issue 21 the text of the policy values was on every row.
    const FORMER_COLUMNS: &'static [&'static [&'static str]] =
        &[&["case_id", "check", "result", "detail", "policy_values", "as_of"]];
    fn key(&self) -> String {
        format!("{}/{}", self.case_id, self.check)
    }
    fn key_cmp(&self, other: &Self) -> std::cmp::Ordering {
        crate::domain::record::cmp_joined(
            [self.case_id.as_str(), self.check.as_str()],
            [other.case_id.as_str(), other.check.as_str()],
        )
    }
}

/// A new outcome of a check, borrowed from the finding it records: the fields of a [`Check`], in its column
/// order, serialised exactly as the record would be — so checks.csv is written without a record built per row.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct NewCheck<'a> {
    pub case_id: &'a str,
    pub check: &'a str,
    pub result: CheckResult,
    #[serde(serialize_with = "neutralised")]
    pub detail: &'a str,
    pub policy: &'a str,
    #[serde(with = "crate::domain::record::date_field")]
    pub as_of: NaiveDate,
}

/// `policy_values.csv`: the text of each set of policy values a check used, once, by its key (the first 12 hex
/// digits of the text's SHA-256, so the same values always have the same key, in every workspace and run).
/// `checks.csv` names it on each row; a county's checks no longer repeat the policy's text on twelve rows per case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyValues {
    pub key: String,
    /// The policy values (`standard=820.00/month from 2026-01-01; …`).
    pub values: Text,
}

impl PolicyValues {
    /// The key of a text of policy values: blank for none, else the first 12 hex digits of its SHA-256.
    pub fn key_of(values: &str) -> String {
        if values.is_empty() {
            return String::new();
        }
        crate::domain::digest::sha256_hex(values.as_bytes())[..12].to_string()
    }

    /// The policy values of `values`' text, keyed.
    pub fn of(values: &str) -> PolicyValues {
        PolicyValues {
            key: PolicyValues::key_of(values),
            values: Text(values.to_string()),
        }
    }
}

impl Record for PolicyValues {
    const FILE: &'static str = "policy_values.csv";
    const COLUMNS: &'static [&'static str] = &["key", "values"];
    fn key(&self) -> String {
        self.key.clone()
    }
}

fn neutralised<S: serde::Serializer>(v: &&str, s: S) -> Result<S::Ok, S::Error> {
    crate::domain::record::serialize_text(v, s)
}

/// Who went where (入户调查): `village` visits by the village committee, `township` re-visits (复核).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitLevel {
    Village,
    Township,
    County,
}

/// `visits.csv`: home investigation records (入户调查表): date, investigators, findings, signatures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    /// Stable: hash of case, date, level and investigators.
    pub visit_id: String,
    pub case_id: String,
    #[serde(with = "crate::domain::record::date_field")]
    pub visited_on: NaiveDate,
    pub level: VisitLevel,
    /// Names joined by `、`.
    pub investigators: Text,
    pub investigator_count: u32,
    pub findings: Text,
    /// The record carries the investigators' signatures (调查人签字).
    pub signed: bool,
    pub file_sha256: String,
    pub row: u32,
}

impl Visit {
    /// Whether this is the visit a procedure asks for at `level`: signed, by at least `min` investigators (the
    /// village visit of 逢进必查 that verify checks, audit's J210 holds an approval to, and a meeting may not precede).
    pub fn counts_at(&self, level: VisitLevel, min: u32) -> bool {
        self.level == level && self.signed && self.investigator_count >= min
    }
}

impl Record for Visit {
    const FILE: &'static str = "visits.csv";
    const COLUMNS: &'static [&'static str] = &[
        "visit_id",
        "case_id",
        "visited_on",
        "level",
        "investigators",
        "investigator_count",
        "findings",
        "signed",
        "file_sha256",
        "row",
    ];
    fn key(&self) -> String {
        self.visit_id.clone()
    }
    fn key_cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.visit_id.cmp(&other.visit_id)
    }
}

/// `extensions.csv`: a time limit extended, with the approving leader and the reason (延期).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extension {
    pub case_id: String,
    pub extra_working_days: u32,
    pub approver: Text,
    pub reason: Text,
}

impl Record for Extension {
    const FILE: &'static str = "extensions.csv";
    const COLUMNS: &'static [&'static str] = &["case_id", "extra_working_days", "approver", "reason"];
    fn key(&self) -> String {
        self.case_id.clone()
    }
    fn key_cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.case_id.cmp(&other.case_id)
    }
}

/// What a registry hit means for the case (policy `registries.NAME.effect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Blocks or stops the benefit once confirmed; an open one blocks a decision.
    Exclude,
    /// A person must look.
    Review,
    /// Recorded only.
    Info,
}

impl Effect {
    pub fn label_zh(self) -> &'static str {
        match self {
            Effect::Exclude => "排除类",
            Effect::Review => "复核类",
            Effect::Info => "提示类",
        }
    }
}

/// How a hit was matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The normalised ID number matched.
    Id,
    /// The salted hash of the ID number matched (privacy-preserving exchange).
    IdHash,
    /// Only name and birth date matched: a lead, never a confirmed hit by itself.
    NameBirth,
}

impl MatchKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            MatchKind::Id => "身份证号一致",
            MatchKind::IdHash => "身份证号哈希一致",
            MatchKind::NameBirth => "仅姓名和出生日期一致(线索)",
        }
    }
}

/// A person's decision on a hit (处理结果).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    Open,
    /// 属实: the hit is true and affects eligibility or amount.
    Confirmed,
    /// 排除: checked and not relevant.
    Cleared,
}

impl Disposition {
    pub fn label_zh(self) -> &'static str {
        match self {
            Disposition::Open => "待处理",
            Disposition::Confirmed => "属实",
            Disposition::Cleared => "排除",
        }
    }
}

/// `matches.csv`: every registry hit and what was decided about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Match {
    /// Stable: source + hash of person and evidence; the same evidence is always the same hit.
    pub hit_id: String,
    pub case_id: String,
    pub id_number: IdNumber,
    pub name: Text,
    /// Registry name in the policy (`deaths`, `vehicles`, …).
    pub source: String,
    pub match_kind: MatchKind,
    pub source_file_sha256: String,
    pub source_row: u32,
    /// The registry's row, as `column=value` pairs joined by `; `.
    pub evidence: Text,
    pub effect: Effect,
    pub disposition: Disposition,
    pub note: Text,
    pub decided_by: Text,
    /// The compare run whose worksheet the hit was last listed in.
    pub batch: String,
}

impl Record for Match {
    const FILE: &'static str = "matches.csv";
    const COLUMNS: &'static [&'static str] = &[
        "hit_id",
        "case_id",
        "id_number",
        "name",
        "source",
        "match_kind",
        "source_file_sha256",
        "source_row",
        "evidence",
        "effect",
        "disposition",
        "note",
        "decided_by",
        "batch",
    ];
    fn key(&self) -> String {
        self.hit_id.clone()
    }
    fn key_cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.hit_id.cmp(&other.hit_id)
    }
}

/// What a decision does (救助决策的类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// 新增: a new approval.
    New,
    /// 增发
    Increase,
    /// 减发
    Decrease,
    /// 停发
    Stop,
    /// 不予批准: the application is refused.
    Reject,
    /// 渐退: income rose above the line; the benefit continues to `gradual_exit_until`.
    GradualExit,
}

impl DecisionKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            DecisionKind::New => "新增",
            DecisionKind::Increase => "增发",
            DecisionKind::Decrease => "减发",
            DecisionKind::Stop => "停发",
            DecisionKind::Reject => "不予批准",
            DecisionKind::GradualExit => "渐退",
        }
    }
}

/// Where a decision stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionStatus {
    /// Put before the review meeting.
    Proposed,
    /// 同意: approved, in public notice.
    Approved,
    /// 暂缓: deferred by the meeting.
    Deferred,
    /// 不同意, or an objection upheld.
    Rejected,
    /// In force (the benefit is paid from `effective_from`).
    Effective,
    /// Replaced by a later effective decision for the same case.
    Superseded,
}

impl DecisionStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            DecisionStatus::Proposed => "待评议",
            DecisionStatus::Approved => "审批同意(公示中)",
            DecisionStatus::Deferred => "暂缓",
            DecisionStatus::Rejected => "不同意",
            DecisionStatus::Effective => "已生效",
            DecisionStatus::Superseded => "已被替代",
        }
    }
}

/// `decisions.csv`: every decision with its derivation and the policy values it used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Stable: case, period and kind.
    pub decision_id: String,
    pub case_id: String,
    /// The month the decision was made for.
    pub period: Period,
    pub kind: DecisionKind,
    pub status: DecisionStatus,
    /// The monthly amount from now on (one-off amount for 临时救助; 0.00 for stop and reject).
    pub amount: Fen,
    /// The amount in force before (0.00 for a new case).
    pub previous_amount: Fen,
    pub delta_amount: Fen,
    /// Reason code (`income_up`, `income_down`, `death`, `member_change`, `confirmed_exclude_hit`,
    /// `gradual_exit_ended`, `income_above_standard`, `failed_checks`, `new_application`, …).
    pub reason: String,
    /// How the amount was computed, in Chinese (`jiuzhu explain` prints it).
    pub derivation: Text,
    /// The inputs the amount was computed from (`members=3;income=980.00;deduction=0.00;standard=860.00@2026-07-01;household=4f0c2a9d81be`),
    /// so a change can be explained and an auditor can replay it.
    pub basis: Text,
    pub policy_values: Text,
    /// The first month paid once effective (empty until then).
    pub effective_from: Option<Period>,
    /// 渐退: the last month paid (empty for other kinds).
    pub gradual_exit_until: Option<Period>,
    /// 先行救助: paid before approval; the approval must be back-filled.
    pub urgent: bool,
    /// The review meeting (民主评议/审批会) reference, or `无争议免评议`.
    pub meeting: Text,
    #[serde(with = "crate::domain::record::date_field::option")]
    pub decided_on: Option<NaiveDate>,
    /// The review-meeting worksheet this proposal was last listed in.
    pub batch: String,
}

impl Record for Decision {
    const FILE: &'static str = "decisions.csv";
    const COLUMNS: &'static [&'static str] = &[
        "decision_id",
        "case_id",
        "period",
        "kind",
        "status",
        "amount",
        "previous_amount",
        "delta_amount",
        "reason",
        "derivation",
        "basis",
        "policy_values",
        "effective_from",
        "gradual_exit_until",
        "urgent",
        "meeting",
        "decided_on",
        "batch",
    ];
    fn key(&self) -> String {
        self.decision_id.clone()
    }
    fn key_cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.decision_id.cmp(&other.decision_id)
    }
    fn invalid(&self) -> Option<(&'static str, String)> {
        if self.amount.is_negative() {
            return Some((
                "amount",
                crate::i18n::tr(
                    format!("a negative amount ({})", self.amount),
                    format!("金额为负 ({})", self.amount),
                ),
            ));
        }
        if self.previous_amount.is_negative() {
            return Some((
                "previous_amount",
                crate::i18n::tr(
                    format!("a negative amount ({})", self.previous_amount),
                    format!("金额为负 ({})", self.previous_amount),
                ),
            ));
        }
        (self.delta_amount.0 != self.amount.0 - self.previous_amount.0).then(|| {
            (
                "delta_amount",
                crate::i18n::tr(
                    format!(
                        "{} is not amount − previous_amount ({} − {})",
                        self.delta_amount, self.amount, self.previous_amount
                    ),
                    format!(
                        "{} 不等于 amount − previous_amount ({} − {})",
                        self.delta_amount, self.amount, self.previous_amount
                    ),
                ),
            )
        })
    }
}

/// `notices.csv`: each public posting (公示) of an approved decision: level, start and end (inclusive).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    pub notice_id: String,
    pub decision_id: String,
    pub case_id: String,
    /// `village`, `township`, `county`, or `private` (never posted: the case is protected; 隐私保护).
    pub level: String,
    #[serde(with = "crate::domain::record::date_field")]
    pub start: NaiveDate,
    #[serde(with = "crate::domain::record::date_field")]
    pub end: NaiveDate,
    /// `posted`, `objection_upheld`, `objection_dismissed`.
    pub status: String,
    pub objection: Text,
}

impl Record for Notice {
    const FILE: &'static str = "notices.csv";
    const COLUMNS: &'static [&'static str] = &[
        "notice_id",
        "decision_id",
        "case_id",
        "level",
        "start",
        "end",
        "status",
        "objection",
    ];
    fn key(&self) -> String {
        self.notice_id.clone()
    }
    fn key_cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.notice_id.cmp(&other.notice_id)
    }
}

/// `meetings.csv`: review meetings (民主评议 / 审批会): date, attendees, minutes reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    pub meeting: Text,
    #[serde(with = "crate::domain::record::date_field")]
    pub date: NaiveDate,
    pub attendees: Text,
    /// The worksheet batch whose verdicts it recorded.
    pub batch: String,
    pub approved: u32,
    pub rejected: u32,
    pub deferred: u32,
}

impl Record for Meeting {
    const FILE: &'static str = "meetings.csv";
    const COLUMNS: &'static [&'static str] = &[
        "meeting",
        "date",
        "attendees",
        "batch",
        "approved",
        "rejected",
        "deferred",
    ];
    fn key(&self) -> String {
        format!("{}/{}", self.date, self.meeting.0)
    }
}

/// Where a payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// In a batch sent to the bank; no return yet (outstanding).
    Issued,
    /// The bank's return says 成功.
    Paid,
    /// The bank's return says 失败 (with the reason); reissued once the account is corrected.
    Failed,
    /// A failed payment whose reissue has been issued: its money is counted in the reissue, never twice.
    Reissued,
}

impl PaymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Issued => "issued",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Reissued => "reissued",
        }
    }

    /// The status as workbooks and Chinese messages show it.
    pub fn label_zh(self) -> &'static str {
        match self {
            PaymentStatus::Issued => "已发送银行, 待回盘",
            PaymentStatus::Paid => "发放成功",
            PaymentStatus::Failed => "发放失败",
            PaymentStatus::Reissued => "已重发",
        }
    }
}

/// Why a payment was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    /// A month the batch pays (its own month, or a month combined into it).
    Regular,
    /// 补发: a month before the batch's months that was due and not yet paid.
    Arrears,
    /// 临时救助: the one-off amount.
    OneOff,
    /// 重发: a failed payment paid again to the corrected account.
    Reissue,
    /// 补差: the amount in force for a month rose after the month was paid; the difference.
    Adjustment,
}

impl PaymentKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            PaymentKind::Regular => "正常",
            PaymentKind::Arrears => "补发",
            PaymentKind::OneOff => "一次性",
            PaymentKind::Reissue => "重发",
            PaymentKind::Adjustment => "补差",
        }
    }
}

/// `payments/YYYY-MM.csv` (one file per batch month): one payment per case per month paid (per batch for a reissue).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    /// `P-` + 12 hex of SHA-256(case, month, number of earlier payments for that case and month).
    pub payment_id: String,
    /// The batch (its month) the payment was issued in.
    pub batch: Period,
    /// The month the money is for.
    pub period: Period,
    pub case_id: String,
    pub scheme: String,
    pub payee_name: Text,
    pub bank_name: Text,
    /// Digits only, as written to the bank file.
    pub account: Text,
    pub amount: Fen,
    pub kind: PaymentKind,
    /// 先行救助: paid before approval.
    pub urgent: bool,
    /// The decision whose amount was in force for the month.
    pub decision_id: String,
    pub status: PaymentStatus,
    /// The failed payment this one pays again.
    pub reissue_of: String,
    /// The bank's reason for a failure.
    pub reason: Text,
    /// SHA-256 (first 16 hex) of the return file that reconciled it.
    pub return_file: String,
}

impl Record for Payment {
    const FILE: &'static str = "payments.csv";
    const COLUMNS: &'static [&'static str] = &[
        "payment_id",
        "batch",
        "period",
        "case_id",
        "scheme",
        "payee_name",
        "bank_name",
        "account",
        "amount",
        "kind",
        "urgent",
        "decision_id",
        "status",
        "reissue_of",
        "reason",
        "return_file",
    ];
    fn key(&self) -> String {
        self.payment_id.clone()
    }
    fn key_cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.payment_id.cmp(&other.payment_id)
    }
    /// Kept by the month of the batch a payment was issued in (`ledgers/payments/2026-11.csv`): a month's
    /// `disburse` rewrites only its own batch's file (and, reconciling returns, the batch they came back from).
    const PARTITIONED: bool = true;
    fn partition(&self) -> String {
        self.batch.to_string()
    }
    fn invalid(&self) -> Option<(&'static str, String)> {
        self.amount.is_negative().then(|| {
            (
                "amount",
                crate::i18n::tr(
                    format!("a negative payment ({})", self.amount),
                    format!("付款金额为负 ({})", self.amount),
                ),
            )
        })
    }
}

/// `batches.csv`: each payment batch once issued, with its control totals. An issued batch is frozen: a rerun
/// reproduces it and adds nothing; money due later goes into the next batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    /// The month of the batch (one batch a month; the month it is issued for).
    pub batch: Period,
    /// The months it pays, joined by `;`.
    pub months: String,
    pub payments: u32,
    pub amount: Fen,
    /// `--override-budget` reason, when the batch exceeded a scheme's budget.
    pub budget_override: Text,
}

impl Record for Batch {
    const FILE: &'static str = "batches.csv";
    const COLUMNS: &'static [&'static str] = &["batch", "months", "payments", "amount", "budget_override"];
    fn key(&self) -> String {
        self.batch.to_string()
    }
    fn key_cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.batch.cmp(&other.batch)
    }
}

/// A quantity of goods in hundredths (`10`, `2.5`), exact: written without trailing zeros.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity(pub i64);

impl Quantity {
    /// Reads `10`, `2.5`, `1.25` (at most 2 decimals, not negative).
    pub fn parse(s: &str) -> Option<Quantity> {
        let f = Fen::parse_yuan(s).ok()?;
        (f.0 >= 0).then_some(Quantity(f.0))
    }
}

impl std::fmt::Display for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (whole, frac) = (self.0 / 100, self.0 % 100);
        match frac {
            0 => write!(f, "{whole}"),
            x if x % 10 == 0 => write!(f, "{whole}.{}", x / 10),
            x => write!(f, "{whole}.{x:02}"),
        }
    }
}

impl Serialize for Quantity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Quantity::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not a quantity")))
    }
}

/// Where an in-kind distribution (物资发放) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoodsStatus {
    Planned,
    Received,
}

impl GoodsStatus {
    /// The status as workbooks and Chinese messages show it.
    pub fn label_zh(self) -> &'static str {
        match self {
            GoodsStatus::Planned => "待领取",
            GoodsStatus::Received => "已领取",
        }
    }
}

/// `goods.csv`: goods planned for a case and their receipt (领取登记).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Goods {
    /// `G-` + 12 hex of SHA-256(plan, case, item).
    pub goods_id: String,
    /// 8 hex of the plan file's SHA-256: the distribution list's batch.
    pub plan: String,
    pub case_id: String,
    pub village: Text,
    pub item: Text,
    pub quantity: Quantity,
    pub unit: Text,
    pub status: GoodsStatus,
    #[serde(with = "crate::domain::record::date_field::option")]
    pub received_on: Option<NaiveDate>,
    pub signed_by: Text,
    pub received_quantity: Option<Quantity>,
}

impl Record for Goods {
    const FILE: &'static str = "goods.csv";
    const COLUMNS: &'static [&'static str] = &[
        "goods_id",
        "plan",
        "case_id",
        "village",
        "item",
        "quantity",
        "unit",
        "status",
        "received_on",
        "signed_by",
        "received_quantity",
    ];
    fn key(&self) -> String {
        self.goods_id.clone()
    }
    fn key_cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.goods_id.cmp(&other.goods_id)
    }
}

/// `change_reports.csv`: the monthly change report (月度变动报告, 零报告 when nothing changed), one row per month
/// and scheme, computed by `jiuzhu audit` from the decisions. Key: `period` + `scheme`.
///
/// Households: after = before + new − stopped (a 增发/减发 household stays a household). Persons: after = before +
/// new + persons added − persons removed − stopped, where `increase_persons`/`decrease_persons` are members added
/// to or removed from households that stay. Money: after = before + new + increases − decreases − stops.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeReport {
    /// YYYY-MM (an external report may carry any label, e.g. `20xx年审`).
    pub period: String,
    pub scheme: String,
    pub households_before: i64,
    pub persons_before: i64,
    pub before_amount: Fen,
    pub new_households: i64,
    pub new_persons: i64,
    pub new_amount: Fen,
    pub increase_households: i64,
    pub increase_persons: i64,
    pub increase_amount: Fen,
    pub decrease_households: i64,
    pub decrease_persons: i64,
    pub decrease_amount: Fen,
    pub stop_households: i64,
    pub stop_persons: i64,
    pub stop_amount: Fen,
    pub households_after: i64,
    pub persons_after: i64,
    pub after_amount: Fen,
}

impl Record for ChangeReport {
    const FILE: &'static str = "change_reports.csv";
    const COLUMNS: &'static [&'static str] = &[
        "period",
        "scheme",
        "households_before",
        "persons_before",
        "before_amount",
        "new_households",
        "new_persons",
        "new_amount",
        "increase_households",
        "increase_persons",
        "increase_amount",
        "decrease_households",
        "decrease_persons",
        "decrease_amount",
        "stop_households",
        "stop_persons",
        "stop_amount",
        "households_after",
        "persons_after",
        "after_amount",
    ];
    fn key(&self) -> String {
        format!("{}/{}", self.period, self.scheme)
    }
}

/// `spot_checks.csv`: the cases drawn by `jiuzhu audit --sample` (抽查) and what the checker found. Key: `sample` +
/// `case_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpotCheck {
    /// The draw: `SEED`, the worksheet's batch.
    pub sample: String,
    pub case_id: String,
    pub scheme: String,
    pub village: Text,
    /// The percentage drawn (`5`, `2.5`) and whether it was stratified by village and scheme.
    pub percent: String,
    pub stratified: bool,
    /// The position in its stratum's ranking (SHA-256 of `seed|case_id`), 1-based.
    pub rank: u32,
    /// Empty until recorded; `true` (属实), `not_true` (不属实), `not_found` (未找到).
    pub result: String,
    pub note: Text,
    pub checker: Text,
    #[serde(with = "crate::domain::record::date_field::option")]
    pub checked_on: Option<NaiveDate>,
}

impl Record for SpotCheck {
    const FILE: &'static str = "spot_checks.csv";
    const COLUMNS: &'static [&'static str] = &[
        "sample",
        "case_id",
        "scheme",
        "village",
        "percent",
        "stratified",
        "rank",
        "result",
        "note",
        "checker",
        "checked_on",
    ];
    fn key(&self) -> String {
        format!("{}/{}", self.sample, self.case_id)
    }
}

/// `archive_index.csv`: every dossier `jiuzhu archive` made. Key: `case_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchiveEntry {
    pub case_id: String,
    /// The year of closure (the folder `archive/YEAR/`).
    pub year: i32,
    /// `archive/YEAR/CASE_ID`.
    pub path: String,
    /// The date of the decision or event that closed the case.
    #[serde(with = "crate::domain::record::date_field")]
    pub closed_on: NaiveDate,
    /// closed_on + `archive.retention_years`.
    #[serde(with = "crate::domain::record::date_field")]
    pub retain_until: NaiveDate,
    /// SHA-256 of the dossier's MANIFEST.csv.
    pub manifest_sha256: String,
    /// The Git commit the dossier was made from (empty outside a repository).
    pub commit: String,
    /// `archived`, or `purged` (removed after retention by `jiuzhu archive purge --yes`).
    pub status: String,
    /// Why and when it was purged.
    pub note: Text,
}

impl Record for ArchiveEntry {
    const FILE: &'static str = "archive_index.csv";
    const COLUMNS: &'static [&'static str] = &[
        "case_id",
        "year",
        "path",
        "closed_on",
        "retain_until",
        "manifest_sha256",
        "commit",
        "status",
        "note",
    ];
    fn key(&self) -> String {
        self.case_id.clone()
    }
    fn key_cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.case_id.cmp(&other.case_id)
    }
}

/// A household's class of difficulty (困难类别), which sets how often it is visited again (回访频次, policy
/// `followups.cadence_months`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DifficultyClass {
    /// 特殊困难
    Special,
    /// 一般困难
    General,
    /// 临时困难
    Temporary,
}

impl DifficultyClass {
    /// Reads what clerks write in 困难类别 (`特殊困难`, `特殊`, `一般`, …).
    pub fn parse(s: &str) -> Option<DifficultyClass> {
        Some(match s.trim() {
            "特殊困难" | "特殊" | "特困" | "special" => DifficultyClass::Special,
            "一般困难" | "一般" | "general" => DifficultyClass::General,
            "临时困难" | "临时" | "temporary" => DifficultyClass::Temporary,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DifficultyClass::Special => "special",
            DifficultyClass::General => "general",
            DifficultyClass::Temporary => "temporary",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            DifficultyClass::Special => "特殊困难",
            DifficultyClass::General => "一般困难",
            DifficultyClass::Temporary => "临时困难",
        }
    }
}

/// A change in a household found on a follow-up visit, applied to `members.csv` (the next `decide` re-decides
/// the amount: 增发/减发/停发).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// No change (无变化).
    None,
    /// A member's monthly income changed (收入变化): `new_income_amount` replaces it.
    Income,
    /// A member moved out of the household (迁出): removed from the case.
    MovedOut,
    /// A member died (死亡): removed from the case.
    Died,
}

impl ChangeKind {
    pub fn parse(s: &str) -> Option<ChangeKind> {
        Some(match s.trim() {
            "" | "无" | "无变化" | "none" => ChangeKind::None,
            "收入变化" | "收入" | "收入增加" | "收入减少" | "income" => ChangeKind::Income,
            "迁出" | "户口迁出" | "外迁" | "moved_out" => ChangeKind::MovedOut,
            "死亡" | "去世" | "died" => ChangeKind::Died,
            _ => return None,
        })
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ChangeKind::None => "无变化",
            ChangeKind::Income => "收入变化",
            ChangeKind::MovedOut => "迁出",
            ChangeKind::Died => "死亡",
        }
    }
}

/// `followups.csv`: follow-up visits of households already assisted (回访, 动态管理): who went when, what they
/// found, the household's difficulty class, and the change applied to the case. Key: `followup_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Followup {
    /// `F-` + 16 hex of SHA-256(case, date, visitors, change, member): the same row is always the same visit.
    pub followup_id: String,
    pub case_id: String,
    #[serde(with = "crate::domain::record::date_field")]
    pub visited_on: NaiveDate,
    /// Names joined by `、`.
    pub visitors: Text,
    pub visitor_count: u32,
    /// What the visitors found (回访情况).
    pub outcome: Text,
    pub difficulty_class: DifficultyClass,
    pub change: ChangeKind,
    /// The member the change concerns (empty for no change).
    pub member_id_number: String,
    /// The member's income before and after an income change (empty otherwise).
    pub old_income_amount: Option<Fen>,
    pub new_income_amount: Option<Fen>,
    pub file_sha256: String,
    pub row: u32,
}

impl Record for Followup {
    const FILE: &'static str = "followups.csv";
    const COLUMNS: &'static [&'static str] = &[
        "followup_id",
        "case_id",
        "visited_on",
        "visitors",
        "visitor_count",
        "outcome",
        "difficulty_class",
        "change",
        "member_id_number",
        "old_income_amount",
        "new_income_amount",
        "file_sha256",
        "row",
    ];
    fn key(&self) -> String {
        self.followup_id.clone()
    }
    fn key_cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.followup_id.cmp(&other.followup_id)
    }
}

/// How a complaint came in (信访方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 来信
    Letter,
    /// 来访
    Visit,
    /// 电话
    Phone,
    /// 网络 (网上信访, 12345 …)
    Online,
}

impl Channel {
    pub fn parse(s: &str) -> Option<Channel> {
        Some(match s.trim() {
            "来信" | "信件" | "letter" => Channel::Letter,
            "来访" | "走访" | "visit" => Channel::Visit,
            "电话" | "热线" | "12345" | "phone" => Channel::Phone,
            "网络" | "网上" | "网上信访" | "online" => Channel::Online,
            _ => return None,
        })
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Channel::Letter => "来信",
            Channel::Visit => "来访",
            Channel::Phone => "电话",
            Channel::Online => "网络",
        }
    }
}

/// `complaints.csv`: complaints and petitions (信访) about assistance: received, handled, answered within the
/// policy's time limit (`complaints.due_days`). Key: `complaint_id`; an updated sheet (the reply filled in)
/// updates the same complaint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Complaint {
    /// `X-` + 16 hex of SHA-256(received date, channel, complainant, subject).
    pub complaint_id: String,
    #[serde(with = "crate::domain::record::date_field")]
    pub received_on: NaiveDate,
    pub channel: Channel,
    /// Who complained (信访人); may be blank (anonymous).
    pub complainant: Text,
    pub subject: Text,
    /// The case it concerns, when there is one.
    pub case_id: String,
    pub handler: Text,
    /// The date a reply is due: as given, else received_on + `complaints.due_days`.
    #[serde(with = "crate::domain::record::date_field")]
    pub due_on: NaiveDate,
    pub result: Text,
    #[serde(with = "crate::domain::record::date_field::option")]
    pub replied_on: Option<NaiveDate>,
    pub file_sha256: String,
    pub row: u32,
}

impl Record for Complaint {
    const FILE: &'static str = "complaints.csv";
    const COLUMNS: &'static [&'static str] = &[
        "complaint_id",
        "received_on",
        "channel",
        "complainant",
        "subject",
        "case_id",
        "handler",
        "due_on",
        "result",
        "replied_on",
        "file_sha256",
        "row",
    ];
    fn key(&self) -> String {
        self.complaint_id.clone()
    }
    fn key_cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.complaint_id.cmp(&other.complaint_id)
    }
}

/// A record that belongs to one case.
pub trait OfCase {
    fn case_id(&self) -> &str;
}

macro_rules! of_case {
    ($($t:ty),*) => {$(
        impl OfCase for $t {
            fn case_id(&self) -> &str {
                &self.case_id
            }
        }
    )*};
}

of_case!(
    Case,
    Member,
    Check,
    Visit,
    Extension,
    Match,
    Decision,
    Notice,
    Payment,
    Goods,
    SpotCheck,
    ArchiveEntry,
    Followup,
    Complaint,
    Confirmation
);

/// Records grouped by their case, each case's in the order given: one pass, so a step that looks at every case
/// never scans a ledger once per case.
pub fn by_case<'r, R: OfCase + 'r>(
    records: impl IntoIterator<Item = &'r R>,
) -> crate::hash::HashMap<&'r str, Vec<&'r R>> {
    let mut out: crate::hash::HashMap<&str, Vec<&R>> = Default::default();
    for r in records {
        out.entry(r.case_id()).or_default().push(r);
    }
    out
}

/// [`by_case`] of the cases in `wanted` only (the others' records are passed over).
pub fn by_case_in<'r, R: OfCase + 'r>(
    records: impl IntoIterator<Item = &'r R>,
    wanted: &crate::hash::HashSet<&str>,
) -> crate::hash::HashMap<&'r str, Vec<&'r R>> {
    if wanted.is_empty() {
        return Default::default();
    }
    by_case(records.into_iter().filter(|r| wanted.contains(r.case_id())))
}

/// [`by_case`], the cases in order (to walk them as the ledgers are sorted).
pub fn by_case_sorted<'r, R: OfCase + 'r>(
    records: impl IntoIterator<Item = &'r R>,
) -> std::collections::BTreeMap<&'r str, Vec<&'r R>> {
    let mut out: std::collections::BTreeMap<&str, Vec<&R>> = Default::default();
    for r in records {
        out.entry(r.case_id()).or_default().push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::Relation::{self, *};

    #[test]
    fn relations_as_forms_write_them() {
        let cases: &[(&str, Relation)] = &[
            ("本人", Head),
            ("户主", Head),
            (" 户 主 ", Head),
            ("配偶", Spouse),
            ("夫", Spouse),
            ("妻", Spouse),
            ("之妻", Spouse),
            ("户主之夫", Spouse),
            ("长子", Son),
            ("三子", Son),
            ("独生子", Son),
            ("养子", Son),
            ("继子", Son),
            ("之子", Son),
            ("女", Daughter),
            ("次女", Daughter),
            ("独生女", Daughter),
            ("继女", Daughter),
            ("之女", Daughter),
            ("父亲", Father),
            ("之父", Father),
            ("继父", Father),
            ("母亲", Mother),
            ("之母", Mother),
            ("孙子", Grandson),
            ("之孙", Grandson),
            ("外孙子", Grandson),
            ("孙女", Granddaughter),
            ("之孙女", Granddaughter),
            ("外孙女", Granddaughter),
            ("儿媳", DaughterInLaw),
            ("女婿", SonInLaw),
            ("兄", Sibling),
            ("之弟", Sibling),
            ("姐", Sibling),
            ("之妹", Sibling),
            ("兄弟姐妹", Sibling),
            ("公公", Other),
            ("婆婆", Other),
            ("岳父", Other),
            ("岳母", Other),
            ("祖父", Other),
            ("外祖母", Other),
            ("嫂", Other),
            ("弟媳", Other),
            ("姐夫", Other),
            ("妹夫", Other),
            ("侄子", Other),
            ("侄女", Other),
            ("外甥", Other),
            ("外甥女", Other),
            ("其他", Other),
            ("spouse", Spouse),
        ];
        for (text, want) in cases {
            assert_eq!(Relation::parse(text), Some(*want), "{text}");
        }
        for text in ["", "之", "老伴", "邻居", "户主之"] {
            assert_eq!(Relation::parse(text), None, "{text}");
        }
    }
}
