#!/bin/sh
# `lkwebhook send --event` samples are shaped as LiveKit sends each type: for all 14 event types,
# the sample's top-level members (names and order) are those of the type's *_server_style vector
# (egress, ingress and agent-job events carry no top-level `room`), the sample decodes back with
# `lkwebhook verify`, and --comma-space gives the server's ", " layout byte for byte apart from
# the separators.
#
#   samples_test.sh LKWEBHOOK_CLI VECTORS_DIR
set -u
cli=$1
vectors=$2
command -v python3 >/dev/null 2>&1 || { echo "SKIPPED: no python3"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/lkwebhook-samples-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
LIVEKIT_API_KEY=APIsamplesTest1
LIVEKIT_API_SECRET=samples-test-secret-0123456789ab
export LIVEKIT_API_KEY LIVEKIT_API_SECRET
failures=0
types="room_started room_finished participant_joined participant_left participant_connection_aborted
track_published track_unpublished egress_started egress_updated egress_ended ingress_started ingress_ended
agent_job_started agent_job_ended"

# The top-level member names of a JSON object, in order, on one line.
members() { python3 -c 'import json,sys; print(" ".join(json.loads(sys.stdin.read(), object_pairs_hook=lambda p: dict(p)).keys()))'; }
vector_body() { python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["body"])' "$1"; }

for type in $types; do
  vector="$vectors/ok_${type}_server_style.json"
  [ -f "$vector" ] || { echo "FAIL: no vector $vector"; failures=$((failures + 1)); continue; }
  want=$(vector_body "$vector" | members)
  "$cli" send --event "$type" --room "room for $type" --id EV_samplesTest01 --created-at 1767261600 --now 1767261601 \
    --comma-space --save-body "$work/$type.json" --dry-run >"$work/$type.request" || {
    echo "FAIL: send --dry-run --event $type"; failures=$((failures + 1)); continue; }
  got=$(members <"$work/$type.json")
  if [ "$got" = "$want" ]; then
    echo "ok:   $type: top-level members as LiveKit sends them: $got"
  else
    echo "FAIL: $type: sample has [$got], LiveKit sends [$want]"; failures=$((failures + 1))
  fi
  grep -q "^{\"event\":\"$type\", \"" "$work/$type.json" || {
    echo "FAIL: $type: not in the server's \", \" layout: $(head -c 60 "$work/$type.json")"; failures=$((failures + 1)); }
  auth=$(tr -d '\r' <"$work/$type.request" | sed -n 's/^Authorization: //p')
  "$cli" verify --authorization "$auth" --now 1767261601 "$work/$type.json" >"$work/$type.verified" 2>&1 || {
    echo "FAIL: $type: lkwebhook verify rejects the sample: $(cat "$work/$type.verified")"; failures=$((failures + 1)); }
done

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all samples match"
