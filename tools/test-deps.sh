#!/usr/bin/env bash
# Installs what the test suite needs on a fresh machine and does nothing when it is already there.
# The README's test command (and so .ci/run) starts with it. Everything comes from the package registries
# by name: Debian packages with apt-get, Python tools into a venv under target/test-tools/ (the tests look
# for them there, on $PATH, or at the path their SOVEREIGN_* variable names).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: what to install when the command it provides is missing.
need=()
pkg-config --exists openssl 2>/dev/null || need+=(libssl-dev pkg-config) # git2 (https), reqwest (native-tls)
command -v python3 >/dev/null || need+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
command -v chromium >/dev/null || need+=(chromium) # the HTML report tests (docs/report.md)
# The store tests start a throwaway PostgreSQL cluster on 127.0.0.1 (initdb in a temporary directory, run as
# the `postgres` user when the tests run as root): they need the server binaries (docs/store.md).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "test-deps: missing Debian packages: ${need[*]} (run as root or install them)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Python tools, pinned in tools/test-requirements.txt, in one venv.
venv=target/test-tools/venv
stamp="$venv/.requirements"
if ! cmp -s tools/test-requirements.txt "$stamp" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tools/test-requirements.txt
  cp tools/test-requirements.txt "$stamp"
fi
