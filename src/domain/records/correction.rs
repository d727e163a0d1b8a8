//! The ledgers of corrections that are not a field of a case: `confirmations.csv` (what a person confirmed or
//! refused for a check that asks for it — 需人工确认) and `recoveries.csv` (money paid that should not have been,
//! to be recovered — 追回).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::date::Period;
use crate::domain::id_number::IdNumber;
use crate::domain::money::Fen;
use crate::domain::record::{Record, Text};

/// What a confirmation is about: the checks of `verify` that ask a person (需人工确认).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfirmSubject {
    /// 特困: the head (under 60, not a minor, work ability not 无) has no work ability and no one obliged to
    /// support them (无劳动能力、无赡养抚养扶养义务人).
    WorkAbility,
    /// A relation that the ages make doubtful (a child too close in age to the head, a spouse under the legal
    /// marriage age): the relation is as registered (户口簿, 收养证明 …).
    Relation,
}

impl ConfirmSubject {
    pub fn as_str(self) -> &'static str {
        match self {
            ConfirmSubject::WorkAbility => "work_ability",
            ConfirmSubject::Relation => "relation",
        }
    }

    /// As the correction sheet's 字段 names it.
    pub fn label_zh(self) -> &'static str {
        match self {
            ConfirmSubject::WorkAbility => "确认: 无劳动能力",
            ConfirmSubject::Relation => "确认: 家庭关系",
        }
    }
}

/// A person's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfirmResult {
    /// 属实: what the check asks to confirm is so; the check passes.
    Confirmed,
    /// 不属实: it is not so; the check fails with the reason.
    Refused,
}

impl ConfirmResult {
    /// How a sheet may write it (属实 / 确认 / 是, 不属实 / 不予确认 / 否).
    pub fn parse(s: &str) -> Option<ConfirmResult> {
        let s = crate::domain::text::normalize_key(s);
        Some(match s.as_str() {
            "属实" | "确认" | "确认属实" | "是" | "予以确认" | "confirmed" | "yes" => {
                ConfirmResult::Confirmed
            }
            "不属实" | "不予确认" | "不确认" | "否" | "refused" | "no" => ConfirmResult::Refused,
            _ => return None,
        })
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ConfirmResult::Confirmed => "属实",
            ConfirmResult::Refused => "不属实",
        }
    }
}

/// `confirmations.csv`: what a person confirmed or refused for a case under review (人工确认), from a correction
/// sheet; a later answer for the same case, subject and person replaces the earlier (the journal keeps both).
/// Key: `case_id`, `subject`, `id_number`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Confirmation {
    pub case_id: String,
    pub subject: ConfirmSubject,
    /// The person it is about (the head for `work_ability`).
    pub id_number: IdNumber,
    pub result: ConfirmResult,
    /// Why (更正原因 on the sheet): what the person saw or was shown.
    pub reason: Text,
    /// 依据: 残疾证, 医院诊断证明, 户口簿 …
    pub evidence: Text,
    /// Who confirmed (经办人).
    pub confirmed_by: Text,
    #[serde(with = "crate::domain::record::date_field")]
    pub confirmed_on: NaiveDate,
    /// The SHA-256 of the sheet it came from (kept in `inbox/`).
    pub sheet_sha256: String,
}

impl Record for Confirmation {
    const FILE: &'static str = "confirmations.csv";
    const COLUMNS: &'static [&'static str] = &[
        "case_id",
        "subject",
        "id_number",
        "result",
        "reason",
        "evidence",
        "confirmed_by",
        "confirmed_on",
        "sheet_sha256",
    ];
    fn key(&self) -> String {
        format!("{}/{}/{}", self.case_id, self.subject.as_str(), self.id_number.as_str())
    }
    fn key_cmp(&self, other: &Self) -> std::cmp::Ordering {
        crate::domain::record::cmp_joined(
            [self.case_id.as_str(), self.subject.as_str(), self.id_number.as_str()],
            [other.case_id.as_str(), other.subject.as_str(), other.id_number.as_str()],
        )
    }
}

/// Where a recovery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryStatus {
    /// 待追回: some of the amount is neither repaid nor written off.
    Open,
    /// 已结清: repaid, written off, or both, to the whole amount.
    Settled,
}

impl RecoveryStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            RecoveryStatus::Open => "待追回",
            RecoveryStatus::Settled => "已结清",
        }
    }
}

/// `recoveries.csv`: money paid that should not have been (多发, 追回): the months of a case paid above what is
/// due now, found by `disburse` (or `recover`) once a decision or a confirmed death made them so, and how they
/// were settled — repaid (退回) or written off (核销) by a named approver. Key: `recovery_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recovery {
    /// `OP-` + 12 hex of SHA-256(case|months).
    pub recovery_id: String,
    pub case_id: String,
    pub scheme: String,
    /// The months overpaid, `;`-joined (`2026-11;2026-12`).
    pub months: String,
    /// The amount to recover: what was paid for those months above what is due.
    pub amount: Fen,
    /// Why, in Chinese (the stop decision and its reason, or the death).
    pub reason: Text,
    /// The month of the batch (or the latest payment) when it was found.
    pub found_in: Period,
    pub repaid: Fen,
    pub written_off: Fen,
    pub status: RecoveryStatus,
    #[serde(with = "crate::domain::record::date_field::option")]
    pub settled_on: Option<NaiveDate>,
    /// Who recorded the last repayment, or the approver of a write-off.
    pub settled_by: Text,
    /// The write-off's reason, or the repayment's note (收据号 …).
    pub note: Text,
}

impl Recovery {
    /// What is still to recover.
    pub fn outstanding(&self) -> Fen {
        Fen(self.amount.0 - self.repaid.0 - self.written_off.0)
    }

    /// The months as periods (a month that does not parse is left out; the read refuses such a record).
    pub fn month_list(&self) -> Vec<Period> {
        self.months
            .split(';')
            .filter_map(|m| Period::parse(m.trim()).ok())
            .collect()
    }
}

impl Record for Recovery {
    const FILE: &'static str = "recoveries.csv";
    const COLUMNS: &'static [&'static str] = &[
        "recovery_id",
        "case_id",
        "scheme",
        "months",
        "amount",
        "reason",
        "found_in",
        "repaid",
        "written_off",
        "status",
        "settled_on",
        "settled_by",
        "note",
    ];
    fn key(&self) -> String {
        self.recovery_id.clone()
    }
    fn invalid(&self) -> Option<(&'static str, String)> {
        if self.months.split(';').any(|m| Period::parse(m.trim()).is_err()) {
            return Some((
                "months",
                format!("`{}` is not a list of months (2026-11;2026-12)", self.months),
            ));
        }
        if self.amount.0 <= 0 || self.repaid.is_negative() || self.written_off.is_negative() {
            return Some(("amount", "amounts must be positive".into()));
        }
        if self.outstanding().is_negative() {
            return Some((
                "repaid",
                format!(
                    "repaid {} + written off {} is more than the amount {}",
                    self.repaid, self.written_off, self.amount
                ),
            ));
        }
        let settled = self.outstanding().0 == 0;
        if settled != (self.status == RecoveryStatus::Settled) {
            return Some((
                "status",
                format!("`{:?}` with {} outstanding", self.status, self.outstanding()),
            ));
        }
        None
    }
}
