//! The rules of active discovery (主动发现), pure: when an investigation is due (working days per channel), whether
//! a home investigation closes a discovery (三个不放过), and the 低保边缘 line of the monitored population.

use chrono::NaiveDate;

use crate::domain::benefit::Basis;
use crate::domain::date::add_working_days;
use crate::domain::money::Fen;
use crate::domain::policy::DiscoveryRules;
use crate::domain::records::{
    Discovery, DiscoveryChannel, DiscoveryOutcome, DiscoveryStatus, Investigation, MonitorCategory, Referral,
};

/// The date a discovery's home investigation is due: `found_on` plus the channel's working days.
pub fn due_on(
    found_on: NaiveDate,
    channel: DiscoveryChannel,
    rules: &DiscoveryRules,
    holidays: &[NaiveDate],
    extra_workdays: &[NaiveDate],
) -> NaiveDate {
    add_working_days(found_on, rules.working_days(channel), holidays, extra_workdays)
}

/// Why a home investigation does not close its discovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Gap {
    /// 走访到户不见人不放过: the person was not seen.
    NotSeen,
    /// 困难情况不调查清楚不放过: no situation written.
    Unclear,
    /// 针对问题不提出对策建议不放过: no measure, or no outcome.
    NoMeasure,
    /// Fewer investigators than the policy asks.
    TooFewInvestigators,
    /// A referral to no department the policy names.
    NoDepartment,
    /// 无需救助 without the reason, or without the policy explained (做好政策解释).
    NotExplained,
    /// 协助申请 / 先行救助 without a scheme.
    NoScheme,
    /// 纳入监测 without a category or a class of difficulty.
    NoCategory,
}

impl Gap {
    pub fn label_zh(self) -> &'static str {
        match self {
            Gap::NotSeen => "走访到户未见到本人 (走访到户不见人不放过)",
            Gap::Unclear => "困难情况未调查清楚 (困难情况不调查清楚不放过)",
            Gap::NoMeasure => "未提出对策建议或处理结果 (针对问题不提出对策建议不放过)",
            Gap::TooFewInvestigators => "调查人员不足",
            Gap::NoDepartment => "转介未写明政策规定的部门",
            Gap::NotExplained => "无需救助但未写明原因或未做政策解释",
            Gap::NoScheme => "协助申请或先行救助未写明申请类别",
            Gap::NoCategory => "纳入监测未写明监测类别和困难类别",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Gap::NotSeen => "the person was not seen",
            Gap::Unclear => "the situation was not established",
            Gap::NoMeasure => "no measure or outcome was proposed",
            Gap::TooFewInvestigators => "too few investigators",
            Gap::NoDepartment => "a referral names no department of the policy",
            Gap::NotExplained => "no assistance, but no reason or the policy not explained",
            Gap::NoScheme => "an assisted application or urgent help names no scheme",
            Gap::NoCategory => "monitoring names no category or class of difficulty",
        }
    }
}

/// What a home investigation found, as the rule reads it.
#[derive(Debug, Clone, Default)]
pub struct Visit<'a> {
    pub investigators: usize,
    pub seen: bool,
    pub situation: &'a str,
    pub measures: &'a str,
    pub outcome: Option<DiscoveryOutcome>,
    /// The department, when it is one of the policy's.
    pub department_known: bool,
    pub scheme_known: bool,
    pub category_known: bool,
    pub reason: &'a str,
    pub explained: bool,
}

/// The 三个不放过 and the policy's other conditions a visit must meet to close its discovery; empty when it does.
pub fn gaps(v: &Visit, rules: &DiscoveryRules) -> Vec<Gap> {
    let mut out = Vec::new();
    if !v.seen {
        out.push(Gap::NotSeen);
    }
    if v.situation.trim().is_empty() {
        out.push(Gap::Unclear);
    }
    if v.measures.trim().is_empty() || v.outcome.is_none() {
        out.push(Gap::NoMeasure);
    }
    if (v.investigators as u32) < rules.min_investigators {
        out.push(Gap::TooFewInvestigators);
    }
    match v.outcome {
        Some(DiscoveryOutcome::Referral) if !v.department_known => out.push(Gap::NoDepartment),
        Some(DiscoveryOutcome::NoAssistance) if v.reason.trim().is_empty() || !v.explained => {
            out.push(Gap::NotExplained)
        }
        Some(DiscoveryOutcome::Assisted | DiscoveryOutcome::Urgent) if !v.scheme_known => out.push(Gap::NoScheme),
        Some(DiscoveryOutcome::Monitoring) if !v.category_known => out.push(Gap::NoCategory),
        _ => {}
    }
    out
}

/// Discoveries not investigated by their due date, as of a date (open and `due_on` before `as_of`), earliest due
/// first.
pub fn overdue(discoveries: &[Discovery], as_of: NaiveDate) -> Vec<&Discovery> {
    let mut out: Vec<&Discovery> = discoveries
        .iter()
        .filter(|d| d.status == DiscoveryStatus::Open && d.due_on < as_of)
        .collect();
    out.sort_by(|a, b| (a.due_on, &a.discovery_id).cmp(&(b.due_on, &b.discovery_id)));
    out
}

/// Referrals unanswered past their due date, earliest due first.
pub fn overdue_referrals(referrals: &[Referral], as_of: NaiveDate) -> Vec<&Referral> {
    let mut out: Vec<&Referral> = referrals
        .iter()
        .filter(|r| r.answered_on.is_none() && r.due_on < as_of)
        .collect();
    out.sort_by(|a, b| (a.due_on, &a.referral_id).cmp(&(b.due_on, &b.referral_id)));
    out
}

/// Assisted applications and urgent help whose case is not yet in the ledgers (the household still to be
/// registered), in the order of the ledger.
pub fn awaiting_case(discoveries: &[Discovery]) -> Vec<&Discovery> {
    discoveries
        .iter()
        .filter(|d| {
            d.status == DiscoveryStatus::Following
                && matches!(d.outcome, Some(DiscoveryOutcome::Assisted | DiscoveryOutcome::Urgent))
                && d.case_id.is_empty()
        })
        .collect()
}

/// Whether a discovery was investigated in time: closed by a visit on or before its due date.
pub fn in_time(d: &Discovery) -> bool {
    d.investigated_on.is_some_and(|on| on <= d.due_on)
}

/// The 低保边缘 line: `percent` of the monthly 低保 standard, rounded down to the fen (a line, not a payment).
pub fn edge_line(standard: Fen, percent: u32) -> Fen {
    Fen(standard.0 * i64::from(percent) / 100)
}

/// Whether a household of `per_capita` monthly income is 低保边缘: above the standard (else it is under the 低保
/// line) and at most the edge line.
pub fn is_edge(per_capita: Fen, standard: Fen, percent: u32) -> bool {
    per_capita > standard && per_capita <= edge_line(standard, percent)
}

/// Where a household refused at `decide` belongs in the monitored population, from its decision's basis: its
/// income net of the counted deduction per head above the 低保 standard and at most the edge line is 低保边缘家庭;
/// at or under the standard (refused on other grounds: assets, a registry, a check) it is 曾申请未获批准; above the
/// edge line it is not monitored. Compared without division (net ≤ line × members).
pub fn refused_category(basis: &Basis, percent: u32) -> Option<MonitorCategory> {
    let members = i64::try_from(basis.members.max(1)).unwrap_or(i64::MAX);
    let net = (basis.income.0 - basis.deduction.0).max(0);
    let line = edge_line(basis.standard, percent).0.saturating_mul(members);
    if net > line {
        None
    } else if net > basis.standard.0.saturating_mul(members) {
        Some(MonitorCategory::Edge)
    } else {
        Some(MonitorCategory::Refused)
    }
}

/// Whether a monitored household's situation has fallen under the 低保 line (per-capita income below the
/// standard), so it is prompted to apply.
pub fn under_dibao_line(per_capita: Fen, standard: Fen) -> bool {
    per_capita < standard
}

/// Audit: assisted applications and urgent help whose case is missing — closed with no case, or linked to a case
/// `case_exists` does not know. (One still followed without a case is waiting for its register, not a breach.)
pub fn without_case(discoveries: &[Discovery], case_exists: impl Fn(&str) -> bool) -> Vec<&Discovery> {
    discoveries
        .iter()
        .filter(|d| matches!(d.outcome, Some(DiscoveryOutcome::Assisted | DiscoveryOutcome::Urgent)))
        .filter(|d| {
            if d.case_id.is_empty() {
                d.status == DiscoveryStatus::Closed
            } else {
                !case_exists(&d.case_id)
            }
        })
        .collect()
}

/// The visit as the rule reads it, from its row of `investigations.csv`.
pub fn visit_of<'a>(v: &'a Investigation, rules: &DiscoveryRules) -> Visit<'a> {
    Visit {
        investigators: v.investigator_count as usize,
        seen: v.seen,
        situation: v.situation.as_str(),
        measures: v.measures.as_str(),
        outcome: v.outcome,
        department_known: rules.departments.iter().any(|x| x == v.department.as_str()),
        scheme_known: !v.scheme.is_empty(),
        category_known: !v.category.is_empty() && v.difficulty_class.is_some(),
        reason: v.reason.as_str(),
        explained: v.explained,
    }
}

/// Audit: discoveries investigated (followed or closed) with no visit of theirs on that date that meets the 三个不放过
/// and gives that outcome — closed against the rules (a ledger edited by hand, or a visit that fell short).
pub fn closed_against_rules<'a>(
    discoveries: &'a [Discovery],
    investigations: &[Investigation],
    rules: &DiscoveryRules,
) -> Vec<&'a Discovery> {
    discoveries
        .iter()
        .filter(|d| d.status != DiscoveryStatus::Open)
        .filter(|d| {
            !investigations.iter().any(|v| {
                v.discovery_id == d.discovery_id
                    && Some(v.investigated_on) == d.investigated_on
                    && v.outcome == d.outcome
                    && gaps(&visit_of(v, rules), rules).is_empty()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_limit_is_counted_in_working_days_per_channel() {
        let rules = DiscoveryRules::default();
        // Monday 2026-11-02 + 3 working days (hotline) = Thursday; + 10 (sweep) = Monday two weeks on.
        assert_eq!(
            due_on(d(2026, 11, 2), DiscoveryChannel::Hotline, &rules, &[], &[]),
            d(2026, 11, 5)
        );
        assert_eq!(
            due_on(d(2026, 11, 2), DiscoveryChannel::Sweep, &rules, &[], &[]),
            d(2026, 11, 16)
        );
        // A holiday moves it on.
        assert_eq!(
            due_on(
                d(2026, 11, 2),
                DiscoveryChannel::Hotline,
                &rules,
                &[d(2026, 11, 4)],
                &[]
            ),
            d(2026, 11, 6)
        );
    }

    #[test]
    fn a_visit_closes_only_under_the_three_not_let_go() {
        let rules = DiscoveryRules::default();
        let full = Visit {
            investigators: 2,
            seen: true,
            situation: "独居老人, 无收入",
            measures: "协助申请低保",
            outcome: Some(DiscoveryOutcome::Assisted),
            scheme_known: true,
            ..Visit::default()
        };
        assert!(gaps(&full, &rules).is_empty());
        let unseen = Visit {
            seen: false,
            ..full.clone()
        };
        assert_eq!(gaps(&unseen, &rules), vec![Gap::NotSeen]);
        let unclear = Visit {
            situation: " ",
            ..full.clone()
        };
        assert_eq!(gaps(&unclear, &rules), vec![Gap::Unclear]);
        let no_measure = Visit {
            measures: "",
            ..full.clone()
        };
        assert_eq!(gaps(&no_measure, &rules), vec![Gap::NoMeasure]);
        let alone = Visit {
            investigators: 1,
            ..full.clone()
        };
        assert_eq!(gaps(&alone, &rules), vec![Gap::TooFewInvestigators]);
        let unexplained = Visit {
            outcome: Some(DiscoveryOutcome::NoAssistance),
            reason: "收入超过低保标准",
            explained: false,
            ..full.clone()
        };
        assert_eq!(gaps(&unexplained, &rules), vec![Gap::NotExplained]);
        let explained = Visit {
            explained: true,
            ..unexplained
        };
        assert!(gaps(&explained, &rules).is_empty());
        let nowhere = Visit {
            outcome: Some(DiscoveryOutcome::Referral),
            ..full
        };
        assert_eq!(gaps(&nowhere, &rules), vec![Gap::NoDepartment]);
    }

    #[test]
    fn the_edge_line_is_a_percent_of_the_standard() {
        let standard = Fen(70_000);
        assert_eq!(edge_line(standard, 150), Fen(105_000));
        assert!(is_edge(Fen(105_000), standard, 150));
        assert!(is_edge(Fen(70_001), standard, 150));
        assert!(
            !is_edge(Fen(70_000), standard, 150),
            "under the 低保 line is not the edge"
        );
        assert!(!is_edge(Fen(105_001), standard, 150));
    }

    #[test]
    fn a_refusal_is_monitored_by_its_income_per_head() {
        let basis = |members: usize, income: i64, deduction: i64| Basis {
            members,
            income: Fen(income),
            deduction: Fen(deduction),
            standard: Fen(70_000),
            standard_from: d(2026, 1, 1),
            household: None,
        };
        // 2 people, 1500 a month: 750 each, above 700 and under 1050.
        assert_eq!(
            refused_category(&basis(2, 150_000, 0), 150),
            Some(MonitorCategory::Edge)
        );
        // At the edge line exactly: still the edge.
        assert_eq!(
            refused_category(&basis(2, 210_000, 0), 150),
            Some(MonitorCategory::Edge)
        );
        assert_eq!(refused_category(&basis(2, 210_001, 0), 150), None);
        // The deduction counts: 2200 − 300 = 1900 for 2 is under the line.
        assert_eq!(
            refused_category(&basis(2, 220_000, 30_000), 150),
            Some(MonitorCategory::Edge)
        );
        // Under the standard (refused for something else): 曾申请未获批准.
        assert_eq!(
            refused_category(&basis(3, 90_000, 0), 150),
            Some(MonitorCategory::Refused)
        );
        assert!(under_dibao_line(Fen(69_999), Fen(70_000)));
        assert!(!under_dibao_line(Fen(70_000), Fen(70_000)));
    }

    fn discovery(id: &str, status: DiscoveryStatus, outcome: Option<DiscoveryOutcome>, case: &str) -> Discovery {
        Discovery {
            discovery_id: id.into(),
            found_on: d(2026, 11, 2),
            channel: DiscoveryChannel::Sweep,
            name: Default::default(),
            id_number: "130199194803120028".parse().unwrap(),
            township: Default::default(),
            village: Default::default(),
            difficulty: Default::default(),
            reported_by: Default::default(),
            due_on: d(2026, 11, 16),
            status,
            outcome,
            investigated_on: (status != DiscoveryStatus::Open).then(|| d(2026, 11, 10)),
            case_id: case.into(),
            batch: String::new(),
            file_sha256: String::new(),
            row: 0,
        }
    }

    #[test]
    fn an_assisted_application_must_have_its_case() {
        use DiscoveryOutcome::*;
        use DiscoveryStatus::*;
        let all = [
            discovery("D-1", Following, Some(Assisted), ""),
            discovery("D-2", Closed, Some(Assisted), ""),
            discovery("D-3", Closed, Some(Urgent), "C-GONE"),
            discovery("D-4", Closed, Some(Assisted), "C-1"),
            discovery("D-5", Closed, Some(NoAssistance), ""),
        ];
        let ids: Vec<&str> = without_case(&all, |c| c == "C-1")
            .iter()
            .map(|d| d.discovery_id.as_str())
            .collect();
        assert_eq!(ids, ["D-2", "D-3"], "waiting for its register (D-1) is no breach");
        assert_eq!(awaiting_case(&all).len(), 1);
    }

    #[test]
    fn a_discovery_closes_only_by_a_visit_that_meets_the_rules() {
        let rules = DiscoveryRules::default();
        let closed = discovery("D-1", DiscoveryStatus::Closed, Some(DiscoveryOutcome::NoAssistance), "");
        let visit = Investigation {
            investigation_id: "V-1".into(),
            discovery_id: "D-1".into(),
            investigated_on: d(2026, 11, 10),
            investigators: "刘明、王芳".into(),
            investigator_count: 2,
            seen: true,
            situation: "子女赡养, 收入高于标准".into(),
            measures: "政策解释".into(),
            outcome: Some(DiscoveryOutcome::NoAssistance),
            department: Default::default(),
            scheme: String::new(),
            category: Default::default(),
            difficulty_class: None,
            reason: "收入高于低保标准".into(),
            explained: true,
            closes: true,
            gaps: Default::default(),
            batch: String::new(),
        };
        let one = std::slice::from_ref(&closed);
        assert!(closed_against_rules(one, std::slice::from_ref(&visit), &rules).is_empty());
        // Not seen: the 三个不放过 are not met, whatever `closes` says.
        let unseen = Investigation {
            seen: false,
            ..visit.clone()
        };
        assert_eq!(closed_against_rules(one, &[unseen], &rules).len(), 1);
        // No visit at all.
        assert_eq!(closed_against_rules(one, &[], &rules).len(), 1);
        // Open discoveries are not judged here (overdue is).
        let open = discovery("D-2", DiscoveryStatus::Open, None, "");
        assert!(closed_against_rules(std::slice::from_ref(&open), &[], &rules).is_empty());
    }
}
