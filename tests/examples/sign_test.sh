#!/bin/sh
# `lkwebhook sign` output verified by LiveKit's official JS SDK (WebhookReceiver.receive), for a
# body of every sample event `lkwebhook send --event` can produce. With verify-strict the SDK's
# canonical re-encoding must equal the body, so the samples use only LiveKit's own fields and
# types. Negative checks: another secret, and --now/--valid-for putting the token in the past.
#
#   sign_test.sh LKWEBHOOK_CLI
#
# Exits 77 (skipped) only when node is absent.
set -u
cli=$1
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null 2>&1; then
  echo "SKIPPED: node is not installed; LiveKit's JS SDK cannot verify the tokens"
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/lkwebhook-sign-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
LIVEKIT_API_KEY=APIsignTest01
LIVEKIT_API_SECRET='sign-test secret with spaces & symbols: %$#'
export LIVEKIT_API_KEY LIVEKIT_API_SECRET
failures=0
# Names with quotes, a slash and a non-ASCII letter (e with diaeresis, written as octal UTF-8 to keep
# this file ASCII): the samples must escape them as LiveKit's protojson does.
room=$(printf 'standup "42" / Zo\303\253')
name=$(printf 'Zo\303\253 "Z" Q\tTab')

for event in room_started room_finished participant_joined participant_left participant_connection_aborted \
             track_published track_unpublished egress_started egress_updated egress_ended ingress_started \
             ingress_ended agent_job_started agent_job_ended; do
  for layout in "" --comma-space; do
    "$cli" send --event "$event" --room "$room" --name "$name" $layout \
      --track-source camera --save-body "$work/body.json" --dry-run >/dev/null || { echo "FAIL: send --dry-run $event"; failures=$((failures + 1)); continue; }
    token=$("$cli" sign "$work/body.json") || { echo "FAIL: sign $event"; failures=$((failures + 1)); continue; }
    if node "$here/webhook_client.mjs" verify-strict "$work/body.json" "$token" >"$work/out.txt" 2>&1; then
      echo "ok:   $event${layout:+ ($layout)}: $(cat "$work/out.txt" | head -n 1)"
    else
      echo "FAIL: $event${layout:+ ($layout)}: $(cat "$work/out.txt")"
      failures=$((failures + 1))
    fi
  done
done

# Options: --api-key/--api-secret override the environment; the SDK must then reject the token.
"$cli" send --event room_finished --save-body "$work/body.json" --dry-run >/dev/null
token=$("$cli" sign --api-key APIsignTest01 --api-secret other-secret "$work/body.json")
if node "$here/webhook_client.mjs" verify "$work/body.json" "$token" >/dev/null 2>&1; then
  echo "FAIL: a token signed with another secret was accepted"; failures=$((failures + 1))
else
  echo "ok:   a token signed with another secret is rejected by the SDK"
fi
# --now / --valid-for: a token that expired long ago (the SDK's leeway is 10 s).
past=$(( $(date +%s) - 1000 ))
token=$("$cli" sign --now "$past" --valid-for 300 "$work/body.json")
if node "$here/webhook_client.mjs" verify "$work/body.json" "$token" >/dev/null 2>&1; then
  echo "FAIL: an expired token was accepted"; failures=$((failures + 1))
else
  echo "ok:   --now/--valid-for: a token valid in the past only is rejected as expired"
fi
token=$("$cli" sign --now "$past" --valid-for 2000 "$work/body.json")
if node "$here/webhook_client.mjs" verify "$work/body.json" "$token" >/dev/null 2>&1; then
  echo "ok:   --now/--valid-for: signed 1000 s ago, valid 2000 s: accepted"
else
  echo "FAIL: --valid-for 2000 token rejected"; failures=$((failures + 1))
fi
# Body from standard input gives the same token as from the file.
a=$("$cli" sign --now 1767261600 "$work/body.json")
b=$("$cli" sign --now 1767261600 <"$work/body.json")
[ "$a" = "$b" ] && echo "ok:   body from stdin and from a file sign identically" ||
  { echo "FAIL: stdin and file bodies sign differently"; failures=$((failures + 1)); }
# Usage errors exit 2.
"$cli" sign --now notanumber "$work/body.json" >/dev/null 2>&1
[ $? -eq 2 ] && echo "ok:   usage error exits 2" || { echo "FAIL: usage error exit status"; failures=$((failures + 1)); }

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "all checks passed"
