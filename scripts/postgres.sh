#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL server for the tests.
#   scripts/postgres.sh start DIR PORT   -> prints the SQLAlchemy URL on stdout
#   scripts/postgres.sh stop DIR
# Installs Debian's postgresql package when no server binaries are found (as root), and runs the
# server as an ordinary user (PostgreSQL refuses to run as root) in DIR, on 127.0.0.1:PORT.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?data dir}; port=${3:-55432}
find_bin() {
  for d in /usr/lib/postgresql/*/bin /usr/local/bin /usr/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && { echo "$d"; return 0; }
  done
  return 1
}
pg_user=postgres
as_user() {
  if [ "$(id -u)" = 0 ]; then su -s /bin/bash "$pg_user" -c "$*"; else bash -c "$*"; fi
}
case "$cmd" in
start)
  if ! bin=$(find_bin); then
    if [ "$(id -u)" = 0 ]; then
      echo "installing postgresql from the Debian archive..." >&2
      apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
      bin=$(find_bin)
    else
      echo "no PostgreSQL server binaries found; install the postgresql package" >&2; exit 1
    fi
  fi
  if [ "$(id -u)" = 0 ]; then
    id -u "$pg_user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /bin/bash "$pg_user"
  fi
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    chmod o+x "$(dirname "$dir")"   # the server user must reach DIR (a mktemp parent is 0700)
    chown "$pg_user" "$dir"; chmod 700 "$dir"
  fi
  as_user "'$bin/initdb' -D '$dir/data' -U hawiya --auth=trust -E UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1" \
    || as_user "'$bin/initdb' -D '$dir/data' -U hawiya --auth=trust -E UTF8 --no-locale >'$dir/initdb.log' 2>&1"
  as_user "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" start" >&2
  as_user "'$bin/psql' -h 127.0.0.1 -p $port -U hawiya -d postgres -qc 'CREATE DATABASE hawiya_test'" >&2
  echo "postgresql+psycopg://hawiya@127.0.0.1:$port/hawiya_test"
  ;;
stop)
  bin=$(find_bin) || exit 0
  [ -d "$dir/data" ] && as_user "'$bin/pg_ctl' -D '$dir/data' -m immediate stop" >&2 || true
  rm -rf "$dir"
  ;;
esac
