#!/usr/bin/env bash
# The example month: builds jiuzhu, creates the bundled fictional county (青禾县) as a workspace in DIR
# (default: a new temporary folder), makes it a Git repository, and runs the monthly workflow there,
# committing each step — as far as the workflow exists today (see CHANGELOG.md).
#
#   examples/run-month.sh            # in a new temporary folder (printed)
#   examples/run-month.sh ~/month    # in ~/month (must not be a workspace yet)
#   JIUZHU=target/debug/jiuzhu examples/run-month.sh   # with a jiuzhu already built (no build)
#
# Under a Chinese locale (LC_ALL, LC_MESSAGES or LANG starting with zh) it speaks Chinese, as jiuzhu does.
#
# A step that needs a person (jiuzhu exit 1: e.g. the two rows the county's clerk mistyped) does not stop the
# month; a step that cannot run (exit 2) does.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
county="$here/county"
dir="${1:-$(mktemp -d "${TMPDIR:-/tmp}/jiuzhu-month.XXXXXX")}"

# The language jiuzhu picks (i18n::from_env): the first of LC_ALL, LC_MESSAGES, LANG that is set.
locale="${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}"
case "$locale" in zh*|ZH*) zh=1 ;; *) zh= ;; esac
# say ENGLISH CHINESE: one line in the run's language.
say() { if [ -n "$zh" ]; then echo "$2"; else echo "$1"; fi; }

if [ -n "${JIUZHU:-}" ]; then
  jz="$JIUZHU"
else
  say "== building jiuzhu" "== 编译 jiuzhu"
  cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
  jz="$repo/target/release/jiuzhu"
fi

step() {
  local rc=0
  echo "\$ jiuzhu $*"
  "$jz" -C "$dir" "$@" || rc=$?
  if [ "$rc" -gt 1 ]; then
    say "run-month: 'jiuzhu $*' could not run (exit $rc); stopping" "run-month: 'jiuzhu $*' 无法运行 (退出码 $rc); 停止" >&2
    exit "$rc"
  fi
  [ "$rc" -eq 0 ] || say "   (exit 1: something above needs a person)" "   (退出码 1: 上面有事项需要人工处理)"
}

commit() {
  git -C "$dir" add -A
  git -C "$dir" commit -q -m "$1" || true
}

say "== the county workspace: $dir" "== 县工作区: $dir"
"$jz" init "$dir"
git -C "$dir" config user.name >/dev/null || git -C "$dir" config user.name "jiuzhu example"
git -C "$dir" config user.email >/dev/null || git -C "$dir" config user.email "example@jiuzhu.invalid"
commit "init: 青禾县 workspace and policy"

say "== intake: the November registers of three townships" "== 导入: 三个乡镇 11 月的申请登记表"
step intake "$county/inbox/2026-11/城关镇-申请登记表.xlsx" \
            "$county/inbox/2026-11/东河乡-申请登记.csv" \
            "$county/inbox/2026-11/西岭镇-申请登记.xlsx"
commit "intake 2026-11: registers of 城关镇, 东河乡, 西岭镇"

registries="$county/registries"
say "== compare: the month's registries from other departments" "== 信息比对: 本月其他部门的数据"
step compare --source "deaths=$registries/deaths.xlsx" --source "vehicles=$registries/vehicles.csv" \
             --source "payroll=$registries/payroll.xlsx" --source "relatives=$registries/relatives.xlsx"
commit "compare 2026-11: deaths, vehicles, payroll, relatives"

# The clerk fills in the hits worksheet (here typed in as the CSV Excel would save it): the death and the payroll
# hit are true, the vehicle was sold before the application, the relative of staff is registered and in order.
hits_sheet=$(ls "$dir"/reports/compare-hits-*.xlsx | tail -n 1)
batch=$(basename "$hits_sheet" .xlsx); batch=${batch#compare-hits-}
answers="$dir/reports/compare-answers-$batch.csv"
{
  echo "批次,$batch"
  echo "比对编号,案件编号,姓名,身份证号(脱敏),处理结果,说明,处理人"
  # matches.csv: hit_id,case_id,id_number,name,source,… ,batch (the first five columns never hold commas).
  awk -F, -v b="$batch" 'NR > 1 && $NF == b {
      masked = substr($3, 1, 6) "********" substr($3, 15, 4)
      if ($5 == "deaths")         { d = "确认"; n = "火化证明已核实" }
      else if ($5 == "payroll")   { d = "确认"; n = "财政供养人员, 不符合条件" }
      else if ($5 == "vehicles")  { d = "排除"; n = "车辆已于申请前过户" }
      else                        { d = "排除"; n = "已备案, 复核无异常" }
      print $1 "," $2 "," $4 "," masked "," d "," n ",李明"
    }' "$dir/ledgers/matches.csv"
} > "$answers"
step compare --resolve "$answers"
commit "compare 2026-11: dispositions of batch $batch recorded"

say "== verify: the review of every case as of 2026-11-20, with the month's home visits" "== 审核: 截至 2026-11-20 审核每个案件, 录入本月入户调查"
step verify --as-of 2026-11-20 --visits "$county/visits/2026-11-入户调查.csv"
commit "verify 2026-11: checks as of 2026-11-20, visits, review workbook and 一次性告知 list"

# One household brings the materials the 一次性告知 asked for (补正): the clerk records them on a sheet (here typed in
# as Excel would save it) and verify checks the case again.
# checks.csv: case_id,check,result,detail,… (the first four columns never hold commas).
supplement="$dir/补正登记-2026-11-23.csv"
{
  echo "案件编号,收到日期,已收材料,经办人"
  awk -F, '$2 == "materials" && $3 == "needs_info" { sub(/^缺/, "", $4); print $1 ",2026-11-23," $4 ",王芳"; exit }' \
    "$dir/ledgers/checks.csv"
} > "$supplement"
say "== supplements: materials received after the 一次性告知, and the case verified again" "== 补正: 一次性告知后收到的材料, 并重新审核该案件"
step supplements "$supplement"
rm -f "$supplement"
step verify --as-of 2026-11-23
commit "supplements 2026-11: materials received on 2026-11-23 recorded, the case verified again"

say "== decide: proposals for 2026-11 and the review meeting's worksheet" "== 审批: 2026-11 的拟办意见和审批会评议表"
step decide --period 2026-11
commit "decide 2026-11: proposals"

# The review meeting (审批会) agrees with every proposal; its verdicts typed in as Excel would save the sheet.
verdicts="$dir/reports/review-meeting-2026-11-verdicts.csv"
{
  batch=$(awk -F, 'NR > 1 && $5 == "proposed" { print $NF; exit }' "$dir/ledgers/decisions.csv")
  echo "批次,$batch"
  echo "决定编号,案件编号,评议结果,说明"
  # decisions.csv: decision_id,case_id,period,kind,status,… (the first five columns never hold commas).
  # Every row of the worksheet's batch: the proposals, and the urgent case paid first (先行救助) whose approval
  # the meeting back-fills.
  awk -F, -v b="$batch" 'NR > 1 && $NF == b { print $1 "," $2 ",同意," }' "$dir/ledgers/decisions.csv"
} > "$verdicts"
step decide --record "$verdicts" --meeting "青禾县2026年11月社会救助审批会 纪要第11号" --date 2026-11-20 \
            --attendees "张局长、李股长、王会计、村代表赵某"
commit "decide 2026-11: review meeting of 2026-11-20 recorded, public notice posted"

say "== decide: the notice ran 2026-11-21 to 2026-11-27 without objection; decisions take effect" "== 审批: 2026-11-21 至 2026-11-27 公示无异议, 决定生效"
step decide --period 2026-11 --as-of 2026-11-28
commit "decide 2026-11: decisions effective after the notice"

say "== disburse: the November batch, bank files and the summary sheet to sign" "== 发放: 11 月批次、银行代发文件和待签字的汇总表"
step disburse --period 2026-11
commit "disburse 2026-11: batch, bank files, 汇总表"

# The 农信社 returns its file (回盘): every payment paid but the first, whose account is frozen.
# ledgers/payments/2026-11.csv (one file per batch month): payment_id,batch,period,…,bank_name,account,amount,…,status
# (see docs/ledgers.md).
ret="$dir/inbox-回盘-2026-11.csv"
awk -F, 'BEGIN { print "流水号,账号,金额,状态,失败原因" }
    FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $col["bank_name"] == "青禾县农村信用社" && $col["status"] == "issued" {
      print $col["payment_id"] "," $col["account"] "," $col["amount"] "," (n++ ? "成功," : "失败,账户已冻结")
    }' "$dir/ledgers/payments/2026-11.csv" | iconv -f UTF-8 -t GBK > "$ret"
step disburse --reconcile "$ret" --profile rcc_csv
rm -f "$ret"
commit "disburse 2026-11: 回盘 reconciled (one failure waits for a corrected account)"

# The household whose account was frozen brings a new bank card: the clerk fills in a correction sheet (更正登记表,
# `jiuzhu correct --template` writes a blank one), and the next batch reissues the payment to the new account.
# The payments (every month's file) and cases.csv are read by their headers; the accounts never hold commas.
fix="$dir/更正登记表-2026-12-02.csv"
{
  echo "案件编号,身份证号,字段,原值,新值,更正原因,依据,经办人,更正日期"
  awk -F, 'FNR == 1 { delete col; for (i = 1; i <= NF; i++) col[$i] = i; next }
      FILENAME ~ /payments/ && $col["status"] == "failed" { failed[$col["case_id"]] = 1 }
      FILENAME ~ /cases/ && ($col["case_id"] in failed) {
        print $col["case_id"] ",,银行账号," $col["bank_account"] ",6228480000000000017,原账户冻结已换新卡,银行卡复印件,王芳,2026-12-02"
      }' "$dir"/ledgers/payments/*.csv "$dir/ledgers/cases.csv"
} > "$fix"
say "== correct: the frozen account corrected from the household's new bank card" "== 更正: 按新银行卡更正被冻结的账号"
step correct "$fix"
rm -f "$fix"
commit "correct 2026-12-02: a bank account corrected (更正登记表), the returned payment to be reissued"

say "== audit: the whole chain cross-checked, the monthly change report (silent when everything holds)" "== 审计: 全链条交叉核对, 月度变动报告 (一切无误时不输出)"
step audit
commit "audit 2026-11: change report, ledgers' hashes recorded"

say "== audit: a reproducible 5% spot check, stratified by village and scheme" "== 审计: 可复现的 5% 抽查, 按村和救助类别分层"
step audit --sample 5% --seed 20261201 --stratify
commit "audit 2026-11: spot-check sample 20261201 drawn"

say "== archive: a dossier for every closed household, and their checksums verified" "== 归档: 每个已结案户一户一档, 并核验校验和"
step archive
commit "archive 2026-11: dossiers of closed cases"
step archive verify

say "== active discovery: the villages' sweep register (遇困人员花名册)" "== 主动发现: 各村报送的遇困人员花名册"
step intake --kind discoveries "$county/discoveries/2026-11-遇困人员花名册.csv"
commit "discoveries 2026-11: the sweep register, investigation worksheet written"

# The townships investigate at the door and fill in the 入户调查评估表 (here typed in as the CSV Excel would save
# it, the answers by ID number in $county/discoveries/): an assisted application, a referral, a household into
# the monitored population, one needing no assistance with the policy explained, and one visit that did not see
# the person (走访到户不见人不放过: it stays open).
inv_sheet=$(ls "$dir"/reports/discover-investigations-*.xlsx | tail -n 1)
batch=$(basename "$inv_sheet" .xlsx); batch=${batch#discover-investigations-}
answers="$dir/reports/discover-answers-$batch.csv"
{
  echo "批次,$batch"
  echo "发现编号,姓名,身份证号(脱敏),调查日期,调查人,见到本人,调查情况,对策建议,处理结果,转介部门,申请类别,监测类别,困难类别,未予救助原因,已做政策解释"
  # discoveries.csv: discovery_id,found_on,channel,name,id_number,… ,batch,file_sha256,row (the first five columns
  # never hold commas; the batch is the third from the end).
  awk -F, -v OFS=, -v b="$batch" '
    FNR == NR { if (FNR > 1) { id = $1; $1 = ""; answer[id] = substr($0, 2) }; next }
    FNR > 1 && $(NF - 2) == b && ($5 in answer) {
      print $1, $4, substr($5, 1, 6) "********" substr($5, 15, 4), answer[$5]
    }' "$county/discoveries/2026-11-入户调查评估.csv" "$dir/ledgers/discoveries.csv"
} > "$answers"
step discover --resolve "$answers"
commit "discover 2026-11: home investigations recorded (三个不放过), referral and pre-filled application register written"

say "== report: the monthly statistics workbook with its charts" "== 报表: 本月统计报表及图表"
step report --period 2026-11
commit "report 2026-11: 统计报表"

say "== dynamic management: the month's follow-up visits (one finds new income) and complaints" "== 动态管理: 本月回访 (其中一户发现新收入) 和信访"
step intake --kind followups "$county/followups/2026-11-回访.csv"
commit "followups 2026-11: visits recorded, one member's income updated (next decide: 减发)"
step intake --kind complaints "$county/complaints/2026-11-信访.csv"
commit "complaints 2026-11: registered"

say "== status: what needs a person now" "== 状态: 现在需要人工处理的事项"
step status

if [ -n "$zh" ]; then
  echo "== 完成。请查看:"
  echo "   $dir/ledgers/cases.csv, members.csv    导入的案件和人员"
  echo "   $dir/ledgers/matches.csv               信息比对的命中及处理结果"
  echo "   $dir/ledgers/checks.csv                每个审核中案件的每项核查"
  echo "   $dir/ledgers/decisions.csv             决定及其计算过程 (jiuzhu explain 案件编号)"
  echo "   $dir/ledgers/payments/2026-11.csv      本月发放及银行回盘结果 (每个批次月份一个文件)"
  echo "   $dir/reports/                          拒收表、比对表、审核表、一次性告知、评议表、公示、汇总表和银行文件"
  echo "   $dir/ledgers/change_reports.csv        月度变动报告 (jiuzhu audit); reports/audit-findings.xlsx"
  echo "   $dir/archive/                          每个已结案户一档, 附 MANIFEST.csv"
  echo "   $dir/reports/统计报表-2026-11.xlsx      本月统计报表及图表 (jiuzhu report)"
  echo "   $dir/ledgers/followups.csv, complaints.csv   回访和信访 (jiuzhu status 列出到期事项)"
  echo "   $dir/ledgers/discoveries.csv, investigations.csv, referrals.csv, monitored.csv   主动发现、入户调查评估、转介和低收入人口监测"
  echo "   \`git -C '$dir' log --stat\`              每一步一次提交"
  exit 0
fi
echo "== done. Look at:"
echo "   $dir/ledgers/cases.csv, members.csv    the cases and people taken in"
echo "   $dir/ledgers/matches.csv               registry hits and what was decided about them"
echo "   $dir/ledgers/checks.csv                every check of every case under review"
echo "   $dir/ledgers/decisions.csv             decisions with their derivations (jiuzhu explain CASE)"
echo "   $dir/ledgers/payments/2026-11.csv      the month's payments and what the bank said (one file per batch month)"
echo "   $dir/reports/                          rejects, hits, review, 一次性告知, meeting, notice, 汇总表 and bank files"
echo "   $dir/ledgers/change_reports.csv        the monthly change report (jiuzhu audit); reports/audit-findings.xlsx"
echo "   $dir/archive/                          one dossier per closed household, with MANIFEST.csv"
echo "   $dir/reports/统计报表-2026-11.xlsx      the month's statistics and charts (jiuzhu report)"
echo "   $dir/ledgers/followups.csv, complaints.csv   follow-up visits and complaints (jiuzhu status lists what is due)"
echo "   $dir/ledgers/discoveries.csv, investigations.csv, referrals.csv, monitored.csv   active discovery and the monitored population"
echo "   git -C '$dir' log --stat                one commit per step"
