//! The columns jiuzhu reads from registers, each with the header names clerks and provincial exports use.
//!
//! A header cell matches a field when, after [`normalize_key`] (full-width → half-width, spaces removed), it
//! equals one of the field's names, or equals one once a trailing bracketed unit is dropped (`月收入（元）` →
//! `月收入`). The policy's `columns:` section adds names per county.

use std::collections::BTreeMap;

use crate::domain::text::normalize_key;

/// A column jiuzhu knows, by its stable snake_case key.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub key: &'static str,
    /// The label used in workbooks jiuzhu writes.
    pub label_zh: &'static str,
    /// Built-in header names (the key itself also matches).
    pub names: &'static [&'static str],
}

macro_rules! fields {
    ($($key:ident: $label:literal, [$($name:literal),* $(,)?];)*) => {
        /// Every field, in the order workbooks show them.
        pub const FIELDS: &[Field] = &[$(Field { key: stringify!($key), label_zh: $label, names: &[$($name),*] }),*];
    };
}

fields! {
    serial: "序号", ["序号", "No", "No."];
    household_key: "户主身份证号", ["户主身份证号", "户主身份证", "户主证件号码", "户主公民身份号码"];
    household_no: "户编号", ["户编号", "家庭编号", "户号"];
    head_name: "户主姓名", ["户主姓名", "户主", "申请人姓名", "申请人"];
    name: "姓名", ["姓名", "成员姓名", "家庭成员姓名", "人员姓名"];
    id_number: "身份证号", ["身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "证件号码", "身份证件号码", "身份证"];
    relation: "与户主关系", ["与户主关系", "与申请人关系", "家庭关系", "关系"];
    scheme: "申请类别", ["申请类别", "救助类别", "申请类型", "救助类型", "申请项目", "救助项目", "保障类别"];
    township: "乡镇(街道)", ["乡镇(街道)", "乡镇", "街道", "乡镇街道", "乡(镇、街道)", "所属乡镇"];
    village: "村(社区)", ["村(社区)", "村", "社区", "村居", "村(居)", "村社区", "所属村"];
    address: "住址", ["住址", "家庭住址", "现住址", "居住地址", "地址"];
    phone: "联系电话", ["联系电话", "电话", "手机号码", "联系方式"];
    applied_on: "申请日期", ["申请日期", "申请时间", "受理日期"];
    hukou: "户籍类型", ["户籍类型", "户籍性质", "户口性质", "户口类型"];
    bank_name: "开户银行", ["开户银行", "开户行", "银行名称"];
    bank_account: "银行账号", ["银行账号", "银行卡号", "账号", "卡号", "社保卡号", "一卡通账号"];
    hardship_reason: "致困原因", ["致困原因", "困难原因", "主要致困原因", "致贫原因", "主要致贫原因"];
    household_size: "家庭人口", ["家庭人口", "家庭人口数", "家庭人数", "保障人数", "共同生活人数", "共同生活家庭成员人数", "家庭成员人数", "户人口数"];
    monthly_income: "月收入(元)", ["月收入", "个人月收入", "月均收入", "月收入(元)"];
    disability_grade: "残疾等级", ["残疾等级", "残疾级别"];
    disability_kind: "残疾类别", ["残疾类别", "残疾类型", "残疾类别及等级", "残疾类别等级"];
    health: "健康状况", ["健康状况", "健康状态", "身体状况", "身体健康状况"];
    sex: "性别", ["性别"];
    serious_illness: "重病", ["重病", "是否重病", "重大疾病", "重病患者"];
    in_school: "在校", ["在校", "是否在校", "在校生", "在校学生"];
    work_ability: "劳动能力", ["劳动能力", "劳动能力状况"];
    materials: "提供材料", ["提供材料", "申请材料", "已交材料", "已提供材料"];
    deposits: "存款(元)", ["存款", "存款金额", "银行存款", "家庭存款", "金融资产"];
    vehicles: "车辆(辆)", ["车辆", "机动车", "车辆数", "机动车数量"];
    properties: "房产(套)", ["房产", "房屋", "房产数", "住房套数"];
    deduction_amount: "刚性支出(元)", ["刚性支出", "刚性支出金额", "扣减金额", "支出扣减"];
    deduction_kind: "支出类别", ["支出类别", "刚性支出类别", "扣减类别"];
    deduction_evidence: "支出凭证", ["支出凭证", "刚性支出凭证", "扣减凭证", "凭证"];
    exclusions: "排除情形", ["排除情形", "不予保障情形", "排除事由"];
    registered_region: "户籍地", ["户籍地", "户籍所在地", "户口所在地"];
    birth_date: "出生日期", ["出生日期", "出生年月日", "出生年月", "生日"];
    id_hash: "身份证号哈希", ["身份证号哈希", "证件号哈希", "id_hash", "hash"];
    amount: "金额(元)", ["金额", "个人自付", "个人自付金额", "自付金额", "费用金额"];
    case_id: "案件编号", ["案件编号", "案件号", "case_id"];
    visited_on: "调查日期", ["调查日期", "入户日期", "走访日期", "入户调查日期"];
    investigators: "调查人", ["调查人", "调查人员", "入户人员", "走访人"];
    findings: "调查情况", ["调查情况", "调查结果", "入户情况", "走访情况"];
    signed: "签字", ["签字", "调查人签字", "已签字", "签名"];
    visit_level: "调查层级", ["调查层级", "层级", "入户层级"];
    self_care: "自理能力", ["自理能力", "生活自理能力", "自理状况"];
    support_mode: "供养方式", ["供养方式", "供养形式"];
    temporary_months: "救助月数", ["救助月数", "救助月份数", "困难月数"];
    urgent: "先行救助", ["先行救助", "急难", "紧急救助", "急难救助"];
    private: "不公示", ["不公示", "隐私保护", "保密", "不予公示", "隐私", "不公开", "不予公开", "是否保密", "是否不公示"];
    // The opposite sense: 是否公示 = 否 marks a case never to be posted.
    publish: "是否公示", ["是否公示", "是否公开", "可否公示"];
    followup_on: "回访日期", ["回访日期", "回访时间"];
    visitors: "回访人", ["回访人", "回访人员"];
    outcome: "回访情况", ["回访情况", "回访结果", "回访意见"];
    difficulty_class: "困难类别", ["困难类别", "困难类型", "困难等级"];
    change_kind: "变化类型", ["变化类型", "变化情况", "家庭变化"];
    member_id_number: "变化成员身份证号", ["变化成员身份证号", "变化人员身份证号", "变化成员身份证"];
    new_income: "变化后月收入(元)", ["变化后月收入", "新月收入", "现月收入"];
    per_capita_income: "人均月收入(元)", ["人均月收入", "家庭人均月收入", "人均收入", "家庭月人均收入"];
    received_on: "收到日期", ["收到日期", "登记日期", "信访日期", "来信来访日期"];
    channel: "信访方式", ["信访方式", "信访渠道", "来源渠道"];
    complainant: "信访人", ["信访人", "反映人"];
    subject: "信访事项", ["信访事项", "反映问题", "主要诉求", "事由"];
    handler: "承办人", ["承办人", "承办单位", "责任人"];
    due_on: "办理期限", ["办理期限", "办结期限"];
    result: "处理结果", ["处理结果", "办理结果", "答复意见"];
    replied_on: "答复日期", ["答复日期", "办结日期"];
    received_materials: "已收材料", ["已收材料", "补正材料", "补交材料", "已补材料", "收到材料"];
    clerk: "经办人", ["经办人", "经办", "收件人", "登记人"];
    found_on: "发现日期", ["发现日期", "摸排日期", "上报日期", "预警日期", "发现时间"];
    discovery_channel: "发现渠道", ["发现渠道", "发现途径", "线索来源", "信息来源"];
    difficulty: "困难情况", ["困难情况", "遇困情况", "困难描述", "主要困难", "预警内容"];
    reported_by: "报告人", ["报告人", "上报人", "摸排人", "信息采集人", "信息员"];
    // The correction sheet (更正登记表, `jiuzhu correct`).
    correction_field: "字段", ["字段", "更正字段", "更正项目", "更正事项"];
    old_value: "原值", ["原值", "原内容", "更正前", "更正前内容"];
    new_value: "新值", ["新值", "新内容", "更正后", "更正后内容"];
    correction_reason: "更正原因", ["更正原因", "更正理由"];
    evidence: "依据", ["依据", "更正依据", "证明材料"];
    corrected_on: "更正日期", ["更正日期", "更正时间"];
}

/// The keys of all fields (for policy validation).
pub fn all_keys() -> Vec<&'static str> {
    FIELDS.iter().map(|f| f.key).collect()
}

pub fn field(key: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.key == key)
}

/// Header names by normalised spelling → field key, built from the built-ins plus the policy's additions.
#[derive(Debug, Clone)]
pub struct HeaderNames {
    by_name: BTreeMap<String, &'static str>,
}

impl HeaderNames {
    pub fn new(extra: &BTreeMap<String, Vec<String>>) -> HeaderNames {
        let mut by_name = BTreeMap::new();
        for f in FIELDS {
            by_name.insert(normalize_key(f.key), f.key);
            for n in f.names {
                by_name.insert(normalize_key(n), f.key);
            }
        }
        for (key, names) in extra {
            if let Some(f) = field(key) {
                for n in names {
                    by_name.insert(normalize_key(n), f.key);
                }
            }
        }
        HeaderNames { by_name }
    }

    /// The field a header cell names, if any.
    pub fn field_of(&self, header: &str) -> Option<&'static str> {
        let k = normalize_key(header);
        if k.is_empty() {
            return None;
        }
        if let Some(f) = self.by_name.get(&k) {
            return Some(f);
        }
        // `月收入(元)` → `月收入`; `身份证号*` (required marker) → `身份证号`.
        let trimmed = k.trim_end_matches(['*', ':']);
        let base = match trimmed.rfind('(') {
            Some(i) if trimmed.ends_with(')') && i > 0 => &trimmed[..i],
            _ => trimmed,
        };
        self.by_name.get(base).copied()
    }
}

impl HeaderNames {
    /// The field of `fields` a header that matched none looks like (a near miss a clerk meant as that field): the
    /// same once brackets, units, punctuation and the variants 身分/身份, 号码/号, 帐/账 are set aside
    /// (`户主身分证号`, `月收入元`, `【姓名】`), or one character away from a known name of three or more
    /// characters (`与户主关糸`, `申请类型别`). Only `fields` (those the caller reads) are looked at; an exact
    /// loose match wins over a one-character one.
    pub fn near_miss(&self, header: &str, fields: &[&'static str]) -> Option<&'static str> {
        let loose_header = loose(&normalize_key(header));
        if loose_header.chars().count() < 2 {
            return None;
        }
        let mut close: Option<&'static str> = None;
        for (name, &f) in &self.by_name {
            if !fields.contains(&f) || name.is_ascii() {
                continue;
            }
            let loose_name = loose(name);
            if loose_name == loose_header {
                return Some(f);
            }
            if close.is_none() && loose_name.chars().count() >= 3 && one_edit_apart(&loose_name, &loose_header) {
                close = Some(f);
            }
        }
        close
    }
}

/// A header as compared for near misses: bracketed parts, punctuation and trailing units dropped, common
/// variant characters unified.
fn loose(key: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in key.chars() {
        match c {
            '(' | '[' | '【' | '〔' | '<' | '《' => depth += 1,
            ')' | ']' | '】' | '〕' | '>' | '》' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            '*' | ':' | '_' | '-' | '/' | '、' | '.' | '·' | '#' | '"' | '\'' | '“' | '”' => {}
            _ => out.push(c),
        }
    }
    // A header wholly in brackets (`【姓名】`) keeps what they hold.
    if out.is_empty() {
        out = key.chars().filter(|c| !"()[]【】〔〕<>《》".contains(*c)).collect();
    }
    let mut out = out.replace("身分", "身份").replace("号码", "号").replace('帐', "账");
    for unit in ["元/月", "元/人", "元", "人", "辆", "套"] {
        if out.chars().count() > unit.chars().count() + 1 {
            if let Some(rest) = out.strip_suffix(unit) {
                out = rest.to_string();
                break;
            }
        }
    }
    out
}

/// Whether two texts differ by exactly one character replaced, added or removed.
fn one_edit_apart(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (short, long) = if a.len() <= b.len() { (&a, &b) } else { (&b, &a) };
    match long.len() - short.len() {
        0 => short.iter().zip(long.iter()).filter(|(x, y)| x != y).count() == 1,
        1 => {
            let first = short
                .iter()
                .zip(long.iter())
                .position(|(x, y)| x != y)
                .unwrap_or(short.len());
            short[first..] == long[first + 1..]
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_spellings_match() {
        let h = HeaderNames::new(&BTreeMap::new());
        assert_eq!(h.field_of("身份证号码"), Some("id_number"));
        assert_eq!(h.field_of(" 身 份 证 号 "), Some("id_number"));
        assert_eq!(h.field_of("月收入（元）"), Some("monthly_income"));
        assert_eq!(h.field_of("乡镇（街道）"), Some("township"));
        assert_eq!(h.field_of("户主身份证号"), Some("household_key"));
        assert_eq!(h.field_of("id_number"), Some("id_number"));
        assert_eq!(h.field_of("身份证号*"), Some("id_number"));
        assert_eq!(h.field_of("编号"), None);
        assert_eq!(h.field_of(""), None);
    }

    #[test]
    fn policy_aliases_are_added() {
        let mut extra = BTreeMap::new();
        extra.insert("id_number".to_string(), vec!["身份号".to_string()]);
        let h = HeaderNames::new(&extra);
        assert_eq!(h.field_of("身份号"), Some("id_number"));
    }

    #[test]
    fn near_misses_name_the_field_meant() {
        let h = HeaderNames::new(&BTreeMap::new());
        let all = all_keys();
        let register = [
            "household_key",
            "id_number",
            "relation",
            "monthly_income",
            "name",
            "phone",
        ];
        for (header, want) in [
            ("户主身分证号", "household_key"),
            ("身分证号码", "id_number"),
            ("与户主关糸", "relation"),
            ("月收入元", "monthly_income"),
            ("【姓名】", "name"),
            ("联系电话号", "phone"),
        ] {
            assert_eq!(h.field_of(header), None, "{header} is not matched outright");
            assert_eq!(h.near_miss(header, &register), Some(want), "{header}");
        }
        for header in ["备注", "联系人", "序", "工作单位", "原低保证号"] {
            assert_eq!(h.near_miss(header, &all), None, "{header}");
        }
        // Only the fields the caller reads are looked at.
        assert_eq!(h.near_miss("回访人员名", &register), None);
    }

    #[test]
    fn real_form_headers_match() {
        let h = HeaderNames::new(&BTreeMap::new());
        for (header, want) in [
            ("致贫原因", "hardship_reason"),
            ("家庭人口", "household_size"),
            ("保障人数", "household_size"),
            ("共同生活人数", "household_size"),
            ("户籍性质", "hukou"),
            ("证件号码", "id_number"),
            ("保障类别", "scheme"),
            ("申请时间", "applied_on"),
            ("健康状况", "health"),
            ("残疾等级", "disability_grade"),
            ("残疾类别", "disability_kind"),
            ("劳动能力", "work_ability"),
            ("出生年月", "birth_date"),
            ("性别", "sex"),
        ] {
            assert_eq!(h.field_of(header), Some(want), "{header}");
        }
    }
}
