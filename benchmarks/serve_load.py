"""A bounded load test of `misconduct-tagger serve`, on the loopback address only.

Starts the server as a subprocess on 127.0.0.1 and a free port, sends `POST /v1/tag` with one real
report a request (examples/reports.jsonl and examples/labelled.jsonl) from 16 concurrent clients for
30 s, then stops it. Prints requests per second, p50 and p99 latency, the errors (must be 0) and the
server's resident memory (VmRSS from /proc/<pid>/status) before and after the load.

Usage: python benchmarks/serve_load.py [--clients 16] [--seconds 30]
Exits 1 if any request failed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # never anything else: this is a load test of one's own machine


def reports() -> list[str]:
    texts = []
    for name in ("reports.jsonl", "labelled.jsonl"):
        for line in (ROOT / "examples" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    return texts


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def request(connection: http.client.HTTPConnection, text: str) -> int:
    body = json.dumps({"text": text}, ensure_ascii=False).encode("utf-8")
    connection.request("POST", "/v1/tag", body=body, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    payload = response.read()
    if response.status == 200:
        json.loads(payload)  # a whole, valid answer
    return response.status


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def client(port: int, texts: list[str], until: float, seed: int, tally: Tally) -> None:
    """One client: a keep-alive connection, one request after another until the deadline."""
    rng = random.Random(seed)
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    latencies, errors = [], []
    while time.monotonic() < until:
        start = time.perf_counter()
        try:
            status = request(connection, rng.choice(texts))
            if status != 200:
                errors.append(f"HTTP {status}")
        except (OSError, http.client.HTTPException, ValueError) as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            connection.close()
            connection = http.client.HTTPConnection(HOST, port, timeout=30)
        latencies.append(time.perf_counter() - start)
    connection.close()
    with tally.lock:
        tally.latencies.extend(latencies)
        tally.errors.extend(errors)


def wait_until_healthy(port: int, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not become healthy in time")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    texts = reports()
    port = free_port()
    command = [sys.executable, "-m", "misconduct_tagger.cli", "serve", "--host", HOST, "--port", str(port)]
    started = time.perf_counter()
    log = tempfile.TemporaryFile("w+", encoding="utf-8")  # a file, not a pipe nobody reads that could fill up
    server = subprocess.Popen(command, stdout=log, stderr=log)
    try:
        try:
            wait_until_healthy(port, server)
        except SystemExit:
            log.seek(0)
            print(log.read()[-3000:], file=sys.stderr)
            raise
        ready = time.perf_counter() - started
        warm = http.client.HTTPConnection(HOST, port, timeout=30)
        for text in texts:  # every text once, so "before" is a server that has tagged
            request(warm, text)
        warm.close()
        before = rss_mib(server.pid)
        tally = Tally()
        until = time.monotonic() + args.seconds
        threads = [threading.Thread(target=client, args=(port, texts, until, seed, tally))
                   for seed in range(args.clients)]
        load_start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - load_start
        after = rss_mib(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    latencies = sorted(tally.latencies)
    n = len(latencies)
    p99 = latencies[min(n - 1, int(0.99 * n))] if n else float("nan")
    print(f"server ready (health 200) after {ready:.1f} s; {args.clients} clients for {args.seconds:.0f} s on "
          f"{HOST}:{port}, {len(texts)} example reports of {min(map(len, texts))}-{max(map(len, texts))} characters")
    print(f"requests      {n}")
    print(f"requests/s    {n / elapsed:.1f}")
    print(f"latency p50   {statistics.median(latencies) * 1000:.1f} ms" if n else "latency p50   -")
    print(f"latency p99   {p99 * 1000:.1f} ms")
    print(f"errors        {len(tally.errors)}" + (f" (first: {tally.errors[0]})" if tally.errors else ""))
    print(f"server RSS    {before:.0f} MiB before, {after:.0f} MiB after")
    return 1 if tally.errors or not n else 0


if __name__ == "__main__":
    sys.exit(main())
