"""Start the embedded Milvus standalone server of the ``milvus`` PyPI package, detached.

``python scripts/milvus_server.py DIR PORT`` writes DIR/configs/milvus.yaml from the package's
template (every service advertised on 127.0.0.1, its ports PORT..PORT+11: the gRPC services,
the health port PORT+10, the embedded etcd on 127.0.0.1:PORT+1 and PORT+11), unpacks the server
binaries under DIR/bin, starts ``milvus run standalone`` in its own session with its logs under
DIR/logs, writes DIR/milvus.pid, waits for its health check and prints the URI. Used by
``scripts/milvus.sh`` (which also stops it); never imported by the service.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

# Ports of the standalone server's components, as offsets from the proxy (client) port.
PORT_KEYS = ("proxy_port", "etcd_port", "root_coord_port", "proxy_internal_port",
             "query_coord_port", "query_node_port", "index_coord_port", "index_node_port",
             "data_coord_port", "data_node_port")
START_TIMEOUT_S = 240.0


def _free(port: int) -> None:
    """Refuse a port another program listens on (a socket in TIME-WAIT is fine: the package's
    own check refuses those, Milvus does not)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        raise SystemExit(f"port {port} is taken ({exc}): choose another PORT") from exc
    finally:
        sock.close()


def main(base: Path, port: int) -> str:
    import milvus
    from milvus import MilvusServerConfig, _initialize_data_files

    template = Path(milvus.__file__).parent / "data" / "config.yaml.template"
    text = re.sub(r"^(\s*)ip:\s*(#.*)?$", r"\1ip: 127.0.0.1", template.read_text(), flags=re.M)
    text = text.replace("log:\n  level: info", "log:\n  level: warn", 1)  # info: ~1 GB/hour
    text = text.replace("endpoints: localhost:", "endpoints: 127.0.0.1:")
    text = text.replace("address: localhost:", "address: 127.0.0.1:")
    base.mkdir(parents=True, exist_ok=True)
    # The embedded etcd listens where the defaults say (2379/2380, every user's) unless told.
    etcd, peer = port + 1, port + len(PORT_KEYS) + 1
    (base / "etcd.yaml").write_text(
        f"listen-client-urls: http://127.0.0.1:{etcd}\n"
        f"advertise-client-urls: http://127.0.0.1:{etcd}\n"
        f"listen-peer-urls: http://127.0.0.1:{peer}\n"
        f"initial-advertise-peer-urls: http://127.0.0.1:{peer}\n"
        f"initial-cluster: default=http://127.0.0.1:{peer}\n")
    text = text.replace("  use:\n    embed: true",
                        f"  use:\n    embed: true\n  config:\n    path: {base / 'etcd.yaml'}", 1)
    local = base / "milvus.yaml.template"
    local.write_text(text)
    for n in range(len(PORT_KEYS) + 2):
        _free(port + n)
    config = MilvusServerConfig(template=str(local), data_dir=str(base))
    config.glog_conf_file = str(template.parent / "glog.conf")  # set only for the default
    config.resolve_storage()
    for n, key in enumerate(PORT_KEYS):
        config.set(key, port + n)
    config.write_config()  # configs/milvus.yaml
    _initialize_data_files(str(base))
    metrics = port + len(PORT_KEYS)
    env = dict(os.environ, DEPLOY_MODE="STANDALONE", METRICS_PORT=str(metrics),
               MILVUS_RUN_DIR=str(base / "run"),
               LD_LIBRARY_PATH=f"{base / 'bin'}:{os.environ.get('LD_LIBRARY_PATH', '')}")
    logs = base / "logs"
    with open(logs / "milvus-stdout.log", "wb") as out, \
            open(logs / "milvus-stderr.log", "wb") as err:
        proc = subprocess.Popen([str(base / "bin" / "milvus"), "run", "standalone"],  # noqa: S603
                                cwd=base, env=env, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    (base / "milvus.pid").write_text(str(proc.pid))
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"milvus exited with {proc.returncode}; see {logs}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{metrics}/healthz",
                                        timeout=5) as resp:
                if b"OK" in resp.read():
                    return f"http://127.0.0.1:{port}"
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"milvus did not report healthy in {START_TIMEOUT_S:.0f} s; see {logs}")


if __name__ == "__main__":
    print(main(Path(sys.argv[1]).resolve(), int(sys.argv[2])))
