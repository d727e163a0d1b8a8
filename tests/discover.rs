//! Active discovery (主动发现): `intake --kind discoveries` with its rejects, the investigation worksheet round trip
//! under the 三个不放过, overdue discoveries and referrals in `status`, the referral answer round trip, and the
//! monitored population.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use jiuzhu::ledger::{
    DifficultyClass, Discovery, DiscoveryOutcome, DiscoveryStatus, Investigation, MonitorCategory, Monitored, Referral,
};

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/discover")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

const REGISTER: &str = "2026-11-遇困人员花名册.csv";
const ZHAO: &str = "130199194803120028"; // 赵桂兰, 摸排走访, 城关镇

fn imported() -> Ws {
    let ws = Ws::new();
    let out = ws.run(&["intake", "--kind", "discoveries", &fixture(REGISTER)]);
    assert_exit(&out, 0);
    ws
}

/// The newest worksheet of a kind under reports/.
fn worksheet(ws: &Ws, prefix: &str) -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir(ws.path("reports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with(prefix))
        .collect();
    found.sort_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap());
    found.pop().unwrap_or_else(|| panic!("no {prefix} worksheet"))
}

/// Fills the row of `name` on a worksheet grid: the answer columns by label.
fn answer(grid: &mut [Vec<String>], name: &str, answers: &[(&str, &str)]) {
    let head = grid
        .iter()
        .position(|r| r.first().is_some_and(|c| c == "发现编号"))
        .unwrap();
    let labels = grid[head].clone();
    let row = grid
        .iter_mut()
        .skip(head + 1)
        .find(|r| r.get(1).is_some_and(|c| c == name))
        .unwrap_or_else(|| panic!("{name} not on the worksheet"));
    for (label, value) in answers {
        let c = labels
            .iter()
            .position(|l| l == label)
            .unwrap_or_else(|| panic!("no column {label}"));
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = value.to_string();
    }
}

#[test]
fn a_village_register_is_recorded_once_and_bad_rows_get_reasons() {
    let ws = imported();
    let out = ws.run(&["intake", "--kind", "discoveries", &fixture(REGISTER)]);
    assert!(
        first_line(&out).contains("5 rows read = 0 recorded + 5 already recorded + 0 rejected"),
        "{}",
        stdout(&out)
    );
    let discoveries: Vec<Discovery> = ws.records();
    assert_eq!(discoveries.len(), 5);
    let zhao = discoveries.iter().find(|d| d.id_number.as_str() == ZHAO).unwrap();
    assert_eq!(zhao.difficulty.as_str(), "独居老人, 腿脚不便, 无固定收入");
    // 摸排走访: 10 working days from Monday 2026-11-02.
    assert_eq!(zhao.due_on.to_string(), "2026-11-16");
    assert_eq!(zhao.status, DiscoveryStatus::Open);
    let hotline = discoveries.iter().find(|d| d.name.as_str() == "钱建国").unwrap();
    assert_eq!(hotline.due_on.to_string(), "2026-11-06", "12345: 3 working days");
    assert!(worksheet(&ws, "discover-investigations-").exists());

    // Again: nothing changes.
    let before = ws.tree(&[".jiuzhu"]);
    assert_exit(&ws.run(&["intake", "--kind", "discoveries", &fixture(REGISTER)]), 0);
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "re-import");

    // Bad rows, each with its reason, in Chinese under zh.
    let out = ws.run_zh(&["intake", "--kind", "discoveries", &fixture("bad.csv")]);
    assert_exit(&out, 1);
    assert_chinese(&out);
    let text = stdout(&out);
    assert!(text.contains("读取 7 行 = 登记 1 + 已登记 0 + 拒收 6"), "{text}");
    for reason in [
        "发现渠道「路上看到」无法识别",
        "姓名未填写",
        "校验码错误",
        "乡镇「火星镇」不在本县的乡镇列表中",
        "困难情况未填写",
        "没有 13 月",
    ] {
        assert!(text.contains(reason), "{reason}: {text}");
    }
    assert!(text.contains("reports/discoveries-rejects-bad-"), "{text}");
    assert_eq!(ws.records::<Discovery>().len(), 6);

    // A village of another township is a mistyped row, refused as on an application register.
    let other = ws.path("other-township.csv");
    std::fs::write(
        &other,
        "发现日期,发现渠道,姓名,身份证号,乡镇(街道),村(社区),困难情况,报告人\n\
         2026-11-20,摸排走访,吴一,130199196509090066,城关镇,杏园村,失业,城关镇民政办\n",
    )
    .unwrap();
    let out = ws.run_zh(&["intake", "--kind", "discoveries", other.to_str().unwrap()]);
    assert_exit(&out, 1);
    assert!(
        stdout(&out).contains("村(社区)「杏园村」不是城关镇的村(社区)"),
        "{}",
        stdout(&out)
    );
    assert_eq!(ws.records::<Discovery>().len(), 6);
}

#[test]
fn a_file_that_is_no_discovery_register_writes_nothing() {
    let ws = Ws::new();
    let before = ws.tree(&[".jiuzhu"]);
    let bad = ws.path("回访.csv");
    std::fs::write(&bad, "回访日期,回访人,困难类别\n2026-11-02,李明,一般困难\n").unwrap();
    let out = ws.run_zh(&["intake", "--kind", "discoveries", bad.to_str().unwrap()]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("不是遇困人员花名册"), "{}", stderr(&out));
    assert_chinese(&out);
    let mut after = ws.tree(&[".jiuzhu"]);
    after.remove("回访.csv");
    assert_same_files(&before, &after, "unusable file");
}

/// The worksheet comes back: a visit that meets the 三个不放过 closes its discovery (into the monitored population,
/// a referral, or no assistance with the policy explained); a visit that did not see the person is recorded and
/// keeps it open; a blank row stays open; `status` names what is overdue.
#[test]
fn investigations_close_only_under_the_three_not_let_go() {
    let ws = imported();
    let filled = ws.path("filled.xlsx");
    refill(&worksheet(&ws, "discover-investigations-"), &filled, |g| {
        answer(
            g,
            "赵桂兰",
            &[
                ("调查日期", "2026-11-10"),
                ("调查人", "刘明、王芳"),
                ("见到本人", "是"),
                ("调查情况", "独居, 月收入约 900 元"),
                ("对策建议", "纳入低收入人口监测, 每月回访"),
                ("处理结果", "纳入监测"),
                ("监测类别", "低保边缘家庭"),
                ("困难类别", "特殊困难"),
            ],
        );
        answer(
            g,
            "钱建国",
            &[
                ("调查日期", "2026-11-05"),
                ("调查人", "刘明、王芳"),
                ("见到本人", "否"),
                ("调查情况", "家中无人"),
                ("对策建议", "再次入户"),
                ("处理结果", "待定"),
            ],
        );
        answer(
            g,
            "孙小梅",
            &[
                ("调查日期", "2026-11-09"),
                ("调查人", "张强、赵丽"),
                ("见到本人", "是"),
                ("调查情况", "在读大学生, 父亲去世, 母亲务农"),
                ("对策建议", "转介教育部门申请助学金"),
                ("处理结果", "转介"),
                ("转介部门", "教育局"),
            ],
        );
        answer(
            g,
            "李老四",
            &[
                ("调查日期", "2026-11-12"),
                ("调查人", "刘明、王芳"),
                ("见到本人", "是"),
                ("调查情况", "子女按月赡养, 收入高于低保标准"),
                ("对策建议", "协调村里修缮房屋"),
                ("处理结果", "无需救助"),
                ("未予救助原因", "家庭收入高于低保标准"),
                ("已做政策解释", "是"),
            ],
        );
    });
    let out = ws.run_zh(&["discover", "--resolve", filled.to_str().unwrap()]);
    assert_exit(&out, 1);
    assert_chinese(&out);
    let text = stdout(&out);
    assert!(text.contains("登记入户调查 4 次, 其中 3 次做到三个不放过"), "{text}");
    assert!(text.contains("钱建国) 仍未办结: 走访到户未见到本人"), "{text}");
    assert!(text.contains("1 行未填写调查日期"), "{text}");

    let discoveries: Vec<Discovery> = ws.records();
    let by = |name: &str| discoveries.iter().find(|d| d.name.as_str() == name).unwrap().clone();
    assert_eq!(by("赵桂兰").status, DiscoveryStatus::Closed);
    assert_eq!(by("赵桂兰").outcome, Some(DiscoveryOutcome::Monitoring));
    assert_eq!(by("钱建国").status, DiscoveryStatus::Open);
    assert_eq!(by("孙小梅").status, DiscoveryStatus::Following);
    assert_eq!(by("李老四").status, DiscoveryStatus::Closed);
    assert_eq!(by("周大勇").status, DiscoveryStatus::Open);
    let visits: Vec<Investigation> = ws.records();
    assert_eq!(visits.len(), 4);
    assert_eq!(visits.iter().filter(|v| !v.closes).count(), 1);
    let monitored: Vec<Monitored> = ws.records();
    assert_eq!(monitored.len(), 1);
    assert_eq!(monitored[0].id_number.as_str(), ZHAO);
    assert_eq!(monitored[0].category, MonitorCategory::Edge);
    assert_eq!(monitored[0].difficulty_class, DifficultyClass::Special);
    let referrals: Vec<Referral> = ws.records();
    assert_eq!(referrals.len(), 1);
    assert_eq!(referrals[0].department.as_str(), "教育局");
    // 15 working days from Monday 2026-11-09.
    assert_eq!(referrals[0].due_on.to_string(), "2026-11-30");

    // The same sheet again: nothing new (the old batch is refused, nothing written).
    let before = ws.tree(&[".jiuzhu"]);
    let out = ws.run(&["discover", "--resolve", filled.to_str().unwrap()]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("not on this worksheet's batch"),
        "{}",
        stderr(&out)
    );
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "old sheet");

    // Status: 钱建国 (due 11-06) and 周大勇 (信访, due 11-12) are overdue on 2026-11-20; the referral is not yet.
    let out = ws.run_zh(&["status", "--as-of", "2026-11-20"]);
    assert_chinese(&out);
    let text = stdout(&out);
    assert!(
        text.contains("2 条主动发现超过入户调查时限 (最早应于 2026-11-06"),
        "{text}"
    );
    assert!(!text.contains("转介超期"), "{text}");
    let out = ws.run(&["status", "--as-of", "2026-12-01"]);
    assert!(
        stdout(&out).contains("1 referrals (转介) are unanswered past their date"),
        "{}",
        stdout(&out)
    );

    // The department answers: the referral worksheet comes back and the discovery is closed.
    let answered = ws.path("answered.xlsx");
    refill(&worksheet(&ws, "discover-referrals-"), &answered, |g| {
        let head = g
            .iter()
            .position(|r| r.first().is_some_and(|c| c == "转介编号"))
            .unwrap();
        let labels = g[head].clone();
        let on = labels.iter().position(|l| l == "答复日期").unwrap();
        let what = labels.iter().position(|l| l == "办理结果").unwrap();
        let row = &mut g[head + 1];
        row.resize(labels.len(), String::new());
        row[on] = "2026-11-20".into();
        row[what] = "已纳入国家助学金".into();
    });
    let out = ws.run_zh(&["discover", "--resolve", answered.to_str().unwrap()]);
    assert_exit(&out, 0);
    assert_chinese(&out);
    assert!(stdout(&out).contains("登记转介答复 1 件"), "{}", stdout(&out));
    let discoveries: Vec<Discovery> = ws.records();
    let sun = discoveries.iter().find(|d| d.name.as_str() == "孙小梅").unwrap();
    assert_eq!(sun.status, DiscoveryStatus::Closed);
    let out = ws.run(&["status", "--as-of", "2026-12-01"]);
    assert!(
        !stdout(&out).contains("referrals (转介) are unanswered"),
        "{}",
        stdout(&out)
    );
}

/// A tampered key or a value outside the lists refuses the whole sheet, nothing written.
#[test]
fn a_tampered_worksheet_is_refused_whole() {
    let ws = imported();
    let before = ws.tree(&[".jiuzhu"]);
    let filled = ws.path("filled.xlsx");
    refill(&worksheet(&ws, "discover-investigations-"), &filled, |g| {
        answer(
            g,
            "赵桂兰",
            &[
                ("调查日期", "2026-11-10"),
                ("调查人", "刘明、王芳"),
                ("见到本人", "也许"),
                ("调查情况", "独居"),
                ("对策建议", "监测"),
                ("处理结果", "纳入监测"),
            ],
        );
        answer(g, "钱建国", &[("姓名", "钱建设"), ("调查日期", "2026-11-05")]);
    });
    let mut before = before;
    before.insert("filled.xlsx".into(), std::fs::read(&filled).unwrap());
    let out = ws.run_zh(&["discover", "--resolve", filled.to_str().unwrap()]);
    assert_exit(&out, 2);
    assert_chinese(&out);
    let err = stderr(&out);
    assert!(err.contains("见到本人「也许」应为 是 或 否"), "{err}");
    assert!(err.contains("关键单元格被改动"), "{err}");
    assert_same_files(&before, &ws.tree(&[".jiuzhu"]), "refused sheet");
}

/// 协助申请: the discovery is followed until the household's case is in the ledgers, linked to it, and closed once
/// the case is decided.
#[test]
fn an_assisted_application_is_linked_to_its_case() {
    let ws = imported();
    let filled = ws.path("filled.xlsx");
    refill(&worksheet(&ws, "discover-investigations-"), &filled, |g| {
        answer(
            g,
            "赵桂兰",
            &[
                ("调查日期", "2026-11-10"),
                ("调查人", "刘明、王芳"),
                ("见到本人", "是"),
                ("调查情况", "独居, 无收入"),
                ("对策建议", "协助申请农村低保"),
                ("处理结果", "协助申请"),
                ("申请类别", "农村低保"),
            ],
        );
    });
    assert_exit(&ws.run(&["discover", "--resolve", filled.to_str().unwrap()]), 1);
    let zhao = |ws: &Ws| {
        ws.records::<Discovery>()
            .into_iter()
            .find(|d| d.id_number.as_str() == ZHAO)
            .unwrap()
    };
    assert_eq!(zhao(&ws).status, DiscoveryStatus::Following);
    assert_eq!(zhao(&ws).outcome, Some(DiscoveryOutcome::Assisted));
    assert!(zhao(&ws).case_id.is_empty());

    // The household is not typed again: `discover` pre-filled its head row in the register intake reads.
    let out = ws.run_zh(&["discover"]);
    assert_chinese(&out);
    let prefilled = worksheet(&ws, "discover-applications-");
    assert!(stdout(&out).contains("协助申请登记表"), "{}", stdout(&out));
    let register = ws.path("申请.xlsx");
    refill(&prefilled, &register, |g| {
        let head = g
            .iter()
            .position(|r| r.first().is_some_and(|c| c == "户主身份证号"))
            .unwrap();
        let labels = g[head].clone();
        let row = &mut g[head + 1];
        assert_eq!(row[1], "赵桂兰");
        assert_eq!(row[4], "农村低保");
        row.resize(labels.len(), String::new());
        for (label, value) in [("月收入(元)", "0"), ("住址", "南关村 3 组")] {
            row[labels.iter().position(|l| l == label).unwrap()] = value.into();
        }
    });
    let out = ws.run_zh(&["intake", register.to_str().unwrap()]);
    assert_chinese(&out);
    assert!(
        stdout(&out).contains("读取 1 行 = 接收 1 + 拒收 0"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let out = ws.run_zh(&["discover"]);
    assert_exit(&out, 1); // the register's other discoveries still wait for their investigation
    assert_chinese(&out);
    let case_id = zhao(&ws).case_id;
    assert!(!case_id.is_empty(), "{}", stdout(&out));
    assert!(
        stdout(&out).contains(&format!("的申请已受理为案件 {case_id}")),
        "{}",
        stdout(&out)
    );
    assert_eq!(zhao(&ws).status, DiscoveryStatus::Following, "not decided yet");
}

/// 先行救助 from a discovery starts the urgent path: the pre-filled register says 先行救助 是, and the case intake
/// makes of it is urgent (effective at once at `decide`, approved after).
#[test]
fn urgent_help_from_a_discovery_registers_an_urgent_case() {
    let ws = imported();
    let filled = ws.path("filled.xlsx");
    refill(&worksheet(&ws, "discover-investigations-"), &filled, |g| {
        answer(
            g,
            "周大勇",
            &[
                ("调查日期", "2026-11-06"),
                ("调查人", "张强、赵丽"),
                ("见到本人", "是"),
                ("调查情况", "务工受伤, 无收入, 无钱治疗"),
                ("对策建议", "先行给予临时救助, 后补审批"),
                ("处理结果", "先行救助"),
                ("申请类别", "临时救助"),
            ],
        );
    });
    let out = ws.run(&["discover", "--resolve", filled.to_str().unwrap()]);
    assert!(
        stdout(&out).contains("application register (协助申请)"),
        "{}",
        stdout(&out)
    );
    let register = ws.path("申请.xlsx");
    refill(&worksheet(&ws, "discover-applications-"), &register, |g| {
        let head = g
            .iter()
            .position(|r| r.first().is_some_and(|c| c == "户主身份证号"))
            .unwrap();
        let labels = g[head].clone();
        let row = &mut g[head + 1];
        row.resize(labels.len(), String::new());
        let at = |l: &str| labels.iter().position(|x| x == l).unwrap();
        assert_eq!(row[at("先行救助")], "是");
        assert_eq!(row[at("申请类别")], "临时救助");
        assert_eq!(row[at("申请日期")], "2026-11-06");
        row[at("月收入(元)")] = "0".into();
        row[at("救助月数")] = "3".into();
    });
    let out = ws.run(&["intake", register.to_str().unwrap()]);
    assert!(stdout(&out).contains("1 accepted"), "{}{}", stdout(&out), stderr(&out));
    let cases: Vec<jiuzhu::ledger::Case> = ws.records();
    assert_eq!(cases.len(), 1);
    assert!(cases[0].urgent, "先行救助 starts the urgent path");
    assert_exit(&ws.run(&["discover"]), 1); // others still to investigate
    let zhou = ws
        .records::<Discovery>()
        .into_iter()
        .find(|d| d.name.as_str() == "周大勇")
        .unwrap();
    assert_eq!(zhou.case_id, cases[0].case_id);
    // Registered: no register is written again.
    assert!(!stdout(&ws.run(&["discover"])).contains("application register"));
}

/// `compare` raises warnings (监测预警) as discoveries for people in no open case: a medical bill over the
/// registry's line (4000 for a monitored household, 10000 for anyone), never a row under it or a registry that is
/// no warning; the same file again raises nothing new.
#[test]
fn compare_raises_warnings_as_discoveries() {
    let ws = imported();
    let filled = ws.path("filled.xlsx");
    refill(&worksheet(&ws, "discover-investigations-"), &filled, |g| {
        answer(
            g,
            "赵桂兰",
            &[
                ("调查日期", "2026-11-10"),
                ("调查人", "刘明、王芳"),
                ("见到本人", "是"),
                ("调查情况", "独居, 月收入约 900 元"),
                ("对策建议", "纳入监测, 每月回访"),
                ("处理结果", "纳入监测"),
                ("监测类别", "低保边缘家庭"),
                ("困难类别", "一般困难"),
            ],
        );
    });
    assert_exit(&ws.run(&["discover", "--resolve", filled.to_str().unwrap()]), 1);
    let bills = ws.path("medical.csv");
    std::fs::write(
        &bills,
        format!(
            "姓名,身份证号,就诊机构,就诊日期,个人自付\n\
             赵桂兰,{ZHAO},县医院,2026-11-15,5000\n\
             钱建国,130199197906150039,市医院,2026-11-16,12000\n\
             李老四,130199195601010052,县医院,2026-11-16,6000\n"
        ),
    )
    .unwrap();
    let cars = ws.path("vehicles.csv");
    std::fs::write(
        &cars,
        format!("姓名,身份证号,号牌号码,车辆类型,登记日期\n赵桂兰,{ZHAO},冀A12345,小型轿车,2026-11-01\n"),
    )
    .unwrap();
    let before = ws.records::<Discovery>().len();
    let out = ws.run_zh(&[
        "compare",
        "--source",
        &format!("medical_bills={}", bills.display()),
        "--source",
        &format!("vehicles={}", cars.display()),
    ]);
    assert!(out.status.code() != Some(2), "{}", stderr(&out));
    assert_chinese(&out);
    assert!(stdout(&out).contains("2 条监测预警"), "{}", stdout(&out));
    let discoveries: Vec<Discovery> = ws.records();
    assert_eq!(discoveries.len(), before + 2);
    let warned: Vec<&Discovery> = discoveries
        .iter()
        .filter(|d| d.reported_by.as_str().contains("信息比对"))
        .collect();
    let mut names: Vec<&str> = warned.iter().map(|d| d.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["赵桂兰", "钱建国"]);
    let zhao = warned.iter().find(|d| d.name.as_str() == "赵桂兰").unwrap();
    assert_eq!(zhao.township.as_str(), "城关镇", "the monitored household's township");
    assert!(
        zhao.difficulty.as_str().contains("个人自付=5000"),
        "{}",
        zhao.difficulty
    );
    // Again: nothing new.
    let out = ws.run(&["compare", "--source", &format!("medical_bills={}", bills.display())]);
    assert!(!stdout(&out).contains("warnings (监测预警)"), "{}", stdout(&out));
    assert_eq!(ws.records::<Discovery>().len(), before + 2);
}

/// `audit` checks the chain of active discovery: an overdue discovery is named (J601); a discovery closed by hand
/// without a visit that meets the 三个不放过 is an error (J603), and so is an assisted application closed with no
/// case (J602); `jiuzhu audit discovery-chain` runs only these.
#[test]
fn audit_checks_the_discovery_chain() {
    let ws = imported();
    let out = ws.run_zh(&["audit", "discovery-chain"]);
    assert_exit(&out, 0);
    // 2026-11-05 is the latest date the ledgers know: nothing is overdue yet.
    let ledger = ws.read("ledgers/discoveries.csv");
    let zhao = ledger.lines().find(|l| l.contains(ZHAO)).unwrap().to_string();
    // By hand: 赵桂兰's discovery closed as an assisted application, with no visit and no case.
    let closed = zhao.replace(",open,,,,", ",closed,assisted,2026-11-10,,");
    assert_ne!(closed, zhao, "{zhao}");
    std::fs::write(ws.path("ledgers/discoveries.csv"), ledger.replace(&zhao, &closed)).unwrap();
    ws.accept_edits();
    let out = ws.run_zh(&["audit", "discovery-chain"]);
    assert_exit(&out, 1);
    assert_chinese(&out);
    let text = stdout(&out);
    assert!(text.contains("J602"), "{text}");
    assert!(text.contains("J603"), "{text}");
    assert!(text.contains("没有做到三个不放过的入户调查记录"), "{text}");
    // Overdue once a later date is known: a discovery found 2026-12-01 makes the 12345 one (due 11-06) late.
    let later = ws.path("later.csv");
    std::fs::write(
        &later,
        "发现日期,发现渠道,姓名,身份证号,乡镇(街道),村(社区),困难情况,报告人\n\
         2026-12-01,信访,吴一,130199196509090066,西岭镇,马庄村,失业,县信访局\n",
    )
    .unwrap();
    assert_exit(
        &ws.run(&["intake", "--kind", "discoveries", later.to_str().unwrap()]),
        0,
    );
    let out = ws.run(&["audit", "discovery-chain"]);
    assert!(stdout(&out).contains("J601"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("not investigated by 2026-11-06"),
        "{}",
        stdout(&out)
    );
}

/// Oversight: `report --period` gains a 主动发现 sheet (by channel, township, in time, outcomes, referrals, the
/// monitored population); `report --period 2026Q4` writes the quarterly township inspection report, every township
/// of the policy a row, in Chinese under zh.
#[test]
fn report_shows_active_discovery_and_the_quarterly_inspection() {
    let ws = imported();
    let filled = ws.path("filled.xlsx");
    refill(&worksheet(&ws, "discover-investigations-"), &filled, |g| {
        answer(
            g,
            "赵桂兰",
            &[
                ("调查日期", "2026-11-20"),
                ("调查人", "刘明、王芳"),
                ("见到本人", "是"),
                ("调查情况", "独居, 月收入约 900 元"),
                ("对策建议", "纳入监测"),
                ("处理结果", "纳入监测"),
                ("监测类别", "低保边缘家庭"),
                ("困难类别", "一般困难"),
            ],
        );
    });
    assert_exit(&ws.run(&["discover", "--resolve", filled.to_str().unwrap()]), 1);
    let out = ws.run(&["report", "--period", "2026-11"]);
    assert!(out.status.code() != Some(2), "{}", stderr(&out));
    let wb = jiuzhu::sheet::reader::read_workbook(
        &ws.path("reports/统计报表-2026-11.xlsx"),
        jiuzhu::sheet::reader::Encoding::Detect,
    )
    .unwrap();
    let sheet = wb
        .sheets
        .iter()
        .find(|s| s.name == "主动发现")
        .expect("a 主动发现 sheet");
    let cell = |group: &str, item: &str| -> String {
        sheet
            .rows
            .iter()
            .find(|r| r.len() > 2 && r[0].text == group && r[1].text == item)
            .map(|r| r[2].text.clone())
            .unwrap_or_else(|| panic!("no row {group} {item}"))
    };
    assert_eq!(cell("发现渠道", "摸排走访"), "2");
    assert_eq!(cell("入户调查", "发现总数"), "5");
    // 赵桂兰 was due 11-16 and seen 11-20: late, not in time.
    assert_eq!(cell("入户调查", "超时限调查"), "1");
    assert_eq!(cell("处理结果", "纳入监测"), "1");
    assert_eq!(cell("低收入人口监测", "低保边缘家庭"), "1");

    let out = ws.run_zh(&["report", "--period", "2026Q4"]);
    assert_chinese(&out);
    let text = stdout(&out);
    assert!(text.contains("2026年第4季度乡镇主动发现督查: 发现 5 条"), "{text}");
    let wb = jiuzhu::sheet::reader::read_workbook(
        &ws.path("reports/主动发现督查-2026Q4.xlsx"),
        jiuzhu::sheet::reader::Encoding::Detect,
    )
    .unwrap();
    let rows = &wb.sheets[0].rows;
    let town = |name: &str| {
        rows.iter()
            .find(|r| r.first().is_some_and(|c| c.text == name))
            .unwrap()
            .clone()
    };
    assert_eq!(town("城关镇")[1].text, "2", "城关镇 found 2");
    assert_eq!(town("合计")[1].text, "5");
    // A quarter with nothing found still lists the townships, with zeros.
    let out = ws.run(&["report", "--period", "2026Q1"]);
    assert_exit(&out, 0);
    let out = ws.run(&["report", "--period", "2026Q7"]);
    assert_exit(&out, 2);
}

/// 防止漏保: `audit --sample` also draws the discoveries closed as 无需救助 for re-checking, at the same rate (at
/// least one); an unanswered re-check is J503, one found 不属实 while the discovery stays closed is J504.
#[test]
fn spot_checks_re_check_discoveries_closed_as_no_assistance() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("month");
    let out = std::process::Command::new("bash")
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/run-month.sh"))
        .arg(&dir)
        .env("JIUZHU", env!("CARGO_BIN_EXE_jiuzhu"))
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("GIT_AUTHOR_NAME", "test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let run = |args: &[&str]| {
        jiuzhu()
            .arg("-C")
            .arg(&dir)
            .args(args)
            .env("LANG", "C")
            .output()
            .unwrap()
    };
    let turned_away: Vec<Discovery> = jiuzhu::ledger::parse(
        "discoveries.csv",
        &std::fs::read(dir.join("ledgers/discoveries.csv")).unwrap(),
    )
    .unwrap()
    .into_iter()
    .filter(|d: &Discovery| d.outcome == Some(jiuzhu::ledger::DiscoveryOutcome::NoAssistance))
    .collect();
    assert!(
        !turned_away.is_empty(),
        "the example month closes a discovery as 无需救助"
    );

    let out = run(&["audit", "--sample", "5", "--seed", "11"]);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("discoveries closed as 无需救助"),
        "{}",
        stdout(&out)
    );
    let spot = std::fs::read_to_string(dir.join("ledgers/spot_checks.csv")).unwrap();
    let row = spot
        .lines()
        .find(|l| l.contains(&turned_away[0].discovery_id))
        .expect("the discovery is drawn");
    assert!(row.contains(",no_assistance,"), "{row}");
    let out = run(&["audit", "spot-checks"]);
    assert!(
        stdout(&out).contains(&format!("J503 warning {}", turned_away[0].discovery_id)),
        "{}",
        stdout(&out)
    );

    // The re-check finds the household's situation not as recorded: J504 until it is investigated again.
    let sheet = dir.join("reports/spot-check-11.xlsx");
    let filled = tmp.path().join("filled.xlsx");
    refill(&sheet, &filled, |g| {
        let at = g.iter().position(|r| r.iter().any(|c| c == "核查结果")).unwrap();
        let col = |name: &str| g[at].iter().position(|c| c == name).unwrap();
        let (res, note, by, date) = (col("核查结果"), col("说明"), col("核查人"), col("核查日期"));
        for row in g.iter_mut().skip(at + 1) {
            row.resize(row.len().max(date + 1), String::new());
            let discovery = row[0].starts_with("D-");
            row[res] = if discovery { "不属实" } else { "属实" }.into();
            row[note] = if discovery {
                "已无收入, 符合低保条件"
            } else {
                ""
            }
            .into();
            row[by] = "李明".into();
            row[date] = "2026-12-05".into();
        }
    });
    let out = run(&["audit", "--record", filled.to_str().unwrap()]);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let out = run(&["audit", "spot-checks"]);
    assert_exit(&out, 1);
    assert!(
        stdout(&out).contains(&format!("J504 error {}", turned_away[0].discovery_id)),
        "{}",
        stdout(&out)
    );
}
