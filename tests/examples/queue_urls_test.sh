#!/bin/sh
# How `lkwebhook queue` takes the durable queue's addresses (examples/common/queue_urls.hpp,
# which the httplib example server's --redis and --nats share) [threat-DQ10]:
#
#   queue_urls_test.sh LKWEBHOOK_CLI
#
# 1. Against a real redis-server that demands a password (on a unix socket in a private
#    directory, so no port is taken): the password from LKWEBHOOK_REDIS_PASSWORD connects, and
#    replaces a wrong one in the URL; without it the command fails, and no output carries the
#    password.
# 2. A NATS URL's user and password never show in the error when JetStream is unreachable.
#
# Exits 77 (skipped) when redis-server is absent or the CLI was built without `queue`.
set -u

cli=$1
if ! command -v redis-server >/dev/null 2>&1; then
  echo "SKIPPED: redis-server is not installed"
  exit 77
fi
if "$cli" queue --help 2>&1 | grep -q "unknown command"; then
  echo "SKIPPED: lkwebhook was built without \`queue\` (needs hiredis)"
  exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lkwebhook-queue-urls-test.XXXXXX")
redis_pid=""
cleanup() {
  [ -n "$redis_pid" ] && kill -KILL "$redis_pid" 2>/dev/null
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

password=queue-urls-test-pass-8d41f0
socket=$work/redis.sock
redis-server --port 0 --unixsocket "$socket" --unixsocketperm 700 --requirepass "$password" --save "" \
  --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
redis_pid=$!
i=0
while [ ! -S "$socket" ] && [ $i -lt 100 ]; do
  kill -0 "$redis_pid" 2>/dev/null || break
  sleep 0.1
  i=$((i + 1))
done
if [ ! -S "$socket" ]; then
  echo "redis-server did not start:"
  cat "$work/redis.log"
  exit 1
fi

# depth NAME [env...] -- URL: runs `lkwebhook queue --redis URL depth`; $rc and $work/NAME.out.
depth() {
  name=$1
  shift
  env "$@" "$cli" queue --redis "$url" depth >"$work/$name.out" 2>&1
  rc=$?
}
no_password_in() {
  if grep -q "$password" "$work/$1.out"; then fail "$1: the output shows the password"; fi
}

# --- 1. Redis: the password from the environment --------------------------------------------
url="unix://$socket"
depth env_password LKWEBHOOK_REDIS_PASSWORD="$password"
if [ "$rc" -eq 0 ] && grep -q '^total: unfinished 0' "$work/env_password.out"; then
  pass "LKWEBHOOK_REDIS_PASSWORD authenticates (exit 0)"
else
  fail "LKWEBHOOK_REDIS_PASSWORD: exit $rc"; cat "$work/env_password.out"
fi
no_password_in env_password

depth no_password -u LKWEBHOOK_REDIS_PASSWORD
if [ "$rc" -ne 0 ] && ! grep -q '^total:' "$work/no_password.out"; then
  pass "without a password: refused (exit $rc)"
else
  fail "without a password: exit $rc"; cat "$work/no_password.out"
fi

depth empty_password LKWEBHOOK_REDIS_PASSWORD=
if [ "$rc" -ne 0 ]; then
  pass "an empty LKWEBHOOK_REDIS_PASSWORD is no password (exit $rc)"
else
  fail "an empty LKWEBHOOK_REDIS_PASSWORD authenticated"
fi

url="unix://:$password@$socket"
depth url_password -u LKWEBHOOK_REDIS_PASSWORD
if [ "$rc" -eq 0 ]; then
  pass "the URL's password authenticates (exit 0)"
else
  fail "the URL's password: exit $rc"; cat "$work/url_password.out"
fi
no_password_in url_password

url="unix://:wrong-password@$socket"
depth env_replaces_url LKWEBHOOK_REDIS_PASSWORD="$password"
if [ "$rc" -eq 0 ]; then
  pass "LKWEBHOOK_REDIS_PASSWORD replaces the URL's password (exit 0)"
else
  fail "LKWEBHOOK_REDIS_PASSWORD did not replace the URL's: exit $rc"; cat "$work/env_replaces_url.out"
fi

depth wrong_password -u LKWEBHOOK_REDIS_PASSWORD
if [ "$rc" -ne 0 ] && ! grep -q 'wrong-password' "$work/wrong_password.out"; then
  pass "a wrong password in the URL: refused (exit $rc), not printed"
else
  fail "a wrong password in the URL: exit $rc"; cat "$work/wrong_password.out"
fi

# --- 2. NATS: credentials in the URL stay out of the error ----------------------------------
if "$cli" queue --nats nats://127.0.0.1:1 depth 2>&1 | grep -q 'built without libnats'; then
  echo "(NATS part skipped: lkwebhook was built without libnats)"
else
  "$cli" queue --nats "nats://lkwebhook:$password@127.0.0.1:1" depth >"$work/nats.out" 2>&1
  rc=$?
  if [ "$rc" -eq 1 ] && grep -qx 'error: NATS JetStream unavailable at nats://127.0.0.1:1' "$work/nats.out"; then
    pass "NATS unreachable: the error names nats://127.0.0.1:1 without the credentials"
  else
    fail "NATS unreachable: exit $rc"; cat "$work/nats.out"
  fi
  no_password_in nats
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
exit 0
