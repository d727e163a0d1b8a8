//! The `jiuzhu` binary: parse the command line, dispatch to `cmd::*`, turn the outcome into an exit code.
//!
//! Exit codes scripts branch on: 0 done; 1 done, but something needs a person (rejected rows, …);
//! 2 nothing done (bad usage, unreadable or invalid input, invalid policy, workspace locked).

// Output goes through `jiuzhu::errln!` and friends (`jiuzhu::ui`): `eprintln!` panics when the reader has gone.
#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use jiuzhu::cmd;
use jiuzhu::cmd::cli::{dry_run_help, examples};
use jiuzhu::i18n::{tr, Lang};
use jiuzhu::workspace::Workspace;
use jiuzhu::Outcome;

/// Every text of the command line (descriptions, options' help, examples) is written in both languages here and
/// picked when the command is built, after the run's language is known (`--lang`, then the locale). clap's own
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

#[derive(Subcommand, Debug)]
enum Command {
    #[command(
        about = tr(
            "Create a workspace: jiuzhu.yaml (policy), ledgers/, inbox/, reports/, archive/, Git settings",
            "创建工作区: jiuzhu.yaml (政策文件)、ledgers/、inbox/、reports/、archive/ 及 Git 设置",
        ),
        help_template = examples(tr(
            "Examples:\n  jiuzhu init            # here\n  jiuzhu init county     # in ./county\n  \
jiuzhu init --here     # an auditor's clone of a workspace: set up its diffs",
            "示例:\n  jiuzhu init            # 在当前文件夹\n  jiuzhu init county     # 在 ./county\n  \
jiuzhu init --here     # 审计人员克隆的工作区: 设置其差异显示",
        )),
        after_help = tr("\
Refuses to touch a folder that already has a jiuzhu.yaml. The workspace is always a Git repository of its own \
(`git init` in the folder, also inside another repository, so the ledgers never enter that repository's history), \
when git is installed. `--here` sets up an existing clone of a workspace (an auditor's) instead: workbooks diffed as \
text by `jiuzhu cat`, ledgers diffed cell by cell (`git diff --word-diff`, or `git difftool -t jiuzhu`), file names \
unescaped (core.quotepath=false). Both only set the repository's local config and .git/info/attributes.", "\
不会改动已有 jiuzhu.yaml 的文件夹。装有 git 时, 工作区总是一个独立的 Git 仓库 (在该文件夹中 `git init`, \
即使它位于另一个仓库之内, 台账也不会进入那个仓库的历史)。`--here` 则设置一个已有工作区的克隆 (如审计人员的): \
工作簿按 `jiuzhu cat` 输出的文本比较差异, 台账逐格比较 (`git diff --word-diff` 或 `git difftool -t jiuzhu`), \
文件名不转义 (`core.quotepath=false`)。两者都只改动该仓库的本地配置和 .git/info/attributes。")
    )]
    Init {
        #[arg(help = tr(
            "The folder (created if missing); default: the current folder (or -C DIR)",
            "文件夹 (不存在则创建); 默认: 当前文件夹 (或 -C DIR)",
        ))]
        dir: Option<PathBuf>,
        #[arg(long, help = tr(
            "Set up the Git clone of an existing workspace for reading its history (drivers, no files written)",
            "为查阅历史设置一个已有工作区的 Git 克隆 (只设差异驱动, 不写文件)",
        ))]
        here: bool,
    },
    #[command(
        name = "sample-data",
        about = tr(
            "Write a realistic fictional workspace and a month of its inputs (registers, registries, visits), for \
benchmarks and trials at scale. Deterministic: the same seed and size give the same bytes",
            "生成一个逼真的虚构工作区及其一个月的输入 (申请登记表、比对数据、入户调查), 用于性能测试和大规模试用。\
结果确定: 种子和规模相同, 输出逐字节相同",
        ),
        help_template = examples(tr(
            "Examples:\n  jiuzhu sample-data --households 200 --seed 7 trial\n  \
jiuzhu sample-data --size county --seed 2026 --xlsx-rows 100000 bench-county\n  \
jiuzhu sample-data --size province --seed 2026 bench-province",
            "示例:\n  jiuzhu sample-data --households 200 --seed 7 trial\n  \
jiuzhu sample-data --size county --seed 2026 --xlsx-rows 100000 bench-county\n  \
jiuzhu sample-data --size province --seed 2026 bench-province",
        )),
        after_help = tr("\
Sizes: county = 50,000 households (~125k members, 500k registry rows); province = 1,000,000 households \
(~2.5M members, 10M registry rows, 50 townships). DIR gets jiuzhu.yaml, the workspace folders, and inputs/: \
registers/*.csv (one per township, per-member shape), registries/*.csv (deaths, vehicles, real_estate, payroll, \
relatives, other_schemes), expected-hits.csv (the members planted in a registry), visits.csv (a village visit \
and a township re-visit of every household). All people are fictional; ID numbers are valid for the county \
130199.", "\
规模: `county` = 50,000 户 (约 12.5 万人, 50 万行比对数据); `province` = 1,000,000 户 (约 250 万人, \
1000 万行比对数据, 50 个乡镇)。DIR 中写入 jiuzhu.yaml、工作区的各文件夹和 inputs/: registers/*.csv \
(每个乡镇一个, 每人一行)、registries/*.csv (`deaths`、`vehicles`、`real_estate`、`payroll`、`relatives`、\
`other_schemes`)、expected-hits.csv (预置在比对数据中的人员)、visits.csv (每户一次村级入户调查和一次乡镇复查)。\
所有人员均为虚构; 身份证号按县代码 130199 编制, 校验有效。")
    )]
    SampleData {
        // First, so that under Chinese (where every argument has a heading) 参数 comes before 选项, as in English.
        #[arg(help = tr(
            "The folder to write (created; must not be a workspace yet)",
            "要写入的文件夹 (会被创建; 不能已是工作区)",
        ))]
        dir: PathBuf,
        #[arg(long, help = tr(
            "Number of households (default: the size's; with --size province, the province's region with N)",
            "户数 (默认: 按所选规模; 与 `--size province` 同用时, 为有 N 户的全省区域)",
        ))]
        households: Option<usize>,
        #[arg(long, value_parser = ["county", "province"], help = tr(
            "A named size: county (50k households) or province (1M households, more townships)",
            "预设规模: `county` (5 万户) 或 `province` (100 万户, 乡镇更多)",
        ))]
        size: Option<String>,
        #[arg(long, default_value_t = 2026, help = tr("Seed of the random generator", "随机数生成器的种子"))]
        seed: u64,
        #[arg(long, value_name = "N", default_value_t = 0, help = tr(
            "Also write inputs/registers/register-100k.xlsx with this many member rows (other households)",
            "另写出 inputs/registers/register-100k.xlsx, 含这么多成员行 (另外的家庭)",
        ))]
        xlsx_rows: usize,
        #[arg(long, value_name = "N", help = tr(
            "Registry rows in all (default: 10 per household), shared by the six registries",
            "比对数据的总行数 (默认: 每户 10 行), 由六类比对数据分摊",
        ))]
        registry_rows: Option<u64>,
        #[arg(long, value_name = "PCT", default_value_t = 0.5, help = tr(
            "Share of members planted in some registry, in percent",
            "预置在某类比对数据中的成员所占的百分比",
        ))]
        hit_percent: f64,
    },
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
    Intake {
        #[arg(required = true, value_name = "FILE", help = tr(
            "Register files (.xlsx, .xls, .ods, .csv)",
            "申请登记表文件 (.xlsx、.xls、.ods、.csv)",
        ))]
        files: Vec<PathBuf>,
        #[arg(long, value_name = "NAME", help = tr(
            "Read only this sheet (repeat for several); default: the first sheet with a register header",
            "只读这个工作表 (可重复给出多个); 默认: 第一个有登记表表头的工作表",
        ))]
        sheet: Vec<String>,
        #[arg(long, value_name = "ENC", help = tr(
            "CSV encoding: utf-8, gbk, gb18030 (default: detect; UTF-8 with or without BOM, else GB18030)",
            "CSV 编码: utf-8、gbk、gb18030 (默认: 自动识别; 带或不带 BOM 的 UTF-8, 否则按 GB18030)",
        ))]
        encoding: Option<String>,
        #[arg(long, value_enum, default_value_t = IntakeKind::Applications, help = tr(
            "What the files hold",
            "文件内容的类型",
        ))]
        kind: IntakeKind,
        #[arg(long, help = dry_run_help())]
        dry_run: bool,
    },
    #[command(
        about = tr(
            "Check every case under review: materials, identity and household, income and assets, exclusions, \
registry hits, home visits, the township re-visit sample, time limits",
            "审核每个在审案件: 申请材料、身份与家庭、收入与财产、排除情形、信息比对命中、入户调查、乡镇抽查复核、\
办理时限",
        ),
        help_template = examples(tr(
            "Examples:\n  jiuzhu verify --as-of 2026-11-20\n  \
jiuzhu verify --as-of 2026-11-20 --visits 入户调查-11月.xlsx\n  \
jiuzhu verify --extend CD-2026-0B9A1C744081 --days 10 --approver 王局长 --reason \"需补充外地收入证明\"",
            "示例:\n  jiuzhu verify --as-of 2026-11-20\n  \
jiuzhu verify --as-of 2026-11-20 --visits 入户调查-11月.xlsx\n  \
jiuzhu verify --extend CD-2026-0B9A1C744081 --days 10 --approver 王局长 --reason \"需补充外地收入证明\"",
        )),
        after_help = tr("\
Records each outcome in ledgers/checks.csv and moves each case to verified, needs_info or ineligible. Writes \
reports/review-DATE.xlsx (one row per case with its verdict and reasons) and reports/supplement-notices-DATE.xlsx \
(一次性告知: everything each household must supplement, with the due date). Without --as-of the date is the \
latest date in the workspace (never the computer's clock).\n\nExit: 0 every case passed; 1 some case needs a \
person; 2 nothing done.", "\
每项结果记入 ledgers/checks.csv, 每个案件转为 `verified` (审核通过)、`needs_info` (需补充材料) 或 \
`ineligible` (不符合条件)。写出 reports/review-DATE.xlsx (每案一行, 含结论和理由) 和 \
reports/supplement-notices-DATE.xlsx (一次性告知: 每户需补充的全部材料及截止日期)。不给 --as-of 时, \
日期取工作区中最近的日期 (绝不用电脑的时钟)。\n\n\
退出码: 0 全部案件通过; 1 有案件需要人工处理; 2 未做任何事。")
    )]
    Verify {
        #[arg(long, value_name = "DATE", help = tr(
            "The date checks are made on (standards in force, time limits, ages): YYYY-MM-DD",
            "审核所依据的日期 (适用的标准、办理时限、年龄): YYYY-MM-DD",
        ))]
        as_of: Option<String>,
        #[arg(long, value_name = "FILE", help = tr(
            "Home-visit sheets (入户调查表) to record first: case or head's ID, date, investigators, findings, signed",
            "先记录的入户调查表: 案件编号或户主身份证号、日期、调查人、调查结论、签字",
        ))]
        visits: Vec<PathBuf>,
        #[arg(long, value_name = "CASE", help = tr(
            "Extend a case's time limit (延期): needs --days, --approver and --reason",
            "延长案件的办理时限 (延期): 需同时给出 --days、--approver 和 --reason",
        ))]
        extend: Option<String>,
        #[arg(long, requires = "extend", help = tr("Working days added by --extend", "--extend 延长的工作日数"))]
        days: Option<u32>,
        #[arg(long, requires = "extend", help = tr(
            "The leader who approved the extension (有决定权的领导)",
            "批准延期的领导 (有决定权的领导)",
        ))]
        approver: Option<String>,
        #[arg(long, requires = "extend", help = tr("Why the extension is needed", "延期的原因"))]
        reason: Option<String>,
        #[arg(long, value_name = "ENC", help = tr(
            "CSV encoding of visit sheets (default: detect)",
            "入户调查表的 CSV 编码 (默认: 自动识别)",
        ))]
        encoding: Option<String>,
        #[arg(long, help = dry_run_help())]
        dry_run: bool,
    },
    #[command(
        about = tr(
            "Match applicants and members against other departments' registries (信息比对), and record what a \
person decided about each hit",
            "把申请人及家庭成员与其他部门的数据进行信息比对, 并记录经办人对每条命中的处理结论",
        ),
        help_template = examples(tr(
            "Examples:\n  jiuzhu compare --source deaths=死亡火化-10月.xlsx --source vehicles=车辆.csv\n  \
jiuzhu compare --resolve reports/compare-hits-3F9A0C21.xlsx\n  \
jiuzhu compare --export-hashed 青禾县-人员哈希.csv\n  \
jiuzhu compare --source other_schemes=邻县-人员哈希.csv --hashed",
            "示例:\n  jiuzhu compare --source deaths=死亡火化-10月.xlsx --source vehicles=车辆.csv\n  \
jiuzhu compare --resolve reports/compare-hits-3F9A0C21.xlsx\n  \
jiuzhu compare --export-hashed 青禾县-人员哈希.csv\n  \
jiuzhu compare --source other_schemes=邻县-人员哈希.csv --hashed",
        )),
        after_help = tr("\
Registries are declared under `registries:` in jiuzhu.yaml (deaths, vehicles, real_estate, business, payroll, \
social_insurance, provident_fund, relatives, blacklist, other_schemes, medical_bills). Hits go to \
ledgers/matches.csv and to a worksheet reports/compare-hits-BATCH.xlsx with a drop-down 处理结果 column \
(确认/排除); --resolve reads it back. A cleared hit stays cleared while its evidence is unchanged.\n\n\
Exit: 0 no open hits; 1 open hits need a person; 2 nothing done.", "\
比对数据在 jiuzhu.yaml 的 `registries:` 下声明 (`deaths`、`vehicles`、`real_estate`、`business`、`payroll`、\
`social_insurance`、`provident_fund`、`relatives`、`blacklist`、`other_schemes`、`medical_bills`)。命中记入 \
ledgers/matches.csv, 并写出工作表 reports/compare-hits-BATCH.xlsx, 其中 处理结果 列可下拉选择 (确认/排除); \
--resolve 读回该表。已排除的命中, 只要证据不变就一直保持排除。\n\n\
退出码: 0 没有待处理的命中; 1 有命中待人工处理; 2 未做任何事。")
    )]
    Compare {
        #[arg(long, value_name = "NAME=FILE", help = tr(
            "A registry file: NAME=FILE, NAME as declared under `registries:` in jiuzhu.yaml. Repeatable",
            "一个比对数据文件: NAME=FILE, NAME 为 jiuzhu.yaml 中 `registries:` 下声明的名称。可重复给出",
        ))]
        source: Vec<String>,
        #[arg(long, requires = "source", help = tr(
            "The --source files hold salted hashes of ID numbers (from another office's --export-hashed)",
            "--source 文件中是身份证号的加盐哈希 (来自另一单位的 --export-hashed)",
        ))]
        hashed: bool,
        #[arg(long, value_name = "FILE", conflicts_with_all = ["source", "export_hashed"], help = tr(
            "Read back a filled compare-hits worksheet and record each disposition",
            "读回已填写的比对命中工作表, 记录每条命中的处理结论",
        ))]
        resolve: Option<PathBuf>,
        #[arg(long, requires = "resolve", help = tr(
            "Who decided the dispositions read by --resolve, when the sheet's 处理人 cells are blank",
            "--resolve 读入的处理结论由谁作出 (工作表的 处理人 单元格为空时)",
        ))]
        by: Option<String>,
        #[arg(long, value_name = "FILE", conflicts_with = "source", help = tr(
            "Write the workspace's people as salted hashes of their ID numbers, for exchange with another office",
            "把工作区人员的身份证号写成加盐哈希, 供与其他单位交换比对",
        ))]
        export_hashed: Option<PathBuf>,
        #[arg(long, value_name = "ENC", help = tr(
            "CSV encoding of registry files (default: detect)",
            "比对数据文件的 CSV 编码 (默认: 自动识别)",
        ))]
        encoding: Option<String>,
        #[arg(long, help = dry_run_help())]
        dry_run: bool,
    },
    #[command(
        about = tr(
            "Compare two ledgers or workbooks cell by cell, rows matched by key; either side may be REV:PATH in Git",
            "逐格比较两个台账或工作簿, 行按键对应; 任一方都可以是 Git 中的 REV:PATH",
        ),
        help_template = examples(tr(
            "Examples:\n  jiuzhu diff HEAD~1:ledgers/cases.csv ledgers/cases.csv\n  \
jiuzhu diff old/members.csv ledgers/members.csv\n  \
jiuzhu diff --format daff HEAD~3:ledgers/decisions.csv ledgers/decisions.csv > changes.csv\n  \
jiuzhu diff 名单-10月.xlsx 名单-11月.xlsx\n  jiuzhu diff --key 身份证号 a.csv b.csv",
            "示例:\n  jiuzhu diff HEAD~1:ledgers/cases.csv ledgers/cases.csv\n  \
jiuzhu diff old/members.csv ledgers/members.csv\n  \
jiuzhu diff --format daff HEAD~3:ledgers/decisions.csv ledgers/decisions.csv > changes.csv\n  \
jiuzhu diff 名单-10月.xlsx 名单-11月.xlsx\n  jiuzhu diff --key 身份证号 a.csv b.csv",
        )),
        after_help = tr("\
Rows are matched by key: cases.csv by case_id, members.csv by case_id+id_number, decisions.csv by decision_id, \
matches.csv by hit_id, checks.csv by case_id+check, events.csv by seq, any other file by its first column \
(workbook sheets by their first column when its values are unique, else by row number). Prints added, removed \
and changed rows with old → new per cell; --format daff prints daff's tabular diff (CSV: @@ header, +++ added, \
--- removed, -> changed, ... skipped).\n\nExit: 0 identical; 1 different; 2 error.", "\
行按键对应: cases.csv 按 case_id, members.csv 按 case_id+id_number, decisions.csv 按 decision_id, \
matches.csv 按 hit_id, checks.csv 按 case_id+check, events.csv 按 `seq`, 其他文件按第一列 (工作簿的各表: \
第一列取值唯一时按第一列, 否则按行号)。输出新增、删除和修改的行, 每格显示 旧值 → 新值; `--format daff` \
输出 `daff` 的表格差异格式 (CSV: @@ 表头, +++ 新增, --- 删除, -> 修改, ... 略过)。\n\n\
退出码: 0 相同; 1 不同; 2 出错。")
    )]
    Diff {
        #[arg(help = tr(
            "The old side: a file, or REV:PATH (e.g. HEAD~1:ledgers/cases.csv)",
            "旧的一方: 文件, 或 REV:PATH (如 HEAD~1:ledgers/cases.csv)",
        ))]
        a: String,
        #[arg(help = tr("The new side: a file, or REV:PATH", "新的一方: 文件, 或 REV:PATH"))]
        b: String,
        #[arg(long, value_name = "COL[,COL]", value_delimiter = ',', help = tr(
            "Key columns, comma-separated (default: the ledger's key, else the first column)",
            "键列, 以逗号分隔 (默认: 台账的键, 否则为第一列)",
        ))]
        key: Option<Vec<String>>,
        #[arg(long, value_enum, default_value_t = DiffFormat::Table, help = tr("Output format", "输出格式"))]
        format: DiffFormat,
    },
    #[command(
        about = tr(
            "Print a workbook as text (each sheet, each row with its number), or a CSV file normalised. Git uses it \
to diff workbooks (registered by `jiuzhu init`)",
            "把工作簿以文本输出 (逐个工作表、逐行并带行号), 或把 CSV 文件规范化后输出。Git 用它比较工作簿的差异 \
(由 `jiuzhu init` 注册)",
        ),
        help_template = examples(tr(
            "Examples:\n  jiuzhu cat reports/review-2026-11-20.xlsx\n  \
git diff reports/        # shows changed cells: init set diff.jiuzhu-xlsx.textconv = \"jiuzhu cat\"",
            "示例:\n  jiuzhu cat reports/review-2026-11-20.xlsx\n  \
git diff reports/        # 显示改动的单元格: init 已设置 diff.jiuzhu-xlsx.textconv = \"jiuzhu cat\"",
        ))
    )]
    Cat {
        #[arg(help = tr("An .xlsx, .xls, .ods or .csv file", ".xlsx、.xls、.ods 或 .csv 文件"))]
        file: PathBuf,
    },
    #[command(
        about = tr(
            "Decide benefits (救助决策): propose for a period, record the review meeting, post the public notice, \
record objections, and re-decide existing recipients (增发/减发/停发/渐退)",
            "救助决策: 按期间提出拟救助意见, 记录评议会结果, 张榜公示, 记录异议, 并对已有救助对象重新核定 \
(增发/减发/停发/渐退)",
        ),
        help_template = examples(tr(
            "Examples:\n  jiuzhu decide --period 2026-11\n  \
jiuzhu decide --period 2026-11 --preview\n  \
jiuzhu decide --record reports/review-meeting-2026-11.xlsx \\\n      \
--meeting \"城关镇审批会 纪要第23号\" --date 2026-11-20 --attendees \"张镇长、李主任、王会计\"\n  \
jiuzhu decide --objection CD-2026-0B9A1C744081 --dismissed --note \"经核实收入属实\" --date 2026-11-24\n  \
jiuzhu decide --period 2026-11 --as-of 2026-11-30      # notices over: decisions take effect\n  \
jiuzhu decide --impact old-jiuzhu.yaml",
            "示例:\n  jiuzhu decide --period 2026-11\n  \
jiuzhu decide --period 2026-11 --preview\n  \
jiuzhu decide --record reports/review-meeting-2026-11.xlsx \\\n      \
--meeting \"城关镇审批会 纪要第23号\" --date 2026-11-20 --attendees \"张镇长、李主任、王会计\"\n  \
jiuzhu decide --objection CD-2026-0B9A1C744081 --dismissed --note \"经核实收入属实\" --date 2026-11-24\n  \
jiuzhu decide --period 2026-11 --as-of 2026-11-30      # 公示期满: 决定生效\n  \
jiuzhu decide --impact old-jiuzhu.yaml",
        )),
        after_help = tr("\
Proposals go to ledgers/decisions.csv (status proposed) and to the worksheet reports/review-meeting-PERIOD.xlsx \
with a drop-down 评议结果 (同意/不同意/暂缓). Approved decisions are posted (reports/notice-MONTH.xlsx, one sheet per \
village, only name, village, household size, scheme and amount) and take effect once every posting has run its \
full period with no upheld objection. Dates come from --date/--as-of, never the computer's clock.", "\
拟决定写入 ledgers/decisions.csv (状态为 `proposed`), 并写出工作表 reports/review-meeting-PERIOD.xlsx, 其中 \
评议结果 可下拉选择 (同意/不同意/暂缓)。批准的决定予以公示 (reports/notice-MONTH.xlsx, 每村一个工作表, 只列\
姓名、村、家庭人口、救助类别和金额), 每次公示都期满且没有成立的异议后生效。日期取自 --date/--as-of, \
绝不用电脑的时钟。")
    )]
    Decide {
        #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["record", "objection", "undisputed"], help = tr(
            "The month to decide for (YYYY-MM)",
            "决策的月份 (YYYY-MM)",
        ))]
        period: Option<String>,
        #[arg(long, value_name = "DATE", requires = "period", help = tr(
            "The date notices are judged on (default: the latest date in the ledgers)",
            "判断公示是否期满所依据的日期 (默认: 台账中最近的日期)",
        ))]
        as_of: Option<String>,
        #[arg(long, requires = "period", help = tr(
            "Show counts and the monthly total against the last period; write nothing",
            "显示户数、人数和月度总额, 并与上期比较; 不写任何文件",
        ))]
        preview: bool,
        #[arg(long, value_name = "FILE", help = tr(
            "Record the verdicts of a filled review-meeting worksheet",
            "记录已填写的评议会工作表中的评议结果",
        ))]
        record: Option<PathBuf>,
        #[arg(long, requires = "record", help = tr(
            "The meeting and its minutes reference (with --record)",
            "会议名称及纪要编号 (与 --record 同用)",
        ))]
        meeting: Option<String>,
        #[arg(long, value_name = "DATE", help = tr(
            "The meeting's or objection's date (YYYY-MM-DD)",
            "会议或异议的日期 (YYYY-MM-DD)",
        ))]
        date: Option<String>,
        #[arg(long, requires = "record", help = tr(
            "Who attended the meeting (with --record)",
            "参会人员 (与 --record 同用)",
        ))]
        attendees: Option<String>,
        #[arg(long, value_name = "CASE", help = tr(
            "Record an objection to a case in public notice",
            "记录对公示中某个案件的异议",
        ))]
        objection: Option<String>,
        #[arg(long, requires = "objection", conflicts_with = "dismissed", help = tr(
            "The objection was upheld (the decision is withdrawn)",
            "异议成立 (撤回该决定)",
        ))]
        upheld: bool,
        #[arg(long, requires = "objection", help = tr(
            "The objection was dismissed (the notice runs on)",
            "异议不成立 (公示继续)",
        ))]
        dismissed: bool,
        #[arg(long, requires = "objection", help = tr(
            "What the objection was and how it was checked",
            "异议的内容及核实情况",
        ))]
        note: Option<String>,
        #[arg(long, value_name = "CASE", num_args = 1.., help = tr(
            "Approve these cases' proposals without a meeting (无争议免评议), where the policy allows",
            "不经评议直接批准这些案件的拟决定 (无争议免评议), 须政策允许",
        ))]
        undisputed: Vec<String>,
        #[arg(long, value_name = "CASE", num_args = 1.., help = tr(
            "Post these cases though their hardship reason is unknown (with --record or --undisputed), once a person \
             has checked that they are not protected (艾滋病 …); without it they are kept off the public notice",
            "公示这些致困原因不明的案件 (与 --record 或 --undisputed 同用), 须先经人工核实不属于需保护隐私的情形 \
             (艾滋病等); 不加此项时这些案件不上公示",
        ))]
        publish_unknown_reason: Vec<String>,
        #[arg(long, value_name = "OLD_POLICY", help = tr(
            "Compare amounts under an older policy file with the current one (read-only)",
            "比较旧政策文件与当前政策下的金额 (只读)",
        ))]
        impact: Option<PathBuf>,
        #[arg(long, help = dry_run_help())]
        dry_run: bool,
    },
    #[command(
        about = tr(
            "Explain how a case's amounts were derived (标准 − 人均收入 … = 月保障金)",
            "说明案件金额的计算过程 (标准 − 人均收入 … = 月保障金)",
        ),
        help_template = examples(tr(
            "Example:\n  jiuzhu explain CD-2026-0B9A1C744081",
            "示例:\n  jiuzhu explain CD-2026-0B9A1C744081",
        ))
    )]
    Explain {
        #[arg(help = tr("The case ID (案件编号)", "案件编号"))]
        case: String,
    },
    #[command(
        about = tr(
            "Where the workspace stands: cases by scheme and status, and what needs a person now (rejects to fix, \
supplements due, open hits, meetings, notices, unreconciled payments, overdue follow-ups and complaints), each \
with the command that deals with it. Read-only",
            "工作区现状: 按救助类别和状态统计的案件, 以及当前需要人工处理的事项 (待改正的拒收行、到期的补充材料、\
待处理的比对命中、评议会、公示、未对账的发放、逾期的回访和信访), 每项附有处理它的命令。只读",
        ),
        help_template = examples(tr(
            "Examples:\n  jiuzhu status\n  jiuzhu status --as-of 2026-12-01\n  \
jiuzhu --json status | jq '.items[].command'\n  LANG=zh_CN.UTF-8 jiuzhu status",
            "示例:\n  jiuzhu status\n  jiuzhu status --as-of 2026-12-01\n  \
jiuzhu --json status | jq '.items[].command'\n  LANG=zh_CN.UTF-8 jiuzhu status",
        )),
        after_help = tr("\
Dates are judged on --as-of or the latest date in the ledgers (never the computer's clock). With --json, stdout is \
one JSON object: as_of, cases (scheme → status → count), items (kind, count, what, command, info) and \
needs_person.\n\nExit: 0 nothing needs a person; 1 something does; 2 error.", "\
日期按 --as-of 或台账中最近的日期判断 (绝不用电脑的时钟)。使用 --json 时, 标准输出为一个 JSON 对象: \
`as_of`、`cases` (救助类别 → 状态 → 数量)、`items` (`kind`、`count`、`what`、`command`、`info`) 和 \
`needs_person`。\n\n\
退出码: 0 没有需要人工处理的事项; 1 有需要人工处理的事项; 2 出错。")
    )]
    Status {
        #[arg(long, value_name = "DATE", help = tr(
            "The date overdue things are judged on (default: the latest date in the ledgers)",
            "判断是否逾期所依据的日期 (默认: 台账中最近的日期)",
        ))]
        as_of: Option<String>,
    },
    #[command(
        about = tr(
            "The monthly statistics workbook (统计报表) for the period: households, persons and amounts by scheme \
and by township/village, new/increased/decreased/stopped, the change reconciliation, and charts",
            "该期间的月度统计报表工作簿: 按救助类别和乡镇/村统计的户数、人数和金额, 新增/增发/减发/停发, \
变动核对及图表",
        ),
        help_template = examples(tr(
            "Examples:\n  jiuzhu report --period 2026-11\n  \
jiuzhu --json report --period 2026-11\n  jiuzhu report --period 2026-11 --dry-run",
            "示例:\n  jiuzhu report --period 2026-11\n  \
jiuzhu --json report --period 2026-11\n  jiuzhu report --period 2026-11 --dry-run",
        )),
        after_help = tr("\
Writes reports/统计报表-PERIOD.xlsx: 汇总 (key figures, the reconciliation 上月 + 新增 + 增发 − 减发 − 停发 = 本月 \
with ✓/✗, and native charts of the last 12 months and of the split by scheme), 按类别, 按乡镇村, 变动 and 趋势. \
Numbers come from ledgers/decisions.csv (in force each month) and ledgers/payments.csv (paid); the same ledgers \
give the same bytes.\n\nExit: 0 done; 1 the month does not reconcile; 2 nothing done.", "\
写出 reports/统计报表-PERIOD.xlsx: 汇总 (主要数字, 核对式 上月 + 新增 + 增发 − 减发 − 停发 = 本月 及 ✓/✗, \
以及近 12 个月和按救助类别分布的图表)、按类别、按乡镇村、变动 和 趋势。数字来自 ledgers/decisions.csv \
(每月有效的决定) 和 ledgers/payments.csv (已发放); 台账相同, 输出逐字节相同。\n\n\
退出码: 0 完成; 1 当月核对不平; 2 未做任何事。")
    )]
    Report {
        #[arg(long, value_name = "YYYY-MM", help = tr("The month (YYYY-MM)", "月份 (YYYY-MM)"))]
        period: String,
        #[arg(long, help = tr(
            "Compute and print the summary; write nothing",
            "计算并输出汇总; 不写任何文件",
        ))]
        dry_run: bool,
    },
    #[command(
        about = tr(
            "Pay (发放): the month's batch from effective decisions in each bank's file format, reconciliation of \
the bank's return file, reissues, and in-kind goods (物资) with their receipts",
            "发放: 按生效的决定以各银行的文件格式生成当月发放批次, 核对银行回盘文件, 重新发放, 以及实物 (物资) \
发放及其领取登记",
        ),
        help_template = examples(tr(
            "Examples:\n  jiuzhu disburse --period 2026-12\n  \
jiuzhu disburse --period 2026-12 --override-budget \"县政府常务会议纪要第5号追加预算\"\n  \
jiuzhu disburse --reconcile 回盘-2026-12.csv --profile rcc_csv\n  \
jiuzhu disburse --goods 冬季物资发放计划.xlsx\n  \
jiuzhu disburse --goods-receipts reports/goods-1A2B3C4D.xlsx",
            "示例:\n  jiuzhu disburse --period 2026-12\n  \
jiuzhu disburse --period 2026-12 --override-budget \"县政府常务会议纪要第5号追加预算\"\n  \
jiuzhu disburse --reconcile 回盘-2026-12.csv --profile rcc_csv\n  \
jiuzhu disburse --goods 冬季物资发放计划.xlsx\n  \
jiuzhu disburse --goods-receipts reports/goods-1A2B3C4D.xlsx",
        )),
        after_help = tr("\
--period writes one payment per case and month due (arrears included, stopped cases excluded) to \
ledgers/payments.csv, the bank files under reports/bank/ in the format of each bank's profile \
(`disbursement.profiles` in jiuzhu.yaml) with their control totals, and reports/disburse-PERIOD-汇总表.xlsx to sign. \
A batch is issued once: a rerun reproduces it byte for byte. --reconcile reads the bank's return file and marks \
payments paid or failed, all or nothing; failures are reissued in a later batch once the account is corrected.\n\n\
Exit: 0 done; 1 done, but a case has no valid account or a failed payment waits for a corrected one; \
2 nothing done (refused return file, budget exceeded, money totals that do not balance).", "\
--period 为每个案件的每个应发月份写一笔发放记录 (含补发, 不含已停发的案件) 到 ledgers/payments.csv, \
按各银行的配置 (jiuzhu.yaml 中的 `disbursement.profiles`) 在 reports/bank/ 下写出银行文件及其控制总数, \
并写出待签字的 reports/disburse-PERIOD-汇总表.xlsx。一个批次只生成一次: 重新运行会逐字节重现该批次。\
--reconcile 读入银行回盘文件, 把发放记录标为已发放或失败, 要么全部处理, 要么全不处理; 失败的发放在账户\
改正后于以后的批次中重新发放。\n\n\
退出码: 0 完成; 1 完成, 但有案件没有有效账户, 或有失败的发放在等待改正账户; 2 未做任何事 (回盘文件被拒收、\
超出预算、金额合计不平)。")
    )]
    Disburse {
        #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["reconcile", "goods", "goods_receipts"], help = tr(
            "The batch to issue (YYYY-MM)",
            "要生成的批次 (YYYY-MM)",
        ))]
        period: Option<String>,
        #[arg(long, value_name = "REASON", requires = "period", help = tr(
            "Issue a batch above a scheme's budget, recording why",
            "超出某救助类别的预算时仍生成批次, 并记录原因",
        ))]
        override_budget: Option<String>,
        #[arg(long, value_name = "FILE", conflicts_with_all = ["goods", "goods_receipts"], help = tr(
            "Read a bank's return file (回盘) and mark payments paid or failed",
            "读入银行回盘文件, 把发放记录标为已发放或失败",
        ))]
        reconcile: Option<PathBuf>,
        #[arg(long, value_name = "NAME", requires = "reconcile", help = tr(
            "The bank profile of the return file (default: disbursement.default_profile)",
            "回盘文件所用的银行配置 (默认: disbursement.default_profile)",
        ))]
        profile: Option<String>,
        #[arg(long, value_name = "FILE", conflicts_with = "goods_receipts", help = tr(
            "A goods distribution plan (物资名称, 数量, 单位, and 案件编号 or 村(社区))",
            "物资发放计划 (物资名称、数量、单位, 以及 案件编号 或 村(社区))",
        ))]
        goods: Option<PathBuf>,
        #[arg(long, value_name = "FILE", help = tr(
            "A signed goods distribution list (领取登记表) read back",
            "读回已签字的物资领取登记表",
        ))]
        goods_receipts: Option<PathBuf>,
        #[arg(long, value_name = "ENC", help = tr(
            "CSV encoding of a goods plan (default: detect)",
            "物资发放计划的 CSV 编码 (默认: 自动识别)",
        ))]
        encoding: Option<String>,
        #[arg(long, help = dry_run_help())]
        dry_run: bool,
    },
    Audit(cmd::audit::Args),
    #[command(
        about = tr(
            "Record a change made to the ledgers outside jiuzhu (承认手工修改), with who and why, so the steps build \
on it again; the journal keeps it and audit lists it (J104)",
            "承认在 jiuzhu 之外对台账所做的手工修改, 写明由谁承认、为什么, 使后续步骤以修改后的台账为准; \
日志保存这一记录, audit 会列出它 (J104)",
        ),
        help_template = examples(tr(
            "Examples:\n  jiuzhu accept-edits --dry-run --by 王芳 --reason 从备份恢复\n  \
jiuzhu accept-edits --by \"王芳 (民政办)\" --reason \"payments.csv 从 11 月 30 日的备份恢复\"",
            "示例:\n  jiuzhu accept-edits --dry-run --by 王芳 --reason 从备份恢复\n  \
jiuzhu accept-edits --by \"王芳 (民政办)\" --reason \"payments.csv 从 11 月 30 日的备份恢复\"",
        )),
        after_help = tr("\
Every step holds the ledgers to what the journal recorded after the step before (the seal): a ledger missing, \
changed or added outside jiuzhu stops it (exit 2), naming the file and, where the workspace's Git history has the \
recorded version, the rows and columns. Restore the file when the change was a mistake. When it is right and must \
stay, accept it here: each changed ledger must still read as its kind of ledger, and the journal records the files, \
rows and columns, who accepted it and why. A missing or cut-back journal cannot be accepted: restore it.", "\
每一步都要求台账与上一步之后日志所记录的一致 (封存): 在 jiuzhu 之外缺失、改动或新增的台账会使该步停止 \
(退出码 2), 并指出文件, 工作区的 Git 历史中有所记录的版本时还指出行和列。改动有误时, 请恢复该文件。改动\
正确且须保留时, 在此承认: 每个改动过的台账仍须能按其类别读取, 日志记录文件、行和列、承认人及原因。缺失或\
被截短的日志不能承认: 请恢复它。")
    )]
    AcceptEdits(cmd::accept_edits::Args),
    #[command(
        about = tr(
            "Combine many county workspaces without merging them (汇总): the month's statistics per county and in \
total, and the people in force in more than one county, found by hashed ID",
            "汇总多个县的工作区 (不合并): 当月各县及合计的统计数字, 并按身份证号哈希查出在两个以上县同时在保的人员",
        ),
        help_template = examples(tr(
            "Examples:\n  jiuzhu rollup 青禾县 禾丰县 --period 2026-11\n  \
jiuzhu rollup counties/* --period 2026-11 --out 2026-11-汇总表.xlsx\n  \
jiuzhu --json rollup counties/* --period 2026-11",
            "示例:\n  jiuzhu rollup 青禾县 禾丰县 --period 2026-11\n  \
jiuzhu rollup counties/* --period 2026-11 --out 2026-11-汇总表.xlsx\n  \
jiuzhu --json rollup counties/* --period 2026-11",
        )),
        after_help = tr("\
Each county's figures are its own `jiuzhu report` for the month (in force: households, persons, amounts by scheme; \
paid in the month and the year to date), added up. People are matched by the salted SHA-256 of their ID number that \
`compare --export-hashed` uses, so every county must have the same exchange.salt in jiuzhu.yaml (else nothing is \
read). Someone in force in two counties or more in the same month of the year is listed by masked ID, hash, county, \
case, scheme and months, never by a plain ID number. The workspaces are read one at a time, without their lock, and \
nothing is written into them. Beyond this, docs/rollup.md shows how to query many counties' ledgers with DuckDB.\n\n\
Exit: 0 done; 1 people in more than one county were found (they need a person); 2 nothing done (a path that is not \
a workspace, ledgers that do not read, different salts).", "\
各县的数字即该县当月的 `jiuzhu report` (在保户数、人数、按类别的保障金额; 本月实发和本年累计发放), 相加得合计。\
人员按 `compare --export-hashed` 所用的加盐 SHA-256 身份证号哈希比对, 所以各县 jiuzhu.yaml 中的 `exchange.salt` \
必须相同 (否则不读取任何台账)。本年内同一月份在两个以上县在保的人员, 按脱敏身份证号、哈希、县、案件、救助类别和月份\
列出, 从不输出明文身份证号。各工作区逐个读取, 不加锁, 不写入任何内容。更多分析见 `docs/rollup.md`: 用 `duckdb` \
查询多个县的台账。\n\n\
退出码: 0 完成; 1 查出跨县重复享受的人员 (需要人工核实); 2 未做任何事 (路径不是工作区、台账无法读取、盐不一致)。")
    )]
    Rollup(cmd::rollup::Args),
    #[command(
        about = tr(
            "Record the materials households supplemented (补正) after the 一次性告知: the returned \
supplement-notice workbook with 收到日期, 已收材料 and 经办人 filled in; the next verify checks the cases again",
            "登记一次性告知后家庭补交的材料 (补正): 填好 收到日期、已收材料 和 经办人 的一次性告知书; \
下次 verify 重新审核这些案件",
        ),
        help_template = examples(tr(
            "Examples:\n  jiuzhu supplements reports/supplement-notices-2026-11-20.xlsx --dry-run\n  \
jiuzhu supplements reports/supplement-notices-2026-11-20.xlsx --by 王芳",
            "示例:\n  jiuzhu supplements reports/supplement-notices-2026-11-20.xlsx --dry-run\n  \
jiuzhu supplements reports/supplement-notices-2026-11-20.xlsx --by 王芳",
        )),
        after_help = tr("\
A row with 收到日期 and 已收材料 blank is a household that has not supplemented yet. Every other row must name a \
case under review, a date not before the application and only materials the case still lacks; one bad row and \
nothing is recorded (exit 1). The time limit still counts from the day after the application was received.", "\
收到日期和已收材料都为空的行表示该户尚未补正。其余各行须指明审核中的案件、不早于受理日期的日期, 且只登记该案件\
仍缺的材料; 有一行不符即整表不登记 (退出码 1)。办理时限仍自受理次日起算。")
    )]
    Supplements(cmd::supplements::Args),
    #[command(
        about = tr(
            "Record an application withdrawn at the applicant's request (申请撤回): the case leaves the review; the \
household may apply again as a new case",
            "登记申请人主动撤回申请 (申请撤回): 案件退出审核; 该户可作为新案件重新申请",
        ),
        help_template = examples(tr(
            "Examples:\n  jiuzhu withdraw CD-2026-0B9A1C744081 --date 2026-11-20 --reason 外出务工 --by 王芳",
            "示例:\n  jiuzhu withdraw CD-2026-0B9A1C744081 --date 2026-11-20 --reason 外出务工 --by 王芳",
        )),
    )]
    Withdraw(cmd::withdraw::Args),
    #[command(
        about = tr(
            "Active discovery (主动发现): write the home-investigation worksheet of the people found in difficulty and \
the referral worksheet, or read one back (三个不放过, time limits, outcomes)",
            "主动发现: 写出遇困人员的入户调查评估表和转介答复表, 或读回填好的表 (三个不放过、调查时限、处理结果)",
        ),
        help_template = examples(tr(
            "Examples:\n  jiuzhu intake --kind discoveries 2026-11-遇困人员花名册.xlsx\n  jiuzhu discover\n  \
jiuzhu discover --resolve reports/discover-investigations-1A2B3C4D.xlsx",
            "示例:\n  jiuzhu intake --kind discoveries 2026-11-遇困人员花名册.xlsx\n  jiuzhu discover\n  \
jiuzhu discover --resolve reports/discover-investigations-1A2B3C4D.xlsx",
        )),
        after_help = tr("\
A discovery is closed only by a visit that saw the person, established the situation and proposed a measure \
(三个不放过), with at least discovery.min_investigators investigators; any other visit is recorded and the discovery \
stays open (exit 1). Outcomes: 协助申请 and 先行救助 are followed until the household's case is decided, 转介 until \
the department answers, 纳入监测 enters ledgers/monitored.csv, 无需救助 needs the reason and 已做政策解释 = 是.", "\
只有见到本人、查清困难情况并提出对策建议 (三个不放过)、且调查人不少于 discovery.min_investigators 人的入户调查\
才能办结一条发现; 其他调查照样登记, 该发现仍待调查 (退出码 1)。处理结果: 协助申请和先行救助跟踪到案件作出决定, \
转介跟踪到部门答复, 纳入监测的家庭记入 ledgers/monitored.csv, 无需救助的须写明原因并填 已做政策解释 = 是。")
    )]
    Discover(cmd::discover::Args),
    #[command(
        about = tr(
            "Correct a case or a member (更正) from a correction sheet (更正登记表): 原值 checked against the \
ledgers, new values checked as on intake, all-or-nothing, each correction in the journal",
            "按更正登记表更正案件或成员信息 (更正): 原值须与台账一致, 新值按受理时的规则校验, 整表一并更正, 每项更正记入日志",
        ),
        help_template = examples(tr(
            "Examples:\n  jiuzhu correct --template 更正登记表.xlsx\n  jiuzhu correct 更正登记表.xlsx --dry-run\n  \
jiuzhu correct 更正登记表.xlsx --by 王芳",
            "示例:\n  jiuzhu correct --template 更正登记表.xlsx\n  jiuzhu correct 更正登记表.xlsx --dry-run\n  \
jiuzhu correct 更正登记表.xlsx --by 王芳",
        )),
        after_help = tr("\
One row per correction: 案件编号 or 身份证号, 字段 (住址, 联系电话, 开户银行, 银行账号, 姓名, 与户主关系, 月收入, \
劳动能力, 健康状况 …; 增加成员 / 减少成员 for a case under review), 原值, 新值, 更正原因, 依据, 经办人, 更正日期. \
One bad row and nothing is corrected (exit 1). Amounts, decisions, statuses, materials and the scheme are changed by \
their own steps. A corrected case under review is verified again; a case in force is re-decided by the next decide; \
a corrected account lets disburse reissue a returned payment.", "\
每项更正一行: 案件编号 或 身份证号、字段 (住址、联系电话、开户银行、银行账号、姓名、与户主关系、月收入、劳动能力、\
健康状况 …; 审核中的案件可 增加成员 / 减少成员)、原值、新值、更正原因、依据、经办人、更正日期。有一行不符即整表不更正 \
(退出码 1)。金额、决定、状态、材料和申请类别由各自的步骤改变。审核中的案件更正后重新审核; 在保案件由下次 decide 重新\
决定; 更正账号后 disburse 重发被退回的款项。")
    )]
    Correct(cmd::correct::Args),
    #[command(
        about = tr(
            "Overpayments to recover (追回): find and record the months paid that are no longer due (a stop or a \
lower amount from a paid month, a confirmed death), list them, and settle a case's by a repayment or a write-off",
            "多发资金追回: 查找并登记已发放但不应发放的月份 (停发或减发追溯到已发放月份、确认死亡), 列出待追回款项, 按退回或核销结清",
        ),
        help_template = examples(tr(
            "Examples:\n  jiuzhu recover\n  jiuzhu recover CD-2026-0B9A1C744081 --repaid 560 --date 2026-12-05 --by 王芳\n  \
jiuzhu recover CD-2026-0B9A1C744081 --write-off --approver 李局长 --reason 无力偿还 --date 2026-12-20",
            "示例:\n  jiuzhu recover\n  jiuzhu recover CD-2026-0B9A1C744081 --repaid 560 --date 2026-12-05 --by 王芳\n  \
jiuzhu recover CD-2026-0B9A1C744081 --write-off --approver 李局长 --reason 无力偿还 --date 2026-12-20",
        )),
    )]
    Recover(cmd::recover::Args),
    #[command(
        about = tr(
            "Archive (档案): one dossier per closed household under archive/YEAR/CASE_ID/ with a manifest of \
checksums; verify the dossiers; purge those past retention",
            "归档: 每个已结案的家庭在 archive/YEAR/CASE_ID/ 下形成一份档案 (一户一档), 附校验和清单; 校验档案; \
销毁超过保管期限的档案",
        ),
        help_template = examples(tr(
            "Examples:\n  jiuzhu archive\n  jiuzhu archive --year 2026\n  jiuzhu archive verify\n  \
jiuzhu archive purge --as-of 2032-01-01\n  jiuzhu archive purge --as-of 2032-01-01 --yes",
            "示例:\n  jiuzhu archive\n  jiuzhu archive --year 2026\n  jiuzhu archive verify\n  \
jiuzhu archive purge --as-of 2032-01-01\n  jiuzhu archive purge --as-of 2032-01-01 --yes",
        )),
        after_help = tr("\
`archive` archives every closed case (stopped, rejected, closed) not yet archived: the case's rows of every \
ledger (same headers), dossier.xlsx (one sheet per ledger), DOSSIER.csv (closure date, retention date, Git commit) \
and MANIFEST.csv (file, bytes, rows, sha256); ledgers/archive_index.csv lists the dossiers. --year Y closes a year: \
every case not approved or effective whose last activity is in Y. Retention is archive.retention_years (at least 5) \
from the closure date. `verify` re-hashes every dossier (exit 1 naming each changed file). `purge` removes only \
dossiers past retention, and only with --yes (without it: lists them, exit 1); it records what it removed and why.", "\
`archive` 归档每个尚未归档的已结案件 (停发、不予批准、结案): 该案件在每个台账中的行 (表头相同)、dossier.xlsx \
(每个台账一个工作表)、DOSSIER.csv (结案日期、保管截止日期、Git 提交) 和 MANIFEST.csv (文件、字节数、行数、\
sha256); ledgers/archive_index.csv 列出全部档案。--year Y 按年度结转: 归档最后活动在 Y 年、且未批准或未生效\
的每个案件。保管期限为自结案日期起 archive.retention_years 年 (至少 5 年)。`verify` 重新计算每份档案的哈希 \
(有改动时退出码 1, 并指出每个改动的文件)。`purge` 只销毁超过保管期限的档案, 且必须加 --yes (不加时只列出, \
退出码 1); 它记录销毁了什么及原因。")
    )]
    Archive {
        #[arg(value_parser = ["verify", "purge"], help = tr(
            "verify (re-hash every dossier) or purge (remove dossiers past retention)",
            "`verify` (重新计算每份档案的哈希) 或 `purge` (销毁超过保管期限的档案)",
        ))]
        action: Option<String>,
        #[arg(long, value_name = "YEAR", help = tr(
            "Archive every case not approved or effective whose last activity is in this year",
            "归档最后活动在该年度、且未批准或未生效的每个案件",
        ))]
        year: Option<i32>,
        #[arg(long, value_name = "DATE", help = tr(
            "purge: the date retention is judged on (YYYY-MM-DD)",
            "`purge`: 判断保管期限所依据的日期 (YYYY-MM-DD)",
        ))]
        as_of: Option<String>,
        #[arg(long, help = tr("purge: really remove the dossiers listed", "`purge`: 确实销毁所列档案"))]
        yes: bool,
        #[arg(long, help = dry_run_help())]
        dry_run: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    #[value(help = tr(
        "Aligned tables: changed cells as old → new, added and removed rows",
        "对齐的表格: 修改的单元格显示为 旧值 → 新值, 以及新增和删除的行",
    ))]
    Table,
    #[value(help = tr("daff's tabular diff format (CSV)", "`daff` 的表格差异格式 (CSV)"))]
    Daff,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum IntakeKind {
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

fn resolve_path(change_dir: &Option<PathBuf>, p: PathBuf) -> PathBuf {
    cmd::cli::Ctx {
        change_dir: change_dir.clone(),
        quiet: false,
    }
    .path(p)
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
/// The texts written in main.rs are already Chinese (picked by `tr` when the command was built).
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
    #[allow(unreachable_patterns)]
    match command {
        Command::Init { .. } => "init",
        Command::SampleData { .. } => "sample-data",
        Command::Intake { .. } => "intake",
        Command::Verify { .. } => "verify",
        Command::Compare { .. } => "compare",
        Command::Diff { .. } => "diff",
        Command::Cat { .. } => "cat",
        Command::Decide { .. } => "decide",
        Command::Explain { .. } => "explain",
        Command::Status { .. } => "status",
        Command::Report { .. } => "report",
        Command::Disburse { .. } => "disburse",
        Command::Audit(_) => "audit",
        Command::Archive { .. } => "archive",
        Command::AcceptEdits(_) => "accept-edits",
        Command::Rollup(_) => "rollup",
        Command::Supplements(_) => "supplements",
        Command::Withdraw(_) => "withdraw",
        Command::Discover(_) => "discover",
        Command::Correct(_) => "correct",
        Command::Recover(_) => "recover",
        _ => "jiuzhu",
    }
}

/// Whether a command is a writing step, and its period: a writing step is warned about hand-edited ledgers
/// before it runs and committed after it with `--commit`. Read-only commands and dry runs are not.
fn writing_step(command: &Command) -> Option<Option<String>> {
    #[allow(unreachable_patterns)]
    match command {
        Command::Init { .. } | Command::Explain { .. } | Command::Diff { .. } | Command::Cat { .. } => None,
        Command::SampleData { .. } => None,
        Command::Status { .. } => None,
        Command::Rollup(_) => None,
        Command::Report { dry_run, period } => (!dry_run).then(|| Some(period.clone())),
        Command::Intake { dry_run, .. } | Command::Verify { dry_run, .. } | Command::Compare { dry_run, .. } => {
            (!dry_run).then_some(None)
        }
        Command::Decide {
            dry_run,
            preview,
            impact,
            period,
            ..
        } => (!dry_run && !preview && impact.is_none()).then(|| period.clone()),
        Command::Disburse { dry_run, period, .. } => (!dry_run).then(|| period.clone()),
        Command::AcceptEdits(args) => (!args.dry_run).then_some(None),
        Command::Supplements(args) => (!args.dry_run).then_some(None),
        Command::Withdraw(args) => (!args.dry_run).then_some(None),
        Command::Discover(args) => (!args.dry_run).then_some(None),
        Command::Correct(args) => (!args.dry_run && args.template.is_none()).then_some(None),
        Command::Recover(args) => (!args.dry_run).then_some(None),
        // A step added later: a writing step until it says otherwise.
        _ => Some(None),
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
    let start = cli.change_dir.clone().unwrap_or_else(|| PathBuf::from("."));
    match cli.command {
        Command::Init { dir, here } => {
            let dir = match dir {
                Some(d) if d.is_absolute() || cli.change_dir.is_none() => d,
                Some(d) => start.join(d),
                None => start,
            };
            if here {
                return cmd::init::here(&dir, cli.quiet);
            }
            cmd::init::run(&dir, cli.quiet)
        }
        Command::SampleData {
            households,
            size,
            seed,
            xlsx_rows,
            registry_rows,
            hit_percent,
            dir,
        } => {
            let province = size.as_deref() == Some("province");
            let households = households.unwrap_or(if province {
                cmd::sample_data::PROVINCE_HOUSEHOLDS
            } else {
                cmd::sample_data::COUNTY_HOUSEHOLDS
            });
            cmd::sample_data::run(&cmd::sample_data::Args {
                dir: resolve_path(&cli.change_dir, dir),
                households,
                seed,
                extra_townships: if province { 47 } else { 0 },
                xlsx_rows,
                registry_rows,
                hit_percent,
                quiet: cli.quiet,
            })
        }
        Command::Intake {
            files,
            encoding,
            kind: IntakeKind::Discoveries,
            dry_run,
            ..
        } => {
            let ws = Workspace::open(&start)?;
            cmd::discover::import(
                &ws,
                &cmd::discover::ImportArgs {
                    files: files.into_iter().map(|f| resolve_path(&cli.change_dir, f)).collect(),
                    encoding,
                    dry_run,
                    quiet: cli.quiet,
                },
            )
        }
        Command::Intake {
            files,
            encoding,
            kind: kind @ (IntakeKind::Followups | IntakeKind::Complaints),
            dry_run,
            ..
        } => {
            let ws = Workspace::open(&start)?;
            cmd::followup::run(
                &ws,
                &cmd::followup::Args {
                    kind: match kind {
                        IntakeKind::Followups => cmd::followup::Kind::Followups,
                        _ => cmd::followup::Kind::Complaints,
                    },
                    files: files.into_iter().map(|f| resolve_path(&cli.change_dir, f)).collect(),
                    encoding,
                    dry_run,
                    quiet: cli.quiet,
                },
            )
        }
        Command::Status { as_of } => {
            let ws = Workspace::open(&start)?;
            cmd::status::run(&ws, &cmd::status::Args { as_of })
        }
        Command::Report { period, dry_run } => {
            let ws = Workspace::open(&start)?;
            cmd::report::run(
                &ws,
                &cmd::report::Args {
                    period,
                    dry_run,
                    quiet: cli.quiet,
                },
            )
        }
        Command::Intake {
            files,
            sheet,
            encoding,
            kind: IntakeKind::Applications,
            dry_run,
        } => {
            let ws = Workspace::open(&start)?;
            // As with `git -C`, relative paths are relative to DIR.
            let files = files.into_iter().map(|f| resolve_path(&cli.change_dir, f)).collect();
            cmd::intake::run(
                &ws,
                &cmd::intake::Args {
                    files,
                    sheets: sheet,
                    encoding,
                    dry_run,
                    quiet: cli.quiet,
                },
            )
        }
        Command::Verify {
            as_of,
            visits,
            extend,
            days,
            approver,
            reason,
            encoding,
            dry_run,
        } => {
            let ws = Workspace::open(&start)?;
            let extension = match extend {
                None => None,
                Some(case_id) => Some(cmd::verify::ExtendArgs {
                    case_id,
                    days: days.ok_or_else(|| {
                        anyhow::anyhow!("{}", tr("--extend needs --days N", "--extend 需要同时给出 --days N"))
                    })?,
                    approver: approver.ok_or_else(|| {
                        anyhow::anyhow!(
                            "{}",
                            tr(
                                "--extend needs --approver NAME",
                                "--extend 需要同时给出 --approver 批准人"
                            )
                        )
                    })?,
                    reason: reason.ok_or_else(|| {
                        anyhow::anyhow!(
                            "{}",
                            tr("--extend needs --reason TEXT", "--extend 需要同时给出 --reason 理由")
                        )
                    })?,
                }),
            };
            cmd::verify::run(
                &ws,
                &cmd::verify::Args {
                    as_of,
                    visits: visits.into_iter().map(|f| resolve_path(&cli.change_dir, f)).collect(),
                    extend: extension,
                    encoding,
                    dry_run,
                    quiet: cli.quiet,
                },
            )
        }
        Command::Decide {
            period,
            as_of,
            preview,
            record,
            meeting,
            date,
            attendees,
            objection,
            upheld,
            dismissed,
            note,
            undisputed,
            publish_unknown_reason,
            impact,
            dry_run,
        } => {
            let ws = Workspace::open(&start)?;
            let need_date = || {
                date.clone()
                    .ok_or_else(|| anyhow::anyhow!("{}", tr("give --date YYYY-MM-DD", "请给出 --date YYYY-MM-DD")))
            };
            let mode = if let Some(file) = record {
                cmd::decide::Mode::Record {
                    file: resolve_path(&cli.change_dir, file),
                    meeting: meeting.ok_or_else(|| {
                        anyhow::anyhow!(
                            "{}",
                            tr(
                                "--record needs --meeting \"…\"",
                                "--record 需要同时给出 --meeting \"会议及纪要编号\""
                            )
                        )
                    })?,
                    date: need_date()?,
                    attendees,
                }
            } else if let Some(case_id) = objection {
                if !upheld && !dismissed {
                    anyhow::bail!(
                        "{}",
                        tr(
                            "--objection needs --upheld or --dismissed",
                            "--objection 需要同时给出 --upheld (异议成立) 或 --dismissed (异议不成立)"
                        )
                    );
                }
                cmd::decide::Mode::Objection {
                    case_id,
                    upheld,
                    note: note.unwrap_or_default(),
                    date: need_date()?,
                }
            } else if !undisputed.is_empty() {
                cmd::decide::Mode::Undisputed {
                    cases: undisputed,
                    date: need_date()?,
                }
            } else if let Some(old) = impact {
                cmd::decide::Mode::Impact {
                    old_policy: resolve_path(&cli.change_dir, old),
                    period,
                }
            } else if let Some(period) = period {
                cmd::decide::Mode::Propose { period, as_of, preview }
            } else {
                anyhow::bail!(
                    "{}",
                    tr(
                        "give --period YYYY-MM, --record FILE, --objection CASE, --undisputed CASE… or --impact FILE",
                        "请给出 --period YYYY-MM、--record 文件、--objection 案件、--undisputed 案件… 或 --impact 文件 之一"
                    )
                )
            };
            cmd::decide::run(
                &ws,
                &cmd::decide::Args {
                    mode,
                    dry_run,
                    quiet: cli.quiet,
                    publish_unknown_reason,
                },
            )
        }
        Command::Explain { case } => {
            let ws = Workspace::open(&start)?;
            cmd::decide::explain(&ws, &case)
        }
        Command::Disburse {
            period,
            override_budget,
            reconcile,
            profile,
            goods,
            goods_receipts,
            encoding,
            dry_run,
        } => {
            let ws = Workspace::open(&start)?;
            let mode = if let Some(period) = period {
                cmd::disburse::Mode::Batch {
                    period,
                    override_budget,
                }
            } else if let Some(file) = reconcile {
                cmd::disburse::Mode::Reconcile {
                    file: resolve_path(&cli.change_dir, file),
                    profile,
                }
            } else if let Some(file) = goods {
                cmd::disburse::Mode::Goods(resolve_path(&cli.change_dir, file))
            } else if let Some(file) = goods_receipts {
                cmd::disburse::Mode::GoodsReceipts(resolve_path(&cli.change_dir, file))
            } else {
                anyhow::bail!(
                    "{}",
                    tr(
                        "give --period YYYY-MM, --reconcile FILE, --goods FILE or --goods-receipts FILE",
                        "请给出 --period YYYY-MM、--reconcile 文件、--goods 文件 或 --goods-receipts 文件 之一"
                    )
                )
            };
            cmd::disburse::run(
                &ws,
                &cmd::disburse::Args {
                    mode,
                    encoding,
                    dry_run,
                    quiet: cli.quiet,
                },
            )
        }
        Command::Compare {
            source,
            hashed,
            resolve,
            by,
            export_hashed,
            encoding,
            dry_run,
        } => {
            let ws = Workspace::open(&start)?;
            let mut sources = Vec::new();
            for s in source {
                let (name, file) = s.split_once('=').ok_or_else(|| {
                    anyhow::anyhow!(
                        "{}",
                        tr(
                            format!("--source takes NAME=FILE (e.g. deaths=死亡火化.xlsx), not `{s}`"),
                            format!("--source 的写法是 名称=文件 (如 deaths=死亡火化.xlsx), 不是 `{s}`")
                        )
                    )
                })?;
                sources.push((name.to_string(), resolve_path(&cli.change_dir, PathBuf::from(file))));
            }
            let mode = match (resolve, export_hashed) {
                (Some(f), _) => cmd::compare::Mode::Resolve {
                    file: resolve_path(&cli.change_dir, f),
                    by,
                },
                (None, Some(f)) => cmd::compare::Mode::ExportHashed(resolve_path(&cli.change_dir, f)),
                (None, None) if sources.is_empty() => {
                    anyhow::bail!(
                        "{}",
                        tr(
                            "give --source NAME=FILE, --resolve FILE or --export-hashed FILE",
                            "请给出 --source 名称=文件、--resolve 文件 或 --export-hashed 文件 之一"
                        )
                    )
                }
                (None, None) => cmd::compare::Mode::Match { sources, hashed },
            };
            cmd::compare::run(
                &ws,
                &cmd::compare::Args {
                    mode,
                    encoding,
                    dry_run,
                    quiet: cli.quiet,
                },
            )
        }
        Command::Diff { a, b, key, format } => cmd::diff::run(&cmd::diff::Args {
            a,
            b,
            key,
            format: match format {
                DiffFormat::Table => cmd::diff::Format::Table,
                DiffFormat::Daff => cmd::diff::Format::Daff,
            },
            dir: start,
            quiet: cli.quiet,
        }),
        Command::Cat { file } => cmd::cat::run(&resolve_path(&cli.change_dir, file)),
        Command::Audit(args) => cmd::audit::main(
            args,
            &cmd::cli::Ctx {
                change_dir: cli.change_dir,
                quiet: cli.quiet,
            },
        ),
        Command::AcceptEdits(args) => cmd::accept_edits::run(&Workspace::open(&start)?, &args, cli.quiet),
        Command::Rollup(mut args) => {
            args.workspaces = args
                .workspaces
                .into_iter()
                .map(|w| resolve_path(&cli.change_dir, w))
                .collect();
            args.out = args.out.map(|f| resolve_path(&cli.change_dir, f));
            cmd::rollup::run(&args, cli.quiet)
        }
        Command::Supplements(mut args) => {
            args.file = resolve_path(&cli.change_dir, args.file);
            cmd::supplements::run(&Workspace::open(&start)?, &args, cli.quiet)
        }
        Command::Withdraw(args) => cmd::withdraw::run(&Workspace::open(&start)?, &args, cli.quiet),
        Command::Recover(args) => cmd::recover::run(&Workspace::open(&start)?, &args, cli.quiet),
        Command::Discover(args) => cmd::discover::run(&Workspace::open(&start)?, &args, cli.quiet),
        Command::Correct(mut args) => {
            args.file = args.file.map(|f| resolve_path(&cli.change_dir, f));
            args.template = args.template.map(|f| resolve_path(&cli.change_dir, f));
            if args.template.is_some() {
                return cmd::correct::run_template(&args, cli.quiet);
            }
            cmd::correct::run(&Workspace::open(&start)?, &args, cli.quiet)
        }
        Command::Archive {
            action,
            year,
            as_of,
            yes,
            dry_run,
        } => {
            let ws = Workspace::open(&start)?;
            let mode = match action.as_deref() {
                Some("verify") => cmd::archive::Mode::Verify,
                Some(_) => cmd::archive::Mode::Purge {
                    as_of: as_of.ok_or_else(|| {
                        anyhow::anyhow!(
                            "{}",
                            tr(
                                "archive purge needs --as-of YYYY-MM-DD",
                                "archive purge 需要给出 --as-of YYYY-MM-DD"
                            )
                        )
                    })?,
                    yes,
                },
                None => cmd::archive::Mode::Archive { year },
            };
            cmd::archive::run(
                &ws,
                &cmd::archive::Args {
                    mode,
                    dry_run,
                    quiet: cli.quiet,
                },
            )
        }
    }
}
