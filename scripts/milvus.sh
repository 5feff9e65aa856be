#!/usr/bin/env bash
# Start or stop a throwaway Milvus standalone server for the tests (the embedded server of the
# `milvus` PyPI package, installed by the project's `milvus` extra).
#   scripts/milvus.sh start DIR PORT   -> prints the URI (http://127.0.0.1:PORT) on stdout
#   scripts/milvus.sh stop DIR
# The server keeps everything under DIR, advertises 127.0.0.1 and uses ports PORT..PORT+10
# (client, embedded etcd, coordinators, nodes, health). Milvus 2.3.5 ignores SIGTERM: stop
# sends it, waits a grace period, then SIGKILLs the server and removes DIR.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?data dir}; port=${3:-19530}
py=${PYTHON:-.venv/bin/python}
case "$cmd" in
start)
  "$py" -c 'import milvus, pymilvus' 2>/dev/null \
    || { echo "the milvus extra is not installed (uv sync --extra milvus)" >&2; exit 1; }
  exec "$py" "$(dirname "$0")/milvus_server.py" "$dir" "$port"
  ;;
stop)
  if [ -f "$dir/milvus.pid" ]; then
    pid=$(cat "$dir/milvus.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  fi
  rm -rf "$dir"
  ;;
esac
