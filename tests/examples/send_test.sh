#!/bin/sh
# `lkwebhook send` without a server: the request it builds is the one a LiveKit server sends
# (checked on --dry-run output; cpp-httplib adds `Accept: */*`), sample events are deterministic
# given their ids and times (so a retry or a replay is byte-identical), `lkwebhook verify`
# accepts what `send` signs, and bad invocations exit 2. Delivery against the example servers is in
# server_test.sh, retries and backoff in send_retry_test.sh.
#
#   send_test.sh LKWEBHOOK_CLI
set -u
cli=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/lkwebhook-send-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
LIVEKIT_API_KEY=APIsendTest01
LIVEKIT_API_SECRET=send-test-secret-0123456789abcdef
export LIVEKIT_API_KEY LIVEKIT_API_SECRET
failures=0
ok() { echo "ok:   $*"; }
ko() { echo "FAIL: $*"; failures=$((failures + 1)); }

fixed="--id EV_fixed000001 --created-at 1767261600 --now 1767261601"
"$cli" send --event participant_joined --room standup-42 --identity alice $fixed --dry-run \
  --save-body "$work/body.json" http://127.0.0.1:9/voice/livekit/webhooks >"$work/request.txt" || ko "dry run failed"
tr -d '\r' <"$work/request.txt" >"$work/request.lf"

head -n 1 "$work/request.lf" | grep -qx 'POST /voice/livekit/webhooks HTTP/1.1' && ok "request line" || ko "request line: $(head -n 1 "$work/request.lf")"
grep -qx 'Host: 127.0.0.1:9' "$work/request.lf" && ok "Host" || ko "Host header"
grep -qx 'User-Agent: LiveKit' "$work/request.lf" && ok "User-Agent: LiveKit" || ko "User-Agent"
grep -qx 'Content-Type: application/webhook+json' "$work/request.lf" && ok "Content-Type: application/webhook+json" || ko "Content-Type"
grep -qx "Content-Length: $(wc -c <"$work/body.json" | tr -d ' ')" "$work/request.lf" && ok "Content-Length matches the body" || ko "Content-Length"
auth=$(sed -n 's/^Authorization: //p' "$work/request.lf")
case "$auth" in
  eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.*.*) ok "Authorization is a bare HS256 JWT with LiveKit's header (no Bearer)" ;;
  *) ko "Authorization: $auth" ;;
esac
# (the dry run ends the body with a newline for the terminal; $(...) drops it, the body has none)
[ "$(tail -n 1 "$work/request.lf")" = "$(cat "$work/body.json")" ] && ok "--save-body holds exactly the bytes sent" || ko "--save-body differs from the body sent"
if "$cli" verify --authorization "$auth" --now 1767261601 "$work/body.json" >"$work/verified.json" 2>&1; then
  grep -q '"identity":"alice"' "$work/verified.json" && ok "lkwebhook verify accepts it and decodes the sample" || ko "verify output: $(cat "$work/verified.json")"
else
  ko "lkwebhook verify rejected what send signed: $(cat "$work/verified.json")"
fi

# Deterministic: the same id, times and signing time give the same bytes and the same token, as
# LiveKit's retries do; without --id every send is a new event.
"$cli" send --event participant_joined --room standup-42 --identity alice $fixed --dry-run http://127.0.0.1:9/x >"$work/again.txt"
[ "$(tail -n 1 "$work/again.txt")" = "$(cat "$work/body.json")" ] && grep -qF "$auth" "$work/again.txt" &&
  ok "same id and times: identical body and token" || ko "sample events are not deterministic"
a=$("$cli" send --event room_started --dry-run http://127.0.0.1:9/x | tail -n 1 | sed 's/.*"id":"\([^"]*\)".*/\1/')
b=$("$cli" send --event room_started --dry-run http://127.0.0.1:9/x | tail -n 1 | sed 's/.*"id":"\([^"]*\)".*/\1/')
case "$a" in EV_????????????) [ "$a" != "$b" ] && ok "fresh ids look like LiveKit's (EV_ + 12): $a, $b" || ko "ids repeat: $a" ;; *) ko "id format: $a" ;; esac

# Both layouts of LiveKit's server builds.
"$cli" send --event room_finished $fixed --comma-space --dry-run http://127.0.0.1:9/x | tail -n 1 | grep -q '^{"event":"room_finished", "room":{' &&
  ok "--comma-space writes \", \" separators" || ko "--comma-space"
"$cli" send --event room_finished $fixed --dry-run http://127.0.0.1:9/x | tail -n 1 | grep -q '^{"event":"room_finished","room":{"sid":"RM_' &&
  ok "compact layout by default" || ko "compact layout"

# --no-authorization / --authorization.
"$cli" send --event room_finished --no-authorization --dry-run http://127.0.0.1:9/x | grep -q '^Authorization' &&
  ko "--no-authorization still sends the header" || ok "--no-authorization sends no Authorization header"
"$cli" send --event room_finished --authorization 'Bearer abc' --dry-run http://127.0.0.1:9/x | tr -d '\r' | grep -qx 'Authorization: Bearer abc' &&
  ok "--authorization is sent verbatim" || ko "--authorization"

# Usage errors exit 2, with a message.
usage() {
  "$cli" send "$@" >"$work/usage.txt" 2>&1
  rc=$?
  [ "$rc" -eq 2 ] && ok "usage error ($*): exit 2" || ko "usage error ($*): exit $rc"
}
usage --event room_finished --cacert /dev/null --insecure https://127.0.0.1:9/hook
usage --event room_finished --cacert "$work/no-such-ca.pem" https://127.0.0.1:9/hook
usage --event room_finished --insecure http://127.0.0.1:9/hook
grep -q 'https:// URLs only' "$work/usage.txt" || ko "--insecure on http:// message: $(cat "$work/usage.txt")"
# https:// is spoken (over TLS: tls_test.sh); the request is the same.
"$cli" send --event room_finished $fixed --dry-run https://127.0.0.1:8443/hook | tr -d '\r' >"$work/https.txt"
head -n 1 "$work/https.txt" | grep -qx 'POST /hook HTTP/1.1' && grep -qx 'Host: 127.0.0.1:8443' "$work/https.txt" &&
  ok "https:// URLs: same request line and headers" || ko "https:// dry run: $(cat "$work/https.txt")"
usage --event no_such_event http://127.0.0.1:9/x
usage --body "$work/body.json" --event room_finished http://127.0.0.1:9/x
usage --event room_finished
usage --event room_finished --attempts 0 http://127.0.0.1:9/x
usage --event room_finished ftp://127.0.0.1/x
usage --event room_finished http://127.0.0.1:99999/x
env -u LIVEKIT_API_SECRET "$cli" send --event room_finished --dry-run http://127.0.0.1:9/x >/dev/null 2>&1
[ $? -eq 2 ] && ok "no secret: exit 2" || ko "no secret"

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "all checks passed"
