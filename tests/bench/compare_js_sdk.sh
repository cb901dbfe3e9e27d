#!/usr/bin/env bash
# Side-by-side throughput: lkwebhook vs LiveKit's official JS server SDK
# (livekit-server-sdk 2.19.2, WebhookReceiver.receive), same bodies and tokens.
#   1. builds lkwebhook_bench (bench preset) and dumps the workloads,
#   2. runs our receive (verify + decode) and e2e (verify_and_dispatch) benchmarks,
#   3. right after, runs the SDK over the same requests (the packages pinned by
#      tests/interop/package.json, npm-installed into a scratch directory, never
#      into the repository),
#   4. prints events/s and the ratio per workload.
# Env: JS_DEPS (reuse an install dir, e.g. a build tree's tests/interop/npm),
#      JS_SECONDS (per workload, default 2),
#      BENCH_MIN_TIME (default 0.5).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SDK_PACKAGE_JSON=$ROOT/tests/interop/package.json
BUILD_DIR="$ROOT/build/bench"
JS_SECONDS=${JS_SECONDS:-2}
BENCH_MIN_TIME=${BENCH_MIN_TIME:-0.5}

command -v node >/dev/null && command -v npm >/dev/null || { echo "compare: node and npm are required" >&2; exit 1; }
[[ -f "$SDK_PACKAGE_JSON" ]] || { echo "compare: $SDK_PACKAGE_JSON not found" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DEPS=${JS_DEPS:-$WORK/deps}
if [[ ! -d "$DEPS/node_modules/livekit-server-sdk" ]]; then
  mkdir -p "$DEPS"
  cp "$SDK_PACKAGE_JSON" "$DEPS/package.json"
  (cd "$DEPS" && npm install --no-audit --no-fund --silent)
fi

cd "$ROOT"
cmake --preset bench >/dev/null
cmake --build "$BUILD_DIR" --target lkwebhook_bench -j2 >/dev/null
BENCH="$BUILD_DIR/tests/bench/lkwebhook_bench"
"$BENCH" --dump-workloads="$WORK" >/dev/null

echo "== lkwebhook (receive = verify + decode; e2e = verify_and_dispatch with a memory store)"
"$BENCH" --benchmark_filter='^(receive|e2e)/' --benchmark_min_time="$BENCH_MIN_TIME" \
  --benchmark_format=json --benchmark_out="$WORK/ours.json" --benchmark_out_format=json >/dev/null
echo "== livekit-server-sdk $(node -e "console.log(require('$DEPS/node_modules/livekit-server-sdk/package.json').version)") (WebhookReceiver.receive), node $(node --version)"
NODE_PATH="$DEPS/node_modules" node "$ROOT/tests/bench/compare_js_sdk.mjs" "$WORK" "$JS_SECONDS" >"$WORK/js.jsonl"

node - "$WORK/ours.json" "$WORK/js.jsonl" <<'JS'
const fs = require('fs');
const ours = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')).benchmarks;
const js = fs.readFileSync(process.argv[3], 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const rate = (name) => { const b = ours.find((x) => x.name === name); return b ? b['events/s'] : NaN; };
const f = (x) => Number.isFinite(x) ? Math.round(x).toLocaleString('en-US').padStart(11) : '        n/a';
console.log('workload   bytes    lkwebhook receive   lkwebhook e2e     JS SDK receive   receive ratio   e2e ratio');
for (const j of js) {
  const r = rate(`receive/${j.workload}`), e = rate(`e2e/${j.workload}`);
  console.log(`${j.workload.padEnd(8)} ${String(j.bytes).padStart(7)}   ${f(r)} ev/s   ${f(e)} ev/s   ${f(j.events_per_s)} ev/s   ${(r / j.events_per_s).toFixed(1).padStart(8)}x   ${(e / j.events_per_s).toFixed(1).padStart(8)}x`);
}
JS
