//! The bank files of a batch, in the format of each bank's profile (`disbursement.profiles`): fields, fixed
//! widths by encoded bytes, encodings (GBK / GB18030 with a replacement for characters a bank cannot take),
//! amounts and control totals.

use super::*;

// ---------------------------------------------------------------------------------------------------------------
// Bank files.

/// One bank file of a batch with its control totals.
pub(super) struct BankFile {
    pub(super) path: PathBuf,
    pub(super) profile: String,
    pub(super) bank: String,
    pub(super) count: usize,
    pub(super) sum: i64,
    pub(super) bytes: Vec<u8>,
    /// Values written otherwise than they are, because the file's encoding cannot hold a character of theirs.
    pub(super) replaced: Vec<Replaced>,
    /// The banks of this file that have no profile of their own (not under `disbursement.banks`): written in the
    /// default profile's layout, which they may not read.
    pub(super) unlisted: Vec<String>,
}

/// A value of a payment's line with a character the bank file's encoding cannot hold (a rare character, 生僻字,
/// under GBK), written with the profile's replacement instead: listed in the 汇总表 for the clerk to check.
pub(super) struct Replaced {
    pub(super) payment_id: String,
    pub(super) case_id: String,
    pub(super) column: String,
    pub(super) original: String,
    pub(super) written: String,
}

/// The batch's payments grouped by the file their bank's profile names, each rendered in that format.
pub(super) fn bank_files(policy: &Policy, st: &State, batch: &Batch, payments: &[&Payment]) -> Result<Vec<BankFile>> {
    let mut groups: BTreeMap<(String, PathBuf), (String, Vec<&Payment>)> = BTreeMap::new();
    let mut missing = BTreeSet::new();
    // The file's path → the banks in it that have no profile of their own.
    let mut unlisted: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    for p in payments {
        let bank = p.bank_name.trim().to_string();
        let Some((name, profile)) = policy.disbursement.profile_for(&bank) else {
            missing.insert(if bank.is_empty() {
                tr("(开户银行 blank)", "(开户银行为空)")
            } else {
                bank
            });
            continue;
        };
        let file = profile
            .file_name
            .replace("{bank}", &safe_file_name(if bank.is_empty() { name } else { &bank }))
            .replace("{period}", &batch.batch.to_string())
            .replace("{profile}", name);
        let path = PathBuf::from("reports").join("bank").join(file);
        if !bank.is_empty() && !policy.disbursement.banks.contains_key(&bank) {
            unlisted.entry(path.clone()).or_default().insert(bank.clone());
        }
        groups
            .entry((name.to_string(), path))
            .or_insert_with(|| (bank.clone(), Vec::new()))
            .1
            .push(p);
    }
    if !missing.is_empty() {
        let banks = missing.into_iter().collect::<Vec<_>>().join("、");
        bail!(
            "{}",
            tr(
                format!(
                    "no bank profile for {banks}: map the bank to a profile under disbursement.banks in jiuzhu.yaml, \
                     or set disbursement.default_profile"
                ),
                format!(
                    "{banks} 没有对应的银行格式: 请在 jiuzhu.yaml 的 disbursement.banks 下为该银行指定格式, 或设置 \
                     disbursement.default_profile"
                ),
            )
        );
    }
    if policy.disbursement.unlisted_bank == crate::policy::UnlistedBank::Refuse && !unlisted.is_empty() {
        let banks = unlisted.values().flatten().cloned().collect::<Vec<_>>().join("、");
        bail!(
            "{}",
            tr(
                format!(
                    "{banks}: no bank profile of its own, and disbursement.unlisted_bank is `refuse`: map the bank to \
                     the profile of the file it reads under disbursement.banks in jiuzhu.yaml; nothing was issued"
                ),
                format!(
                    "{banks} 没有自己的银行格式, 且 disbursement.unlisted_bank 为 `refuse`: 请在 jiuzhu.yaml 的 \
                     disbursement.banks 下为该银行指定它能读取的格式; 未生成任何批次"
                ),
            )
        );
    }
    let mut out = Vec::new();
    for ((name, path), (bank, mut ps)) in groups {
        ps.sort_by(|a, b| (&a.case_id, &a.period, &a.payment_id).cmp(&(&b.case_id, &b.period, &b.payment_id)));
        let profile = &policy.disbursement.profiles[&name];
        let sum: i64 = ps.iter().map(|p| p.amount.0).sum();
        let (bytes, replaced) = render_bank_file(policy, st, profile, batch.batch, &bank, &ps).with_context(|| {
            tr(
                format!("bank file {} (profile {name})", path.display()),
                format!("银行文件 {} (格式 `{name}`)", path.display()),
            )
        })?;
        out.push(BankFile {
            unlisted: unlisted
                .remove(&path)
                .map(|b| b.into_iter().collect())
                .unwrap_or_default(),
            path,
            bank,
            count: ps.len(),
            sum,
            bytes,
            replaced,
            profile: name,
        });
    }
    Ok(out)
}

pub(super) fn amount_text(f: Fen, format: AmountFormat) -> String {
    match format {
        AmountFormat::Yuan => f.to_string(),
        AmountFormat::Fen => f.0.to_string(),
    }
}

/// 附言: the month, the scheme, and what kind of payment it is.
pub(super) fn note(policy: &Policy, p: &Payment) -> String {
    let mut s = format!("{} {}", p.period, scheme_label(policy, &p.scheme));
    if p.kind != PaymentKind::Regular {
        s.push(' ');
        s.push_str(p.kind.label_zh());
    }
    if p.urgent {
        s.push_str(" 先行救助");
    }
    s
}

pub(super) fn field_value(
    policy: &Policy,
    st: &State,
    col: &BankColumn,
    seq: usize,
    p: &Payment,
    bank: &str,
) -> String {
    let case = st.case(&p.case_id);
    match col.field {
        BankField::Seq => seq.to_string(),
        BankField::PaymentId => p.payment_id.clone(),
        BankField::CaseId => p.case_id.clone(),
        BankField::Name => p.payee_name.0.clone(),
        BankField::Account => p.account.0.clone(),
        BankField::Amount => String::new(), // formatted by the caller
        BankField::IdMasked => case.map(|c| c.applicant_id_number.masked()).unwrap_or_default(),
        BankField::IdNumber => case
            .map(|c| c.applicant_id_number.as_str().to_string())
            .unwrap_or_default(),
        BankField::Bank => bank.to_string(),
        BankField::Period => p.period.to_string(),
        BankField::Scheme => scheme_label(policy, &p.scheme).to_string(),
        BankField::Village => case.map(|c| format!("{}{}", c.township, c.village)).unwrap_or_default(),
        BankField::Note => note(policy, p),
        BankField::Text => col.text.clone(),
        BankField::Status | BankField::Reason | BankField::Skip => String::new(),
    }
}

/// `s` as the bank file's encoding can hold it: each character it cannot hold is written as the profile's
/// `replacement` (which the policy holds to the encoding).
pub(super) fn fit<'a>(s: &'a str, profile: &BankProfile) -> std::borrow::Cow<'a, str> {
    if s.chars().all(|c| profile.encoding.holds(c)) {
        return s.into();
    }
    s.chars()
        .map(|c| {
            if profile.encoding.holds(c) {
                c.to_string()
            } else {
                profile.replacement.clone()
            }
        })
        .collect::<String>()
        .into()
}

/// Text in the bank file's encoding; `s` has been [`fit`] to it.
pub(super) fn encode(s: &str, enc: BankEncoding) -> Vec<u8> {
    match enc {
        BankEncoding::Utf8 => s.as_bytes().to_vec(),
        BankEncoding::Gbk => encoding_rs::GBK.encode(s).0.into_owned(),
        BankEncoding::Gb18030 => encoding_rs::GB18030.encode(s).0.into_owned(),
    }
}

pub(super) fn decode(bytes: &[u8], enc: BankEncoding) -> Result<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match enc {
        BankEncoding::Utf8 => std::str::from_utf8(bytes).map(str::to_string).map_err(|_| {
            anyhow!(
                "{}",
                tr(
                    "the file is not UTF-8; is the profile's encoding right?",
                    "文件不是 UTF-8 编码; 请检查银行格式中的 `encoding` 设置"
                )
            )
        }),
        BankEncoding::Gbk | BankEncoding::Gb18030 => {
            let (s, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                bail!(
                    "{}",
                    tr(
                        "the file is not GBK text; is the profile's encoding right?",
                        "文件不是 GBK 编码的文本; 请检查银行格式中的 `encoding` 设置"
                    )
                );
            }
            Ok(s.into_owned())
        }
    }
}

pub(super) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub(super) fn pad(bytes: Vec<u8>, col: &BankColumn) -> Result<Vec<u8>> {
    if bytes.len() > col.width {
        let value = String::from_utf8_lossy(&bytes);
        let shown = match col.field {
            BankField::Account => mask::account(&value),
            BankField::IdNumber => mask::id(&value),
            _ => value.into_owned(),
        };
        bail!(
            "{}",
            tr(
                format!(
                    "`{shown}` is {} bytes, wider than the column `{}` ({} bytes)",
                    bytes.len(),
                    col.label,
                    col.width
                ),
                format!(
                    "`{shown}` 占 {} 字节, 超过栏目 `{}` 的宽度 ({} 字节)",
                    bytes.len(),
                    col.label,
                    col.width
                ),
            )
        );
    }
    let fill = vec![col.pad as u8; col.width - bytes.len()];
    Ok(match col.align {
        crate::policy::Align::Left => [bytes, fill].concat(),
        crate::policy::Align::Right => [fill, bytes].concat(),
    })
}

/// Renders a bank file: header (if any), one line per payment, and the control-total row where the profile
/// puts it; and the values written with a replacement character, for the 汇总表.
pub(super) fn render_bank_file(
    policy: &Policy,
    st: &State,
    profile: &BankProfile,
    batch: Period,
    bank: &str,
    ps: &[&Payment],
) -> Result<(Vec<u8>, Vec<Replaced>)> {
    let sum = Fen(ps.iter().map(|p| p.amount.0).sum());
    let summary = profile.summary.as_ref().map(|s| {
        let text = s
            .format
            .replace("{count}", &ps.len().to_string())
            .replace("{sum_yuan}", &sum.to_string())
            .replace("{sum_fen}", &sum.0.to_string())
            .replace("{sum}", &amount_text(sum, profile.amount_format))
            .replace("{period}", &batch.to_string())
            .replace("{bank}", bank);
        (s.position, text)
    });
    let cells = |seq: usize, p: &Payment| -> Vec<String> {
        profile
            .columns
            .iter()
            .map(|c| match c.field {
                BankField::Amount => amount_text(p.amount, profile.amount_format),
                _ => field_value(policy, st, c, seq, p, bank),
            })
            .collect()
    };
    if profile.file_type == BankFileType::Xlsx {
        let columns = profile
            .columns
            .iter()
            .map(|c| {
                let kind = match c.field {
                    BankField::Amount if profile.amount_format == AmountFormat::Yuan => Kind::Money,
                    BankField::Seq => Kind::Count,
                    BankField::Name | BankField::Note | BankField::Bank | BankField::Scheme | BankField::Village => {
                        Kind::Text
                    }
                    _ => Kind::Code,
                };
                Column::new(&c.label, kind)
            })
            .collect();
        let mut rows: Vec<Vec<Value>> = ps
            .iter()
            .enumerate()
            .map(|(i, p)| {
                profile
                    .columns
                    .iter()
                    .zip(cells(i + 1, p))
                    .map(|(c, v)| match c.field {
                        BankField::Amount if profile.amount_format == AmountFormat::Yuan => Value::Money(p.amount),
                        BankField::Seq => Value::Count(i as i64 + 1),
                        _ => Value::Text(v),
                    })
                    .collect()
            })
            .collect();
        let mut title = None;
        match &summary {
            Some((SummaryPosition::First, t)) => title = Some(t.clone()),
            Some((SummaryPosition::Last, t)) => rows.push(t.split(',').map(|x| Value::Text(x.to_string())).collect()),
            None => {}
        }
        let bytes = writer::workbook_bytes(&[SheetSpec {
            name: "代发".into(),
            title,
            columns,
            rows,
            batch: None,
            print: Default::default(),
        }])?;
        return Ok((bytes, Vec::new()));
    }
    let eol: &[u8] = match profile.line_ending {
        LineEnding::Crlf => b"\r\n",
        LineEnding::Lf => b"\n",
    };
    // Each value fit to the file's encoding; what a payment's line had replaced is listed.
    let mut replaced = Vec::new();
    let mut line = |values: Vec<String>, payment: Option<&Payment>| -> Result<Vec<u8>> {
        let values: Vec<String> = profile
            .columns
            .iter()
            .zip(values)
            .map(|(c, v)| {
                let written = fit(&v, profile).into_owned();
                if let (Some(p), true) = (payment, written != v) {
                    replaced.push(Replaced {
                        payment_id: p.payment_id.clone(),
                        case_id: p.case_id.clone(),
                        column: c.label.clone(),
                        original: v,
                        written: written.clone(),
                    });
                }
                written
            })
            .collect();
        match profile.file_type {
            BankFileType::Fixed => {
                let mut out = Vec::new();
                for (c, v) in profile.columns.iter().zip(values) {
                    out.extend(pad(encode(&v, profile.encoding), c)?);
                }
                Ok(out)
            }
            _ => {
                let joined: Vec<String> = values.iter().map(|v| csv_field(&text::neutralise(v))).collect();
                Ok(encode(&joined.join(","), profile.encoding))
            }
        }
    };
    let mut out = Vec::new();
    let mut push = |bytes: Vec<u8>| {
        out.extend(bytes);
        out.extend_from_slice(eol);
    };
    if let Some((SummaryPosition::First, t)) = &summary {
        push(encode(&fit(t, profile), profile.encoding));
    }
    if profile.header {
        let labels: Vec<String> = profile.columns.iter().map(|c| c.label.clone()).collect();
        push(line(labels, None)?);
    }
    for (i, p) in ps.iter().enumerate() {
        push(line(cells(i + 1, p), Some(p))?);
    }
    if let Some((SummaryPosition::Last, t)) = &summary {
        push(encode(&fit(t, profile), profile.encoding));
    }
    Ok((out, replaced))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_width_columns_pad_by_encoded_bytes() {
        let col = BankColumn {
            field: BankField::Name,
            label: "户名".into(),
            width: 8,
            align: crate::policy::Align::Left,
            pad: ' ',
            text: String::new(),
        };
        let out = pad(encode("张三", BankEncoding::Gbk), &col).unwrap();
        assert_eq!(out.len(), 8);
        assert!(pad(encode("欧阳娜娜娜", BankEncoding::Gbk), &col).is_err());
    }

    /// 𠮷 (U+20BB7) has a code in GB18030 only: a `gb18030` profile writes it as it is, a `gbk` one writes the
    /// profile's replacement.
    #[test]
    fn a_rare_character_is_kept_under_gb18030_and_replaced_under_gbk() {
        let policy = Policy::parse(crate::cmd::init::POLICY_TEMPLATE, "t").unwrap();
        let mut profile = policy.disbursement.profiles["rcc_csv"].clone();
        assert_eq!(profile.encoding, BankEncoding::Gbk);
        assert_eq!(fit("𠮷一", &profile), "?一");
        profile.replacement = "□".into();
        assert_eq!(fit("𠮷一", &profile), "□一");
        profile.encoding = BankEncoding::Gb18030;
        assert_eq!(fit("𠮷一", &profile), "𠮷一");
        let bytes = encode("𠮷一", BankEncoding::Gb18030);
        assert_eq!(encoding_rs::GB18030.decode(&bytes).0, "𠮷一");
        assert_eq!(
            &bytes[..4],
            &[0x95, 0x34, 0xB2, 0x35],
            "GB18030's four bytes for U+20BB7"
        );
    }
}
