//! `jiuzhu intake FILE…` — application registers into the case ledgers, with nothing lost and every problem
//! explained.
//!
//! A household enters whole or not at all: one bad row rejects its household, because a household missing a
//! member would get a wrong benefit. Every row read ends up accepted, rejected (with file, sheet, row, column,
//! value, reason and what to do) or skipped (blank, totals, notes, duplicates, already imported), and the
//! counts add up. Re-importing a file changes nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rayon::prelude::*;

use crate::cmd::cli::{dry_run_help, examples, Ctx};
use crate::cmd::{discover, followup};
use crate::domain::date::DateBounds;
use crate::domain::id_number;
use crate::hash::{HashMap, HashSet};
use crate::i18n::{tr, Msg};
use crate::ledger::events::{self, NewEvent};
use crate::ledger::{self, Case, CaseStatus, Member, Source, Text};
use crate::register::{self, HouseholdDraft, HouseholdFacts, Problem, RegisterRead, RowRef, Skip};
use crate::sheet::fields::HeaderNames;
use crate::sheet::reader::{self, Encoding, UnusedColumn};
use crate::sheet::writer::{self, Column, Kind, SheetSpec, Value};
use crate::workspace::{Txn, Workspace, POLICY_FILE};
use crate::Outcome;

/// What `intake` was asked to do (applications), resolved from its command line ([`Args`]).
#[derive(Debug, Clone)]
pub struct Request {
    pub files: Vec<PathBuf>,
    pub sheets: Vec<String>,
    pub encoding: Option<String>,
    pub dry_run: bool,
    pub quiet: bool,
}

// `jiuzhu intake FILE…`: its options and help (the texts in both languages, picked when the command line is
// built). `--kind` sends follow-ups and complaints to `followup`, discoveries to `discover`.
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = tr(
        "Import application registers (申请登记表) from xlsx/xls/ods/csv into the case ledgers",
        "把申请登记表 (xlsx/xls/ods/csv) 导入案件台账",
    ),
    help_template = examples(tr(
        "Examples:\n  jiuzhu intake 城关镇-申请登记表.xlsx\n  \
jiuzhu intake --encoding gbk 东河乡-申请登记.csv\n  jiuzhu intake --sheet 申请登记 --dry-run register.xlsx\n  \
jiuzhu intake --kind followups 2026-11-回访.csv\n  jiuzhu intake --kind complaints 2026-11-信访.csv",
        "示例:\n  jiuzhu intake 城关镇-申请登记表.xlsx\n  \
jiuzhu intake --encoding gbk 东河乡-申请登记.csv\n  jiuzhu intake --sheet 申请登记 --dry-run register.xlsx\n  \
jiuzhu intake --kind followups 2026-11-回访.csv\n  jiuzhu intake --kind complaints 2026-11-信访.csv",
    )),
    after_help = tr("\
--kind followups records follow-up visits (回访: case or head's ID, 回访日期, 回访人, 困难类别, and any change found — \
收入变化/迁出/死亡 — applied to members.csv for the next decide) in ledgers/followups.csv; --kind complaints records \
complaints (信访: 收到日期, 信访方式, 信访事项, …, 处理结果, 答复日期) in ledgers/complaints.csv.\n\n\
Both register shapes are read: one row per member (household fields on the head's row, merged or repeated), \
or one row per household with members on a second sheet keyed by the head's ID. A household enters whole or \
not at all. Rejected and skipped rows are listed in reports/intake-rejects-FILE-HASH.xlsx with file, sheet, row, \
column, value, reason and what to do. Importing the same file again changes nothing.\n\n\
Exit: 0 all rows taken (or nothing new); 1 some rows rejected; 2 nothing done.", "\
--kind followups 记录回访 (案件编号或户主身份证号、回访日期、回访人、困难类别, 以及发现的变化 — \
收入变化/迁出/死亡 — 这些变化写入 members.csv, 供下次 decide 使用), 存入 ledgers/followups.csv; \
--kind complaints 记录信访 (收到日期、信访方式、信访事项、…、处理结果、答复日期), 存入 ledgers/complaints.csv。\n\n\
两种登记表格式都能读: 每人一行 (家庭信息在户主行, 合并单元格或逐行重复), 或每户一行、成员列在另一个工作表中\
并按户主身份证号对应。一户要么整户导入, 要么整户不导入。被拒收和跳过的行列在 \
reports/intake-rejects-FILE-HASH.xlsx 中, 注明文件、工作表、行、列、值、原因和处理办法。同一文件再次导入\
不会改变任何内容。\n\n\
退出码: 0 所有行均已导入 (或没有新内容); 1 有行被拒收; 2 未做任何事。")
)]
pub struct Args {
    #[arg(required = true, value_name = "FILE", help = tr(
        "Register files (.xlsx, .xls, .ods, .csv)",
        "申请登记表文件 (.xlsx、.xls、.ods、.csv)",
    ))]
    pub files: Vec<PathBuf>,
    #[arg(long, value_name = "NAME", help = tr(
        "Read only this sheet (repeat for several); default: the first sheet with a register header",
        "只读这个工作表 (可重复给出多个); 默认: 第一个有登记表表头的工作表",
    ))]
    pub sheet: Vec<String>,
    #[arg(long, value_name = "ENC", help = tr(
        "CSV encoding: utf-8, gbk, gb18030 (default: detect; UTF-8 with or without BOM, else GB18030)",
        "CSV 编码: utf-8、gbk、gb18030 (默认: 自动识别; 带或不带 BOM 的 UTF-8, 否则按 GB18030)",
    ))]
    pub encoding: Option<String>,
    #[arg(long, value_enum, default_value_t = IntakeKind::Applications, help = tr(
        "What the files hold",
        "文件内容的类型",
    ))]
    pub kind: IntakeKind,
    #[arg(long, help = dry_run_help())]
    pub dry_run: bool,
}

/// What the files of `intake --kind` hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum IntakeKind {
    #[value(help = tr("Application registers (申请登记表 / 花名册)", "申请登记表 (花名册)"))]
    Applications,
    #[value(help = tr(
        "Follow-up visit records (回访记录): case, date, visitors, difficulty class, changes found",
        "回访记录: 案件、日期、回访人、困难类别、发现的变化",
    ))]
    Followups,
    #[value(help = tr(
        "Complaints and petitions (信访登记): received, channel, subject, handler, result, reply date",
        "信访登记: 收到日期、信访方式、信访事项、经办人、处理结果、答复日期",
    ))]
    Complaints,
    #[value(help = tr(
        "People found in difficulty (遇困人员花名册): date found, channel, name, ID, township, difficulty",
        "遇困人员花名册: 发现日期、发现渠道、姓名、身份证号、乡镇、困难情况",
    ))]
    Discoveries,
}

impl Args {
    /// Every kind writes (no period), unless a dry run.
    pub fn writing_step(&self) -> Option<Option<String>> {
        (!self.dry_run).then_some(None)
    }
}

/// The command line's entry: the files taken from `-C DIR` as git does, and the kind sent to its step.
pub fn main(args: Args, ctx: &Ctx) -> Result<Outcome> {
    let ws = ctx.workspace()?;
    let files: Vec<PathBuf> = args.files.into_iter().map(|f| ctx.path(f)).collect();
    let (encoding, dry_run, quiet) = (args.encoding, args.dry_run, ctx.quiet);
    match args.kind {
        IntakeKind::Applications => run(
            &ws,
            &Request {
                files,
                sheets: args.sheet,
                encoding,
                dry_run,
                quiet,
            },
        ),
        IntakeKind::Followups | IntakeKind::Complaints => followup::run(
            &ws,
            &followup::Args {
                kind: match args.kind {
                    IntakeKind::Followups => followup::Kind::Followups,
                    _ => followup::Kind::Complaints,
                },
                files,
                encoding,
                dry_run,
                quiet,
            },
        ),
        IntakeKind::Discoveries => discover::import(
            &ws,
            &discover::ImportArgs {
                files,
                encoding,
                dry_run,
                quiet,
            },
        ),
    }
}

/// One input file as read.
type Input = reader::InputFile;

/// The fate of every row, for the summary and the report.
#[derive(Debug, Default)]
pub struct Tally {
    pub rows_read: usize,
    pub rows_accepted: usize,
    pub rows_rejected: usize,
    pub rows_skipped: usize,
    pub households_accepted: usize,
    pub households_rejected: usize,
    pub households_already: usize,
    pub members_accepted: usize,
}

/// The ledgers intake reads.
type Ledgers = (Vec<Case>, Vec<Member>, Vec<Source>, events::Journal);

pub fn run(ws: &Workspace, args: &Request) -> Result<Outcome> {
    if args.files.is_empty() {
        bail!(
            "{}",
            tr(
                "give at least one register file: jiuzhu intake FILE…",
                "请至少给出一个登记表文件: jiuzhu intake 文件…"
            )
        );
    }
    let encoding = match &args.encoding {
        Some(e) => Encoding::parse(e)?,
        None => Encoding::Detect,
    };
    let lock = if args.dry_run { None } else { Some(ws.lock()?) };

    // Read every input first: a file that cannot be used at all stops the run before anything is written.
    // The files are read in parallel, and beside them the ledgers; the first unusable file in the order given
    // is the one reported.
    let names = HeaderNames::new(&ws.policy.columns);
    let progress = crate::ui::Progress::new(
        args.files.len() as u64,
        tr("intake: registers read", "导入: 已读取登记表"),
    );
    let read_one = |(i, path): (usize, &PathBuf)| -> Result<(Input, RegisterRead)> {
        let (input, wb) = reader::read_input_file(path, encoding)?;
        let read = match register::read_register(&wb, i, &ws.policy, &names, &args.sheets)
            .with_context(|| input.shown.clone())?
        {
            Ok(r) => r,
            Err(no) => bail!("{no}"),
        };
        progress.inc(1);
        Ok((input, read))
    };
    let (results, ledgers) = rayon::join(
        || -> Vec<Result<(Input, RegisterRead)>> { args.files.par_iter().enumerate().map(read_one).collect() },
        || -> Result<Ledgers> {
            Ok((
                ledger::read::<Case>(ws)?,
                ledger::read::<Member>(ws)?,
                ledger::read::<Source>(ws)?,
                events::Journal::read(ws)?,
            ))
        },
    );
    progress.finish();
    let mut inputs = Vec::new();
    let mut reads: Vec<RegisterRead> = Vec::new();
    // Each input's columns not used, by input.
    let mut unused: Vec<Vec<UnusedColumn>> = Vec::new();
    for r in results {
        let (input, mut read) = r?;
        hold_for_near_misses(&input.name, &mut read);
        inputs.push(input);
        unused.push(std::mem::take(&mut read.unused));
        reads.push(read);
    }
    let (cases, members, mut sources, mut chain) = ledgers?;

    crate::ui::phase("intake: read");
    let outcome = decide_households(&ws.policy, reads, &cases, &members);
    crate::ui::phase("intake: households decided");
    let Decided {
        new_cases,
        new_members,
        new_sources,
        rejects,
        skips,
        tally,
        warnings,
        mut notes,
        hidden_rows,
        files_without_reason,
    } = outcome;
    notes.extend(hidden_rows_notes(&inputs, &hidden_rows));
    notes.extend(crate::cmd::withdraw::reopened_notes(&cases, &new_cases, &ws.jiuzhu()));
    let mut warnings = warnings;
    warnings.extend(unknown_reason_warnings(
        &inputs,
        &new_cases,
        &new_sources,
        &files_without_reason,
    ));
    let new_sources: Vec<Source> = new_sources
        .into_iter()
        .map(|(record, at)| Source {
            record,
            file_sha256: inputs[at.file].sha256.clone(),
            file_name: Text(inputs[at.file].name.clone()),
            sheet: Text(at.sheet.to_string()),
            row: at.row,
        })
        .collect();

    let seen_before: BTreeSet<&str> = chain
        .runs
        .iter()
        .filter(|e| e.step == "intake")
        .flat_map(|e| e.inputs.split(';'))
        .filter_map(|kv| kv.split_once('=').map(|(_, sha)| sha))
        .collect();
    let all_seen = inputs.iter().all(|i| seen_before.contains(i.sha256.as_str()));
    let nothing_new = new_cases.is_empty();

    // Summary.
    let report_rel = report_path(&inputs);
    let mut out = String::new();
    let prefix = if args.dry_run {
        tr("dry run: ", "试运行: ")
    } else {
        String::new()
    };
    let files = if inputs.len() == 1 {
        inputs[0].shown.clone()
    } else {
        tr(format!("{} files", inputs.len()), format!("{} 个文件", inputs.len()))
    };
    let t = &tally;
    out.push_str(&tr(
        format!(
            "{prefix}intake {files}: {} rows read = {} accepted + {} rejected + {} skipped; {} households {} ({} members)",
            t.rows_read,
            t.rows_accepted,
            t.rows_rejected,
            t.rows_skipped,
            t.households_accepted,
            if args.dry_run { "would be added" } else { "added" },
            t.members_accepted
        ),
        format!(
            "{prefix}导入 {files}: 读取 {} 行 = 接收 {} + 拒收 {} + 跳过 {}; {}新增 {} 户 ({} 人)",
            t.rows_read,
            t.rows_accepted,
            t.rows_rejected,
            t.rows_skipped,
            if args.dry_run { "将" } else { "" },
            t.households_accepted,
            t.members_accepted
        ),
    ));
    if tally.households_rejected > 0 {
        out.push_str(&tr(
            format!(", {} rejected", tally.households_rejected),
            format!(", 拒收 {} 户", tally.households_rejected),
        ));
    }
    if tally.households_already > 0 {
        out.push_str(&tr(
            format!(", {} already imported", tally.households_already),
            format!(", {} 户已导入过", tally.households_already),
        ));
    }
    if nothing_new {
        out.push_str(&tr(" — nothing new", " — 没有新内容"));
    }
    for (key, n) in [
        ("rows_read", t.rows_read),
        ("rows_accepted", t.rows_accepted),
        ("rows_rejected", t.rows_rejected),
        ("rows_skipped", t.rows_skipped),
        ("households_accepted", t.households_accepted),
        ("households_rejected", t.households_rejected),
        ("households_already", t.households_already),
        ("members_accepted", t.members_accepted),
    ] {
        crate::ui::record(key, n);
    }
    let any_unused = unused.iter().any(|u| !u.is_empty());
    let needs_report = !rejects.is_empty() || !skips.is_empty() || any_unused || !hidden_rows.is_empty();
    if crate::ui::json() {
        record_json(&inputs, &rejects, &unused, &hidden_rows, &warnings, &notes);
        crate::ui::record("dry_run", args.dry_run);
        crate::ui::record("report", needs_report.then(|| report_rel.display().to_string()));
    }
    if needs_report {
        out.push_str(&format!(
            "\n  {} {}",
            if args.dry_run {
                tr("report would be", "报告将写入")
            } else {
                tr("report:", "报告:")
            },
            report_rel.display()
        ));
    }
    for w in &warnings {
        out.push_str(&format!("\n  {} {w}", tr("warning:", "注意:")));
    }
    for n in &notes {
        out.push_str(&format!("\n  {} {n}", tr("note:", "说明:")));
    }
    // Every column accounted for: those not read, by header, and each that looks like a field meant.
    let mut near_misses = 0;
    for (input, cols) in inputs.iter().zip(&unused) {
        if cols.is_empty() {
            continue;
        }
        let (lines, near) = reader::unused_lines(&input.name, inputs.len() > 1, cols, "columns");
        near_misses += near;
        for l in lines {
            out.push_str(&format!("\n  {l}"));
        }
    }
    // The clerk sees each reason once, at its first row; the report has every row, and the summary says how many
    // rows of the same reasons it does not list.
    let mut shown = BTreeSet::new();
    let mut not_listed = 0usize;
    for p in rejects
        .iter()
        .filter(|p| !p.reason.en.starts_with("household rejected"))
    {
        let key = (p.at.file, p.at.sheet.clone(), p.reason.clone());
        if !shown.insert(key) {
            not_listed += 1;
        } else {
            let name = &inputs[p.at.file].name;
            // A CSV has one sheet, named after the file: saying it twice helps nobody.
            let sheet = if name.to_ascii_lowercase().ends_with(".csv") {
                String::new()
            } else {
                tr(format!(" sheet {}", p.at.sheet), format!(" 工作表 {}", p.at.sheet))
            };
            out.push_str(&format!(
                "\n  {} {name}{sheet} {}{}: {}",
                tr("rejected", "拒收"),
                tr(format!("row {}", p.at.row), format!("第 {} 行", p.at.row)),
                if p.column.is_empty() {
                    String::new()
                } else {
                    format!(" {}", p.column)
                },
                p.reason
            ));
        }
    }
    if not_listed > 0 {
        out.push_str(&format!(
            "\n  {}",
            tr(
                format!("… and {not_listed} more rows rejected for the reasons above: every one is in the report"),
                format!("… 另有 {not_listed} 行因以上同样原因被拒收: 每一行都列在报告中"),
            )
        ));
    }

    // Rows still rejected need a person, whether or not the file was imported before: a script sees 1 until the
    // rows are fixed (a re-import that only says "already imported" is 0).
    let outcome = if rejects.is_empty() && warnings.is_empty() {
        Outcome::Done
    } else {
        Outcome::NeedsAttention
    };
    // A column that looks like a field the register needs was passed over: a person must look, every time.
    let outcome = if near_misses > 0 {
        Outcome::NeedsAttention
    } else {
        outcome
    };

    if args.dry_run {
        crate::outln!("{out}");
        return Ok(outcome);
    }

    // Write: ledgers, provenance, the journal, the inbox copies and the report — together or not at all.
    // A file imported before, with nothing new in it, leaves even its report as it was.
    let write_report = needs_report && !(nothing_new && all_seen);
    // The report is built on one core while the ledgers are written on the other.
    let (report, ledgers) = rayon::join(
        || {
            write_report
                .then(|| rejects_workbook(&inputs, &rejects, &skips, &unused, &hidden_rows))
                .transpose()
        },
        || -> Result<(Txn, Option<crate::Freeing>)> {
            let mut txn = Txn::new();
            let mut freeing = None;
            if !new_cases.is_empty() {
                // In case ID order, as the new cases are.
                let case_events: Vec<NewEvent> = new_cases
                    .iter()
                    .map(|c| NewEvent {
                        step: "intake".into(),
                        case_id: c.case_id.clone(),
                        from_status: String::new(),
                        to_status: CaseStatus::Received.as_str().into(),
                        detail: "application accepted (受理)".into(),
                        inputs: String::new(),
                    })
                    .collect();
                let mut all_cases = cases;
                all_cases.extend(new_cases);
                let mut all_members = members;
                all_members.extend(new_members);
                sources.extend(new_sources);
                // Each ledger encoded as a task of its own, so the core the report leaves idle takes a share.
                let (cases_bytes, (members_bytes, sources_bytes)) = rayon::join(
                    || ledger::to_bytes(&all_cases),
                    || rayon::join(|| ledger::to_bytes(&all_members), || ledger::to_bytes(&sources)),
                );
                freeing = Some(crate::free_in_background((all_cases, all_members, sources)));
                txn.put(ledger::path_of::<Case>(), cases_bytes?);
                txn.put(ledger::path_of::<Member>(), members_bytes?);
                txn.put(ledger::path_of::<Source>(), sources_bytes?);
                let policy_sha = ws.policy_sha256()?;
                let mut input_list: Vec<String> = inputs.iter().map(|i| format!("{}={}", i.name, i.sha256)).collect();
                input_list.push(format!("{POLICY_FILE}={policy_sha}"));
                let input_list = input_list.join(";");
                let mut new_events = vec![NewEvent {
                    step: "intake".into(),
                    detail: format!(
                        "{} households ({} members) added; {} rows rejected; {} skipped",
                        tally.households_accepted, tally.members_accepted, tally.rows_rejected, tally.rows_skipped
                    ),
                    inputs: input_list.clone(),
                    ..NewEvent::default()
                }];
                new_events.extend(case_events);
                chain.append(new_events);
                chain.put(&mut txn)?;
                for input in &inputs {
                    crate::workspace::keep_input(&mut txn, input);
                }
            }
            Ok((txn, freeing))
        },
    );
    let (mut txn, freeing) = ledgers?;
    if let Some(bytes) = report? {
        txn.put(&report_rel, bytes);
    }
    crate::ui::phase("intake: encoded");
    let lock = lock.expect("a writing run holds the lock");
    ws.commit(&lock, txn)?;
    crate::ui::phase("intake: committed");
    drop(freeing);
    crate::kept_to_exit((inputs, rejects, skips, chain));
    if !args.quiet || outcome != Outcome::Done {
        crate::outln!("{out}");
    }
    Ok(outcome)
}

fn report_path(inputs: &[Input]) -> PathBuf {
    let stem = inputs
        .first()
        .and_then(|i| Path::new(&i.name).file_stem().and_then(|s| s.to_str()))
        .unwrap_or("input");
    let more = if inputs.len() > 1 {
        format!("-and-{}-more", inputs.len() - 1)
    } else {
        String::new()
    };
    // The content hash keeps reports of two different files with one name apart.
    let sha = inputs.first().map(|i| &i.sha256[..8]).unwrap_or("");
    PathBuf::from("reports").join(format!(
        "intake-rejects-{}{more}-{sha}.xlsx",
        crate::workspace::safe_file_name(stem)
    ))
}

/// The result of checking every household of the run against each other and the ledger.
struct Decided {
    new_cases: Vec<Case>,
    new_members: Vec<Member>,
    new_sources: Vec<(String, RowRef)>,
    rejects: Vec<Problem>,
    skips: Vec<Skip>,
    tally: Tally,
    warnings: Vec<String>,
    /// Said to the clerk without making the run need attention (a hidden sheet read).
    notes: Vec<String>,
    /// Data rows hidden in their spreadsheet, in file, sheet and row order.
    hidden_rows: Vec<RowRef>,
    /// The inputs (by index) whose register has no hardship-reason column.
    files_without_reason: Vec<usize>,
}

/// The new cases whose hardship reason is unknown — the register has no reason column, or the household's cell
/// is blank — and that are not marked 不公示: whether they are protected (艾滋病 and the policy's other
/// `private_reasons`) cannot be told, so a person looks (`decide` keeps them off public notices until the clerk
/// confirms). One warning per file, naming the cases and rows.
fn unknown_reason_warnings(
    inputs: &[Input],
    new_cases: &[Case],
    new_sources: &[(String, RowRef)],
    files_without_reason: &[usize],
) -> Vec<String> {
    let at: HashMap<&str, &RowRef> = new_sources.iter().map(|(k, at)| (k.as_str(), at)).collect();
    let mut by_file: std::collections::BTreeMap<usize, Vec<(u32, &str)>> = std::collections::BTreeMap::new();
    for c in new_cases
        .iter()
        .filter(|c| !c.private && c.hardship_reason.trim().is_empty())
    {
        if let Some(at) = at.get(format!("case/{}", c.case_id).as_str()) {
            by_file.entry(at.file).or_default().push((at.row, c.case_id.as_str()));
        }
    }
    by_file
        .into_iter()
        .map(|(file, mut cases)| {
            cases.sort_unstable();
            let name = &inputs[file].name;
            let n = cases.len();
            let mut listed: Vec<String> = cases
                .iter()
                .take(HIDDEN_ROWS_SHOWN)
                .map(|(row, id)| format!("{id} ({})", tr(format!("row {row}"), format!("第 {row} 行"))))
                .collect();
            if n > HIDDEN_ROWS_SHOWN {
                listed.push("…".into());
            }
            let listed = listed.join(", ");
            if files_without_reason.contains(&file) {
                tr(
                    format!(
                        "{name} has no hardship-reason column (致困原因): whether its {n} new cases are protected \
                         (艾滋病 …) cannot be known: {listed}; add the column, or mark protected cases in a 不公示 \
                         column; decide keeps these cases off public notices until the clerk confirms"
                    ),
                    format!(
                        "{name} 没有致困原因列: 无法判断其中 {n} 个新案件是否属于不得公示的情形 (艾滋病 …): {listed}; \
                         请补上该列, 或用「不公示」列标明需保护的案件; 在经办人确认之前, decide 不会把这些案件列入公示"
                    ),
                )
            } else {
                tr(
                    format!(
                        "{name}: {n} new cases have a blank hardship reason (致困原因), so whether they are protected \
                         (艾滋病 …) cannot be known: {listed}; fill in the reason, or mark protected cases 不公示; \
                         decide keeps these cases off public notices until the clerk confirms"
                    ),
                    format!(
                        "{name}: 有 {n} 个新案件的致困原因为空, 无法判断是否属于不得公示的情形 (艾滋病 …): {listed}; \
                         请补填致困原因, 或用「不公示」列标明需保护的案件; 在经办人确认之前, decide 不会把这些案件列入公示"
                    ),
                )
            }
        })
        .collect()
}

/// The `--json` result's lists (docs/json.md): every rejected row, every column not read, every hidden row, the
/// warnings and notes, in the run's language where they are words for a person.
fn record_json(
    inputs: &[Input],
    rejects: &[Problem],
    unused: &[Vec<UnusedColumn>],
    hidden: &[RowRef],
    warnings: &[String],
    notes: &[String],
) {
    use serde_json::json;
    let rejected: Vec<serde_json::Value> = rejects
        .iter()
        .map(|p| {
            json!({
                "file": inputs[p.at.file].name,
                "sheet": &*p.at.sheet,
                "row": p.at.row,
                "column": p.column,
                "reason": p.reason.to_string(),
                "fix": p.fix.to_string(),
            })
        })
        .collect();
    crate::ui::record("rejected_rows", rejected);
    let columns: Vec<serde_json::Value> = inputs
        .iter()
        .zip(unused)
        .flat_map(|(input, cols)| {
            cols.iter().map(|c| {
                json!({
                    "file": input.name,
                    "sheet": c.sheet,
                    "column": reader::column_letter(c.column),
                    "header": c.header,
                    "looks_like": c.looks_like,
                })
            })
        })
        .collect();
    crate::ui::record("unused_columns", columns);
    let hidden: Vec<serde_json::Value> = hidden
        .iter()
        .map(|at| json!({"file": inputs[at.file].name, "sheet": &*at.sheet, "row": at.row}))
        .collect();
    crate::ui::record("hidden_rows", hidden);
    crate::ui::record("warnings", warnings.to_vec());
    crate::ui::record("notes", notes.to_vec());
}

/// The most hidden rows a note names one by one (the report lists them all).
const HIDDEN_ROWS_SHOWN: usize = 20;

/// One note per sheet with hidden data rows, naming them: they were read like any other row, and the clerk
/// checks that none is a withdrawn application.
fn hidden_rows_notes(inputs: &[Input], hidden: &[RowRef]) -> Vec<String> {
    let mut by_sheet: std::collections::BTreeMap<(usize, &str), Vec<u32>> = std::collections::BTreeMap::new();
    for at in hidden {
        by_sheet.entry((at.file, &at.sheet)).or_default().push(at.row);
    }
    by_sheet
        .into_iter()
        .map(|((file, sheet), rows)| {
            let name = &inputs[file].name;
            let mut shown: Vec<String> = rows.iter().take(HIDDEN_ROWS_SHOWN).map(u32::to_string).collect();
            if rows.len() > HIDDEN_ROWS_SHOWN {
                shown.push("…".into());
            }
            let n = rows.len();
            tr(
                format!(
                    "{name} sheet {sheet}: {n} hidden rows were read like the others (rows {}); withdrawn \
                     applications are often hidden rather than deleted: check that they are meant to be imported",
                    shown.join(", ")
                ),
                format!(
                    "{name} 工作表 {sheet}: 有 {n} 行在表格中是隐藏的, 已和其他行一样读取 (第 {} 行); 撤回的申请常被\
                     隐藏而不是删除, 请核实这些行是否应当导入",
                    shown.join("、")
                ),
            )
        })
        .collect()
}

pub use crate::domain::ids::case_id;

/// A column that looks like a field the register reads but was not read (a near miss: `月收人(元)` for
/// `月收入(元)`, `不公开` for `不公示`) would leave that field blank in every household of the file — incomes of 0,
/// a protected case on the notice — and a household once taken is "already imported" when the clerk maps the
/// column and imports again. So no household of such a file is taken ([`reader::near_miss_hold`]): each is
/// rejected naming the column, and the import after the mapping takes them whole.
fn hold_for_near_misses(file: &str, read: &mut RegisterRead) {
    let Some((header, reason, fix)) = reader::near_miss_hold(file, &read.unused, "columns") else {
        return;
    };
    for d in &mut read.households {
        d.problems.push(Problem {
            at: d.first.clone(),
            column: header.clone(),
            value: String::new(),
            reason: reason.clone(),
            fix: fix.clone(),
        });
    }
}

fn decide_households(
    policy: &crate::policy::Policy,
    reads: Vec<RegisterRead>,
    cases: &[Case],
    members: &[Member],
) -> Decided {
    let mut tally = Tally::default();
    let mut rejects: Vec<Problem> = Vec::new();
    let mut skips: Vec<Skip> = Vec::new();
    let mut warnings = Vec::new();
    let mut notes = Vec::new();
    let mut drafts: Vec<HouseholdDraft> = Vec::new();
    let mut hidden_rows: Vec<RowRef> = Vec::new();
    let mut cleaned: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    let mut files_without_reason: Vec<usize> = Vec::new();
    for (file, read) in reads.into_iter().enumerate() {
        if !read.has_reason_column {
            files_without_reason.push(file);
        }
        notes.extend(read.notes);
        hidden_rows.extend(read.hidden_rows);
        for (column, n) in read.cleaned {
            *cleaned.entry(column).or_default() += n;
        }
        tally.rows_read += read.rows_read;
        for s in &read.other_register_sheets {
            warnings.push(tr(
                format!("sheet `{s}` also looks like a register and was not read; import it with --sheet \"{s}\""),
                format!("工作表「{s}」也像登记表, 未读取; 如要导入它, 请加 --sheet \"{s}\""),
            ));
        }
        rejects.extend(read.orphans);
        skips.extend(read.skips);
        drafts.extend(read.households);
    }
    if !cleaned.is_empty() {
        let total: usize = cleaned.values().sum();
        let en: Vec<String> = cleaned.iter().map(|(c, n)| format!("{c} {n}")).collect();
        let zh: Vec<String> = cleaned.iter().map(|(c, n)| format!("{c} {n} 个")).collect();
        notes.push(tr(
            format!(
                "{total} ID or account cells were read without Excel's text guards (a leading ', =\"…\", tabs, \
                 no-break or full-width spaces, full-width digits): {}",
                en.join(", ")
            ),
            format!(
                "已去掉 {total} 个身份证号或账号单元格中 Excel 的文本保护符号 (开头的 '、=\"…\"、制表符、不换行或全角空格、\
                 全角数字): {}",
                zh.join("、")
            ),
        ));
    }
    // Household-level checks. An application date is held to what the workspace and this run know: the latest
    // application in the ledger, and the middle of the registers' own dates.
    let dates = DateBounds::new(cases.iter().map(|c| c.applied_on), register::applied_dates(&drafts));
    let mut facts: Vec<Option<HouseholdFacts>> = drafts
        .par_iter_mut()
        .map(|d| register::check_household(d, policy, &dates))
        .collect();

    // A person in two households of this run rejects both, each naming the other.
    let mut by_person: HashMap<&str, Vec<usize>> = HashMap::default();
    for (h, d) in drafts.iter().enumerate() {
        for m in &d.members {
            if let Some(id) = &m.id {
                let hs = by_person.entry(id.as_str()).or_default();
                if hs.last() != Some(&h) {
                    hs.push(h);
                }
            }
        }
    }
    // In ID order, so the messages come out the same every run.
    let mut in_two: Vec<(&str, Vec<usize>)> = by_person.into_iter().filter(|(_, hs)| hs.len() > 1).collect();
    in_two.sort_unstable();
    let mut cross: Vec<(usize, Problem)> = Vec::new();
    for (id, hs) in &in_two {
        let id = *id;
        for &h in hs {
            let me = drafts[h]
                .members
                .iter()
                .find(|m| m.id.as_ref().is_some_and(|i| i.as_str() == id));
            let Some(me) = me else { continue };
            let others: Vec<String> = hs
                .iter()
                .filter(|&&o| o != h)
                .map(|&o| {
                    let d = &drafts[o];
                    let head = d
                        .members
                        .iter()
                        .find(|m| m.relation == Some(crate::ledger::Relation::Head));
                    let name = head.map(|m| m.name.as_str()).unwrap_or("?");
                    tr(
                        format!("the household of {name} (sheet {} row {})", d.first.sheet, d.first.row),
                        format!(" {name} 户 (工作表 {} 第 {} 行) ", d.first.sheet, d.first.row),
                    )
                })
                .collect();
            cross.push((
                h,
                Problem {
                    at: me.at.clone(),
                    column: "身份证号".into(),
                    value: me.id_raw.clone(),
                    reason: Msg::new(
                        format!(
                            "{} ({}) is also listed in {}; a person can be in one household only",
                            me.name,
                            id_number::mask_any(id),
                            others.join(" and ")
                        ),
                        format!(
                            "{} ({}) 同时列在{}中; 一人只能属于一户",
                            me.name,
                            id_number::mask_any(id),
                            others.join("、")
                        ),
                    ),
                    fix: Msg::new(
                        "decide which household the person belongs to and remove the other row",
                        "请确定此人属于哪一户, 删去另一户中的那一行",
                    ),
                },
            ));
        }
    }
    for (h, p) in cross {
        drafts[h].problems.push(p);
        facts[h] = None;
    }

    // Against the ledger: already imported, or someone already in another open case.
    let existing: HashMap<&str, &Case> = cases.iter().map(|c| (c.case_id.as_str(), c)).collect();
    let mut open_case_of: HashMap<&str, &str> = HashMap::default();
    for m in members {
        if existing.get(m.case_id.as_str()).is_some_and(|c| c.status.is_open()) {
            open_case_of.insert(m.id_number.as_str(), m.case_id.as_str());
        }
    }
    // The households accepted, as built.
    let mut accepted: Vec<Built> = Vec::new();
    let mut taken_ids: HashSet<String> = HashSet::default();
    // Members by case, built the first time an application turns out to be imported already (a re-run).
    let mut members_of_case: Option<HashMap<&str, Vec<&Member>>> = None;
    // Each household's case ID, case and members, built on every core (a hash and a copy of every field each);
    // what is accepted of them is decided below, one household after another.
    let mut built: Vec<Option<Built>> = drafts
        .par_iter()
        .zip(facts.par_iter())
        .map(|(draft, f)| {
            let f = f.as_ref()?;
            let head = draft
                .members
                .iter()
                .find(|m| m.relation == Some(crate::ledger::Relation::Head))
                .expect("checked: one head");
            let head_id = head.id.as_ref().expect("checked: valid IDs");
            let scheme = &policy.schemes[&f.scheme];
            let id = case_id(&scheme.code, head_id, &f.scheme, f.applied_on);
            let (case, members) = build_case(&id, draft, f);
            let case_at = draft.household_row.clone().unwrap_or_else(|| head.at.clone());
            let mut member_sources: Vec<(String, RowRef)> = members
                .iter()
                .zip(&draft.members)
                .map(|(m, d)| (format!("member/{id}/{}", m.id_number.as_str()), d.at.clone()))
                .collect();
            member_sources.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            Some(Built {
                case_source: (format!("case/{id}"), case_at),
                case: Box::new(case),
                members,
                member_sources,
            })
        })
        .collect();
    for (h, draft) in drafts.iter_mut().enumerate() {
        let Some(household) = built[h].take() else {
            reject_household(draft, &mut rejects, &mut tally);
            continue;
        };
        let (id, case, case_members) = (&household.case.case_id, &household.case, &household.members);
        if let Some(prev) = existing.get(id.as_str()) {
            let members_of = members_of_case.get_or_insert_with(|| crate::domain::records::by_case(members));
            let same_members: BTreeSet<(String, String)> = members_of
                .get(id.as_str())
                .into_iter()
                .flatten()
                .map(|m| (m.id_number.as_str().to_string(), m.name.0.clone()))
                .collect();
            let mine: BTreeSet<(String, String)> = case_members
                .iter()
                .map(|m| (m.id_number.as_str().to_string(), m.name.0.clone()))
                .collect();
            if same_members == mine && prev.household_size == case.household_size {
                for at in draft_rows(draft) {
                    skips.push(Skip {
                        at,
                        reason: Msg::new(format!("already imported as case {id}"), format!("已导入为案件 {id}")),
                    });
                    tally.rows_skipped += 1;
                }
                tally.households_already += 1;
                continue;
            }
            draft.problems.push(Problem {
                at: draft.first.clone(),
                column: String::new(),
                value: String::new(),
                reason: Msg::new(
                    format!("this application was imported before as case {id}, with different members"),
                    format!("该申请已导入为案件 {id}, 但家庭成员不同"),
                ),
                fix: Msg::new(
                    "corrections to an accepted case are made in the case, not by importing it again",
                    "已受理案件的更正应在案件中办理, 不能重新导入",
                ),
            });
            reject_household(draft, &mut rejects, &mut tally);
            continue;
        }
        let mut clash = Vec::new();
        for m in case_members {
            if let Some(other) = open_case_of.get(m.id_number.as_str()) {
                clash.push((m.clone(), other.to_string()));
            }
        }
        if !clash.is_empty() {
            for (m, other) in clash {
                let at = draft
                    .members
                    .iter()
                    .find(|d| d.id.as_ref() == Some(&m.id_number))
                    .map(|d| d.at.clone())
                    .unwrap_or_else(|| draft.first.clone());
                draft.problems.push(Problem {
                    at,
                    column: "身份证号".into(),
                    value: m.id_number.as_str().to_string(),
                    reason: Msg::new(
                        format!("{} ({}) is already in open case {other}", m.name, m.id_number.masked()),
                        format!("{} ({}) 已在未结案件 {other} 中", m.name, m.id_number.masked()),
                    ),
                    fix: Msg::new(
                        "a person can be in one open case: close or change the other case first",
                        "一人只能在一个未结案件中: 请先办结或变更另一案件",
                    ),
                });
            }
            reject_household(draft, &mut rejects, &mut tally);
            continue;
        }
        // Within one run, two applications (e.g. two schemes) for the same people: the first wins.
        if let Some(m) = case_members.iter().find(|m| taken_ids.contains(m.id_number.as_str())) {
            draft.problems.push(Problem {
                at: draft.first.clone(),
                column: "身份证号".into(),
                value: m.id_number.as_str().to_string(),
                reason: Msg::new(
                    format!(
                        "{} ({}) is in another application accepted in this run",
                        m.name,
                        m.id_number.masked()
                    ),
                    format!("{} ({}) 在本次已接收的另一份申请中", m.name, m.id_number.masked()),
                ),
                fix: Msg::new("a person can be in one open case", "一人只能在一个未结案件中"),
            });
            reject_household(draft, &mut rejects, &mut tally);
            continue;
        }
        taken_ids.extend(case_members.iter().map(|m| m.id_number.as_str().to_string()));
        let rows = draft_rows(draft);
        tally.rows_accepted += rows.len();
        tally.households_accepted += 1;
        tally.members_accepted += case_members.len();
        accepted.push(household);
    }
    let (new_cases, new_members, new_sources) = in_ledger_order(accepted);
    tally.rows_skipped += skips.len() - tally.households_already_rows(&skips);
    rejects.sort_by(|a, b| a.at.cmp(&b.at));
    skips.sort_by(|a, b| a.at.cmp(&b.at));
    hidden_rows.sort();
    Decided {
        new_cases,
        new_members,
        new_sources,
        rejects,
        skips,
        tally,
        warnings,
        notes,
        hidden_rows,
        files_without_reason,
    }
}

/// A household as built from its rows (on every core, before what is accepted is decided one household after
/// another): its case (boxed: a case is hundreds of bytes, moved twice more), its members in the order read, and
/// its provenance rows — the case's, and the members' in key order.
struct Built {
    case: Box<Case>,
    members: Vec<Member>,
    case_source: (String, RowRef),
    member_sources: Vec<(String, RowRef)>,
}

/// The accepted households' cases, members and provenance rows in the order of their ledgers' keys (case ID;
/// case ID and ID number; `case/…` before `member/…`), so that a first import writes them without sorting and a
/// later one merges two runs in order: sorting 200,000 rows read in the registers' order cost a tenth of the
/// step. The households are put in order by index; each one's members by their ID numbers.
fn in_ledger_order(accepted: Vec<Built>) -> (Vec<Case>, Vec<Member>, Vec<(String, RowRef)>) {
    let mut order: Vec<usize> = (0..accepted.len()).collect();
    order.sort_unstable_by(|&a, &b| accepted[a].case.case_id.cmp(&accepted[b].case.case_id));
    let n_members = accepted.iter().map(|h| h.members.len()).sum();
    let mut slots: Vec<Option<Built>> = accepted.into_iter().map(Some).collect();
    let mut cases = Vec::with_capacity(slots.len());
    let mut members = Vec::with_capacity(n_members);
    let mut case_sources = Vec::with_capacity(slots.len() + n_members);
    let mut member_sources = Vec::with_capacity(n_members);
    for i in order {
        let mut h = slots[i].take().expect("each household once");
        h.members
            .sort_unstable_by(|a, b| a.id_number.as_str().cmp(b.id_number.as_str()));
        cases.push(*h.case);
        members.extend(h.members);
        case_sources.push(h.case_source);
        member_sources.extend(h.member_sources);
    }
    case_sources.extend(member_sources);
    (cases, members, case_sources)
}

impl Tally {
    /// Skips already counted as they were made (the "already imported" ones).
    fn households_already_rows(&self, skips: &[Skip]) -> usize {
        skips
            .iter()
            .filter(|s| s.reason.en.starts_with("already imported"))
            .count()
    }
}

/// Every data row of a household: the household row (per-household shape) and its member rows.
fn draft_rows(d: &HouseholdDraft) -> Vec<RowRef> {
    d.household_row
        .iter()
        .cloned()
        .chain(d.members.iter().map(|m| m.at.clone()))
        .collect()
}

/// Lists a rejected household's rows: each row's own problems, and the others as rejected because of them.
fn reject_household(d: &HouseholdDraft, rejects: &mut Vec<Problem>, tally: &mut Tally) {
    let mut own: Vec<Problem> = d.problems.clone();
    for m in &d.members {
        own.extend(m.problems.iter().cloned());
    }
    let first_reason = own
        .first()
        .map(|p| {
            Msg::new(
                format!("row {}: {}", p.at.row, p.reason.en),
                format!("第 {} 行: {}", p.at.row, p.reason.zh),
            )
        })
        .unwrap_or_else(|| Msg::new("the household did not pass its checks", "该户未通过检查"));
    let rows = draft_rows(d);
    for at in &rows {
        let mine: Vec<&Problem> = own.iter().filter(|p| &p.at == at).collect();
        if mine.is_empty() {
            rejects.push(Problem {
                at: at.clone(),
                column: String::new(),
                value: String::new(),
                reason: Msg::new(
                    format!("household rejected because of {}", first_reason.en),
                    format!("整户拒收, 原因: {}", first_reason.zh),
                ),
                fix: Msg::new(
                    "fix the household's other rows; a household is imported whole or not at all",
                    "请改正该户其他行; 一户要么整户导入, 要么整户不导入",
                ),
            });
        } else {
            rejects.extend(mine.into_iter().cloned());
        }
    }
    // Problems pinned to rows that are not the household's data rows (e.g. a duplicate household row).
    for p in own.iter().filter(|p| !rows.contains(&p.at)) {
        rejects.push(p.clone());
    }
    tally.rows_rejected += rows.len();
    tally.households_rejected += 1;
}

fn build_case(id: &str, d: &HouseholdDraft, f: &HouseholdFacts) -> (Case, Vec<Member>) {
    let head = d
        .members
        .iter()
        .find(|m| m.relation == Some(crate::ledger::Relation::Head))
        .expect("checked: one head");
    let members: Vec<Member> = d
        .members
        .iter()
        .map(|m| {
            let idn = m.id.clone().expect("checked: valid IDs");
            Member {
                case_id: id.to_string(),
                birth_date: idn.birth_date(),
                sex: idn.sex().code().to_string(),
                id_number: idn,
                name: Text(m.name.clone()),
                relation: m.relation.expect("checked: relation"),
                monthly_income_amount: m.income,
                disability_grade: m.disability_grade,
                serious_illness: m.serious_illness,
                in_school: m.in_school,
                work_ability: m.work_ability,
                registered_region: Text(m.registered_region.clone()),
                self_care: m.self_care,
            }
        })
        .collect();
    let case = Case {
        case_id: id.to_string(),
        scheme: f.scheme.clone(),
        status: CaseStatus::Received,
        applicant_id_number: head.id.clone().expect("checked"),
        applicant_name: Text(head.name.clone()),
        region_code: f.region_code.clone(),
        township: Text(f.township.clone()),
        village: Text(f.village.clone()),
        address: Text(f.address.clone()),
        phone: Text(f.phone.clone()),
        hukou: f.hukou.clone(),
        household_size: members.len() as u32,
        applied_on: f.applied_on,
        bank_name: Text(f.bank_name.clone()),
        bank_account: Text(f.bank_account.clone()),
        hardship_reason: Text(f.hardship_reason.clone()),
        materials: Text(f.materials.join("、")),
        deposits_amount: f.deposits,
        vehicles: f.vehicles,
        properties: f.properties,
        deduction_amount: f.deduction_amount,
        deduction_kind: Text(f.deduction_kind.clone()),
        deduction_evidence: Text(f.deduction_evidence.clone()),
        exclusions: Text(f.exclusions.join("、")),
        support_mode: f.support_mode,
        temporary_months: f.temporary_months,
        urgent: f.urgent,
        private: f.private,
    };
    (case, members)
}

/// The rejects workbook: one sheet of rejected rows, one of skipped rows, for the clerk who fixes them; one of the
/// columns not used and one of the rows hidden in the spreadsheet (with what became of each), when there are any.
fn rejects_workbook(
    inputs: &[Input],
    rejects: &[Problem],
    skips: &[Skip],
    unused: &[Vec<UnusedColumn>],
    hidden: &[RowRef],
) -> Result<Vec<u8>> {
    let rejected = SheetSpec {
        name: "拒收".into(),
        title: Some("导入拒收的行 — 改正后重新导入整户 (一户要么整户导入, 要么整户不导入)".into()),
        columns: vec![
            Column::new("文件", Kind::Text),
            Column::new("工作表", Kind::Text),
            Column::new("行", Kind::Count),
            Column::new("列", Kind::Text),
            Column::new("值", Kind::Code),
            Column::new("原因", Kind::Text),
            Column::new("处理办法", Kind::Text),
        ],
        rows: rejects
            .iter()
            .map(|p| {
                vec![
                    Value::from(inputs[p.at.file].name.as_str()),
                    Value::from(&*p.at.sheet),
                    Value::Count(p.at.row as i64),
                    Value::from(p.column.as_str()),
                    Value::from(p.value.as_str()),
                    Value::from(p.reason.zh()),
                    Value::from(p.fix.zh()),
                ]
            })
            .collect(),
        batch: None,
        print: Default::default(),
    };
    let skipped = SheetSpec {
        name: "跳过".into(),
        title: Some("未导入也无需处理的行 (空行、合计行、说明行、重复行、已导入的行)".into()),
        columns: vec![
            Column::new("文件", Kind::Text),
            Column::new("工作表", Kind::Text),
            Column::new("行", Kind::Count),
            Column::new("原因", Kind::Text),
        ],
        rows: skips
            .iter()
            .map(|s| {
                vec![
                    Value::from(inputs[s.at.file].name.as_str()),
                    Value::from(&*s.at.sheet),
                    Value::Count(s.at.row as i64),
                    Value::from(s.reason.zh()),
                ]
            })
            .collect(),
        batch: None,
        print: Default::default(),
    };
    let mut sheets = vec![rejected, skipped];
    if unused.iter().any(|u| !u.is_empty()) {
        sheets.push(SheetSpec {
            name: "未使用的列".into(),
            title: Some("未读取的列 — 如其中有要导入的内容, 请改表头或在 jiuzhu.yaml 的 columns: 下加上别名".into()),
            columns: vec![
                Column::new("文件", Kind::Text),
                Column::new("工作表", Kind::Text),
                Column::new("行", Kind::Count),
                Column::new("列", Kind::Text),
                Column::new("表头", Kind::Text),
                Column::new("看起来像", Kind::Text),
                Column::new("处理办法", Kind::Text),
            ],
            rows: unused
                .iter()
                .enumerate()
                .flat_map(|(i, cols)| cols.iter().map(move |u| (i, u)))
                .map(|(i, u)| {
                    let name = inputs[i].name.as_str();
                    let like = u.looks_like.and_then(crate::sheet::fields::field);
                    vec![
                        Value::from(name),
                        Value::from(u.sheet.as_str()),
                        Value::Count(i64::from(u.row)),
                        Value::from(reader::column_letter(u.column).as_str()),
                        Value::from(u.header.as_str()),
                        Value::from(like.map(|f| f.label_zh).unwrap_or("")),
                        Value::from(
                            u.near_miss_message(name, "columns")
                                .map(|m| m.zh().to_string())
                                .unwrap_or_else(|| "未读取该列; 如要导入, 请把表头改为 jiuzhu 认得的名称".to_string())
                                .as_str(),
                        ),
                    ]
                })
                .collect(),
            batch: None,
            print: Default::default(),
        });
    }
    if !hidden.is_empty() {
        let rejected_rows: BTreeSet<&RowRef> = rejects.iter().map(|p| &p.at).collect();
        let skipped_rows: BTreeSet<&RowRef> = skips.iter().map(|s| &s.at).collect();
        sheets.push(SheetSpec {
            name: "隐藏的行".into(),
            title: Some("在表格中被隐藏、但已照常读取的行 — 撤回的申请常被隐藏而不是删除, 请逐行核实".into()),
            columns: vec![
                Column::new("文件", Kind::Text),
                Column::new("工作表", Kind::Text),
                Column::new("行", Kind::Count),
                Column::new("结果", Kind::Text),
            ],
            rows: hidden
                .iter()
                .map(|at| {
                    let fate = if rejected_rows.contains(at) {
                        "拒收 (见「拒收」表)"
                    } else if skipped_rows.contains(at) {
                        "跳过 (见「跳过」表)"
                    } else {
                        "已接收"
                    };
                    vec![
                        Value::from(inputs[at.file].name.as_str()),
                        Value::from(&*at.sheet),
                        Value::Count(at.row as i64),
                        Value::from(fate),
                    ]
                })
                .collect(),
            batch: None,
            print: Default::default(),
        });
    }
    writer::workbook_bytes(&sheets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Record;

    #[test]
    fn case_ids_are_stable_and_carry_no_personal_data() {
        let id = id_number::parse("11010519491231002X").unwrap();
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
        let a = case_id("CD", &id, "urban_dibao", d);
        assert_eq!(a, case_id("CD", &id, "urban_dibao", d));
        assert!(a.starts_with("CD-2026-"));
        assert_eq!(a.len(), "CD-2026-".len() + 12);
        assert!(!a.contains("110105"));
        assert_ne!(a, case_id("ND", &id, "rural_dibao", d));
    }

    /// The example county's November registers, decided against empty ledgers: every new case, member and
    /// provenance row comes out in its ledger's key order (so the ledgers are written without a sort), and each
    /// member's provenance is still the row it was read from.
    #[test]
    fn new_rows_come_out_in_ledger_order() {
        let policy = crate::policy::Policy::parse(crate::cmd::init::POLICY_TEMPLATE, "jiuzhu.yaml").unwrap();
        let names = HeaderNames::new(&policy.columns);
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/county/inbox/2026-11");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        let wbs: Vec<reader::Workbook> = files
            .iter()
            .map(|f| {
                let bytes = std::fs::read(f).unwrap();
                reader::read_workbook_bytes(&f.display().to_string(), &bytes, Encoding::Detect).unwrap()
            })
            .collect();
        let reads: Vec<RegisterRead> = wbs
            .iter()
            .enumerate()
            .map(|(i, wb)| register::read_register(wb, i, &policy, &names, &[]).unwrap().unwrap())
            .collect();
        let d = decide_households(&policy, reads, &[], &[]);
        assert!(d.new_cases.len() > 10 && d.new_members.len() > d.new_cases.len());
        fn in_order<R: Record>(rows: &[R]) -> bool {
            rows.windows(2).all(|w| w[0].key_cmp(&w[1]).is_lt())
        }
        assert!(in_order(&d.new_cases), "cases");
        assert!(in_order(&d.new_members), "members");
        let keys: Vec<&str> = d.new_sources.iter().map(|(k, _)| k.as_str()).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "sources: {keys:?}");
        assert_eq!(keys.len(), d.new_cases.len() + d.new_members.len());
        // Each member's provenance is the row that holds its ID number.
        let row_holds = |at: &RowRef, id: &str| {
            let sheet = wbs[at.file].sheets.iter().find(|s| *s.name == *at.sheet).unwrap();
            sheet.rows[at.row as usize - 1]
                .iter()
                .any(|c| c.text.trim().eq_ignore_ascii_case(id))
        };
        for m in &d.new_members {
            let key = format!("member/{}/{}", m.case_id, m.id_number.as_str());
            let (_, at) = d.new_sources.iter().find(|(k, _)| *k == key).unwrap();
            assert!(row_holds(at, m.id_number.as_str()), "{key} at {at:?}");
        }
    }
}
