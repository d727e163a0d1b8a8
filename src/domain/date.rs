//! Dates (日期), monthly periods (期, `YYYY-MM`) and working-day time limits.
//!
//! Clerks write dates in many ways (`2026-11-3`, `2026/11/3`, `2026年11月3日`,
//! `20261103`), and spreadsheets hand dates over as serial numbers (Excel
//! 1900 date system, 日期序列号) or as text with a midnight time attached.
//! [`parse_date`] and [`from_excel_serial`] turn all of them into a
//! [`NaiveDate`], rejecting impossible dates (2026-02-30) and ambiguous
//! two-digit years instead of guessing.
//!
//! Assistance is paid per month, so payments, ledgers and reports are keyed
//! by a [`Period`] (发放期/期数, e.g. `2026-11`).
//!
//! Procedural time limits (办理时限) are counted in working days (工作日) from
//! the day after the event, skipping weekends and public holidays (法定节假日)
//! but counting the make-up working days (调休上班日) announced each year by
//! the State Council. This module does not know any calendar: the caller
//! passes the holiday and make-up lists. Nothing here reads the clock.

use std::collections::BTreeSet;
use std::fmt;
use std::ops::Bound;
use std::str::FromStr;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::domain::text;

/// Why a text or serial is not a valid date or period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Nothing to parse.
    Empty,
    /// Not one of the accepted spellings.
    BadFormat,
    /// The year has two digits (`26-11-3`), which is ambiguous.
    TwoDigitYear,
    /// The year is not first (`3/11/2026`).
    YearNotFirst,
    /// The year is outside 1000..=9999.
    YearOutOfRange(i32),
    /// The fields are well formed but the day does not exist.
    NoSuchDate { year: i32, month: u32, day: u32 },
    /// An Excel serial below 1, above 2958465 (9999-12-31), or not finite.
    SerialOutOfRange,
    /// Excel serial 60, Excel's non-existent 1900-02-29.
    ExcelFakeLeapDay,
    /// Not a valid `YYYY-MM` period.
    BadPeriod,
    /// A real date that cannot be meant: before 1900, or past what the workspace and the run know (see
    /// [`DateBounds`]). `likely` is the year the typo probably stands for (2926 → 2026).
    Implausible {
        date: NaiveDate,
        limit: Limit,
        likely: Option<i32>,
    },
}

/// What an implausible date is on the wrong side of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// Before [`EARLIEST`].
    Earliest,
    /// On or after [`CEILING`].
    Ceiling,
    /// More than a year after this, the latest date known.
    YearAfter(NaiveDate),
}

const DATE_HOW: &str = "write dates as YYYY-MM-DD, e.g. 2026-11-03";

fn month_name(month: u32) -> &'static str {
    match month {
        1 => "January",
        2 => "February",
        3 => "March",
        4 => "April",
        5 => "May",
        6 => "June",
        7 => "July",
        8 => "August",
        9 => "September",
        10 => "October",
        11 => "November",
        12 => "December",
        _ => "?",
    }
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateError::Empty => write!(f, "the date is empty; {DATE_HOW}"),
            DateError::BadFormat => write!(
                f,
                "the date is not in a recognised form; {DATE_HOW} (2026/11/3, 2026.11.3, 2026年11月3日 and 20261103 are also accepted)"
            ),
            DateError::TwoDigitYear => write!(
                f,
                "the date has a two-digit year, which is ambiguous; write the full four-digit year, e.g. 2026-11-03"
            ),
            DateError::YearNotFirst => write!(
                f,
                "the date does not start with the year (day/month/year order is ambiguous); {DATE_HOW}"
            ),
            DateError::YearOutOfRange(y) => write!(
                f,
                "the year {y} is out of range (1000-9999); {DATE_HOW}"
            ),
            DateError::NoSuchDate { year, month, day } => {
                if (1..=12).contains(month) {
                    let days = days_in_month(*year, *month);
                    write!(
                        f,
                        "{year:04}-{month:02}-{day:02} is not a real date: {} {year} has {days} days",
                        month_name(*month)
                    )
                } else {
                    write!(
                        f,
                        "{year:04}-{month:02}-{day:02} is not a real date: there is no month {month}; {DATE_HOW}"
                    )
                }
            }
            DateError::SerialOutOfRange => write!(
                f,
                "the spreadsheet date number is out of range (it must be between 1 and 2958465, i.e. 1900-01-01 to 9999-12-31); \
                 check the cell, or format it as a date or as text YYYY-MM-DD"
            ),
            DateError::ExcelFakeLeapDay => write!(
                f,
                "the spreadsheet date is 1900-02-29, a day that does not exist (an Excel quirk); correct the cell"
            ),
            DateError::BadPeriod => write!(
                f,
                "the period is not a valid month; write it as YYYY-MM, e.g. 2026-11 (2026年11月 and 202611 are also accepted)"
            ),
            DateError::Implausible { date, limit, likely } => {
                match limit {
                    Limit::Earliest => write!(f, "{date} is before 1900")?,
                    Limit::Ceiling => write!(f, "{date} is after 2099")?,
                    Limit::YearAfter(latest) => write!(
                        f,
                        "{date} is more than a year after {latest}, the latest date the workspace and this run know"
                    )?,
                }
                if let Some(y) = likely {
                    write!(f, ": {} is probably {y}", date.year())?;
                }
                write!(f, "; check the date on the paper form and correct it")
            }
        }
    }
}

impl DateError {
    /// The message in Chinese ([`fmt::Display`] gives it in English).
    pub fn zh(&self) -> String {
        const HOW: &str = "请按 YYYY-MM-DD 填写日期, 如 2026-11-03";
        match self {
            DateError::Empty => format!("日期为空; {HOW}"),
            DateError::BadFormat => {
                format!("日期格式无法识别; {HOW} (也可写 2026/11/3、2026.11.3、2026年11月3日 或 20261103)")
            }
            DateError::TwoDigitYear => "日期的年份只有两位, 无法确定; 请写四位年份, 如 2026-11-03".into(),
            DateError::YearNotFirst => format!("日期没有以年份开头 (日/月/年的顺序有歧义); {HOW}"),
            DateError::YearOutOfRange(y) => format!("年份 {y} 超出范围 (1000-9999); {HOW}"),
            DateError::NoSuchDate { year, month, day } => {
                if (1..=12).contains(month) {
                    let days = days_in_month(*year, *month);
                    format!("{year:04}-{month:02}-{day:02} 不是真实的日期: {year} 年 {month} 月只有 {days} 天")
                } else {
                    format!("{year:04}-{month:02}-{day:02} 不是真实的日期: 没有 {month} 月; {HOW}")
                }
            }
            DateError::SerialOutOfRange => "表格中的日期数值超出范围 (应在 1 到 2958465 之间, 即 1900-01-01 至 \
                 9999-12-31); 请检查该单元格, 或把它设为日期格式或文本 YYYY-MM-DD"
                .into(),
            DateError::ExcelFakeLeapDay => {
                "表格中的日期是 1900-02-29, 这一天并不存在 (Excel 的缺陷); 请更正该单元格".into()
            }
            DateError::BadPeriod => "月份无效; 请按 YYYY-MM 填写, 如 2026-11 (也可写 2026年11月 或 202611)".into(),
            DateError::Implausible { date, limit, likely } => {
                let mut s = match limit {
                    Limit::Earliest => format!("{date} 早于 1900 年"),
                    Limit::Ceiling => format!("{date} 晚于 2099 年"),
                    Limit::YearAfter(latest) => {
                        format!("{date} 比本工作区和本次导入已知的最晚日期 {latest} 晚一年以上")
                    }
                };
                if let Some(y) = likely {
                    s.push_str(&format!(": {} 可能是 {y} 之误", date.year()));
                }
                s.push_str("; 请对照纸质材料核对并更正日期");
                s
            }
        }
    }
}

/// No date of a civil-affairs office's work comes before this: a date before it is a typo (1026 for 2026).
pub const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// A date from this one on is a typo whatever the workspace knows (it bounds a first import, when nothing is
/// known yet).
pub const CEILING: NaiveDate = match NaiveDate::from_ymd_opt(2100, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MAX,
};

/// The dates a step takes from its inputs (registers, follow-ups, complaints, home visits): from [`EARLIEST`] to
/// a year after the latest date known, and never from [`CEILING`] on. The latest date known is the latest of the
/// workspace's dates, any date the run was given (`--as-of`), and the middle (median) of the dates being read —
/// the median, so that one mistyped date does not move the bound it is held to. A register covers weeks, not a
/// year: a date a year past all of that is a slip of the keyboard (`2926-11-05`), and taking it would make every
/// time limit and re-check cadence wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateBounds {
    latest: Option<NaiveDate>,
}

impl DateBounds {
    /// `known`: the workspace's dates and the run's options; `read`: the dates of the inputs being read.
    pub fn new(known: impl IntoIterator<Item = NaiveDate>, mut read: Vec<NaiveDate>) -> DateBounds {
        let median = if read.is_empty() {
            None
        } else {
            // The upper median: of two dates, the later (a low outlier — a date before the applicant's birth —
            // must not pull the bound below the good dates; a high one is still caught by the ceiling).
            let mid = read.len() / 2;
            Some(*read.select_nth_unstable(mid).1)
        };
        DateBounds {
            latest: known.into_iter().chain(median).max(),
        }
    }

    /// The last date taken.
    pub fn last(&self) -> NaiveDate {
        let ceiling = CEILING.pred_opt().unwrap_or(CEILING);
        self.latest
            .and_then(|d| d.checked_add_months(chrono::Months::new(12)))
            .map_or(ceiling, |d| d.min(ceiling))
    }

    /// `date` when it is plausible; else why not, with the year it probably stands for.
    pub fn check(&self, date: NaiveDate) -> Result<NaiveDate, DateError> {
        let last = self.last();
        let limit = if date < EARLIEST {
            Limit::Earliest
        } else if date <= last {
            return Ok(date);
        } else {
            match self.latest {
                // The nearer limit is the one named: a year after the latest date known, unless that is past 2099.
                Some(latest) if last < CEILING.pred_opt().unwrap_or(CEILING) => Limit::YearAfter(latest),
                _ => Limit::Ceiling,
            }
        };
        Err(DateError::Implausible {
            date,
            limit,
            likely: self.likely_year(date),
        })
    }

    /// The year a mistyped year most probably stands for: one digit changed, or two neighbouring digits swapped,
    /// giving a date within the bounds; of several, the one nearest the latest date known.
    fn likely_year(&self, date: NaiveDate) -> Option<i32> {
        let year = date.year();
        if !(1000..=9999).contains(&year) {
            return None;
        }
        let digits: Vec<u8> = year.to_string().into_bytes();
        let mut years = Vec::new();
        for i in 0..4 {
            for d in b'0'..=b'9' {
                let mut v = digits.clone();
                v[i] = d;
                years.push(v);
            }
            if i < 3 {
                let mut v = digits.clone();
                v.swap(i, i + 1);
                years.push(v);
            }
        }
        let target = self.latest.unwrap_or(self.last());
        years
            .into_iter()
            .filter_map(|v| std::str::from_utf8(&v).ok()?.parse::<i32>().ok())
            .filter(|&y| y != year && y >= 1000)
            .filter_map(|y| NaiveDate::from_ymd_opt(y, date.month(), date.day()))
            .filter(|d| *d >= EARLIEST && *d <= self.last())
            .min_by_key(|d| ((*d - target).num_days().abs(), *d))
            .map(|d| d.year())
    }
}

impl std::error::Error for DateError {}

/// Number of days in a month (0 for an invalid month).
fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            if leap {
                29
            } else {
                28
            }
        }
        _ => 0,
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Parses 1–`max_len` ASCII digits.
fn small_number(s: &str, max_len: usize) -> Option<u32> {
    if all_digits(s) && s.len() <= max_len {
        s.parse().ok()
    } else {
        None
    }
}

/// True for a time of day `H:MM`, `H:MM:SS` or `H:MM:SS.fff` (hour ≤ 23).
fn is_time(t: &str) -> bool {
    let mut parts = t.split(':');
    let (Some(h), Some(m)) = (parts.next(), parts.next()) else {
        return false;
    };
    let s = parts.next();
    if parts.next().is_some() {
        return false;
    }
    let hour_ok = small_number(h, 2).is_some_and(|h| h <= 23);
    let min_ok = m.len() == 2 && small_number(m, 2).is_some_and(|m| m <= 59);
    let sec_ok = match s {
        None => true,
        Some(s) => {
            let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
            whole.len() == 2 && small_number(whole, 2).is_some_and(|s| s <= 60) && all_digits(frac)
        }
    };
    hour_ok && min_ok && sec_ok
}

fn make_date(year: u32, month: u32, day: u32) -> Result<NaiveDate, DateError> {
    let year = i32::try_from(year).map_err(|_| DateError::BadFormat)?;
    if !(1000..=9999).contains(&year) {
        return Err(DateError::YearOutOfRange(year));
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or(DateError::NoSuchDate { year, month, day })
}

/// Year, month and day fields given as text.
fn date_from_fields(y: &str, m: &str, d: &str) -> Result<NaiveDate, DateError> {
    if !(all_digits(y) && all_digits(m) && all_digits(d)) {
        return Err(DateError::BadFormat);
    }
    if y.len() != 4 {
        if d.len() == 4 && y.len() <= 2 {
            return Err(DateError::YearNotFirst);
        }
        if y.len() == 2 {
            return Err(DateError::TwoDigitYear);
        }
        return Err(DateError::BadFormat);
    }
    let (Some(year), Some(month), Some(day)) = (small_number(y, 4), small_number(m, 2), small_number(d, 2)) else {
        return Err(DateError::BadFormat);
    };
    make_date(year, month, day)
}

/// `YYYY年M月D日` / `YYYY年M月D号` (spaces already removed).
fn parse_chinese(s: &str) -> Result<NaiveDate, DateError> {
    let (y, rest) = s.split_once('年').ok_or(DateError::BadFormat)?;
    let (m, rest) = rest.split_once('月').ok_or(DateError::BadFormat)?;
    let d = rest
        .strip_suffix('日')
        .or_else(|| rest.strip_suffix('号'))
        .ok_or(DateError::BadFormat)?;
    date_from_fields(y, m, d)
}

/// Parses a date typed by a clerk or exported as text.
///
/// Applies [`text::normalize`] (full-width digits and separators work), then
/// accepts `2026-11-03`, `2026-11-3`, `2026/11/3`, `2026.11.3` (one separator
/// kind per date), `2026年11月3日`, `2026年11月3号` (spaces allowed),
/// `20261103`, each optionally followed by a time of day after a space or
/// `T` (`2026-11-03 00:00:00`, `2026/11/3 0:00`, `2026-11-03T08:30:00.000`).
/// Any valid time is accepted and dropped.
///
/// Rejects: impossible dates ([`DateError::NoSuchDate`]), two-digit years
/// ([`DateError::TwoDigitYear`]), day-first orders
/// ([`DateError::YearNotFirst`]), years outside 1000..=9999, and anything else
/// ([`DateError::BadFormat`]).
pub fn parse_date(s: &str) -> Result<NaiveDate, DateError> {
    let norm = text::normalize(s);
    if norm.is_empty() {
        return Err(DateError::Empty);
    }
    let date_part = match norm.split_once([' ', 'T']) {
        Some((d, t)) if is_time(t) => d,
        _ => norm.as_str(),
    };
    if date_part.contains('年') {
        let compact: String = date_part.chars().filter(|&c| c != ' ').collect();
        return parse_chinese(&compact);
    }
    if all_digits(date_part) {
        return match date_part.len() {
            8 => date_from_fields(&date_part[0..4], &date_part[4..6], &date_part[6..8]),
            6 => Err(DateError::TwoDigitYear),
            _ => Err(DateError::BadFormat),
        };
    }
    let Some(sep) = date_part.chars().find(|c| !c.is_ascii_digit()) else {
        return Err(DateError::BadFormat);
    };
    if !matches!(sep, '-' | '/' | '.') {
        return Err(DateError::BadFormat);
    }
    let fields: Vec<&str> = date_part.split(sep).collect();
    match fields.as_slice() {
        [y, m, d] => date_from_fields(y, m, d),
        _ => Err(DateError::BadFormat),
    }
}

/// Last valid Excel serial: 9999-12-31.
const MAX_EXCEL_SERIAL: f64 = 2_958_465.0;

/// Converts an Excel serial date (1900 date system) to a date.
///
/// Serial 1 is 1900-01-01, 59 is 1900-02-28, 60 is Excel's fictitious
/// 1900-02-29 (rejected with [`DateError::ExcelFakeLeapDay`]), 61 is
/// 1900-03-01. The fractional part (time of day) is ignored. Serials below 1,
/// above 2958465 (9999-12-31), NaN and infinities are
/// [`DateError::SerialOutOfRange`]. The 1904 date system (Mac workbooks) is
/// [`from_excel_serial_1904`].
pub fn from_excel_serial(serial: f64) -> Result<NaiveDate, DateError> {
    if !serial.is_finite() || !(1.0..MAX_EXCEL_SERIAL + 1.0).contains(&serial) {
        return Err(DateError::SerialOutOfRange);
    }
    // In range 1..2958466, so the truncation is exact and lossless.
    let day = serial.floor() as u64;
    let (base, offset) = match day {
        60 => return Err(DateError::ExcelFakeLeapDay),
        // Serials before the fake leap day count from 1899-12-31.
        1..=59 => ((1899, 12, 31), day),
        // Later serials are one too high, so count from 1899-12-30.
        _ => ((1899, 12, 30), day),
    };
    NaiveDate::from_ymd_opt(base.0, base.1, base.2)
        .and_then(|b| b.checked_add_days(Days::new(offset)))
        .ok_or(DateError::SerialOutOfRange)
}

/// Last valid serial of the 1904 date system: 9999-12-31.
const MAX_EXCEL_SERIAL_1904: f64 = 2_957_003.0;

/// Converts an Excel serial date of the 1904 date system (workbooks from Mac Excel, marked `date1904` in the
/// workbook) to a date: serial 0 is 1904-01-01, with no fictitious leap day, so a serial is 1462 days less than
/// the same date's serial in the 1900 system. The fractional part (time of day) is ignored. Serials below 0,
/// above 2957003 (9999-12-31), NaN and infinities are [`DateError::SerialOutOfRange`].
pub fn from_excel_serial_1904(serial: f64) -> Result<NaiveDate, DateError> {
    if !serial.is_finite() || !(0.0..MAX_EXCEL_SERIAL_1904 + 1.0).contains(&serial) {
        return Err(DateError::SerialOutOfRange);
    }
    NaiveDate::from_ymd_opt(1904, 1, 1)
        .and_then(|b| b.checked_add_days(Days::new(serial.floor() as u64)))
        .ok_or(DateError::SerialOutOfRange)
}

/// `YYYY-MM-DD`.
pub fn format_date(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// A calendar month (期), e.g. `2026-11`.
///
/// Ordered chronologically. Every `Period` lies within the range of
/// [`NaiveDate`], so [`Period::first_day`] and [`Period::last_day`] always
/// exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    year: i32,
    month: u32,
}

impl Period {
    /// `None` unless `month` is 1..=12 and the month lies within
    /// [`NaiveDate`]'s range.
    pub fn new(year: i32, month: u32) -> Option<Period> {
        NaiveDate::from_ymd_opt(year, month, 1)?;
        Some(Period { year, month })
    }

    /// Parses `2026-11`, `2026-1`, `2026/11`, `2026.11`, `2026年11月`,
    /// `2026 年 11 月`, `202611` (after [`text::normalize`]). The year must
    /// have four digits.
    pub fn parse(s: &str) -> Result<Period, DateError> {
        let compact: String = text::normalize(s).chars().filter(|&c| c != ' ').collect();
        if compact.is_empty() {
            return Err(DateError::Empty);
        }
        let (y, m) = if let Some(rest) = compact.strip_suffix('月') {
            rest.split_once('年').ok_or(DateError::BadPeriod)?
        } else if all_digits(&compact) && compact.len() == 6 {
            compact.split_at(4)
        } else {
            compact.split_once(['-', '/', '.']).ok_or(DateError::BadPeriod)?
        };
        if y.len() != 4 || !all_digits(y) || !all_digits(m) || m.len() > 2 {
            return Err(DateError::BadPeriod);
        }
        let year = small_number(y, 4)
            .and_then(|y| i32::try_from(y).ok())
            .ok_or(DateError::BadPeriod)?;
        if !(1000..=9999).contains(&year) {
            return Err(DateError::YearOutOfRange(year));
        }
        let month = small_number(m, 2).ok_or(DateError::BadPeriod)?;
        Period::new(year, month).ok_or(DateError::BadPeriod)
    }

    /// The period containing `date`.
    pub fn of(date: NaiveDate) -> Period {
        Period {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1..=12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        // Always valid by construction; the fallback is unreachable.
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last day of the month.
    pub fn last_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, days_in_month(self.year, self.month)).unwrap_or(NaiveDate::MAX)
    }

    /// The following month, `None` past the end of [`NaiveDate`]'s range.
    pub fn checked_next(self) -> Option<Period> {
        if self.month == 12 {
            Period::new(self.year.checked_add(1)?, 1)
        } else {
            Period::new(self.year, self.month + 1)
        }
    }

    /// The preceding month, `None` before the start of [`NaiveDate`]'s range.
    pub fn checked_prev(self) -> Option<Period> {
        if self.month == 1 {
            Period::new(self.year.checked_sub(1)?, 12)
        } else {
            Period::new(self.year, self.month - 1)
        }
    }

    /// The following month (2026-12 → 2027-01). Saturates at the last
    /// representable month (year 262143), far beyond any real use.
    pub fn next(self) -> Period {
        self.checked_next().unwrap_or(self)
    }

    /// The preceding month (2027-01 → 2026-12). Saturates at the first
    /// representable month.
    pub fn prev(self) -> Period {
        self.checked_prev().unwrap_or(self)
    }

    /// Months from `self` to `other`: positive if `other` is later
    /// (2026-11 → 2027-02 is 3), negative if earlier, 0 if equal.
    pub fn months_until(self, other: Period) -> i32 {
        // Years are within ±262144, so this cannot overflow.
        (other.year - self.year) * 12 + (other.month as i32 - self.month as i32)
    }

    /// True when `date` falls in this month.
    pub fn contains(self, date: NaiveDate) -> bool {
        Period::of(date) == self
    }
}

impl fmt::Display for Period {
    /// `YYYY-MM`, e.g. `2026-11`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = format!("{:04}-{:02}", self.year, self.month);
        f.pad(&text)
    }
}

impl FromStr for Period {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

/// Holiday and make-up-day lists as ordered sets.
struct Calendar {
    holidays: BTreeSet<NaiveDate>,
    extra: BTreeSet<NaiveDate>,
}

impl Calendar {
    fn new(holidays: &[NaiveDate], extra_workdays: &[NaiveDate]) -> Calendar {
        Calendar {
            holidays: holidays.iter().copied().collect(),
            extra: extra_workdays.iter().copied().collect(),
        }
    }

    fn is_working(&self, d: NaiveDate) -> bool {
        if self.extra.contains(&d) {
            return true;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&d)
    }

    /// The first listed holiday or make-up day strictly after `d`.
    fn next_special_after(&self, d: NaiveDate) -> Option<NaiveDate> {
        let range = (Bound::Excluded(d), Bound::Unbounded);
        let h = self.holidays.range(range).next();
        let e = self.extra.range(range).next();
        match (h, e) {
            (Some(a), Some(b)) => Some(*a.min(b)),
            (a, b) => a.or(b).copied(),
        }
    }

    /// How many whole weeks after `d` contain no listed day, at most `limit`.
    /// Any 7 consecutive ordinary days hold exactly 5 working days.
    fn plain_weeks_after(&self, d: NaiveDate, limit: u64) -> u64 {
        match self.next_special_after(d) {
            None => limit,
            Some(special) => {
                let gap = special.signed_duration_since(d).num_days() - 1;
                u64::try_from(gap / 7).unwrap_or(0).min(limit)
            }
        }
    }
}

/// True when `d` is a working day: listed in `extra_workdays`, or a Monday to
/// Friday that is not in `holidays`. A date in both lists is a working day.
pub fn is_working_day(d: NaiveDate, holidays: &[NaiveDate], extra_workdays: &[NaiveDate]) -> bool {
    Calendar::new(holidays, extra_workdays).is_working(d)
}

/// The date on which a time limit of `n` working days ends.
///
/// Counting starts on the day after `start` (期间从次日起算): the result is the
/// `n`-th working day after `start`. Saturdays, Sundays and `holidays` are
/// skipped; dates in `extra_workdays` (调休 make-up working days, usually
/// weekends) count as working days even if they are also listed as holidays.
/// `n == 0` returns `start`. Saturates at [`NaiveDate::MAX`] if the end would
/// lie beyond chrono's range.
pub fn add_working_days(start: NaiveDate, n: u32, holidays: &[NaiveDate], extra_workdays: &[NaiveDate]) -> NaiveDate {
    let cal = Calendar::new(holidays, extra_workdays);
    let mut d = start;
    let mut remaining = u64::from(n);
    while remaining > 0 {
        // Jump over whole ordinary weeks, keeping at least one day to count.
        let weeks = cal.plain_weeks_after(d, (remaining - 1) / 5);
        if weeks > 0 {
            match d.checked_add_days(Days::new(weeks * 7)) {
                Some(next) => {
                    d = next;
                    remaining -= weeks * 5;
                    continue;
                }
                None => return NaiveDate::MAX,
            }
        }
        match d.succ_opt() {
            Some(next) => d = next,
            None => return NaiveDate::MAX,
        }
        if cal.is_working(d) {
            remaining -= 1;
        }
    }
    d
}

/// Working days after `start` up to and including `end` (0 if `end <=
/// start`), with the same rules as [`add_working_days`]; so
/// `working_days_between(s, add_working_days(s, n, h, e), h, e) == n`.
pub fn working_days_between(
    start: NaiveDate,
    end: NaiveDate,
    holidays: &[NaiveDate],
    extra_workdays: &[NaiveDate],
) -> u32 {
    let cal = Calendar::new(holidays, extra_workdays);
    let mut count: u64 = 0;
    let mut d = start;
    while d < end {
        let days_left = u64::try_from(end.signed_duration_since(d).num_days()).unwrap_or(0);
        let weeks = cal.plain_weeks_after(d, days_left / 7);
        if weeks > 0 {
            match d.checked_add_days(Days::new(weeks * 7)) {
                Some(next) => {
                    d = next;
                    count += weeks * 5;
                    continue;
                }
                None => break,
            }
        }
        match d.succ_opt() {
            Some(next) => d = next,
            None => break,
        }
        if cal.is_working(d) {
            count += 1;
        }
    }
    // chrono's whole range is about 191 million days, so this always fits.
    u32::try_from(count).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn period(y: i32, m: u32) -> Period {
        Period::new(y, m).expect("valid test period")
    }

    #[test]
    fn parse_date_spellings() {
        let want = date(2026, 11, 3);
        for s in [
            "2026-11-03",
            "2026-11-3",
            "2026/11/3",
            "2026/11/03",
            "2026.11.3",
            "2026年11月3日",
            "2026年11月03日",
            "2026年11月3号",
            "2026 年 11 月 3 日",
            "20261103",
            "2026-11-03 00:00:00",
            "2026/11/3 0:00",
            "2026-11-03 23:59:59",
            "2026-11-03 08:30",
            "2026-11-03T00:00:00",
            "2026-11-03T00:00:00.000",
            "2026-11-03 00:00:00.5",
            "  2026-11-03  ",
            "２０２６－１１－０３",
            "２０２６年１１月３日",
            "\u{FEFF}2026-11-03",
            "2026-11-03\u{3000}0:00",
        ] {
            assert_eq!(parse_date(s), Ok(want), "{s:?}");
        }
    }

    #[test]
    fn parse_date_rejects() {
        use DateError::*;
        let cases: &[(&str, DateError)] = &[
            ("", Empty),
            ("  ", Empty),
            (
                "2026-02-30",
                NoSuchDate {
                    year: 2026,
                    month: 2,
                    day: 30,
                },
            ),
            (
                "2026-13-01",
                NoSuchDate {
                    year: 2026,
                    month: 13,
                    day: 1,
                },
            ),
            (
                "2026-00-01",
                NoSuchDate {
                    year: 2026,
                    month: 0,
                    day: 1,
                },
            ),
            (
                "2025-02-29",
                NoSuchDate {
                    year: 2025,
                    month: 2,
                    day: 29,
                },
            ),
            (
                "20260230",
                NoSuchDate {
                    year: 2026,
                    month: 2,
                    day: 30,
                },
            ),
            (
                "2026年2月30日",
                NoSuchDate {
                    year: 2026,
                    month: 2,
                    day: 30,
                },
            ),
            ("26-11-3", TwoDigitYear),
            ("26/11/03", TwoDigitYear),
            ("26年11月3日", TwoDigitYear),
            ("261103", TwoDigitYear),
            ("3/11/2026", YearNotFirst),
            ("03.11.2026", YearNotFirst),
            ("0999-01-01", YearOutOfRange(999)),
            ("2026-11", BadFormat),
            ("2026-11-03-01", BadFormat),
            ("2026-11/03", BadFormat),
            ("2026_11_03", BadFormat),
            ("2026-011-03", BadFormat),
            ("2026-11-003", BadFormat),
            ("202611030", BadFormat),
            ("2026年11月", BadFormat),
            ("2026年11月3", BadFormat),
            ("2026-11-03 25:00", BadFormat),
            ("2026-11-03 noon", BadFormat),
            ("2026-11-03 0:0", BadFormat),
            ("Nov 3, 2026", BadFormat),
            ("45000", BadFormat),
            ("-2026-11-03", BadFormat),
            ("2026--11", BadFormat),
            ("T", BadFormat),
        ];
        for (s, err) in cases {
            assert_eq!(parse_date(s), Err(err.clone()), "{s:?}");
        }
    }

    #[test]
    fn no_such_date_message() {
        let msg = parse_date("2026-02-30").expect_err("invalid").to_string();
        assert!(msg.contains("2026-02-30 is not a real date"), "{msg}");
        assert!(msg.contains("February 2026 has 28 days"), "{msg}");
        let msg = parse_date("2024-02-30").expect_err("invalid").to_string();
        assert!(msg.contains("February 2024 has 29 days"), "{msg}");
        let msg = parse_date("2026-13-01").expect_err("invalid").to_string();
        assert!(msg.contains("no month 13"), "{msg}");
        let msg = parse_date("26-11-3").expect_err("invalid").to_string();
        assert!(msg.contains("four-digit year"), "{msg}");
    }

    #[test]
    fn excel_serials() {
        assert_eq!(from_excel_serial(1.0), Ok(date(1900, 1, 1)));
        assert_eq!(from_excel_serial(2.0), Ok(date(1900, 1, 2)));
        assert_eq!(from_excel_serial(31.0), Ok(date(1900, 1, 31)));
        assert_eq!(from_excel_serial(59.0), Ok(date(1900, 2, 28)));
        assert_eq!(from_excel_serial(60.0), Err(DateError::ExcelFakeLeapDay));
        // The 1904 system: 1462 days less for the same date, and no fictitious leap day.
        assert_eq!(from_excel_serial_1904(0.0), Ok(date(1904, 1, 1)));
        assert_eq!(from_excel_serial_1904(59.0), Ok(date(1904, 2, 29)));
        assert_eq!(from_excel_serial_1904(46331.0 - 1462.0), Ok(date(2026, 11, 5)));
        assert_eq!(from_excel_serial(46331.0), Ok(date(2026, 11, 5)));
        assert_eq!(from_excel_serial_1904(2_957_003.5), Ok(date(9999, 12, 31)));
        assert_eq!(from_excel_serial_1904(2_957_004.0), Err(DateError::SerialOutOfRange));
        assert_eq!(from_excel_serial_1904(-1.0), Err(DateError::SerialOutOfRange));
        assert_eq!(from_excel_serial_1904(f64::NAN), Err(DateError::SerialOutOfRange));
        assert_eq!(from_excel_serial(60.5), Err(DateError::ExcelFakeLeapDay));
        assert_eq!(from_excel_serial(61.0), Ok(date(1900, 3, 1)));
        assert_eq!(from_excel_serial(367.0), Ok(date(1901, 1, 1)));
        assert_eq!(from_excel_serial(25569.0), Ok(date(1970, 1, 1)));
        assert_eq!(from_excel_serial(36526.0), Ok(date(2000, 1, 1)));
        assert_eq!(from_excel_serial(45000.0), Ok(date(2023, 3, 15)));
        assert_eq!(from_excel_serial(46329.0), Ok(date(2026, 11, 3)));
        assert_eq!(from_excel_serial(46329.999), Ok(date(2026, 11, 3)));
        assert_eq!(from_excel_serial(46329.5), Ok(date(2026, 11, 3)));
        assert_eq!(from_excel_serial(46330.0), Ok(date(2026, 11, 4)));
        assert_eq!(from_excel_serial(2_958_465.0), Ok(date(9999, 12, 31)));
        assert_eq!(from_excel_serial(2_958_465.9), Ok(date(9999, 12, 31)));
        for bad in [
            0.0,
            0.999,
            -1.0,
            2_958_466.0,
            1e300,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            assert_eq!(from_excel_serial(bad), Err(DateError::SerialOutOfRange), "{bad}");
        }
    }

    #[test]
    fn format_dates() {
        assert_eq!(format_date(date(2026, 11, 3)), "2026-11-03");
        assert_eq!(format_date(date(1900, 1, 1)), "1900-01-01");
        assert_eq!(parse_date(&format_date(date(2024, 2, 29))), Ok(date(2024, 2, 29)));
    }

    #[test]
    fn period_parse_and_display() {
        for s in [
            "2026-11",
            "2026-11 ",
            "2026/11",
            "2026.11",
            "2026年11月",
            "2026 年 11 月",
            "202611",
            "２０２６－１１",
        ] {
            assert_eq!(Period::parse(s), Ok(period(2026, 11)), "{s:?}");
        }
        assert_eq!(Period::parse("2026-1"), Ok(period(2026, 1)));
        assert_eq!(Period::parse("2026年1月"), Ok(period(2026, 1)));
        assert_eq!("2026-11".parse::<Period>(), Ok(period(2026, 11)));
        assert_eq!(period(2026, 1).to_string(), "2026-01");
        assert_eq!(period(2026, 11).to_string(), "2026-11");
        for s in [
            "2026-13",
            "2026-00",
            "202613",
            "26-11",
            "2026",
            "2026-11-03",
            "2026-111",
            "abc",
            "2026年11",
            "11/2026",
            "2026-",
            "-11",
        ] {
            assert!(Period::parse(s).is_err(), "{s:?}");
        }
        assert_eq!(Period::parse(""), Err(DateError::Empty));
        assert_eq!(Period::parse("0999-01"), Err(DateError::YearOutOfRange(999)));
    }

    #[test]
    fn period_navigation() {
        let nov = period(2026, 11);
        assert_eq!(nov.year(), 2026);
        assert_eq!(nov.month(), 11);
        assert_eq!(nov.first_day(), date(2026, 11, 1));
        assert_eq!(nov.last_day(), date(2026, 11, 30));
        assert_eq!(period(2026, 2).last_day(), date(2026, 2, 28));
        assert_eq!(period(2024, 2).last_day(), date(2024, 2, 29));
        assert_eq!(period(2026, 12).last_day(), date(2026, 12, 31));
        assert_eq!(nov.next(), period(2026, 12));
        assert_eq!(period(2026, 12).next(), period(2027, 1));
        assert_eq!(period(2027, 1).prev(), period(2026, 12));
        assert_eq!(nov.prev(), period(2026, 10));
        assert_eq!(nov.months_until(period(2027, 2)), 3);
        assert_eq!(period(2027, 2).months_until(nov), -3);
        assert_eq!(nov.months_until(nov), 0);
        assert_eq!(period(2025, 12).months_until(period(2026, 1)), 1);
        assert_eq!(Period::of(date(2026, 11, 30)), nov);
        assert!(nov.contains(date(2026, 11, 1)));
        assert!(nov.contains(date(2026, 11, 30)));
        assert!(!nov.contains(date(2026, 12, 1)));
        assert!(!nov.contains(date(2025, 11, 15)));
        assert!(period(2026, 12) > nov);
        assert!(period(2027, 1) > period(2026, 12));
        assert_eq!(Period::new(2026, 0), None);
        assert_eq!(Period::new(2026, 13), None);
    }

    #[test]
    fn period_extremes_do_not_panic() {
        let last = Period::of(NaiveDate::MAX);
        assert_eq!(last.checked_next(), None);
        assert_eq!(last.next(), last);
        assert_eq!(last.last_day(), NaiveDate::MAX);
        let first = Period::of(NaiveDate::MIN);
        assert_eq!(first.checked_prev(), None);
        assert_eq!(first.prev(), first);
        assert_eq!(first.first_day(), NaiveDate::MIN);
        assert!(first.months_until(last) > 0);
    }

    #[test]
    fn working_days_across_weekend() {
        // 2026-11-06 is a Friday.
        let fri = date(2026, 11, 6);
        assert_eq!(fri.weekday(), Weekday::Fri);
        assert_eq!(add_working_days(fri, 0, &[], &[]), fri);
        assert_eq!(add_working_days(fri, 1, &[], &[]), date(2026, 11, 9));
        assert_eq!(add_working_days(fri, 5, &[], &[]), date(2026, 11, 13));
        assert_eq!(add_working_days(fri, 6, &[], &[]), date(2026, 11, 16));
        assert_eq!(add_working_days(fri, 10, &[], &[]), date(2026, 11, 20));
        // Starting on a Saturday: Monday is day 1.
        assert_eq!(add_working_days(date(2026, 11, 7), 1, &[], &[]), date(2026, 11, 9));
        assert_eq!(working_days_between(fri, date(2026, 11, 9), &[], &[]), 1);
        assert_eq!(working_days_between(fri, date(2026, 11, 8), &[], &[]), 0);
        assert_eq!(working_days_between(fri, fri, &[], &[]), 0);
        assert_eq!(working_days_between(date(2026, 11, 9), fri, &[], &[]), 0);
        assert_eq!(working_days_between(fri, date(2026, 11, 20), &[], &[]), 10);
    }

    #[test]
    fn working_days_with_holiday_and_makeup_day() {
        // National Day style: Thu 2026-10-01..Wed 10-07 off, make-up working
        // days on Sunday 09-27 and Saturday 10-10 (illustrative lists).
        let holidays: Vec<NaiveDate> = (1..=7).map(|d| date(2026, 10, d)).collect();
        let extra = [date(2026, 9, 27), date(2026, 10, 10)];
        // From Fri 09-25: Sun 09-27 is worked (1), Mon 28 (2), Tue 29 (3), Wed 30 (4),
        // then holidays to 10-07, Thu 10-08 (5), Fri 10-09 (6), Sat 10-10 (7), Mon 10-12 (8).
        let start = date(2026, 9, 25);
        assert_eq!(add_working_days(start, 1, &holidays, &extra), date(2026, 9, 27));
        assert_eq!(add_working_days(start, 4, &holidays, &extra), date(2026, 9, 30));
        assert_eq!(add_working_days(start, 5, &holidays, &extra), date(2026, 10, 8));
        assert_eq!(add_working_days(start, 7, &holidays, &extra), date(2026, 10, 10));
        assert_eq!(add_working_days(start, 8, &holidays, &extra), date(2026, 10, 12));
        assert_eq!(working_days_between(start, date(2026, 10, 12), &holidays, &extra), 8);
        assert_eq!(working_days_between(start, date(2026, 10, 7), &holidays, &extra), 4);
        // Without the lists, plain weekdays.
        assert_eq!(add_working_days(start, 5, &[], &[]), date(2026, 10, 2));
        // A single weekday holiday.
        let mon = date(2026, 11, 9);
        assert_eq!(add_working_days(date(2026, 11, 6), 1, &[mon], &[]), date(2026, 11, 10));
        // A date in both lists counts as working.
        assert!(is_working_day(mon, &[mon], &[mon]));
        assert!(!is_working_day(mon, &[mon], &[]));
        assert!(!is_working_day(date(2026, 11, 7), &[], &[]));
        assert!(is_working_day(date(2026, 11, 7), &[], &[date(2026, 11, 7)]));
    }

    #[test]
    fn working_days_long_spans_and_extremes() {
        let start = date(2026, 1, 1);
        // 2026-01-01 is a Thursday; 260 working days in 52 weeks.
        assert_eq!(add_working_days(start, 260, &[], &[]), date(2026, 12, 31));
        assert_eq!(working_days_between(start, date(2026, 12, 31), &[], &[]), 260);
        assert_eq!(add_working_days(start, u32::MAX, &[], &[]), NaiveDate::MAX);
        assert_eq!(add_working_days(NaiveDate::MAX, 1, &[], &[]), NaiveDate::MAX);
        let all = working_days_between(NaiveDate::MIN, NaiveDate::MAX, &[], &[]);
        assert!(all > 100_000_000);
    }

    /// Straightforward day-by-day reference implementation.
    fn reference_add(start: NaiveDate, n: u32, h: &[NaiveDate], e: &[NaiveDate]) -> NaiveDate {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().expect("test range");
            if is_working_day(d, h, e) {
                left -= 1;
            }
        }
        d
    }

    fn date_strategy() -> impl Strategy<Value = NaiveDate> {
        (0u64..3000).prop_map(|o| date(2025, 1, 1) + Days::new(o))
    }

    proptest! {
        #[test]
        fn add_working_days_matches_reference(
            start in date_strategy(),
            n in 0u32..400,
            holidays in prop::collection::vec(date_strategy(), 0..40),
            extra in prop::collection::vec(date_strategy(), 0..10),
        ) {
            let got = add_working_days(start, n, &holidays, &extra);
            prop_assert_eq!(got, reference_add(start, n, &holidays, &extra));
            prop_assert_eq!(working_days_between(start, got, &holidays, &extra), n);
            if n > 0 {
                prop_assert!(is_working_day(got, &holidays, &extra));
            }
        }

        #[test]
        fn between_matches_naive_count(
            start in date_strategy(),
            end in date_strategy(),
            holidays in prop::collection::vec(date_strategy(), 0..40),
            extra in prop::collection::vec(date_strategy(), 0..10),
        ) {
            let mut naive = 0u32;
            let mut d = start;
            while d < end {
                d = d.succ_opt().expect("test range");
                if is_working_day(d, &holidays, &extra) {
                    naive += 1;
                }
            }
            prop_assert_eq!(working_days_between(start, end, &holidays, &extra), naive);
        }

        #[test]
        fn format_parse_roundtrip(d in (1000i32..=9999, 1u32..=366).prop_filter_map("valid", |(y, o)| NaiveDate::from_yo_opt(y, o))) {
            prop_assert_eq!(parse_date(&format_date(d)), Ok(d));
            let chinese = format!("{}年{}月{}日", d.year(), d.month(), d.day());
            prop_assert_eq!(parse_date(&chinese), Ok(d));
            let compact = format!("{:04}{:02}{:02}", d.year(), d.month(), d.day());
            prop_assert_eq!(parse_date(&compact), Ok(d));
            let p = Period::of(d);
            prop_assert!(p.contains(d));
            prop_assert_eq!(Period::parse(&p.to_string()), Ok(p));
            prop_assert!(p.first_day() <= d && d <= p.last_day());
        }

        #[test]
        fn period_next_prev(y in 1000i32..=9999, m in 1u32..=12, k in -500i32..500) {
            let p = period(y, m);
            prop_assert_eq!(p.next().prev(), p);
            prop_assert_eq!(p.prev().next(), p);
            prop_assert_eq!(p.months_until(p.next()), 1);
            prop_assert_eq!(p.next().first_day(), p.last_day().succ_opt().expect("in range"));
            let mut q = p;
            for _ in 0..k.unsigned_abs() {
                q = if k >= 0 { q.next() } else { q.prev() };
            }
            prop_assert_eq!(p.months_until(q), k);
        }

        #[test]
        fn serial_roundtrip(serial in 61u32..=2_958_465) {
            let d = from_excel_serial(f64::from(serial)).expect("in range");
            let back = d.signed_duration_since(date(1899, 12, 30)).num_days();
            prop_assert_eq!(back, i64::from(serial));
        }

        #[test]
        fn no_panics_on_arbitrary_text(s in any::<String>()) {
            let _ = parse_date(&s);
            let _ = Period::parse(&s);
        }

        #[test]
        fn no_panics_on_date_like_text(s in "[0-9年月日号/.: T-]{0,24}") {
            if let Ok(d) = parse_date(&s) {
                prop_assert!((1000..=9999).contains(&d.year()));
            }
            if let Ok(p) = Period::parse(&s) {
                let _ = (p.first_day(), p.last_day(), p.next(), p.prev());
            }
        }

        #[test]
        fn no_panics_on_any_serial(bits in any::<u64>()) {
            let _ = from_excel_serial(f64::from_bits(bits));
        }
    }

    #[test]
    fn a_date_far_past_what_is_known_names_the_likely_year() {
        let known = DateBounds::new([date(2026, 11, 20)], vec![]);
        assert_eq!(
            known.check(date(2027, 11, 20)),
            Ok(date(2027, 11, 20)),
            "a year ahead is taken"
        );
        let err = known.check(date(2926, 11, 5)).expect_err("2926 is a typo");
        assert_eq!(
            err,
            DateError::Implausible {
                date: date(2926, 11, 5),
                limit: Limit::YearAfter(date(2026, 11, 20)),
                likely: Some(2026)
            }
        );
        assert!(err.to_string().contains("2926 is probably 2026"), "{err}");
        assert!(err.zh().contains("2926 可能是 2026 之误"), "{}", err.zh());
        // Past the year after the latest date, below the ceiling: a swapped pair of digits.
        let err = known.check(date(2062, 11, 5)).expect_err("2062 is a typo");
        assert!(err.to_string().contains("more than a year after 2026-11-20"), "{err}");
        assert!(err.to_string().contains("2062 is probably 2026"), "{err}");
        // Before 1900.
        let err = known.check(date(1026, 3, 1)).expect_err("1026 is a typo");
        assert!(err.to_string().contains("before 1900: 1026 is probably 2026"), "{err}");
        assert_eq!(known.check(date(1900, 1, 1)), Ok(date(1900, 1, 1)));
    }

    #[test]
    fn the_dates_being_read_count_by_their_median() {
        // A first import: nothing known but the file's own dates, one of them mistyped.
        let read = vec![date(2026, 11, 3), date(2926, 11, 5), date(2026, 11, 4)];
        let b = DateBounds::new([], read);
        assert_eq!(b.last(), date(2027, 11, 4));
        assert!(b.check(date(2926, 11, 5)).is_err());
        assert!(b.check(date(2026, 12, 31)).is_ok());
        // A date before the applicant's birth (a low outlier, refused elsewhere) does not refuse the good one.
        let b = DateBounds::new([], vec![date(2026, 11, 2), date(1970, 1, 1)]);
        assert!(b.check(date(2026, 11, 2)).is_ok());
        // Of two dates the later counts: a typo of 2926 is still refused, by the fixed limit.
        let b = DateBounds::new([], vec![date(2026, 11, 2), date(2926, 11, 5)]);
        assert!(b.check(date(2926, 11, 5)).is_err());
        // Nothing known at all: only the fixed limits hold.
        let none = DateBounds::new([], vec![]);
        assert!(none.check(date(2090, 1, 1)).is_ok());
        let err = none.check(date(2926, 11, 5)).expect_err("past 2099");
        assert!(err.to_string().contains("after 2099: 2926 is probably 2026"), "{err}");
    }
}
