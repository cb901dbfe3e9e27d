#!/bin/sh
# LiveKit's retry policy in `lkwebhook send`, against a test-owned endpoint that answers scripted
# statuses and keeps what it received (scripted_endpoint.cpp):
#   - 503 + Retry-After twice, then 200: retried twice, waiting as told, then delivered;
#   - 429 + Retry-After, then 200: retried like a 5xx, then delivered;
#   - 501: final, not retried (LiveKit retries 5xx except 501, and 429).
# Every retry is the same request: the endpoint got identical bodies and Authorization values,
# and `lkwebhook verify` accepts the last one (the token still signs the body).
#
#   send_retry_test.sh LKWEBHOOK_CLI SCRIPTED_ENDPOINT
set -u
cli=$1
endpoint=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/lkwebhook-send-retry-test.XXXXXX")
pid=
stop_endpoint() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=; fi
}
trap 'stop_endpoint; rm -rf "$work"' EXIT
LIVEKIT_API_KEY=APIretryTest01
LIVEKIT_API_SECRET=retry-test-secret-0123456789abcdef
export LIVEKIT_API_KEY LIVEKIT_API_SECRET
failures=0
ok() { echo "ok:   $*"; }
ko() { echo "FAIL: $*"; failures=$((failures + 1)); }

# start_endpoint NAME ANSWER...: sets $url, $pid and $records (where the requests are kept).
start_endpoint() {
  name=$1
  shift
  records="$work/$name"
  mkdir -p "$records"
  "$endpoint" "$records" "$@" >"$work/$name.out" 2>&1 &
  pid=$!
  url=
  for _ in $(seq 1 100); do
    url=$(sed -n 's/^listening on //p' "$work/$name.out" | head -n 1)
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$url" ] || { echo "the scripted endpoint did not start:"; cat "$work/$name.out"; exit 1; }
}

# same_request_each_time N: requests 1..N carried the same body and Authorization, and
# `lkwebhook verify` accepts the last of them.
same_request_each_time() {
  i=2
  while [ "$i" -le "$1" ]; do
    cmp -s "$records/request-1.body" "$records/request-$i.body" &&
      cmp -s "$records/request-1.authorization" "$records/request-$i.authorization" || return 1
    i=$((i + 1))
  done
  "$cli" verify --authorization "$(cat "$records/request-$1.authorization")" "$records/request-$1.body" >/dev/null
}

requests_received() { grep -c '^request ' "$work/$1.out"; }

# --- 503 + Retry-After twice, then 200 ------------------------------------------------------
start_endpoint flaky 503:1 503:1 200
"$cli" send --event participant_joined --room retry-test --backoff-scale 0.01 "$url" >"$work/send-flaky.txt" 2>&1
rc=$?
stop_endpoint
if [ "$rc" -eq 0 ] && grep -q '^attempt 1/5: HTTP 503.*Retry-After' "$work/send-flaky.txt" &&
   grep -q '^attempt 2/5: HTTP 503' "$work/send-flaky.txt" && grep -q '^attempt 3/5: HTTP 200' "$work/send-flaky.txt" &&
   grep -q 'retrying in 1 s (Retry-After)' "$work/send-flaky.txt"; then
  ok "lkwebhook send: retried twice on 503 + Retry-After, then delivered"
else
  ko "lkwebhook send retries (exit $rc)"; cat "$work/send-flaky.txt"
fi
if [ "$(requests_received flaky)" -eq 3 ] && same_request_each_time 3; then
  ok "the three attempts were one request: same body, same token, still valid"
else
  ko "the endpoint got $(requests_received flaky) request(s), or they differ"; cat "$work/flaky.out"
fi

# --- 429 + Retry-After, then 200: retried like a 5xx -----------------------------------------
start_endpoint busy 429:1 200
"$cli" send --event participant_left --room retry-test --backoff-scale 0.01 "$url" >"$work/send-busy.txt" 2>&1
rc=$?
stop_endpoint
if [ "$rc" -eq 0 ] && grep -q '^attempt 1/5: HTTP 429.*retrying in 1 s (Retry-After)' "$work/send-busy.txt" &&
   grep -q '^attempt 2/5: HTTP 200' "$work/send-busy.txt"; then
  ok "lkwebhook send: 429 + Retry-After retried, then delivered"
else
  ko "lkwebhook send on 429 (exit $rc)"; cat "$work/send-busy.txt"
fi
if [ "$(requests_received busy)" -eq 2 ] && same_request_each_time 2; then
  ok "the retry after 429 was the same request"
else
  ko "the endpoint got $(requests_received busy) request(s), or they differ"; cat "$work/busy.out"
fi

# --- 501 is final -------------------------------------------------------------------------------
start_endpoint unimplemented 501 200
"$cli" send --event participant_left --room retry-test --backoff-scale 0.01 "$url" >"$work/send-501.txt" 2>&1
rc=$?
stop_endpoint
if [ "$rc" -eq 1 ] && grep -q '^attempt 1/5: HTTP 501' "$work/send-501.txt" && ! grep -q '^attempt 2/' "$work/send-501.txt"; then
  ok "lkwebhook send: 501 is final (not retried), as in LiveKit"
else
  ko "lkwebhook send on 501 (exit $rc)"; cat "$work/send-501.txt"
fi
[ "$(requests_received unimplemented)" -eq 1 ] && ok "the endpoint got exactly one request after 501" ||
  { ko "the endpoint got $(requests_received unimplemented) request(s) after 501"; cat "$work/unimplemented.out"; }

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "all retry checks passed"
