//! The monitored low-income population (低收入人口动态监测) as other steps feed it: households refused at `decide`
//! whose income is under the 低保边缘 line enter `monitored.csv` ([`enrol_refused`]), and a follow-up visit of a
//! monitored household that finds its income under the 低保 line raises a discovery of its own, channel 监测预警
//! ([`warning_discovery`]), so the township helps it apply.

use chrono::NaiveDate;

use crate::domain::benefit::Basis;
use crate::domain::discovery as rules;
use crate::i18n::tr;
use crate::ledger::events::sha256_hex;
use crate::ledger::{
    Case, Decision, DecisionKind, DecisionStatus, Discovery, DiscoveryChannel, DiscoveryStatus, Monitored, Text,
};
use crate::policy::Policy;

/// Enrols the households of effective refusals (不予批准) whose income per head is at most the policy's 低保边缘
/// line (`discovery.edge_percent`) and that are not monitored yet. Returns the journal lines (case, detail) of
/// those enrolled.
pub fn enrol_refused(
    policy: &Policy,
    cases: &[Case],
    decisions: &[Decision],
    monitored: &mut Vec<Monitored>,
) -> Vec<(String, String)> {
    let percent = policy.discovery.edge_percent;
    let mut out = Vec::new();
    if percent == 0 {
        return out;
    }
    for d in decisions
        .iter()
        .filter(|d| d.kind == DecisionKind::Reject && d.status == DecisionStatus::Effective)
    {
        let Some(basis) = Basis::parse(d.basis.as_str()) else {
            continue;
        };
        let Some(category) = rules::refused_category(&basis, percent) else {
            continue;
        };
        let Some(case) = cases.iter().find(|c| c.case_id == d.case_id) else {
            continue;
        };
        if monitored.iter().any(|m| m.id_number == case.applicant_id_number) {
            continue;
        }
        let line = rules::edge_line(basis.standard, percent);
        let rule = format!(
            "审批不予批准, 家庭人均收入不高于低保边缘线 {line} 元 (低保标准 {} 元的 {percent}%)",
            basis.standard
        );
        out.push((
            case.case_id.clone(),
            format!(
                "纳入低收入人口监测: {} {}; {rule}",
                case.applicant_name,
                category.label_zh()
            ),
        ));
        monitored.push(Monitored {
            id_number: case.applicant_id_number.clone(),
            name: case.applicant_name.clone(),
            township: case.township.clone(),
            village: case.village.clone(),
            category,
            difficulty_class: policy.followups.default_class,
            rule: Text(rule),
            since: d.decided_on.unwrap_or_else(|| d.period.first_day()),
            discovery_id: String::new(),
            case_id: case.case_id.clone(),
            last_visit_on: None,
            per_capita_income: None,
        });
    }
    monitored.sort_by(|a, b| a.id_number.as_str().cmp(b.id_number.as_str()));
    out
}

/// The discovery a follow-up visit raises when a monitored household's income per head has fallen under the 低保
/// line — the highest 低保 standard in force (a household of either hukou is not missed; the investigation tells
/// which applies): channel 监测预警, reported by the visitors, due within the channel's working days. None when it
/// is not under the line, or that discovery is already recorded.
pub fn warning_discovery(
    policy: &Policy,
    m: &Monitored,
    visited_on: NaiveDate,
    per_capita: crate::domain::money::Fen,
    visitors: &str,
    known: &[Discovery],
) -> Option<Discovery> {
    let standard = policy
        .schemes
        .values()
        .filter(|s| s.kind == crate::policy::SchemeKind::Dibao)
        .filter_map(|s| s.standard_on(visited_on))
        .map(|s| s.monthly(&policy.rounding))
        .max()?;
    if !rules::under_dibao_line(per_capita, standard) {
        return None;
    }
    let channel = DiscoveryChannel::Warning;
    let hash = sha256_hex(format!("{}|{visited_on}|{}", m.id_number.as_str(), channel.as_str()).as_bytes());
    let discovery_id = format!("D-{}", hash[..16].to_uppercase());
    if known.iter().any(|d| d.discovery_id == discovery_id) {
        return None;
    }
    let v = &policy.verification;
    Some(Discovery {
        discovery_id,
        found_on: visited_on,
        channel,
        name: m.name.clone(),
        id_number: m.id_number.clone(),
        township: m.township.clone(),
        village: m.village.clone(),
        difficulty: Text(format!(
            "低收入人口监测回访: 人均月收入 {per_capita} 元, 低于低保标准 {standard} 元 ({})",
            m.category.label_zh()
        )),
        reported_by: Text(format!("回访人 {visitors}")),
        due_on: rules::due_on(visited_on, channel, &policy.discovery, &v.holidays, &v.extra_workdays),
        status: DiscoveryStatus::Open,
        outcome: None,
        investigated_on: None,
        case_id: String::new(),
        batch: String::new(),
        file_sha256: String::new(),
        row: 0,
    })
}

/// What a follow-up row of a monitored household did.
pub(crate) enum MonitoredVisit {
    /// The household was visited on or after this date already (the same sheet again).
    Already,
    /// Recorded in `monitored.csv`: the journal line, and the discovery raised when its income fell under the
    /// 低保 line.
    Recorded {
        detail: String,
        raised: Option<Box<Discovery>>,
    },
}

/// The monitored household (its position in `monitored`) a follow-up row names: no 案件编号, the head's ID
/// (户主身份证号) one of `monitored.csv`, and no open case headed by it (a household with an open case is followed
/// up as a case).
pub(crate) fn monitored_of_row(
    row: &[crate::sheet::reader::Cell],
    h: &crate::sheet::reader::Header,
    cases: &[Case],
    monitored: &[Monitored],
) -> Option<usize> {
    if monitored.is_empty() || !h.text(row, "case_id").trim().is_empty() {
        return None;
    }
    let cell = h.get(row, "household_key")?;
    let id = crate::domain::id_number::parse_cell(&cell.text, cell.number.is_some()).ok()?;
    let at = monitored.iter().position(|m| m.id_number == id)?;
    let open = cases.iter().any(|c| c.applicant_id_number == id && c.status.is_open());
    (!open).then_some(at)
}

/// Records a follow-up visit of a monitored household: the date, the class of difficulty and the per-capita monthly
/// income found (人均月收入, optional) go to its row of `monitored.csv`; an income under the 低保 line raises a
/// discovery (监测预警, see [`warning_discovery`]).
pub(crate) fn visit_monitored(
    row: &[crate::sheet::reader::Cell],
    h: &crate::sheet::reader::Header,
    dates: &crate::domain::date::DateBounds,
    policy: &Policy,
    m: &mut Monitored,
    discoveries: &[Discovery],
) -> std::result::Result<MonitoredVisit, crate::cmd::followup::RowError> {
    use crate::cmd::followup::refuse;
    use crate::domain::money::Fen;
    use crate::i18n::Msg;
    let (visited_on, visitors, class) = crate::cmd::followup::visit_of_row(row, h, dates)?;
    let income = match h.get(row, "per_capita_income") {
        Some(c) if !c.is_blank() => {
            let parsed = match c.number {
                Some(v) => Fen::from_number_cell(v),
                None => Fen::parse_yuan(&c.text),
            };
            match parsed {
                Ok(f) if !f.is_negative() => Some(f),
                Ok(_) => {
                    return Err(refuse(
                        "人均月收入(元)",
                        c.text.clone(),
                        Msg::new("income is negative", "人均月收入为负数"),
                        Msg::new("write the income as 0 or more", "请填写 0 或更大的金额"),
                    ))
                }
                Err(e) => {
                    return Err(refuse(
                        "人均月收入(元)",
                        c.text.clone(),
                        Msg::new(e.to_string(), e.zh()),
                        Msg::new(
                            "write the amount in yuan, e.g. 650.50",
                            "请以元为单位填写金额, 如 650.50",
                        ),
                    ))
                }
            }
        }
        _ => None,
    };
    if m.last_visit_on.is_some_and(|last| last >= visited_on) {
        return Ok(MonitoredVisit::Already);
    }
    m.last_visit_on = Some(visited_on);
    m.difficulty_class = class;
    if income.is_some() {
        m.per_capita_income = income;
    }
    let joined = visitors.join("、");
    let raised = income
        .and_then(|f| warning_discovery(policy, m, visited_on, f, &joined, discoveries))
        .map(Box::new);
    let mut detail = format!(
        "低收入人口监测回访 {} ({}) {visited_on}: {}",
        m.name,
        m.id_number.masked(),
        class.label_zh()
    );
    if let Some(f) = income {
        detail.push_str(&format!(", 人均月收入 {f} 元"));
    }
    if let Some(d) = &raised {
        detail.push_str(&format!("; 低于低保标准, 提示申请: 主动发现 {}", d.discovery_id));
    }
    Ok(MonitoredVisit::Recorded { detail, raised })
}

/// The latest date the ledgers know (cases applied for, discoveries found and investigated, monitored households
/// enrolled and visited): the date a warning of `compare` is found on — no clock enters jiuzhu.
pub fn latest_known(cases: &[Case], discoveries: &[Discovery], monitored: &[Monitored]) -> Option<NaiveDate> {
    let a = cases.iter().map(|c| c.applied_on);
    let b = discoveries
        .iter()
        .flat_map(|d| [Some(d.found_on), d.investigated_on])
        .flatten();
    let c = monitored
        .iter()
        .flat_map(|m| [Some(m.since), m.last_visit_on])
        .flatten();
    a.chain(b).chain(c).max()
}

/// The discovery a registry row flagged by a warning rule becomes (channel 监测预警): its ID is a hash of the
/// person, the registry and the evidence, so the same row is always the same discovery and a second `compare`
/// adds nothing. The township and village are the monitored household's, when it is one (else left for the
/// township that investigates to write on the worksheet).
pub fn registry_warning(
    policy: &Policy,
    (id, name): (&crate::domain::id_number::IdNumber, &str),
    monitored: Option<&Monitored>,
    (source, label, row, evidence): (&str, &str, u32, &str),
    found_on: NaiveDate,
) -> Discovery {
    let hash = sha256_hex(format!("{}|{source}|{evidence}", id.as_str()).as_bytes());
    let channel = DiscoveryChannel::Warning;
    let v = &policy.verification;
    let name = match (name.is_empty(), monitored) {
        (false, _) => name.to_string(),
        (true, Some(m)) => m.name.to_string(),
        (true, None) => String::new(),
    };
    let mut difficulty = format!("{label}第 {row} 行");
    if !evidence.is_empty() {
        difficulty.push_str(&format!(": {evidence}"));
    }
    if let Some(m) = monitored {
        difficulty.push_str(&format!(" (低收入人口监测: {})", m.category.label_zh()));
    }
    Discovery {
        discovery_id: format!("D-{}", hash[..16].to_uppercase()),
        found_on,
        channel,
        name: Text(name),
        id_number: id.clone(),
        township: monitored.map(|m| m.township.clone()).unwrap_or_default(),
        village: monitored.map(|m| m.village.clone()).unwrap_or_default(),
        difficulty: Text(difficulty),
        reported_by: Text(format!("信息比对 ({label})")),
        due_on: rules::due_on(found_on, channel, &policy.discovery, &v.holidays, &v.extra_workdays),
        status: DiscoveryStatus::Open,
        outcome: None,
        investigated_on: None,
        case_id: String::new(),
        batch: String::new(),
        file_sha256: String::new(),
        row,
    }
}

/// When a monitored household's next follow-up visit is due: its last visit (or its enrolment) plus the months of
/// its class of difficulty (`followups.cadence_months`: 特殊困难 monthly, 一般困难 quarterly, 临时困难 half-yearly).
pub fn followup_due(policy: &Policy, m: &Monitored) -> NaiveDate {
    let from = m.last_visit_on.unwrap_or(m.since);
    from.checked_add_months(chrono::Months::new(policy.followups.months(m.difficulty_class)))
        .unwrap_or(from)
}

/// `status`'s item of the monitored population: households whose follow-up visit is overdue (a person must act).
pub fn status_items(
    policy: &Policy,
    monitored: &[Monitored],
    as_of: NaiveDate,
    jiuzhu: &str,
    push: &mut impl FnMut(&'static str, usize, String, String, bool),
) {
    let mut late: Vec<(NaiveDate, &Monitored)> = monitored
        .iter()
        .map(|m| (followup_due(policy, m), m))
        .filter(|(due, _)| *due < as_of)
        .collect();
    late.sort_by(|a, b| (a.0, a.1.id_number.as_str()).cmp(&(b.0, b.1.id_number.as_str())));
    if let Some((due, first)) = late.first() {
        push(
            "monitored_followups_overdue",
            late.len(),
            tr(
                format!(
                    "{} monitored low-income households (低收入人口监测) are overdue for a follow-up visit (earliest due \
                     {due}: {}, {})",
                    late.len(),
                    first.township,
                    first.id_number.masked()
                ),
                format!(
                    "{} 户低收入人口监测家庭逾期未回访 (最早应于 {due} 回访: {} {})",
                    late.len(),
                    first.township,
                    first.id_number.masked()
                ),
            ),
            tr(
                format!("visit them, then `{jiuzhu} intake --kind followups FILE` (户主身份证号, 人均月收入)"),
                format!("入户回访后 `{jiuzhu} intake --kind followups 文件` (户主身份证号、人均月收入)"),
            ),
            false,
        );
    }
}
