#!/usr/bin/env bash
# The example month: builds jiuzhu, creates the bundled fictional county (青禾县) as a workspace in DIR
# (default: a new temporary folder), makes it a Git repository, and runs the monthly workflow there,
# committing each step — as far as the workflow exists today (see CHANGELOG.md).
#
#   examples/run-month.sh            # in a new temporary folder (printed)
#   examples/run-month.sh ~/month    # in ~/month (must not be a workspace yet)
#
# A step that needs a person (jiuzhu exit 1: e.g. the two rows the county's clerk mistyped) does not stop the
# month; a step that cannot run (exit 2) does.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
county="$here/county"
dir="${1:-$(mktemp -d "${TMPDIR:-/tmp}/jiuzhu-month.XXXXXX")}"

echo "== building jiuzhu"
cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
jz="$repo/target/release/jiuzhu"

step() {
  local rc=0
  echo "\$ jiuzhu $*"
  "$jz" -C "$dir" "$@" || rc=$?
  if [ "$rc" -gt 1 ]; then
    echo "run-month: 'jiuzhu $*' could not run (exit $rc); stopping" >&2
    exit "$rc"
  fi
  [ "$rc" -eq 0 ] || echo "   (exit 1: something above needs a person)"
}

commit() {
  git -C "$dir" add -A
  git -C "$dir" commit -q -m "$1" || true
}

echo "== the county workspace: $dir"
"$jz" init "$dir"
git -C "$dir" config user.name >/dev/null || git -C "$dir" config user.name "jiuzhu example"
git -C "$dir" config user.email >/dev/null || git -C "$dir" config user.email "example@jiuzhu.invalid"
commit "init: 青禾县 workspace and policy"

echo "== intake: the November registers of three townships"
step intake "$county/inbox/2026-11/城关镇-申请登记表.xlsx" \
            "$county/inbox/2026-11/东河乡-申请登记.csv" \
            "$county/inbox/2026-11/西岭镇-申请登记.xlsx"
commit "intake 2026-11: registers of 城关镇, 东河乡, 西岭镇"

echo "== verify: the review of every case as of 2026-11-20 (materials, income, visits, sample, time limits)"
step verify --as-of 2026-11-20
commit "verify 2026-11: checks as of 2026-11-20, review workbook and 一次性告知 list"

echo "== done. Look at:"
echo "   $dir/ledgers/cases.csv, members.csv    the cases and people taken in"
echo "   $dir/ledgers/checks.csv                 every check of every case under review"
echo "   $dir/reports/                           the rejects to fix, the review and the 一次性告知 list (xlsx)"
echo "   git -C '$dir' log --stat                one commit per step"
