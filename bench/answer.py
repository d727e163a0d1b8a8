#!/usr/bin/env python3
"""Answers a round-trip worksheet the way a clerk would, for the benchmark's month: reads the workbook as
`jiuzhu cat` prints it (stdin), fills the answer columns given as LABEL=VALUE on every row, and writes the sheet
back as CSV (the batch line, the header, the rows) for `jiuzhu compare --resolve` / `decide --record`.

    jiuzhu cat reports/compare-hits-XXXX.xlsx | answer.py hits.csv 处理结果=确认 说明=核实 处理人=张三
"""
import csv
import sys


def main():
    out, *pairs = sys.argv[1:]
    fill = dict(p.split("=", 1) for p in pairs)
    rows = []
    for line in sys.stdin:
        line = line.rstrip("\n")
        if line.startswith("== sheet"):
            if rows:
                break  # the first sheet only
            continue
        if " | " not in line and not line.rstrip().endswith("|"):
            continue
        _, _, rest = line.partition(" | ")
        rows.append([c.strip() for c in rest.split(" | ")])
    batch = next(r for r in rows if r and r[0].startswith("批次"))
    header_at = next(i for i, r in enumerate(rows) if any(label in r for label in fill))
    header = rows[header_at]
    cols = {label: header.index(label) for label in fill if label in header}
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(batch[:2])
        w.writerow(header)
        n = 0
        for r in rows[header_at + 1:]:
            if not r or not r[0]:
                continue
            r = r + [""] * (len(header) - len(r))
            for label, c in cols.items():
                r[c] = fill[label]
            w.writerow(r[: len(header)])
            n += 1
    print(f"{out}: {n} rows answered")


main()
