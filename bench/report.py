#!/usr/bin/env python3
"""Writes bench/RESULTS.md from the results-SIZE.tsv files bench/run.sh left in its work folder.

    report.py WORK RESULTS.md "COMMAND" JIUZHU_BINARY
"""
import os
import platform
import subprocess
import sys

STEPS = ["generate", "xlsx_write", "intake_xlsx", "intake", "verify", "compare", "resolve", "decide", "record",
         "effective", "disburse", "audit", "diff"]
MONTH = ["intake", "verify", "compare", "resolve", "decide", "record", "effective", "disburse", "audit"]
LABEL = {
    "generate": "sample-data (generate the inputs)",
    "xlsx_write": "write the 100k-row register (xlsx)",
    "intake_xlsx": "intake of the 100k-row xlsx",
    "intake": "intake of the CSV registers",
    "verify": "verify (with the visits)",
    "compare": "compare (6 registries)",
    "resolve": "compare --resolve (every hit answered)",
    "decide": "decide (proposals)",
    "record": "decide --record (the meeting's verdicts, the notice)",
    "effective": "decide (the notice over: in force)",
    "disburse": "disburse",
    "audit": "audit",
    "diff": "diff of two ledgers",
}


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    free = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.rstrip()
    return cpu, nproc, free


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def load(work):
    """(size, step, tool) → (median wall s, peak RSS MiB over the runs, worst exit code, runs, min s, max s)."""
    runs = {}
    for size in ("county", "province"):
        path = os.path.join(work, f"results-{size}.tsv")
        if not os.path.exists(path):
            continue
        for line in open(path, encoding="utf-8"):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 6:
                continue
            _, step, tool, wall, rss, rc = parts
            try:
                run = (float(wall), int(rss) / 1024.0, int(rc))
            except ValueError:
                run = (None, None, int(rc or 99))
            runs.setdefault((size, step, tool), []).append(run)
    rows = {}
    for key, rs in runs.items():
        walls = [r[0] for r in rs if r[0] is not None]
        rss = [r[1] for r in rs if r[1] is not None]
        rc = max(r[2] for r in rs)
        if not walls:
            rows[key] = (None, None, rc, len(rs), None, None)
        else:
            rows[key] = (median(walls), max(rss), rc, len(rs), min(walls), max(walls))
    return rows


def fmt_t(x):
    return "—" if x is None else (f"{x:.2f}" if x < 100 else f"{x:.0f}")


def fmt_m(x):
    return "—" if x is None else f"{x:.0f}"


def ratio(peer, mine):
    if peer is None or mine is None or mine == 0:
        return "—"
    r = peer / mine
    return f"{r:.1f}×"


def main():
    work, out, cmd, binary = sys.argv[1:5]
    rows = load(work)
    cpu, nproc, free = machine()
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    commit_file = os.path.join(work, "measured-commit")
    if os.path.exists(commit_file):
        version += f" (commit {open(commit_file, encoding='utf-8').read().strip()})"
    lines = [
        "# Benchmark results",
        "",
        f"Produced by `{cmd}` (see `bench/README.md`), {version}, {platform.python_implementation()} "
        f"{platform.python_version()} for the peers.",
        "",
        f"Machine: {cpu}, `nproc` = {nproc}, Linux {platform.release()}.",
        "",
        "```",
        free,
        "```",
        "",
        "Wall time in seconds (the median of the runs; **runs** gives their number and the fastest and slowest "
        "jiuzhu run) and peak RSS in MiB (the highest of the runs), by `/usr/bin/time -f \"%e %M\"`, on the same files. "
        "**vs DuckDB / vs pandas** = the peer's wall time ÷ jiuzhu's: above 1× jiuzhu is faster. "
        "exit: jiuzhu's exit code (1 = done, a person must look: open hits, ineligible cases — expected here).",
        "",
    ]
    verdicts = []
    for size in ("county", "province"):
        if not any(k[0] == size for k in rows):
            continue
        lines += [
            f"## {size}",
            "",
            "| step | jiuzhu s | runs | jiuzhu MiB | exit | DuckDB s | DuckDB MiB | pandas s | pandas MiB | vs DuckDB "
            "| vs pandas |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        month, month_duck, month_pandas, peak = 0.0, 0.0, 0.0, 0.0
        for step in STEPS:
            j = rows.get((size, step, "jiuzhu"))
            d = rows.get((size, step, "duckdb"))
            p = rows.get((size, step, "pandas"))
            if not (j or d or p):
                continue
            jt, jm, jrc, jn, jlo, jhi = j if j else (None,) * 6
            dt, dm, drc = d[:3] if d else (None, None, None)
            pt, pm, prc = p[:3] if p else (None, None, None)
            spread = "" if not jn else (str(jn) if jn == 1 or jlo is None else f"{jn} ({fmt_t(jlo)}–{fmt_t(jhi)})")
            if drc not in (None, 0):
                dt, dm = None, None
            if prc not in (None, 0):
                pt, pm = None, None
            if step in MONTH and jt is not None:
                month += jt
                peak = max(peak, jm)
                month_duck += dt or 0
                month_pandas += pt or 0
            lines.append(
                f"| {LABEL[step]} | {fmt_t(jt)} | {spread} | {fmt_m(jm)} | {'' if jrc is None else jrc} | {fmt_t(dt)} | "
                f"{fmt_m(dm)} | {fmt_t(pt)} | {fmt_m(pm)} | {ratio(dt, jt)} | {ratio(pt, jt)} |"
            )
        lines.append(
            f"| **the month** (intake … audit, as present) | **{fmt_t(month)}** | | {fmt_m(peak)} (peak) | | "
            f"{fmt_t(month_duck)} | | {fmt_t(month_pandas)} | | {ratio(month_duck, month)} | {ratio(month_pandas, month)} |"
        )
        lines.append("")
        missing = [s for s in ("disburse", "audit", "diff") if (size, s, "jiuzhu") not in rows]
        if missing:
            lines.append(
                f"Not measured for jiuzhu (not in the binary measured): {', '.join(missing)}; the peers' disburse "
                "is listed alone."
            )
            lines.append("")

        # Targets.
        def t(step, tool="jiuzhu"):
            r = rows.get((size, step, tool))
            return r[0] if r and r[2] in (0, 1) or (r and tool == "jiuzhu" and r[2] < 2) else None

        if size == "county":
            for step in MONTH + ["intake_xlsx"]:
                v = t(step)
                if v is not None:
                    verdicts.append((f"county {step} < 1 s", v < 1.0, f"{v:.2f} s"))
            if month_duck:
                verdicts.append(("county whole month no slower than DuckDB's (its steps that have a peer)",
                                 month <= month_duck, f"{month:.2f} s vs {month_duck:.2f} s"))
        else:
            for step in MONTH:
                v, d = t(step), t(step, "duckdb")
                if v is not None and d is not None:
                    verdicts.append((f"province {step} no slower than DuckDB", v <= d, f"{v:.2f} s vs {d:.2f} s"))
            for step in MONTH:
                r = rows.get((size, step, "jiuzhu"))
                if r:
                    verdicts.append((f"province {step} peak RSS < 1 GiB", r[1] < 1024, f"{r[1]:.0f} MiB"))
            verdicts.append(("province whole month < 60 s", month < 60.0, f"{month:.2f} s"))
        paid = os.path.join(work, f"paid-{size}.txt")
        if os.path.exists(paid):
            lines.append(f"Paid in the month ({size}): `{open(paid, encoding='utf-8').read().strip()}`")
            lines.append("")
        git = os.path.join(work, f"git-{size}.txt")
        if os.path.exists(git):
            kib = int(open(git, encoding="utf-8").read().strip() or 0)
            lines.append(f"The month adds {kib / 1024:.1f} MiB to a packed Git repository of the ledgers ({size}).")
            lines.append("")
        if size == "county" or not any(v[0].startswith("xlsx") for v in verdicts):
            x, px, w = t("intake_xlsx"), t("intake_xlsx", "pandas"), t("xlsx_write")
            if x is not None and px is not None and not any(v[0].startswith("xlsx read") for v in verdicts):
                verdicts.append(("xlsx read of 100k rows ≥ 10× faster than pandas.read_excel", px >= 10 * x,
                                 f"{x:.2f} s vs {px:.2f} s (jiuzhu's includes the whole intake)"))
            if w is not None and not any(v[0].startswith("xlsx write") for v in verdicts):
                verdicts.append(("xlsx write of 100k rows < 3 s", w < 3.0, f"{w:.2f} s"))
    if any(k[0] == "province" for k in rows) and any(k[0] == "county" for k in rows):
        # 50,000 → 1,000,000 households: linear cost is 20× the time.
        lines += [
            "## Growth, county → province (20× the households)",
            "",
            "| step | county s | province s | × | µs per household (county → province) |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for step in MONTH + ["diff"]:
            c, p = rows.get(("county", step, "jiuzhu")), rows.get(("province", step, "jiuzhu"))
            if not (c and p and c[0] and p[0]):
                continue
            lines.append(
                f"| {LABEL[step]} | {fmt_t(c[0])} | {fmt_t(p[0])} | {p[0] / c[0]:.1f}× | "
                f"{c[0] / 50_000 * 1e6:.0f} → {p[0] / 1_000_000 * 1e6:.0f} |"
            )
        lines.append("")
    lines += ["## Targets", "", "| target | met | measured |", "| --- | --- | --- |"]
    for name, ok, got in verdicts:
        lines.append(f"| {name} | {'yes' if ok else '**no**'} | {got} |")
    lines.append("")
    notes = os.path.join(os.path.dirname(out), "NOTES.md")
    if os.path.exists(notes):
        lines.append(open(notes, encoding="utf-8").read().rstrip())
        lines.append("")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
