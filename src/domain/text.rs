//! Text clean-up for spreadsheet cells and CSV output.
//!
//! County offices type their ledgers (台账) in Excel/WPS with Chinese input
//! methods, so cells routinely contain full-width characters (全角字符, e.g.
//! `１２３`, `（元）`), ideographic spaces (全角空格 U+3000), non-breaking spaces
//! pasted from web pages, and invisible zero-width characters. Two cells that
//! look identical on screen may therefore differ byte-for-byte. Every cell read
//! by jiuzhu goes through [`normalize`] before it is interpreted, and header
//! names (表头) are compared with [`normalize_key`].
//!
//! The second concern is formula injection (公式注入): a text value such as
//! `=HYPERLINK(...)` written into a CSV/xlsx file would be executed by the
//! spreadsheet program when a clerk opens it. [`neutralise`] makes such text
//! inert by prefixing a `'`, and [`unneutralise`] reverses it exactly.

use std::borrow::Cow;

/// Characters that are deleted outright: zero-width space, zero-width
/// non-joiner, zero-width joiner (U+200B..U+200D), word joiner (U+2060) and
/// the byte-order mark / zero-width no-break space (U+FEFF).
fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Maps one character: full-width ASCII variants (U+FF01..U+FF5E) become the
/// corresponding ASCII character, any Unicode whitespace (including the
/// ideographic space U+3000 and NBSP U+00A0) becomes an ASCII space.
fn map_char(c: char) -> char {
    if ('\u{FF01}'..='\u{FF5E}').contains(&c) {
        // The full-width block is the ASCII block 0x21..0x7E shifted by 0xFEE0.
        char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
    } else if c.is_whitespace() {
        ' '
    } else {
        c
    }
}

/// Normalises a spreadsheet cell.
///
/// In order:
/// 1. zero-width characters (U+200B, U+200C, U+200D, U+2060, U+FEFF) are removed;
/// 2. full-width ASCII (U+FF01..U+FF5E, e.g. `１`, `Ａ`, `（`, `，`) becomes ASCII;
/// 3. every Unicode whitespace character (U+3000, U+00A0, tabs, newlines, …)
///    becomes an ASCII space;
/// 4. leading and trailing spaces are trimmed and internal runs of spaces are
///    collapsed into one.
///
/// Other characters (Chinese text, `￥` U+FFE5, `。`) are left unchanged.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars().filter(|&c| !is_zero_width(c)).map(map_char) {
        if c == ' ' {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// [`normalize`], borrowing the text when it is already normal (no allocation): the common case for a cell
/// of a large registry read row by row.
pub fn normalized(s: &str) -> Cow<'_, str> {
    normalized_with_control(s).0
}

/// [`normalized`], and whether the text holds a control character normalising keeps (U+0000–U+001F,
/// U+007F–U+009F, but for tabs, line breaks and the other whitespace it makes spaces): looked for in the same
/// pass over the text, since every cell read is normalised and nearly none holds one.
pub fn normalized_with_control(s: &str) -> (Cow<'_, str>, bool) {
    let (normal, control) = scan(s);
    if normal {
        (Cow::Borrowed(s), control)
    } else {
        (Cow::Owned(normalize(s)), control)
    }
}

/// Whether [`normalize`] would return `s` unchanged — no zero-width, full-width or non-space whitespace
/// characters, and spaces only singly between other characters — and whether it holds a control character
/// that is not whitespace (normalising keeps those).
fn scan(s: &str) -> (bool, bool) {
    // Most cells (ID numbers, amounts, dates) are ASCII: their bytes are checked without decoding characters,
    // in passes the compiler vectorises; the control characters only when there is a byte below a space.
    if s.is_ascii() {
        let b = s.as_bytes();
        let low = b.iter().any(|&c| c < b' ' || c == 0x7F);
        let is_space = |c: u8| matches!(c, b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r');
        let normal = b.first() != Some(&b' ')
            && b.last() != Some(&b' ')
            && !b.windows(2).any(|w| w == b"  ")
            && !(low && b.iter().any(|&c| is_space(c)));
        let control = low && b.iter().any(|&c| (c < b' ' && !is_space(c)) || c == 0x7F);
        return (normal, control);
    }
    let (mut normal, mut control, mut after_space) = (true, false, true);
    for c in s.chars() {
        if is_zero_width(c) || map_char(c) != c || (c == ' ' && after_space) {
            normal = false;
        }
        control |= c.is_control() && !c.is_whitespace();
        after_space = c == ' ';
    }
    (normal && (!after_space || s.is_empty()), control)
}

/// Normalises a header name (表头) for matching.
///
/// Exactly: [`normalize`] (so full-width brackets `（）` become `()`, full-width
/// letters and digits become ASCII), then remove **all** spaces, then
/// lowercase ASCII letters. Nothing else is removed: brackets and units stay,
/// so `"月收入（元）"`, `"月收入(元)"` and `" 月 收 入 （元）"` all give
/// `"月收入(元)"`, while `" 月 收 入 "` gives `"月收入"`. A caller that wants to
/// ignore a unit suffix must strip `"(元)"` itself after calling this.
pub fn normalize_key(s: &str) -> String {
    // In one pass: every space goes, so how normalize trims and collapses them does not matter.
    s.chars()
        .filter(|&c| !is_zero_width(c))
        .map(map_char)
        .filter(|&c| c != ' ')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Returns true when the first character would make a spreadsheet treat the
/// text as a formula (or is our own escape character `'`).
fn needs_prefix(s: &str) -> bool {
    matches!(
        s.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n' | '\'')
    )
}

/// Formula-injection defence for text written to CSV/xlsx.
///
/// If `s` starts with `=`, `+`, `-`, `@`, TAB, CR, LF or `'`, a single `'` is
/// prefixed; otherwise `s` is returned unchanged (borrowed). Prefixing values
/// that already start with `'` is what makes this reversible: see
/// [`unneutralise`]. Note that negative numbers written as *text* (`-12.30`)
/// are prefixed too, so numeric values should be written as numbers.
pub fn neutralise(s: &str) -> Cow<'_, str> {
    if needs_prefix(s) {
        let mut out = String::with_capacity(s.len() + 1);
        out.push('\'');
        out.push_str(s);
        Cow::Owned(out)
    } else {
        Cow::Borrowed(s)
    }
}

/// Reverses [`neutralise`]: strips exactly one leading `'` if present.
///
/// `unneutralise(&neutralise(x)) == x` for every string `x`.
pub fn unneutralise(s: &str) -> &str {
    s.strip_prefix('\'').unwrap_or(s)
}

/// True when the cell is empty after [`normalize`] (only whitespace and
/// zero-width characters).
pub fn is_blank(s: &str) -> bool {
    s.chars().all(|c| is_zero_width(c) || map_char(c) == ' ')
}

/// The characters of a value a message quotes ([`excerpt`]).
pub const EXCERPT_CHARS: usize = 40;

/// A value as a message quotes it: at most [`EXCERPT_CHARS`] characters, then `…` when there were more. A
/// message quotes a value to point at it, and a cell can hold 32,767 characters.
#[derive(Debug, Clone, Copy)]
pub struct Excerpt<'a>(pub &'a str);

/// [`Excerpt`] of `s`: `format!("`{}`", excerpt(s))`.
pub fn excerpt(s: &str) -> Excerpt<'_> {
    Excerpt(s)
}

impl std::fmt::Display for Excerpt<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.char_indices().nth(EXCERPT_CHARS) {
            None => f.write_str(self.0),
            Some((cut, _)) => write!(f, "{}…", &self.0[..cut]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalize_table() {
        let cases: &[(&str, &str)] = &[
            ("", ""),
            ("   ", ""),
            ("abc", "abc"),
            ("  abc  ", "abc"),
            ("a   b", "a b"),
            ("a\t\tb", "a b"),
            ("a\r\nb", "a b"),
            ("１２３", "123"),
            ("ＡＢｃ", "ABc"),
            ("（元）", "(元)"),
            ("１，２３４．５６", "1,234.56"),
            ("！～", "!~"),
            ("张\u{3000}三", "张 三"),
            ("\u{3000}张三\u{3000}", "张三"),
            ("a\u{00A0}b", "a b"),
            ("a\u{2003}\u{2009}b", "a b"),
            ("a\u{200B}b", "ab"),
            ("a\u{200C}\u{200D}b", "ab"),
            ("\u{FEFF}姓名", "姓名"),
            ("a \u{200B} b", "a b"),
            ("\u{200B}", ""),
            ("￥820", "￥820"),
            ("。", "。"),
            ("张三", "张三"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize(input), *want, "input {input:?}");
        }
    }

    #[test]
    fn normalized_borrows_normal_text_only() {
        for s in ["", "张三", "a b", "130199195307187340", "冀F·2NHTY", "1,234.56"] {
            assert!(matches!(normalized(s), Cow::Borrowed(_)), "{s:?}");
        }
        for s in [" a", "a ", "a  b", "a\tb", "１", "a\u{200B}", "\u{3000}", " "] {
            assert!(matches!(normalized(s), Cow::Owned(_)), "{s:?}");
            assert_eq!(normalized(s), normalize(s));
        }
    }

    #[test]
    fn normalize_full_width_range_ends() {
        assert_eq!(normalize("\u{FF01}"), "!");
        assert_eq!(normalize("\u{FF5E}"), "~");
        // Just outside the range: left alone.
        assert_eq!(normalize("\u{FF5F}"), "\u{FF5F}");
        assert_eq!(normalize("\u{FF00}"), "\u{FF00}");
    }

    #[test]
    fn normalize_key_examples() {
        assert_eq!(normalize_key("月收入（元）"), "月收入(元)");
        assert_eq!(normalize_key("月收入(元)"), "月收入(元)");
        assert_eq!(normalize_key(" 月 收 入 （元）"), "月收入(元)");
        assert_eq!(normalize_key(" 月 收 入 "), "月收入");
        assert_eq!(normalize_key("ID Number"), "idnumber");
        assert_eq!(normalize_key("ＩＤ　Ｎｏ"), "idno");
        assert_eq!(normalize_key("身份证\u{200B}号码"), "身份证号码");
    }

    #[test]
    fn neutralise_table() {
        let cases: &[(&str, &str)] = &[
            ("", ""),
            ("张三", "张三"),
            ("=1+2", "'=1+2"),
            ("+86", "'+86"),
            ("-12.30", "'-12.30"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("\nx", "'\nx"),
            ("'quoted", "''quoted"),
            ("a=b", "a=b"),
            (" =1", " =1"),
        ];
        for (input, want) in cases {
            assert_eq!(neutralise(input), *want, "input {input:?}");
            assert_eq!(unneutralise(&neutralise(input)), *input);
        }
        assert!(matches!(neutralise("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn unneutralise_strips_one() {
        assert_eq!(unneutralise("''x"), "'x");
        assert_eq!(unneutralise("'=1"), "=1");
        assert_eq!(unneutralise("x"), "x");
        assert_eq!(unneutralise(""), "");
    }

    proptest! {
        /// The one-pass scan says what normalising and looking for control characters say.
        #[test]
        fn normal_and_control_are_told_in_one_pass(s in "[ a\\t\\r\\n\\x00\\x01\\x1f\\x7f\\u{85}\\u{9f}\\u{3000}张１\\u{200b}]{0,12}") {
            let (text, control) = normalized_with_control(&s);
            prop_assert_eq!(text.as_ref(), normalize(&s));
            prop_assert_eq!(matches!(text, Cow::Borrowed(_)), normalize(&s) == s);
            prop_assert_eq!(control, normalize(&s).chars().any(char::is_control));
        }
    }

    #[test]
    fn excerpts_are_short() {
        assert_eq!(excerpt("城关镇").to_string(), "城关镇");
        let forty = "好".repeat(EXCERPT_CHARS);
        assert_eq!(excerpt(&forty).to_string(), forty);
        assert_eq!(excerpt(&format!("{forty}多")).to_string(), format!("{forty}…"));
        assert_eq!(
            excerpt(&"x".repeat(1 << 20)).to_string().chars().count(),
            EXCERPT_CHARS + 1
        );
    }

    #[test]
    fn is_blank_cases() {
        assert!(is_blank(""));
        assert!(is_blank("   "));
        assert!(is_blank("\u{3000}\u{00A0}\t\r\n"));
        assert!(is_blank("\u{200B}\u{FEFF}"));
        assert!(!is_blank("0"));
        assert!(!is_blank(" 张 "));
        assert!(!is_blank("'"));
    }

    proptest! {
        #[test]
        fn neutralise_is_bijection(s in any::<String>()) {
            let n = neutralise(&s);
            prop_assert_eq!(unneutralise(&n), s.as_str());
        }

        #[test]
        fn neutralised_never_starts_with_trigger(s in any::<String>()) {
            let n = neutralise(&s);
            let first = n.chars().next();
            prop_assert!(!matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n')));
        }

        #[test]
        fn neutralise_is_injective(a in any::<String>(), b in any::<String>()) {
            if a != b {
                prop_assert_ne!(neutralise(&a), neutralise(&b));
            }
        }

        #[test]
        fn normalize_is_idempotent(s in any::<String>()) {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
            prop_assert!(!once.starts_with(' ') && !once.ends_with(' '));
            prop_assert!(!once.contains("  "));
            prop_assert_eq!(is_blank(&s), once.is_empty());
        }

        #[test]
        fn normalized_is_normalize(s in any::<String>(), t in "[ a\t\u{3000}\u{200B}１张]{0,8}", u in "[ a1\t\r\n\x0B\x0C\x1F]{0,8}") {
            prop_assert_eq!(normalized(&u), normalize(&u));
            prop_assert_eq!(normalized(&s), normalize(&s));
            prop_assert_eq!(normalized(&t), normalize(&t));
        }

        #[test]
        fn normalize_key_is_normalize_without_spaces_lowercased(s in any::<String>(), t in "[ aA\t\u{3000}\u{200B}１Ｂ张]{0,8}") {
            for s in [&s, &t] {
                let two_steps: String =
                    normalize(s).chars().filter(|&c| c != ' ').map(|c| c.to_ascii_lowercase()).collect();
                prop_assert_eq!(normalize_key(s), two_steps);
            }
        }

        #[test]
        fn normalize_key_has_no_spaces_or_upper_ascii(s in any::<String>()) {
            let k = normalize_key(&s);
            prop_assert!(!k.contains(' '));
            prop_assert!(!k.chars().any(|c| c.is_ascii_uppercase()));
            prop_assert_eq!(normalize_key(&k), k.clone());
        }
    }
}
