#!/bin/sh
# End-to-end test of one example HTTP server (httplib or beast), as LiveKit would use it.
#
#   server_test.sh SERVER_BINARY LKWEBHOOK_CLI VECTORS_DIR
#
# 1. Requests signed by LiveKit's official JS SDK (every vector body the SDK accepts, re-signed
#    now) are POSTed over HTTP: each gets 200 and is dispatched exactly once (checked against
#    the server's GET /events, the events its call registry handled); forged and altered ones
#    get 401, an oversized one 413, and none of them is dispatched.
# 2. `lkwebhook send` against the server: delivered (exit 0), duplicate acknowledged, forged
#    refused as final (no retry), and a room name with a newline and spaces that stays one
#    escaped line of GET /events (catalogue L7). (send's retries on 503/429/501:
#    send_retry_test.sh.)
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

start_server main
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

# A room name is chosen by users (catalogue M3): one with a newline and spaces must stay one
# line of three fields in GET /events, and must not forge a line of its own ([threat-L7]).
injected_room=$(printf 'line one\nEV_forgedInListing room_started injected')
if "$cli" send --event room_started --room "$injected_room" --id EV_sendNewline01 --backoff-scale 0.01 "$main_url" >"$work/send4.txt" 2>&1; then
  pass "lkwebhook send: a room name with a newline and spaces is delivered"
else
  fail "lkwebhook send: room name with a newline"; cat "$work/send4.txt"
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

# GET /events: the events the call registry handled. The Beast server hands events to its
# correlator from worker threads after answering, so wait until its queue is empty
# (lkwebhook_queue_depth 0; the cpp-httplib server dispatches before answering).
i=0
while [ $i -lt 100 ]; do
  get "$origin/metrics" | grep -q '^lkwebhook_queue_depth 0$' && break
  sleep 0.1
  i=$((i + 1))
done
events=$(get "$origin/events")
case "$events" in
  "200 handled "*)
    printf '%s\n' "${events#200 }" >"$work/events.txt"
    handled=$(sed -n '1s/^handled \([0-9]*\) event(s); the last \([0-9]*\) follow.*/\1 \2/p' "$work/events.txt")
    sed 1d "$work/events.txt" | grep -v '^$' >"$work/dispatched.txt"
    listed=$(wc -l <"$work/dispatched.txt" | tr -d ' ')
    if [ "$handled" = "$listed $listed" ]; then
      pass "GET /events lists every event the registry handled ($listed)"
    else
      fail "GET /events: header says '$handled', $listed line(s) listed"
    fi
    ;;
  *) fail "GET /events: $(echo "$events" | head -c 200)"; : >"$work/dispatched.txt" ;;
esac

stop_server main "$main_pid"

# Every genuine id exactly once, no forged id at all (`-`: an event without an id, which some
# vectors are and which cannot be deduplicated).
cut -d' ' -f1 "$work/dispatched.txt" | grep -v '^-$' | sort >"$work/dispatched-ids.txt"
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
grep -q '^EV_sendCheck0001 room_started ' "$work/dispatched.txt" && pass "the event sent by lkwebhook send was dispatched" ||
  fail "the event sent by lkwebhook send was not dispatched"
if grep -qxF 'EV_sendNewline01 room_started line\x20one\x0aEV_forgedInListing\x20room_started\x20injected' "$work/dispatched.txt" &&
   [ -z "$(awk 'NF != 3' "$work/dispatched.txt")" ]; then
  pass "GET /events: a room name with a newline and spaces is escaped, every line has three fields"
else
  fail "GET /events lines: $(grep -n 'Newline\|InListing' "$work/dispatched.txt"; awk 'NF != 3' "$work/dispatched.txt" | head -n 3)"
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed; server log:"
  tail -n 40 "$work/main.out"
  exit 1
fi
echo "all checks passed"
exit 0
