#!/bin/sh
# The command line of an example server (httplib or beast), which both read with
# examples/common/server_options.hpp:
#
#   server_command_line_test.sh SERVER_BINARY
#
# 1. --help: exit 0, the usage on standard output (every common option and the server's own),
#    nothing on standard error.
# 2. Invalid, unknown and incomplete options: exit 2 before listening, `PROGRAM: why` and the
#    usage on standard error.
# 3. Valid options are accepted: --bind, --port 0 and --path show in the `listening on` line,
#    and SIGTERM stops the server (exit 0).
set -u

server=$1
program=$(basename "$server")
work=$(mktemp -d "${TMPDIR:-/tmp}/lkwebhook-command-line-test.XXXXXX")
pid=""
cleanup() {
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

LIVEKIT_API_KEY=APIcommandLine1
LIVEKIT_API_SECRET=command-line-test-secret-0123456789abcdef
export LIVEKIT_API_KEY LIVEKIT_API_SECRET

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
pass() {
  echo "ok:   $*"
}

# --- 1. --help ------------------------------------------------------------------------------
"$server" --help >"$work/help.out" 2>"$work/help.err"
rc=$?
if [ "$rc" -eq 0 ] && [ ! -s "$work/help.err" ] && grep -q "^usage: $program \[options\]" "$work/help.out"; then
  pass "--help: exit 0, usage on standard output"
else
  fail "--help: exit $rc"; cat "$work/help.out" "$work/help.err"
fi
own_options="--threads"
case "$program" in
  *httplib*) own_options="--threads --redis --nats --workers" ;;
  *beast*) own_options="--cert --key --threads --workers --queue" ;;
esac
for option in --bind --port --path --keys-file --max-body-bytes --leeway --quiet $own_options; do
  grep -q "^  $option " "$work/help.out" || fail "--help does not describe $option"
done
case "$program" in
  *httplib*)
    # README "Scaling out": --redis takes rediss:// URLs with their TLS parameters.
    grep -q 'ssl_ca_certs=FILE' "$work/help.out" && grep -q 'ssl_certfile=FILE&ssl_keyfile=FILE' "$work/help.out" &&
      pass "--help: --redis names the rediss:// TLS parameters" || fail "--help: no rediss:// TLS parameters" ;;
esac
"$server" -h >"$work/h.out" 2>&1 && cmp -s "$work/h.out" "$work/help.out" && pass "-h is --help" || fail "-h differs from --help"

# --- 2. refused command lines ---------------------------------------------------------------
# refused "WHY" ARGS...: exit 2, "PROGRAM: WHY" then the usage on standard error.
refused() {
  why=$1
  shift
  "$server" "$@" >"$work/refused.out" 2>"$work/refused.err"
  rc=$?
  if [ "$rc" -eq 2 ] && [ "$(head -n 1 "$work/refused.err")" = "$program: $why" ] &&
     grep -q "^usage: $program \[options\]" "$work/refused.err" && ! grep -q '^listening on' "$work/refused.out"; then
    pass "$* -> exit 2: $why"
  else
    fail "$* -> exit $rc"; cat "$work/refused.out" "$work/refused.err" | head -n 5
  fi
}
refused "--port needs 0..65535" --port 65536
refused "--port needs 0..65535" --port -1
refused "--port needs 0..65535" --port 80x
refused "--path must start with /" --path hooks
refused "--path must start with /" --path ""
refused "--max-body-bytes needs a byte count" --max-body-bytes 1MB
refused "--leeway needs seconds" --leeway soon
refused "unknown or incomplete option --bogus" --bogus 1
refused "unknown or incomplete option --bind" --port 0 --bind
refused "unknown or incomplete option --quiet=yes" --quiet=yes
case "$program" in
  *httplib*)
    refused "--threads needs 1..1024" --threads 0
    refused "--threads needs 1..1024" --threads 1025
    refused "--workers needs a count" --workers many
    refused "unknown or incomplete option --queue" --queue 5 ;;
  *beast*)
    refused "--threads needs 1..256" --threads 257
    refused "--workers needs 1..256" --workers 0
    refused "--queue needs a positive count" --queue 0
    refused "--cert and --key go together" --cert "$work/none.pem"
    refused "unknown or incomplete option --redis" --redis redis://127.0.0.1 ;;
esac

# --- 3. accepted options take effect --------------------------------------------------------
: >"$work/run.out"
"$server" --quiet --bind 127.0.0.1 --port 0 --path /hooks/lk --max-body-bytes 4096 --leeway 5 --threads 2 \
  >"$work/run.out" 2>&1 &
pid=$!
i=0
url=""
while [ $i -lt 100 ]; do
  url=$(sed -n 's/^listening on //p' "$work/run.out" | head -n 1)
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
  i=$((i + 1))
done
case "$url" in
  http://127.0.0.1:[1-9]*/hooks/lk) pass "--bind, --port 0 and --path: listening on $url" ;;
  *) fail "listening line: '$url'"; cat "$work/run.out" ;;
esac
if [ -n "$url" ]; then
  kill -TERM "$pid"
  wait "$pid"
  rc=$?
  pid=""
  [ "$rc" -eq 0 ] && grep -q '^stopped' "$work/run.out" && pass "stops on SIGTERM (exit 0)" ||
    fail "SIGTERM: exit $rc"
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
exit 0
