//! Inputs of any size: a CSV register or visit sheet is read as a stream, so a province's register need not be
//! split by hand (issue 21, point 5), and the file kept in `inbox/` is the file read, byte for byte. The bound
//! stays where it protects: a workbook, whose XML is held whole to be read, is refused over 50 MiB.

mod common;

use std::io::Write;

use common::*;

/// A register CSV over 50 MiB (its rows carry a long 备注, so a debug build reads it in seconds): every household
/// is taken, the unused column is reported, and the copy kept in `inbox/` is the file read.
#[test]
fn a_register_over_50_mib_is_read_as_a_stream_and_kept_whole() {
    let ws = Ws::new();
    let path = ws.path("全省-申请登记.csv");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    write!(file, "{},备注\r\n", PER_MEMBER_HEADER).unwrap();
    let note = "家庭情况已入户核实, 材料齐全, 村委会已评议。".repeat(400);
    let (mut households, mut size) = (0usize, 0usize);
    while size <= 50 << 20 {
        households += 1;
        let n = households;
        let id = id(&format!(
            "130123{}{:02}{:02}{:03}",
            1950 + n % 50,
            1 + n % 12,
            1 + n % 28,
            n / 1000
        ));
        let serial = n.to_string();
        let name = format!("王{}", char::from_u32(0x4E00 + (n % 2000) as u32).unwrap());
        let row = RegRow {
            serial: &serial,
            key: &id,
            name: &name,
            id: &id,
            relation: "户主",
            scheme: "农村低保",
            township: "西岭镇",
            village: "马庄村",
            address: "西岭镇马庄村",
            applied_on: "2026-11-02",
            hardship: "因病",
            income: "300",
        };
        let line = format!("{},\"{note}\"\r\n", row.csv());
        size += line.len();
        file.write_all(line.as_bytes()).unwrap();
    }
    drop(file);
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 50 << 20);

    let out = ws.run(&["intake", path.to_str().unwrap()]);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "exit {:?}: {text}",
        out.status.code()
    );
    assert!(!text.contains("50 MiB"), "{text}");
    let cases: Vec<jiuzhu::ledger::Case> = ws.records();
    assert_eq!(cases.len(), households, "{text}");
    assert!(text.contains("备注"), "the unused column is reported: {text}");
    // The file kept is the file read.
    let sha = jiuzhu::domain::digest::sha256_hex(&bytes);
    let kept = ws.path(&format!("inbox/{}-全省-申请登记.csv", &sha[..16]));
    assert_eq!(std::fs::read(&kept).unwrap(), bytes, "{}", kept.display());
    // The same file again changes nothing.
    let before = ws.ledgers();
    let again = ws.run(&["intake", path.to_str().unwrap()]);
    assert!(matches!(again.status.code(), Some(0) | Some(1)), "{}", stderr(&again));
    assert_eq!(ws.ledgers().len(), before.len());
    assert_eq!(ws.records::<jiuzhu::ledger::Case>().len(), households);
}

/// A streamed CSV reads to the same rows as the whole-file reader, and its SHA-256 is the whole file's.
#[test]
fn a_csv_input_streams_to_the_rows_a_whole_read_gives() {
    use jiuzhu::sheet::reader::{read_input_file, read_workbook_bytes, Encoding};
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        (
            "utf8.csv",
            "姓名,身份证号\r\n张三,\"1,2\"\r\n李四,3\r\n".as_bytes().to_vec(),
        ),
        (
            "bom.csv",
            b"\xEF\xBB\xBF\xE5\xA7\x93\xE5\x90\x8D\tx\n\xE5\xBC\xA0\t1\n".to_vec(),
        ),
        (
            "gbk.txt",
            encoding_rs::GB18030.encode("姓名;金额\n王芳;820.00\n").0.into_owned(),
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let (input, wb) = read_input_file(&path, Encoding::Detect).unwrap();
        assert!(input.bytes.is_none(), "{name} is streamed");
        assert_eq!(input.sha256, jiuzhu::domain::digest::sha256_hex(&bytes));
        let whole = read_workbook_bytes(name, &bytes, Encoding::Detect).unwrap();
        assert_eq!(wb.sheets[0].rows, whole.sheets[0].rows, "{name}");
        assert_eq!(wb.sheets[0].name, whole.sheets[0].name);
    }
}

/// A workbook over 50 MiB is still refused before it is read (its XML would be held whole), saying how to
/// split it, in both languages; nothing is written.
#[test]
fn a_workbook_over_50_mib_is_refused_before_it_is_read() {
    let ws = Ws::new();
    let path = ws.path("big.xlsx");
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(b"PK\x03\x04").unwrap();
    f.set_len((50 << 20) + 1024).unwrap();
    drop(f);
    let before = ws.tree(&[".jiuzhu/lock"]);
    let out = ws.run(&["intake", path.to_str().unwrap()]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("50 MiB"), "{}", stderr(&out));
    let out = ws.run_zh(&["intake", path.to_str().unwrap()]);
    assert_exit(&out, 2);
    assert_chinese(&out);
    // Named .csv, holding a workbook: the advice is not to save it as CSV again.
    let named = ws.path("big-register.csv");
    std::fs::rename(&path, &named).unwrap();
    let out = ws.run(&["intake", named.to_str().unwrap()]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("named .csv but is not CSV text"),
        "{}",
        stderr(&out)
    );
    let out = ws.run_zh(&["intake", named.to_str().unwrap()]);
    assert_exit(&out, 2);
    assert_chinese(&out);
    std::fs::rename(&named, &path).unwrap();
    assert_same_files(&before, &ws.tree(&[".jiuzhu/lock"]), "a workbook too large");
}
