#!/bin/sh
# The PostgreSQL server binaries that the tests' throwaway clusters run (tests/conftest.py starts
# its own server from /usr/lib/postgresql/*/bin and stops it at the end). `make system-deps` runs
# this before the tests.
#
# - Already there (an initdb under /usr/lib/postgresql/*/bin): nothing to do, at once.
# - Root with apt-get (Debian, Ubuntu, CI): installs Debian's `postgresql` package without
#   questions, and without starting its service: a policy-rc.d that answers 101 ("action
#   forbidden", invoke-rc.d(8)) stands while the package installs, unless the machine has one.
# - Anything else: says what to install and exits 0, so that the PostgreSQL tests skip.
set -eu

# Where Debian's packages put each major version's binaries (POSTGRESQL_LIB, for this script's tests).
lib=${POSTGRESQL_LIB:-/usr/lib/postgresql}

have_server() {
    for initdb in "$lib"/*/bin/initdb; do
        [ -x "$initdb" ] && return 0
    done
    return 1
}

if have_server; then
    exit 0
fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: no PostgreSQL server (no initdb under $lib/*/bin), and" \
        "installing one needs root and apt-get; the PostgreSQL tests will skip." \
        "Install Debian's or Ubuntu's 'postgresql' package to run them." >&2
    exit 0
fi

echo "system-deps: installing Debian's postgresql package (server binaries for the tests)"
policy=/usr/sbin/policy-rc.d
made_policy=
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# Left by scripts/install-postgresql.sh while it installs: start no service.\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    made_policy=1
fi
cleanup() {
    if [ -n "$made_policy" ]; then rm -f "$policy"; fi
}
trap cleanup EXIT INT TERM

export DEBIAN_FRONTEND=noninteractive
install_postgresql() {
    apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confold postgresql
}
# A fresh machine may have no package lists yet, or stale ones: update once if the install fails.
install_postgresql || { apt-get update -q && install_postgresql; }

if ! have_server; then
    echo "system-deps: the postgresql package installed no initdb under $lib/*/bin" >&2
    exit 1
fi
