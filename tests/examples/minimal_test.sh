#!/bin/sh
# examples/minimal on requests captured to files: a genuine room_finished is handled (its
# correlator prints the room) and answered 200; the same body with a token from another
# secret is 401 and not handled; an altered body is 401 body_hash_mismatch.
#
#   minimal_test.sh MINIMAL_BINARY LKWEBHOOK_CLI
set -u
minimal=$1
cli=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/lkwebhook-minimal-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
LIVEKIT_API_KEY=APIminimal01
LIVEKIT_API_SECRET=minimal-example-secret-0123456789
export LIVEKIT_API_KEY LIVEKIT_API_SECRET
failures=0
check() {  # check DESCRIPTION EXPECTED_EXIT PATTERN ANTI_PATTERN -- command...
  what=$1 want=$2 pattern=$3 anti=$4
  shift 5
  "$@" >"$work/out.txt" 2>&1
  rc=$?
  if [ "$rc" -eq "$want" ] && grep -q -- "$pattern" "$work/out.txt" && { [ -z "$anti" ] || ! grep -q -- "$anti" "$work/out.txt"; }; then
    echo "ok:   $what"
  else
    echo "FAIL: $what (exit $rc)"; cat "$work/out.txt"; failures=$((failures + 1))
  fi
}

"$cli" send --event room_finished --room standup-7 --save-body "$work/body.json" --dry-run >/dev/null
"$cli" sign "$work/body.json" >"$work/auth.txt"
check "genuine room_finished handled, 200" 0 "HTTP 200 ok" "" -- "$minimal" "$work/body.json" "$work/auth.txt"
grep -q "call in room standup-7 ended" "$work/out.txt" && echo "ok:   the correlator saw the event" ||
  { echo "FAIL: the correlator did not see the event"; failures=$((failures + 1)); }

"$cli" sign --api-secret another-secret "$work/body.json" >"$work/forged.txt"
check "forged token: 401 bad_signature, not handled" 1 "HTTP 401 bad_signature" "call in room" -- "$minimal" "$work/body.json" "$work/forged.txt"

sed 's/standup-7/standup-8/' "$work/body.json" >"$work/altered.json"
check "altered body: 401 body_hash_mismatch, not handled" 1 "HTTP 401 body_hash_mismatch" "call in room" -- "$minimal" "$work/altered.json" "$work/auth.txt"

"$cli" send --event participant_joined --room standup-7 --save-body "$work/joined.json" --dry-run >/dev/null
"$cli" sign "$work/joined.json" >"$work/joined.txt"
check "an event without a handler is acknowledged (200), not handled" 0 "HTTP 200 ok" "call in room" -- "$minimal" "$work/joined.json" "$work/joined.txt"

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "all checks passed"
