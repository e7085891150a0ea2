#!/usr/bin/env python3
"""Measures the CPU one tasksync replica spends per ingested event, on this machine.

Python 3 standard library only. Not part of `make test`; run by hand, numbers go to
src/docs/scaling.md. It measures CPU *time* of each process (utime + stime from
/proc/<pid>/stat), not throughput, so the load generator sharing the cores does not enter the
per-event figures directly (it does add cache and scheduling contention: treat results as an
upper-ish estimate for a dedicated core).

Phase A (always): the built jar alone (`make build` first), dev mode, on a free port.
  - idle CPU baseline (subtracted from every figure);
  - POST /task-updates with a structured CloudEvent shaped like daprd's, for a user with NO
    local connection (the "wasted" event of an every-replica-reads-everything design);
  - the same for a user with k = 1, 10, 50 open WebSocket connections (a stdlib WS reader
    drains them), giving the marginal CPU per delivered frame.
Phase B (--stack): real Kafka (src/test/scripts/kafka.sh) + a subscriber daprd (app-id
  tasksync, pointed at the warm jar from phase A) + a publisher daprd (app-id task-backend).
  Events are published through the publisher's HTTP API; reports CPU per event of the
  subscriber daprd (the sidecar's share of ingest), of tasksync, of the broker and of the
  publisher sidecar, plus the bytes per record in the partition's log (= bytes a consumer
  group fetches per event, before protocol framing).

    make build
    python3 src/test/sim/measure_ingest.py --warmup 100000 --reps 5 --stack   # ~3.5 min on 2 vCPU
    python3 src/test/sim/measure_ingest.py --no-deliver --reps 3 --stack --stack-groups 3
    # --jar / --stack-root measure another build (scaling.md used a `git archive` copy in /tmp)

Per-event CPU figures are the minimum over repetitions (the first one after warm-up is
consistently slower). Results: stdout and target/measure/measure.json.
"""
import argparse
import base64
import glob
import http.client
import json
import os
import re
import selectors
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
TICK = os.sysconf("SC_CLK_TCK")
SECRET = "measure-ingest-secret-0123456789-0123456789"
procs = []  # every process this script started, killed at exit by pid


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def start(cmd, log, env=None):
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=open(log, "w"), stderr=subprocess.STDOUT,
                         env={**os.environ, **(env or {})})
    procs.append(p)
    return p


def stop_all():
    for p in reversed(procs):
        if p.poll() is None:
            p.terminate()
    for p in reversed(procs):
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()


def wait_http(url, secs, what):
    end = time.time() + secs
    while time.time() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 300:
                    return
        except Exception:
            pass
        time.sleep(0.25)
    raise SystemExit(f"{what} did not come up ({url})")


def get_json(url, token=None):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(req, timeout=5) as r:
        return r.read().decode()


def counter(port, token, name):
    """A Micrometer counter's total, from tasksync's /actuator/metrics (admin only); 0 if unregistered."""
    try:
        m = json.loads(get_json(f"http://127.0.0.1:{port}/actuator/metrics/{name}", token))
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return 0.0
        raise
    return sum(x["value"] for x in m["measurements"] if x["statistic"] == "COUNT")


# A task event as the backend publishes it, wrapped the way daprd 1.16 wraps it (field set of
# its structured CloudEvent: data, datacontenttype, id, pubsubname, source, specversion, time,
# topic, traceid, traceparent, tracestate, type).
def task_data(user, i):
    return {"event_type": "task.updated", "user_id": user,
            "task": {"id": 100000 + i, "title": f"Buy milk and bread #{i}", "status": "pending",
                     "priority": "medium", "due_date": "2026-12-01T00:00:00Z", "tags": ["home", "errands"]}}


def cloudevent(user, i):
    tp = f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01"
    return json.dumps({"data": task_data(user, i), "datacontenttype": "application/json",
                       "id": str(uuid.uuid4()), "pubsubname": "taskpubsub", "source": "task-backend",
                       "specversion": "1.0", "time": "2026-11-21T12:00:00Z", "topic": "task-updates",
                       "traceid": tp, "traceparent": tp, "tracestate": "",
                       "type": "com.dapr.event.sent"}, separators=(",", ":")).encode()


def post_many(port, path, make_body, n, conc, content_type):
    """n POSTs over `conc` keep-alive connections; returns wall seconds."""
    bodies = [make_body(i) for i in range(n)]  # built before timing
    errors = []

    def worker(lo, hi):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for i in range(lo, hi):
            c.request("POST", path, bodies[i], {"Content-Type": content_type})
            r = c.getresponse()
            body = r.read()
            if r.status >= 300 or (b"DROP" in body or b"RETRY" in body):
                errors.append((r.status, body[:200]))
        c.close()

    step = (n + conc - 1) // conc
    ts = [threading.Thread(target=worker, args=(k * step, min(n, (k + 1) * step))) for k in range(conc)]
    t0 = time.time()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise SystemExit(f"{len(errors)} failed posts, first: {errors[0]}")
    return time.time() - t0


class WsReaders:
    """k WebSocket connections of one user, drained by one selector thread (bytes only)."""

    def __init__(self, port, token, k):
        self.sel = selectors.DefaultSelector()
        self.bytes = 0
        self.socks = []
        for _ in range(k):
            s = socket.create_connection(("127.0.0.1", port))
            key = base64.b64encode(os.urandom(16)).decode()
            s.sendall((f"GET /ws?token={token} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                       f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
            buf = b""
            while b"connected" not in buf:
                chunk = s.recv(4096)
                if not chunk:
                    raise SystemExit("websocket closed during handshake")
                buf += chunk
            if not buf.startswith(b"HTTP/1.1 101"):
                raise SystemExit(f"websocket upgrade failed: {buf[:100]!r}")
            s.setblocking(False)
            self.sel.register(s, selectors.EVENT_READ)
            self.socks.append(s)
        self.running = True
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def loop(self):
        while self.running:
            for key, _ in self.sel.select(0.2):
                try:
                    data = key.fileobj.recv(1 << 20)
                except BlockingIOError:
                    continue
                if not data:
                    self.sel.unregister(key.fileobj)
                self.bytes += len(data)

    def close(self):
        self.running = False
        self.t.join()
        for s in self.socks:
            s.close()


def measure(pids, fn):
    """Runs fn(); returns (wall seconds, {name: cpu seconds}) for each pid."""
    before = {k: cpu_s(p) for k, p in pids.items()}
    wall = fn()
    return wall, {k: cpu_s(p) - before[k] for k, p in pids.items()}


def phase_a(args):
    jar = [args.jar] if args.jar else [
        j for j in glob.glob(os.path.join(ROOT, "target", "tasksync-*.jar")) if not j.endswith(".original")]
    if not jar or not os.path.isfile(jar[0]):
        raise SystemExit("no jar: run 'make build' first or pass --jar")
    port = free_port()
    log_dir = os.path.join(ROOT, "target", "measure")
    os.makedirs(log_dir, exist_ok=True)
    # 50 connections of one user exceed the default per-user limit (20, close 4029): raised for the measurement
    app = start(["java", "-jar", jar[0], f"--server.port={port}", "--tasksync.dev.enabled=true",
                 "--tasksync.ws.max-connections-per-user=100"],
                os.path.join(log_dir, "tasksync.log"), {"BETTER_AUTH_SECRET": SECRET})
    wait_http(f"http://127.0.0.1:{port}/actuator/health/readiness", 120, "tasksync")
    admin = json.loads(get_json(f"http://127.0.0.1:{port}/dev/token?user_id=ops&admin=true"))["token"]
    hot = json.loads(get_json(f"http://127.0.0.1:{port}/dev/token?user_id=hot"))["token"]
    pids = {"tasksync": app.pid}
    ce = "application/cloudevents+json"
    res = {"jar": jar[0], "jvm": subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]}
    sample = cloudevent("nobody", 0)
    res["cloudevent_bytes"] = len(sample)
    print(f"tasksync pid {app.pid} on :{port}; CloudEvent body {len(sample)} bytes", flush=True)

    time.sleep(5)
    w, c = measure(pids, lambda: (time.sleep(5), 5.0)[1])
    idle = c["tasksync"] / w
    res["idle_cpu_cores"] = idle
    print(f"idle: {idle * 100:.2f}% of a core", flush=True)

    print(f"warm-up: {args.warmup} events, no recipient", flush=True)
    post_many(port, "/task-updates", lambda i: cloudevent(f"cold-{i % 5000}", i), args.warmup, args.conc, ce)

    rows = []

    def run(label, user, k, n):
        readers = WsReaders(port, hot, k) if k else None
        if readers:  # warm the delivery path too
            post_many(port, "/task-updates", lambda i: cloudevent(user, i), min(n, 5000), args.conc, ce)
        d0 = counter(port, admin, "tasksync.deliveries")
        drops0 = counter(port, admin, "tasksync.drops")
        wall, c = measure(pids, lambda: post_many(port, "/task-updates", lambda i: cloudevent(user, i), n, args.conc, ce))
        time.sleep(0.5)
        delivered = counter(port, admin, "tasksync.deliveries") - d0
        drops = counter(port, admin, "tasksync.drops") - drops0
        if readers:
            readers.close()
        cpu = c["tasksync"] - idle * wall
        row = {"label": label, "k": k, "events": n, "wall_s": wall, "events_per_s": n / wall,
               "cpu_s": cpu, "cpu_us_per_event": cpu / n * 1e6, "delivered": delivered, "dropped": drops}
        rows.append(row)
        print(f"{label:<28} k={k:<3} n={n:<6} {n / wall:8.0f} ev/s  {cpu / n * 1e6:7.1f} us CPU/event  "
              f"delivered={delivered:.0f} dropped={drops:.0f}", flush=True)

    for rep in range(args.reps):
        run(f"no local recipient #{rep + 1}", "nobody", 0, args.events)
    for k in (() if args.no_deliver else (1, 10, 50)):
        for rep in range(max(1, args.reps // 2)):
            run(f"owner has {k} connection(s) #{rep + 1}", "hot", k, max(5000, args.events // (1 + k // 10)))
    best = {}
    for r in rows:
        best[r["k"]] = min(best.get(r["k"], float("inf")), r["cpu_us_per_event"])
    base = best[0]
    # cpu(k) = base + first + deliver * k for k >= 1: deliver from the k=10..50 slope, first from k=1
    slope = first = None
    if 10 in best and 50 in best and 1 in best:
        slope = (best[50] - best[10]) / 40
        first = best[1] - base - slope
    res.update({"rows": rows, "best_us_per_event_by_k": best, "c_ingest_app_us": base,
                "c_deliver_us": slope, "c_first_recipient_us": first})
    print(f"=> app ingest, no recipient (min of reps): {base:.1f} us/event"
          + (f"; an event with local recipients: +{first:.1f} us once + {slope:.1f} us per frame"
             if slope is not None else ""), flush=True)
    return res, port, app


def phase_b(args, res, app_port, app):
    root = args.stack_root
    daprd = subprocess.run([os.path.join(root, "src/test/dapr/build-daprd.sh")], capture_output=True,
                           text=True, check=True).stdout.strip()
    log_dir = os.path.join(ROOT, "target", "measure")
    kport = free_port()
    kafka = start([os.path.join(root, "src/test/scripts/kafka.sh"), str(kport)], os.path.join(log_dir, "kafka.log"))
    end = time.time() + 180
    while time.time() < end and "KAFKA_READY" not in open(os.path.join(log_dir, "kafka.log")).read():
        time.sleep(0.5)
    if "KAFKA_READY" not in open(os.path.join(log_dir, "kafka.log")).read():
        raise SystemExit("Kafka did not start; see target/measure/kafka.log")
    common = ["--resources-path", os.path.join(root, "components"),
              "--config", os.path.join(root, "src/test/dapr/config.yaml"), "--log-level", "warn"]
    pub_http = free_port()
    subs = []
    for g in range(args.stack_groups):  # one consumer group each ({appID}-{podName}), as replicas have
        sub_http = free_port()
        subs.append(start([daprd, "--app-id", "tasksync", "--app-port", str(app_port), "--app-protocol", "http",
                           "--dapr-http-port", str(sub_http), "--dapr-grpc-port", str(free_port()),
                           "--metrics-port", str(free_port()), "--dapr-internal-grpc-port", str(free_port()), *common],
                          os.path.join(log_dir, f"daprd-sub-{g}.log"),
                          {"KAFKA_BROKERS": f"127.0.0.1:{kport}", "POD_NAME": f"measure-{g}"}))
        wait_http(f"http://127.0.0.1:{sub_http}/v1.0/healthz", 60, "subscriber daprd")
    pub = start([daprd, "--app-id", "task-backend", "--dapr-http-port", str(pub_http),
                 "--dapr-grpc-port", str(free_port()), "--metrics-port", str(free_port()),
                 "--dapr-internal-grpc-port", str(free_port()), *common],
                os.path.join(log_dir, "daprd-pub.log"),
                {"KAFKA_BROKERS": f"127.0.0.1:{kport}", "POD_NAME": "publisher-0"})
    wait_http(f"http://127.0.0.1:{pub_http}/v1.0/healthz", 60, "publisher daprd")
    admin = json.loads(get_json(f"http://127.0.0.1:{app_port}/dev/token?user_id=ops&admin=true"))["token"]

    def received():
        return counter(app_port, admin, "tasksync.events.received")

    path = "/v1.0/publish/taskpubsub/task-updates"

    groups = args.stack_groups

    def publish_and_drain(n, offset):
        target = received() + n * groups
        t0 = time.time()
        post_many(pub_http, path, lambda i: json.dumps(task_data(f"cold-{(offset + i) % 5000}", offset + i)).encode(),
                  n, args.conc, "application/json")
        end = time.time() + 300
        while received() < target and time.time() < end:
            time.sleep(0.5)  # each poll is an authenticated request to the measured app: keep them rare
        if received() < target:
            raise SystemExit("events did not arrive; see target/measure/")
        return time.time() - t0

    # the subscriptions are live once every group has delivered a probe
    end = time.time() + 90
    before = received()
    probes = 0
    while received() < before + groups * (probes or 1) and time.time() < end:
        post_many(pub_http, path, lambda i: json.dumps(task_data("probe", i)).encode(), 1, 1, "application/json")
        probes += 1
        time.sleep(2)
    time.sleep(3)
    print(f"stack up: Kafka :{kport}, {groups} subscriber daprd(s) (one consumer group each), "
          f"publisher daprd :{pub_http}", flush=True)
    publish_and_drain(args.stack_warmup, 0)
    pids = {**{f"daprd_sub{g}": p.pid for g, p in enumerate(subs)},
            "tasksync": app.pid, "kafka": kafka.pid, "daprd_pub": pub.pid}
    idle_w, idle_c = measure(pids, lambda: (time.sleep(5), 5.0)[1])
    n = args.stack_events
    wall, c = measure(pids, lambda: publish_and_drain(n, 10 ** 6))
    per = {k: (c[k] - idle_c[k] / idle_w * wall) / n * 1e6 for k in pids}  # per PUBLISHED event
    per["daprd_sub_per_delivery"] = sum(per[f"daprd_sub{g}"] for g in range(groups)) / groups
    per["tasksync_per_delivery"] = per["tasksync"] / groups
    logs = set()  # the partition's segment files, found through the broker's open file descriptors
    for fd in glob.glob(f"/proc/{kafka.pid}/fd/*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if re.search(r"/task-updates-0/\d+\.log$", target):
            logs.add(target)
    logs = sorted(logs)
    records = args.stack_warmup + n + probes
    log_bytes = sum(os.path.getsize(f) for f in logs)
    res["stack"] = {"groups": groups, "events": n, "wall_s": wall, "events_per_s": n / wall, "cpu_us_per_event": per,
                    "idle_cpu_cores": {k: idle_c[k] / idle_w for k in pids},
                    "kafka_log_bytes": log_bytes, "kafka_log_files": logs,
                    "kafka_bytes_per_record_approx": log_bytes / records if log_bytes else None}
    print(f"stack: {n} events x {groups} group(s) in {wall:.1f} s ({n / wall:.0f} published ev/s end to end); "
          f"CPU per published event:", flush=True)
    for k, v in per.items():
        print(f"  {k:<10} {v:7.1f} us CPU/event", flush=True)
    if log_bytes:
        print(f"  Kafka log: {log_bytes} bytes for ~{records} records = {log_bytes / records:.0f} B/record", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jar", help="jar to measure (default: target/tasksync-*.jar)")
    ap.add_argument("--events", type=int, default=30000)
    ap.add_argument("--warmup", type=int, default=40000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--conc", type=int, default=4)
    ap.add_argument("--no-deliver", action="store_true", help="skip the runs with open connections")
    ap.add_argument("--stack", action="store_true")
    ap.add_argument("--stack-events", type=int, default=20000)
    ap.add_argument("--stack-warmup", type=int, default=10000)
    ap.add_argument("--stack-groups", type=int, default=1,
                    help="subscriber sidecars, each its own consumer group (replicas of the current design)")
    ap.add_argument("--stack-root", default=ROOT,
                    help="checkout whose kafka.sh, components/ and daprd build are used (default: this one)")
    ap.add_argument("--json", default=os.path.join(ROOT, "target", "measure", "measure.json"))
    args = ap.parse_args()
    print(f"{os.cpu_count()} cores; {open('/proc/cpuinfo').read().split('model name')[1].split(':')[1].splitlines()[0].strip()}",
          flush=True)
    load0 = open("/proc/loadavg").read().split()[:3]
    try:
        res, port, app = phase_a(args)
        if args.stack:
            phase_b(args, res, port, app)
    finally:
        stop_all()
    res["loadavg_before"], res["loadavg_after"] = load0, open("/proc/loadavg").read().split()[:3]
    print(f"load average before {' '.join(load0)}, after {' '.join(res['loadavg_after'])}")
    with open(args.json, "w") as f:
        json.dump(res, f, indent=1)
    print(f"results: {args.json}")


if __name__ == "__main__":
    main()
