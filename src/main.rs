//! The `jiuzhu` binary: parse the command line, dispatch to `cmd::*`, turn the outcome into an exit code.
//!
//! Exit codes scripts branch on: 0 done; 1 done, but something needs a person (rejected rows, …);
//! 2 nothing done (bad usage, unreadable or invalid input, invalid policy, workspace locked).

// Output goes through `jiuzhu::errln!` and friends (`jiuzhu::ui`): `eprintln!` panics when the reader has gone.
#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use jiuzhu::cmd;
use jiuzhu::cmd::cli::examples;
use jiuzhu::i18n::{tr, Lang};
use jiuzhu::workspace::Workspace;
use jiuzhu::Outcome;

/// Every text of the command line (descriptions, options' help, examples) is written in both languages — the
/// global ones here, each command's beside its `run` (`cmd::NAME::Args`) — and picked when the command is built,
/// after the run's language is known (`--lang`, then the locale). clap's own
/// texts (headings, `-h`, `[default: …]`) are put into Chinese by [`localize`], its usage errors by
/// [`usage_error_zh`].
#[derive(Parser, Debug)]
#[command(
    name = "jiuzhu",
    version,
    about = tr(
        "救助 — the social-assistance workflow of a civil-affairs office, over CSV/xlsx ledgers in Git",
        "救助 — 民政部门的社会救助业务流程, 台账为 Git 管理的 CSV/xlsx 文件",
    ),
    long_about = tr(
        "jiuzhu runs the social-assistance workflow (intake → verify → compare → decide → notice → \
disburse → audit → archive) over ledgers kept as CSV in a Git-tracked workspace. Every step is reproducible: \
the same inputs and policy give byte-identical outputs.\n\n\
Exit codes: 0 done; 1 done but something needs a person (e.g. rejected rows); 2 nothing done (bad usage, \
unreadable input, invalid policy, workspace locked).",
        "jiuzhu 在 Git 管理的工作区里用 CSV 台账办理社会救助业务 (受理 → 审核 → 信息比对 → 审批 → 公示 → \
发放 → 审计 → 归档)。每一步都可重现: 输入和政策相同, 输出逐字节相同。\n\n\
退出码: 0 完成; 1 完成, 但有事项需要人工处理 (如被拒收的行); 2 未做任何事 (用法有误、输入无法读取、\
政策文件无效、工作区被锁定)。",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu init county\n  cd county && jiuzhu intake ~/收件/城关镇-申请登记表.xlsx\n  \
jiuzhu -C county intake --dry-run register.csv",
        "示例:\n  jiuzhu init county\n  cd county && jiuzhu intake ~/收件/城关镇-申请登记表.xlsx\n  \
jiuzhu -C county intake --dry-run register.csv",
    ))
)]
struct Cli {
    #[arg(short = 'C', value_name = "DIR", global = true, help = tr(
        "Run as if started in DIR (the workspace is found from there upward, like git)",
        "在 DIR 中运行 (从那里向上查找工作区, 与 git 相同)",
    ))]
    change_dir: Option<PathBuf>,
    #[arg(short, long, global = true, help = tr(
        "Print nothing on success (problems are still printed)",
        "成功时不输出 (问题仍会输出)",
    ))]
    quiet: bool,
    #[arg(long, global = true, value_name = "zh|en", help = tr(
        "Language of messages: zh or en (default: from LANG/LC_ALL; Chinese when the locale is zh_*)",
        "消息的语言: `zh` (中文) 或 `en` (英文); 默认按 LANG/LC_ALL, 区域设置为 zh_* 时用中文",
    ))]
    lang: Option<String>,
    #[arg(long, global = true, help = tr(
        "After a writing step, commit its files (ledgers/, reports/, inbox/, archive/, jiuzhu.yaml) to Git with a \
message naming the step, the period and the input hashes (also `git: {commit: true}` in jiuzhu.yaml)",
        "写入类步骤完成后, 把它的文件 (ledgers/、reports/、inbox/、archive/、jiuzhu.yaml) 提交到 Git, 提交说明\
写明步骤、期间和输入文件的哈希 (也可在 jiuzhu.yaml 中设 `git: {commit: true}`)",
    ))]
    commit: bool,
    #[arg(long, global = true, help = tr(
        "For scripts: print one JSON object on stdout when the command ends — `command`, `exit`, and the step's \
result (intake's rejected rows, verify's cases that need a person, decide's proposals, disburse's totals, audit's \
findings …; money as strings like \"820.00\"); a usage error or a refused run is an object with `error` and \
exit 2; messages go to stderr. Every key is in docs/json.md",
        "供脚本使用: 命令结束时在标准输出上输出一个 JSON 对象 — `command`、`exit` 及该步骤的结果 (导入的拒收行、\
审核中需要人工处理的案件、决策的提议、发放的汇总、审计的问题 …; 金额为字符串, 如 \"820.00\"); 命令行有误或拒绝运行时为 \
含 `error` 的对象, 退出码为 2; 消息输出到标准错误输出。各键的说明见 `docs/json.md`",
    ))]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

// Each command's options and help (about, examples, after_help, in both languages) sit beside its `run`, in
// `cmd::NAME::Args`; the variants carry no text of their own.
#[derive(Subcommand, Debug)]
enum Command {
    Init(cmd::init::Args),
    SampleData(cmd::sample_data::Args),
    Intake(cmd::intake::Args),
    Verify(cmd::verify::Args),
    Compare(cmd::compare::Args),
    Diff(cmd::diff::Args),
    Cat(cmd::cat::Args),
    Decide(cmd::decide::Args),
    Explain(cmd::decide::explain::Args),
    Status(cmd::status::Args),
    Report(cmd::report::Args),
    Disburse(cmd::disburse::Args),
    Audit(cmd::audit::Args),
    AcceptEdits(cmd::accept_edits::Args),
    Rollup(cmd::rollup::Args),
    Supplements(cmd::supplements::Args),
    Withdraw(cmd::withdraw::Args),
    Discover(cmd::discover::Args),
    Correct(cmd::correct::Args),
    Recover(cmd::recover::Args),
    Upgrade(cmd::upgrade::Args),
    Archive(cmd::archive::Args),
}

// mimalloc: the ledgers are many small strings; glibc's malloc spent a fifth of every step in
// malloc/free/consolidate at county size (bench/NOTES.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Transparent huge pages off for this process (Linux). mimalloc asks for them on its arenas; where the kernel
/// compacts memory to find a free 2 MiB page on the fault (`defrag` = `madvise`, the common default) and the page
/// cache holds most of memory — a machine that has just read or written the ledgers — each fault can stall: on
/// the bench machine a step's system time went from 0.5 s to 0.3–2.3 s from run to run (bench/NOTES.md). A
/// run lasts seconds, too short for the larger pages to pay back in fewer TLB misses.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments only and changes nothing but this process's flag.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Parses the command line in the run's language: `--lang` (read first), else the locale. In English, clap as
/// it is (its help, its errors, its exit codes). In Chinese, the help is clap's layout with Chinese headings and
/// texts ([`localize`]), and a usage error is said in Chinese ([`usage_error_zh`]), exit 2 as in English.
fn parse_command_line() -> Result<Cli, ExitCode> {
    use clap::error::ErrorKind;
    use clap::{CommandFactory, FromArgMatches};

    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(lang) = jiuzhu::i18n::from_args(args.get(1..).unwrap_or_default()) {
        jiuzhu::i18n::set(lang);
    }
    let json = json_requested(&args);
    let mut command = Cli::command();
    command.build();
    if jiuzhu::i18n::current() == Lang::En {
        if !json {
            return Ok(Cli::parse_from(args));
        }
        let named = named_command(&command, &args);
        return match command
            .try_get_matches_from_mut(args)
            .and_then(|matches| Cli::from_arg_matches(&matches))
        {
            Ok(cli) => Ok(cli),
            Err(err) if matches!(err.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => err.exit(),
            Err(err) => {
                // The whole of clap's message for a person, on stderr; its first line in the object.
                let text = err.render().to_string();
                jiuzhu::errln!("{}", text.trim_end());
                let first = text.lines().next().unwrap_or_default();
                let what = first.strip_prefix("error: ").unwrap_or(first);
                Err(json_error(named.as_deref(), what))
            }
        };
    }
    localize(&mut command);
    // The command the line names (`intake`), for the usage and the help an error points to.
    let named = named_command(&command, &args);
    let err = match command
        .try_get_matches_from_mut(args)
        .and_then(|matches| Cli::from_arg_matches(&matches))
    {
        Ok(cli) => return Ok(cli),
        Err(err) => err,
    };
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // Bold headings on a terminal, as clap prints them in English.
            jiuzhu::outln!("{}", help_zh(&err, jiuzhu::ui::colour_stdout()));
            Err(ExitCode::SUCCESS)
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            jiuzhu::errln!("{}", help_zh(&err, false));
            if json {
                return Err(json_error(named.as_deref(), "缺少命令或参数。"));
            }
            Err(ExitCode::from(2))
        }
        _ => {
            // clap gives the usage with most errors, not all (a missing value): then it is the command's.
            let usage = match named.as_deref().and_then(|n| command.find_subcommand_mut(n)) {
                Some(sub) => sub.render_usage(),
                None => command.render_usage(),
            };
            let lines = usage_error_zh(&err, &usage.to_string());
            for line in &lines {
                jiuzhu::errln!("{line}");
            }
            if json {
                let first = lines.first().map(String::as_str).unwrap_or_default();
                return Err(json_error(
                    named.as_deref(),
                    first.strip_prefix("错误: ").unwrap_or(first),
                ));
            }
            Err(ExitCode::from(2))
        }
    }
}

/// Whether the command line asks for `--json` (before a `--`), for a usage error found before it is parsed.
fn json_requested(args: &[std::ffi::OsString]) -> bool {
    args.iter().skip(1).take_while(|a| *a != "--").any(|a| a == "--json")
}

/// The subcommand the command line names (`intake`), if any.
fn named_command(command: &clap::Command, args: &[std::ffi::OsString]) -> Option<String> {
    args.iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .find_map(|a| command.find_subcommand(a).map(|c| c.get_name().to_string()))
}

/// A run refused before it started, under `--json`: the error object on stdout (docs/json.md), exit 2. The
/// message for a person has been said on stderr.
fn json_error(command: Option<&str>, error: &str) -> ExitCode {
    let object = serde_json::json!({
        "command": command.unwrap_or("jiuzhu"),
        "exit": 2,
        "error": error,
    });
    jiuzhu::ui::print_out(format_args!("{object}\n"));
    ExitCode::from(2)
}

/// A help (or the version) clap rendered from the localized command, with its usage's `[OPTIONS]` in Chinese;
/// styled (ANSI) when `colour`.
fn help_zh(err: &clap::Error, colour: bool) -> String {
    let help = err.render();
    let text = if colour {
        help.ansi().to_string()
    } else {
        help.to_string()
    };
    text.replace("[OPTIONS]", "[选项]").trim_end().to_string()
}

/// Puts clap's own texts of a built command in Chinese, for a run in Chinese: the headings (every option and
/// argument gets one: 参数 or 选项, as clap's own `Arguments:`/`Options:` cannot be renamed), `-h`/`-V`, the
/// `help` command, and `[default: …]`/`[possible values: …]` (hidden, and said in the option's help instead).
/// The texts written in main.rs and in each command's `Args` are already Chinese (picked by `tr` when the command
/// was built).
fn localize(command: &mut clap::Command) {
    use clap::ArgAction;

    let mut c = std::mem::take(command)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令");
    let is_help_command = c.get_name() == "help";
    if is_help_command {
        c = c
            .about("显示本帮助, 或所给命令的帮助")
            .help_template("{before-help}{about-with-newline}\n用法: {usage}\n\n{all-args}{after-help}");
    }
    c = c.mut_args(|mut a| {
        if a.get_help_heading().is_none() {
            let heading = if a.is_positional() { "参数" } else { "选项" };
            a = a.help_heading(heading);
        }
        match a.get_action() {
            ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong => {
                return if a.get_long_help().is_some() {
                    a.help("显示帮助 (`--help` 显示更详细的说明)")
                        .long_help("显示帮助 (`-h` 显示摘要)")
                } else {
                    a.help("显示帮助")
                };
            }
            ArgAction::Version => return a.help("显示版本"),
            _ => {}
        }
        if is_help_command && a.get_id() == "subcommand" {
            return a.help("要显示其帮助的命令");
        }
        if !a.get_action().takes_values() {
            return a;
        }
        let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
        let mut notes = Vec::new();
        if !a.is_hide_default_value_set() && !a.get_default_values().is_empty() {
            let defaults: Vec<String> = a
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect();
            notes.push(format!("[默认: `{}`]", defaults.join(" ")));
            a = a.hide_default_value(true);
        }
        let values = a.get_possible_values();
        let mut listed = String::new();
        if !a.is_hide_possible_values_set() && !values.is_empty() {
            let names: Vec<String> = values.iter().map(|v| format!("`{}`", v.get_name())).collect();
            notes.push(format!("[可选值: {}]", names.join("、")));
            if values.iter().any(|v| v.get_help().is_some()) {
                listed.push_str("\n\n可选值:");
                for v in &values {
                    let help = v.get_help().map(|h| format!(": {h}")).unwrap_or_default();
                    listed.push_str(&format!("\n- `{}`{help}", v.get_name()));
                }
            }
            a = a.hide_possible_values(true);
        }
        if notes.is_empty() {
            return a;
        }
        let short = format!("{help} {}", notes.join(" ")).trim().to_string();
        if listed.is_empty() {
            a.help(short)
        } else {
            a.help(short.clone()).long_help(format!("{short}{listed}"))
        }
    });
    for sub in c.get_subcommands_mut() {
        localize(sub);
    }
    *command = c;
}

/// A usage error of clap in Chinese: what is wrong, a suggestion where clap has one, the usage, and the command
/// that shows the help. clap's context names the option and the value; its English sentences are not used.
fn usage_error_zh(err: &clap::Error, command_usage: &str) -> Vec<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};

    let list = |kind: ContextKind| -> Vec<String> {
        match err.get(kind) {
            Some(ContextValue::String(s)) => vec![s.clone()],
            Some(ContextValue::Strings(v)) => v.clone(),
            Some(ContextValue::StyledStr(s)) => vec![s.to_string()],
            Some(ContextValue::StyledStrs(v)) => v.iter().map(|s| s.to_string()).collect(),
            Some(ContextValue::Number(n)) => vec![n.to_string()],
            _ => Vec::new(),
        }
    };
    let one = |kind: ContextKind| list(kind).into_iter().next();
    let ticked = |items: Vec<String>| items.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join("、");
    let usage = {
        let u = one(ContextKind::Usage).unwrap_or_else(|| command_usage.to_string());
        let u = u.trim();
        u.strip_prefix("Usage:")
            .unwrap_or(u)
            .trim()
            .replace("[OPTIONS]", "[选项]")
            .replace("<COMMAND>", "<命令>")
    };
    // The command whose help to show: the words of the usage before its options (`jiuzhu intake`).
    let command = Some(
        usage
            .split_whitespace()
            .take_while(|w| !w.starts_with(['[', '<', '-']))
            .collect::<Vec<_>>()
            .join(" "),
    )
    .filter(|c| !c.is_empty())
    .unwrap_or_else(|| "jiuzhu".to_string());
    let arg = one(ContextKind::InvalidArg).unwrap_or_default();
    let value = one(ContextKind::InvalidValue).unwrap_or_default();
    let mut tips = Vec::new();
    let what = match err.kind() {
        ErrorKind::InvalidSubcommand => {
            let name = one(ContextKind::InvalidSubcommand).unwrap_or_default();
            format!("没有 `{name}` 这个命令 (命令列表见 `jiuzhu --help`)。")
        }
        ErrorKind::UnknownArgument if arg.starts_with('-') => format!("不认识的选项 `{arg}`。"),
        ErrorKind::UnknownArgument => format!("多余的参数 `{arg}`。"),
        ErrorKind::InvalidValue if value.is_empty() => format!("`{arg}` 缺少值。"),
        ErrorKind::InvalidValue => {
            let valid = list(ContextKind::ValidValue);
            if valid.is_empty() {
                format!("`{arg}` 的值 `{value}` 无效。")
            } else {
                format!("`{arg}` 的值 `{value}` 无效, 可选值: {}。", ticked(valid))
            }
        }
        ErrorKind::ValueValidation => {
            use std::error::Error as _;
            let source = err.source();
            let why = if let Some(e) = source.and_then(|s| s.downcast_ref::<std::num::ParseIntError>()) {
                match e.kind() {
                    std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => ": 数值超出范围",
                    _ => ": 须为整数",
                }
            } else if source.is_some_and(|s| s.is::<std::num::ParseFloatError>()) {
                ": 须为数字"
            } else {
                ""
            };
            format!("`{arg}` 的值 `{value}` 无效{why}。")
        }
        ErrorKind::MissingRequiredArgument => {
            format!("缺少必须给出的选项或参数: {}。", ticked(list(ContextKind::InvalidArg)))
        }
        ErrorKind::MissingSubcommand => format!("`{command}` 后面须给出一个命令 (命令列表见 `{command} --help`)。"),
        ErrorKind::ArgumentConflict => {
            let prior = list(ContextKind::PriorArg);
            if prior.is_empty() {
                format!("`{arg}` 不能与已给出的选项同时使用。")
            } else if prior == [arg.clone()] {
                format!("`{arg}` 只能给出一次。")
            } else {
                format!("`{arg}` 不能与 {} 同时使用。", ticked(prior))
            }
        }
        ErrorKind::NoEquals => format!("`{arg}` 的值须用 `=` 连接。"),
        ErrorKind::TooManyValues => format!("`{arg}` 多给了值 `{value}`。"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            let expected = one(ContextKind::ExpectedNumValues).unwrap_or_default();
            let actual = one(ContextKind::ActualNumValues).unwrap_or_default();
            format!("`{arg}` 须给出 {expected} 个值, 实际给了 {actual} 个。")
        }
        ErrorKind::InvalidUtf8 => "命令行中有不是 UTF-8 编码的文字。".to_string(),
        _ => "命令行有误。".to_string(),
    };
    for s in list(ContextKind::SuggestedSubcommand) {
        tips.push(format!("是不是要用命令 `{s}`?"));
    }
    for s in list(ContextKind::SuggestedArg) {
        tips.push(format!("是不是要用 `{s}`?"));
    }
    for s in list(ContextKind::SuggestedValue) {
        tips.push(format!("是不是要用值 `{s}`?"));
    }
    if let Some(s) = one(ContextKind::TrailingArg) {
        tips.push(format!("`{s}` 若是一个值而不是选项, 请写成 `-- {s}`。"));
    }
    let mut lines = vec![format!("错误: {what}")];
    lines.extend(tips.into_iter().map(|t| format!("  提示: {t}")));
    if !usage.is_empty() {
        lines.push(String::new());
        lines.push(format!("用法: {usage}"));
    }
    lines.push(String::new());
    lines.push(format!("详细说明请运行 `{command} --help`。"));
    lines
}

fn main() -> ExitCode {
    no_huge_pages();
    jiuzhu::ui::phase("start");
    let cli = match parse_command_line() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    if let Some(l) = &cli.lang {
        match jiuzhu::i18n::parse(l) {
            Some(lang) => jiuzhu::i18n::set(lang),
            None => {
                let what = tr(
                    format!("--lang takes zh or en, not `{l}`"),
                    format!("`--lang` 只能取 `zh` 或 `en`, 不能是 `{l}`"),
                );
                jiuzhu::errln!("jiuzhu: {} {what}", tr("error:", "错误:"));
                if cli.json {
                    return json_error(Some(command_name(&cli.command)), &what);
                }
                return ExitCode::from(2);
            }
        }
    }
    jiuzhu::ui::set_quiet(cli.quiet);
    jiuzhu::ui::set_json(cli.json);
    let json = cli.json.then(jiuzhu::ui::JsonOut::begin);
    let name = command_name(&cli.command);
    let workspace = cli.change_dir.clone().unwrap_or_else(|| PathBuf::from("."));
    // A step that runs for more than a second shows it is alive (on a terminal; the long loops draw bars).
    let spinner = jiuzhu::ui::Spinner::start(format!("jiuzhu {name}"));
    let result = run(cli);
    spinner.finish();
    let code = match &result {
        Ok(outcome) => outcome.exit_code(),
        Err(e) => {
            jiuzhu::errln!(
                "jiuzhu: {} {}",
                jiuzhu::i18n::tr("error:", "错误:"),
                jiuzhu::i18n::error_chain(e)
            );
            2
        }
    };
    if let Some(out) = json {
        let mut object = serde_json::Map::new();
        object.insert("command".into(), name.into());
        object.insert("exit".into(), code.into());
        if let Err(e) = &result {
            object.insert("error".into(), jiuzhu::i18n::error_chain(e).into());
        }
        match jiuzhu::ui::take_summary() {
            Some(recorded) => object.extend(recorded),
            None if result.is_ok() => {
                if let Ok(ws) = Workspace::open(&workspace) {
                    if let Ok(counts) = jiuzhu::cmd::status::counts(&ws) {
                        object.extend(counts);
                    }
                }
            }
            None => {}
        }
        out.emit(&serde_json::Value::Object(object));
    }
    ExitCode::from(code)
}

/// The subcommand's name, for the `--json` object and the progress line.
fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Init(_) => "init",
        Command::SampleData(_) => "sample-data",
        Command::Intake(_) => "intake",
        Command::Verify(_) => "verify",
        Command::Compare(_) => "compare",
        Command::Diff(_) => "diff",
        Command::Cat(_) => "cat",
        Command::Decide(_) => "decide",
        Command::Explain(_) => "explain",
        Command::Status(_) => "status",
        Command::Report(_) => "report",
        Command::Disburse(_) => "disburse",
        Command::Audit(_) => "audit",
        Command::AcceptEdits(_) => "accept-edits",
        Command::Rollup(_) => "rollup",
        Command::Supplements(_) => "supplements",
        Command::Withdraw(_) => "withdraw",
        Command::Discover(_) => "discover",
        Command::Correct(_) => "correct",
        Command::Recover(_) => "recover",
        Command::Upgrade(_) => "upgrade",
        Command::Archive(_) => "archive",
    }
}

/// Whether a command is a writing step, and its period: a writing step is warned about hand-edited ledgers
/// before it runs and committed after it with `--commit`. Read-only commands and dry runs are not. Each command
/// says (`Args::writing_step`).
fn writing_step(command: &Command) -> Option<Option<String>> {
    match command {
        Command::Init(args) => args.writing_step(),
        Command::SampleData(args) => args.writing_step(),
        Command::Intake(args) => args.writing_step(),
        Command::Verify(args) => args.writing_step(),
        Command::Compare(args) => args.writing_step(),
        Command::Diff(args) => args.writing_step(),
        Command::Cat(args) => args.writing_step(),
        Command::Decide(args) => args.writing_step(),
        Command::Explain(args) => args.writing_step(),
        Command::Status(args) => args.writing_step(),
        Command::Report(args) => args.writing_step(),
        Command::Disburse(args) => args.writing_step(),
        Command::Audit(_) => Some(None),
        Command::AcceptEdits(args) => args.writing_step(),
        Command::Rollup(args) => args.writing_step(),
        Command::Supplements(args) => args.writing_step(),
        Command::Withdraw(args) => args.writing_step(),
        Command::Discover(args) => args.writing_step(),
        Command::Correct(args) => args.writing_step(),
        Command::Recover(args) => args.writing_step(),
        Command::Archive(args) => args.writing_step(),
        Command::Upgrade(args) => args.writing_step(),
    }
}

fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let step = writing_step(&cli.command);
    let watch = match &step {
        Some(_) => {
            let start = cli.change_dir.clone().unwrap_or_else(|| PathBuf::from("."));
            jiuzhu::cmd::commit::watch_step(&start, cli.commit, cli.quiet)
        }
        None => None,
    };
    jiuzhu::ui::phase("watching");
    let outcome = dispatch(cli)?;
    jiuzhu::ui::phase("done");
    if let (Some(watch), Some(period)) = (watch, step) {
        watch.finish(period.as_deref());
    }
    Ok(outcome)
}

fn dispatch(cli: Cli) -> anyhow::Result<Outcome> {
    let ctx = cmd::cli::Ctx {
        change_dir: cli.change_dir.clone(),
        quiet: cli.quiet,
    };
    match cli.command {
        Command::Init(args) => cmd::init::main(args, &ctx),
        Command::SampleData(args) => cmd::sample_data::main(args, &ctx),
        Command::Intake(args) => cmd::intake::main(args, &ctx),
        Command::Verify(args) => cmd::verify::main(args, &ctx),
        Command::Compare(args) => cmd::compare::main(args, &ctx),
        Command::Diff(args) => cmd::diff::main(args, &ctx),
        Command::Cat(args) => cmd::cat::main(args, &ctx),
        Command::Decide(args) => cmd::decide::main(args, &ctx),
        Command::Explain(args) => cmd::decide::explain::main(args, &ctx),
        Command::Status(args) => cmd::status::main(args, &ctx),
        Command::Report(args) => cmd::report::main(args, &ctx),
        Command::Disburse(args) => cmd::disburse::main(args, &ctx),
        Command::Audit(args) => cmd::audit::main(args, &ctx),
        Command::AcceptEdits(args) => cmd::accept_edits::main(args, &ctx),
        Command::Rollup(args) => cmd::rollup::main(args, &ctx),
        Command::Supplements(args) => cmd::supplements::main(args, &ctx),
        Command::Withdraw(args) => cmd::withdraw::main(args, &ctx),
        Command::Discover(args) => cmd::discover::main(args, &ctx),
        Command::Correct(args) => cmd::correct::main(args, &ctx),
        Command::Recover(args) => cmd::recover::main(args, &ctx),
        Command::Archive(args) => cmd::archive::main(args, &ctx),
        Command::Upgrade(args) => cmd::upgrade::main(args, &ctx),
    }
}
