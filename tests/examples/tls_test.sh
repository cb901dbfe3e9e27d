#!/bin/sh
# `lkwebhook send` over HTTPS to the Beast example served with --cert/--key, on a free loopback
# port, with throwaway certificates made by the `openssl` command:
#   - a private CA and a server certificate it signed (SAN IP:127.0.0.1): delivered with
#     --cacert, refused without it (the system store does not know the CA) and with another CA,
#     each refusal final after one attempt (LiveKit does not retry an untrusted certificate);
#   - a self-signed certificate: refused by default, delivered with --insecure;
#   - a forged request (wrong secret) still gets 401 over TLS, and only the genuine events
#     reach the correlator (the server's GET /events, read over the same TLS with
#     `openssl s_client`).
#
#
# Covers catalogue A12 ([threat-A12]).
#
#   tls_test.sh BEAST_SERVER LKWEBHOOK_CLI
set -u
server=$1
cli=$2
command -v openssl >/dev/null 2>&1 || { echo "SKIPPED: no openssl command"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/lkwebhook-tls-test.XXXXXX")
pid=
stop_server() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=; fi
}
trap 'stop_server; rm -rf "$work"' EXIT
LIVEKIT_API_KEY=APItlsTest0001
LIVEKIT_API_SECRET=tls-test-secret-0123456789abcdef
export LIVEKIT_API_KEY LIVEKIT_API_SECRET
failures=0
ok() { echo "ok:   $*"; }
ko() { echo "FAIL: $*"; failures=$((failures + 1)); }

# --- certificates ---------------------------------------------------------------------------
mk() { openssl "$@" >>"$work/openssl.log" 2>&1 || { echo "FAIL: openssl $*"; cat "$work/openssl.log"; exit 1; }; }
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$work/server.ext"
for ca in ca other-ca; do
  mk req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=lkwebhook test $ca" \
    -keyout "$work/$ca.key" -out "$work/$ca.pem"
done
mk req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$work/server.key" -out "$work/server.csr"
mk x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
  -extfile "$work/server.ext" -out "$work/server.pem"
mk req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$work/self.key" -out "$work/self.pem"

# Starts the server with certificate $1 and key $2 on a free port; sets $url.
start_server() {
  "$server" --port 0 --cert "$1" --key "$2" >"$work/server.out" 2>&1 &
  pid=$!
  url=
  for _ in $(seq 1 100); do
    url=$(sed -n 's/^listening on //p' "$work/server.out" | head -n 1)
    [ -n "$url" ] && break
    sleep 0.05
  done
  case "$url" in
    https://127.0.0.1:*) ok "the Beast server serves HTTPS: $url" ;;
    *) ko "the Beast server did not start with TLS"; cat "$work/server.out"; exit 1 ;;
  esac
}

send() { "$cli" send --backoff-scale 0.01 --timeout 5 "$@"; }

# https_get PATH CA_FILE: the body of GET PATH on the server at $url (over TLS, trusting CA_FILE).
https_get() {
  hostport=${url#https://}
  hostport=${hostport%%/*}
  printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$1" "$hostport" |
    timeout 10 openssl s_client -connect "$hostport" -CAfile "$2" -verify_return_error -quiet 2>/dev/null |
    tr -d '\r' | sed '1,/^$/d'
}

# events_handled CA_FILE: GET /events once the dispatcher's queue is empty (its workers hand
# events to the correlator after the 200), without the header line.
events_handled() {
  for _ in $(seq 1 50); do
    https_get /metrics "$1" | grep -q '^lkwebhook_queue_depth 0$' && break
    sleep 0.1
  done
  https_get /events "$1" | sed 1d
}

# --- a certificate from a private CA --------------------------------------------------------
start_server "$work/server.pem" "$work/server.key"
if send --event egress_ended --room tls-room --id EV_tlsDelivered01 --cacert "$work/ca.pem" "$url" >"$work/s1.txt" 2>&1 &&
   grep -q '^attempt 1/5: HTTP 200' "$work/s1.txt"; then
  ok "send --cacert delivers over TLS (HTTP 200 on the first attempt)"
else
  ko "send --cacert over TLS"; cat "$work/s1.txt"
fi
for case in "system store::" "another CA::--cacert $work/other-ca.pem"; do
  label=${case%%::*}
  option=${case#*::}
  # shellcheck disable=SC2086 # $option is one option and its value, or nothing
  send --event room_started --id EV_tlsRefused0001 $option "$url" >"$work/s2.txt" 2>&1
  rc=$?
  if [ "$rc" -eq 1 ] && grep -q '^attempt 1/5: no response (TLS certificate verification failed' "$work/s2.txt" &&
     ! grep -q '^attempt 2/' "$work/s2.txt"; then
    ok "a certificate the $label does not trust is refused, not retried"
  else
    ko "untrusted certificate ($label), exit $rc"; cat "$work/s2.txt"
  fi
done
send --event room_finished --id EV_tlsForged00001 --api-secret wrong-secret --cacert "$work/ca.pem" "$url" >"$work/s3.txt" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q '^attempt 1/5: HTTP 401' "$work/s3.txt" && ! grep -q '^attempt 2/' "$work/s3.txt"; then
  ok "a forged request gets 401 over TLS, final"
else
  ko "forged request over TLS, exit $rc"; cat "$work/s3.txt"
fi
events_handled "$work/ca.pem" >"$work/dispatched.txt"
stop_server
if grep -q '^EV_tlsDelivered01 egress_ended ' "$work/dispatched.txt" && ! grep -q 'EV_tlsRefused0001\|EV_tlsForged00001' "$work/dispatched.txt" &&
   [ "$(wc -l <"$work/dispatched.txt" | tr -d ' ')" -eq 1 ]; then
  ok "only the delivered event reached the correlator"
else
  ko "GET /events: $(cat "$work/dispatched.txt")"
fi

# --- a self-signed certificate ----------------------------------------------------------------
start_server "$work/self.pem" "$work/self.key"
send --event room_started --id EV_tlsSelfSigned1 "$url" >"$work/s4.txt" 2>&1
rc=$?
[ "$rc" -eq 1 ] && grep -q 'TLS certificate verification failed' "$work/s4.txt" &&
  ok "a self-signed certificate is refused by default" || { ko "self-signed without --insecure, exit $rc"; cat "$work/s4.txt"; }
if send --event room_started --id EV_tlsSelfSigned1 --insecure "$url" >"$work/s5.txt" 2>&1 &&
   grep -q '^attempt 1/5: HTTP 200' "$work/s5.txt" && grep -q 'TLS without certificate verification' "$work/s5.txt"; then
  ok "--insecure delivers to a self-signed endpoint, and says so"
else
  ko "--insecure"; cat "$work/s5.txt"
fi
"$cli" send --event room_started --insecure --dry-run http://127.0.0.1:9/x >/dev/null 2>&1
[ $? -eq 2 ] && ok "--insecure on an http:// URL is a usage error" || ko "--insecure accepted for http://"
stop_server

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all TLS checks passed"
