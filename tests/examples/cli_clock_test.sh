#!/bin/sh
# `lkwebhook sign` and `lkwebhook verify` agree on any time in the NumericDate range, also after
# 2262, where a nanosecond std::chrono::system_clock::time_point overflows: verify's --now clock
# hands the verifier unix seconds, as fixed_clock does (catalogue E14). Out-of-range --now values
# are usage errors (exit 2), never a verdict. No node needed.
#
#   cli_clock_test.sh LKWEBHOOK_CLI
#
# [threat-E14]
set -u
cli=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/lkwebhook-cli-clock-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
LIVEKIT_API_KEY=APIclockTest01
LIVEKIT_API_SECRET=clock-test-secret-0123456789abcdef
export LIVEKIT_API_KEY LIVEKIT_API_SECRET
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
printf '%s' '{"event":"room_started","room":{"sid":"RM_clock","name":"clock"},"id":"EV_clock"}' >"$work/body.json"

for now in 1767261600 9300000000 253402300000; do
  token=$("$cli" sign --now "$now" --valid-for 300 "$work/body.json") || { fail "sign --now $now"; continue; }
  if "$cli" verify --now "$now" --authorization "$token" "$work/body.json" >"$work/out.txt" 2>&1; then
    echo "ok:   signed and verified at $now"
  else
    fail "verify --now $now: $(cat "$work/out.txt")"
  fi
  later=$((now + 400))
  "$cli" verify --now "$later" --authorization "$token" "$work/body.json" >"$work/out.txt" 2>&1
  status=$?
  if [ "$status" -eq 1 ] && grep -q token_expired "$work/out.txt"; then
    echo "ok:   400 s after $now the token is token_expired"
  else
    fail "verify --now $later: exit $status: $(cat "$work/out.txt")"
  fi
done

token=$("$cli" sign --now 1767261600 "$work/body.json")
for bad in -1 253402300800 9223372036854775807; do
  "$cli" verify --now "$bad" --authorization "$token" "$work/body.json" >"$work/out.txt" 2>&1
  status=$?
  if [ "$status" -eq 2 ]; then
    echo "ok:   verify --now $bad is a usage error"
  else
    fail "verify --now $bad: exit $status: $(cat "$work/out.txt")"
  fi
done

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "all checks passed"
