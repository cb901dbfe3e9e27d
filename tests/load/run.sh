#!/usr/bin/env bash
# Load test: drives the cpp-httplib example server (examples/httplib) with wrk on
# loopback, cycling through many distinct signed requests plus duplicates and
# forgeries (tests/load/make_requests.cpp, tests/load/requests.lua), for
# DURATION seconds (default 30; .ci/run uses 10). Reports requests/s and p50/p99
# latency, then checks through the server's GET /events (the events its call registry
# handled) that
#   - every genuine event was dispatched exactly once (duplicates never re-dispatched),
#   - no forged event was dispatched,
#   - no request got a 500.
# Exits non-zero on any violation.
#
# Env: DURATION (s), CONNECTIONS (default 8: with keep-alive each connection pins one server
#      worker, so keep it <= SERVER_THREADS, default 8), THREADS (wrk threads, default 2),
#      GENUINE (distinct events, default 2000), BUILD_DIR (default build/load).
set -euo pipefail

DURATION=${DURATION:-30}
CONNECTIONS=${CONNECTIONS:-8}
SERVER_THREADS=${SERVER_THREADS:-8}
THREADS=${THREADS:-2}
GENUINE=${GENUINE:-2000}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build/load}

command -v wrk >/dev/null || { echo "load: wrk not installed (apt-get install wrk)" >&2; exit 1; }

echo "== building (Release) into $BUILD_DIR"
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DLKWEBHOOK_BUILD_TESTS=ON \
  -DLKWEBHOOK_BUILD_EXAMPLES=ON >/dev/null
cmake --build "$BUILD_DIR" --target lkwebhook_example_httplib lkwebhook_load_requests -j2 >/dev/null

SERVER=$(find "$BUILD_DIR/examples" -type f -name lkwebhook-httplib-server -perm -u+x | head -n1)
GENERATOR="$BUILD_DIR/tests/load/lkwebhook_load_requests"
[[ -x "$SERVER" ]] || { echo "load: server binary not found under $BUILD_DIR/examples" >&2; exit 1; }

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -TERM "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

API_KEY=APIloadtest
API_SECRET=load-test-secret-0123456789abcdef0123456789
"$GENERATOR" "$WORK/requests.txt" "$API_KEY" "$API_SECRET" "$GENUINE"

LIVEKIT_API_KEY=$API_KEY LIVEKIT_API_SECRET=$API_SECRET \
  "$SERVER" --bind 127.0.0.1 --port 0 --threads "$SERVER_THREADS" --quiet >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
URL=
for _ in $(seq 1 100); do
  URL=$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$WORK/server.out" | head -n1)
  [[ -n "$URL" ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "load: server exited early" >&2; cat "$WORK/server.err" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$URL" ]] || { echo "load: server did not report readiness" >&2; exit 1; }
HOSTPORT=${URL#http://}; HOSTPORT=${HOSTPORT%%/*}
WEBHOOK_PATH=/${URL#http://*/}
echo "== server $URL (pid $SERVER_PID); wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s"

REQUESTS_FILE="$WORK/requests.txt" WEBHOOK_PATH="$WEBHOOK_PATH" \
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$ROOT/tests/load/requests.lua" \
  "http://$HOSTPORT" | tee "$WORK/wrk.out"

# http_get PATH FILE: the body of GET PATH on the server into FILE (bash's /dev/tcp: no curl needed).
http_get() {
  exec 3<>"/dev/tcp/${HOSTPORT%%:*}/${HOSTPORT##*:}" || return 1
  printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$1" "$HOSTPORT" >&3
  timeout 10 cat <&3 | tr -d '\r' | sed '1,/^$/d' >"$2" || true
  exec 3<&- 3>&-
}

# Prometheus text from the server, for the record.
if http_get /metrics "$WORK/metrics.txt"; then
  echo "== /metrics (lkwebhook lines)"
  grep -E '^lkwebhook' "$WORK/metrics.txt" | grep -v ' 0$' || true
fi
# What reached the correlator (wrk has stopped; this server dispatches before it answers).
http_get /events "$WORK/events.txt" || echo "load: GET /events failed" >&2

kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || { echo "load: server exited with an error" >&2; exit 1; }
SERVER_PID=

fail=0
report() { echo "FAIL: $*" >&2; fail=1; }

list_size=$(sed -n 's/^LOAD list_size \([0-9]*\).*/\1/p' "$WORK/wrk.out")
min_sent=$(sed -n 's/^LOAD list_size [0-9]* min_thread_sent \([0-9]*\)/\1/p' "$WORK/wrk.out")
[[ -n "$list_size" && -n "$min_sent" ]] || report "wrk summary missing (Lua done() did not run?)"

handled=$(sed -n '1s/^handled \([0-9]*\) event(s); the last \([0-9]*\) follow.*/\1 \2/p' "$WORK/events.txt")
sed 1d "$WORK/events.txt" | awk 'NF {print $1}' | sort >"$WORK/dispatched.txt"
sort "$WORK/requests.txt.genuine" >"$WORK/genuine.txt"
dispatched=$(wc -l <"$WORK/dispatched.txt")
twice=$(uniq -d "$WORK/dispatched.txt" | wc -l)
forged=$(grep -c '^EV_FORGED' "$WORK/dispatched.txt" || true)
unexpected=$(comm -13 "$WORK/genuine.txt" <(uniq "$WORK/dispatched.txt") | wc -l)
missing=$(comm -23 "$WORK/genuine.txt" <(uniq "$WORK/dispatched.txt") | wc -l)
status500=$(sed -n 's/^LOAD status 500 \([0-9]*\)/\1/p' "$WORK/wrk.out")

listed=$(wc -l <"$WORK/dispatched.txt")
[[ "$handled" == "$listed $listed" ]] || report "GET /events lists $listed events, its header says '${handled:-nothing}'"
echo "== checks: dispatched=$dispatched genuine=$(wc -l <"$WORK/genuine.txt") twice=$twice forged=$forged unexpected=$unexpected missing=$missing"
[[ "$twice" -eq 0 ]] || report "$twice event ids were dispatched more than once"
[[ "$forged" -eq 0 ]] || report "$forged forged events were dispatched"
[[ "$unexpected" -eq 0 ]] || report "$unexpected dispatched ids were never sent as genuine"
[[ -z "$status500" ]] || report "$status500 responses were 500"
if [[ -n "$min_sent" && -n "$list_size" && "$min_sent" -ge "$list_size" ]]; then
  # Every wrk thread walked the whole list, so every genuine request was sent.
  [[ "$missing" -eq 0 ]] || report "$missing genuine events were sent but never dispatched"
else
  report "throughput too low to send every request once (min per-thread sent ${min_sent:-?} < list ${list_size:-?})"
fi

if [[ $fail -ne 0 ]]; then
  echo "load: FAILED" >&2
  exit 1
fi
echo "load: OK"
