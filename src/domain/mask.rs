//! Masking (脱敏) the numbers that identify a person, for messages and workbooks: one rule per kind of number.
//! A message never shows a whole ID number, bank account or phone number — it names the row instead, and the
//! clerk has the register. ID numbers are masked by [`crate::domain::id_number::mask_any`] (also [`id`] here);
//! bank accounts and phone numbers here; [`cell`] masks a cell whose kind is not known by what it looks like.

use crate::domain::id_number;
use crate::domain::text;

/// An ID number: its first 6 and last 4 characters (`130199********0015`). See [`id_number::mask_any`].
pub fn id(raw: &str) -> String {
    id_number::mask_any(raw)
}

/// Every character `*` but those in `keep` (by position).
fn keep(chars: &[char], keep: impl Fn(usize) -> bool) -> String {
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if keep(i) { c } else { '*' })
        .collect()
}

/// A bank account: a card number (15 characters or more) keeps its first 6 (the bank's BIN) and last 4
/// (`622953*********0001`), a shorter account its last 4, one of 7 characters or fewer nothing.
pub fn account(raw: &str) -> String {
    let chars: Vec<char> = text::normalize(raw).chars().collect();
    let n = chars.len();
    match n {
        15.. => keep(&chars, |i| i < 6 || i >= n - 4),
        8..=14 => keep(&chars, |i| i >= n - 4),
        _ => keep(&chars, |_| false),
    }
}

/// A phone number: a mobile (11 digits) keeps its first 3 and last 4 (`138****1111`); another number its
/// separators and last 4 digits (`****-***4567`); one of 4 digits or fewer nothing.
pub fn phone(raw: &str) -> String {
    let chars: Vec<char> = text::normalize(raw).chars().collect();
    let digits: Vec<usize> = (0..chars.len()).filter(|&i| chars[i].is_ascii_digit()).collect();
    let n = digits.len();
    if n <= 4 {
        return keep(&chars, |i| !chars[i].is_ascii_digit());
    }
    let mobile = n == 11 && chars.len() == 11 && chars[0] == '1';
    keep(&chars, |i| match digits.iter().position(|&d| d == i) {
        None => true,
        Some(k) => (mobile && k < 3) || k >= n - 4,
    })
}

/// A cell of unknown meaning shown in a message (the row jiuzhu took for a header, say): an ID number, a phone
/// number or a bank account is masked by its kind; other text is shown as it is.
pub fn cell(raw: &str) -> String {
    let t = text::normalize(raw);
    let t = t.trim();
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let numeric = t.chars().all(|c| c.is_ascii_digit() || " -+()xX".contains(c));
    if digits < 7 || !numeric || crate::domain::date::parse_date(t).is_ok() {
        return t.to_string();
    }
    if id_number::parse(t).is_ok() {
        return id(t);
    }
    // A mobile, a landline (area code 0…, or a dash), or too short for an account.
    if (digits == 11 && t.starts_with('1')) || t.starts_with('0') || t.contains('-') || digits < 10 {
        return phone(t);
    }
    account(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_keeps_what_a_clerk_needs_and_no_more() {
        assert_eq!(id("130199197001010015"), "130199********0015");
        assert_eq!(account("6229530100000000001"), "622953*********0001");
        assert_eq!(account("1234567890"), "******7890");
        assert_eq!(account("1234567"), "*******");
        assert_eq!(phone("13800001111"), "138****1111");
        assert_eq!(phone("0311-1234567"), "****-***4567");
        assert_eq!(phone("110"), "***");
    }

    #[test]
    fn a_cell_is_masked_by_what_it_looks_like() {
        assert_eq!(cell("130199197001010015"), "130199********0015");
        assert_eq!(cell("13800001111"), "138****1111");
        assert_eq!(cell("6229530100000000001"), "622953*********0001");
        assert_eq!(cell("0311-1234567"), "****-***4567");
        assert_eq!(cell("张好"), "张好");
        assert_eq!(cell("2026-11-02"), "2026-11-02");
        assert_eq!(cell("900"), "900");
        assert_eq!(cell("城关镇东街社区1号"), "城关镇东街社区1号");
    }
}
