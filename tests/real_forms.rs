//! Registers shaped like real county forms and provincial exports (issue 20, points 4–6): every column used or
//! listed as unused, a column that looks like a known one passed over is a stop, the header and value names real
//! forms use (GB/T 4761 relations, the 户口簿's 之妻 / 之子, 健康状况, 残疾类别, 全失能 …), the policy's
//! `relation_aliases:` and `values:`, 性别 against the ID, and the household size a register declares.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;
use jiuzhu::ledger::{Case, Member, Relation, SelfCare};

/// `jiuzhu -C WS intake PATH` under a given locale (`C` for English, `zh_CN.UTF-8` for Chinese).
fn intake_in(ws: &Ws, lang: &str, path: &Path) -> Output {
    jiuzhu()
        .env("LANG", lang)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .arg("-C")
        .arg(ws.root())
        .arg("intake")
        .arg(path)
        .output()
        .expect("run jiuzhu intake")
}

/// The workspace's policy with the template's own local words (老伴, no values) set aside.
fn without_local_words(ws: &Ws) -> String {
    ws.read("jiuzhu.yaml")
        .lines()
        .filter(|l| !l.starts_with("relation_aliases:") && !l.starts_with("values:") && *l != "  老伴: spouse")
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Gives the workspace's policy the county's own local words instead of the template's.
fn add_to_policy(ws: &Ws, yaml: &str) {
    let text = without_local_words(ws);
    std::fs::write(ws.path("jiuzhu.yaml"), format!("{text}\n{yaml}\n")).unwrap();
}

fn member<'a>(members: &'a [Member], name: &str) -> &'a Member {
    members
        .iter()
        .find(|m| m.name.as_str() == name)
        .unwrap_or_else(|| panic!("{name} is not in members.csv"))
}

/// The header of a provincial-export-shaped register: 证件号码, 保障类别, 申请时间, 户籍性质, 致贫原因, 家庭人口,
/// 健康状况, 残疾类别, 性别, 出生年月 — and two columns jiuzhu has no use for (备注, 联系人).
const EXPORT_HEADER: &[&str] = &[
    "序号",
    "姓名",
    "性别",
    "证件号码",
    "与户主关系",
    "保障类别",
    "乡镇",
    "村",
    "申请时间",
    "户籍性质",
    "致贫原因",
    "家庭人口",
    "健康状况",
    "残疾类别",
    "劳动能力",
    "出生年月",
    "备注",
    "联系人",
];

/// One member row of [`EXPORT_HEADER`]; household cells only on the head's row (the others blank).
struct Row {
    serial: &'static str,
    name: &'static str,
    sex: &'static str,
    id17: &'static str,
    relation: &'static str,
    household: Option<[&'static str; 6]>,
    size: &'static str,
    health: &'static str,
    disability: &'static str,
    birth: &'static str,
}

impl Row {
    fn cells(&self) -> Vec<String> {
        let h = self.household.unwrap_or_default();
        let mut v = vec![
            self.serial.to_string(),
            self.name.to_string(),
            self.sex.to_string(),
            id(self.id17),
            self.relation.to_string(),
        ];
        v.extend(h.iter().map(|s| s.to_string()));
        v.extend(
            [self.size, self.health, self.disability, "", self.birth, "", ""]
                .iter()
                .map(|s| s.to_string()),
        );
        v
    }
}

fn row(serial: &'static str, name: &'static str, sex: &'static str, id17: &'static str, relation: &'static str) -> Row {
    Row {
        serial,
        name,
        sex,
        id17,
        relation,
        household: None,
        size: "",
        health: "",
        disability: "",
        birth: "",
    }
}

/// Household cells: 保障类别, 乡镇, 村, 申请时间, 户籍性质, 致贫原因.
fn hh(
    scheme: &'static str,
    town: &'static str,
    village: &'static str,
    applied: &'static str,
) -> Option<[&'static str; 6]> {
    Some([scheme, town, village, applied, "农业户口", "因病"])
}

/// The export's households: three good ones (one with 重病 by 健康状况, one with 老伴 and a county value, one
/// with the 户口簿's relations), and three each rejected for one reason (健康状况 亚健康, 性别 against the ID,
/// 家庭人口 3 with 2 rows).
fn export_rows() -> Vec<Row> {
    vec![
        Row {
            household: hh("城市低保", "城关镇", "东街社区", "2026-11-03 09:30"),
            size: "3",
            birth: "1970-05",
            ..row("1", "张大山", "男", "13019919700501001", "本人")
        },
        Row {
            health: "重病",
            birth: "1972.08",
            ..row("", "李秀英", "女", "13019919720808002", "之妻")
        },
        Row {
            disability: "肢体二级",
            ..row("", "张小山", "男", "13019920000101003", "长子")
        },
        Row {
            // 申请时间 as an Excel date-time cell (written below).
            household: hh("农村低保", "西岭镇", "西岭村", ""),
            size: "3",
            ..row("2", "王老汉", "男", "13019919500202005", "户主")
        },
        row("", "赵桂兰", "女", "13019919520303006", "老伴"),
        Row {
            health: "体弱多病",
            ..row("", "王小花", "女", "13019920150505008", "之孙女")
        },
        Row {
            household: hh("农村低保", "东河乡", "东河村", "2026-11-04"),
            size: "7",
            ..row("3", "孙建军", "男", "13019919750101011", "户主")
        },
        row("", "周丽", "女", "13019919770202022", "之妻"),
        row("", "孙浩", "男", "13019920000303031", "之子"),
        row("", "孙悦", "女", "13019920030404042", "次女"),
        row("", "钱秀珍", "女", "13019919500505052", "之母"),
        row("", "周德顺", "男", "13019919480606061", "岳父"),
        row("", "吴芳", "女", "13019919800707072", "弟媳"),
        Row {
            household: hh("城市低保", "城关镇", "西街社区", "2026-11-04"),
            size: "1",
            health: "亚健康",
            ..row("4", "郑一", "男", "13019919600101081", "本人")
        },
        Row {
            household: hh("城市低保", "城关镇", "南关村", "2026-11-04"),
            size: "1",
            ..row("5", "冯二", "女", "13019919610101091", "本人")
        },
        Row {
            household: hh("城市低保", "城关镇", "北关村", "2026-11-04"),
            size: "3",
            ..row("6", "陈三", "男", "13019919620101101", "本人")
        },
        row("", "陈四", "男", "13019919900101111", "之子"),
    ]
}

/// The export as a workbook, with 王老汉's 申请时间 an Excel date-time (2026-11-04 10:15).
fn write_export_xlsx(dir: &Path) -> PathBuf {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("低保对象花名册").unwrap();
    sheet
        .write_string(0, 0, "青禾县城乡低保对象花名册 (2026年11月)")
        .unwrap();
    for (c, h) in EXPORT_HEADER.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    let datetime = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 11, 4)
        .unwrap()
        .and_hms(10, 15, 0)
        .unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for (r, row) in export_rows().iter().enumerate() {
        let r = r as u32 + 2;
        for (c, v) in row.cells().iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r, c as u16, v).unwrap();
            }
        }
        if row.name == "王老汉" {
            sheet.write_datetime_with_format(r, 8, &datetime, &format).unwrap();
        }
        if row.name == "张大山" {
            sheet.write_string(r, 16, "新申请").unwrap();
            sheet.write_string(r, 17, "张社工").unwrap();
        }
    }
    let path = dir.join("低保花名册.xlsx");
    book.save(&path).unwrap();
    path
}

/// A provincial export with the names real forms use: the good households enter with what their cells say (重病
/// by 健康状况 reaches the member's 重病 flag the top-up reads, 肢体二级 is grade 2, 老伴 and 体弱多病 as the
/// county's policy says, the 户口簿's relations), the others are rejected each naming why, and the two columns
/// jiuzhu does not read are listed in the summary and the report.
#[test]
fn a_provincial_export_with_real_names_is_read_whole() {
    let ws = Ws::new();
    add_to_policy(
        &ws,
        "relation_aliases: {老伴: spouse}\nvalues: {health: {体弱多病: serious_illness}}",
    );
    let path = write_export_xlsx(ws.root());
    let out = intake_in(&ws, "C", &path);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains(
            "17 rows read = 13 accepted + 4 rejected + 0 skipped; 3 households added (13 members), 3 rejected"
        ),
        "{text}"
    );
    assert!(text.contains("\n  columns not used: 备注, 联系人"), "{text}");
    assert!(!text.contains("looks like"), "{text}");

    let cases = ws.records::<Case>();
    let case_of = |head: &str| {
        cases
            .iter()
            .find(|c| c.applicant_name.as_str() == head)
            .unwrap_or_else(|| panic!("no case for {head}"))
    };
    assert_eq!(case_of("张大山").applied_on.to_string(), "2026-11-03");
    assert_eq!(case_of("王老汉").applied_on.to_string(), "2026-11-04");
    assert_eq!(case_of("张大山").hardship_reason.as_str(), "因病");
    assert_eq!(case_of("张大山").hukou, "rural");
    assert_eq!(case_of("孙建军").household_size, 7);

    let members = ws.records::<Member>();
    let wife = member(&members, "李秀英");
    assert_eq!(wife.relation, Relation::Spouse);
    assert!(wife.serious_illness, "健康状况 重病 gives the 重病 top-up");
    let son = member(&members, "张小山");
    assert_eq!((son.relation, son.disability_grade), (Relation::Son, 2));
    assert!(!member(&members, "张大山").serious_illness);
    assert_eq!(
        member(&members, "赵桂兰").relation,
        Relation::Spouse,
        "relation_aliases"
    );
    let granddaughter = member(&members, "王小花");
    assert_eq!(granddaughter.relation, Relation::Granddaughter);
    assert!(
        granddaughter.serious_illness,
        "values: {{health: {{体弱多病: serious_illness}}}}"
    );
    for (name, relation) in [
        ("孙建军", Relation::Head),
        ("周丽", Relation::Spouse),
        ("孙浩", Relation::Son),
        ("孙悦", Relation::Daughter),
        ("钱秀珍", Relation::Mother),
        ("周德顺", Relation::Other),
        ("吴芳", Relation::Other),
    ] {
        assert_eq!(member(&members, name).relation, relation, "{name}");
    }
    for name in ["郑一", "冯二", "陈三", "陈四"] {
        assert!(members.iter().all(|m| m.name.as_str() != name), "{name} was rejected");
    }

    // The terminal names each rejection.
    assert!(text.contains("health `亚健康` cannot be read as 重病 or not"), "{text}");
    assert!(
        text.contains("性别 `女` is not the sex in the ID number (男)"),
        "{text}"
    );
    assert!(
        text.contains("the register declares 3 people in the household, but lists 2 member rows"),
        "{text}"
    );

    // The report: the rejections in Chinese with what to do, and the columns not used with their letters.
    let report = read_report(&ws.report("低保花名册"));
    let sheet = |name: &str| {
        report
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, rows)| rows.clone())
            .unwrap_or_else(|| {
                panic!(
                    "no sheet {name}: {:?}",
                    report.iter().map(|(n, _)| n).collect::<Vec<_>>()
                )
            })
    };
    let rejected = sheet("拒收");
    let all: String = rejected.iter().map(|r| r.text() + "\n").collect();
    assert!(all.contains("健康状况「亚健康」无法判断是否重病"), "{all}");
    assert!(
        all.contains("`values:`") && all.contains("health: {亚健康: serious_illness}"),
        "{all}"
    );
    assert!(all.contains("性别「女」与身份证号中的性别 (男) 不符"), "{all}");
    assert!(
        all.contains("登记表填写的家庭人口为 3 人, 但列出的成员行有 2 行"),
        "{all}"
    );
    let unused = sheet("未使用的列");
    let cells: Vec<Vec<String>> = unused.iter().map(|r| r.cells.clone()).collect();
    assert_eq!(cells.len(), 2, "{cells:?}");
    assert_eq!(&cells[0][1..5], ["低保对象花名册", "2", "Q", "备注"], "{cells:?}");
    assert_eq!(&cells[1][1..5], ["低保对象花名册", "2", "R", "联系人"], "{cells:?}");
}

/// The same export under a Chinese locale: the clerk reads every line in Chinese, the unused columns included.
#[test]
fn a_chinese_clerk_reads_the_unused_columns_in_chinese() {
    let ws = Ws::new();
    add_to_policy(
        &ws,
        "relation_aliases: {老伴: spouse}\nvalues: {health: {体弱多病: serious_illness}}",
    );
    let path = write_export_xlsx(ws.root());
    let out = intake_in(&ws, "zh_CN.UTF-8", &path);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(text.contains("\n  未使用的列: 备注, 联系人"), "{text}");
    assert!(text.contains("健康状况「亚健康」无法判断是否重病"), "{text}");
    assert_chinese(&out);
}

/// A value no built-in name and no policy entry covers is a rejection naming the value and the policy key —
/// never read as healthy: without the county's `values:` entry, 体弱多病 rejects 王老汉's household.
#[test]
fn an_unmapped_value_is_a_rejection_naming_the_policy_key() {
    let ws = Ws::new();
    add_to_policy(&ws, "relation_aliases: {老伴: spouse}");
    let path = write_export_xlsx(ws.root());
    let out = intake_in(&ws, "C", &path);
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains("health `体弱多病` cannot be read as 重病 or not"),
        "{text}"
    );
    assert!(ws.records::<Member>().iter().all(|m| m.name.as_str() != "王小花"));
    // And without relation_aliases, 老伴 is a rejection pointing at the key.
    let ws = Ws::new();
    add_to_policy(&ws, "");
    let out = intake_in(&ws, "C", &write_export_xlsx(ws.root()));
    let text = stdout(&out);
    assert!(text.contains("unknown relation `老伴`"), "{text}");
    let report = read_report(&ws.report("低保花名册"));
    let all: String = report[0].1.iter().map(|r| r.text() + "\n").collect();
    assert!(all.contains("`relation_aliases:` 下加上 (`老伴: spouse`)"), "{all}");
}

/// A GBK CSV from a township's own template: 户主身分证号 (身分 for 身份) is not a header jiuzhu knows, and it
/// looks like one — the import says which and how to map it, exits 1 and takes no household until the column is
/// mapped (its value would be lost); mapped, the file enters whole. 农业户口, 一级, 全失能 and 无劳动能力 are read as
/// what they mean.
#[test]
fn a_near_miss_header_stops_the_run_naming_the_field() {
    let ws = Ws::new();
    let head = id("13019919400101001");
    let text = format!(
        "序号,户主身分证号,姓名,身份证号,与户主关系,申请类别,乡镇(街道),村(社区),申请日期,户籍类型,残疾等级,生活自理能力,劳动能力,出生年月\r\n\
         1,{head},刘老根,{head},户主,特困供养,西岭镇,马庄村,2026-11-05,农业户口,一级,全失能,无劳动能力,1940年1月\r\n"
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let path = ws.root().join("特困申请.csv");
    std::fs::write(&path, &gbk).unwrap();
    let out = intake_in(&ws, "C", &path);
    assert_exit(&out, 1);
    let out_text = stdout(&out);
    assert!(out_text.contains("0 households added"), "{out_text}");
    assert!(out_text.contains("columns not used: 户主身分证号"), "{out_text}");
    assert!(
        out_text.contains("column B `户主身分证号` was not used, but looks like 户主身份证号")
            && out_text.contains("`household_key: [户主身分证号]`"),
        "{out_text}"
    );
    let report = read_report(&ws.report("特困申请"));
    let unused = &report.iter().find(|(n, _)| n == "未使用的列").unwrap().1;
    assert_eq!(unused.len(), 1);
    assert!(unused[0].text().contains("户主身份证号"), "{:?}", unused[0]);

    // Re-importing the same file still stops: the column is still passed over.
    let again = intake_in(&ws, "zh_CN.UTF-8", &path);
    assert_exit(&again, 1);
    assert!(
        stdout(&again).contains("B 列「户主身分证号」未使用, 但看起来像「户主身份证号」"),
        "{}",
        stdout(&again)
    );
    assert_chinese(&again);

    // The column mapped as the warning says: the household enters whole.
    let policy = std::fs::read_to_string(ws.path("jiuzhu.yaml")).unwrap();
    std::fs::write(
        ws.path("jiuzhu.yaml"),
        policy.replacen(
            "household_key: [户主身份证号码]",
            "household_key: [户主身份证号码, 户主身分证号]",
            1,
        ),
    )
    .unwrap();
    let mapped = intake_in(&ws, "C", &path);
    // Exit 1 still, for another reason: the template's register has no 致困原因 column.
    assert_exit(&mapped, 1);
    assert!(
        stdout(&mapped).contains("1 households added (1 members)"),
        "{}",
        stdout(&mapped)
    );
    assert!(!stdout(&mapped).contains("looks like"), "{}", stdout(&mapped));
    let m = &ws.records::<Member>()[0];
    assert_eq!((m.disability_grade, m.self_care), (1, SelfCare::Unable));
    assert_eq!(ws.records::<Case>()[0].hukou, "rural");
}

/// The same sex and birth month checks on a CSV: a 出生年月 the ID does not hold is a rejection.
#[test]
fn a_birth_month_not_in_the_id_is_a_rejection() {
    let ws = Ws::new();
    let head = id("13019919400101001");
    let text = format!(
        "序号,姓名,身份证号,与户主关系,申请类别,乡镇(街道),村(社区),申请日期,性别,出生年月\r\n\
         1,刘老根,{head},户主,特困供养,西岭镇,马庄村,2026-11-05,男,1941-01\r\n"
    );
    let path = ws.root().join("出生.csv");
    std::fs::write(&path, text).unwrap();
    let out = intake_in(&ws, "C", &path);
    assert_exit(&out, 1);
    assert!(
        stdout(&out).contains("出生年月 `1941-01` is not the birth date in the ID number (1940-01-01)"),
        "{}",
        stdout(&out)
    );
}

/// A minimal OpenDocument spreadsheet holding one sheet of text cells (what LibreOffice and WPS save as .ods).
fn write_ods(path: &Path, sheet: &str, rows: &[Vec<String>]) {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let mut content = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>"#,
    );
    content.push_str(&format!(r#"<table:table table:name="{}">"#, esc(sheet)));
    for r in rows {
        content.push_str("<table:table-row>");
        for c in r {
            if c.is_empty() {
                content.push_str("<table:table-cell/>");
            } else {
                content.push_str(&format!(
                    r#"<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>"#,
                    esc(c)
                ));
            }
        }
        content.push_str("</table:table-row>");
    }
    content.push_str("</table:table></office:spreadsheet></office:body></office:document-content>");
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("META-INF/manifest.xml", stored).unwrap();
    zip.write_all(manifest.as_bytes()).unwrap();
    zip.start_file("content.xml", stored).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap();
}

/// An .ods register with 保障人数 that agrees, the 户口簿's 之夫 / 之女, 半失能 and 非农业户口: it enters whole and
/// the run is clean (exit 0) — a column not used (备注) is listed, and is no stop by itself.
#[test]
fn an_ods_register_with_matching_declared_size_enters_clean() {
    let ws = Ws::new();
    let (head, husband, daughter) = (
        id("13019919550101002"),
        id("13019919530101001"),
        id("13019919900101002"),
    );
    let rows: Vec<Vec<String>> = [
        vec![
            "户主身份证号",
            "姓名",
            "身份证号",
            "与户主关系",
            "申请类别",
            "乡镇(街道)",
            "村(社区)",
            "申请日期",
            "户籍性质",
            "保障人数",
            "生活自理能力",
            "致贫原因",
            "备注",
        ],
        vec![
            &head,
            "林秀",
            &head,
            "户主",
            "城市低保",
            "城关镇",
            "东街社区",
            "2026-11-05",
            "非农业户口",
            "3",
            "半失能",
            "因残",
            "复查",
        ],
        vec![&head, "何军", &husband, "之夫", "", "", "", "", "", "3", "", "", ""],
        vec![&head, "何丹", &daughter, "之女", "", "", "", "", "", "3", "", "", ""],
    ]
    .iter()
    .map(|r| r.iter().map(|c| c.to_string()).collect())
    .collect();
    let path = ws.root().join("城关镇-花名册.ods");
    write_ods(&path, "花名册", &rows);
    let out = intake_in(&ws, "C", &path);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("3 rows read = 3 accepted + 0 rejected + 0 skipped"),
        "{text}"
    );
    assert!(text.contains("columns not used: 备注"), "{text}");
    let members = ws.records::<Member>();
    assert_eq!(member(&members, "林秀").self_care, SelfCare::Partial);
    assert_eq!(member(&members, "何军").relation, Relation::Spouse);
    assert_eq!(member(&members, "何丹").relation, Relation::Daughter);
    assert_eq!(ws.records::<Case>()[0].hukou, "urban");

    // One row deleted: the declared 3 no longer matches, and the household is held back with both numbers.
    let ws = Ws::new();
    let path = ws.root().join("少一行.ods");
    write_ods(&path, "花名册", &rows[..3]);
    let out = intake_in(&ws, "C", &path);
    assert_exit(&out, 1);
    assert!(
        stdout(&out).contains("the register declares 3 people in the household, but lists 2 member rows"),
        "{}",
        stdout(&out)
    );
    assert!(!ws.path("ledgers/cases.csv").exists() || ws.records::<Case>().is_empty());
}
