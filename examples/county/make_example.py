#!/usr/bin/env python3
"""Generate the bundled example county 青禾县 (region code 130199) for November 2026.

Deterministic: all randomness comes from random.Random(2026); xlsx files get fixed
zip timestamps and document properties, so re-running gives byte-identical output.

Later additions (救助月数, 先行救助, 供养方式, 自理能力, the 艾滋病 household 城关镇 序号21, the
visits file, the deaths registry's 火化日期) draw nothing from RNG: they are derived from existing data or come from their own
random.Random(20261121) (EXTRA_RNG), so every value that existed before stays byte-for-byte the same.

    pip install openpyxl
    python3 examples/county/make_example.py

Writes:
    inbox/2026-11/城关镇-申请登记表.xlsx   shape a (one row per member, merged household cells,
                                          title rows, totals row)
    inbox/2026-11/东河乡-申请登记.csv      shape a, GBK, household cells blank on member rows;
                                          contains exactly two deliberate ID mistakes
    inbox/2026-11/西岭镇-申请登记.xlsx     shape b (sheets 家庭 / 成员)
    registries/deaths.xlsx, vehicles.csv, payroll.xlsx, relatives.xlsx
    visits/2026-11-入户调查.csv            village home visits and township re-visits (UTF-8)
    followups/2026-11-回访.csv             follow-up visits after the month (UTF-8; one income change)
    complaints/2026-11-信访.csv            the month's complaints (UTF-8; one overdue)
    discoveries/2026-11-遇困人员花名册.csv  a village sweep register (主动发现; UTF-8) and the townships'
    discoveries/2026-11-入户调查评估.csv    answers to the investigation worksheet, by ID number
    README.md, expected.json               what is in there (generated; do not hand-edit)
"""
import csv
import datetime as dt
import io
import json
import os
import random
import re
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

HERE = os.path.dirname(os.path.abspath(__file__))
INBOX = os.path.join(HERE, "inbox", "2026-11")
REG = os.path.join(HERE, "registries")
RNG = random.Random(2026)
D = dt.date
TODAY = D(2026, 11, 6)

# ---------------------------------------------------------------- IDs ---
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def check_char(first17):
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def id_valid(s):
    if len(s) != 18 or not s[:17].isdigit():
        return False
    try:
        dt.datetime.strptime(s[6:14], "%Y%m%d")
    except ValueError:
        return False
    return s[17] == check_char(s[:17])


USED_IDS = set()


def new_id(addr, birth, male):
    while True:
        seq = RNG.randrange(0, 1000)
        if (seq % 2 == 1) != male:
            continue
        body = f"{addr}{birth:%Y%m%d}{seq:03d}"
        pid = body + check_char(body)
        if pid not in USED_IDS:
            USED_IDS.add(pid)
            return pid


def rand_date(a, b):
    return a + dt.timedelta(days=RNG.randrange((b - a).days + 1))


def birth_for_age(lo, hi):
    """A birth date giving an age (on TODAY) between lo and hi inclusive."""
    return rand_date(D(TODAY.year - hi - 1, TODAY.month, TODAY.day) + dt.timedelta(days=1),
                     D(TODAY.year - lo, TODAY.month, TODAY.day))


def age(b):
    return TODAY.year - b.year - ((TODAY.month, TODAY.day) < (b.month, b.day))


# -------------------------------------------------------------- names ---
SURNAMES = list("王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗")
GIVEN = {  # (era, sex) -> given names
    ("old", "M"): ["德福", "长青", "福贵", "建国", "宝山", "万有", "振山", "守仁", "文华", "国华", "永祥", "德胜", "玉山", "富",
                   "成", "贵", "顺"],
    ("old", "F"): ["桂英", "秀兰", "桂芝", "玉兰", "凤英", "淑珍", "秀珍", "玉珍", "桂兰", "素芬", "翠花", "玉梅", "兰",
                   "英"],
    ("mid", "M"): ["志强", "建军", "海涛", "伟", "军", "勇", "永平", "国庆", "振华", "红军", "卫东", "建华", "立新", "刚",
                   "磊", "涛", "斌", "辉", "晓东", "春生", "志刚", "海军", "东升", "大鹏"],
    ("mid", "F"): ["丽娟", "红梅", "淑芬", "艳", "秀英", "丽", "静", "敏", "燕", "娟", "霞", "芳", "春梅", "晓红", "丽华",
                   "海燕", "彩霞", "玉霞", "小红", "艳芳", "红霞"],
    ("young", "M"): ["浩", "宇", "子轩", "俊杰", "浩然", "宇航", "博文", "一鸣", "天佑", "子豪", "晨", "昊", "明轩", "睿",
                     "嘉豪", "梓睿", "皓轩", "鑫"],
    ("young", "F"): ["雨涵", "欣怡", "梓涵", "思琪", "佳怡", "婷", "雪", "诗涵", "梦瑶", "可欣", "语嫣", "子萱", "佳琪",
                     "悦", "一诺", "欣然", "雨桐"],
}
USED_NAMES = set()


def era(b):
    return "old" if b.year < 1960 else ("mid" if b.year < 1990 else "young")


def make_name(surname, birth, sex):
    for _ in range(200):
        n = surname + RNG.choice(GIVEN[(era(birth), sex)])
        if n not in USED_NAMES:
            USED_NAMES.add(n)
            return n
    raise RuntimeError("names exhausted")


def other_surname(s):
    return RNG.choice([x for x in SURNAMES if x != s])


MARRIED_IN_CODES = ["130123", "410102", "370102", "130102", "130181"]


def person(rel, birth, sex, surname, addr="130199"):
    return dict(rel=rel, birth=birth, sex=sex, name=make_name(surname, birth, sex),
                id=new_id(addr, birth, sex == "M"), dis="", ill="", school="", labour="",
                income=0.0)


def spouse_of(head, rel="配偶"):
    sex = "F" if head["sex"] == "M" else "M"
    b = head["birth"] + dt.timedelta(days=RNG.randint(-5 * 365, 4 * 365))
    while age(b) < 21:
        b -= dt.timedelta(days=365)
    addr = RNG.choice(MARRIED_IN_CODES) if RNG.random() < 0.25 else "130199"
    return person(rel, b, sex, other_surname(head["name"][0]), addr)


def child_of(parent_birth, surname, rel=None, min_age=0, max_age=40):
    """A child born 20..38 years after parent_birth, with age in [min_age, max_age]."""
    for _ in range(100):
        b = parent_birth + dt.timedelta(days=RNG.randint(20 * 365, 38 * 365))
        if min_age <= age(b) <= max_age and b < TODAY:
            break
    else:
        b = parent_birth + dt.timedelta(days=20 * 365 + 30)
    sex = RNG.choice("MF")
    if rel is None:
        rel = "子" if sex == "M" else "女"
    elif rel in ("孙子", "孙女"):
        rel = "孙子" if sex == "M" else "孙女"
    return person(rel, b, sex, surname)


def older_gen(head, rel):
    sex = "M" if rel == "父亲" else "F"
    b = head["birth"] - dt.timedelta(days=RNG.randint(22 * 365, 32 * 365))
    sur = head["name"][0] if rel == "父亲" else other_surname(head["name"][0])
    return person(rel, b, sex, sur)


# ---------------------------------------------------- household shapes ---
def t_elder_alone():
    sex = RNG.choice("MF")
    b = birth_for_age(68, 89)
    return [person("户主" if RNG.random() < 0.6 else "本人", b, sex, RNG.choice(SURNAMES))]


def t_elder_couple():
    h = person("户主", birth_for_age(64, 84), "M", RNG.choice(SURNAMES))
    s = spouse_of(h)
    while age(s["birth"]) < 60:
        s["birth"] = h["birth"] + dt.timedelta(days=RNG.randint(-2 * 365, 2 * 365))
    s["id"] = new_id(s["id"][:6], s["birth"], False)
    return [h, s]


def t_nuclear():
    h = person("户主", birth_for_age(32, 52), RNG.choice("MMF"), RNG.choice(SURNAMES))
    s = spouse_of(h)
    fam_sur = h["name"][0] if h["sex"] == "M" else s["name"][0]
    younger = min(h["birth"], s["birth"], key=lambda x: -x.toordinal())
    kids = [child_of(max(h["birth"], s["birth"]), fam_sur, min_age=1, max_age=22)
            for _ in range(RNG.choice([1, 1, 1, 2, 2, 3]))]
    del younger
    return [h, s] + kids


def t_three_gen():
    h = person("户主", birth_for_age(36, 55), "M", RNG.choice(SURNAMES))
    s = spouse_of(h)
    kids = [child_of(max(h["birth"], s["birth"]), h["name"][0], min_age=2, max_age=20)
            for _ in range(RNG.choice([1, 2]))]
    olds = [older_gen(h, r) for r in RNG.choice([["母亲"], ["父亲"], ["父亲", "母亲"]])]
    return [h, s] + kids + olds


def t_elder_with_son():
    h = person("户主", birth_for_age(60, 74), "M", RNG.choice(SURNAMES))
    s = spouse_of(h)
    son = child_of(max(h["birth"], s["birth"]), h["name"][0], rel="子", min_age=26, max_age=45)
    if son["sex"] == "F":
        son = person("子", son["birth"], "M", h["name"][0])
    dil = person("儿媳", son["birth"] + dt.timedelta(days=RNG.randint(-3 * 365, 3 * 365)), "F",
                 other_surname(h["name"][0]))
    gk = [child_of(max(son["birth"], dil["birth"]), h["name"][0], rel="孙子", min_age=1, max_age=14)]
    members = [h, s, son, dil] + gk
    if RNG.random() < 0.4:
        members.append(child_of(max(son["birth"], dil["birth"]), h["name"][0], rel="孙子",
                                min_age=1, max_age=14))
    return members


def t_single_parent():
    h = person("户主", birth_for_age(30, 48), RNG.choice("FFM"), RNG.choice(SURNAMES))
    return [h] + [child_of(h["birth"], h["name"][0], min_age=3, max_age=19)
                  for _ in range(RNG.choice([1, 1, 2]))]


def t_disabled_child():
    h = person("户主", birth_for_age(55, 75), RNG.choice("MF"), RNG.choice(SURNAMES))
    c = child_of(h["birth"], h["name"][0], min_age=22, max_age=45)
    c["dis"] = RNG.choice(["一级", "二级", "二级", "三级"])
    return [h, c]


def t_grandparents():
    h = person("户主", birth_for_age(60, 76), "M", RNG.choice(SURNAMES))
    s = spouse_of(h)
    g = [child_of(max(h["birth"], s["birth"]) + dt.timedelta(days=22 * 365), h["name"][0],
                  rel="孙子", min_age=5, max_age=16) for _ in range(RNG.choice([1, 2]))]
    return [h, s] + g


def t_single_adult():
    h = person("户主", birth_for_age(40, 60), RNG.choice("MF"), RNG.choice(SURNAMES))
    return [h]


# ------------------------------------------------- attributes & income ---
def fill_attributes(members, force_ill=False, force_dis=False):
    for p in members:
        a = age(p["birth"])
        if 6 <= a <= 18 or (19 <= a <= 22 and RNG.random() < 0.5):
            p["school"] = "是"
        if not p["dis"] and a >= 18 and RNG.random() < 0.10:
            p["dis"] = RNG.choice(["一级", "二级", "三级", "四级"])
        if a >= 30 and RNG.random() < 0.10:
            p["ill"] = "是"
    adults = [p for p in members if age(p["birth"]) >= 18]
    if force_ill and not any(p["ill"] for p in members):
        RNG.choice(adults)["ill"] = "是"
    if force_dis and not any(p["dis"] for p in members):
        RNG.choice(adults)["dis"] = RNG.choice(["二级", "三级"])
    for p in members:
        a = age(p["birth"])
        if a < 16 or p["school"]:
            p["labour"] = "无"
        elif p["dis"] in ("一级", "二级"):
            p["labour"] = RNG.choice(["无", "丧失劳动能力", "丧失劳动能力"])
        elif p["ill"] or p["dis"] or a >= 65:
            p["labour"] = "部分" if a < 70 and RNG.random() < 0.6 else "无"
        elif a >= 60:
            p["labour"] = "部分"
        else:
            p["labour"] = "有"


def set_incomes(members, above, urban):
    n = len(members)
    target = RNG.randint(830, 1300) if above else RNG.randint(120, 700)
    total = target * n
    pensions = 0
    for p in members:
        p["income"] = 0.0
        if age(p["birth"]) >= 60:
            p["income"] = float(RNG.choice([118, 123, 150, 168, 185, 210]) if not urban
                                else RNG.choice([0, 0, 260, 380, 520]))
            pensions += p["income"]
    earners = [(p, 1.0 if p["labour"] == "有" else 0.4) for p in members
               if p["labour"] in ("有", "部分") and age(p["birth"]) < 65]
    rest = max(0.0, total - pensions)
    if not earners:
        if above:
            members[0]["income"] += rest
        return
    wsum = sum(w for _, w in earners)
    for p, w in earners:
        v = rest * w / wsum
        p["income"] = float(round(v / 10) * 10) if RNG.random() < 0.7 else round(v, 2)
        if not above and p["income"] > 1500:
            p["income"] = 1500.0


# ---------------------------------------------------------- households ---
CAUSES_EXTRA = ["火灾", "交通事故", "意外伤害", "突发重大疾病", "房屋倒塌"]


def cause_of(h):
    ms = h["members"]
    if h["scheme"] == "临时救助":
        return h.get("cause") or RNG.choice(CAUSES_EXTRA)
    if h["scheme"] == "特困供养":
        return "年老无劳动能力、无赡养人" if age(ms[0]["birth"]) >= 60 else "无劳动能力、无生活来源"
    if any(p["dis"] for p in ms):
        return "因残"
    if any(p["ill"] for p in ms):
        return "因病"
    if len(ms) == 1 or all(age(p["birth"]) >= 60 for p in ms):
        return "年老体弱"
    if sum(1 for p in ms if p["school"]) >= 2:
        return "因学"
    return "失业" if h["urban"] else "缺乏劳动力"


def materials_of(h):
    ms = h["members"]
    out = ["身份证", "户口簿", "申请书", "授权书", "收入证明"]
    if any(p["dis"] for p in ms):
        out.append("残疾证")
    if any(p["ill"] for p in ms):
        out.append("诊断证明")
    if any(p["school"] for p in ms):
        out.append("在校证明")
    return out


USED_ADDR, USED_PHONE, USED_ACCT = set(), set(), set()


def address(town, village):
    while True:
        if village.endswith("社区"):
            a = (f"{town}{village}{RNG.randint(1, 24)}号楼{RNG.randint(1, 4)}单元"
                 f"{RNG.randint(1, 6)}0{RNG.randint(1, 2)}")
        else:
            a = f"{town}{village}{RNG.randint(1, 8)}组{RNG.randint(1, 66)}号"
        if a not in USED_ADDR:
            USED_ADDR.add(a)
            return a


def phone():
    while True:
        p = RNG.choice(["13", "15", "18"]) + str(RNG.randint(0, 9)) + f"{RNG.randrange(10**8):08d}"
        if p not in USED_PHONE:
            USED_PHONE.add(p)
            return p


BANKS = {"青禾县农村信用社": "622953", "中国邮政储蓄银行": "622188", "中国农业银行": "622848"}


def bank(urban):
    name = RNG.choice(["中国邮政储蓄银行", "中国邮政储蓄银行", "中国农业银行", "青禾县农村信用社"] if urban
                      else ["青禾县农村信用社", "青禾县农村信用社", "中国邮政储蓄银行"])
    while True:
        acct = BANKS[name] + f"{RNG.randrange(10**13):013d}"
        if acct not in USED_ACCT:
            USED_ACCT.add(acct)
            return name, acct


TEMPLATES = {
    "elder_alone": t_elder_alone, "elder_couple": t_elder_couple, "nuclear": t_nuclear,
    "three_gen": t_three_gen, "elder_with_son": t_elder_with_son, "single_parent": t_single_parent,
    "disabled_child": t_disabled_child, "grandparents": t_grandparents, "single_adult": t_single_adult,
}

# (scheme, template, village, flags) per household, per file
PLAN = {
    "城关镇": [
        ("城市低保", "nuclear", "东街社区", ""), ("城市低保", "single_parent", "东街社区", ""),
        ("城市低保", "elder_couple", "西街社区", ""), ("城市低保", "three_gen", "东街社区", ""),
        ("城市低保", "disabled_child", "西街社区", ""), ("城市低保", "nuclear", "西街社区", "ill"),
        ("城市低保", "single_adult", "东街社区", "ill"), ("城市低保", "elder_alone", "西街社区", ""),
        ("城市低保", "nuclear", "东街社区", ""), ("城市低保", "single_parent", "西街社区", ""),
        ("城市低保", "single_parent", "西街社区", ""), ("城市低保", "nuclear", "东街社区", "dis"),
        ("城市低保", "elder_couple", "东街社区", ""), ("城市低保", "single_parent", "东街社区", ""),
        ("城市低保", "nuclear", "西街社区", ""),
        ("特困供养", "elder_alone", "南关村", ""), ("特困供养", "elder_alone", "北关村", ""),
        ("特困供养", "elder_alone", "西街社区", ""),
        ("临时救助", "nuclear", "北关村", "ill"), ("临时救助", "single_adult", "东街社区", ""),
    ],
    "东河乡": [
        ("农村低保", "elder_with_son", "东河村", "big"), ("农村低保", "nuclear", "柳树村", ""),
        ("农村低保", "elder_couple", "石桥村", ""), ("农村低保", "three_gen", "东河村", "dis"),
        ("农村低保", "disabled_child", "柳树村", ""), ("农村低保", "grandparents", "石桥村", ""),
        ("农村低保", "nuclear", "东河村", "ill"), ("农村低保", "elder_alone", "柳树村", ""),
        ("农村低保", "single_parent", "石桥村", ""), ("农村低保", "nuclear", "柳树村", ""),
        ("农村低保", "elder_with_son", "石桥村", ""), ("农村低保", "elder_couple", "东河村", ""),
        ("临时救助", "nuclear", "柳树村", ""), ("临时救助", "single_adult", "东河村", "ill"),
        ("临时救助", "three_gen", "石桥村", ""),
    ],
    "西岭镇": [
        ("农村低保", "nuclear", "西岭村", ""), ("农村低保", "elder_couple", "杏园村", ""),
        ("农村低保", "three_gen", "马庄村", ""), ("农村低保", "disabled_child", "西岭村", ""),
        ("农村低保", "grandparents", "杏园村", ""), ("农村低保", "nuclear", "马庄村", "dis"),
        ("农村低保", "elder_with_son", "西岭村", ""), ("农村低保", "single_parent", "杏园村", ""),
        ("农村低保", "nuclear", "西岭村", "ill"), ("农村低保", "elder_couple", "马庄村", ""),
        ("特困供养", "elder_alone", "马庄村", ""), ("特困供养", "elder_alone", "西岭村", ""),
        ("特困供养", "elder_alone", "杏园村", ""),
        ("临时救助", "nuclear", "杏园村", ""), ("临时救助", "single_adult", "马庄村", ""),
    ],
}


def build():
    files = {}
    for town, plan in PLAN.items():
        hs = []
        for scheme, tmpl, village, flags in plan:
            members = TEMPLATES[tmpl]()
            while "big" in flags and len(members) < 6:  # one household of six
                members = TEMPLATES[tmpl]()
            fill_attributes(members, force_ill="ill" in flags, force_dis="dis" in flags)
            urban = village.endswith("社区")
            b, acct = bank(urban)
            hs.append(dict(town=town, village=village, scheme=scheme, template=tmpl, urban=urban,
                           hukou="城镇" if urban else "农村", members=members,
                           addr=address(town, village), phone=phone(), bank=b, acct=acct,
                           date=rand_date(D(2026, 10, 8), D(2026, 11, 6))))
        hs.sort(key=lambda h: h["date"])
        for i, h in enumerate(hs, 1):
            h["no"] = i
        files[town] = hs
    allh = [h for hs in files.values() for h in hs]
    # roughly a quarter of households above 800 yuan per capita (only where someone earns)
    can = [h for h in allh if any(p["labour"] in ("有", "部分") and age(p["birth"]) < 65
                                  for p in h["members"]) and h["scheme"] != "特困供养"]
    above = set(id(h) for h in RNG.sample(can, round(len(allh) * 0.26)))
    for h in allh:
        set_incomes(h["members"], id(h) in above, h["urban"])
        h["cause"] = cause_of(h)
        h["materials"] = materials_of(h)
    # some households forgot 收入证明 / 授权书
    pool = [h for h in allh if h["scheme"] != "特困供养"]
    no_income = RNG.sample(pool, 5)
    no_auth = RNG.sample([h for h in allh if h not in no_income], 3) + [no_income[0]]
    for h in no_income:
        h["materials"].remove("收入证明")
    for h in no_auth:
        h["materials"].remove("授权书")
    return files


# ------------------------------------------------------------ writing ---
HEADER_A = ["序号", "户主身份证号", "姓名", "身份证号", "与户主关系", "申请类别",
            "乡镇(街道)", "村(社区)", "住址", "联系电话", "申请日期", "户籍类型",
            "开户银行", "银行账号", "致困原因", "月收入(元)", "残疾等级", "重病",
            "在校", "劳动能力", "提供材料", "救助月数", "先行救助", "供养方式", "自理能力"]
HH_FIELDS = ["序号", "户主身份证号", "申请类别", "乡镇(街道)", "村(社区)", "住址", "联系电话",
             "申请日期", "户籍类型", "开户银行", "银行账号", "致困原因", "提供材料", "救助月数",
             "先行救助", "供养方式"]
COL = {h: i for i, h in enumerate(HEADER_A)}
TEXT_COLS = {"户主身份证号", "身份证号", "联系电话", "银行账号"}
WIDTHS = {"序号": 6, "户主身份证号": 21, "姓名": 9, "身份证号": 21, "与户主关系": 10,
          "申请类别": 10, "乡镇(街道)": 10, "村(社区)": 10, "住址": 30, "联系电话": 13,
          "申请日期": 12, "户籍类型": 9, "开户银行": 17, "银行账号": 22, "致困原因": 22,
          "月收入(元)": 11, "残疾等级": 9, "重病": 6, "在校": 6, "劳动能力": 13, "提供材料": 50,
          "救助月数": 9, "先行救助": 9, "供养方式": 9, "自理能力": 10}


def num(v):
    return int(v) if float(v).is_integer() else v


def num_text(v):
    v = num(v)
    return str(v) if isinstance(v, int) else f"{v:.2f}".rstrip("0").rstrip(".")


def row_values(h, i, p, date_value):
    row = [None] * len(HEADER_A)
    if i == 0:
        vals = {"序号": h["no"], "户主身份证号": h["members"][0]["id"], "申请类别": h["scheme"],
                "乡镇(街道)": h["town"], "村(社区)": h["village"], "住址": h["addr"],
                "联系电话": h["phone"], "申请日期": date_value, "户籍类型": h["hukou"],
                "开户银行": h["bank"], "银行账号": h["acct"], "致困原因": h["cause"],
                "提供材料": "、".join(h["materials"]), "救助月数": h.get("months"),
                "先行救助": "是" if h.get("urgent") else None, "供养方式": h.get("support") or None}
        for k, v in vals.items():
            row[COL[k]] = v
    row[COL["姓名"]] = p["name"]
    row[COL["身份证号"]] = p.get("written_id", p["id"])
    row[COL["与户主关系"]] = p["rel"]
    row[COL["月收入(元)"]] = num(p["income"])
    row[COL["残疾等级"]] = p["dis"] or None
    row[COL["重病"]] = p["ill"] or None
    row[COL["在校"]] = p["school"] or None
    row[COL["劳动能力"]] = p["labour"]
    row[COL["自理能力"]] = p.get("care") or None
    return row


def normalise_zip(path, when=(2026, 11, 6, 0, 0, 0)):
    with zipfile.ZipFile(path) as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-11-06T09:00:00Z", data)
            zi = zipfile.ZipInfo(name, date_time=when)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            z.writestr(zi, data)


def save(wb, path, creator):
    wb.properties.creator = creator
    wb.properties.lastModifiedBy = creator
    wb.properties.created = dt.datetime(2026, 11, 6, 9, 0, 0)
    wb.properties.modified = dt.datetime(2026, 11, 6, 9, 0, 0)
    wb.save(path)
    normalise_zip(path)


def write_chengguan(hs, path):
    wb = Workbook()
    ws = wb.active
    ws.title = "申请登记"
    n = len(HEADER_A)
    ws.cell(1, 1, "青禾县城关镇2026年11月社会救助申请登记表").font = Font(bold=True, size=16)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    ws.cell(2, 1, "填报单位：城关镇人民政府（民政办）    填报日期：2026年11月6日")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=n)
    for c, name in enumerate(HEADER_A, 1):
        ws.cell(3, c, name).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS[name]
    r, total = 4, 0.0
    for h in hs:
        start = r
        for i, p in enumerate(h["members"]):
            for c, v in enumerate(row_values(h, i, p, dt.datetime.combine(h["date"], dt.time())), 1):
                if v is None:
                    continue
                cell = ws.cell(r, c, v)
                if HEADER_A[c - 1] == "申请日期":
                    cell.number_format = "yyyy-mm-dd"
                elif HEADER_A[c - 1] in TEXT_COLS:
                    cell.number_format = "@"
            total += p["income"]
            p["row"] = r
            r += 1
        h["rows"] = (start, r - 1)
        if r - 1 > start:
            for f in HH_FIELDS:
                c = COL[f] + 1
                ws.merge_cells(start_row=start, start_column=c, end_row=r - 1, end_column=c)
                ws.cell(start, c).alignment = Alignment(vertical="center", wrap_text=(f == "提供材料"))
    ws.cell(r, 1, "合计")
    ws.cell(r, COL["月收入(元)"] + 1, num(round(total, 2)))
    ws.freeze_panes = "A4"
    save(wb, path, "城关镇民政办")
    return dict(header_row=3, last_row=r, total_row=r, total=round(total, 2))


def write_donghe(hs, path):
    rows = [["青禾县东河乡2026年11月社会救助申请登记"] + [""] * (len(HEADER_A) - 1), HEADER_A]
    for h in hs:
        start = len(rows) + 1
        for i, p in enumerate(h["members"]):
            d = h["date"]
            vals = row_values(h, i, p, f"{d.year}/{d.month}/{d.day}")
            rows.append(["" if v is None else (num_text(v) if k == COL["月收入(元)"] else str(v))
                         for k, v in enumerate(vals)])
            p["row"] = len(rows)
        h["rows"] = (start, len(rows))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    with open(path, "wb") as f:
        f.write(buf.getvalue().encode("gbk"))
    return dict(header_row=2, last_row=len(rows))


def write_xiling(hs, path):
    wb = Workbook()
    fam = wb.active
    fam.title = "家庭"
    fam.append(["序号", "户主姓名", "户主身份证号", "申请类别", "乡镇(街道)", "村(社区)", "住址", "联系电话",
                "申请日期", "户籍类型", "开户银行", "银行账号", "致困原因", "提供材料",
                "救助月数", "先行救助", "供养方式"])
    mem = wb.create_sheet("成员")
    mem.append(["户主身份证号", "姓名", "身份证号", "与户主关系", "月收入(元)", "残疾等级", "重病", "在校",
                "劳动能力", "自理能力"])
    for h in hs:
        head = h["members"][0]
        fam.append([h["no"], head["name"], head["id"], h["scheme"], h["town"], h["village"], h["addr"],
                    h["phone"], dt.datetime.combine(h["date"], dt.time()), h["hukou"], h["bank"],
                    h["acct"], h["cause"], "、".join(h["materials"]), h.get("months"),
                    "是" if h.get("urgent") else None, h.get("support") or None])
        fam.cell(fam.max_row, 9).number_format = "yyyy-mm-dd"
        h["rows"] = (fam.max_row, fam.max_row)
        for p in h["members"]:
            mem.append([head["id"], p["name"], p["id"], p["rel"], num(p["income"]), p["dis"] or None,
                        p["ill"] or None, p["school"] or None, p["labour"], p.get("care") or None])
            p["row"] = mem.max_row
    for ws, widths in ((fam, [6, 10, 21, 10, 10, 10, 24, 13, 12, 9, 17, 22, 22, 50, 9, 9, 9]),
                       (mem, [21, 10, 21, 10, 11, 9, 6, 6, 13, 10])):
        for i, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = "A2"
    save(wb, path, "西岭镇民政办")


# --------------------------------------------------------- registries ---
OTHER_CODES = ["130199"] * 6 + ["130123", "130102", "130104", "130181", "130125", "410102", "370102"]
CREMATORIA = ["青禾县殡仪馆", "青禾县殡仪馆", "青禾县殡仪馆", "石家庄市殡仪馆", "邻县殡仪馆"]
UNITS = ["青禾县人民政府办公室", "青禾县民政局", "青禾县财政局", "青禾县教育局", "青禾县第一中学",
         "青禾县第二中学", "青禾县人民医院", "青禾县中医院", "青禾县公安局", "青禾县自然资源局",
         "城关镇人民政府", "东河乡人民政府", "西岭镇人民政府", "城关镇中心小学", "东河乡中心小学",
         "西岭镇中心小学", "青禾县市场监督管理局", "青禾县税务局", "青禾县疾病预防控制中心"]
VEHICLE_TYPES = ["小型普通客车", "小型普通客车", "小型轿车", "轻型普通货车", "普通二轮摩托车",
                 "三轮汽车", "中型普通货车", "小型越野客车"]
PLATE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


def stranger(min_age, max_age, sex=None):
    sex = sex or RNG.choice("MF")
    b = birth_for_age(min_age, max_age)
    return make_name(RNG.choice(SURNAMES), b, sex), new_id(RNG.choice(OTHER_CODES), b, sex == "M"), b


def insert_at(rows, item):
    pos = RNG.randrange(3, len(rows) - 3)
    rows.insert(pos, item)
    return pos + 2  # sheet/file row: header is row 1


def write_registries(files):
    os.makedirs(REG, exist_ok=True)
    flat = {t: hs for t, hs in files.items()}

    def pick(town, pred):
        for h in flat[town]:
            if h.get("fault"):
                continue
            for p in h["members"]:
                if pred(h, p):
                    return h, p
        raise RuntimeError(f"no candidate in {town}")

    hits = []
    # deaths: a non-head elderly member in 城关镇
    h, p = pick("城关镇", lambda h, p: p["rel"] not in ("户主", "本人") and age(p["birth"]) >= 55)
    rows = []
    for _ in range(60):
        n, i, b = stranger(58, 96)
        rows.append([n, i, rand_date(D(2025, 1, 1), D(2026, 10, 31)), RNG.choice(CREMATORIA)])
    rows.sort(key=lambda x: x[2])
    death_date = D(2026, 9, 17)
    hit = [p["name"], p["id"], death_date, "青禾县殡仪馆"]
    pos = next(i for i, x in enumerate(rows) if x[2] > death_date)
    rows.insert(pos, hit)
    wb = Workbook()
    ws = wb.active
    ws.title = "死亡人员"
    # 火化日期 (the policy's deaths evidence asks for it) is derived from the death date, not drawn from RNG.
    ws.append(["姓名", "身份证号", "死亡日期", "火化日期", "火化地点"])
    for r in rows:
        cremated = r[2] + dt.timedelta(days=1 + r[2].toordinal() % 3)
        ws.append([r[0], r[1], dt.datetime.combine(r[2], dt.time()), dt.datetime.combine(cremated, dt.time()), r[3]])
        ws.cell(ws.max_row, 3).number_format = "yyyy-mm-dd"
        ws.cell(ws.max_row, 4).number_format = "yyyy-mm-dd"
    for c, w in zip("ABCDE", [10, 21, 12, 12, 16]):
        ws.column_dimensions[c].width = w
    save(wb, os.path.join(REG, "deaths.xlsx"), "青禾县殡葬管理所")
    hits.append(dict(file="registries/deaths.xlsx", row=pos + 2, name=p["name"], id=p["id"],
                     rel=p["rel"], household=h, what=f"死亡日期 {death_date}"))

    # vehicles: a member (not the head) in 东河乡
    h, p = pick("东河乡", lambda h, p: p["rel"] in ("子", "女", "配偶") and 25 <= age(p["birth"]) <= 55)
    rows = []

    def plate():
        return "冀" + RNG.choice("AAHF") + "·" + "".join(RNG.choice(PLATE_CHARS) for _ in range(5))
    for _ in range(120):
        n, i, b = stranger(20, 70)
        rows.append([n, i, plate(), RNG.choice(VEHICLE_TYPES),
                     rand_date(max(D(2008, 1, 1), D(b.year + 19, 1, 1)), D(2026, 10, 30))])
    hitrow = [p["name"], p["id"], plate(), "小型普通客车", D(2025, 6, 12)]
    vrow = insert_at(rows, hitrow)
    with open(os.path.join(REG, "vehicles.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["车主姓名", "身份证号码", "号牌号码", "车辆类型", "登记日期"])
        for r in rows:
            w.writerow(r[:4] + [r[4].isoformat()])
    hits.append(dict(file="registries/vehicles.csv", row=vrow, name=p["name"], id=p["id"],
                     rel=p["rel"], household=h, what=f"{hitrow[2]} 小型普通客车, 登记 2025-06-12"))

    # payroll: a working-age head in 西岭镇
    h, p = pick("西岭镇", lambda h, p: p["rel"] == "户主" and 25 <= age(p["birth"]) <= 58)
    rows = []
    for _ in range(80):
        n, i, b = stranger(23, 59)
        rows.append([n, i, RNG.choice(UNITS), round(RNG.uniform(3600, 8600), 2)])
    prow = insert_at(rows, [p["name"], p["id"], "西岭镇中心小学", 4870.0])
    wb = Workbook()
    ws = wb.active
    ws.title = "财政供养人员"
    ws.append(["姓名", "公民身份号码", "单位", "月工资"])
    for r in rows:
        ws.append(r)
        ws.cell(ws.max_row, 4).number_format = "0.00"
    for c, wd in zip("ABCD", [10, 21, 24, 10]):
        ws.column_dimensions[c].width = wd
    save(wb, os.path.join(REG, "payroll.xlsx"), "青禾县财政局")
    hits.append(dict(file="registries/payroll.xlsx", row=prow, name=p["name"], id=p["id"],
                     rel=p["rel"], household=h, what="西岭镇中心小学, 月工资 4870.00"))

    # relatives: an applicant (head) in 城关镇, relative of a 民政 staff member
    h, p = pick("城关镇", lambda h, p: p["rel"] == "户主" and h["scheme"] == "城市低保"
                and age(p["birth"]) < 60 and h is not hits[0]["household"])
    rels = ["配偶", "父亲", "母亲", "子", "女", "兄弟姐妹", "岳父", "岳母", "公公", "婆婆"]
    rows = []
    for _ in range(30):
        n, i, b = stranger(18, 85)
        rel = RNG.choice(rels)
        sb = birth_for_age(25, 58)
        same = rel in ("父亲", "子", "女", "兄弟姐妹")  # staff shares the relative's surname
        staff = make_name(n[0] if same else RNG.choice(SURNAMES), sb, RNG.choice("MF"))
        rows.append([n, i, rel, staff,
                     RNG.choice(["青禾县民政局", "城关镇人民政府", "东河乡人民政府", "西岭镇人民政府",
                                 "青禾县社会救助服务中心"])])
    staff = make_name(p["name"][0], p["birth"] + dt.timedelta(days=RNG.randint(-2000, 2000)), RNG.choice("MF"))
    rrow = insert_at(rows, [p["name"], p["id"], "兄弟姐妹", staff, "青禾县民政局"])
    wb = Workbook()
    ws = wb.active
    ws.title = "近亲属备案"
    ws.append(["姓名", "证件号码", "亲属关系", "工作人员姓名", "工作单位"])
    for r in rows:
        ws.append(r)
    for c, wd in zip("ABCDE", [10, 21, 10, 12, 22]):
        ws.column_dimensions[c].width = wd
    save(wb, os.path.join(REG, "relatives.xlsx"), "青禾县民政局")
    hits.append(dict(file="registries/relatives.xlsx", row=rrow, name=p["name"], id=p["id"],
                     rel=p["rel"], household=h, what=f"兄弟姐妹 of staff {staff} (青禾县民政局)"))
    counts = {}
    for key, fn in (("deaths", "deaths.xlsx"), ("payroll", "payroll.xlsx"), ("relatives", "relatives.xlsx")):
        from openpyxl import load_workbook
        counts[key] = load_workbook(os.path.join(REG, fn)).active.max_row - 1
    with open(os.path.join(REG, "vehicles.csv"), encoding="utf-8") as f:
        counts["vehicles"] = sum(1 for _ in f) - 1
    return hits, counts


# ------------------------------------------------------------- faults ---
def plant_faults(donghe):
    """Two realistic mistakes in the 东河乡 csv; returns descriptions."""
    faults = []
    # 1. wrong check character on a child's ID (a digit mistyped at the end)
    h = next(x for x in donghe[4:] if len(x["members"]) < 6
             and any(m["rel"] in ("子", "女") for m in x["members"]))
    p = next(x for x in h["members"] if x["rel"] in ("子", "女"))
    good = p["id"]
    bad = good[:17] + CHECK[(CHECK.index(good[17]) + 5) % 11]
    p["written_id"] = bad
    h["fault"] = f"{p['name']} ({p['rel']}) 身份证号 written {bad}: wrong check character (should be {good[17]})"
    faults.append((h, p, bad, "wrong check character"))
    # 2. a spouse's ID mangled by Excel into 1.30199E+17
    h = next(x for x in donghe[8:] if any(m["rel"] == "配偶" and m["id"].startswith("130199")
                                          for m in x["members"]))
    p = next(m for m in h["members"] if m["rel"] == "配偶" and m["id"].startswith("130199"))
    p["written_id"] = "1.30199E+17"
    h["fault"] = f"{p['name']} ({p['rel']}) 身份证号 written 1.30199E+17 (Excel scientific notation; real ID lost)"
    faults.append((h, p, "1.30199E+17", "Excel-mangled"))
    return faults


# ------------------------------------------------------------- extras ---
# Everything below is derived from the data above or drawn from EXTRA_RNG, never from RNG, so that
# adding it changed no earlier value.
EXTRA_RNG = random.Random(20261121)
MONTHS_CYCLE = [2, 3, 1, 4, 6, 5]           # 临时救助 救助月数 by 序号: (序号 - 1) mod 6
URGENT = ("西岭镇", 3)                       # the one 先行救助 household (刘雪, 救助月数 1)
CARE_LEVELS = ["不能自理", "部分自理", "部分自理"]  # 特困 members, oldest first; the rest 能自理


def assign_extras(files):
    """救助月数 / 先行救助 for 临时救助, 供养方式 / 自理能力 for 特困供养 — no randomness."""
    allh = [h for hs in files.values() for h in hs]
    for h in allh:
        if h["scheme"] == "临时救助":
            h["months"] = MONTHS_CYCLE[(h["no"] - 1) % len(MONTHS_CYCLE)]
            h["urgent"] = (h["town"], h["no"]) == URGENT
    urgent = [h for h in allh if h.get("urgent")]
    assert len(urgent) == 1 and urgent[0]["town"] == "西岭镇" and urgent[0]["months"] <= 2
    tekun = [h for h in allh if h["scheme"] == "特困供养"]
    people = sorted(((p["birth"], h, p) for h in tekun for p in h["members"]), key=lambda x: x[0])
    for i, (_, h, p) in enumerate(people):
        p["care"] = CARE_LEVELS[i] if i < len(CARE_LEVELS) else "能自理"
    # the oldest, who cannot look after himself or herself, lives in the 敬老院 (集中供养)
    for h in tekun:
        h["support"] = "集中" if h is people[0][1] else "分散"
    assert {p["care"] for _, _, p in people} == {"能自理", "部分自理", "不能自理"}


def add_private_household(files):
    """城关镇 序号21: a 城市低保 household whose 致困原因 is 因病(艾滋病) — never publicly posted.

    Called after the registries are written, so its names and IDs avoid every registry entry too."""
    r = EXTRA_RNG
    hs = files["城关镇"]

    def nid(birth, male):
        while True:
            seq = r.randrange(1000)
            if (seq % 2 == 1) != male:
                continue
            body = f"130199{birth:%Y%m%d}{seq:03d}"
            pid = body + check_char(body)
            if pid not in USED_IDS:
                USED_IDS.add(pid)
                return pid

    def nname(surname, birth, sex):
        while True:
            n = surname + r.choice(GIVEN[(era(birth), sex)])
            if n not in USED_NAMES:
                USED_NAMES.add(n)
                return n

    sur = r.choice(SURNAMES)
    hb, cb = D(1986, 3, 14), D(2013, 9, 2)
    head = dict(rel="户主", birth=hb, sex="M", name=nname(sur, hb, "M"), id=nid(hb, True), dis="",
                ill="是", school="", labour="部分", income=560.0)
    child = dict(rel="女", birth=cb, sex="F", name=nname(sur, cb, "F"), id=nid(cb, False), dis="",
                 ill="", school="是", labour="无", income=0.0)
    while True:
        addr = f"城关镇西街社区{r.randint(1, 24)}号楼{r.randint(1, 4)}单元{r.randint(1, 6)}0{r.randint(1, 2)}"
        if addr not in USED_ADDR:
            USED_ADDR.add(addr)
            break
    while True:
        ph = r.choice(["13", "15", "18"]) + str(r.randint(0, 9)) + f"{r.randrange(10**8):08d}"
        if ph not in USED_PHONE:
            USED_PHONE.add(ph)
            break
    bname = "中国邮政储蓄银行"
    while True:
        acct = BANKS[bname] + f"{r.randrange(10**13):013d}"
        if acct not in USED_ACCT:
            USED_ACCT.add(acct)
            break
    assert hs[-1]["date"] <= TODAY
    h = dict(town="城关镇", village="西街社区", scheme="城市低保", template="single_parent", urban=True,
             hukou="城镇", members=[head, child], addr=addr, phone=ph, bank=bname, acct=acct, date=TODAY,
             no=len(hs) + 1, cause="因病(艾滋病)", private=True)
    h["materials"] = materials_of(h)
    hs.append(h)
    assert h["no"] == 21 and per_capita(h) < 860
    return h


VISITS_HEADER = ["户主身份证号", "调查日期", "调查人", "调查情况", "签字", "调查层级"]
VILLAGE_STAFF = {  # surnames outside SURNAMES, so no investigator shares a name with anyone else
    "城关镇": ["郑海波", "冯晓梅", "韩志勇", "曹丽萍"],
    "东河乡": ["彭建新", "邓玉洁", "许国强", "沈秀云"],
    "西岭镇": ["蒋立军", "谢春燕", "宋长海", "唐慧敏"],
}
TOWNSHIP_STAFF = {
    "城关镇": ["董志远", "梁雅琴", "杜文斌"],
    "东河乡": ["于德明", "萧丽君", "程广平"],
    "西岭镇": ["袁立华", "邵红英", "范振东"],
}
NO_VISIT = ("东河乡", 8)           # no visit at all: verify flags the missing 入户调查
ONE_INVESTIGATOR = ("西岭镇", 12)  # village visit by one investigator only: flagged too


def write_visits(files, path):
    """One village visit per household (except NO_VISIT), then one township re-visit per household
    (except NO_VISIT). Households the intake rejects (the two faults) are left out."""
    for staff in list(VILLAGE_STAFF.values()) + list(TOWNSHIP_STAFF.values()):
        assert not set(staff) & USED_NAMES
    hs = [h for t in ("城关镇", "东河乡", "西岭镇") for h in files[t]
          if not h.get("fault") and (h["town"], h["no"]) != NO_VISIT]
    assert len([h for h in files["东河乡"] if h["no"] == NO_VISIT[1] and not h.get("fault")]) == 1
    pairs = lambda staff: [(a, b) for i, a in enumerate(staff) for b in staff[i + 1:]]
    village, township, info = [], [], {}
    for h in hs:
        vp = pairs(VILLAGE_STAFF[h["town"]])
        a, b = vp[(h["no"] - 1) % len(vp)]
        who = a if (h["town"], h["no"]) == ONE_INVESTIGATOR else f"{a}、{b}"
        when = D(2026, 11, 10) if h["no"] % 2 else D(2026, 11, 11)
        village.append([h["members"][0]["id"], when.isoformat(), who, "家庭情况与申报一致", "是", "村"])
        h["visit_row"] = len(village) + 1
        h["visit_village"] = (when.isoformat(), who)
    for h in hs:
        tp = pairs(TOWNSHIP_STAFF[h["town"]])
        a, b = tp[(h["no"] - 1) % len(tp)]
        township.append([h["members"][0]["id"], "2026-11-12", f"{a}、{b}", "复核属实，与申报一致", "是", "乡镇"])
        h["revisit_row"] = len(village) + len(township) + 1
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(VISITS_HEADER)
        w.writerows(village + township)
    return dict(village=len(village), township=len(township), rows=len(village) + len(township))


# ------------------------------------------------------------ README ---
def per_capita(h):
    return sum(p["income"] for p in h["members"]) / len(h["members"])


def hh_label(h):
    return f"{h['town']} 序号{h['no']} ({h['members'][0]['name']})"


def write_readme(files, info, faults, hits):
    faults = sorted(faults, key=lambda f: f[1]["row"])
    fnames = {"城关镇": "inbox/2026-11/城关镇-申请登记表.xlsx", "东河乡": "inbox/2026-11/东河乡-申请登记.csv",
              "西岭镇": "inbox/2026-11/西岭镇-申请登记.xlsx"}
    allh = [h for hs in files.values() for h in hs]
    nm = sum(len(h["members"]) for h in allh)
    L = []
    a = L.append
    a("# Example county: 青禾县 (130199), November 2026")
    a("")
    a("A fictional county for trying the monthly run end to end. Everything here is generated by")
    a("`python3 examples/county/make_example.py` (openpyxl; `random.Random(2026)`, byte-stable);")
    a("do not hand-edit — change the script and regenerate. All people are fictional; IDs are")
    a("checksum-valid but invented.")
    a("")
    a(f"Totals: **{len(allh)} households, {nm} members** in three township registers.")
    a("")
    a("## Inbox files")
    a("")
    a("| file | shape | households | members | schemes | layout |")
    a("| --- | --- | --- | --- | --- | --- |")
    for t, hs in files.items():
        sc = {}
        for h in hs:
            sc[h["scheme"]] = sc.get(h["scheme"], 0) + 1
        sch = ", ".join(f"{k} {v}" for k, v in sc.items())
        m = sum(len(h["members"]) for h in hs)
        lay = {"城关镇": f"sheet 申请登记; title rows 1–2 (merged), header row 3, data rows 4–{info['城关镇']['total_row']-1}, "
                      f"totals row {info['城关镇']['total_row']} (合计, 月收入 {num_text(info['城关镇']['total'])}); "
                      "household cells merged vertically; 申请日期 real date cells",
               "东河乡": f"GBK (no BOM, CRLF); title row 1, header row 2, data rows 3–{info['东河乡']['last_row']}; "
                      "household cells only on the first member row; 申请日期 text like `2026/10/15`",
               "西岭镇": f"sheets 家庭 (header row 1, rows 2–{len(hs)+1}) and 成员 (header row 1, rows 2–{m+1}); "
                      "申请日期 real date cells"}[t]
        shape = "b (per household)" if t == "西岭镇" else "a (per member)"
        a(f"| `{fnames[t]}` | {shape} | {len(hs)} | {m} | {sch} | {lay} |")
    a("")
    a("## Deliberate mistakes (exactly two, both in the 东河乡 csv)")
    a("")
    a("| csv line | household | person | written ID | problem |")
    a("| --- | --- | --- | --- | --- |")
    for h, p, bad, what in faults:
        a(f"| {p['row']} | 序号{h['no']} {h['members'][0]['name']} (rows {h['rows'][0]}–{h['rows'][1]}, "
          f"{len(h['members'])} members) | {p['name']} ({p['rel']}) | `{bad}` | {what}; true ID {p['id']} |")
    a("")
    valid_h = len(allh) - len(faults)
    valid_m = nm - sum(len(h["members"]) for h, *_ in faults)
    a(f"An importer that rejects a household with any invalid ID accepts **{valid_h} households / {valid_m} members** "
      f"and rejects {len(faults)} households / {nm - valid_m} member rows (东河乡: "
      f"{len(files['东河乡']) - len(faults)} households accepted). Every other ID validates.")
    a("")
    a("## Households missing materials")
    a("")
    a("Base materials are 身份证、户口簿、申请书、授权书、收入证明, plus 残疾证 when someone is disabled, "
      "诊断证明 when someone is seriously ill, 在校证明 when someone is in school. These households omit one:")
    a("")
    a("| household | missing |")
    a("| --- | --- |")
    for h in allh:
        base = ["授权书", "收入证明"]
        miss = [x for x in base if x not in h["materials"]]
        if miss:
            a(f"| {hh_label(h)} | {'、'.join(miss)} |")
    a("")
    a("## Per-capita monthly income above 800 yuan")
    a("")
    ab = [h for h in allh if per_capita(h) > 800]
    a(f"{len(ab)} of {len(allh)} households:")
    a("")
    for h in ab:
        a(f"- {hh_label(h)}: {len(h['members'])} member{'s' if len(h['members']) > 1 else ''}, per capita {per_capita(h):.2f}")
    a("")
    a("## Assistance columns (at the end of every register)")
    a("")
    a("Four columns follow 提供材料 in 城关镇 and 东河乡 (household cells merged / only on the first member "
      "row, like the other household cells; 自理能力 per member), and end the 西岭镇 sheets (家庭: 救助月数, "
      "先行救助, 供养方式; 成员: 自理能力). Blank wherever the scheme does not use them.")
    a("")
    a("| column | level | filled for | values |")
    a("| --- | --- | --- | --- |")
    a("| 救助月数 | household | every 临时救助 household | 1–6 (months of need, from the 序号: "
      f"{', '.join(map(str, MONTHS_CYCLE))}, … for 序号 1, 2, 3, …) |")
    a("| 先行救助 | household | one 临时救助 household | 是 (urgent: paid first, approved after) |")
    a("| 供养方式 | household | every 特困供养 household | 集中 (one) / 分散 |")
    a("| 自理能力 | member | members of 特困供养 households | 能自理 / 部分自理 / 不能自理 |")
    a("")
    a("| household | scheme | 救助月数 | 先行救助 | 供养方式 | 自理能力 |")
    a("| --- | --- | --- | --- | --- | --- |")
    for h in allh:
        if h["scheme"] in ("临时救助", "特困供养"):
            care = "、".join(f"{p['name']} {p['care']}" for p in h["members"] if p.get("care"))
            a(f"| {hh_label(h)}{' — rejected at intake' if h.get('fault') else ''} | {h['scheme']} "
              f"| {h.get('months') or ''} | {'是' if h.get('urgent') else ''} | {h.get('support') or ''} | {care} |")
    a("")
    u = next(h for h in allh if h.get("urgent"))
    a(f"**Urgent household (先行救助):** {hh_label(u)}, {len(u['members'])} members, 救助月数 {u['months']}, "
      f"per capita {per_capita(u):.2f}; 家庭 row {u['rows'][0]}. It is paid first and approved after.")
    a("")
    pv = info["private"]
    ph = pv["members"][0]
    a("## Private household (never publicly posted)")
    a("")
    a(f"{hh_label(pv)}, {pv['village']}, {pv['scheme']}: 致困原因 `{pv['cause']}`. It was added after the "
      "others (last 序号, rows just above the totals row) and must never appear on any public notice (隐私保护).")
    a("")
    a("| row | person | relation | ID | born | 月收入 | 重病 | 在校 | 劳动能力 |")
    a("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for p in pv["members"]:
        a(f"| {p['row']} | {p['name']} | {p['rel']} | {p['id']} | {p['birth']} | {num_text(p['income'])} "
          f"| {p['ill']} | {p['school']} | {p['labour']} |")
    a("")
    a(f"Per capita {per_capita(pv):.2f}; materials complete ({'、'.join(pv['materials'])}); 申请日期 {pv['date']}. "
      f"The 城关镇 totals row (合计) includes its income: {num_text(info['城关镇']['total'])}.")
    a("")
    a("## Home visits")
    a("")
    vi = info["visits"]
    nv = next(h for h in allh if (h["town"], h["no"]) == NO_VISIT)
    one = next(h for h in allh if (h["town"], h["no"]) == ONE_INVESTIGATOR)
    a("`visits/2026-11-入户调查.csv` (UTF-8, no BOM, LF; header row 1: "
      f"{', '.join(VISITS_HEADER)}) holds {vi['rows']} rows: {vi['village']} village home visits (调查层级 村, "
      "2026-11-10 or 2026-11-11, two village investigators, 签字 是), rows "
      f"2–{vi['village'] + 1}, then {vi['township']} township re-visits (乡镇, 2026-11-12, two township "
      f"investigators), rows {vi['village'] + 2}–{vi['rows'] + 1}. Rows are keyed by 户主身份证号. The re-visits "
      "cover every visited household, so the file does not depend on the program's sample draw.")
    a("")
    a("- The two households the intake rejects (the deliberate mistakes above) have no rows.")
    a(f"- **No visit at all:** {hh_label(nv)} ({nv['members'][0]['id']}) — neither a village visit nor a "
      "re-visit; verify must flag the missing 入户调查.")
    a(f"- **One investigator only:** {hh_label(one)} ({one['members'][0]['id']}) — its village visit (row "
      f"{one['visit_row']}, {one['visit_village'][0]}) names only {one['visit_village'][1]}; verify must flag "
      f"it (fewer than two investigators). Its township re-visit (row {one['revisit_row']}) is in order.")
    a("")
    a("## Registries (for matching)")
    a("")
    a("| file | sheet / format | columns | rows |")
    a("| --- | --- | --- | --- |")
    a(f"| `registries/deaths.xlsx` | sheet 死亡人员 | 姓名, 身份证号, 死亡日期 (date), 火化日期 (date), 火化地点 | {info['reg']['deaths']} |")
    a(f"| `registries/vehicles.csv` | UTF-8 (no BOM), LF | 车主姓名, 身份证号码, 号牌号码, 车辆类型, 登记日期 (YYYY-MM-DD) | {info['reg']['vehicles']} |")
    a(f"| `registries/payroll.xlsx` | sheet 财政供养人员 | 姓名, 公民身份号码, 单位, 月工资 | {info['reg']['payroll']} |")
    a(f"| `registries/relatives.xlsx` | sheet 近亲属备案 | 姓名, 证件号码, 亲属关系, 工作人员姓名, 工作单位 | {info['reg']['relatives']} |")
    a("")
    a("Header is row 1 in each; rows below are data rows. Apart from the planted hits nobody in the "
      "registries shares an ID or a name with any applicant.")
    a("")
    a("### Planted hits")
    a("")
    a("| file | row | person | ID | role | household | detail |")
    a("| --- | --- | --- | --- | --- | --- | --- |")
    for x in hits:
        a(f"| `{x['file']}` | {x['row']} | {x['name']} | {x['id']} | {x['rel']} | {hh_label(x['household'])} "
          f"| {x['what']} |")
    a("")
    a("(row = sheet row as Excel shows it / line number in the csv, header = 1)")
    a("")
    a("## Regenerating")
    a("")
    a("```")
    a("pip install openpyxl")
    a("python3 examples/county/make_example.py")
    a("```")
    a("")
    a("`expected.json` beside this file carries the same facts in machine-readable form, plus every household "
      "(file, 序号, head, member count, sheet/csv rows — for 西岭镇 the 家庭 row and the 成员 rows), the "
      "assistance columns, the urgent and private households, the 城关镇 totals row and the visit rows.")
    with open(os.path.join(HERE, "README.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(L) + "\n")

    exp = dict(
        households=len(allh), members=nm,
        files={fnames[t]: dict(households=len(hs), members=sum(len(h["members"]) for h in hs),
                               households_valid=len([h for h in hs if not h.get("fault")]),
                               members_valid=sum(len(h["members"]) for h in hs if not h.get("fault")))
               for t, hs in files.items()},
        household_list=[dict(file=fnames[h["town"]], no=h["no"], scheme=h["scheme"], village=h["village"],
                             head=h["members"][0]["name"], head_id=h["members"][0]["id"],
                             members=len(h["members"]), rows=list(h["rows"]),
                             member_rows=[p["row"] for p in h["members"]] if h["town"] == "西岭镇" else None,
                             date=h["date"].isoformat(), valid=not h.get("fault"),
                             per_capita_income=round(per_capita(h), 2))
                        for h in allh],
        faults=[dict(file=fnames["东河乡"], line=p["row"], household_no=h["no"], name=p["name"],
                     written_id=bad, true_id=p["id"], kind=what) for h, p, bad, what in faults],
        missing_materials=[dict(file=fnames[h["town"]], household_no=h["no"], head=h["members"][0]["name"],
                                missing=[x for x in ["授权书", "收入证明"] if x not in h["materials"]])
                           for h in allh if not {"授权书", "收入证明"} <= set(h["materials"])],
        above_800_per_capita=[dict(file=fnames[h["town"]], household_no=h["no"], head=h["members"][0]["name"],
                                   per_capita=round(per_capita(h), 2)) for h in ab],
        assistance=[dict(file=fnames[h["town"]], household_no=h["no"], head=h["members"][0]["name"],
                         scheme=h["scheme"], valid=not h.get("fault"), months=h.get("months"),
                         urgent=bool(h.get("urgent")), support_mode=h.get("support"),
                         self_care={p["name"]: p["care"] for p in h["members"] if p.get("care")} or None)
                    for h in allh if h["scheme"] in ("临时救助", "特困供养")],
        urgent=[dict(file=fnames[h["town"]], household_no=h["no"], head=h["members"][0]["name"],
                     head_id=h["members"][0]["id"], months=h["months"]) for h in allh if h.get("urgent")],
        private=[dict(file=fnames[h["town"]], household_no=h["no"], head=h["members"][0]["name"],
                      head_id=h["members"][0]["id"], members=[dict(name=p["name"], id=p["id"], relation=p["rel"],
                                                                   income=num(p["income"]), row=p["row"])
                                                              for p in h["members"]],
                      rows=list(h["rows"]), cause=h["cause"], per_capita_income=round(per_capita(h), 2))
                 for h in allh if h.get("private")],
        chengguan_totals=dict(row=info["城关镇"]["total_row"], income=num(info["城关镇"]["total"])),
        visits=dict(file="visits/2026-11-入户调查.csv", rows=vi["rows"], village=vi["village"],
                    township=vi["township"],
                    without_visit=[dict(file=fnames[nv["town"]], household_no=nv["no"],
                                        head=nv["members"][0]["name"], head_id=nv["members"][0]["id"])],
                    one_investigator=[dict(file=fnames[one["town"]], household_no=one["no"],
                                           head=one["members"][0]["name"], head_id=one["members"][0]["id"],
                                           row=one["visit_row"], investigators=one["visit_village"][1])],
                    households=[dict(file=fnames[h["town"]], household_no=h["no"], head=h["members"][0]["name"],
                                     village_row=h["visit_row"], township_row=h["revisit_row"])
                                for h in allh if h.get("visit_row")]),
        registry_hits=[dict(file=x["file"], row=x["row"], name=x["name"], id=x["id"], relation=x["rel"],
                            household_file=fnames[x["household"]["town"]], household_no=x["household"]["no"],
                            head=x["household"]["members"][0]["name"]) for x in hits],
    )
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(exp, f, ensure_ascii=False, indent=2)
        f.write("\n")


# Dynamic management (动态管理): a few follow-up visits (回访) of households in force after the example month, and
# the month's complaints (信访). Fixed rows, no RNG. One visit finds that the head of 周志强's household (城市低保,
# 4 members, no income) now earns 1200.00 a month: the next `decide` proposes a 减发. One complaint, received in
# August and never answered, is past its 60-day reply date.
FOLLOWUPS_HEADER = ["户主身份证号", "回访日期", "回访人", "困难类别", "回访情况", "变化类型", "变化成员身份证号", "变化后月收入"]
FOLLOWUPS = [
    ["130199198907040338", "2026-11-25", "郑海波、冯晓梅", "一般困难", "户主周志强已在县城物流公司务工, 月工资约1200元",
     "收入变化", "130199198907040338", "1200.00"],
    ["130199199111286652", "2026-11-25", "郑海波、冯晓梅", "特殊困难", "单亲家庭, 两个孩子在校, 无收入", "无变化", "", ""],
    ["130199195011241694", "2026-11-26", "冯晓梅、韩志勇", "一般困难", "老两口身体尚可, 情况与申报一致", "", "", ""],
]
COMPLAINTS_HEADER = ["收到日期", "信访方式", "信访人", "信访事项", "户主身份证号", "承办人", "处理结果", "答复日期"]
COMPLAINTS = [
    ["2026-08-20", "电话", "匿名", "反映东河乡某村低保户家中有小汽车", "", "李明", "", ""],
    ["2026-11-05", "来访", "周某", "询问城市低保申请审批进度", "130199198907040338", "李明", "已告知审批进度和公示时间",
     "2026-11-06"],
    ["2026-11-18", "网络", "王某", "反映公示名单中一户人口数有误", "", "王芳", "", ""],
]


# Active discovery (主动发现): a village sweep register (遇困人员花名册) of people in no case, and the townships'
# answers to the investigation worksheet (入户调查评估, by ID number; run-month.sh puts them on the worksheet's
# rows): an assisted application, a referral, a household into the monitored population, one needing no
# assistance with the policy explained, and a visit that did not see the person (it stays open). Fixed rows.
DISCOVERIES_HEADER = ["发现日期", "发现渠道", "姓名", "身份证号", "乡镇(街道)", "村(社区)", "困难情况", "报告人"]
DISCOVERIES = [
    ["2026-11-02", "摸排走访", "赵桂兰", "130199194803120028", "城关镇", "南关村", "独居老人，腿脚不便，无固定收入",
     "南关村 刘明"],
    ["2026-11-03", "12345/救助热线", "钱建国", "130199197906150039", "西岭镇", "杏园村",
     "妻子患尿毒症，每月透析自付约 3000 元", "12345 热线"],
    ["2026-11-04", "监测预警", "孙小梅", "130199200108220041", "东河乡", "柳树村", "大学在读，父亲去世，母亲务农",
     "县大数据平台"],
    ["2026-11-05", "摸排走访", "李老四", "130199195601010052", "城关镇", "北关村", "房屋漏雨", "北关村 王强"],
    ["2026-11-05", "信访", "周大勇", "130199196509090066", "西岭镇", "马庄村", "务工受伤失去收入", "县信访局"],
]
INVESTIGATIONS_HEADER = ["身份证号", "调查日期", "调查人", "见到本人", "调查情况", "对策建议", "处理结果", "转介部门",
                         "申请类别", "监测类别", "困难类别", "未予救助原因", "已做政策解释"]
INVESTIGATIONS = [
    ["130199194803120028", "2026-11-10", "刘明、王芳", "是", "独居，无收入，无赡养人", "协助申请农村低保", "协助申请", "",
     "农村低保", "", "", "", ""],
    ["130199197906150039", "2026-11-05", "张强、赵丽", "是", "妻子透析，医保报销后自付仍高", "转介医保部门申请医疗救助",
     "转介", "医疗保障局", "", "", "", "", ""],
    ["130199200108220041", "2026-11-09", "张强、赵丽", "是", "在读大学生，母亲务农，人均收入略高于低保标准",
     "纳入低收入人口监测，每季度回访", "纳入监测", "", "", "支出型困难家庭", "一般困难", "", ""],
    ["130199195601010052", "2026-11-12", "刘明、王芳", "是", "子女按月赡养，收入高于低保标准", "协调村里修缮房屋", "无需救助",
     "", "", "", "", "家庭收入高于低保标准", "是"],
    ["130199196509090066", "2026-11-13", "张强、赵丽", "否", "家中无人，邻居称外出就医", "再次入户", "待定", "", "", "", "",
     "", ""],
]


def write_discoveries(register_path, answers_path):
    for path, header, rows in ((register_path, DISCOVERIES_HEADER, DISCOVERIES),
                               (answers_path, INVESTIGATIONS_HEADER, INVESTIGATIONS)):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)


def write_dynamic(followups_path, complaints_path):
    for path, header, rows in ((followups_path, FOLLOWUPS_HEADER, FOLLOWUPS),
                               (complaints_path, COMPLAINTS_HEADER, COMPLAINTS)):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)


def main():
    os.makedirs(INBOX, exist_ok=True)
    files = build()
    faults = plant_faults(files["东河乡"])
    assign_extras(files)
    applicant_names = set(USED_NAMES)
    # The registries are drawn (from RNG) before the 艾滋病 household is added, exactly as before it
    # existed; writing the inbox files draws nothing, so the order of writing does not matter.
    info = {}
    hits, info["reg"] = write_registries(files)
    private = add_private_household(files)
    info["城关镇"] = write_chengguan(files["城关镇"], os.path.join(INBOX, "城关镇-申请登记表.xlsx"))
    info["东河乡"] = write_donghe(files["东河乡"], os.path.join(INBOX, "东河乡-申请登记.csv"))
    write_xiling(files["西岭镇"], os.path.join(INBOX, "西岭镇-申请登记.xlsx"))
    info["visits"] = write_visits(files, os.path.join(HERE, "visits", "2026-11-入户调查.csv"))
    info["private"] = private
    write_dynamic(os.path.join(HERE, "followups", "2026-11-回访.csv"), os.path.join(HERE, "complaints", "2026-11-信访.csv"))
    write_discoveries(os.path.join(HERE, "discoveries", "2026-11-遇困人员花名册.csv"),
                      os.path.join(HERE, "discoveries", "2026-11-入户调查评估.csv"))
    # sanity: every applicant ID (except the two faults) is valid, households consistent
    for hs in files.values():
        for h in hs:
            assert h["members"][0]["rel"] in ("户主", "本人")
            for p in h["members"]:
                assert id_valid(p["id"]), p
    assert applicant_names <= USED_NAMES
    write_readme(files, info, faults, hits)
    print("wrote", HERE)


if __name__ == "__main__":
    main()
