#!/usr/bin/env python3
"""The peers of the benchmark: the same month's data work done with DuckDB (SQL) and with pandas, on the same
files `jiuzhu sample-data` wrote. One step per process, so that `/usr/bin/time` measures each step's wall time
and peak RSS the way it measures jiuzhu's.

    peers.py TOOL STEP WS OUT
      TOOL  duckdb | pandas
      STEP  intake | intake_xlsx | verify | compare | decide | disburse
      WS    the sample-data folder (its inputs/ are read)
      OUT   a folder for the peer's own "ledgers" (each step reads what the previous one wrote)

What each step does (the core data work of jiuzhu's step, without what only jiuzhu does: provenance, the
hash-chained journal, the atomic commit, the per-row reasons, the workbooks for people):
  intake       read the per-member registers, carry the household key down to the member rows, check every ID
               number (GB 11643 MOD 11-2), group members into households (size, income), write both tables
  intake_xlsx  read inputs/registers/register-100k.xlsx (pandas: read_excel with openpyxl; DuckDB: the excel
               extension's read_xlsx when it can be loaded) and do the same
  verify       per-capita income against the scheme's standard, visits per household (village and township,
               two investigators), write the checks
  compare      every registry row joined to the members by ID number, write the hits
  decide       补差 (standard − per-capita income) × size for 低保, the 特困 basic standard, 临时救助 months ×
               standard (capped), households with hits held back; write the decisions and the monthly total
  disburse     payments per eligible decision with bank and account, control totals per bank
"""
import glob
import os
import sys

STANDARD = {"城市低保": 860.0, "农村低保": 550.0}  # monthly (农村 6600/year)
TEKUN_BASIC = 1118.0
TEMP_BENCH = 860.0
TEMP_CAP = 5160.0
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
REGISTRY_ID = {
    "deaths": "身份证号",
    "vehicles": "身份证号码",
    "real_estate": "身份证号",
    "payroll": "公民身份号码",
    "relatives": "证件号码",
    "other_schemes": "身份证号",
}


def registers(ws):
    return sorted(glob.glob(os.path.join(ws, "inputs", "registers", "*.csv")))


def visits(ws):
    # One file at county size; visits.csv, visits-2.csv, … at province size.
    return sorted(glob.glob(os.path.join(ws, "inputs", "visits*.csv")))


# ----------------------------------------------------------------------------------------------------------------
# DuckDB


def duck(step, ws, out):
    import duckdb

    con = duckdb.connect()
    j = lambda name: os.path.join(out, name)  # noqa: E731
    id_ok = " + ".join(f"CAST(substr(id, {i + 1}, 1) AS INTEGER) * {w}" for i, w in enumerate(WEIGHTS))
    con.execute(
        f"""CREATE MACRO id_ok(id) AS
              length(id) = 18 AND regexp_full_match(id, '[0-9]{{17}}[0-9X]')
              AND substr('10X98765432', (({id_ok}) % 11) + 1, 1) = substr(id, 18, 1)"""
    )

    def intake_from(source_sql):
        con.execute(f"CREATE TABLE raw AS SELECT row_number() OVER () AS rn, * FROM {source_sql}")
        con.execute(
            """CREATE TABLE m AS SELECT *,
                 last_value("户主身份证号" IGNORE NULLS) OVER (ORDER BY rn ROWS UNBOUNDED PRECEDING) AS hh
               FROM raw"""
        )
        con.execute(
            """CREATE TABLE bad AS SELECT DISTINCT hh FROM m WHERE NOT coalesce(id_ok("身份证号"), false)"""
        )
        con.execute(
            f"""COPY (SELECT hh, "身份证号" AS id, "姓名" AS name, "与户主关系" AS relation,
                        CAST(coalesce("月收入(元)", '0') AS DOUBLE) AS income
                      FROM m WHERE hh NOT IN (SELECT hh FROM bad) ORDER BY hh, id)
               TO '{j("members.csv")}' (HEADER)"""
        )
        con.execute(
            f"""COPY (SELECT hh, count(*) AS size, sum(CAST(coalesce("月收入(元)", '0') AS DOUBLE)) AS income,
                        max("申请类别") AS scheme, max("乡镇(街道)") AS township, max("村(社区)") AS village,
                        max("开户银行") AS bank, max("银行账号") AS account,
                        max(CAST("救助月数" AS VARCHAR)) AS months, max("申请日期") AS applied_on
                      FROM m WHERE hh NOT IN (SELECT hh FROM bad) GROUP BY hh ORDER BY hh)
               TO '{j("households.csv")}' (HEADER)"""
        )

    if step == "intake":
        files = ", ".join(f"'{f}'" for f in registers(ws))
        intake_from(f"read_csv([{files}], header = true, all_varchar = true)")
    elif step == "intake_xlsx":
        path = os.path.join(ws, "inputs", "registers", "register-100k.xlsx")
        try:
            con.execute("INSTALL excel; LOAD excel;")
        except Exception as e:  # offline, or no extension for this platform
            print(f"duckdb: the excel extension is not available ({e})", file=sys.stderr)
            sys.exit(3)
        intake_from(f"read_xlsx('{path}', header = true, all_varchar = true, range = 'A2:Y200000')")
    elif step == "verify":
        con.execute(f"CREATE TABLE h AS SELECT * FROM read_csv('{j('households.csv')}', all_varchar = true)")
        con.execute(
            f"""CREATE TABLE v AS SELECT "户主身份证号" AS hh, "调查层级" AS level, "调查人" AS who, "签字" AS signed
                FROM read_csv([{", ".join(f"'{f}'" for f in visits(ws))}], all_varchar = true)"""
        )
        con.execute(
            f"""COPY (
                 SELECT h.hh,
                   CASE WHEN h.scheme IN ('城市低保', '农村低保') THEN
                     CASE WHEN CAST(h.income AS DOUBLE) / CAST(h.size AS INTEGER)
                               < (CASE h.scheme WHEN '城市低保' THEN 860 ELSE 550 END) THEN 'pass' ELSE 'fail' END
                   ELSE 'pass' END AS income_check,
                   CASE WHEN coalesce(vv.village, 0) > 0 THEN 'pass' ELSE 'needs_info' END AS home_visit,
                   CASE WHEN coalesce(vv.township, 0) > 0 THEN 'pass' ELSE 'needs_info' END AS revisit
                 FROM h LEFT JOIN (
                   SELECT hh,
                     count(*) FILTER (WHERE level = '村' AND signed = '是' AND len(string_split(who, '、')) >= 2) AS village,
                     count(*) FILTER (WHERE level = '乡镇' AND signed = '是') AS township
                   FROM v GROUP BY hh) vv USING (hh)
                 ORDER BY h.hh) TO '{j("checks.csv")}' (HEADER)"""
        )
    elif step == "compare":
        con.execute(f"CREATE TABLE m AS SELECT hh, id FROM read_csv('{j('members.csv')}', all_varchar = true)")
        parts = []
        for name, col in REGISTRY_ID.items():
            path = os.path.join(ws, "inputs", "registries", f"{name}.csv")
            parts.append(f"""SELECT '{name}' AS source, "{col}" AS id FROM read_csv('{path}', all_varchar = true)""")
        con.execute(
            f"""COPY (SELECT r.source, m.hh, m.id FROM ({' UNION ALL '.join(parts)}) r JOIN m USING (id)
                      ORDER BY r.source, m.id) TO '{j("hits.csv")}' (HEADER)"""
        )
    elif step == "decide":
        con.execute(f"CREATE TABLE h AS SELECT * FROM read_csv('{j('households.csv')}', all_varchar = true)")
        con.execute(f"CREATE TABLE c AS SELECT * FROM read_csv('{j('checks.csv')}', all_varchar = true)")
        con.execute(f"CREATE TABLE x AS SELECT DISTINCT hh FROM read_csv('{j('hits.csv')}', all_varchar = true)")
        con.execute(
            f"""COPY (
                 SELECT h.hh, h.scheme,
                   round(CASE
                     WHEN h.scheme IN ('城市低保', '农村低保') THEN
                       greatest((CASE h.scheme WHEN '城市低保' THEN 860 ELSE 550 END)
                                - CAST(h.income AS DOUBLE) / CAST(h.size AS INTEGER), 0) * CAST(h.size AS INTEGER)
                     WHEN h.scheme = '特困供养' THEN {TEKUN_BASIC}
                     ELSE least(coalesce(CAST(h.months AS INTEGER), 1) * {TEMP_BENCH}, {TEMP_CAP}) END, 2) AS amount
                 FROM h JOIN c USING (hh)
                 WHERE c.income_check = 'pass' AND h.hh NOT IN (SELECT hh FROM x)
                 ORDER BY h.hh) TO '{j("decisions.csv")}' (HEADER)"""
        )
        total = con.execute(
            f"SELECT scheme, count(*), sum(CAST(amount AS DOUBLE)) FROM read_csv('{j('decisions.csv')}') GROUP BY scheme"
        ).fetchall()
        print(total)
    elif step == "disburse":
        con.execute(
            f"""COPY (SELECT d.hh, h.bank, h.account, d.amount
                      FROM read_csv('{j('decisions.csv')}', all_varchar = true) d
                      JOIN read_csv('{j('households.csv')}', all_varchar = true) h USING (hh)
                      WHERE CAST(d.amount AS DOUBLE) > 0 ORDER BY h.bank, d.hh) TO '{j("payments.csv")}' (HEADER)"""
        )
        print(
            con.execute(
                f"""SELECT bank, count(*), sum(CAST(amount AS DECIMAL(18, 2)))
                    FROM read_csv('{j('payments.csv')}', all_varchar = true) GROUP BY bank ORDER BY bank"""
            ).fetchall()
        )
    else:
        raise SystemExit(f"unknown step {step}")


# ----------------------------------------------------------------------------------------------------------------
# pandas


def pandas_step(step, ws, out):
    import pandas as pd

    j = lambda name: os.path.join(out, name)  # noqa: E731

    def id_ok(ids):
        ids = ids.fillna("")
        ok = ids.str.fullmatch(r"[0-9]{17}[0-9X]")
        digits = ids.where(ok, "0" * 18)
        total = sum(digits.str[i].astype(int) * w for i, w in enumerate(WEIGHTS))
        return ok & (total.mod(11).map(lambda k: "10X98765432"[k]) == digits.str[17])

    def intake_from(raw):
        raw["hh"] = raw["户主身份证号"].ffill()
        raw["income"] = pd.to_numeric(raw["月收入(元)"], errors="coerce").fillna(0.0)
        bad = set(raw.loc[~id_ok(raw["身份证号"]), "hh"])
        m = raw[~raw["hh"].isin(bad)]
        m[["hh", "身份证号", "姓名", "与户主关系", "income"]].rename(
            columns={"身份证号": "id", "姓名": "name", "与户主关系": "relation"}
        ).sort_values(["hh", "id"]).to_csv(j("members.csv"), index=False)
        h = m.groupby("hh").agg(
            size=("身份证号", "size"),
            income=("income", "sum"),
            scheme=("申请类别", "first"),
            township=("乡镇(街道)", "first"),
            village=("村(社区)", "first"),
            bank=("开户银行", "first"),
            account=("银行账号", "first"),
            months=("救助月数", "first"),
            applied_on=("申请日期", "first"),
        )
        h.sort_index().to_csv(j("households.csv"))

    if step == "intake":
        raw = pd.concat([pd.read_csv(f, dtype=str) for f in registers(ws)], ignore_index=True)
        intake_from(raw)
    elif step == "intake_xlsx":
        path = os.path.join(ws, "inputs", "registers", "register-100k.xlsx")
        raw = pd.read_excel(path, engine="openpyxl", header=1, dtype=str)
        intake_from(raw)
    elif step == "verify":
        h = pd.read_csv(j("households.csv"), dtype={"hh": str})
        v = pd.concat([pd.read_csv(f, dtype=str) for f in visits(ws)], ignore_index=True)
        two = v["调查人"].str.split("、").str.len() >= 2
        signed = v["签字"] == "是"
        village = v[(v["调查层级"] == "村") & signed & two].groupby("户主身份证号").size().rename("n_village")
        township = v[(v["调查层级"] == "乡镇") & signed].groupby("户主身份证号").size().rename("n_township")
        h = h.join(village, on="hh").join(township, on="hh")
        std = h["scheme"].map(STANDARD)
        pc = h["income"] / h["size"]
        h["income_check"] = "pass"
        h.loc[std.notna() & (pc >= std), "income_check"] = "fail"
        h["home_visit"] = h["n_village"].fillna(0).gt(0).map({True: "pass", False: "needs_info"})
        h["revisit"] = h["n_township"].fillna(0).gt(0).map({True: "pass", False: "needs_info"})
        h[["hh", "income_check", "home_visit", "revisit"]].to_csv(j("checks.csv"), index=False)
    elif step == "compare":
        m = pd.read_csv(j("members.csv"), dtype=str, usecols=["hh", "id"])
        hits = []
        for name, col in REGISTRY_ID.items():
            r = pd.read_csv(os.path.join(ws, "inputs", "registries", f"{name}.csv"), dtype=str, usecols=[col])
            x = r.rename(columns={col: "id"}).merge(m, on="id")
            x.insert(0, "source", name)
            hits.append(x)
        pd.concat(hits).sort_values(["source", "id"])[["source", "hh", "id"]].to_csv(j("hits.csv"), index=False)
    elif step == "decide":
        h = pd.read_csv(j("households.csv"), dtype={"hh": str})
        c = pd.read_csv(j("checks.csv"), dtype={"hh": str})
        x = set(pd.read_csv(j("hits.csv"), dtype=str)["hh"])
        d = h.merge(c, on="hh")
        d = d[(d["income_check"] == "pass") & ~d["hh"].isin(x)].copy()
        std = d["scheme"].map(STANDARD)
        pc = d["income"] / d["size"]
        dibao = ((std - pc).clip(lower=0) * d["size"]).round(2)
        temp = (d["months"].fillna(1) * TEMP_BENCH).clip(upper=TEMP_CAP)
        d["amount"] = dibao.where(std.notna(), temp.where(d["scheme"] == "临时救助", TEKUN_BASIC))
        d[["hh", "scheme", "amount"]].sort_values("hh").to_csv(j("decisions.csv"), index=False)
        print(d.groupby("scheme")["amount"].agg(["count", "sum"]))
    elif step == "disburse":
        d = pd.read_csv(j("decisions.csv"), dtype={"hh": str})
        h = pd.read_csv(j("households.csv"), dtype={"hh": str, "account": str})
        p = d[d["amount"] > 0].merge(h[["hh", "bank", "account"]], on="hh").sort_values(["bank", "hh"])
        p.to_csv(j("payments.csv"), index=False)
        print(p.groupby("bank")["amount"].agg(["count", "sum"]))
    else:
        raise SystemExit(f"unknown step {step}")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    tool, step, ws, out = sys.argv[1:]
    os.makedirs(out, exist_ok=True)
    {"duckdb": duck, "pandas": pandas_step}[tool](step, ws, out)
