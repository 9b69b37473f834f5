#!/usr/bin/env bash
# Runs a command next to a throwaway PostgreSQL server.
#
# Usage: tools/scripts/with-postgres.sh COMMAND [ARGS...]
#
# Starts a private PostgreSQL (initdb + pg_ctl from $PG_BIN, default the newest
# /usr/lib/postgresql/*/bin) in a fresh `mktemp -d` directory under /tmp that
# holds both the data directory and the Unix socket. The server listens on that
# socket only (no TCP port, so parallel runs never collide), with fsync off: it
# is for tests and is deleted afterwards. COMMAND runs with
#   CALL_LEDGER_TEST_PG="host=<dir> port=<port> user=postgres dbname=postgres"
# (a superuser, trust authentication). The server is stopped and the directory
# removed however COMMAND ends; the script exits with COMMAND's status.
#
# PostgreSQL refuses to run as root, so as root the server runs as the
# `postgres` system user (runuser); as anyone else it runs as that user.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

pg_bin=${PG_BIN:-}
if [ -z "$pg_bin" ]; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "with-postgres: no PostgreSQL server binaries (install the postgresql package or set PG_BIN)" >&2
  exit 2
fi

as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  if ! id -u postgres >/dev/null 2>&1; then
    echo "with-postgres: running as root needs a 'postgres' system user" >&2
    exit 2
  fi
  as_pg=(runuser -u postgres --)
fi

dir=$(mktemp -d /tmp/call-ledger-pg.XXXXXX)
chmod 755 "$dir"
if [ "${#as_pg[@]}" -gt 0 ]; then chown postgres: "$dir"; fi
data="$dir/data"
port=5432  # Only names the socket file, which lives in our own directory.
pid=""

stop_server() {
  local status=$?
  trap - EXIT INT TERM
  if [ -f "$data/postmaster.pid" ]; then
    pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
  fi
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    # SIGINT is PostgreSQL's "fast" shutdown: abort sessions, stop cleanly.
    kill -INT "$pid" 2>/dev/null || true
    # A stopped postmaster can linger as a zombie for a while; the pid file
    # going away is the reliable sign that it is done.
    for _ in $(seq 1 300); do
      [ -f "$data/postmaster.pid" ] || break
      sleep 0.1
    done
    if [ -f "$data/postmaster.pid" ]; then
      echo "with-postgres: server $pid did not stop in 30 s; sending SIGQUIT" >&2
      kill -QUIT "$pid" 2>/dev/null || true
      sleep 1
    fi
  fi
  rm -rf "$dir"
  exit "$status"
}
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"${as_pg[@]}" "$pg_bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale --no-sync \
  >"$dir/initdb.log" 2>&1 || {
  cat "$dir/initdb.log" >&2
  echo "with-postgres: initdb failed" >&2
  exit 1
}

"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
  -o "-p $port -k $dir -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || {
  cat "$dir/server.log" >&2 || true
  echo "with-postgres: the server did not start" >&2
  exit 1
}
pid=$(head -n 1 "$data/postmaster.pid")

ready=0
for _ in $(seq 1 300); do
  if "$pg_bin/pg_isready" -q -h "$dir" -p "$port" -U postgres; then
    ready=1
    break
  fi
  sleep 0.1
done
if [ "$ready" -ne 1 ]; then
  cat "$dir/server.log" >&2 || true
  echo "with-postgres: the server is not ready after 30 s" >&2
  exit 1
fi

export CALL_LEDGER_TEST_PG="host=$dir port=$port user=postgres dbname=postgres"
set +e
"$@"
status=$?
set -e
exit "$status"
