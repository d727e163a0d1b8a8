//! Money as an integer number of 分 (fen, 1/100 元 yuan).
//!
//! Assistance amounts (救助金额), incomes and standards (保障标准) must add up
//! to the fen on every ledger and bank payment file (发放清单). Binary floating
//! point cannot represent 0.10 exactly, so all arithmetic here is on integer
//! fen ([`Fen`]); text typed by clerks is parsed digit by digit, and the
//! floats that spreadsheets hand us are converted through their shortest
//! decimal rendering, never by multiplying by 100.
//!
//! Rounding (取整) happens once, at a named place, with an explicit unit
//! ([`RoundUnit`]: 分 fen, 角 jiao, 元 yuan) and mode ([`RoundMode`]:
//! 四舍五入 half-up, 进位 up, 舍去 down), e.g. in [`Fen::mul_ratio`] or
//! [`div_per_capita`].

use std::fmt;

use crate::domain::text;

/// An amount of money in fen (分). `Fen(82050)` is 820.50 yuan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Fen(pub i64);

/// The unit an amount is rounded to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RoundUnit {
    /// 分, 0.01 yuan (no visible rounding of whole-fen amounts).
    Fen,
    /// 角, 0.10 yuan.
    Jiao,
    /// 元, 1.00 yuan.
    Yuan,
}

impl RoundUnit {
    /// The unit's size in fen: 1, 10 or 100.
    pub fn fen(self) -> i64 {
        match self {
            RoundUnit::Fen => 1,
            RoundUnit::Jiao => 10,
            RoundUnit::Yuan => 100,
        }
    }
}

/// How a value between two multiples of the unit is rounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RoundMode {
    /// 四舍五入: to the nearest multiple; exact halves away from zero
    /// (2.5 → 3, −2.5 → −3).
    HalfUp,
    /// 进位 / 进一法: away from zero (2.1 → 3, −2.1 → −3).
    Up,
    /// 舍去 / 去尾法: toward zero (2.9 → 2, −2.9 → −2).
    Down,
}

/// Why a text or cell is not a valid amount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MoneyError {
    /// Nothing but spaces or a currency sign.
    Empty,
    /// More than 2 decimal places (other than trailing zeros).
    TooManyDecimals,
    /// Thousands separators (`,`) not in groups of three.
    BadThousandsSeparator,
    /// Letters, several dots, misplaced sign or other unexpected characters.
    BadFormat,
    /// Larger than the supported range (about ±92 trillion yuan).
    Overflow,
    /// A spreadsheet number cell holds NaN or infinity.
    NotFinite,
}

const HOW: &str = "write the amount in yuan with at most 2 decimals, e.g. 820.50";

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MoneyError::Empty => write!(f, "the amount is empty; {HOW}"),
            MoneyError::TooManyDecimals => write!(
                f,
                "the amount has more than 2 decimal places (fen is the smallest unit); round it in the sheet and {HOW}"
            ),
            MoneyError::BadThousandsSeparator => write!(
                f,
                "the amount has a misplaced thousands separator; use commas only between groups of three digits (1,234.56) or none at all; {HOW}"
            ),
            MoneyError::BadFormat => write!(
                f,
                "the amount is not a number (only digits, one decimal point, a leading minus sign, and an optional ¥ or 元 are allowed); {HOW}"
            ),
            MoneyError::Overflow => write!(f, "the amount is too large; check for extra digits and {HOW}"),
            MoneyError::NotFinite => write!(
                f,
                "the cell does not hold a number (it is an error value or infinite); {HOW}"
            ),
        }
    }
}

impl MoneyError {
    /// The message in Chinese.
    pub fn zh(&self) -> String {
        const HOW: &str = "请以元为单位填写, 最多两位小数, 如 820.50";
        match self {
            MoneyError::Empty => format!("金额为空; {HOW}"),
            MoneyError::TooManyDecimals => format!("金额超过两位小数 (最小单位是分); 请在表中四舍五入, {HOW}"),
            MoneyError::BadThousandsSeparator => {
                format!("金额的千位分隔符位置不对; 逗号只能每三位一个 (1,234.56), 或者不用; {HOW}")
            }
            MoneyError::BadFormat => {
                format!("金额不是数字 (只能有数字、一个小数点、开头的负号, 可带 ¥ 或 元); {HOW}")
            }
            MoneyError::Overflow => format!("金额过大, 请检查是否多打了数字; {HOW}"),
            MoneyError::NotFinite => format!("该单元格不是数字 (是错误值或无穷大); {HOW}"),
        }
    }
}

impl std::error::Error for MoneyError {}

/// Integer part with optional thousands separators → value in yuan.
fn parse_integer_part(int_part: &str) -> Result<i64, MoneyError> {
    if int_part.is_empty() {
        return Err(MoneyError::BadFormat);
    }
    if int_part.contains(',') {
        let mut groups = int_part.split(',');
        let first = groups.next().unwrap_or("");
        if first.is_empty() || first.len() > 3 {
            return Err(MoneyError::BadThousandsSeparator);
        }
        if groups.any(|g| g.len() != 3) {
            return Err(MoneyError::BadThousandsSeparator);
        }
    }
    let mut value: i64 = 0;
    for b in int_part.bytes().filter(|&b| b != b',') {
        if !b.is_ascii_digit() {
            return Err(MoneyError::BadFormat);
        }
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(b - b'0')))
            .ok_or(MoneyError::Overflow)?;
    }
    Ok(value)
}

/// Fraction digits → fen (0..=99). Digits after the second must be zeros.
fn parse_fraction(frac: &str) -> Result<i64, MoneyError> {
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MoneyError::BadFormat);
    }
    let (kept, extra) = frac.split_at(frac.len().min(2));
    if extra.bytes().any(|b| b != b'0') {
        return Err(MoneyError::TooManyDecimals);
    }
    let mut fen: i64 = 0;
    for (i, b) in kept.bytes().enumerate() {
        let digit = i64::from(b - b'0');
        fen += if i == 0 { digit * 10 } else { digit };
    }
    Ok(fen)
}

/// A finite float as a plain decimal (no exponent) rounded to 15 significant digits, as Excel shows it:
/// `0.30000000000000004` → `0.300000000000000`.
fn significant_15(v: f64) -> String {
    let sci = format!("{v:.14e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    // The decimal point goes after `point` digits.
    let point = exp + 1;
    let n = digits.len() as i64;
    if point <= 0 {
        format!("{sign}0.{}{digits}", "0".repeat((-point) as usize))
    } else if point >= n {
        format!("{sign}{digits}{}", "0".repeat((point - n) as usize))
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{sign}{int}.{frac}")
    }
}

/// Parses the plain decimal part: `[-]digits[,ddd...][.dd]`.
fn parse_decimal(s: &str) -> Result<Fen, MoneyError> {
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    if body.is_empty() {
        return Err(MoneyError::Empty);
    }
    let (int_part, frac) = match body.split_once('.') {
        Some((i, f)) => {
            if f.is_empty() || f.contains('.') {
                return Err(MoneyError::BadFormat);
            }
            (i, f)
        }
        None => (body, ""),
    };
    // Check the characters before the structure so letters report BadFormat.
    if !int_part.bytes().all(|b| b.is_ascii_digit() || b == b',') {
        return Err(MoneyError::BadFormat);
    }
    let fraction = parse_fraction(frac)?;
    let yuan = parse_integer_part(int_part)?;
    let magnitude = yuan
        .checked_mul(100)
        .and_then(|v| v.checked_add(fraction))
        .ok_or(MoneyError::Overflow)?;
    Ok(Fen(if negative { -magnitude } else { magnitude }))
}

impl Fen {
    /// Zero.
    pub const ZERO: Fen = Fen(0);

    /// Whole yuan → fen; `None` on overflow.
    pub fn from_yuan(yuan: i64) -> Option<Fen> {
        yuan.checked_mul(100).map(Fen)
    }

    /// Parses an amount in yuan as typed by a clerk.
    ///
    /// Applies [`text::normalize`] first (so full-width digits, `，` and `．`
    /// work), then accepts: an optional leading `-`; an optional currency sign
    /// `¥` or `￥` (before or after the minus sign, spaces allowed after it);
    /// digits with optional thousands separators `,` in correct positions
    /// (`1,234,567.00`; not `1,23.00`); an optional `.` followed by 1–2
    /// decimals (further decimals are accepted only if they are zeros:
    /// `820.500`); an optional trailing `元` (space allowed before it).
    ///
    /// Rejects empty text, a leading `.` (`.5`) or trailing `.` (`5.`), `+`,
    /// letters (`RMB 820`), several dots, overflow and more than 2 non-zero
    /// decimals (`820.123`).
    pub fn parse_yuan(s: &str) -> Result<Fen, MoneyError> {
        let norm = text::normalize(s);
        let mut rest = norm.as_str();
        if let Some(r) = rest.strip_suffix('元') {
            rest = r.trim_end();
        }
        let mut negative = false;
        if let Some(r) = rest.strip_prefix('-') {
            negative = true;
            rest = r.trim_start();
        }
        if let Some(r) = rest.strip_prefix(['¥', '￥']) {
            rest = r.trim_start();
            if !negative {
                if let Some(r) = rest.strip_prefix('-') {
                    negative = true;
                    rest = r;
                }
            }
        }
        if rest.is_empty() {
            return Err(MoneyError::Empty);
        }
        if rest.starts_with('-') {
            return Err(MoneyError::BadFormat);
        }
        let Fen(magnitude) = parse_decimal(rest)?;
        Ok(Fen(if negative { -magnitude } else { magnitude }))
    }

    /// Converts a spreadsheet numeric cell.
    ///
    /// A spreadsheet stores numbers as binary floats, so an amount typed or computed in the sheet often comes
    /// back with binary noise: `=0.1+0.2` is `0.30000000000000004`, and a sum of incomes `1234.5600000000001`.
    /// Excel shows (and compares) numbers at 15 significant digits, where both are the 2-decimal amounts the
    /// clerk sees, `0.30` and `1234.56`. So the float is read as its shortest round-trip decimal (`820.5` →
    /// 82050 fen) and, when that has more than 2 decimals, as its 15 significant digits: an amount within
    /// floating-point error of a 2-decimal amount is that amount. Only a real third decimal — one still there at
    /// 15 significant digits, such as `820.123` or `0.005` — is [`MoneyError::TooManyDecimals`], not silently
    /// rounded: the clerk must round it in the sheet (=ROUND(x,2)). From 10¹² yuan up, 15 digits no longer
    /// reach a third decimal, and only the shortest decimal is read. NaN and infinities are
    /// [`MoneyError::NotFinite`]; values beyond the `i64` range are [`MoneyError::Overflow`].
    pub fn from_number_cell(v: f64) -> Result<Fen, MoneyError> {
        if !v.is_finite() {
            return Err(MoneyError::NotFinite);
        }
        match parse_decimal(&format!("{v}")) {
            Err(MoneyError::TooManyDecimals) if v.abs() < 1e12 => parse_decimal(&significant_15(v)),
            read => read,
        }
    }

    /// The amount as text in yuan with exactly 2 decimals (same as Display).
    pub fn yuan_text(self) -> String {
        self.to_string()
    }

    /// True when the amount is below zero.
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// `self + other`, `None` on overflow.
    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    /// `self - other`, `None` on overflow.
    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).map(Fen)
    }

    /// `self × factor`, `None` on overflow.
    pub fn checked_mul(self, factor: i64) -> Option<Fen> {
        self.0.checked_mul(factor).map(Fen)
    }

    /// `-self`, `None` for `i64::MIN`.
    pub fn checked_neg(self) -> Option<Fen> {
        self.0.checked_neg().map(Fen)
    }

    /// Sum of all amounts, `None` if the total overflows at any point.
    pub fn checked_sum<I: IntoIterator<Item = Fen>>(items: I) -> Option<Fen> {
        items.into_iter().try_fold(Fen::ZERO, |acc, x| acc.checked_add(x))
    }

    /// Computes `self × num ÷ den` exactly (in `i128`) and rounds the
    /// result once to `unit` with `mode`.
    ///
    /// `None` when `den == 0` or the rounded result does not fit in `i64`.
    /// Example: 1,000.00 yuan × 2 ÷ 3 = 666.666… → `Yuan`/`HalfUp` 667.00,
    /// `Jiao`/`Down` 666.60, `Fen`/`Up` 666.67.
    pub fn mul_ratio(self, num: i64, den: i64, unit: RoundUnit, mode: RoundMode) -> Option<Fen> {
        if den == 0 {
            return None;
        }
        let numerator = i128::from(self.0) * i128::from(num);
        let step = i128::from(den) * i128::from(unit.fen());
        let units = div_round(numerator, step, mode);
        let fen = units.checked_mul(i128::from(unit.fen()))?;
        i64::try_from(fen).ok().map(Fen)
    }

    /// Rounds to `unit` with `mode`; `None` only if rounding away from zero
    /// would leave the `i64` range (within 1 yuan of ±92 trillion yuan).
    pub fn checked_round(self, unit: RoundUnit, mode: RoundMode) -> Option<Fen> {
        self.mul_ratio(1, 1, unit, mode)
    }

    /// Rounds to `unit` with `mode`.
    ///
    /// Never panics: in the practically unreachable case that rounding away
    /// from zero would overflow `i64` (amounts within 1 yuan of ±92 trillion
    /// yuan), the amount is rounded toward zero instead. Use
    /// [`Fen::checked_round`] to detect that case.
    pub fn round(self, unit: RoundUnit, mode: RoundMode) -> Fen {
        self.checked_round(unit, mode)
            .or_else(|| self.checked_round(unit, RoundMode::Down))
            .unwrap_or(self)
    }

    /// `self × pct ÷ 100`, rounded to `unit` with `mode` (e.g. 30% of the
    /// standard). `None` on overflow.
    pub fn percent(self, pct: u32, unit: RoundUnit, mode: RoundMode) -> Option<Fen> {
        self.mul_ratio(i64::from(pct), 100, unit, mode)
    }
}

/// Per-capita amount (人均): `total ÷ members`, rounded once to `unit` with
/// `mode`. `None` when `members == 0`.
///
/// Typical use: household monthly income ÷ household size, compared with the
/// minimum-living-standard line (低保标准).
pub fn div_per_capita(total: Fen, members: u32, unit: RoundUnit, mode: RoundMode) -> Option<Fen> {
    if members == 0 {
        return None;
    }
    total.mul_ratio(1, i64::from(members), unit, mode)
}

/// `n ÷ d` rounded with `mode`; `d != 0`. Works for any signs.
fn div_round(n: i128, d: i128, mode: RoundMode) -> i128 {
    // |n| ≤ 2^126 and 0 < |d| ≤ 2^70 here, so no i128 overflow in these steps.
    let q = n / d;
    let r = n % d;
    if r == 0 {
        return q;
    }
    // The exact quotient lies strictly between q and q + away (away from zero).
    let away: i128 = if (n < 0) != (d < 0) { -1 } else { 1 };
    match mode {
        RoundMode::Down => q,
        RoundMode::Up => q + away,
        RoundMode::HalfUp => {
            if r.unsigned_abs() * 2 >= d.unsigned_abs() {
                q + away
            } else {
                q
            }
        }
    }
}

impl Fen {
    /// Yuan with exactly two decimals (`820.00`, `-3.50`, `0.05`), written into `buf` without allocating: the
    /// text every ledger and bank file holds, for millions of amounts.
    pub fn decimal_text(self, buf: &mut [u8; 24]) -> &str {
        let mut abs = self.0.unsigned_abs();
        let mut i = buf.len();
        for _ in 0..2 {
            i -= 1;
            buf[i] = b'0' + (abs % 10) as u8;
            abs /= 10;
        }
        i -= 1;
        buf[i] = b'.';
        loop {
            i -= 1;
            buf[i] = b'0' + (abs % 10) as u8;
            abs /= 10;
            if abs == 0 {
                break;
            }
        }
        if self.0 < 0 {
            i -= 1;
            buf[i] = b'-';
        }
        std::str::from_utf8(&buf[i..]).expect("digits are ASCII")
    }
}

impl fmt::Display for Fen {
    /// Yuan with exactly two decimals: `820.00`, `-3.50`, `0.05`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.decimal_text(&mut [0; 24]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The text written without allocating is the decimal text of the amount, for every i64.
        #[test]
        fn decimal_text_is_the_decimal_amount(fen in any::<i64>()) {
            let abs = i128::from(fen).abs();
            let want = format!("{}{}.{:02}", if fen < 0 { "-" } else { "" }, abs / 100, abs % 100);
            let mut buf = [0; 24];
            prop_assert_eq!(Fen(fen).decimal_text(&mut buf), want.as_str());
            prop_assert_eq!(Fen(fen).to_string(), want);
        }
    }

    #[test]
    fn parse_yuan_accepts() {
        let cases: &[(&str, i64)] = &[
            ("820", 82000),
            ("820.5", 82050),
            ("820.50", 82050),
            ("820.500", 82050),
            ("0.05", 5),
            ("0", 0),
            ("0.00", 0),
            ("-0", 0),
            ("-12.30", -1230),
            ("-0.01", -1),
            ("1,234.56", 123456),
            ("1,234,567", 123456700),
            ("12,345", 1234500),
            ("1，234.56", 123456),
            ("１２３４．５６", 123456),
            ("¥820", 82000),
            ("￥820.00", 82000),
            ("¥ 820", 82000),
            ("￥1,234.50", 123450),
            ("820元", 82000),
            ("820.00 元", 82000),
            ("￥820元", 82000),
            ("-¥12.30", -1230),
            ("¥-12.30", -1230),
            ("  820  ", 82000),
            ("\u{3000}820\u{00A0}", 82000),
            ("0820", 82000),
            ("92233720368547758.07", i64::MAX),
            ("-92233720368547758.07", -i64::MAX),
        ];
        for (input, fen) in cases {
            assert_eq!(Fen::parse_yuan(input), Ok(Fen(*fen)), "input {input:?}");
        }
    }

    #[test]
    fn parse_yuan_rejects() {
        use MoneyError::*;
        let cases: &[(&str, MoneyError)] = &[
            ("", Empty),
            ("   ", Empty),
            ("¥", Empty),
            ("元", Empty),
            ("-", Empty),
            ("820.123", TooManyDecimals),
            ("0.001", TooManyDecimals),
            ("820.5a", BadFormat),
            ("abc", BadFormat),
            ("RMB 820", BadFormat),
            ("820 RMB", BadFormat),
            ("1.2.3", BadFormat),
            ("820.", BadFormat),
            (".5", BadFormat),
            ("+820", BadFormat),
            ("--5", BadFormat),
            ("-¥-5", BadFormat),
            ("8 20", BadFormat),
            ("820。00", BadFormat),
            ("1e3", BadFormat),
            ("NaN", BadFormat),
            ("1,23.00", BadThousandsSeparator),
            ("1,2345", BadThousandsSeparator),
            ("1234,567", BadThousandsSeparator),
            (",123", BadThousandsSeparator),
            ("123,", BadThousandsSeparator),
            ("1,,234", BadThousandsSeparator),
            ("92233720368547758.08", Overflow),
            ("99999999999999999999", Overflow),
            ("-92233720368547758.08", Overflow),
        ];
        for (input, err) in cases {
            assert_eq!(Fen::parse_yuan(input), Err(err.clone()), "input {input:?}");
        }
    }

    #[test]
    fn from_number_cell_cases() {
        assert_eq!(Fen::from_number_cell(820.5), Ok(Fen(82050)));
        assert_eq!(Fen::from_number_cell(820.0), Ok(Fen(82000)));
        assert_eq!(Fen::from_number_cell(1234.56), Ok(Fen(123456)));
        assert_eq!(Fen::from_number_cell(0.05), Ok(Fen(5)));
        assert_eq!(Fen::from_number_cell(0.1), Ok(Fen(10)));
        assert_eq!(Fen::from_number_cell(-12.3), Ok(Fen(-1230)));
        assert_eq!(Fen::from_number_cell(-0.0), Ok(Fen(0)));
        assert_eq!(Fen::from_number_cell(1e15), Ok(Fen(100_000_000_000_000_000)));
        assert_eq!(Fen::from_number_cell(820.123), Err(MoneyError::TooManyDecimals));
        assert_eq!(Fen::from_number_cell(0.005), Err(MoneyError::TooManyDecimals));
        assert_eq!(Fen::from_number_cell(1234.565), Err(MoneyError::TooManyDecimals));
        assert_eq!(Fen::from_number_cell(1e-7), Err(MoneyError::TooManyDecimals));
        assert_eq!(Fen::from_number_cell(1e20), Err(MoneyError::Overflow));
        assert_eq!(Fen::from_number_cell(1e300), Err(MoneyError::Overflow));
        assert_eq!(Fen::from_number_cell(f64::NAN), Err(MoneyError::NotFinite));
        assert_eq!(Fen::from_number_cell(f64::INFINITY), Err(MoneyError::NotFinite));
        assert_eq!(Fen::from_number_cell(f64::NEG_INFINITY), Err(MoneyError::NotFinite));
        assert_eq!(
            Fen::from_number_cell(f64::MIN_POSITIVE),
            Err(MoneyError::TooManyDecimals)
        );
    }

    /// Binary noise is not a third decimal: a sum or a product in the sheet is the amount Excel shows.
    #[test]
    fn number_cells_within_floating_point_error_are_their_amount() {
        assert_eq!(Fen::from_number_cell(0.1 + 0.2), Ok(Fen(30)));
        assert_eq!(Fen::from_number_cell(1234.5600000000001), Ok(Fen(123456)));
        assert_eq!(Fen::from_number_cell(600.0 - 0.1 - 0.2), Ok(Fen(59970)));
        assert_eq!(Fen::from_number_cell(-(0.1 + 0.2)), Ok(Fen(-30)));
        assert_eq!(Fen::from_number_cell(1.1 * 3.0), Ok(Fen(330)));
        let incomes = [820.1, 0.7, 1200.35, 64.2, 3.3];
        assert_eq!(Fen::from_number_cell(incomes.iter().sum()), Ok(Fen(208865)));
        // A real third decimal stays refused, however it was computed.
        assert_eq!(Fen::from_number_cell(0.1 + 0.005), Err(MoneyError::TooManyDecimals));
        assert_eq!(Fen::from_number_cell(1000.0 / 3.0), Err(MoneyError::TooManyDecimals));
        assert_eq!(significant_15(0.1 + 0.2), "0.300000000000000");
        assert_eq!(significant_15(-1234.5600000000001), "-1234.56000000000");
        assert_eq!(significant_15(1e-7), "0.000000100000000000000");
        assert_eq!(significant_15(1e16), "10000000000000000");
    }

    #[test]
    fn display_table() {
        let cases: &[(i64, &str)] = &[
            (0, "0.00"),
            (5, "0.05"),
            (-5, "-0.05"),
            (50, "0.50"),
            (82000, "820.00"),
            (82050, "820.50"),
            (-350, "-3.50"),
            (123456789, "1234567.89"),
            (i64::MAX, "92233720368547758.07"),
            (i64::MIN, "-92233720368547758.08"),
        ];
        for (fen, text) in cases {
            assert_eq!(Fen(*fen).to_string(), *text);
            assert_eq!(Fen(*fen).yuan_text(), *text);
        }
        assert_eq!(format!("{:>8}", Fen(5)), "    0.05");
    }

    #[test]
    fn arithmetic() {
        assert_eq!(Fen(100).checked_add(Fen(50)), Some(Fen(150)));
        assert_eq!(Fen(i64::MAX).checked_add(Fen(1)), None);
        assert_eq!(Fen(100).checked_sub(Fen(150)), Some(Fen(-50)));
        assert_eq!(Fen(i64::MIN).checked_sub(Fen(1)), None);
        assert_eq!(Fen(100).checked_mul(3), Some(Fen(300)));
        assert_eq!(Fen(i64::MAX).checked_mul(2), None);
        assert_eq!(Fen(5).checked_neg(), Some(Fen(-5)));
        assert_eq!(Fen(i64::MIN).checked_neg(), None);
        assert_eq!(Fen::checked_sum([Fen(1), Fen(2), Fen(3)]), Some(Fen(6)));
        assert_eq!(Fen::checked_sum(Vec::<Fen>::new()), Some(Fen::ZERO));
        assert_eq!(Fen::checked_sum([Fen(i64::MAX), Fen(1)]), None);
        assert_eq!(Fen::from_yuan(820), Some(Fen(82000)));
        assert_eq!(Fen::from_yuan(i64::MAX), None);
        assert!(Fen(-1).is_negative());
        assert!(!Fen(0).is_negative());
        assert_eq!(Fen::default(), Fen::ZERO);
    }

    #[test]
    fn rounding_table() {
        use RoundMode::*;
        use RoundUnit::{Fen as F, Jiao, Yuan};
        // (amount in fen, unit, mode, expected fen)
        let cases: &[(i64, RoundUnit, RoundMode, i64)] = &[
            // Fen unit: whole-fen amounts never change.
            (12345, F, HalfUp, 12345),
            (12345, F, Up, 12345),
            (-12345, F, Down, -12345),
            // Jiao unit.
            (12345, Jiao, HalfUp, 12350), // .45 → .5 (tie, away from zero)
            (12344, Jiao, HalfUp, 12340),
            (12346, Jiao, HalfUp, 12350),
            (12341, Jiao, Up, 12350),
            (12340, Jiao, Up, 12340),
            (12349, Jiao, Down, 12340),
            (-12345, Jiao, HalfUp, -12350),
            (-12344, Jiao, HalfUp, -12340),
            (-12341, Jiao, Up, -12350),
            (-12349, Jiao, Down, -12340),
            // Yuan unit.
            (12350, Yuan, HalfUp, 12400), // 123.50 → 124
            (12349, Yuan, HalfUp, 12300),
            (12301, Yuan, Up, 12400),
            (12300, Yuan, Up, 12300),
            (12399, Yuan, Down, 12300),
            (-12350, Yuan, HalfUp, -12400),
            (-12349, Yuan, HalfUp, -12300),
            (-12301, Yuan, Up, -12400),
            (-12399, Yuan, Down, -12300),
            (50, Yuan, HalfUp, 100),
            (-50, Yuan, HalfUp, -100),
            (49, Yuan, HalfUp, 0),
            (1, Yuan, Up, 100),
            (-1, Yuan, Up, -100),
            (99, Yuan, Down, 0),
            (-99, Yuan, Down, 0),
            (0, Yuan, Up, 0),
        ];
        for &(amount, unit, mode, want) in cases {
            assert_eq!(Fen(amount).round(unit, mode), Fen(want), "{amount} {unit:?} {mode:?}");
        }
    }

    #[test]
    fn mul_ratio_table() {
        use RoundMode::*;
        use RoundUnit::{Fen as F, Jiao, Yuan};
        let thousand = Fen(100_000);
        // 1000 × 2/3 = 666.666…
        assert_eq!(thousand.mul_ratio(2, 3, Yuan, HalfUp), Some(Fen(66_700)));
        assert_eq!(thousand.mul_ratio(2, 3, Yuan, Down), Some(Fen(66_600)));
        assert_eq!(thousand.mul_ratio(2, 3, Jiao, Down), Some(Fen(66_660)));
        assert_eq!(thousand.mul_ratio(2, 3, Jiao, HalfUp), Some(Fen(66_670)));
        assert_eq!(thousand.mul_ratio(2, 3, F, Up), Some(Fen(66_667)));
        assert_eq!(thousand.mul_ratio(2, 3, F, Down), Some(Fen(66_666)));
        assert_eq!(thousand.mul_ratio(2, 3, F, HalfUp), Some(Fen(66_667)));
        // Negative numerator or denominator.
        assert_eq!(thousand.mul_ratio(-2, 3, F, HalfUp), Some(Fen(-66_667)));
        assert_eq!(thousand.mul_ratio(2, -3, F, Down), Some(Fen(-66_666)));
        assert_eq!(Fen(-100_000).mul_ratio(-2, 3, F, Up), Some(Fen(66_667)));
        // Exact tie at fen level: 1 fen × 1/2 = 0.5 fen.
        assert_eq!(Fen(1).mul_ratio(1, 2, F, HalfUp), Some(Fen(1)));
        assert_eq!(Fen(-1).mul_ratio(1, 2, F, HalfUp), Some(Fen(-1)));
        assert_eq!(Fen(1).mul_ratio(1, 2, F, Down), Some(Fen(0)));
        assert_eq!(Fen(1).mul_ratio(1, 3, F, HalfUp), Some(Fen(0)));
        // Division by zero.
        assert_eq!(thousand.mul_ratio(1, 0, F, HalfUp), None);
        // Intermediate exceeds i64 but result fits.
        assert_eq!(Fen(i64::MAX).mul_ratio(3, 3, F, HalfUp), Some(Fen(i64::MAX)));
        // Result does not fit.
        assert_eq!(Fen(i64::MAX).mul_ratio(2, 1, F, HalfUp), None);
        assert_eq!(Fen(i64::MIN).mul_ratio(i64::MIN, 1, F, HalfUp), None);
        assert_eq!(Fen(i64::MIN).mul_ratio(1, -1, F, HalfUp), None);
        assert_eq!(Fen(i64::MIN).mul_ratio(i64::MIN, i64::MIN, F, Up), Some(Fen(i64::MIN)));
    }

    #[test]
    fn round_never_panics_at_extremes() {
        for unit in [RoundUnit::Fen, RoundUnit::Jiao, RoundUnit::Yuan] {
            for mode in [RoundMode::HalfUp, RoundMode::Up, RoundMode::Down] {
                for v in [i64::MAX, i64::MIN, i64::MAX - 1, i64::MIN + 1] {
                    let r = Fen(v).round(unit, mode);
                    assert_eq!(r.0 % unit.fen(), 0);
                }
            }
        }
        assert_eq!(Fen(i64::MAX).checked_round(RoundUnit::Yuan, RoundMode::Up), None);
        assert_eq!(
            Fen(i64::MAX).round(RoundUnit::Yuan, RoundMode::Up),
            Fen(i64::MAX / 100 * 100)
        );
    }

    #[test]
    fn percent_and_per_capita() {
        use RoundMode::*;
        use RoundUnit::{Fen as F, Jiao, Yuan};
        assert_eq!(Fen(82_000).percent(30, F, HalfUp), Some(Fen(24_600)));
        assert_eq!(Fen(82_050).percent(30, F, HalfUp), Some(Fen(24_615)));
        assert_eq!(Fen(82_055).percent(30, F, HalfUp), Some(Fen(24_617))); // 24616.5
        assert_eq!(Fen(82_055).percent(30, Yuan, Up), Some(Fen(24_700)));
        assert_eq!(Fen(82_000).percent(0, F, HalfUp), Some(Fen(0)));
        assert_eq!(Fen(82_000).percent(100, F, HalfUp), Some(Fen(82_000)));
        // 2000.00 yuan household income, 3 members: 666.67 per person.
        assert_eq!(div_per_capita(Fen(200_000), 3, F, HalfUp), Some(Fen(66_667)));
        assert_eq!(div_per_capita(Fen(200_000), 3, Jiao, Down), Some(Fen(66_660)));
        assert_eq!(div_per_capita(Fen(200_000), 3, Yuan, Up), Some(Fen(66_700)));
        assert_eq!(div_per_capita(Fen(200_000), 0, F, HalfUp), None);
        assert_eq!(div_per_capita(Fen(-300), 2, F, HalfUp), Some(Fen(-150)));
        assert_eq!(div_per_capita(Fen(5), 2, F, HalfUp), Some(Fen(3)));
        assert_eq!(div_per_capita(Fen(5), 2, F, Down), Some(Fen(2)));
    }

    #[test]
    fn error_messages_explain_fix() {
        for e in [
            MoneyError::Empty,
            MoneyError::TooManyDecimals,
            MoneyError::BadThousandsSeparator,
            MoneyError::BadFormat,
            MoneyError::Overflow,
            MoneyError::NotFinite,
        ] {
            assert!(e.to_string().contains("e.g. 820.50"), "{e}");
        }
        assert!(MoneyError::TooManyDecimals
            .to_string()
            .contains("more than 2 decimal places"));
    }

    /// Reference rounding computed independently with floor division.
    fn reference_round(v: i128, unit: i128, mode: RoundMode) -> i128 {
        let down = v.div_euclid(unit) * unit; // floor multiple
        let up = if down == v { v } else { down + unit };
        let (toward_zero, away) = if v >= 0 { (down, up) } else { (up, down) };
        match mode {
            RoundMode::Down => toward_zero,
            RoundMode::Up => away,
            RoundMode::HalfUp => {
                if (v - toward_zero).abs() * 2 >= unit {
                    away
                } else {
                    toward_zero
                }
            }
        }
    }

    fn unit_strategy() -> impl Strategy<Value = RoundUnit> {
        prop::sample::select(vec![RoundUnit::Fen, RoundUnit::Jiao, RoundUnit::Yuan])
    }

    fn mode_strategy() -> impl Strategy<Value = RoundMode> {
        prop::sample::select(vec![RoundMode::HalfUp, RoundMode::Up, RoundMode::Down])
    }

    proptest! {
        #[test]
        fn display_parse_roundtrip(x in -9_000_000_000_000_000_000i64..=9_000_000_000_000_000_000i64) {
            prop_assert_eq!(Fen::parse_yuan(&Fen(x).to_string()), Ok(Fen(x)));
        }

        #[test]
        fn display_parse_roundtrip_small(x in -10_000_000i64..10_000_000) {
            prop_assert_eq!(Fen::parse_yuan(&Fen(x).to_string()), Ok(Fen(x)));
            prop_assert_eq!(Fen::parse_yuan(&format!("¥{}元", Fen(x))), Ok(Fen(x)));
        }

        #[test]
        fn number_cell_matches_text(x in -100_000_000_000i64..100_000_000_000) {
            // Any amount with ≤ 2 decimals and ≤ 15 significant digits survives f64.
            let v: f64 = Fen(x).to_string().parse().expect("decimal text");
            prop_assert_eq!(Fen::from_number_cell(v), Ok(Fen(x)));
        }

        #[test]
        fn round_matches_reference(x in any::<i64>(), unit in unit_strategy(), mode in mode_strategy()) {
            let want = reference_round(i128::from(x), i128::from(unit.fen()), mode);
            let got = Fen(x).checked_round(unit, mode);
            match i64::try_from(want) {
                Ok(w) => prop_assert_eq!(got, Some(Fen(w))),
                Err(_) => prop_assert_eq!(got, None),
            }
            let r = Fen(x).round(unit, mode);
            prop_assert_eq!(r.0 % unit.fen(), 0);
            prop_assert!((i128::from(r.0) - i128::from(x)).abs() < i128::from(unit.fen()));
        }

        #[test]
        fn mul_ratio_brackets_exact(
            x in -1_000_000_000i64..1_000_000_000,
            num in -1000i64..1000,
            den in 1i64..1000,
            unit in unit_strategy(),
        ) {
            let down = Fen(x).mul_ratio(num, den, unit, RoundMode::Down).expect("fits");
            let up = Fen(x).mul_ratio(num, den, unit, RoundMode::Up).expect("fits");
            let half = Fen(x).mul_ratio(num, den, unit, RoundMode::HalfUp).expect("fits");
            let exact_times_den = i128::from(x) * i128::from(num);
            // |down| ≤ |exact| ≤ |up| and they differ by at most one unit.
            prop_assert!((i128::from(down.0) * i128::from(den)).abs() <= exact_times_den.abs());
            prop_assert!((i128::from(up.0) * i128::from(den)).abs() >= exact_times_den.abs());
            prop_assert!((up.0 - down.0).abs() <= unit.fen());
            prop_assert!(half == up || half == down);
        }

        #[test]
        fn checked_sum_matches_i128(xs in prop::collection::vec(any::<i64>(), 0..8)) {
            let total: i128 = xs.iter().map(|&x| i128::from(x)).sum();
            let got = Fen::checked_sum(xs.iter().map(|&x| Fen(x)));
            // Partial sums may overflow even when the total fits; only check
            // that a Some is the true total.
            if let Some(f) = got {
                prop_assert_eq!(i128::from(f.0), total);
            }
        }

        #[test]
        fn no_panics_on_arbitrary_text(s in any::<String>()) {
            let _ = Fen::parse_yuan(&s);
        }

        #[test]
        fn no_panics_on_money_like_text(s in "[-¥￥元0-9,.，． ]{0,30}") {
            if let Ok(f) = Fen::parse_yuan(&s) {
                prop_assert_eq!(Fen::parse_yuan(&f.to_string()), Ok(f));
            }
        }

        /// An amount of up to 10¹² yuan, as a float and up to two steps of binary noise either way (what one
        /// or two operations leave), reads as itself.
        #[test]
        fn number_cell_noise_is_ignored(x in -100_000_000_000_000i64..100_000_000_000_000, steps in -2i64..=2) {
            let v = x as f64 / 100.0;
            let noisy = if v == 0.0 { v } else { f64::from_bits((v.to_bits() as i64 + steps) as u64) };
            prop_assert_eq!(Fen::from_number_cell(noisy), Ok(Fen(x)));
        }

        /// A real third decimal is refused, however large the amount (below 10¹² yuan).
        #[test]
        fn number_cell_third_decimal_is_refused(m in -1_000_000_000_000_000i64..1_000_000_000_000_000) {
            prop_assume!(m % 10 != 0);
            prop_assert_eq!(Fen::from_number_cell(m as f64 / 1000.0), Err(MoneyError::TooManyDecimals));
        }

        #[test]
        fn no_panics_on_any_float(bits in any::<u64>()) {
            let _ = Fen::from_number_cell(f64::from_bits(bits));
        }
    }
}
