#!/usr/bin/env bash
# The scale benchmark: jiuzhu's monthly steps on generated data, against DuckDB and pandas doing the same data
# work on the same files. See bench/README.md.
#
#   bench/run.sh              # county size (50k households): a few minutes
#   bench/run.sh province     # province size (1M households, 10M registry rows): much longer, ~10 GB of disk
#   bench/run.sh both
#
# Environment: BENCH_WORK (default bench/work) holds the generated workspaces; JIUZHU (default: the release
# build of this repository) is the binary measured; BENCH_SKIP_PEERS=1 measures jiuzhu only; BENCH_TIMEOUT
# (default 1800) stops a step after that many seconds (exit 124 in the results); BENCH_RUNS (default 3 at county
# size, 1 at province size) measures each step that many times, and the report takes the median.
# Writes bench/work/results-SIZE.tsv per size and bench/RESULTS.md from every results file present.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
what="${1:-county}"
case "$what" in
  county) sizes=(county) ;;
  province) sizes=(province) ;;
  both) sizes=(county province) ;;
  *) echo "usage: bench/run.sh [county|province|both]" >&2; exit 2 ;;
esac
work="${BENCH_WORK:-$here/work}"
mkdir -p "$work"
# The tree measured, for the report (a tree with uncommitted changes is marked so).
git -C "$repo" describe --always --dirty >"$work/measured-commit" 2>/dev/null || echo unknown >"$work/measured-commit"

if [ -z "${JIUZHU:-}" ]; then
  echo "== building jiuzhu (release)"
  cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
  JIUZHU="$repo/target/release/jiuzhu"
fi
jz="$JIUZHU"

if [ ! -x /usr/bin/time ]; then
  echo "== installing GNU time (apt-get install -y time)"
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y time >/dev/null; else sudo apt-get install -y time >/dev/null; fi
fi

venv="$here/.venv"
if [ -z "${BENCH_SKIP_PEERS:-}" ]; then
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import duckdb, pandas, openpyxl" 2>/dev/null; then
    echo "== creating $venv with duckdb, pandas, openpyxl (from PyPI)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet duckdb pandas openpyxl
  fi
  py="$venv/bin/python"
fi

has() { "$jz" "$1" --help >/dev/null 2>&1; }

# measure SIZE STEP TOOL CMD… — runs CMD once under /usr/bin/time; appends a row to the size's results.
measure() {
  local size="$1" step="$2" tool="$3"
  shift 3
  local log="$work/logs/$size-$step-$tool.log" t="$work/logs/.time" rc=0
  mkdir -p "$work/logs"
  /usr/bin/time -f "%e %M" -o "$t" timeout "${BENCH_TIMEOUT:-1800}" "$@" >"$log" 2>&1 || rc=$?
  local wall rss
  read -r wall rss <"$t" || true
  # GNU time writes "Command exited with non-zero status N" first when the command failed.
  if grep -q "exited" "$t"; then read -r wall rss < <(tail -1 "$t"); fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$step" "$tool" "$wall" "$rss" "$rc" >>"$results"
  printf '  %-12s %-8s %8ss %8s MiB  exit %s\n' "$step" "$tool" "$wall" "$((rss / 1024))" "$rc"
  # jiuzhu: 0 done, 1 done but a person must look (expected here: open hits, ineligible cases). 2 = failure.
  if [ "$tool" = jiuzhu ] && [ "$rc" -ge 2 ]; then
    echo "bench: '$*' failed (exit $rc); see $log" >&2
    tail -5 "$log" >&2
  fi
}

# runs SIZE: how many times each step is measured (BENCH_RUNS; default 3 at county size, 1 at province size,
# where one month takes minutes and a copy of the workspace gigabytes). The report takes the median.
runs() {
  if [ -n "${BENCH_RUNS:-}" ]; then echo "$BENCH_RUNS"; elif [ "$1" = county ]; then echo 3; else echo 1; fi
}

# step SIZE STEP WS CMD… — a jiuzhu step of the month, measured runs(SIZE) times on the same workspace: the
# workspace as it was before the step is kept aside and put back before each further run, so every run does the
# same work; the last run's result is the one the month goes on from.
step() {
  local size="$1" name="$2" ws="$3"
  shift 3
  local n i
  n="$(runs "$size")"
  if [ "$n" -gt 1 ]; then
    rm -rf "$ws.before"
    cp -a "$ws" "$ws.before"
  fi
  for ((i = 1; i <= n; i++)); do
    if [ "$i" -gt 1 ]; then
      rm -rf "$ws"
      cp -a "$ws.before" "$ws"
      sync
    fi
    measure "$size" "$name" jiuzhu "$@"
  done
  rm -rf "$ws.before"
}

peers() {
  local size="$1" step="$2" ws="$3" n i
  [ -n "${BENCH_SKIP_PEERS:-}" ] && return 0
  n="$(runs "$size")"
  for ((i = 1; i <= n; i++)); do
    measure "$size" "$step" duckdb "$py" "$here/peers.py" duckdb "$step" "$ws" "$work/$size/peer-duckdb"
    measure "$size" "$step" pandas "$py" "$here/peers.py" pandas "$step" "$ws" "$work/$size/peer-pandas"
  done
}

# git_commit REPO MESSAGE [LEDGERS] — commits the repository's ledgers (replaced by LEDGERS when given), packed.
git_commit() {
  local repo="$1" msg="$2"
  if [ -n "${3:-}" ]; then rm -rf "$repo/ledgers" && cp -a "$3" "$repo/ledgers"; fi
  git -C "$repo" add -A >/dev/null 2>&1
  git -C "$repo" -c user.name=bench -c user.email=bench@localhost commit -qm "$msg" >/dev/null 2>&1
  git -C "$repo" gc -q >/dev/null 2>&1
}

# pack_kib REPO AFTER.json BEFORE.json — what the packed repository grew by between two snapshots, in KiB.
pack_kib() {
  python3 "$here/growth.py" total "$2" "$3"
}

# month2 SIZE WS JIUZHU — the second month (2026-12) of a running county, each step timed as month 1's are (the
# steps named m2_STEP in the results).
month2() {
  local size="$1" ws="$2" jz="$3" m=2026-12
  echo "== $size: the second month ($m), a running county's"
  measure "$size" m2_generate jiuzhu "$jz" sample-data --month "$m" --seed 2026 "$ws"
  head -1 "$work/logs/$size-m2_generate-jiuzhu.log"
  local registers=() sources=() r
  for f in "$ws"/inputs/$m/registers/*.csv; do registers+=("inputs/$m/registers/$(basename "$f")"); done
  step "$size" m2_intake "$ws" "$jz" -C "$ws" intake "${registers[@]}"
  step "$size" m2_followups "$ws" "$jz" -C "$ws" intake --kind followups "inputs/$m/followups.csv"
  step "$size" m2_verify "$ws" "$jz" -C "$ws" verify --as-of 2026-12-18 --visits "inputs/$m/visits.csv"
  for r in deaths vehicles real_estate payroll relatives other_schemes; do
    sources+=(--source "$r=inputs/$m/registries/$r.csv")
  done
  step "$size" m2_compare "$ws" "$jz" -C "$ws" compare "${sources[@]}"
  # The month's hits worksheet: the newest compare-hits workbook.
  local hits
  hits="$(ls -t "$ws"/reports/compare-hits-*.xlsx | head -1)"
  "$jz" -C "$ws" cat "$hits" | python3 "$here/answer.py" "$work/$size/hits-$m.csv" \
    处理结果=确认 说明=核实 处理人=王芳 >/dev/null
  step "$size" m2_resolve "$ws" "$jz" -C "$ws" compare --resolve "$work/$size/hits-$m.csv"
  step "$size" m2_decide "$ws" "$jz" -C "$ws" decide --period "$m" --as-of 2026-12-18
  grep -h "^decide" "$work/logs/$size-m2_decide-jiuzhu.log" | head -1 | sed 's/^/  /' | tee "$work/decided2-$size.txt"
  "$jz" -C "$ws" cat "$ws/reports/review-meeting-$m.xlsx" | python3 "$here/answer.py" \
    "$work/$size/verdicts-$m.csv" 评议结果=同意 >/dev/null
  step "$size" m2_record "$ws" "$jz" -C "$ws" decide --record "$work/$size/verdicts-$m.csv" \
    --meeting "审批会 第12号" --date 2026-12-21 --attendees "张局长、李股长"
  step "$size" m2_effective "$ws" "$jz" -C "$ws" decide --period "$m" --as-of 2026-12-31
  step "$size" m2_disburse "$ws" "$jz" -C "$ws" disburse --period "$m"
  step "$size" m2_audit "$ws" "$jz" -C "$ws" audit --period "$m"
  grep -h "^disburse" "$work/logs/$size-m2_disburse-jiuzhu.log" | head -1 | sed 's/^/  /' | tee "$work/paid2-$size.txt"
  du -sh "$ws/ledgers" | sed 's/^/  /'
}

xlsx_done=""
for size in "${sizes[@]}"; do
  results="$work/results-$size.tsv"
  : >"$results"
  ws="$work/$size/ws"
  rm -rf "$work/$size"
  mkdir -p "$work/$size"
  echo "== $size: generating ($jz sample-data --size $size --seed 2026)"
  measure "$size" generate jiuzhu "$jz" sample-data --size "$size" --seed 2026 "$ws"
  tail -2 "$work/logs/$size-generate-jiuzhu.log" | head -1

  if [ -z "$xlsx_done" ]; then
    echo "== xlsx: a 100k-member-row register, written and read"
    xws="$work/$size/xlsx"
    measure "$size" xlsx_write jiuzhu "$jz" sample-data --households 0 --registry-rows 0 --xlsx-rows 100000 "$xws"
    step "$size" intake_xlsx "$xws" "$jz" -C "$xws" intake inputs/registers/register-100k.xlsx
    peers "$size" intake_xlsx "$xws"
    xlsx_done=1
  fi

  echo "== $size: the month"
  mkdir -p "$work/$size/ledgers-before" && cp -a "$ws/ledgers" "$work/$size/ledgers-before/ledgers"
  git init -q "$work/$size/ledgers-before" 2>/dev/null || true
  registers=()
  for f in "$ws"/inputs/registers/*.csv; do registers+=("inputs/registers/$(basename "$f")"); done
  step "$size" intake "$ws" "$jz" -C "$ws" intake "${registers[@]}"
  cp "$ws/ledgers/cases.csv" "$work/$size/cases-after-intake.csv"
  peers "$size" intake "$ws"

  visits=()
  for f in "$ws"/inputs/visits*.csv; do visits+=(--visits "inputs/$(basename "$f")"); done
  step "$size" verify "$ws" "$jz" -C "$ws" verify --as-of 2026-11-20 "${visits[@]}"
  peers "$size" verify "$ws"

  sources=()
  for r in deaths vehicles real_estate payroll relatives other_schemes; do
    sources+=(--source "$r=inputs/registries/$r.csv")
  done
  step "$size" compare "$ws" "$jz" -C "$ws" compare "${sources[@]}"
  peers "$size" compare "$ws"

  # The month as a county runs it, not steps that find nothing to do: the hits resolved (every one confirmed,
  # as a clerk answers the worksheet), the proposals put to the meeting, its verdicts recorded (同意 to all),
  # the notice over and the decisions in force, then every household paid and the month audited.
  "$jz" -C "$ws" cat "$ws"/reports/compare-hits-*.xlsx | python3 "$here/answer.py" "$work/$size/hits.csv" \
    处理结果=确认 说明=核实 处理人=王芳 >/dev/null
  step "$size" resolve "$ws" "$jz" -C "$ws" compare --resolve "$work/$size/hits.csv"

  step "$size" decide "$ws" "$jz" -C "$ws" decide --period 2026-11 --as-of 2026-11-20
  peers "$size" decide "$ws"

  "$jz" -C "$ws" cat "$ws/reports/review-meeting-2026-11.xlsx" | python3 "$here/answer.py" \
    "$work/$size/verdicts.csv" 评议结果=同意 >/dev/null
  step "$size" record "$ws" "$jz" -C "$ws" decide --record "$work/$size/verdicts.csv" --meeting "审批会 第11号" \
    --date 2026-11-21 --attendees "张局长、李股长"
  step "$size" effective "$ws" "$jz" -C "$ws" decide --period 2026-11 --as-of 2026-11-30

  if has disburse; then
    step "$size" disburse "$ws" "$jz" -C "$ws" disburse --period 2026-11
  else
    echo "  disburse: not in this jiuzhu (jiuzhu --help); peers measured alone"
  fi
  peers "$size" disburse "$ws"

  if has audit; then
    step "$size" audit "$ws" "$jz" -C "$ws" audit --period 2026-11
  else
    echo "  audit: not in this jiuzhu"
  fi
  if has diff; then
    step "$size" diff "$ws" "$jz" -C "$ws" diff "$work/$size/cases-after-intake.csv" ledgers/cases.csv
  else
    echo "  diff: not in this jiuzhu"
  fi
  grep -h "^disburse" "$work/logs/$size-disburse-jiuzhu.log" | head -1 | sed 's/^/  /' | tee "$work/paid-$size.txt"
  du -sh "$ws/inputs" "$ws/ledgers" | sed 's/^/  /'
  # What the month adds to a Git repository of the ledgers, packed (git gc): the ledgers before the month (as
  # sample-data left them) committed, then the ledgers after it; by file in git-files-SIZE.tsv.
  repo_git="$work/$size/ledgers-before"
  if command -v git >/dev/null; then
    git_commit "$repo_git" before
    python3 "$here/growth.py" snapshot "$repo_git" "$work/$size/pack-0.json"
    git_commit "$repo_git" month "$ws/ledgers"
    python3 "$here/growth.py" snapshot "$repo_git" "$work/$size/pack-1.json"
    python3 "$here/growth.py" files "$repo_git" "$work/$size/pack-0.json" "$work/$size/pack-1.json" \
      >"$work/git-files-$size.tsv"
    echo "$(pack_kib "$repo_git" "$work/$size/pack-1.json" "$work/$size/pack-0.json")" >"$work/git-$size.txt"
    echo "  the month adds $(cat "$work/git-$size.txt") KiB to a packed Git repository of the ledgers"
  fi

  # The second month, 2026-12, as a running county has it: its inputs written by `sample-data --month` from the
  # ledgers November left (follow-up visits with their changes, a few new applications with their visits, the
  # month's registries with a few households in force planted), then the month's steps, timed as November's.
  month2 "$size" "$ws" "$jz"
  if command -v git >/dev/null; then
    git_commit "$repo_git" month-2 "$ws/ledgers"
    python3 "$here/growth.py" snapshot "$repo_git" "$work/$size/pack-2.json"
    python3 "$here/growth.py" files "$repo_git" "$work/$size/pack-1.json" "$work/$size/pack-2.json" \
      >"$work/git2-files-$size.tsv"
    echo "$(pack_kib "$repo_git" "$work/$size/pack-2.json" "$work/$size/pack-1.json")" >"$work/git2-$size.txt"
    echo "  the second month adds $(cat "$work/git2-$size.txt") KiB to a packed Git repository of the ledgers"
  fi
done

cmdline="bench/run.sh $what"
python3 "$here/report.py" "$work" "$here/RESULTS.md" "$cmdline" "$jz"
echo "== wrote $here/RESULTS.md"
