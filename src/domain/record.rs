//! What a ledger record is, independent of where it is kept: the [`Record`] description (file, columns, key
//! order, validity), free [`Text`] neutralised against formula injection, and the exact text of dates, months,
//! money and ID numbers in a ledger's fields (serde). Pure: the ledgers' reading and writing is `crate::ledger`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::domain::date::Period;
use crate::domain::id_number::{self, IdNumber};
use crate::domain::money::Fen;
use crate::domain::text;

/// A ledger record type: its file, its columns, and its sort key.
pub trait Record: Serialize + DeserializeOwned + Clone + Send + Sync {
    /// File name under `ledgers/`.
    const FILE: &'static str;
    /// Column names, in order (the header).
    const COLUMNS: &'static [&'static str];
    /// The key the ledger is sorted by (unique per record).
    fn key(&self) -> String;
    /// Orders two records exactly as their keys would, without building the keys: every read checks the order
    /// of every pair of neighbouring rows, and every write too. Overridden for the large ledgers.
    fn key_cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
    /// What the types alone cannot say is wrong with a record (e.g. a negative benefit): the column and why.
    /// Every read of the ledger refuses such a record, naming its row.
    fn invalid(&self) -> Option<(&'static str, String)> {
        None
    }
    /// How many of the last [`Record::COLUMNS`] were added after the ledger's first version and are optional: a
    /// ledger whose rows all leave them at their default is written without them (so a workspace that never uses
    /// them keeps its bytes, and an older jiuzhu still reads it), and a ledger without them reads them as their
    /// defaults.
    const OPTIONAL_TAIL: usize = 0;
    /// Whether the record sets one of the [`Record::OPTIONAL_TAIL`] columns (the ledger is then written with them).
    fn uses_tail(&self) -> bool {
        false
    }
    /// The headers an earlier jiuzhu wrote the ledger with, which `jiuzhu upgrade` moves to [`Record::COLUMNS`]:
    /// a ledger read with one of them is refused with that advice, not as a damaged file.
    const FORMER_COLUMNS: &'static [&'static [&'static str]] = &[];
    /// Whether the ledger grows with time and is kept in partitions: one file per [`Record::partition`] under a
    /// folder named after [`Record::FILE`] (`ledgers/payments/2026-11.csv`), each with the header and sorted by
    /// key, so a step rewrites only the partitions it changed. Read, the partitions are one ledger in key order.
    const PARTITIONED: bool = false;
    /// The partition a record is kept in (a file name without `.csv`, e.g. the month `2026-11`), when
    /// [`Record::PARTITIONED`].
    fn partition(&self) -> String {
        String::new()
    }
}

/// Compares the keys `a.join("/")` and `b.join("/")` byte by byte, as `String`'s order does, without joining.
pub(crate) fn cmp_joined<const N: usize>(a: [&str; N], b: [&str; N]) -> std::cmp::Ordering {
    fn bytes<'a, const N: usize>(parts: [&'a str; N]) -> impl Iterator<Item = u8> + 'a {
        parts
            .into_iter()
            .enumerate()
            .flat_map(|(i, p)| (if i == 0 { &b""[..] } else { &b"/"[..] }).iter().chain(p.as_bytes()))
            .copied()
    }
    // Part by part, each settled by a slice comparison: while the parts are equal the joined keys agree up to
    // there (rows of one case differ only in a later part).
    for (x, y) in a.iter().zip(&b) {
        let (x, y) = (x.as_bytes(), y.as_bytes());
        if x == y {
            continue;
        }
        let n = x.len().min(y.len());
        if x[..n] != y[..n] {
            return x[..n].cmp(&y[..n]);
        }
        // One part is the start of the other: what follows it in the joined keys decides.
        return bytes(a).cmp(bytes(b));
    }
    std::cmp::Ordering::Equal
}

/// Why a ledger's date field is not a date, in the clerk's words (the date library says "input is out of
/// range" for 2026-02-30).
fn date_words(s: &str) -> String {
    match crate::domain::date::parse_date(s) {
        Err(e) => crate::i18n::tr(e.to_string(), e.zh()),
        Ok(_) => crate::i18n::tr(
            format!("`{s}` is not written YYYY-MM-DD, as jiuzhu writes dates"),
            format!("`{s}` 不是 jiuzhu 写日期的 YYYY-MM-DD 格式"),
        ),
    }
}

/// A month (`2026-11`) in a ledger: written YYYY-MM and refused on read unless it is exactly that, naming the
/// row and column (a malformed one would otherwise surface far away, e.g. a payment's month as "the money does
/// not balance"). An optional month (`Option<Period>`) is an empty field when absent.
fn month_words(s: &str) -> String {
    crate::i18n::tr(
        format!("`{s}` is not a month written YYYY-MM (e.g. 2026-11)"),
        format!("`{s}` 不是 YYYY-MM 格式的月份 (如 2026-11)"),
    )
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        from_str(d, |s: &str| match Period::parse(s) {
            Ok(p) if p.to_string() == s => Ok(p),
            _ => Err(month_words(s)),
        })
    }
}

/// Writes free text as [`Text`] does: neutralised. For views that serialise as records with `Text` fields.
pub(crate) fn serialize_text<S: Serializer>(v: &str, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&text::neutralise(v))
}

/// Free text from input (names, addresses, notes), stored in ledgers neutralised against formula injection:
/// a value starting with `=`, `+`, `-`, `@`, tab, CR, LF or `'` is written with a leading `'` and read back
/// without it, so the ledger opens safely in Excel and round-trips exactly.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(pub String);

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(s.to_string())
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        serialize_text(&self.0, s)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        from_str(d, |s| {
            Ok::<_, std::convert::Infallible>(Text(text::unneutralise(s).to_string()))
        })
    }
}

/// Deserialises a field from the borrowed text of the record (no intermediate `String` per field).
fn from_str<'de, D, T, E>(
    d: D,
    parse: impl FnOnce(&str) -> std::result::Result<T, E>,
) -> std::result::Result<T, D::Error>
where
    D: Deserializer<'de>,
    E: std::fmt::Display,
{
    struct V<F>(F);
    impl<'de, T, E: std::fmt::Display, F: FnOnce(&str) -> std::result::Result<T, E>> serde::de::Visitor<'de> for V<F> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("text")
        }
        fn visit_str<X: serde::de::Error>(self, v: &str) -> std::result::Result<T, X> {
            (self.0)(v).map_err(X::custom)
        }
    }
    d.deserialize_str(V(parse))
}

impl Serialize for Fen {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.decimal_text(&mut [0; 24]))
    }
}

/// Dates in ledgers, `YYYY-MM-DD`, written and read without chrono's general formatter and parser (a ledger
/// row holds one or two, a county's ledgers millions): the same text and the same refusals as chrono's.
/// `#[serde(with = "super::date_field")]` on a `NaiveDate` field.
pub(crate) mod date_field {
    use chrono::{Datelike, NaiveDate};
    use serde::{Deserializer, Serializer};

    /// `YYYY-MM-DD` into `buf`, or `None` for a year outside 0..=9999 (left to chrono).
    pub(crate) fn text(d: NaiveDate, buf: &mut [u8; 10]) -> Option<&str> {
        let (y, m, day) = (d.year(), d.month(), d.day());
        if !(0..=9999).contains(&y) {
            return None;
        }
        let y = y as u32;
        *buf = [
            b'0' + (y / 1000) as u8,
            b'0' + (y / 100 % 10) as u8,
            b'0' + (y / 10 % 10) as u8,
            b'0' + (y % 10) as u8,
            b'-',
            b'0' + (m / 10) as u8,
            b'0' + (m % 10) as u8,
            b'-',
            b'0' + (day / 10) as u8,
            b'0' + (day % 10) as u8,
        ];
        Some(std::str::from_utf8(buf).expect("digits are ASCII"))
    }

    /// `YYYY-MM-DD` parsed by hand when it is exactly that; anything else goes to chrono (for its refusals).
    pub(crate) fn parse(s: &str) -> Result<NaiveDate, chrono::ParseError> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| {
            b[r].iter()
                .try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
        };
        if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
            if let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) {
                if let Some(date) = NaiveDate::from_ymd_opt(y as i32, m, d) {
                    return Ok(date);
                }
            }
        }
        s.parse::<NaiveDate>()
    }

    pub fn serialize<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        match text(*d, &mut [0; 10]) {
            Some(t) => s.serialize_str(t),
            None => s.collect_str(d),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        super::from_str(d, |s| parse(s).map_err(|_| super::date_words(s)))
    }

    /// The same for `Option<NaiveDate>` (an empty field is `None`).
    pub mod option {
        use chrono::NaiveDate;
        use serde::{Deserializer, Serializer};

        pub fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => s.serialize_some(&Date(*d)),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
            serde::Deserialize::deserialize(d).map(|o: Option<Date>| o.map(|x| x.0))
        }

        struct Date(NaiveDate);

        impl serde::Serialize for Date {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                super::serialize(&self.0, s)
            }
        }

        impl<'de> serde::Deserialize<'de> for Date {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                super::deserialize(d).map(Date)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Fen {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        from_str(d, Fen::parse_yuan)
    }
}

impl Serialize for IdNumber {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for IdNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        from_str(d, id_number::parse)
    }
}
