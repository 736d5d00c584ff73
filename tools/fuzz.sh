#!/usr/bin/env bash
# Runs attn's libFuzzer targets (tests/fuzz), one after another: `make fuzz` calls it.
#   tools/fuzz.sh BUILD_DIR SECONDS_OR_RUNS TARGET...
# SECONDS_OR_RUNS is a time budget per target in seconds ("600"), or a number of executions
# followed by "runs" ("10000000runs"). Each target starts from tests/fuzz/corpus/<target>
# (copied, so the checked-in corpus only grows by hand) and keeps what it finds interesting in
# BUILD_DIR/corpus/<target>; a crash, leak, timeout or out-of-memory input lands in
# BUILD_DIR/findings/<target>/ and stops that target. Copy a finding into
# tests/fuzz/corpus/<target>/ once it is fixed: CI then replays it forever.
# FUZZ_TIMEOUT (seconds, default 10) is how long one input may run before it counts as a
# finding; raise it on a loaded machine, where a niced fuzzer can wait longer than that.
set -euo pipefail
build="$1"
budget="$2"
shift 2
cd "$(dirname "$0")/.."
case "$budget" in
  *runs) limit="-runs=${budget%runs}" ;;
  *) limit="-max_total_time=$budget" ;;
esac
status=0
for target in "$@"; do
  corpus="$build/corpus/$target"
  findings="$build/findings/$target/"
  mkdir -p "$corpus" "$findings"
  cp -n tests/fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true
  echo "== fuzz $target ($budget)"
  "$build/tests/fuzz/fuzz_$target" "$limit" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 \
    -artifact_prefix="$findings" -print_final_stats=1 "$corpus" 2> "$build/fuzz_$target.log" ||
    status=1
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|^Done|ERROR|SUMMARY" \
    "$build/fuzz_$target.log" || true
done
exit $status
