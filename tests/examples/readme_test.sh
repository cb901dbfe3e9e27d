#!/bin/sh
# The README's embedding example, extracted from README.md and built by CMake, works as printed:
# it listens on 127.0.0.1:8080, an event sent by `lkwebhook send` reaches its correlator (which
# prints it) and is answered 200, a forged one gets 401 and is not handled.
#
#   readme_test.sh README_EXAMPLE_BINARY LKWEBHOOK_CLI
set -u
app=$1
cli=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/lkwebhook-readme-test.XXXXXX")
LIVEKIT_API_KEY=APIdev
LIVEKIT_API_SECRET=a-long-random-secret-for-the-readme-test
export LIVEKIT_API_KEY LIVEKIT_API_SECRET
url=http://127.0.0.1:8080/voice/livekit/webhooks

"$app" >"$work/app.out" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT

# Wait until it answers (a request without a token is a cheap probe: 401).
i=0
while :; do
  "$cli" send --event room_started --no-authorization --attempts 1 "$url" >"$work/probe.txt" 2>&1
  grep -q "HTTP 401" "$work/probe.txt" && break
  i=$((i + 1))
  if [ $i -gt 100 ] || ! kill -0 $pid 2>/dev/null; then
    echo "FAIL: the README example did not start listening on 127.0.0.1:8080"
    cat "$work/probe.txt" "$work/app.out"
    exit 1
  fi
  sleep 0.1
done

failures=0
"$cli" send --event participant_joined --room standup --identity alice --attempts 1 "$url" >"$work/s1.txt" 2>&1 &&
  grep -q "HTTP 200" "$work/s1.txt" && echo "ok:   participant_joined answered 200" ||
  { echo "FAIL: participant_joined"; cat "$work/s1.txt"; failures=$((failures + 1)); }
"$cli" send --event room_finished --room standup --api-secret wrong --attempts 1 "$url" >"$work/s2.txt" 2>&1
grep -q "HTTP 401" "$work/s2.txt" && echo "ok:   forged room_finished answered 401" ||
  { echo "FAIL: forged request"; cat "$work/s2.txt"; failures=$((failures + 1)); }
"$cli" send --event room_finished --room standup --attempts 1 "$url" >"$work/s3.txt" 2>&1 &&
  grep -q "HTTP 200" "$work/s3.txt" && echo "ok:   genuine room_finished answered 200" ||
  { echo "FAIL: room_finished"; cat "$work/s3.txt"; failures=$((failures + 1)); }
sleep 0.2
grep -q "alice joined standup" "$work/app.out" && echo "ok:   the correlator printed: alice joined standup" ||
  { echo "FAIL: the correlator did not see participant_joined"; failures=$((failures + 1)); }
[ "$(grep -c "call in standup ended" "$work/app.out")" -eq 1 ] && echo "ok:   room_finished handled once (the forged one was not)" ||
  { echo "FAIL: room_finished handled $(grep -c "call in standup ended" "$work/app.out") times"; failures=$((failures + 1)); }
grep -q "bad_signature" "$work/app.out" && echo "ok:   the app logged why it rejected the forged request" ||
  { echo "FAIL: no bad_signature log line"; failures=$((failures + 1)); }

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed; app output:"; cat "$work/app.out"; exit 1; }
echo "all checks passed"
