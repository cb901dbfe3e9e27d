#!/usr/bin/env bash
# Builds the libFuzzer targets with the `fuzz` preset (clang,
# -fsanitize=fuzzer,address,undefined) and fuzzes each for FUZZ_SECONDS
# (default 60), starting from the committed seed corpus. Fails on any crash,
# sanitizer report, leak, timeout (> 10 s per input) or out-of-memory; the
# reproducer is left in $ARTIFACTS (default build/fuzz/artifacts).
# New corpus entries go to a scratch directory, never into the repository.
#
# Env: FUZZ_SECONDS, FUZZ_TARGETS (default: all), FUZZ_JOBS (parallel targets, default 1).
set -euo pipefail

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR="$ROOT/build/fuzz"
ARTIFACTS=${ARTIFACTS:-$BUILD_DIR/artifacts}
TARGETS=${FUZZ_TARGETS:-token decode verify signed_dispatch}

cd "$ROOT"
echo "== configuring and building the fuzz preset"
cmake --preset fuzz >/dev/null
build_targets=()
for t in $TARGETS; do
  [[ -f "tests/fuzz/fuzz_$t.cpp" ]] && build_targets+=("fuzz_$t")
done
[[ ${#build_targets[@]} -gt 0 ]] || { echo "fuzz: no targets" >&2; exit 1; }
cmake --build "$BUILD_DIR" --target "${build_targets[@]}" -j2

mkdir -p "$ARTIFACTS"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

total=0
failed=()
for target in "${build_targets[@]}"; do
  name=${target#fuzz_}
  binary="$BUILD_DIR/tests/fuzz/$target"
  mkdir -p "$WORK/$name"
  echo "== $target for ${FUZZ_SECONDS}s"
  start=$(date +%s)
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$binary" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -dict="tests/fuzz/webhook.dict" -artifact_prefix="$ARTIFACTS/$name-" -print_final_stats=1 \
      "$WORK/$name" "tests/fuzz/corpus/$name" >"$WORK/$name.log" 2>&1; then
    grep -E "^(Done|stat::number_of_executed_units|stat::new_units_added)" "$WORK/$name.log" || true
  else
    echo "FAIL: $target (log tail follows; reproducer in $ARTIFACTS)" >&2
    tail -n 40 "$WORK/$name.log" >&2
    failed+=("$target")
  fi
  total=$((total + $(date +%s) - start))
done

echo "== fuzzed ${#build_targets[@]} targets for ${total}s in total"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: OK"
