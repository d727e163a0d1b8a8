//! The ledgers of active discovery (主动发现) and the monitored low-income population (低收入人口动态监测):
//! `discoveries.csv` (people found in difficulty), `investigations.csv` (入户调查评估, one row per visit),
//! `referrals.csv` (转介 to another department, 一门受理、协同办理) and `monitored.csv` (the monitored households).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::DifficultyClass;
use crate::domain::id_number::IdNumber;
use crate::domain::record::{Record, Text};

/// How a discovery came in (发现渠道).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscoveryChannel {
    /// 摸排走访: the village's monthly sweep (遇困人员花名册).
    Sweep,
    /// 监测预警: a warning of the data platform (or `compare`).
    Warning,
    /// 12345 / 救助热线.
    Hotline,
    /// 信访.
    Petition,
    /// 部门转来: another department passed it on.
    Department,
    /// 本人或他人求助.
    Request,
}

impl DiscoveryChannel {
    pub const ALL: [DiscoveryChannel; 6] = [
        DiscoveryChannel::Sweep,
        DiscoveryChannel::Warning,
        DiscoveryChannel::Hotline,
        DiscoveryChannel::Petition,
        DiscoveryChannel::Department,
        DiscoveryChannel::Request,
    ];

    /// Reads what villages write in 发现渠道.
    pub fn parse(s: &str) -> Option<DiscoveryChannel> {
        let s = crate::domain::text::normalize_key(s);
        Some(match s.as_str() {
            "摸排走访" | "摸排" | "走访" | "入户走访" | "网格员走访" | "sweep" => {
                DiscoveryChannel::Sweep
            }
            "监测预警" | "预警" | "数据预警" | "大数据预警" | "比对预警" | "warning" => {
                DiscoveryChannel::Warning
            }
            "12345" | "救助热线" | "热线" | "12345热线" | "12345/救助热线" | "社会救助热线" | "hotline" => {
                DiscoveryChannel::Hotline
            }
            "信访" | "来信来访" | "petition" => DiscoveryChannel::Petition,
            "部门转来" | "部门转介" | "部门推送" | "department" => DiscoveryChannel::Department,
            "本人或他人求助" | "本人求助" | "他人求助" | "求助" | "本人申请" | "request" => {
                DiscoveryChannel::Request
            }
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DiscoveryChannel::Sweep => "sweep",
            DiscoveryChannel::Warning => "warning",
            DiscoveryChannel::Hotline => "hotline",
            DiscoveryChannel::Petition => "petition",
            DiscoveryChannel::Department => "department",
            DiscoveryChannel::Request => "request",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            DiscoveryChannel::Sweep => "摸排走访",
            DiscoveryChannel::Warning => "监测预警",
            DiscoveryChannel::Hotline => "12345/救助热线",
            DiscoveryChannel::Petition => "信访",
            DiscoveryChannel::Department => "部门转来",
            DiscoveryChannel::Request => "本人或他人求助",
        }
    }
}

/// Where a discovery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscoveryStatus {
    /// Not yet investigated to the 三个不放过 (待调查).
    Open,
    /// Investigated; its outcome is still being followed (the case not yet decided, the referral not answered).
    Following,
    /// Done (已办结).
    Closed,
}

impl DiscoveryStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            DiscoveryStatus::Open => "待调查",
            DiscoveryStatus::Following => "跟踪办理中",
            DiscoveryStatus::Closed => "已办结",
        }
    }
}

/// What an investigation proposes (处理结果): the 对策 the third 不放过 asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscoveryOutcome {
    /// 协助申请: the township helps the household apply; the case follows.
    Assisted,
    /// 转介: to another department (医疗/教育/住房/就业 救助).
    Referral,
    /// 先行救助: urgent help first, approval after (急难).
    Urgent,
    /// 纳入监测: into the monitored low-income population.
    Monitoring,
    /// 无需救助: with the reason, and the policy explained (做好政策解释).
    NoAssistance,
}

impl DiscoveryOutcome {
    pub const ALL: [DiscoveryOutcome; 5] = [
        DiscoveryOutcome::Assisted,
        DiscoveryOutcome::Referral,
        DiscoveryOutcome::Urgent,
        DiscoveryOutcome::Monitoring,
        DiscoveryOutcome::NoAssistance,
    ];

    pub fn parse(s: &str) -> Option<DiscoveryOutcome> {
        let s = crate::domain::text::normalize_key(s);
        Some(match s.as_str() {
            "协助申请" | "引导申请" | "帮助申请" | "assisted" => DiscoveryOutcome::Assisted,
            "转介" | "转介部门" | "转办" | "referral" => DiscoveryOutcome::Referral,
            "先行救助" | "急难" | "急难救助" | "紧急救助" | "urgent" => DiscoveryOutcome::Urgent,
            "纳入监测" | "动态监测" | "纳入低收入人口监测" | "monitoring" => {
                DiscoveryOutcome::Monitoring
            }
            "无需救助" | "不需救助" | "不符合条件" | "no_assistance" => DiscoveryOutcome::NoAssistance,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DiscoveryOutcome::Assisted => "assisted",
            DiscoveryOutcome::Referral => "referral",
            DiscoveryOutcome::Urgent => "urgent",
            DiscoveryOutcome::Monitoring => "monitoring",
            DiscoveryOutcome::NoAssistance => "no_assistance",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            DiscoveryOutcome::Assisted => "协助申请",
            DiscoveryOutcome::Referral => "转介",
            DiscoveryOutcome::Urgent => "先行救助",
            DiscoveryOutcome::Monitoring => "纳入监测",
            DiscoveryOutcome::NoAssistance => "无需救助",
        }
    }
}

/// `discoveries.csv`: people found in difficulty (遇困人员), from a village's sweep, a data warning, the hotline,
/// a petition, a department or a request for help. Key: `discovery_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Discovery {
    /// `D-` + 16 hex of SHA-256(ID number, date found, channel): the same row is always the same discovery.
    pub discovery_id: String,
    #[serde(with = "crate::domain::record::date_field")]
    pub found_on: NaiveDate,
    pub channel: DiscoveryChannel,
    pub name: Text,
    pub id_number: IdNumber,
    pub township: Text,
    pub village: Text,
    /// The difficulty described (困难情况).
    pub difficulty: Text,
    /// Who reported it (报告人: the village's 信息员, the platform, the department …).
    pub reported_by: Text,
    /// The investigation is due by then: `found_on` + the channel's working days (`discovery.due_working_days`).
    #[serde(with = "crate::domain::record::date_field")]
    pub due_on: NaiveDate,
    pub status: DiscoveryStatus,
    /// The outcome of the investigation that closed the 三个不放过 (empty while open).
    pub outcome: Option<DiscoveryOutcome>,
    /// The date of that investigation.
    #[serde(with = "crate::domain::record::date_field::option")]
    pub investigated_on: Option<NaiveDate>,
    /// The case an assisted application or urgent help became (empty until the case is in `cases.csv`).
    pub case_id: String,
    /// The investigation worksheet the open discovery is on (its batch ID).
    pub batch: String,
    pub file_sha256: String,
    pub row: u32,
}

impl Record for Discovery {
    const FILE: &'static str = "discoveries.csv";
    const COLUMNS: &'static [&'static str] = &[
        "discovery_id",
        "found_on",
        "channel",
        "name",
        "id_number",
        "township",
        "village",
        "difficulty",
        "reported_by",
        "due_on",
        "status",
        "outcome",
        "investigated_on",
        "case_id",
        "batch",
        "file_sha256",
        "row",
    ];
    fn key(&self) -> String {
        self.discovery_id.clone()
    }
}

/// `investigations.csv`: the home investigations (入户调查评估) of discoveries, one row per visit, as the
/// worksheet came back. A visit that does not meet the 三个不放过 is recorded with `closes` false and its `gaps`.
/// Key: `investigation_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Investigation {
    /// `V-` + 16 hex of SHA-256(discovery, date, investigators).
    pub investigation_id: String,
    pub discovery_id: String,
    #[serde(with = "crate::domain::record::date_field")]
    pub investigated_on: NaiveDate,
    /// Names joined by `、`.
    pub investigators: Text,
    pub investigator_count: u32,
    /// 见到本人: the person was seen at the door.
    pub seen: bool,
    /// 调查情况: the situation found.
    pub situation: Text,
    /// 对策建议: the measure proposed.
    pub measures: Text,
    pub outcome: Option<DiscoveryOutcome>,
    /// 转介部门 (for a referral).
    pub department: Text,
    /// 申请类别, a scheme key (for an assisted application or urgent help).
    pub scheme: String,
    /// 监测类别 (for monitoring).
    pub category: Text,
    pub difficulty_class: Option<DifficultyClass>,
    /// 原因: why no assistance is needed.
    pub reason: Text,
    /// 已做政策解释.
    pub explained: bool,
    /// Whether the visit met the 三个不放过 and closed the investigation.
    pub closes: bool,
    /// What kept it open (the 不放过 not met, in Chinese, joined by `; `).
    pub gaps: Text,
    pub batch: String,
}

impl Record for Investigation {
    const FILE: &'static str = "investigations.csv";
    const COLUMNS: &'static [&'static str] = &[
        "investigation_id",
        "discovery_id",
        "investigated_on",
        "investigators",
        "investigator_count",
        "seen",
        "situation",
        "measures",
        "outcome",
        "department",
        "scheme",
        "category",
        "difficulty_class",
        "reason",
        "explained",
        "closes",
        "gaps",
        "batch",
    ];
    fn key(&self) -> String {
        self.investigation_id.clone()
    }
}

/// `referrals.csv`: a discovery referred to another department (转介, 一门受理、协同办理), and its answer.
/// Key: `referral_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Referral {
    /// `R-` + 16 hex of SHA-256(discovery, department).
    pub referral_id: String,
    pub discovery_id: String,
    /// The department, as the policy names it (`discovery.departments`).
    pub department: Text,
    #[serde(with = "crate::domain::record::date_field")]
    pub sent_on: NaiveDate,
    /// The answer is due by then (`discovery.referral_due_working_days`).
    #[serde(with = "crate::domain::record::date_field")]
    pub due_on: NaiveDate,
    #[serde(with = "crate::domain::record::date_field::option")]
    pub answered_on: Option<NaiveDate>,
    /// The department's answer (办理结果).
    pub answer: Text,
    /// The referral worksheet the unanswered referral is on (its batch ID).
    pub batch: String,
}

impl Record for Referral {
    const FILE: &'static str = "referrals.csv";
    const COLUMNS: &'static [&'static str] = &[
        "referral_id",
        "discovery_id",
        "department",
        "sent_on",
        "due_on",
        "answered_on",
        "answer",
        "batch",
    ];
    fn key(&self) -> String {
        self.referral_id.clone()
    }
}

/// Why a household is monitored (监测类别).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonitorCategory {
    /// 低保边缘家庭.
    Edge,
    /// 支出型困难家庭.
    Expenditure,
    /// 脱贫不稳定户 (边缘易致贫户).
    Unstable,
    /// 曾申请未获批准.
    Refused,
    /// 其他困难家庭.
    Other,
}

impl MonitorCategory {
    pub const ALL: [MonitorCategory; 5] = [
        MonitorCategory::Edge,
        MonitorCategory::Expenditure,
        MonitorCategory::Unstable,
        MonitorCategory::Refused,
        MonitorCategory::Other,
    ];

    pub fn parse(s: &str) -> Option<MonitorCategory> {
        let s = crate::domain::text::normalize_key(s);
        Some(match s.as_str() {
            "低保边缘家庭" | "低保边缘" | "低保边缘户" | "edge" => MonitorCategory::Edge,
            "支出型困难家庭" | "支出型困难" | "支出型" | "expenditure" => MonitorCategory::Expenditure,
            "脱贫不稳定户" | "脱贫不稳定" | "边缘易致贫户" | "易返贫致贫" | "unstable" => {
                MonitorCategory::Unstable
            }
            "曾申请未获批准" | "申请未获批准" | "未获批准" | "refused" => MonitorCategory::Refused,
            "其他困难家庭" | "其他" | "other" => MonitorCategory::Other,
            _ => return None,
        })
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            MonitorCategory::Edge => "低保边缘家庭",
            MonitorCategory::Expenditure => "支出型困难家庭",
            MonitorCategory::Unstable => "脱贫不稳定户",
            MonitorCategory::Refused => "曾申请未获批准",
            MonitorCategory::Other => "其他困难家庭",
        }
    }
}

/// `monitored.csv`: the monitored low-income population (低收入人口动态监测), one row per household, by its
/// head's ID number. Key: `id_number`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Monitored {
    pub id_number: IdNumber,
    pub name: Text,
    pub township: Text,
    pub village: Text,
    pub category: MonitorCategory,
    pub difficulty_class: DifficultyClass,
    /// The rule that put the household here (an investigation's outcome, the 低保边缘 income rule at `decide` …).
    pub rule: Text,
    #[serde(with = "crate::domain::record::date_field")]
    pub since: NaiveDate,
    /// The discovery or case it came from.
    pub discovery_id: String,
    pub case_id: String,
    /// The last follow-up visit (回访, `intake --kind followups`), and the per-capita monthly income it found.
    #[serde(with = "crate::domain::record::date_field::option")]
    pub last_visit_on: Option<NaiveDate>,
    pub per_capita_income: Option<crate::domain::money::Fen>,
}

impl Record for Monitored {
    const FILE: &'static str = "monitored.csv";
    const COLUMNS: &'static [&'static str] = &[
        "id_number",
        "name",
        "township",
        "village",
        "category",
        "difficulty_class",
        "rule",
        "since",
        "discovery_id",
        "case_id",
        "last_visit_on",
        "per_capita_income",
    ];
    fn key(&self) -> String {
        self.id_number.as_str().to_string()
    }
}
