//! Resident identity card numbers (居民身份证号码, GB 11643-1999).
//!
//! The ID number is the key that links a person across every ledger (台账),
//! so a wrong or silently altered number would attach payments to the wrong
//! person. This module is the only way to obtain an [`IdNumber`]: the value is
//! validated (length, characters, province code 省级行政区划代码, birth date
//! 出生日期, and the ISO 7064 MOD 11-2 check character 校验码) and normalised
//! to the 18-character form with an upper-case `X`.
//!
//! Legacy 15-digit numbers (一代身份证, issued before 1999) are upgraded to
//! 18 characters by inserting the century `19` and computing the check
//! character.
//!
//! Spreadsheets add a special failure mode: Excel stores a number with only
//! 15 significant digits, so an 18-digit ID typed into a *number* column comes
//! back as `1.10105E+17` or `110105196501011000` — the last digits are gone
//! for good. [`parse_cell`] recognises these and returns
//! [`IdError::ExcelMangled`] so the clerk can fix the sheet instead of the
//! system guessing.
//!
//! Error messages never contain the ID number; use [`mask_any`] to quote a
//! bad input in a message.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use crate::domain::text;

/// Weights for the 17 leading digits (GB 11643-1999, ISO 7064 MOD 11-2).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check characters indexed by `weighted sum % 11`.
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// A validated 18-character resident ID number (digits, last may be `X`).
///
/// Only obtainable through [`parse`], [`parse_cell`] or [`FromStr`].
/// `Display` prints the full number; use [`IdNumber::masked`] wherever the
/// full number must not appear (logs, error messages, reports).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber(String);

/// Sex (性别) encoded in the 17th character: odd = male, even = female.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sex {
    /// 男, odd 17th digit.
    Male,
    /// 女, even 17th digit.
    Female,
}

impl Sex {
    /// "男" or "女".
    pub fn label_zh(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }

    /// "M" or "F".
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
        }
    }
}

/// Why a text is not a valid ID number. Messages never include the number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdError {
    /// The cell is empty.
    Empty,
    /// The spreadsheet stored the ID as a number and lost digits.
    ExcelMangled,
    /// Not 15 or 18 characters (after removing spaces); holds the length found.
    WrongLength(usize),
    /// A character other than digits, or `X` anywhere but the last position
    /// of an 18-character number.
    BadCharacter,
    /// The first two digits are not a province code.
    BadRegion,
    /// Characters 7–14 are not a real date on or after 1890-01-01.
    BadBirthDate,
    /// The last character does not match the check character computed from
    /// the first 17 digits (usually a typing error).
    CheckCharacter { expected: char, found: char },
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdError::Empty => write!(f, "the ID number is empty; enter the 18-character resident ID number"),
            IdError::ExcelMangled => write!(
                f,
                "the ID number was damaged by Excel: Excel converted the column to numbers and dropped the last digits; \
                 format the ID column as Text, re-enter or paste the ID numbers as text, and export again"
            ),
            IdError::WrongLength(n) => write!(
                f,
                "the ID number has {n} characters; a resident ID number has 18 (or 15 for old cards), check for missing or extra digits"
            ),
            IdError::BadCharacter => write!(
                f,
                "the ID number contains an invalid character; only digits are allowed, plus X as the last of 18 characters"
            ),
            IdError::BadRegion => write!(
                f,
                "the ID number does not start with a valid province code; check the first two digits"
            ),
            IdError::BadBirthDate => write!(
                f,
                "the ID number does not contain a valid birth date (characters 7-14 must be a real date YYYYMMDD not before 1890); check those digits"
            ),
            IdError::CheckCharacter { expected, found } => write!(
                f,
                "the ID number's check character is wrong (last character is {found}, the first 17 digits require {expected}); \
                 a digit was probably mistyped, compare it with the ID card"
            ),
        }
    }
}

impl std::error::Error for IdError {}

impl IdError {
    /// The same message in Chinese, for clerks whose locale is Chinese (`--lang zh`).
    pub fn message_zh(&self) -> String {
        match self {
            IdError::Empty => "身份证号为空: 请填写18位居民身份证号码".into(),
            IdError::ExcelMangled => {
                "身份证号已被 Excel 损坏: Excel 把该列转成了数字并丢掉了末几位; 请把身份证号列设为文本格式, \
                 重新录入或以文本粘贴后再导出"
                    .into()
            }
            IdError::WrongLength(n) => {
                format!("身份证号有 {n} 位; 居民身份证号码为18位 (老证15位), 请检查是否多位或少位")
            }
            IdError::BadCharacter => "身份证号含有无效字符; 只能是数字, 18位号码的最后一位可以是 X".into(),
            IdError::BadRegion => "身份证号开头不是有效的省级代码; 请检查前两位".into(),
            IdError::BadBirthDate => "身份证号中的出生日期 (第7–14位) 不是有效日期; 请检查这几位".into(),
            IdError::CheckCharacter { expected, found } => format!(
                "身份证号校验码错误 (最后一位是 {found}, 按前17位应为 {expected}); 可能有一位录错, 请与身份证核对"
            ),
        }
    }
}

/// Computes the check character (校验码) for 17 leading digits.
///
/// Returns `None` unless `first17` is exactly 17 ASCII digits.
pub fn check_character(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = bytes
        .iter()
        .zip(WEIGHTS.iter())
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    CHECK_CHARS.get((sum % 11) as usize).copied()
}

/// Province codes (first two digits) accepted: 11–15, 21–23, 31–37, 41–46,
/// 50–54, 61–65, 71 (Taiwan), 81 (Hong Kong), 82 (Macao).
fn is_province_code(code: u32) -> bool {
    matches!(code, 11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81 | 82)
}

fn digits_value(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses `YYYYMMDD` (8 ASCII digits) into a date on or after 1890-01-01.
fn birth_date_of(yyyymmdd: &str) -> Option<NaiveDate> {
    if yyyymmdd.len() != 8 {
        return None;
    }
    let year = i32::try_from(digits_value(yyyymmdd.get(0..4)?)?).ok()?;
    let month = digits_value(yyyymmdd.get(4..6)?)?;
    let day = digits_value(yyyymmdd.get(6..8)?)?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let earliest = NaiveDate::from_ymd_opt(1890, 1, 1)?;
    (date >= earliest).then_some(date)
}

/// Normalises the raw text: [`text::normalize`], remove all spaces, `x` → `X`.
fn clean(raw: &str) -> Cow<'_, str> {
    // Plain ASCII letters and digits (nearly every ID in a register, a registry or a ledger) are unchanged by
    // normalising: only `x` becomes `X`, and an ID without one is used as it is (a registry has millions).
    if raw.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return if raw.contains('x') {
            Cow::Owned(raw.replace('x', "X"))
        } else {
            Cow::Borrowed(raw)
        };
    }
    Cow::Owned(
        text::normalize(raw)
            .chars()
            .filter(|&c| c != ' ')
            .map(|c| if c == 'x' { 'X' } else { c })
            .collect(),
    )
}

/// Validates an already cleaned 18-character candidate.
fn validate18(s: &str) -> Result<IdNumber, IdError> {
    // `s` is known to contain only ASCII digits and 'X', 18 of them.
    let (first17, last) = s.split_at(17);
    if first17.contains('X') {
        return Err(IdError::BadCharacter);
    }
    validate_body(first17)?;
    let expected = check_character(first17).ok_or(IdError::BadCharacter)?;
    let found = last.chars().next().ok_or(IdError::WrongLength(17))?;
    if found != expected {
        return Err(IdError::CheckCharacter { expected, found });
    }
    Ok(IdNumber(s.to_owned()))
}

/// Checks province code and birth date of the 17 leading digits.
fn validate_body(first17: &str) -> Result<(), IdError> {
    let province = first17.get(0..2).and_then(digits_value).ok_or(IdError::BadCharacter)?;
    if !is_province_code(province) {
        return Err(IdError::BadRegion);
    }
    let birth = first17.get(6..14).ok_or(IdError::BadBirthDate)?;
    birth_date_of(birth).ok_or(IdError::BadBirthDate)?;
    Ok(())
}

/// Upgrades a cleaned 15-digit legacy number to 18 characters.
fn upgrade15(s: &str) -> Result<IdNumber, IdError> {
    if s.contains('X') {
        return Err(IdError::BadCharacter);
    }
    let (address, rest) = s.split_at(6);
    let first17 = format!("{address}19{rest}");
    validate_body(&first17)?;
    let check = check_character(&first17).ok_or(IdError::BadCharacter)?;
    let mut full = first17;
    full.push(check);
    Ok(IdNumber(full))
}

/// Parses and validates an ID number typed or pasted as text.
///
/// Applies [`text::normalize`] (full-width digits, odd spaces), removes all
/// spaces, turns `x` into `X`, then accepts an 18-character number with a
/// correct check character or a 15-digit legacy number (converted to 18).
///
/// Checks, in order: empty → [`IdError::Empty`]; any character other than
/// digits/`X` → [`IdError::BadCharacter`]; length not 15/18 →
/// [`IdError::WrongLength`]; `X` not in last place of 18 →
/// [`IdError::BadCharacter`]; province → [`IdError::BadRegion`]; birth date →
/// [`IdError::BadBirthDate`]; check character → [`IdError::CheckCharacter`].
///
/// This function does **not** apply the Excel heuristics; for values read
/// from spreadsheet cells use [`parse_cell`].
pub fn parse(raw: &str) -> Result<IdNumber, IdError> {
    let s = clean(raw);
    if s.is_empty() {
        return Err(IdError::Empty);
    }
    if !s.chars().all(|c| c.is_ascii_digit() || c == 'X') {
        return Err(IdError::BadCharacter);
    }
    match s.len() {
        18 => validate18(&s),
        15 => upgrade15(&s),
        n => Err(IdError::WrongLength(n)),
    }
}

/// The first character that cannot be in an ID number, after the cleaning [`parse`] does (spaces removed,
/// full-width made half-width, `x` made `X`), with its position (1-based) in what is left: what a clerk looks for
/// in the cell when [`IdError::BadCharacter`] is the reason. None when every character is a digit or an `X` in
/// the last place of 18.
pub fn offending_character(raw: &str) -> Option<(usize, char)> {
    let s = clean(raw);
    let n = s.chars().count();
    s.chars()
        .enumerate()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == 'X' && i + 1 == n && n == 18))
        .map(|(i, c)| (i + 1, c))
}

/// Says which character is at fault and where, in English and Chinese: a letter O or I typed for a zero or a
/// one is named as such.
pub fn describe_offending(position: usize, c: char) -> (String, String) {
    let (en, zh) = match c {
        'O' | 'o' => (
            format!("the letter {c} (a zero 0 was meant?)"),
            format!("字母「{c}」(是否应为数字 0?)"),
        ),
        'I' | 'l' | 'i' => (
            format!("the letter {c} (a one 1 was meant?)"),
            format!("字母「{c}」(是否应为数字 1?)"),
        ),
        'X' => (
            "X, which may only be the last of 18 characters".to_string(),
            "X, X 只能是18位号码的最后一位".to_string(),
        ),
        '０'..='９' => (format!("the full-width digit `{c}`"), format!("全角数字「{c}」")),
        c if c.is_ascii_alphabetic() => (format!("the letter {c}"), format!("字母「{c}」")),
        c if c.is_ascii_punctuation() => (format!("the sign `{c}`"), format!("符号「{c}」")),
        c => (
            format!("`{c}` (U+{:04X})", c as u32),
            format!("「{c}」(U+{:04X})", c as u32),
        ),
    };
    (
        format!("character {position} is {en}"),
        format!("第 {position} 位是{zh}"),
    )
}

/// True for Excel's scientific notation, e.g. `1.10105E+17`, `1.1e17`.
fn is_e_notation(s: &str) -> bool {
    let Some(pos) = s.find(['E', 'e']) else {
        return false;
    };
    let (mantissa, exponent) = (&s[..pos], &s[pos + 1..]);
    let exponent = exponent
        .strip_prefix('+')
        .or_else(|| exponent.strip_prefix('-'))
        .unwrap_or(exponent);
    let mut parts = mantissa.splitn(2, '.');
    let int_part = parts.next().unwrap_or("");
    let frac_part = parts.next().unwrap_or("");
    !int_part.is_empty()
        && int_part.bytes().all(|b| b.is_ascii_digit())
        && frac_part.bytes().all(|b| b.is_ascii_digit())
        && !exponent.is_empty()
        && exponent.bytes().all(|b| b.is_ascii_digit())
}

/// True for digits followed by `.0`, `.00`, … (a float rendered as text).
fn is_trailing_zero_fraction(s: &str) -> bool {
    match s.split_once('.') {
        Some((int_part, frac)) => {
            !int_part.is_empty()
                && int_part.bytes().all(|b| b.is_ascii_digit())
                && !frac.is_empty()
                && frac.bytes().all(|b| b == b'0')
        }
        None => false,
    }
}

/// Parses an ID number read from a spreadsheet cell, detecting Excel damage.
///
/// `from_number_cell` says the spreadsheet stored the cell as a number
/// (float) and `raw` is that number rendered as text. Rules, before the
/// ordinary [`parse`]:
///
/// * regardless of the flag, E-notation (`1.10105E+17`), a number with a
///   `.0`/`.00`… fraction (`110105196501011000.0`, even when the integer part
///   would be valid) and an 18-digit all-digit value ending in `000` whose
///   check character fails are [`IdError::ExcelMangled`];
/// * with `from_number_cell`, any 18-digit value is [`IdError::ExcelMangled`]
///   (an `f64` cannot hold 18 digits, even if the check happens to pass),
///   while a 15-digit legacy number is accepted (it is exact in an `f64`).
///
/// A correct 18-digit ID that ends in `000` and passes the check is valid
/// when it came from a text cell.
pub fn parse_cell(raw: &str, from_number_cell: bool) -> Result<IdNumber, IdError> {
    let s = clean(raw);
    if is_e_notation(&s) || is_trailing_zero_fraction(&s) {
        return Err(IdError::ExcelMangled);
    }
    let all_digits = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if all_digits && s.len() == 18 && from_number_cell {
        return Err(IdError::ExcelMangled);
    }
    match parse(&s) {
        Err(IdError::CheckCharacter { .. }) if all_digits && s.ends_with("000") => Err(IdError::ExcelMangled),
        other => other,
    }
}

/// The birth date an ID number's characters 7–14 spell (a 15-digit number's 7–12, in the 1900s), whether or not
/// the number validates. A number with one digit mistyped fails its check character, but still says when its
/// holder was born unless the typo is in the date: enough to look them up by name and birth date (a lead for a
/// person to confirm, never a match by itself). None when those characters are no date.
pub fn birth_date_in(raw: &str) -> Option<NaiveDate> {
    let s = clean(raw);
    match s.len() {
        18 => birth_date_of(s.get(6..14)?),
        15 => birth_date_of(&format!("19{}", s.get(6..12)?)),
        _ => None,
    }
}

/// Masks any text for use in error messages.
///
/// The text is [`text::normalize`]d; the result has one `*` per hidden
/// character. With 15 or more characters the first 6 and last 4 are kept
/// (`110105********123X`); with 10–14 the first 3 and last 2; shorter text is
/// entirely `*`. At most 10 characters are ever revealed, and at least 5 are
/// always hidden.
pub fn mask_any(raw: &str) -> String {
    let chars: Vec<char> = text::normalize(raw).chars().collect();
    let n = chars.len();
    let (head, tail) = match n {
        15.. => (6, 4),
        10..=14 => (3, 2),
        _ => (0, 0),
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if i < head || i >= n - tail { c } else { '*' })
        .collect()
}

impl IdNumber {
    /// The 18-character number.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit administrative division code (行政区划代码) of the
    /// registration address.
    pub fn address_code(&self) -> &str {
        self.0.get(0..6).unwrap_or("")
    }

    /// The 2-digit province code (e.g. `"11"` for Beijing).
    pub fn province_code(&self) -> &str {
        self.0.get(0..2).unwrap_or("")
    }

    /// The birth date encoded in characters 7–14.
    pub fn birth_date(&self) -> NaiveDate {
        // Validated at construction; the fallback is unreachable.
        self.0.get(6..14).and_then(birth_date_of).unwrap_or(NaiveDate::MIN)
    }

    /// Sex from the 17th character: odd = male, even = female.
    pub fn sex(&self) -> Sex {
        match self.0.as_bytes().get(16) {
            // ASCII '0' is even, so the byte's parity is the digit's parity.
            Some(b) if b % 2 == 1 => Sex::Male,
            _ => Sex::Female,
        }
    }

    /// Age in full years (周岁) on `date`; 0 if `date` is before the birth.
    ///
    /// The age increases on the birthday itself. Someone born on 29 February
    /// becomes a year older on 1 March in non-leap years.
    pub fn age_on(&self, date: NaiveDate) -> u32 {
        let birth = self.birth_date();
        if date <= birth {
            return 0;
        }
        let mut years = date.year() - birth.year();
        if (date.month(), date.day()) < (birth.month(), birth.day()) {
            years -= 1;
        }
        u32::try_from(years).unwrap_or(0)
    }

    /// The number with characters 7–14 hidden: `110105********123X`.
    pub fn masked(&self) -> String {
        mask_any(&self.0)
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for IdNumber {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Builds a valid 18-character ID from 17 digits.
    fn make(first17: &str) -> String {
        let c = check_character(first17).expect("17 digits");
        format!("{first17}{c}")
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn check_character_known_values() {
        // Standard example from GB 11643-1999.
        assert_eq!(check_character("11010519491231002"), Some('X'));
        assert_eq!(check_character("44052418800101001"), Some('4'));
        assert_eq!(check_character("1101051949123100"), None);
        assert_eq!(check_character("110105194912310021"), None);
        assert_eq!(check_character("1101051949123100A"), None);
        assert_eq!(check_character(""), None);
        assert_eq!(check_character("１1010519491231002"), None);
    }

    #[test]
    fn check_character_covers_all_eleven() {
        let mut seen = std::collections::BTreeSet::new();
        for seq in 0..200 {
            let first17 = format!("11010519800101{seq:03}");
            seen.insert(check_character(&first17).expect("digits"));
        }
        assert_eq!(seen.len(), 11);
    }

    #[test]
    fn parses_standard_example_with_x() {
        let id = parse("11010519491231002X").expect("valid");
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), date(1949, 12, 31));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.address_code(), "110105");
        assert_eq!(id.province_code(), "11");
        assert_eq!(id.to_string(), "11010519491231002X");
        assert_eq!(id.masked(), "110105********002X");
    }

    #[test]
    fn lowercase_x_full_width_and_spaces() {
        let want = "11010519491231002X";
        for raw in [
            "11010519491231002x",
            "１１０１０５１９４９１２３１００２Ｘ",
            "１１０１０５１９４９１２３１００２ｘ",
            " 110105 19491231 002X ",
            "110105\u{3000}19491231\u{00A0}002x",
            "\u{FEFF}11010519491231002X\u{200B}",
            "\t11010519491231002X\r\n",
        ] {
            assert_eq!(parse(raw).expect(raw).as_str(), want, "raw {raw:?}");
        }
    }

    #[test]
    fn sex_and_labels() {
        let male = parse(&make("44052419800101001")).expect("valid");
        assert_eq!(male.sex(), Sex::Male);
        assert_eq!(male.sex().label_zh(), "男");
        assert_eq!(male.sex().code(), "M");
        let female = parse(&make("44052419800101002")).expect("valid");
        assert_eq!(female.sex(), Sex::Female);
        assert_eq!(female.sex().label_zh(), "女");
        assert_eq!(female.sex().code(), "F");
    }

    #[test]
    fn legacy_15_digit_worked_example() {
        // 110105 491231 002: address 110105, born 1949-12-31, sequence 002.
        // Insert "19" → 11010519491231002, check character X.
        let id = parse("110105491231002").expect("valid legacy");
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), date(1949, 12, 31));
        // 440524 800101 001 → 44052419800101001; weighted sum 196, 196 % 11 = 9,
        // check character "10X98765432"[9] = '3'. Odd sequence: male.
        let id = parse("440524800101001").expect("valid legacy");
        assert_eq!(id.as_str(), "440524198001010013");
        assert_eq!(id.sex(), Sex::Male);
    }

    #[test]
    fn legacy_15_digit_errors() {
        assert_eq!(parse("11010549123100X"), Err(IdError::BadCharacter));
        assert_eq!(parse("990105491231002"), Err(IdError::BadRegion));
        assert_eq!(parse("110105490231002"), Err(IdError::BadBirthDate));
        assert_eq!(parse("110105491332002"), Err(IdError::BadBirthDate));
    }

    #[test]
    fn errors_each_variant() {
        assert_eq!(parse(""), Err(IdError::Empty));
        assert_eq!(parse("   \u{3000}"), Err(IdError::Empty));
        assert_eq!(parse("1101051949123100"), Err(IdError::WrongLength(16)));
        assert_eq!(parse("1101051949123100211"), Err(IdError::WrongLength(19)));
        assert_eq!(parse("12345"), Err(IdError::WrongLength(5)));
        assert_eq!(parse("11010519491231002Y"), Err(IdError::BadCharacter));
        assert_eq!(parse("1101051949123100X2"), Err(IdError::BadCharacter));
        assert_eq!(parse("张三"), Err(IdError::BadCharacter));
        assert_eq!(parse("110105-19491231-002X"), Err(IdError::BadCharacter));
        assert_eq!(offending_character("110105-19491231-002X"), Some((7, '-')));
        assert_eq!(offending_character("11010519491231OO2X"), Some((15, 'O')));
        assert_eq!(offending_character("1101051949123100X2"), Some((17, 'X')));
        assert_eq!(offending_character("11010519491231002X"), None);
        assert_eq!(describe_offending(15, 'O').1, "第 15 位是字母「O」(是否应为数字 0?)");
        assert_eq!(
            parse("110105194912310021"),
            Err(IdError::CheckCharacter {
                expected: 'X',
                found: '1'
            })
        );
    }

    #[test]
    fn region_codes() {
        for (prefix, ok) in [
            ("11", true),
            ("15", true),
            ("16", false),
            ("21", true),
            ("23", true),
            ("24", false),
            ("31", true),
            ("37", true),
            ("38", false),
            ("41", true),
            ("46", true),
            ("47", false),
            ("50", true),
            ("54", true),
            ("55", false),
            ("61", true),
            ("65", true),
            ("66", false),
            ("71", true),
            ("72", false),
            ("81", true),
            ("82", true),
            ("83", false),
            ("91", false),
            ("00", false),
            ("10", false),
            ("99", false),
        ] {
            let id = make(&format!("{prefix}010519800101001"));
            let result = parse(&id);
            if ok {
                assert!(result.is_ok(), "{prefix} should be valid");
            } else {
                assert_eq!(result, Err(IdError::BadRegion), "{prefix}");
            }
        }
    }

    #[test]
    fn birth_dates() {
        for (birth, ok) in [
            ("19800101", true),
            ("18900101", true),
            ("18891231", false),
            ("20260230", false),
            ("20240229", true),
            ("20230229", false),
            ("19001301", false),
            ("19000100", false),
            ("19000229", false),
            ("20000229", true),
            ("00000101", false),
        ] {
            let id = make(&format!("110105{birth}001"));
            let result = parse(&id);
            if ok {
                assert!(result.is_ok(), "{birth} should be valid");
            } else {
                assert_eq!(result, Err(IdError::BadBirthDate), "{birth}");
            }
        }
    }

    #[test]
    fn a_mistyped_number_still_gives_its_birth_date() {
        let good = make("13019919530718734");
        // The 16th digit mistyped: the check character fails, the birth date is still there.
        let typo = format!("{}5{}", &good[..15], &good[16..]);
        assert!(matches!(parse(&typo), Err(IdError::CheckCharacter { .. })));
        assert_eq!(birth_date_in(&typo), Some(date(1953, 7, 18)));
        assert_eq!(birth_date_in(&good), Some(date(1953, 7, 18)));
        assert_eq!(
            birth_date_in(" １３０１９９１９５３０７１８７３４x "),
            Some(date(1953, 7, 18))
        );
        // A 15-digit number: YYMMDD in the 1900s.
        assert_eq!(birth_date_in("130199530718734"), Some(date(1953, 7, 18)));
        // A typo in the date itself, or no ID at all: no birth date.
        assert_eq!(birth_date_in("130199195313187340"), None);
        assert_eq!(birth_date_in("12345"), None);
        assert_eq!(birth_date_in(""), None);
        assert_eq!(birth_date_in("1301991953O7187340"), None);
    }

    #[test]
    fn age_on_full_years() {
        let id = parse(&make("11010519800315001")).expect("valid");
        assert_eq!(id.age_on(date(1980, 3, 15)), 0);
        assert_eq!(id.age_on(date(1970, 1, 1)), 0);
        assert_eq!(id.age_on(date(2040, 3, 14)), 59);
        assert_eq!(id.age_on(date(2040, 3, 15)), 60);
        assert_eq!(id.age_on(date(2040, 12, 31)), 60);
        let leap = parse(&make("11010520000229001")).expect("valid");
        assert_eq!(leap.age_on(date(2001, 2, 28)), 0);
        assert_eq!(leap.age_on(date(2001, 3, 1)), 1);
        assert_eq!(leap.age_on(date(2004, 2, 29)), 4);
    }

    #[test]
    fn excel_mangled_texts() {
        for raw in [
            "1.10105E+17",
            "1.10105e+17",
            "1.10105196501011E+17",
            "1E17",
            "110105196501011000.0",
            "110105196501011000.00",
            "11010519491231002.0",
            "110105491231002.0",
        ] {
            assert_eq!(parse_cell(raw, false), Err(IdError::ExcelMangled), "{raw}");
            assert_eq!(parse_cell(raw, true), Err(IdError::ExcelMangled), "{raw}");
        }
        // Truncated to 15 significant digits, check fails.
        let truncated = "110105196501011000";
        assert!(parse(truncated).is_err());
        assert_eq!(parse_cell(truncated, false), Err(IdError::ExcelMangled));
        assert_eq!(parse_cell(truncated, true), Err(IdError::ExcelMangled));
    }

    #[test]
    fn valid_id_ending_000_is_accepted_from_text_cell() {
        // Find a sequence so that the 18-character ID ends in "000".
        let id = (0..10000)
            .map(|r| make(&format!("11{r:04}19800101000")))
            .find(|s| s.ends_with("000"))
            .expect("some sequence digit gives check 0");
        assert_eq!(parse_cell(&id, false).expect("valid").as_str(), id);
        // But a number cell cannot hold 18 digits.
        assert_eq!(parse_cell(&id, true), Err(IdError::ExcelMangled));
    }

    #[test]
    fn number_cell_rules() {
        let valid = make("44052419800101001");
        assert!(valid.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(parse_cell(&valid, true), Err(IdError::ExcelMangled));
        assert!(parse_cell(&valid, false).is_ok());
        // 15-digit legacy from a number cell is exact: accepted.
        assert_eq!(
            parse_cell("110105491231002", true).expect("legacy").as_str(),
            "11010519491231002X"
        );
        // X ids are never number cells, but the flag must not break them.
        assert!(parse_cell("11010519491231002X", true).is_ok());
        // Other errors pass through.
        assert_eq!(parse_cell("", true), Err(IdError::Empty));
        assert_eq!(parse_cell("123", true), Err(IdError::WrongLength(3)));
        // Ends in 000 but wrong for another reason: not Excel's fault.
        assert_eq!(parse_cell("990105196501011000", false), Err(IdError::BadRegion));
        // Check failure not ending in 000: plain check error.
        assert!(matches!(
            parse_cell("110105194912310021", false),
            Err(IdError::CheckCharacter { .. })
        ));
    }

    #[test]
    fn from_str_and_ordering() {
        let a: IdNumber = "11010519491231002X".parse().expect("valid");
        let b = parse("11010519491231002x").expect("valid");
        assert_eq!(a, b);
        assert!("bad".parse::<IdNumber>().is_err());
    }

    #[test]
    fn mask_any_cases() {
        assert_eq!(mask_any("11010519491231002X"), "110105********002X");
        assert_eq!(mask_any("110105491231002"), "110105*****1002");
        assert_eq!(mask_any("1234567890"), "123*****90");
        assert_eq!(mask_any("123456789"), "*********");
        assert_eq!(mask_any(""), "");
        assert_eq!(mask_any("张三"), "**");
        assert_eq!(mask_any(" 11010519491231002X "), "110105********002X");
    }

    #[test]
    fn messages_never_contain_the_number() {
        let errors = [
            IdError::Empty,
            IdError::ExcelMangled,
            IdError::WrongLength(17),
            IdError::BadCharacter,
            IdError::BadRegion,
            IdError::BadBirthDate,
            IdError::CheckCharacter {
                expected: 'X',
                found: '1',
            },
        ];
        for e in &errors {
            let msg = e.to_string();
            assert!(!msg.contains("110105"), "{msg}");
            assert!(!msg.is_empty());
        }
        let excel = IdError::ExcelMangled.to_string();
        assert!(excel.contains("Excel converted the column to numbers"));
        assert!(excel.contains("Text"));
        assert!(excel.contains("export again"));
    }

    fn province_strategy() -> impl Strategy<Value = u32> {
        prop::sample::select(vec![
            11u32, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54,
            61, 62, 63, 64, 65, 71, 81, 82,
        ])
    }

    fn first17_strategy() -> impl Strategy<Value = String> {
        (
            province_strategy(),
            0u32..10000,
            1890i32..2100,
            1u32..13,
            1u32..29,
            0u32..1000,
        )
            .prop_map(|(p, rest, y, m, d, seq)| format!("{p:02}{rest:04}{y:04}{m:02}{d:02}{seq:03}"))
    }

    proptest! {
        #[test]
        fn the_ascii_fast_path_cleans_as_normalising_does(raw in "[0-9a-zA-Z]{0,20}|[0-9xX ０-９ｘＸ\u{200b}]{0,20}") {
            let slow: String = text::normalize(&raw)
                .chars()
                .filter(|&c| c != ' ')
                .map(|c| if c == 'x' { 'X' } else { c })
                .collect();
            prop_assert_eq!(clean(&raw), slow);
        }

        #[test]
        fn roundtrip_valid_ids(first17 in first17_strategy()) {
            let full = make(&first17);
            let id = parse(&full).expect("generated id is valid");
            prop_assert_eq!(id.as_str(), full.as_str());
            prop_assert_eq!(id.to_string(), full.clone());
            prop_assert_eq!(id.masked().chars().filter(|&c| c == '*').count(), 8);
            let lower = full.to_lowercase();
            prop_assert_eq!(parse_cell(&lower, false).map(|i| i.as_str().to_owned()), Ok(full.clone()));
        }

        #[test]
        fn any_single_digit_change_is_rejected(
            first17 in first17_strategy(),
            pos in 0usize..18,
            delta in 1u8..10,
        ) {
            let full = make(&first17);
            let mut bytes = full.clone().into_bytes();
            let b = bytes[pos];
            let new = if b == b'X' {
                b'0' + delta
            } else {
                b'0' + (b - b'0' + delta) % 10
            };
            bytes[pos] = new;
            let changed = String::from_utf8(bytes).expect("ascii");
            prop_assert!(changed != full);
            prop_assert!(parse(&changed).is_err(), "{} accepted", changed);
        }

        #[test]
        fn legacy_roundtrip(
            p in province_strategy(),
            rest in 0u32..10000,
            yy in 0u32..100,
            m in 1u32..13,
            d in 1u32..29,
            seq in 0u32..1000,
        ) {
            let legacy = format!("{p:02}{rest:04}{yy:02}{m:02}{d:02}{seq:03}");
            let id = parse_cell(&legacy, true).expect("legacy valid");
            let s = id.as_str();
            prop_assert_eq!(&s[..6], &legacy[..6]);
            prop_assert_eq!(&s[6..8], "19");
            prop_assert_eq!(&s[8..17], &legacy[6..]);
            prop_assert!(parse(s).is_ok());
        }

        #[test]
        fn no_panics_on_arbitrary_text(s in any::<String>(), flag in any::<bool>()) {
            let _ = parse(&s);
            let _ = parse_cell(&s, flag);
            let _ = mask_any(&s);
        }

        #[test]
        fn no_panics_on_id_like_text(s in "[0-9xX .eE+-]{0,25}", flag in any::<bool>()) {
            if let Ok(id) = parse_cell(&s, flag) {
                prop_assert_eq!(id.as_str().len(), 18);
                let _ = id.birth_date();
                let _ = id.age_on(NaiveDate::MIN);
                let _ = id.age_on(NaiveDate::MAX);
            }
        }

        #[test]
        fn mask_any_reveals_little(s in any::<String>()) {
            let masked = mask_any(&s);
            let n = masked.chars().count();
            let revealed = masked.chars().filter(|&c| c != '*').count();
            let stars = n - revealed;
            prop_assert!(revealed <= 10);
            prop_assert!(stars >= n.min(5));
            prop_assert_eq!(n, text::normalize(&s).chars().count());
        }
    }
}
