//! Reopening (重新申请): a household whose application was refused (不予批准) or withdrawn (申请撤回) applies again;
//! `intake` imports the new application as a new case (a new application date gives a new case ID) and the old
//! one keeps its history. The two are linked by the applicant's ID number: a case's **earlier applications** are
//! the household's cases received before it, its **later applications** those received after. No ledger holds
//! the link: it is read from `cases.csv` wherever it is shown (`explain`, `status`, the dossier), so it cannot
//! drift from the cases.

use crate::domain::records::{Case, CaseStatus};

/// Whether another case of the household came before or after this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Earlier,
    Later,
}

/// The household's other applications (same applicant), in the order they were received (date, then case ID).
pub fn household_applications<'a>(case: &Case, cases: impl IntoIterator<Item = &'a Case>) -> Vec<(&'a Case, Link)> {
    let me = (case.applied_on, case.case_id.as_str());
    let mut out: Vec<(&Case, Link)> = cases
        .into_iter()
        .filter(|c| c.case_id != case.case_id && c.applicant_id_number == case.applicant_id_number)
        .map(|c| {
            let link = if (c.applied_on, c.case_id.as_str()) < me {
                Link::Earlier
            } else {
                Link::Later
            };
            (c, link)
        })
        .collect();
    out.sort_by(|a, b| (a.0.applied_on, &a.0.case_id).cmp(&(b.0.applied_on, &b.0.case_id)));
    out
}

/// The application `case` reopens: the latest earlier one of the household that was refused or withdrawn, when
/// `case` itself is open. (An earlier case still open, or stopped after being helped, is not reopened by it.)
pub fn reopens<'a>(case: &Case, cases: impl IntoIterator<Item = &'a Case>) -> Option<&'a Case> {
    if !case.status.is_open() {
        return None;
    }
    household_applications(case, cases)
        .into_iter()
        .filter(|(c, link)| *link == Link::Earlier && matches!(c.status, CaseStatus::Rejected | CaseStatus::Withdrawn))
        .map(|(c, _)| c)
        .next_back()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::records::Text;
    use chrono::NaiveDate;

    fn case(id: &str, head: &str, applied: (i32, u32, u32), status: CaseStatus) -> Case {
        let check = crate::domain::id_number::check_character(head).unwrap();
        let head = crate::domain::id_number::parse(&format!("{head}{check}")).unwrap();
        Case {
            case_id: id.into(),
            scheme: "urban_dibao".into(),
            status,
            applicant_id_number: head,
            applicant_name: Text("甲".into()),
            region_code: "130199100".into(),
            township: Text::default(),
            village: Text::default(),
            address: Text::default(),
            phone: Text::default(),
            hukou: String::new(),
            household_size: 1,
            applied_on: NaiveDate::from_ymd_opt(applied.0, applied.1, applied.2).unwrap(),
            bank_name: Text::default(),
            bank_account: Text::default(),
            hardship_reason: Text::default(),
            materials: Text::default(),
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

    const A: &str = "11010119800101001";
    const B: &str = "11010119820202002";

    #[test]
    fn a_new_application_reopens_the_latest_refused_or_withdrawn_one_of_the_same_applicant() {
        let old = case("C1", A, (2026, 9, 1), CaseStatus::Rejected);
        let mid = case("C2", A, (2026, 10, 1), CaseStatus::Withdrawn);
        let new = case("C3", A, (2026, 11, 24), CaseStatus::Received);
        let other = case("C4", B, (2026, 10, 5), CaseStatus::Withdrawn);
        let all = [old.clone(), mid.clone(), new.clone(), other];
        let apps = household_applications(&new, &all[..]);
        assert_eq!(
            apps.iter().map(|(c, l)| (c.case_id.as_str(), *l)).collect::<Vec<_>>(),
            [("C1", Link::Earlier), ("C2", Link::Earlier)]
        );
        assert_eq!(reopens(&new, &all[..]).unwrap().case_id, "C2");
        // Seen from the old case: applied again later.
        assert_eq!(
            household_applications(&mid, &all[..])
                .iter()
                .map(|(c, l)| (c.case_id.as_str(), *l))
                .collect::<Vec<_>>(),
            [("C1", Link::Earlier), ("C3", Link::Later)]
        );
        // A closed case reopens nothing; an earlier case stopped after being helped is not reopened.
        assert!(reopens(&mid, &all[..]).is_none());
        let stopped = case("C1", A, (2026, 9, 1), CaseStatus::Stopped);
        assert!(reopens(&new, &[stopped, new.clone()][..]).is_none());
    }
}
