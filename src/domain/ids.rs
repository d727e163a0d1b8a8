//! The IDs of the records a county's work is traced by, in one place: each is derived from what the record is
//! (never a counter, a clock or chance), so the same input always gets the same ID and an auditor can recompute
//! it, and none shows personal data. Decisions' and recoveries' IDs sit with their rules
//! ([`crate::domain::decision::decision_id`], [`crate::domain::recovery::recovery_id`]) and are re-exported here.

use crate::domain::date::Period;
use crate::domain::digest::sha256_hex;
use crate::domain::id_number::IdNumber;

pub use crate::domain::decision::decision_id;
pub use crate::domain::recovery::recovery_id;

/// A case's ID: the scheme's code, the application's year, and 12 upper-case hex digits of SHA-256 over the
/// head's ID number, the scheme and the application date — the same application always gets the same ID.
pub fn case_id(scheme_code: &str, head: &IdNumber, scheme: &str, applied_on: chrono::NaiveDate) -> String {
    let h = sha256_hex(format!("{}|{}|{}", head.as_str(), scheme, applied_on).as_bytes());
    format!("{scheme_code}-{}-{}", applied_on.format("%Y"), &h[..12].to_uppercase())
}

/// A payment's ID: `P-` and 12 upper-case hex digits of SHA-256 over the case, the month paid and `n`, the
/// number of the case's payments for that month before it (0 for the month's payment, 1 for its first reissue …).
pub fn payment_id(case_id: &str, month: Period, n: usize) -> String {
    let h = sha256_hex(format!("{case_id}|{month}|{n}").as_bytes());
    format!("P-{}", h[..12].to_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_say_nothing_personal() {
        let head = crate::domain::id_number::parse("130199197803150132").unwrap();
        let on = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let a = case_id("CD", &head, "urban_dibao", on);
        assert_eq!(a, case_id("CD", &head, "urban_dibao", on));
        assert!(a.starts_with("CD-2026-") && a.len() == 20, "{a}");
        assert!(!a.contains("130199"));
        assert_ne!(a, case_id("CD", &head, "urban_dibao", on.succ_opt().unwrap()));
        assert_ne!(a, case_id("CD", &head, "rural_dibao", on));
        let m = Period::parse("2026-11").unwrap();
        let p = payment_id(&a, m, 0);
        assert!(p.starts_with("P-") && p.len() == 14, "{p}");
        assert_eq!(p, payment_id(&a, m, 0));
        assert_ne!(p, payment_id(&a, m, 1), "a reissue is another payment");
        assert_ne!(p, payment_id(&a, m.next(), 0));
    }
}
