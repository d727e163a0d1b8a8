#!/usr/bin/env python3
"""Measures what issue 19 measured by hand: after a clean audit of the example month, how many single-cell hand
edits of the ledgers survive a later writing step (a step that builds on the edited ledger launders it), and how
often a step killed at a random moment leaves `events.csv` torn before the next command repairs anything.

    python3 bench/integrity.py MONTH_DIR [--edits N] [--kills N] [--seed S]

MONTH_DIR: a workspace made by `examples/run-month.sh MONTH_DIR` (it is copied, never changed). jiuzhu is
target/release/jiuzhu of this repository. Prints the counts; exits 1 when an edit was laundered or a journal torn.
"""
import argparse
import csv
import io
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JZ = os.path.join(REPO, "target", "release", "jiuzhu")


def run(ws, *args):
    return subprocess.run([JZ, "-C", ws, *args], capture_output=True, text=True)


def ledgers(ws):
    d = os.path.join(ws, "ledgers")
    return sorted(f for f in os.listdir(d) if f.endswith(".csv") and f != "events.csv")


def edit_one_cell(ws, rnd):
    """Changes one character of one non-empty cell of a random data row of a random ledger; returns what."""
    name = rnd.choice(ledgers(ws))
    path = os.path.join(ws, "ledgers", name)
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    if len(rows) < 2:
        return None
    r = rnd.randrange(1, len(rows))
    cells = [c for c, v in enumerate(rows[r]) if v]
    if not cells:
        return None
    c = rnd.choice(cells)
    v = rows[r][c]
    i = rnd.randrange(len(v))
    ch = v[i]
    new = ("1" if ch != "1" else "2") if ch.isdigit() else ("x" if ch != "x" else "y")
    rows[r][c] = v[:i] + new + v[i + 1 :]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(out.getvalue())
    return f"{name} row {r} column {rows[0][c]}"


def journal_whole(ws):
    """Whether events.csv parses as whole rows of 9 fields, each line complete."""
    path = os.path.join(ws, "ledgers", "events.csv")
    if not os.path.exists(path):
        return True
    data = open(path, "rb").read()
    if data and not data.endswith(b"\n"):
        return False
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    except Exception:
        return False
    return all(len(r) == 9 for r in rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("month")
    ap.add_argument("--edits", type=int, default=50)
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--seed", type=int, default=19)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    tmp = tempfile.mkdtemp(prefix="jiuzhu-integrity-")
    base = os.path.join(tmp, "base")
    shutil.copytree(a.month, base, symlinks=True)
    out = run(base, "audit")
    if out.returncode == 2:
        sys.exit(f"audit of the month failed: {out.stderr}")

    refused = laundered = reported = tried = 0
    for n in range(a.edits):
        ws = os.path.join(tmp, f"edit{n}")
        shutil.copytree(base, ws, symlinks=True)
        what = edit_one_cell(ws, rnd)
        if what is None:
            shutil.rmtree(ws)
            continue
        tried += 1
        step = run(ws, "disburse", "--period", "2026-12")
        if step.returncode == 2 and "not what the journal recorded" in step.stderr:
            refused += 1
        audit = run(ws, "audit")
        if "J102" in audit.stdout:
            reported += 1
        elif step.returncode != 2:
            laundered += 1
            print(f"  laundered: {what}")
        shutil.rmtree(ws)
    print(f"hand edits: {tried} single-cell edits after a clean audit, then `disburse --period 2026-12`, then audit:")
    print(f"  step refused {refused}/{tried}; audit J102 afterwards {reported}/{tried}; laundered {laundered}")

    torn = killed = 0
    for n in range(a.kills):
        ws = os.path.join(tmp, f"kill{n}")
        shutil.copytree(base, ws, symlinks=True)
        p = subprocess.Popen([JZ, "-C", ws, "verify", "--as-of", "2026-11-21"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(0.0, 0.06))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            killed += 1
        p.wait()
        if not journal_whole(ws):
            torn += 1
        shutil.rmtree(ws)
    print(f"kills: {a.kills} runs of verify, {killed} killed mid-run; journal torn before the next command: {torn}")
    shutil.rmtree(tmp)
    sys.exit(1 if laundered or torn else 0)


if __name__ == "__main__":
    main()
