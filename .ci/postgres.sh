# Sourced by .ci/run: a throwaway PostgreSQL server for the test suite, stopped on exit.
#
# The server lives in a fresh temp folder and listens only on a Unix socket there (no TCP port,
# so it never collides with another server on the machine); fsync is off because the data is
# thrown away. It exports KPIBOT_TEST_POSTGRES_URL for the tests, and a trap stops the server and
# removes the folder however the run ends. PostgreSQL is installed with apt-get when missing.

pg_bindir() {
    local dir
    for dir in "$(pg_config --bindir 2>/dev/null || true)" /usr/lib/postgresql/*/bin /usr/local/bin /usr/bin; do
        if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
    done
    return 1
}

install_postgres() {
    echo "PostgreSQL is not installed: installing it with apt-get for the test suite..."
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        echo "cannot install PostgreSQL here: install it (initdb and pg_ctl) or set KPIBOT_TEST_POSTGRES_URL" >&2
        exit 2
    fi
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
}

start_postgres() {
    local bin dir port=5432 as=()
    bin="$(pg_bindir)" || { install_postgres; bin="$(pg_bindir)"; }
    dir="$(mktemp -d "${TMPDIR:-/tmp}/kpibot-pg.XXXXXX")"
    if [ "$(id -u)" -eq 0 ]; then  # the server refuses to run as root: run it as an unprivileged user
        local user=postgres
        id "$user" >/dev/null 2>&1 || user=nobody
        chown "$user" "$dir"
        as=(runuser -u "$user" --)
    fi
    PG_STOP=("${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -s stop)
    PG_DIR="$dir"
    trap stop_postgres EXIT
    "${as[@]}" "$bin/initdb" -D "$dir/data" -U kpibot -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -s start \
        -o "-c listen_addresses='' -k $dir -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        || { cat "$dir/server.log" >&2; exit 1; }
    "${as[@]}" "$bin/psql" -h "$dir" -p "$port" -U kpibot -d postgres -q -c "CREATE DATABASE kpibot_test" >/dev/null
    export KPIBOT_TEST_POSTGRES_URL="postgresql://kpibot@/kpibot_test?host=$dir&port=$port"
    echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') for the tests: $KPIBOT_TEST_POSTGRES_URL"
}

stop_postgres() {
    if [ -n "${PG_DIR:-}" ]; then
        "${PG_STOP[@]}" || true
        rm -rf "$PG_DIR"
        PG_DIR=""
    fi
}
