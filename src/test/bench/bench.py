#!/usr/bin/env python3
"""tasksync benchmark harness: starts tasksync processes and load-tool processes on loopback,
runs the scenarios of issue #7 and writes results (JSON + PNG plots) to target/bench/.

    python3 src/test/bench/bench.py --profile short   # `make bench`, < 3 minutes
    python3 src/test/bench/bench.py --profile full    # `make bench-full`, the BENCHMARKS.md run

One process may hold at most ~19.9k sockets here (hard limit 20,000 open files), so large runs
spread connections over several tasksync processes (each one a replica, as behind a load
balancer; every replica receives every event, as with one Dapr consumer group per replica)
and several load-client processes bound to different 127.0.0.x source addresses.
"""
import argparse
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
OUT = ROOT / "target" / "bench"
JAR = next(iter(sorted((ROOT / "target").glob("tasksync-*.jar"))), None)
SECRET = "bench-secret-0123456789-0123456789-0123456789"
# The server's JVM flags, recorded with every result: G1 with string deduplication as in the
# image and k8s, and a heap that gives memory back after a collection, so that RSS after GC
# follows what connections really hold. BENCH_SERVER_JVM_EXTRA adds flags (e.g. -Xlog:gc),
# BENCH_SERVER_JAVA picks another java for the servers.
SERVER_JVM = ["-Xms128m", "-Xmx2g", "-XX:+UseG1GC", "-XX:+UseStringDeduplication", "-XX:MinHeapFreeRatio=10",
              "-XX:MaxHeapFreeRatio=20", "-XX:+ExitOnOutOfMemoryError",
              *os.environ.get("BENCH_SERVER_JVM_EXTRA", "").split()]
CLIENT_JVM = ["-Xms256m", "-Xmx1500m", "-XX:+UseParallelGC"]
PER_PROCESS = 17_000  # sockets per process, below the 20,000 open-file limit with room for jars


CHILDREN = []  # every process started, killed on exit whatever happens (see main)


def spawn(*args, **kwargs):
    proc = subprocess.Popen(*args, **kwargs)
    CHILDREN.append(proc)
    return proc


def kill_children():
    for p in CHILDREN:
        if p.poll() is None:
            p.kill()


def log(*a):
    print("[bench]", *a, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def java():
    home = os.environ.get("JAVA_HOME")
    return str(Path(home) / "bin" / "java") if home else "java"


class Server:
    """One tasksync process (a replica)."""

    def __init__(self, index, extra_args=()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, BETTER_AUTH_SECRET=SECRET)
        env.pop("APP_API_TOKEN", None)
        self.log_path = OUT / f"server-{index}.log"
        args = [os.environ.get("BENCH_SERVER_JAVA", java()), *SERVER_JVM, "-jar", str(JAR), f"--server.port={self.port}",
                # Load from a few source addresses must not be mistaken for abuse:
                "--tasksync.ws.max-connections-per-user=20", *extra_args]
        self.proc = spawn(args, env=env, stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT)

    def wait_ready(self, timeout=90):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/actuator/health/readiness", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("server not ready")

    def live_heap(self):
        """Bytes of live objects (jmap -histo:live runs a full GC first)."""
        out = subprocess.run(["jmap", "-histo:live", str(self.proc.pid)], capture_output=True, text=True,
                             timeout=120).stdout
        total = [l for l in out.splitlines() if l.startswith("Total")]
        return int(total[0].split()[2]) if total else 0

    def rss(self):
        return rss_kib(self.proc.pid)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Tool:
    """A Java tool of src/test/java/dev/tasksync/bench speaking JSON lines."""

    def __init__(self, main, args, name):
        cp = f"{ROOT}/target/test-classes:{ROOT}/target/classes:" + (OUT / "classpath.txt").read_text().strip()
        self.name = name
        self.proc = spawn([java(), *CLIENT_JVM, "-cp", cp, f"dev.tasksync.bench.{main}", *map(str, args)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=open(OUT / f"{name}.err", "w"),
                                     text=True, bufsize=1)

    def read(self, event, timeout=300):
        result = {}

        def reader():
            for line in self.proc.stdout:
                line = line.strip()
                if line.startswith("{"):
                    msg = json.loads(line)
                    if msg.get("event") == event:
                        result.update(msg)
                        return
        t = threading.Thread(target=reader, daemon=True)
        t.start()
        t.join(timeout)
        if not result:
            raise RuntimeError(f"{self.name}: no '{event}' within {timeout}s (see {OUT}/{self.name}.err)")
        return result

    def command(self, cmd, reply):
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()
        return self.read(reply)

    def wait(self, event, timeout=300):
        msg = self.read(event, timeout)
        self.proc.wait(timeout)
        return msg

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.command("quit", "bye")
                self.proc.wait(20)
            except Exception:
                self.proc.kill()


def sources(n):
    return ",".join(f"127.0.0.{i}" for i in range(2, 2 + n))


def open_clients(servers, total, name, topic=None, conns_per_user="1", user_offset=0, concurrency=256):
    """Starts ceil(total/PER_PROCESS) load processes, each holding its share of `total`."""
    procs, start = [], 0
    count = -(-total // PER_PROCESS)
    for i in range(count):
        n = total // count + (1 if i < total % count else 0)
        args = ["--servers", ",".join(s.url[len("http://"):] for s in servers), "--sources", sources(8),
                "--connections", n, "--secret", SECRET, "--conns-per-user", conns_per_user,
                "--user-offset", user_offset + users_for(start, conns_per_user), "--concurrency", concurrency]
        if topic:
            args += ["--topic", topic]
        procs.append(Tool("LoadClient", args, f"{name}-{i}"))
        start += n
    ready = [p.read("ready") for p in procs]
    connected = sum(r["connected"] for r in ready)
    failed = sum(r["failed"] for r in ready)
    return procs, connected, failed, max(r["elapsed_ms"] for r in ready)


def conns_of_user(user, conns_per_user):
    """Connections user `user` holds (LoadClient.userIndex in reverse)."""
    return 1 + user % 3 if conns_per_user == "mixed" else int(conns_per_user)


def batch_size(events_per_s, bulk):
    """Events per request. "dapr": what Dapr bulk subscribe (BulkTaskUpdatesRoute: at most 100
    messages, 10 ms window) would collect at this rate; a number: fixed; 0: one event per request."""
    if bulk == "dapr":
        return max(1, min(100, round(events_per_s * 0.010)))
    return int(bulk)


def users_for(connections, conns_per_user):
    """Users owning the first `connections` connections (so processes never share a user)."""
    if conns_per_user == "mixed":
        return (connections // 6) * 3
    return connections // int(conns_per_user)


def stats(procs):
    """Interval latency over all load processes (worst-case merge of percentiles: max)."""
    parts = [p.command("stats", "stats") for p in procs]
    merged = {"received": sum(s["received"] for s in parts), "open": sum(s["open"] for s in parts),
              "closed_by_server": sum(s["closed_by_server"] for s in parts)}
    for k in ("p50_us", "p90_us", "p99_us", "p999_us", "max_us"):
        merged[k] = max(s[k] for s in parts)
    return merged


def publish(servers, *args, name="publisher"):
    p = Tool("Publisher", ["--targets", ",".join(s.url for s in servers), *args], name)
    return p.wait("published", timeout=600)


def start_servers(n, extra=()):
    servers = [Server(i, extra) for i in range(n)]
    for s in servers:
        s.wait_ready()
    return servers


def stop_all(*groups):
    for g in groups:
        for x in g:
            x.stop()


# ---------------------------------------------------------------- scenarios

def idle(profile):
    """(a) Idle connections: RSS and memory per connection. The baseline is taken with 1,000 warm
    connections per process already open (classes loaded, JIT done, Netty pools allocated), so
    the slope is what each further connection costs; RSS is read after a forced GC."""
    steps = profile["idle_steps"]
    servers = start_servers(-(-steps[-1] // PER_PROCESS))
    warm = 1000 * len(servers)
    clients, _, failed_warm, _ = open_clients(servers, warm, "idle-warm")
    time.sleep(2)
    base_heap = sum(s.live_heap() for s in servers)
    time.sleep(1)
    base = sum(s.rss() for s in servers)
    points, total = [], warm
    for target in steps:
        procs, connected, failed, ms = open_clients(servers, target - total, f"idle-{target}", user_offset=total)
        clients += procs
        total = target
        time.sleep(3)
        rss_live = sum(s.rss() for s in servers)
        heap = sum(s.live_heap() for s in servers)
        time.sleep(1)
        rss = sum(s.rss() for s in servers)
        open_now = stats(clients)["open"]
        added = max(1, open_now - warm)
        point = {"connections": open_now, "failed": failed + failed_warm, "servers": len(servers), "connect_ms": ms,
                 "rss_mib": round(rss / 1024, 1), "rss_before_gc_mib": round(rss_live / 1024, 1),
                 "baseline_rss_mib": round(base / 1024, 1), "baseline_connections": warm,
                 "live_heap_mib": round(heap / 2**20, 1),
                 "heap_kib_per_connection": round((heap - base_heap) / 1024 / added, 2),
                 "kib_per_connection": round((rss - base) / added, 2),
                 "kib_per_connection_before_gc": round((rss_live - base) / added, 2)}
        log("idle", point)
        points.append(point)
    stop_all(clients, servers)
    return {"points": points}


def personal(profile):
    """(b) Personal fan-out: users with 1-3 connections (mixed) over N connections, rising rates."""
    n = profile["personal_connections"]
    servers = start_servers(1)
    procs, connected, failed, _ = open_clients(servers, n, "personal", conns_per_user="mixed")
    users = users_for(n, "mixed")
    deliveries_per_event = n / users
    # Warm-up (JIT, pools): a few seconds at the lowest rate, not recorded.
    publish(servers, "--mode", "rate", "--rate", 1000, "--seconds", 4, "--users", users, "--bulk", 10)
    steps = []
    for rate in profile["personal_rates"]:
        events = rate / deliveries_per_event
        bulk = batch_size(events, profile["personal_bulk"])
        stats(procs)  # reset interval
        pub = publish(servers, "--mode", "rate", "--rate", round(events), "--seconds", profile["personal_seconds"],
                      "--users", users, "--bulk", bulk, "--concurrency", 16)
        time.sleep(1)
        st = stats(procs)
        expected = sum(conns_of_user(k % users, "mixed") for k in range(pub["acked"]))
        step = {"target_deliveries_per_s": rate, "events_per_s": round(events), "events_per_request": bulk, **st,
                "expected_deliveries": expected, "delivered_per_s": round(st["received"] / pub["seconds"]),
                "acked": pub["acked"], "publish_errors": pub["errors"], "behind_ticks": pub.get("behind_ticks", 0)}
        log("personal", step)
        steps.append(step)
    stop_all(procs, servers)
    return {"connections": connected, "failed": failed, "users": users, "bulk": profile["personal_bulk"],
            "steps": steps}


def broadcast(profile):
    """(c) One topic event to every subscriber; time until the last one has it."""
    runs = []
    for n in profile["broadcast_sizes"]:
        servers = start_servers(-(-n // PER_PROCESS))
        procs, connected, failed, _ = open_clients(servers, n, f"broadcast-{n}", topic="bench:all")
        results = []
        for i in range(profile["broadcast_repeats"]):
            stats(procs)
            before = [sum(cpu_seconds(x.proc.pid) for x in g) for g in (servers, procs)]
            pub = publish(servers, "--mode", "broadcast", "--topic", "bench:all")
            time.sleep(2 + n / 50_000)
            after = [sum(cpu_seconds(x.proc.pid) for x in g) for g in (servers, procs)]
            st = stats(procs)
            # CPU over the window (idle heartbeats included): what one broadcast costs each side.
            results.append({"received": st["received"], "last_ms": round(st["max_us"] / 1000, 1),
                            "p50_ms": round(st["p50_us"] / 1000, 1), "p99_ms": round(st["p99_us"] / 1000, 1),
                            "acked": pub["acked"], "server_cpu_s": round(after[0] - before[0], 2),
                            "client_cpu_s": round(after[1] - before[1], 2)})
            log("broadcast", n, results[-1])
        runs.append({"subscribers": connected, "failed": failed, "servers": len(servers), "runs": results})
        stop_all(procs, servers)
    return {"runs": runs}


def ingest(profile):
    """(d) Events/s acknowledged SUCCESS on the route, one event per request vs bulk."""
    servers = start_servers(1)
    out = []
    for bulk in profile["ingest_bulk"]:
        # warm-up, then the measured run
        publish(servers, "--mode", "max", "--seconds", 3, "--bulk", bulk, "--users", 10000, "--concurrency", 32)
        pub = publish(servers, "--mode", "max", "--seconds", profile["ingest_seconds"], "--bulk", bulk,
                      "--users", 10000, "--concurrency", 32)
        row = {"bulk": bulk, **{k: pub[k] for k in ("acked", "rejected", "errors", "seconds", "acked_per_s")}}
        log("ingest", row)
        out.append(row)
    stop_all(servers)
    return {"runs": out}


def admin_token():
    """An HS256 admin JWT (roles: admin) for /actuator/prometheus, minted like the app's backend would."""
    import base64, hashlib, hmac
    enc = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
    head = enc(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = enc(json.dumps({"sub": "bench-admin", "roles": ["admin"], "iat": int(time.time()),
                           "exp": int(time.time()) + 3600}).encode())
    sig = hmac.new(SECRET.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{enc(sig)}"


def successes(server):
    req = urllib.request.Request(server.url + "/actuator/prometheus",
                                 headers={"Authorization": "Bearer " + admin_token()})
    with urllib.request.urlopen(req, timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("tasksync_dapr_replies_total") and 'status="SUCCESS"' in line:
                return int(float(line.rsplit(" ", 1)[1]))
    return 0


class Background:
    """A helper process (Kafka, daprd) with its log in target/bench."""

    def __init__(self, name, args, env=None):
        self.log_path = OUT / f"{name}.log"
        self.proc = spawn(args, env=env, stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT, cwd=ROOT)

    def wait_log(self, text, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            content = self.log_path.read_text(errors="replace")
            if text in content:
                return content
            if self.proc.poll() is not None:
                raise RuntimeError(f"exited: see {self.log_path}")
            time.sleep(0.2)
        raise RuntimeError(f"'{text}' not seen in {self.log_path}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def daprd(app_id, pod, bootstrap, app_port=None):
    binary = subprocess.run(["src/test/dapr/build-daprd.sh"], cwd=ROOT, check=True, capture_output=True,
                            text=True).stdout.strip().splitlines()[-1]
    http = free_port()
    args = [binary, "--mode", "standalone", "--app-id", app_id, "--dapr-http-port", str(http),
            "--dapr-grpc-port", str(free_port()), "--dapr-internal-grpc-port", str(free_port()),
            "--dapr-listen-addresses", "127.0.0.1", "--dapr-internal-grpc-listen-address", "127.0.0.1",
            "--metrics-port", str(free_port()), "--metrics-listen-address", "127.0.0.1",
            "--resources-path", "components", "--config", "src/test/dapr/config.yaml", "--log-level", "warn"]
    if app_port:
        args += ["--app-port", str(app_port), "--app-protocol", "http", "--app-channel-address", "127.0.0.1"]
    d = Background(f"daprd-{pod}", args, env=dict(os.environ, KAFKA_BROKERS=bootstrap, POD_NAME=pod))
    d.url = f"http://127.0.0.1:{http}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(d.url + "/v1.0/healthz", timeout=2)
            return d
        except OSError:
            if time.time() > deadline or d.proc.poll() is not None:
                raise RuntimeError(f"daprd {pod} not healthy: see {d.log_path}")
            time.sleep(0.3)


def ingest_dapr(profile):
    """(d) Through real daprd + Kafka: fill Kafka with N events, then time fresh sidecars (new consumer
    groups, starting at the oldest offset) draining them into tasksync, per event and in bulk."""
    n = profile["dapr_events"]
    cp = f"{ROOT}/target/test-classes:{ROOT}/target/classes:" + (OUT / "classpath.txt").read_text().strip()
    kafka = Background("kafka", [java(), "-Xmx1g", "-cp", cp, "dev.tasksync.e2e.support.KafkaBrokerMain", "0"])
    bootstrap = kafka.wait_log("KAFKA_READY").split("KAFKA_READY ", 1)[1].split()[0]
    backend = daprd("task-backend", "bench-backend", bootstrap)
    fill = Tool("Publisher", ["--mode", "dapr-fill", "--targets", backend.url, "--count", n, "--bulk", 500,
                              "--users", 10000], "dapr-fill").wait("published", timeout=600)
    log("kafka filled", fill)
    runs = []
    for bulk in (False, True):
        server = Server(f"dapr-{bulk}", ["--tasksync.dapr.bulk-subscribe=true"] if bulk else [])
        server.wait_ready()
        side = daprd("tasksync", f"bench-{'bulk' if bulk else 'single'}", bootstrap, server.port)
        first = None
        deadline = time.time() + profile["dapr_timeout_s"]
        while time.time() < deadline:
            count = successes(server)
            if count and first is None:
                first = (time.time(), count)
            if count >= n:
                break
            time.sleep(0.2)
        end = time.time()
        count = successes(server)
        rate = (count - first[1]) / max(1e-6, end - first[0]) if first else 0
        row = {"bulk_subscribe": bulk, "events": n, "acked": count, "seconds": round(end - first[0], 1) if first else None,
               "acked_per_s": round(rate)}
        log("ingest via daprd+kafka", row)
        runs.append(row)
        side.stop()
        server.stop()
    stop_all([backend, kafka])
    return {"fill": fill, "runs": runs}


def churn(profile):
    """(e) Connect churn: full handshakes (JWT verified, greeting received) per second."""
    servers = start_servers(1)
    args = ["--mode", "churn", "--servers", servers[0].url[len("http://"):], "--sources", sources(8),
            "--secret", SECRET, "--seconds", 3, "--concurrency", 64]
    Tool("LoadClient", args, "churn-warmup").wait("churn")
    args[args.index("--seconds") + 1] = profile["churn_seconds"]
    result = Tool("LoadClient", args, "churn").wait("churn")
    log("churn", result)
    stop_all(servers)
    return result


PROFILES = {
    "short": {"idle_steps": [10_000], "personal_connections": 10_000, "personal_rates": [5_000, 20_000],
              "personal_seconds": 4, "personal_bulk": "dapr", "broadcast_sizes": [10_000], "broadcast_repeats": 2,
              "ingest_bulk": [0, 100], "ingest_seconds": 4, "churn_seconds": 4,
              "dapr_events": 10_000, "dapr_timeout_s": 60},
    "full": {"idle_steps": [10_000, 25_000, 50_000, 75_000, 100_000], "personal_connections": 10_000,
             "personal_rates": [2_000, 5_000, 10_000, 20_000, 30_000, 40_000], "personal_seconds": 15,
             "personal_bulk": "dapr", "broadcast_sizes": [10_000, 100_000], "broadcast_repeats": 5,
             "ingest_bulk": [0, 10, 100], "ingest_seconds": 15, "churn_seconds": 15,
             "dapr_events": 100_000, "dapr_timeout_s": 300},
}
SCENARIOS = {"idle": idle, "personal": personal, "broadcast": broadcast, "ingest": ingest,
             "ingest_dapr": ingest_dapr, "churn": churn}


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), "?")
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    jv = subprocess.run([java(), "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    return {"cpus": os.cpu_count(), "cpu": cpu, "mem_gib": round(int(mem) / 1024 / 1024, 1), "java": jv,
            "server_java": os.environ.get("BENCH_SERVER_JAVA", java()),
            "server_jvm": " ".join(SERVER_JVM), "client_jvm": " ".join(CLIENT_JVM)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", choices=PROFILES, default="short")
    ap.add_argument("--only", help="comma-separated scenarios: " + ",".join(SCENARIOS))
    ap.add_argument("--set", action="append", default=[], help="override a profile value: key=json")
    ap.add_argument("--tag", help="results file name suffix (default: the profile)")
    a = ap.parse_args()
    import atexit
    atexit.register(kill_children)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if JAR is None:
        sys.exit("build first: mvn -DskipTests package")
    OUT.mkdir(parents=True, exist_ok=True)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # children inherit the raised limit
    profile = dict(PROFILES[a.profile])
    for kv in a.set:
        k, v = kv.split("=", 1)
        profile[k] = json.loads(v)
    names = a.only.split(",") if a.only else list(SCENARIOS)
    results = {"profile": a.tag or a.profile, "settings": profile, "machine": machine(),
               "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "nofile": hard}
    t0 = time.time()
    for name in names:
        log("scenario", name)
        t = time.time()
        results[name] = SCENARIOS[name](profile)
        results[name]["duration_s"] = round(time.time() - t, 1)
    results["duration_s"] = round(time.time() - t0, 1)
    path = OUT / f"results-{a.tag or a.profile}.json"
    path.write_text(json.dumps(results, indent=2))
    log("results:", path)
    subprocess.run([sys.executable, str(Path(__file__).with_name("report.py")), str(path)], check=False)
    failures = check(results)
    for f in failures:
        log("CHECK FAILED:", f)
    sys.exit(1 if failures else 0)


def check(results):
    """Sanity checks that make the run fail loudly: every connection opened, every event arrived."""
    failures = []
    for p in results.get("idle", {}).get("points", []):
        if p["failed"]:
            failures.append(f"idle: {p['failed']} connections failed")
    per = results.get("personal")
    if per:
        for s in per["steps"]:
            if s["received"] < s["expected_deliveries"] or s["publish_errors"]:
                failures.append(f"personal @{s['target_deliveries_per_s']}/s: received {s['received']} of "
                                f"{s['expected_deliveries']}, {s['publish_errors']} publish errors")
    for run in results.get("broadcast", {}).get("runs", []):
        for r in run["runs"]:
            if r["received"] != run["subscribers"]:
                failures.append(f"broadcast {run['subscribers']}: {r['received']} received")
    for r in results.get("ingest", {}).get("runs", []):
        if r["errors"] or r["rejected"]:
            failures.append(f"ingest bulk={r['bulk']}: {r['errors']} errors, {r['rejected']} rejected")
    for r in results.get("ingest_dapr", {}).get("runs", []):
        if r["acked"] < r["events"]:
            failures.append(f"ingest via daprd: {r['acked']} of {r['events']} acknowledged")
    ch = results.get("churn")
    if ch and ch.get("failed"):
        failures.append(f"churn: {ch['failed']} handshakes failed")
    return failures


if __name__ == "__main__":
    main()
