//! The language of messages: Chinese when the locale is Chinese (`LANG`, `LC_ALL` or `LC_MESSAGES` starting with
//! `zh`) or `--lang zh` is given, English otherwise. Ledgers keep their English keys whatever the language;
//! workbooks always use the policy's Chinese labels.
//!
//! Messages are written once, in both languages, where they are made: `tr("3 rows read", "读取 3 行")`.

use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

static LANG: OnceLock<Lang> = OnceLock::new();

/// Sets the language for this process (from `--lang`); the first call wins.
pub fn set(lang: Lang) {
    let _ = LANG.set(lang);
}

/// The language from the environment: the first of LC_ALL, LC_MESSAGES, LANG that is set and not empty.
pub fn from_env() -> Lang {
    for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Ok(v) = std::env::var(var) {
            if !v.is_empty() {
                return if v.to_ascii_lowercase().starts_with("zh") {
                    Lang::Zh
                } else {
                    Lang::En
                };
            }
        }
    }
    Lang::En
}

pub fn current() -> Lang {
    *LANG.get_or_init(from_env)
}

/// Picks the message in the current language.
pub fn tr(en: impl Into<String>, zh: impl Into<String>) -> String {
    tr_in(current(), en, zh)
}

/// Picks the message in a given language (English for what a ledger or a workbook records, whatever the locale).
pub fn tr_in(lang: Lang, en: impl Into<String>, zh: impl Into<String>) -> String {
    match lang {
        Lang::En => en.into(),
        Lang::Zh => zh.into(),
    }
}

/// Parses `--lang`.
pub fn parse(s: &str) -> Option<Lang> {
    match s.to_ascii_lowercase().as_str() {
        "zh" | "zh-cn" | "zh_cn" | "cn" | "chinese" | "中文" => Some(Lang::Zh),
        "en" | "english" => Some(Lang::En),
        _ => None,
    }
}
