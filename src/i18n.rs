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

/// The language a command line asks for with `--lang X` or `--lang=X` (the options end at `--`), read before
/// the command line is parsed, so that its help and its usage errors are in that language too. None when it asks
/// for none, or for one [`parse`] does not know (the parse then refuses it).
pub fn from_args<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Option<Lang> {
    let mut found = None;
    let mut args = args.iter().map(|a| a.as_ref().to_string_lossy());
    while let Some(arg) = args.next() {
        if arg == "--" {
            break;
        }
        let value = match arg.strip_prefix("--lang") {
            Some("") => args.next(),
            Some(rest) => rest.strip_prefix('=').map(|v| v.to_string().into()),
            None => None,
        };
        if let Some(v) = value {
            found = parse(&v);
        }
    }
    found
}

/// Parses `--lang`.
pub fn parse(s: &str) -> Option<Lang> {
    match s.to_ascii_lowercase().as_str() {
        "zh" | "zh-cn" | "zh_cn" | "cn" | "chinese" | "中文" => Some(Lang::Zh),
        "en" | "english" => Some(Lang::En),
        _ => None,
    }
}

/// A message kept in both languages: what a person reads on the terminal (in the run's language) and what a
/// workbook for people records (always Chinese, whatever the terminal) come from the one place it was made.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Msg {
    pub en: String,
    pub zh: String,
}

impl Msg {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Msg {
        Msg {
            en: en.into(),
            zh: zh.into(),
        }
    }

    /// The message in a given language.
    pub fn in_lang(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }

    /// The Chinese text, for workbooks people read.
    pub fn zh(&self) -> &str {
        &self.zh
    }

    pub fn is_empty(&self) -> bool {
        self.en.is_empty() && self.zh.is_empty()
    }
}

/// The message in the run's language.
impl std::fmt::Display for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.in_lang(current()))
    }
}

/// An error and its causes, as `{e:#}` prints them (`cannot read x: No such file or directory`), with the
/// operating system's words for a failed file operation said in the run's language: under zh, a cause that is an
/// I/O error is named by its kind in Chinese (the English text of the system is left out).
pub fn error_chain(e: &anyhow::Error) -> String {
    error_chain_in(current(), e)
}

/// [`error_chain`] in a given language.
pub fn error_chain_in(lang: Lang, e: &anyhow::Error) -> String {
    if lang == Lang::En {
        return format!("{e:#}");
    }
    let parts: Vec<String> = e
        .chain()
        .map(|cause| match cause.downcast_ref::<std::io::Error>() {
            Some(io) => io_error_zh(io),
            None => cause.to_string(),
        })
        .collect();
    parts.join(": ")
}

/// An I/O error in Chinese, by its kind.
pub fn io_error_zh(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "文件或文件夹不存在".into(),
        K::PermissionDenied => "没有权限 (请检查文件或文件夹的权限)".into(),
        K::AlreadyExists => "文件已存在".into(),
        K::IsADirectory => "这是一个文件夹, 不是文件".into(),
        K::NotADirectory => "路径中有一部分不是文件夹".into(),
        K::StorageFull => "磁盘已满".into(),
        K::ReadOnlyFilesystem => "文件系统是只读的".into(),
        K::InvalidData => "文件内容无效".into(),
        K::InvalidInput => "参数无效".into(),
        K::DirectoryNotEmpty => "文件夹不为空".into(),
        K::WriteZero => "磁盘已满, 无法写入".into(),
        K::UnexpectedEof => "文件意外结束 (可能不完整)".into(),
        K::BrokenPipe => "输出管道已关闭".into(),
        K::Interrupted => "操作被中断".into(),
        _ => match e.raw_os_error() {
            Some(code) => format!("文件操作失败 (系统错误码 {code})"),
            None => "文件操作失败".into(),
        },
    }
}

/// Words an English sentence is made of, for telling whether a line a Chinese user reads slipped into English.
/// Codes (`needs_info`, `CD-2026-…`), option names (`--as-of`), commands and paths in backticks, file names and
/// the names of programs (Excel, WPS, Git, jiuzhu) are not English sentences and are passed over.
pub fn english_words(line: &str) -> Vec<String> {
    const NAMES: &[&str] = &[
        "jiuzhu",
        "excel",
        "wps",
        "git",
        "csv",
        "xlsx",
        "xls",
        "ods",
        "pdf",
        "utf",
        "gbk",
        "gb",
        "bom",
        "id",
        "yaml",
        "json",
        "libreoffice",
        "ok",
        "hiv",
        "ascii",
        "tab",
        "sha",
        "http",
        "https",
        "www",
        "zip",
        "txt",
        // The names of jiuzhu's commands and kinds, which are typed as they are.
        "init",
        "intake",
        "verify",
        "compare",
        "decide",
        "explain",
        "disburse",
        "audit",
        "archive",
        "diff",
        "cat",
        "status",
        "report",
        "sample-data",
        "accept-edits",
        "rollup",
        "supplements",
        "withdraw",
        "correct",
        "recover",
        "upgrade",
        "followups",
        "complaints",
        "applications",
        "discover",
        "discoveries",
        "help",
        // The values of `--lang`.
        "zh",
        "en",
    ];
    // A command as typed at a prompt (`$ jiuzhu compare --source deaths=…`) is code, whatever its words.
    if line.trim_start().starts_with("$ ") {
        return Vec::new();
    }
    // Spans in backticks are commands or code.
    let mut text = String::new();
    let mut in_tick = false;
    for c in line.chars() {
        if c == '`' {
            in_tick = !in_tick;
            text.push(' ');
        } else if !in_tick {
            text.push(c);
        }
    }
    let mut words = Vec::new();
    for token in text.split(|c: char| c.is_whitespace() || "，。；：、（）《》“”'\",;:()[]{}<>=!?|".contains(c))
    {
        if token.starts_with('-') {
            continue; // an option
        }
        let token = token.trim_matches(|c: char| ".…-—".contains(c));
        if token.is_empty()
            || token.contains('/')
            || token.contains('\\')
            || token.contains('_')
            || token.contains('-')
            || token.contains('@')
            || token.chars().any(|c| c.is_ascii_digit())
            || !token.is_ascii()
        {
            // Options, paths, codes, IDs, amounts, and tokens that are (partly) Chinese.
            continue;
        }
        if token.contains('.') {
            // A file name (register.xlsx) or a key path (git.commit).
            continue;
        }
        let letters: String = token.chars().filter(|c| c.is_ascii_alphabetic()).collect();
        if letters.len() < 2 || letters.chars().all(|c| c.is_ascii_uppercase()) {
            // An initial, or an acronym (YYYY-MM-DD, DIR, FILE) standing for a value.
            continue;
        }
        if NAMES.contains(&letters.to_ascii_lowercase().as_str()) {
            continue;
        }
        words.push(token.to_string());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_is_read_from_the_command_line_before_it_is_parsed() {
        assert_eq!(from_args(&["--lang", "zh", "intake", "--help"]), Some(Lang::Zh));
        assert_eq!(from_args(&["status", "--lang=en"]), Some(Lang::En));
        assert_eq!(from_args(&["-C", "x", "status"]), None);
        assert_eq!(from_args(&["--lang", "fr", "status"]), None);
        assert_eq!(from_args(&["--language", "zh"]), None);
        assert_eq!(from_args(&["cat", "--", "--lang", "zh"]), None);
    }

    #[test]
    fn an_io_error_in_a_chain_is_said_in_chinese() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory");
        let e = anyhow::Error::new(io).context("无法读取 x.csv");
        assert_eq!(error_chain_in(Lang::Zh, &e), "无法读取 x.csv: 文件或文件夹不存在");
        assert_eq!(
            error_chain_in(Lang::En, &e),
            "无法读取 x.csv: No such file or directory"
        );
    }

    #[test]
    fn english_words_pass_over_codes_options_paths_and_program_names() {
        assert!(english_words("拒收 东河乡-申请登记.csv 第 28 行 身份证号: 请把 Excel 的列设为文本").is_empty());
        assert!(
            english_words("暂缓 CD-2026-2B0F98E533C9: 未核实 (needs_info) — 请运行 `jiuzhu -C /tmp/x verify`")
                .is_empty()
        );
        assert_eq!(
            english_words("用法: jiuzhu intake [选项] <FILE>... --dry-run"),
            Vec::<String>::new()
        );
        assert!(english_words("报告: reports/intake-rejects-城关镇.xlsx").is_empty());
        assert!(english_words("$ jiuzhu compare --source deaths=registries/deaths.xlsx").is_empty());
        // A file's or a sheet's name is a name, whatever its letters.
        assert!(english_words("拒收 工作表 person-in-two-households 第 5 行").is_empty());
        // The help's list of commands, and `--lang`'s values.
        assert!(english_words("  sample-data   生成一个虚构的工作区").is_empty());
        assert!(english_words("  help          显示本帮助").is_empty());
        assert!(english_words("      --lang <zh|en>  消息的语言").is_empty());
        assert_eq!(
            english_words("blocked CD-2026-2B0F98E533C9: not verified"),
            ["blocked", "not", "verified"]
        );
        assert_eq!(english_words("审核 3 cases"), ["cases"]);
    }
}
