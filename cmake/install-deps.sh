#!/usr/bin/env bash
# Installs the Debian 12 or 13 packages lkwebhook needs, and only those missing.
#
#   cmake/install-deps.sh            build the library, the examples and the demo
#   cmake/install-deps.sh --tests    ... and everything the test suite needs
#   cmake/install-deps.sh --dry-run  print what would be installed, install nothing
#
# Idempotent: packages already installed are left alone, and when nothing is
# missing it changes nothing (no apt-get update either). Prints every package
# it installs. Runs apt-get as root (directly, or through sudo when present).
# The release (/etc/os-release) picks the few names that differ between them.
set -euo pipefail

usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; }

with_tests=0
dry_run=0
for arg in "$@"; do
  case "$arg" in
    --tests) with_tests=1 ;;
    --dry-run) dry_run=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install-deps: unknown argument '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done

# Package names that differ by release. Debian 12's clang is 14 and its
# sanitizer/libFuzzer runtime is libclang-rt-14-dev; Debian 13's clang is 19 and
# has no libclang-rt-14-dev, so it takes libclang-rt-dev, which follows the
# default clang (as clang, clang-tidy and clang-format do on both).
os_id=""
os_version=""
if [[ -r /etc/os-release ]]; then
  os_id=$(. /etc/os-release && echo "${ID:-}")
  os_version=$(. /etc/os-release && echo "${VERSION_ID:-}")
fi
case "${os_id}:${os_version}" in
  debian:12) clang_runtime=libclang-rt-14-dev ;;
  debian:13) clang_runtime=libclang-rt-dev ;;
  *)
    echo "install-deps: ${os_id:-unknown} ${os_version} is not Debian 12 or 13; using Debian 13's package names" >&2
    clang_runtime=libclang-rt-dev
    ;;
esac

# Library, examples, CLI and demo (the first Quick start command).
packages=(
  g++ make cmake pkg-config git ca-certificates
  libssl-dev          # OpenSSL 3 libcrypto: HMAC-SHA256, SHA-256
  libsimdjson-dev     # simdjson 3 On-Demand: the event decoder
  libhiredis-dev      # optional lkwebhook::redis: idempotency store and Redis Streams durable queue
  libnats-dev         # optional lkwebhook::nats: NATS JetStream durable queue (same name on Debian 12 and 13)
  libcpp-httplib-dev  # examples/httplib, the demo, and `lkwebhook send` (http:// and https://)
  libboost-dev        # examples/beast (Boost.Beast/Asio, header-only; HTTPS through libssl)
)
# The whole test suite (the second Quick start command) and the CI extras.
if [[ $with_tests -eq 1 ]]; then
  packages+=(
    catch2                  # unit tests (Catch2 2.13 on Debian 12, 3 on Debian 13)
    redis-server            # tests/redis, tests/durable: a real Redis on a loopback port
    nats-server             # tests/durable: a real NATS server with JetStream (-js) on a loopback port
    nodejs npm              # tests/interop: LiveKit's own Node SDK checks our tokens
    clang clang-tidy clang-format
    "$clang_runtime"        # clang sanitizers and libFuzzer (fuzz preset)
    llvm                    # llvm-symbolizer: readable sanitizer stack traces
    libbenchmark-dev        # tests/bench (bench preset)
    wrk                     # tests/load
    python3                 # cmake/generate_events.py and test helpers
    openssl                 # tests/examples/tls_test.sh: throwaway CA and certificates
  )
fi

# A package counts as present when dpkg has it installed, or, for Node.js,
# when a node/npm is already on PATH (NodeSource's nodejs bundles npm and
# conflicts with Debian's npm package).
is_present() {
  local pkg="$1"
  case "$pkg" in
    nodejs) command -v node >/dev/null 2>&1 && return 0 ;;
    npm) command -v npm >/dev/null 2>&1 && return 0 ;;
  esac
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)" == "installed" ]]
}

missing=()
for pkg in "${packages[@]}"; do
  is_present "$pkg" || missing+=("$pkg")
done

mode="build"
[[ $with_tests -eq 1 ]] && mode="build and tests"
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages for ${mode} are already installed"
  exit 0
fi
echo "install-deps: missing for ${mode}: ${missing[*]}"
if [[ $dry_run -eq 1 ]]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: apt-get not found; this script supports Debian 12 (bookworm) and 13 (trixie)." >&2
  echo "install-deps: install the packages above (or their equivalents) by hand." >&2
  exit 1
fi

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "install-deps: must run as root (or with sudo available) to install: ${missing[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists when they are missing or older than a day, or
# when apt does not know a package we need (fresh machines and containers
# often ship stale or no lists; stale lists would also miss security updates).
need_update=0
lists_dir=/var/lib/apt/lists
if [[ -z "$(find "$lists_dir" -maxdepth 1 -name '*Packages*' -mmin -1440 -print -quit 2>/dev/null)" ]]; then
  need_update=1
fi
for pkg in "${missing[@]}"; do
  [[ $need_update -eq 1 ]] && break
  if ! apt-cache show --no-all-versions "$pkg" >/dev/null 2>&1; then
    need_update=1
  fi
done
if [[ $need_update -eq 1 ]]; then
  echo "install-deps: apt-get update"
  "${as_root[@]}" apt-get update -q
fi

echo "install-deps: apt-get install ${missing[*]}"
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"

still_missing=()
for pkg in "${missing[@]}"; do
  is_present "$pkg" || still_missing+=("$pkg")
done
if [[ ${#still_missing[@]} -ne 0 ]]; then
  echo "install-deps: still missing after apt-get: ${still_missing[*]}" >&2
  exit 1
fi
echo "install-deps: installed ${missing[*]}"
