#!/bin/sh
# End-to-end test of one example HTTP server (httplib or beast), as LiveKit would use it.
#
#   server_test.sh SERVER_BINARY LKWEBHOOK_CLI VECTORS_DIR
#
# 1. Requests signed by LiveKit's official JS SDK (every vector body the SDK accepts, re-signed
#    now) are POSTed over HTTP: each gets 200 and is dispatched exactly once (checked against the
#    server's --dispatch-log); forged and altered ones get 401, an oversized one 413, and none
#    of them is dispatched.
# 2. `lkwebhook send` against the server: delivered (exit 0), duplicate acknowledged, forged
#    refused as final (no retry), and LiveKit's retry policy against servers started with
#    --fail-first: 503 and 429 + Retry-After retried, 501 final.
# 3. GET /healthz and /metrics answer; SIGTERM stops the server cleanly (exit 0).
#
# Needs node (with NODE_PATH pointing at node_modules holding livekit-server-sdk). Exits 77
# (reported by CTest as skipped) only when node is absent.
set -u

server=$1
cli=$2
vectors=$3
here=$(cd "$(dirname "$0")" && pwd)

if ! command -v node >/dev/null 2>&1; then
  echo "SKIPPED: node is not installed; LiveKit's JS SDK cannot sign the requests"
  exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lkwebhook-example-test.XXXXXX")
pids=""
cleanup() {
  for p in $pids; do kill -KILL "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
pass() {
  echo "ok:   $*"
}

LIVEKIT_API_KEY=APIexampleTest1
LIVEKIT_API_SECRET=example-test-secret-0123456789abcdefghij
export LIVEKIT_API_KEY LIVEKIT_API_SECRET

# start_server NAME [options...]: starts SERVER on a free loopback port, sets $url and $pid.
start_server() {
  name=$1
  shift
  "$server" --bind 127.0.0.1 --port 0 "$@" >"$work/$name.out" 2>&1 &
  pid=$!
  pids="$pids $pid"
  i=0
  url=""
  while [ $i -lt 100 ]; do
    url=$(sed -n 's/^listening on //p' "$work/$name.out" | head -n 1)
    [ -n "$url" ] && break
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
    i=$((i + 1))
  done
  if [ -z "$url" ]; then
    echo "the server did not start:"
    cat "$work/$name.out"
    exit 1
  fi
  echo "server $name: $url (pid $pid)"
}

# stop_server NAME PID: SIGTERM, expects exit status 0 and the "stopped" line.
stop_server() {
  kill -TERM "$2"
  wait "$2"
  rc=$?
  if [ "$rc" -eq 0 ] && grep -q '^stopped' "$work/$1.out"; then
    pass "$1 stopped cleanly on SIGTERM"
  else
    fail "$1 did not stop cleanly (exit $rc)"
    tail -n 20 "$work/$1.out"
  fi
}

# get URL: prints "STATUS BODY" using node's fetch (no curl needed).
get() {
  node -e 'fetch(process.argv[1]).then(async r => { process.stdout.write(r.status + " " + await r.text()); }, e => { process.stdout.write("000 " + e.message); })' "$1"
}

start_server main --dispatch-log "$work/dispatched.log"
main_pid=$pid
main_url=$url
base=${main_url%/voice/livekit/webhooks}
base=${base%/}
origin=$(echo "$main_url" | sed 's#^\(http://[^/]*\).*#\1#')

# --- 1. JS SDK-signed requests --------------------------------------------------------------
if node "$here/webhook_client.mjs" post "$main_url" "$vectors" "$work/ids.txt"; then
  pass "JS SDK-signed requests: genuine 200, forged 401, oversized 413"
else
  fail "JS SDK-signed requests (see above)"
fi

# --- 2. lkwebhook send ----------------------------------------------------------------------
if "$cli" send --event room_started --room send-test --id EV_sendCheck0001 --backoff-scale 0.01 "$main_url" >"$work/send1.txt" 2>&1 &&
   grep -q '^attempt 1/5: HTTP 200' "$work/send1.txt"; then
  pass "lkwebhook send: delivered with 200 on the first attempt"
else
  fail "lkwebhook send: not delivered"; cat "$work/send1.txt"
fi
if "$cli" send --event room_started --room send-test --id EV_sendCheck0001 --backoff-scale 0.01 "$main_url" >"$work/send2.txt" 2>&1; then
  pass "lkwebhook send: a duplicate is acknowledged (200)"
else
  fail "lkwebhook send: duplicate not acknowledged"; cat "$work/send2.txt"
fi
"$cli" send --event room_finished --room send-test --id EV_forgedSend01 --api-secret wrong-secret --backoff-scale 0.01 "$main_url" >"$work/send3.txt" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q '^attempt 1/5: HTTP 401' "$work/send3.txt" && ! grep -q '^attempt 2/' "$work/send3.txt"; then
  pass "lkwebhook send: forged request refused with 401, not retried"
else
  fail "lkwebhook send: forged request (exit $rc)"; cat "$work/send3.txt"
fi

# --- 3. health, metrics ---------------------------------------------------------------------
health=$(get "$origin/healthz")
case "$health" in
  200*) pass "GET /healthz: $health" ;;
  *) fail "GET /healthz: $health" ;;
esac
metrics=$(get "$origin/metrics")
case "$metrics" in
  200*lkwebhook_*) pass "GET /metrics answers Prometheus text" ;;
  *) fail "GET /metrics: $(echo "$metrics" | head -c 200)" ;;
esac

stop_server main "$main_pid"

# Dispatch log: every genuine id exactly once, no forged id at all.
if [ -f "$work/dispatched.log" ]; then
  cut -d' ' -f1 "$work/dispatched.log" | grep -v '^$' | sort >"$work/dispatched-ids.txt"
  dupes=$(uniq -d "$work/dispatched-ids.txt")
  [ -z "$dupes" ] && pass "no event was dispatched twice" || fail "dispatched more than once: $dupes"
  grep -v '^$' "$work/ids.txt" | sort -u >"$work/genuine-ids.txt"
  missing=$(comm -23 "$work/genuine-ids.txt" "$work/dispatched-ids.txt")
  [ -z "$missing" ] && pass "every SDK-signed event was dispatched ($(wc -l <"$work/genuine-ids.txt") ids)" ||
    fail "accepted but never dispatched: $missing"
  if grep -q 'EV_forged' "$work/dispatched-ids.txt"; then
    fail "a forged event was dispatched: $(grep EV_forged "$work/dispatched-ids.txt" | head -n 3)"
  else
    pass "no forged event was dispatched"
  fi
  grep -q '^EV_sendCheck0001 ' "$work/dispatched.log" && pass "the event sent by lkwebhook send was dispatched" ||
    fail "the event sent by lkwebhook send was not dispatched"
else
  fail "the server wrote no dispatch log"
fi

# --- 4. LiveKit's retries against a server that answers 503 twice -----------------------------
start_server flaky --fail-first 2
flaky_pid=$pid
"$cli" send --event participant_joined --room retry-test --backoff-scale 0.01 "$url" >"$work/send4.txt" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^attempt 1/5: HTTP 503.*Retry-After' "$work/send4.txt" &&
   grep -q '^attempt 2/5: HTTP 503' "$work/send4.txt" && grep -q '^attempt 3/5: HTTP 200' "$work/send4.txt" &&
   grep -q 'retrying in 1 s (Retry-After)' "$work/send4.txt"; then
  pass "lkwebhook send: retried twice on 503 + Retry-After, then delivered"
else
  fail "lkwebhook send retries (exit $rc)"; cat "$work/send4.txt"
fi
stop_server flaky "$flaky_pid"

# 429 is retried like 5xx (honouring Retry-After); 501 is final, like any 4xx.
start_server busy --fail-first 1 --fail-status 429
busy_pid=$pid
"$cli" send --event participant_left --room retry-test --backoff-scale 0.01 "$url" >"$work/send5.txt" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^attempt 1/5: HTTP 429.*retrying in 1 s (Retry-After)' "$work/send5.txt" &&
   grep -q '^attempt 2/5: HTTP 200' "$work/send5.txt"; then
  pass "lkwebhook send: 429 + Retry-After retried, then delivered"
else
  fail "lkwebhook send on 429 (exit $rc)"; cat "$work/send5.txt"
fi
stop_server busy "$busy_pid"
start_server unimplemented --fail-first 1 --fail-status 501
unimplemented_pid=$pid
"$cli" send --event participant_left --room retry-test --backoff-scale 0.01 "$url" >"$work/send6.txt" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q '^attempt 1/5: HTTP 501' "$work/send6.txt" && ! grep -q '^attempt 2/' "$work/send6.txt"; then
  pass "lkwebhook send: 501 is final (not retried), as in LiveKit"
else
  fail "lkwebhook send on 501 (exit $rc)"; cat "$work/send6.txt"
fi
stop_server unimplemented "$unimplemented_pid"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed; server log:"
  tail -n 40 "$work/main.out"
  exit 1
fi
echo "all checks passed"
exit 0
