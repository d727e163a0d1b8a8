//! A CSV file read as a stream, one record at a time, for files too large to hold whole (a province's registries:
//! hundreds of megabytes, millions of rows). Memory stays bounded whatever the file's size: there is no size
//! limit here, unlike [`reader::read_workbook`], which holds the file and every cell of it.
//!
//! The stream reads exactly as the whole-file reader does: the same encodings (a UTF-8 BOM dropped; UTF-8, else
//! GB18030 when detecting), the same records, the same refusals with the same messages. When a file has several
//! faults the same one is named, because the stream always reads to the end before it names a fault a whole read
//! would have found first (bytes that are not text, NUL bytes), and its SHA-256 always covers the whole file.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::domain::digest::{Digest, Sha256};
use crate::i18n::tr;
use anyhow::{anyhow, Context, Result};
use csv::StringRecord;
use encoding_rs::{Decoder, DecoderResult, GB18030};

use crate::domain::digest::hex;
use crate::sheet::reader::{self, Encoding, BOM};

/// The bytes read from the file at a time.
const CHUNK: usize = 64 * 1024;

/// Decoded text before the latest record's start is dropped once there is this much of it.
const KEEP_SLACK: usize = 1 << 20;

/// Reads the CSV file at `path` (`file` names it in messages) record by record: `read` is given the records and
/// returns what it made of them, which comes back with the file's SHA-256 (hex).
///
/// Whatever `read` does, the file is read to its end, and a fault of the file (see [`CsvRecords::next`]) comes
/// before an error of `read`'s own. With [`Encoding::Detect`], a file that turns out not to be UTF-8 is read
/// again from its start as GB18030: `read` is then called a second time, and must start afresh.
pub fn read_csv<T>(
    path: &Path,
    file: &str,
    encoding: Encoding,
    read: impl FnMut(&mut CsvRecords) -> Result<T>,
) -> Result<(T, String)> {
    read_csv_in_chunks(path, file, encoding, CHUNK, read)
}

fn read_csv_in_chunks<T>(
    path: &Path,
    file: &str,
    encoding: Encoding,
    chunk: usize,
    mut read: impl FnMut(&mut CsvRecords) -> Result<T>,
) -> Result<(T, String)> {
    let mut as_gb18030 = encoding == Encoding::Gb18030;
    loop {
        let f = File::open(path).with_context(|| tr(format!("cannot read {file}"), format!("无法读取 {file}")))?;
        // The delimiter is told from the start of the text, as a whole read tells it.
        let head = head(path).with_context(|| tr(format!("cannot read {file}"), format!("无法读取 {file}")))?;
        let mut decoded = Decoded::new(f, head, chunk, as_gb18030);
        let delimiter = reader::sniff_delimiter(decoded.peek(reader::SNIFF_BYTES));
        let mut records = CsvRecords {
            file: file.to_string(),
            rdr: reader::csv_reader(delimiter, decoded),
            delimiter,
            rows: 0,
            may_be_gb18030: encoding == Encoding::Detect && !as_gb18030,
            ended: false,
        };
        let outcome = match read(&mut records) {
            Ok(t) => records.finish().map(|()| t),
            Err(e) => Err(records.finish().err().unwrap_or(e)),
        };
        match outcome {
            Ok(t) => return Ok((t, records.sha256())),
            Err(e) if e.is::<NotUtf8>() => as_gb18030 = true,
            Err(e) => return Err(e),
        }
    }
}

/// The file's first bytes (up to [`reader::HEAD_BYTES`]), as a whole read sees them when it tells what a file
/// that is not text is.
fn head(path: &Path) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(reader::HEAD_BYTES);
    File::open(path)?
        .take(reader::HEAD_BYTES as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// The records of a CSV file being streamed.
pub struct CsvRecords {
    file: String,
    rdr: csv::Reader<Decoded>,
    delimiter: u8,
    /// Records read so far.
    rows: usize,
    /// Detecting the encoding, and still reading as UTF-8: bytes that are not UTF-8 mean GB18030 (unless the file
    /// began with a UTF-8 BOM).
    may_be_gb18030: bool,
    ended: bool,
}

/// A file being detected turned out not to be UTF-8 (it is read again as GB18030).
#[derive(Debug)]
struct NotUtf8;

impl std::fmt::Display for NotUtf8 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not UTF-8: read again as GB18030")
    }
}

impl std::error::Error for NotUtf8 {}

impl CsvRecords {
    /// Reads the next record into `rec` (reused: no allocation per record once it has grown); false at the end.
    /// Record `n` (1-based) is the row a whole read calls row `n`.
    ///
    /// A fault of the file is an error, named as a whole read names it and, of several, the one a whole read
    /// names: an empty file; bytes that are not text in the encoding; NUL bytes; a cell longer than a
    /// spreadsheet's; a quote opened in the last record and never closed.
    pub fn next(&mut self, rec: &mut StringRecord) -> Result<bool> {
        if self.ended {
            return Ok(false);
        }
        match self.read(rec) {
            Ok(true) => match reader::overlong_cell(rec) {
                None => Ok(true),
                Some((c, chars)) => {
                    // A whole read stops here, unless the rest of the file is worse: read on to know.
                    let fault = reader::cell_too_long(&self.file, None, self.rows, c, chars);
                    Err(self.read_to_end().err().unwrap_or(fault))
                }
            },
            Ok(false) => {
                self.ended = true;
                self.check_end().map(|()| false)
            }
            Err(e) => {
                self.ended = true;
                Err(e)
            }
        }
    }

    /// The name of the file's one sheet, as a whole read names it.
    pub fn sheet_name(&self) -> String {
        reader::csv_sheet_name(&self.file)
    }

    /// Reads what is left (the file's later faults still count).
    fn finish(&mut self) -> Result<()> {
        let mut rec = StringRecord::new();
        while self.next(&mut rec)? {}
        Ok(())
    }

    /// After a fault that a whole read would name unless it found a worse one: reads the rest, records unseen,
    /// and gives the worse fault, if any.
    fn read_to_end(&mut self) -> Result<()> {
        let mut rec = StringRecord::new();
        let end = loop {
            match self.read(&mut rec) {
                Ok(true) => {}
                Ok(false) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        self.ended = true;
        end?;
        match self.rdr.get_ref().nul {
            true => Err(reader::has_nul(&self.file, &self.rdr.get_ref().head)),
            false => Ok(()),
        }
    }

    /// The checks a whole read makes of the whole text, in its order.
    fn check_end(&self) -> Result<()> {
        let text = self.rdr.get_ref();
        if text.bytes_read == 0 {
            return Err(reader::empty_file(&self.file));
        }
        if text.nul {
            return Err(reader::has_nul(&self.file, &text.head));
        }
        reader::check_last_record(&self.file, text.last_record(), self.rows, self.delimiter)
    }

    fn read(&mut self, rec: &mut StringRecord) -> Result<bool> {
        match self.rdr.read_record(rec) {
            Ok(true) => {
                self.rows += 1;
                let start = rec.position().map_or(0, |p| p.byte());
                self.rdr.get_mut().keep_from(start);
                Ok(true)
            }
            Ok(false) => Ok(false),
            Err(e) => {
                let text = self.rdr.get_ref();
                Err(match text.malformed {
                    Some(_) if !text.utf8 => reader::not_text(&self.file, &text.head),
                    Some(_) if self.may_be_gb18030 && !text.had_bom => anyhow::Error::new(NotUtf8),
                    Some(valid_up_to) => reader::not_utf8(&self.file, valid_up_to),
                    None => {
                        let (file, row) = (&self.file, self.rows + 1);
                        let message = tr(
                            format!("{file} row {row}: cannot read CSV: {e}"),
                            format!("{file} 第 {row} 行: 无法按 CSV 读取, 文件可能已损坏; 请重新导出"),
                        );
                        match e.into_kind() {
                            csv::ErrorKind::Io(io) => anyhow::Error::new(io).context(tr(
                                format!("cannot read {}", self.file),
                                format!("无法读取 {}", self.file),
                            )),
                            _ => anyhow!(message),
                        }
                    }
                })
            }
        }
    }

    /// The SHA-256 of the file's bytes (all of them once the records have ended).
    fn sha256(&self) -> String {
        hex(&self.rdr.get_ref().sha.clone().finalize())
    }
}

/// How the bytes become text.
enum Decoding {
    /// Nothing read yet: a BOM is dropped first.
    Start,
    /// UTF-8, checked as the whole-file reader checks it (`std::str::from_utf8`), so the same byte is the first
    /// that is not UTF-8.
    Utf8,
    /// GB18030 with BOM sniffing, as the whole-file reader's `encoding_rs::Encoding::decode`.
    Gb18030(Decoder),
}

/// A file's bytes, hashed as they are read and decoded to UTF-8 text. The text from the start of the latest
/// record on is kept, for the check of an unclosed quote at the end.
struct Decoded {
    file: File,
    sha: Sha256,
    bytes_read: u64,
    /// The file's first bytes (up to [`reader::HEAD_BYTES`]), to tell what it is when it is not text.
    head: Vec<u8>,
    /// Bytes read; `raw[raw_at..raw_len]` are not decoded yet.
    raw: Vec<u8>,
    raw_at: usize,
    raw_len: usize,
    eof: bool,
    as_gb18030: bool,
    had_bom: bool,
    decoding: Decoding,
    /// Read as UTF-8 (not as GB18030, which may turn to another encoding by a BOM).
    utf8: bool,
    /// Bytes decoded (the BOM not counted).
    decoded: u64,
    done: bool,
    /// Decoded text from stream offset `text_at`; `text[..served]` has been read.
    text: Vec<u8>,
    text_at: u64,
    served: usize,
    /// The stream offset where the latest record starts.
    record_at: u64,
    nul: bool,
    /// The bytes (after a BOM) before the first that was not text in the encoding.
    malformed: Option<u64>,
}

impl Decoded {
    fn new(file: File, head: Vec<u8>, chunk: usize, as_gb18030: bool) -> Decoded {
        Decoded {
            file,
            sha: Sha256::new(),
            bytes_read: 0,
            head,
            // Room for a whole character (4 bytes), and for a BOM and one more byte.
            raw: vec![0; chunk.max(4)],
            raw_at: 0,
            raw_len: 0,
            eof: false,
            as_gb18030,
            had_bom: false,
            decoding: Decoding::Start,
            utf8: !as_gb18030,
            decoded: 0,
            done: false,
            text: Vec::new(),
            text_at: 0,
            served: 0,
            record_at: 0,
            nul: false,
            malformed: None,
        }
    }

    /// The text of the latest record, from its start to the end of the text.
    fn last_record(&self) -> &str {
        let from = (self.record_at.saturating_sub(self.text_at) as usize).min(self.text.len());
        std::str::from_utf8(&self.text[from..]).unwrap_or("")
    }

    fn keep_from(&mut self, record_start: u64) {
        self.record_at = record_start;
    }

    /// Reads into `raw[raw_len..]` until it holds `want` bytes or the file ends.
    fn fill(&mut self, want: usize) -> io::Result<()> {
        while self.raw_len < want && !self.eof {
            match self.file.read(&mut self.raw[self.raw_len..]) {
                Ok(0) => self.eof = true,
                Ok(n) => {
                    self.sha.update(&self.raw[self.raw_len..self.raw_len + n]);
                    self.bytes_read += n as u64;
                    self.raw_len += n;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Decodes text ahead, before anything is served, until it holds `want` bytes or the file has ended — or
    /// cannot be decoded further (the read that comes to that point says so) — and gives the text decoded.
    fn peek(&mut self, want: usize) -> &[u8] {
        while self.text.len() < want && !self.done {
            if self.decode_more().is_err() {
                break;
            }
        }
        &self.text[..self.text.len().min(want)]
    }

    /// Decodes the next chunk onto `text`. Once bytes were found that are not text, every call says so again.
    fn decode_more(&mut self) -> io::Result<()> {
        if self.malformed.is_some() {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "not text in the encoding"));
        }
        let spent = (self.record_at.saturating_sub(self.text_at) as usize).min(self.served);
        if spent >= KEEP_SLACK {
            self.text.drain(..spent);
            self.served -= spent;
            self.text_at += spent as u64;
        }
        // Bytes not decoded yet (a character cut by the end of the chunk) go first, then more are read.
        self.raw.copy_within(self.raw_at..self.raw_len, 0);
        (self.raw_at, self.raw_len) = (0, self.raw_len - self.raw_at);
        self.fill((self.raw_len + 1).min(self.raw.len()))?;
        if let Decoding::Start = self.decoding {
            self.fill(BOM.len())?;
            if self.raw[..self.raw_len].starts_with(BOM) {
                self.raw_at = BOM.len();
                self.had_bom = true;
            }
            // A UTF-16 byte-order mark says what the file is, whatever was asked (GB18030's decoder follows it).
            let utf16 = reader::has_utf16_bom(&self.raw[..self.raw_len]);
            self.utf8 &= !utf16;
            self.decoding = match self.as_gb18030 || utf16 {
                true => Decoding::Gb18030(GB18030.new_decoder()),
                false => Decoding::Utf8,
            };
        }
        let input = &self.raw[self.raw_at..self.raw_len];
        let at = self.text.len();
        let (read, malformed) = match &mut self.decoding {
            Decoding::Start => unreachable!("decoding was just started"),
            Decoding::Utf8 => {
                let (read, malformed) = match std::str::from_utf8(input) {
                    Ok(_) => (input.len(), false),
                    // A character cut by the end of the chunk: its bytes wait for the rest.
                    Err(e) if e.error_len().is_none() && !self.eof => (e.valid_up_to(), false),
                    Err(e) => (e.valid_up_to(), true),
                };
                self.text.extend_from_slice(&input[..read]);
                self.done = self.eof && !malformed && read == input.len();
                (read, malformed.then_some(read as u64))
            }
            Decoding::Gb18030(decoder) => {
                let room = decoder
                    .max_utf8_buffer_length_without_replacement(input.len())
                    .unwrap_or(input.len() * 4)
                    .max(4);
                self.text.resize(at + room, 0);
                let (result, read, written) =
                    decoder.decode_to_utf8_without_replacement(input, &mut self.text[at..], self.eof);
                self.text.truncate(at + written);
                self.done = self.eof && result == DecoderResult::InputEmpty;
                match result {
                    DecoderResult::Malformed(bad, after) => (
                        read,
                        Some((read as u64).saturating_sub(u64::from(after) + u64::from(bad))),
                    ),
                    _ => (read, None),
                }
            }
        };
        self.raw_at += read;
        self.nul |= self.text[at..].contains(&0);
        if let Some(at) = malformed {
            self.malformed = Some(self.decoded + at);
            return Err(io::Error::new(io::ErrorKind::InvalidData, "not text in the encoding"));
        }
        self.decoded += read as u64;
        Ok(())
    }
}

impl Read for Decoded {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        // The csv parser drops a BOM at the start of the text (a second one, after the BOM dropped here) only when
        // its first buffer holds it whole, and takes a first buffer of nothing but the BOM for the end: so the
        // first read gives more than a BOM, as the whole text would.
        let want = if self.text_at == 0 && self.served == 0 {
            BOM.len() + 1
        } else {
            1
        };
        while self.text.len() - self.served < want && !self.done {
            self.decode_more()?;
        }
        let n = out.len().min(self.text.len() - self.served);
        out[..n].copy_from_slice(&self.text[self.served..self.served + n]);
        self.served += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::events::sha256_hex;
    use crate::sheet::reader::read_workbook_bytes;
    use proptest::prelude::*;

    /// What a read gives: the rows' normalised texts, or the error's message.
    type Rows = std::result::Result<Vec<Vec<String>>, String>;

    fn whole(bytes: &[u8], encoding: Encoding) -> Rows {
        read_workbook_bytes("t.csv", bytes, encoding)
            .map(|wb| {
                wb.sheets[0]
                    .rows
                    .iter()
                    .map(|r| r.iter().map(|c| c.text.clone()).collect())
                    .collect()
            })
            .map_err(|e| format!("{e:#}"))
    }

    fn streamed(bytes: &[u8], encoding: Encoding, chunk: usize) -> (Rows, Option<String>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, bytes).unwrap();
        let got = read_csv_in_chunks(&path, "t.csv", encoding, chunk, |records| {
            let mut rec = StringRecord::new();
            let mut rows = Vec::new();
            while records.next(&mut rec)? {
                rows.push(rec.iter().map(|f| reader::Cell::text(f).text).collect());
            }
            Ok(rows)
        });
        match got {
            Ok((rows, sha)) => (Ok(rows), Some(sha)),
            Err(e) => (Err(format!("{e:#}")), None),
        }
    }

    fn assert_same(bytes: &[u8]) {
        for encoding in [Encoding::Detect, Encoding::Utf8, Encoding::Gb18030] {
            let want = whole(bytes, encoding);
            for chunk in [1, 2, 3, 5, 64, CHUNK] {
                let (got, sha) = streamed(bytes, encoding, chunk);
                assert_eq!(
                    got,
                    want,
                    "{encoding:?}, chunks of {chunk}: {:?}",
                    String::from_utf8_lossy(bytes)
                );
                if let Some(sha) = sha {
                    assert_eq!(sha, sha256_hex(bytes));
                }
            }
        }
    }

    fn gbk(s: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(s).0.into_owned()
    }

    #[test]
    fn reads_as_a_whole_read_does() {
        let text = "青禾县死亡名单\n姓名,身份证号,备注\n张三,130199195307187340,\"a,\"\"b\"\"\n c\"\r\n\r\n,,\n李四，,１２０\n";
        assert_same(text.as_bytes());
        assert_same(format!("\u{FEFF}{text}").as_bytes());
        assert_same(&gbk(text));
        let mut bom_gbk = BOM.to_vec();
        bom_gbk.extend(gbk(text));
        assert_same(&bom_gbk);
        // Two BOMs: the csv parser drops the second, and reads a first buffer holding just that as the end.
        assert_same(b"\xEF\xBB\xBF\xEF\xBB\xBFa,b\n");
        assert_same(b"\xEF\xBB\xBF\xEF\xBB\xBF\n");
        assert_same(b"\xFF\xFEa\0,\0b\0\n\0");
        assert_same(b"a,b");
        // Other delimiters, told from the header line; UTF-16 by its byte-order mark, whatever was asked.
        assert_same(text.replace(',', "\t").as_bytes());
        assert_same(text.replace(',', ";").as_bytes());
        assert_same("\"a;b\",c,d\n1;2,3,4\n".as_bytes());
        let utf16 = |s: &str, le: bool| -> Vec<u8> {
            let mut b = if le { vec![0xFF, 0xFE] } else { vec![0xFE, 0xFF] };
            b.extend(
                s.encode_utf16()
                    .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() }),
            );
            b
        };
        assert_same(&utf16(&text.replace(',', "\t"), true));
        assert_same(&utf16(text, false));
        // A line break inside quotes is part of the cell, a lone CR too.
        assert_same(b"a,\"b\rc\",d\re,f\r");
        assert_same(&[b"a,b\n".repeat(20_000), b"c;d;e;f\n".to_vec()].concat());
    }

    #[test]
    fn refuses_as_a_whole_read_does() {
        let long = "x".repeat(reader::MAX_CELL_CHARS + 1);
        let cases: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"\xEF\xBB\xBF".to_vec(),
            b"a,b\n\"open,c\nd,e\n".to_vec(),
            b"a,b\nc,\"d\n".to_vec(),
            b"a,b\nc\0,d\n".to_vec(),
            format!("a,b\n{long},c\nd,\"e\n").into_bytes(),
            format!("a,b\n{long},c\nd\0,e\n").into_bytes(),
            b"\xEF\xBB\xBFa,b\n\xD5\xC5,c\n".to_vec(),
            b"a,b\n\xFF\xFF\xFF,c\n".to_vec(),
            [format!("a,b\n{long}\n").as_bytes(), b"\xE5\x8C"].concat(),
        ];
        for bytes in &cases {
            assert_same(bytes);
        }
        assert!(whole(&cases[2], Encoding::Detect).unwrap_err().contains("never closed"));
        assert!(whole(&cases[4], Encoding::Detect).unwrap_err().contains("NUL"));
    }

    #[test]
    fn a_file_that_stops_being_utf8_late_is_read_as_gb18030() {
        let mut bytes = "name,id\n".repeat(30_000).into_bytes();
        bytes.truncate(bytes.len() - 1);
        bytes.extend(gbk(",张三\n"));
        assert!(bytes.len() > 3 * CHUNK);
        let (got, sha) = streamed(&bytes, Encoding::Detect, CHUNK);
        assert_eq!(got, whole(&bytes, Encoding::Detect));
        assert_eq!(sha.unwrap(), sha256_hex(&bytes));
        let (got, _) = streamed(&bytes, Encoding::Utf8, CHUNK);
        assert!(got.unwrap_err().contains(&format!("(byte {})", bytes.len() - 5)));
    }

    #[test]
    fn a_fault_of_the_file_comes_before_the_readers_own_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let give_up = |records: &mut CsvRecords| -> Result<()> {
            records.next(&mut StringRecord::new())?;
            anyhow::bail!("no header")
        };
        std::fs::write(&path, "a,b\nc,d\n").unwrap();
        let err = read_csv(&path, "t.csv", Encoding::Detect, give_up).unwrap_err();
        assert_eq!(err.to_string(), "no header");
        std::fs::write(&path, "a,b\nc,d\n\0\n").unwrap();
        let err = read_csv(&path, "t.csv", Encoding::Detect, give_up).unwrap_err();
        assert!(err.to_string().contains("NUL"), "{err}");
        std::fs::write(&path, [&b"a,b\nc,d\n"[..], b"\xFF\xFF\xFF\n"].concat()).unwrap();
        let err = read_csv(&path, "t.csv", Encoding::Detect, give_up).unwrap_err();
        assert!(err.to_string().contains("neither UTF-8 nor GBK"), "{err}");
    }

    #[test]
    fn memory_is_bounded_by_the_record_not_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        let line = "张三,130199195307187340,2026-09-17\n";
        std::fs::write(&path, line.repeat(200_000)).unwrap();
        let (most, _) = read_csv(&path, "big.csv", Encoding::Detect, |records| {
            let mut rec = StringRecord::new();
            let mut most = 0;
            while records.next(&mut rec)? {
                most = most.max(records.rdr.get_ref().text.capacity());
            }
            Ok(most)
        })
        .unwrap();
        assert!(most <= 4 * KEEP_SLACK, "{most}");
    }

    proptest! {
        #[test]
        fn any_bytes_read_as_a_whole_read_does(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just(&b","[..]), Just(&b"\""[..]), Just(&b"\n"[..]), Just(&b"\r"[..]), Just(&b"a"[..]),
                    Just(&b";"[..]), Just(&b"\t"[..]), Just(&b"\xFE\xFF"[..]),
                    Just(&b" "[..]), Just("张".as_bytes()), Just(&b"\xD5\xC5"[..]), Just(&b"\xE5"[..]),
                    Just(&b"\xFF"[..]), Just(&b"\0"[..]), Just(BOM), Just(&b"\xFF\xFE"[..]), Just(&b"\x81\x30"[..]),
                ],
                0..24,
            ),
            chunk in 1usize..8,
        ) {
            let bytes = parts.concat();
            for encoding in [Encoding::Detect, Encoding::Utf8, Encoding::Gb18030] {
                let (got, _) = streamed(&bytes, encoding, chunk);
                prop_assert_eq!(got, whole(&bytes, encoding), "{:?} {:?}", encoding, bytes);
            }
        }
    }
}
