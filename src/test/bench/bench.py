#!/usr/bin/env python3
"""tasksync benchmark harness: starts tasksync processes and load-tool processes on loopback,
runs the scenarios of issue #7 and issue #17 and writes results (JSON + PNG plots + Markdown
tables) to target/bench/.

    python3 src/test/bench/bench.py --profile short     # `make bench`: every scenario, small
    python3 src/test/bench/bench.py --profile full      # `make bench-full`, the BENCHMARKS.md run
    python3 src/test/bench/bench.py --profile fastpath  # `make bench-fastpath`: issue #17's targets

Every row reports the servers' CPU cost beside latency and memory: CPU seconds of the server
processes only (/proc/<pid>/stat, user + system) over the row's measured window, divided by the
work done in it: server_cpu_us_per_event (events acknowledged), server_cpu_us_per_delivery
(frames the load clients received), server_cpu_us_per_handshake (handshakes completed).

Server JVMs: the issue #7 scenarios run SERVER_JVM (below). The fastpath scenarios run the flags
the container image ships (pom.xml property image.java-tool-options, read at run time), unless
`--set server_jvm=...` or BENCH_SERVER_JVM says otherwise: "image" (the default), "bench"
(SERVER_JVM's flags) or the flags themselves. BENCH_SERVER_JAVA picks the servers' java binary,
BENCH_SERVER_JVM_EXTRA adds flags to every server. Results record the java version and flags.

One process may hold at most ~19.9k sockets here (hard limit 20,000 open files), so large runs
spread connections over several tasksync processes (each one a replica, as behind a load
balancer; every replica receives every event, as with one Dapr consumer group per replica)
and several load-client processes bound to different 127.0.0.x source addresses.
"""
import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
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
SERVER_JVM_EXTRA = os.environ.get("BENCH_SERVER_JVM_EXTRA", "").split()
SERVER_JVM = ["-Xms128m", "-Xmx2g", "-XX:+UseG1GC", "-XX:+UseStringDeduplication", "-XX:MinHeapFreeRatio=10",
              "-XX:MaxHeapFreeRatio=20", "-XX:+ExitOnOutOfMemoryError", *SERVER_JVM_EXTRA]
CLIENT_JVM = ["-Xms256m", "-Xmx1500m", "-XX:+UseParallelGC"]
PER_PROCESS = 17_000  # sockets per process, below the 20,000 open-file limit with room for jars
# A load tool using this many cores (its own CPU seconds / wall seconds) was the limit of its run.
TOOL_LIMIT_CORES = 0.9


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


def server_java():
    return os.environ.get("BENCH_SERVER_JAVA", java())


def jdk_tool(name):
    """A JDK tool (jmap) of the servers' own JDK, so it can attach to them whatever their version."""
    binary = shutil.which(server_java()) or server_java()
    tool = Path(os.path.realpath(binary)).parent / name
    return str(tool) if tool.exists() else name


def java_version(binary):
    out = subprocess.run([binary, "-version"], capture_output=True, text=True).stderr
    return "; ".join(l.strip() for l in out.splitlines() if l.strip())


def image_jvm():
    """The JVM options the container image ships: pom.xml's image.java-tool-options (the Jib
    image's JAVA_TOOL_OPTIONS; the Dockerfile and the k8s manifests repeat it), read at run time
    so that the benchmark follows a change there."""
    m = re.search(r"<image\.java-tool-options>\s*(.*?)\s*</image\.java-tool-options>",
                  (ROOT / "pom.xml").read_text(), re.S)
    if not m:
        raise SystemExit("pom.xml has no image.java-tool-options property")
    return m.group(1).split()


def fastpath_jvm(profile):
    """The fastpath scenarios' server flags: --set server_jvm=..., else BENCH_SERVER_JVM, else
    "image". "image": image_jvm(); "bench": SERVER_JVM's flags; anything else: the flags."""
    spec = str(profile.get("server_jvm") or os.environ.get("BENCH_SERVER_JVM") or "image").strip()
    if spec == "image":
        return image_jvm() + SERVER_JVM_EXTRA
    if spec == "bench":
        return list(SERVER_JVM)
    return spec.split() + SERVER_JVM_EXTRA


def heap_sizes(binary, flags):
    """Initial and max heap the JVM picks with these flags on this machine (MaxRAMPercentage is
    relative to the machine's memory here, to a container's limit in Kubernetes)."""
    out = subprocess.run([binary, *[f for f in flags if not f.startswith("-Xlog")], "-XX:+PrintFlagsFinal", "-version"],
                         capture_output=True, text=True).stdout
    sizes = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[1] in ("InitialHeapSize", "MaxHeapSize"):
            sizes[parts[1] + "_mib"] = round(int(parts[3]) / 2**20)
    return sizes


def loadavg():
    """The machine's load average (1, 5, 15 min) when a run starts: others may share the cores."""
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def us_per(cpu_s, count):
    """Microseconds of CPU per unit of work, or None when no work was done."""
    return round(cpu_s * 1e6 / count, 1) if count else None


def idle_rate(servers, seconds):
    """The servers' CPU per second while nothing is sent to them (heartbeats, timers, GC)."""
    win = CpuWindow(servers)
    time.sleep(seconds)
    return win.stop().cpu["server"] / win.wall


def net_us_per(win, rate, count):
    """CPU µs per unit over `win` net of an idle `rate`; None when the idle estimate exceeds the
    window's whole CPU (the idle window was not idle: the figure would be noise)."""
    cost = win.cpu["server"] - rate * win.wall
    return us_per(cost, count) if cost > 0 else None


def machine_busy_seconds():
    """CPU seconds every process on the machine has used (/proc/stat: all but idle and iowait)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


class CpuWindow:
    """CPU seconds (user + system, /proc/<pid>/stat) that groups of processes use over a window:
    "server" is the tasksync processes; other groups (load clients, daprd) are named by keyword;
    "machine" is every process on the machine, the benchmark's or not (/proc/stat)."""

    def __init__(self, servers, **others):
        self.groups = {"server": list(servers), **{k: list(v) for k, v in others.items()}}
        self.t0 = time.time()
        self.c0 = {k: self._cpu(v) for k, v in self.groups.items()}
        self.m0 = machine_busy_seconds()
        self.wall = self.cpu = None

    @staticmethod
    def _cpu(group):
        return sum(cpu_seconds(x.proc.pid) for x in group)

    def stop(self):
        self.wall = time.time() - self.t0
        self.cpu = {k: self._cpu(v) - self.c0[k] for k, v in self.groups.items()}
        self.cpu["machine"] = machine_busy_seconds() - self.m0
        return self

    def cores(self, group):
        return round(self.cpu[group] / max(self.wall, 1e-6), 2)


GC_PAUSE = re.compile(r"GC\((\d+)\).*\bPause\b.*\s(\d+(?:\.\d+)?)ms\s*$")
# Collections the harness itself asks for (jmap -histo:live) are not what users see.
GC_INDUCED = ("Heap Inspection", "Diagnostic Command", "System.gc", "Heap Dump")


def gc_pauses(path, offset=0):
    """Stop-the-world pauses in a -Xlog:gc,gc+phases log from byte `offset` on: the longest, their
    count and total, and apart from them the longest of the collections jmap asked for. G1's and
    Shenandoah's pauses are [gc] lines ("Pause Young ... 3.4ms"), ZGC's [gc,phases] lines."""
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            lines = f.read().decode(errors="replace").splitlines()
    except OSError:
        return {}
    induced = {m.group(1) for l in lines if any(t in l for t in GC_INDUCED) for m in [re.search(r"GC\((\d+)\)", l)] if m}
    own, forced = [], []
    for line in lines:
        m = GC_PAUSE.search(line)
        if m:
            (forced if m.group(1) in induced else own).append(float(m.group(2)))
    return {"gc_max_pause_ms": round(max(own), 1) if own else 0.0, "gc_pauses": len(own),
            "gc_pause_total_ms": round(sum(own), 1),
            "gc_induced_max_pause_ms": round(max(forced), 1) if forced else None}


class Server:
    """One tasksync process (a replica). `jvm`: its JVM flags (default SERVER_JVM); `gc_log`: also
    log its GC pauses to target/bench/gc-<index>.log (see gc_pauses)."""

    def __init__(self, index, extra_args=(), jvm=None, gc_log=False):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, BETTER_AUTH_SECRET=SECRET)
        env.pop("APP_API_TOKEN", None)
        self.log_path = OUT / f"server-{index}.log"
        self.java = server_java()
        self.jvm = list(SERVER_JVM if jvm is None else jvm)
        self.gc_log = OUT / f"gc-{index}.log" if gc_log else None
        gc_flags = [f"-Xlog:gc,gc+phases:file={self.gc_log}:uptime,level,tags:filecount=0"] if gc_log else []
        if self.gc_log and self.gc_log.exists():
            self.gc_log.unlink()
        args = [self.java, *self.jvm, *gc_flags, "-jar", str(JAR), f"--server.port={self.port}",
                # Load from a few source addresses must not be mistaken for abuse:
                "--tasksync.ws.max-connections-per-user=20", *extra_args]
        self.used = False
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
        out = subprocess.run([jdk_tool("jmap"), "-histo:live", str(self.proc.pid)], capture_output=True, text=True,
                             timeout=120).stdout
        total = [l for l in out.splitlines() if l.startswith("Total")]
        return int(total[0].split()[2]) if total else 0

    def rss(self):
        return rss_kib(self.proc.pid)

    def gc_mark(self):
        """Where the GC log ends now: gc(since=mark) covers only what follows."""
        try:
            return self.gc_log.stat().st_size if self.gc_log else 0
        except OSError:
            return 0

    def gc(self, since=0):
        return gc_pauses(self.gc_log, since) if self.gc_log else {}

    def info(self):
        """The exact java and flags this server runs, for the results."""
        return {"java": self.java, "java_version": java_version(self.java), "flags": " ".join(self.jvm),
                "gc_log": str(self.gc_log) if self.gc_log else None, **heap_sizes(self.java, self.jvm)}

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

    def send(self, cmd):
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()

    def command(self, cmd, reply):
        self.send(cmd)
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


class Opened(tuple):
    """What open_clients returns: (procs, connected, failed, elapsed_ms, cpu), cpu being the
    servers' CPU over the opening (see open_clients)."""

    def __new__(cls, procs, connected, failed, ms, cpu):
        return super().__new__(cls, (procs, connected, failed, ms, cpu))

    procs = property(lambda self: self[0])
    connected = property(lambda self: self[1])
    failed = property(lambda self: self[2])
    ms = property(lambda self: self[3])
    cpu = property(lambda self: self[4])


def open_clients(servers, total, name, topic=None, conns_per_user="1", user_offset=0, concurrency=256, extra=()):
    """Starts ceil(total/PER_PROCESS) load processes, each holding its share of `total`. They wait
    at a gate until all have started, so the servers' CPU over the opening covers the handshakes
    only (from go until every process has all its greetings), not the load tools' JVM start."""
    procs, start = [], 0
    count = -(-total // PER_PROCESS)
    for i in range(count):
        n = total // count + (1 if i < total % count else 0)
        args = ["--servers", ",".join(s.url[len("http://"):] for s in servers), "--sources", sources(8),
                "--connections", n, "--secret", SECRET, "--conns-per-user", conns_per_user,
                "--user-offset", user_offset + users_for(start, conns_per_user), "--concurrency", concurrency,
                "--gate", "true", *extra]
        if topic:
            args += ["--topic", topic]
        procs.append(Tool("LoadClient", args, f"{name}-{i}"))
        start += n
    gated = [p.read("gated", timeout=120) for p in procs]
    win = CpuWindow(servers)
    for p in procs:
        p.send("go")
    ready = [p.read("ready") for p in procs]
    win.stop()
    connected = sum(r["connected"] for r in ready)
    failed = sum(r["failed"] for r in ready)
    cpu = {"server_cpu_s": round(win.cpu["server"], 2), "server_cores": win.cores("server"),
           "server_cpu_us_per_handshake": us_per(win.cpu["server"], connected), "machine_cores": win.cores("machine"),
           "client_cores": round(sum(r["cpu_s"] - g["cpu_s"] for r, g in zip(ready, gated)) / max(win.wall, 1e-6), 2)}
    return Opened(procs, connected, failed, max(r["elapsed_ms"] for r in ready), cpu)


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


def stats(procs, command="stats"):
    """Interval latency over all load processes (worst-case merge of percentiles: max); `total`:
    over every interval since the last total instead."""
    parts = [p.command(command, command) for p in procs]
    merged = {"received": sum(s["received"] for s in parts), "duplicates": sum(s.get("duplicates", 0) for s in parts),
              "open": sum(s["open"] for s in parts),
              "closed_by_server": sum(s["closed_by_server"] for s in parts)}
    for k in ("p50_us", "p90_us", "p99_us", "p999_us", "max_us"):
        merged[k] = max(s[k] for s in parts)
    return merged


def stamps(procs):
    """Per publisher stamp (one per broadcast) since the last call: {stamp: [frames, slowest µs]}."""
    merged = {}
    for p in procs:
        text = p.command("stamps", "stamps")["stamps"]
        for item in filter(None, text.split(",")):
            stamp, count, slowest = map(int, item.split(":"))
            m = merged.setdefault(stamp, [0, 0])
            m[0] += count
            m[1] = max(m[1], slowest)
    return merged


def publish(servers, *args, name="publisher"):
    p = Tool("Publisher", ["--targets", ",".join(s.url for s in servers), *args], name)
    return p.wait("published", timeout=600)


def publish_measured(servers, *args, name="publisher", settle=0.0, clients=()):
    """Runs a Publisher and measures CPU from its `started` line (its JVM start and warm-up done)
    until `published` plus `settle` seconds for the last deliveries to land. Returns the
    `published` line, with publisher_cores (the publisher's own CPU over its measured phase, in
    cores), and the CpuWindow (groups "server" and "clients")."""
    p = Tool("Publisher", ["--targets", ",".join(s.url for s in servers), *args], name)
    started = p.read("started", timeout=120)
    win = CpuWindow(servers, clients=clients)
    pub = p.wait("published", timeout=600)
    if settle:
        time.sleep(settle)
    win.stop()
    pub["publisher_cores"] = round((pub["cpu_s"] - started["cpu_s"]) / max(pub["seconds"], 1e-3), 2)
    return pub, win


def load_row(pub, win, st=None):
    """A publisher-driven run's throughput and CPU figures (st: the load clients' stats, if any)."""
    row = {"acked": pub["acked"], "rejected": pub["rejected"], "errors": pub["errors"], "seconds": pub["seconds"],
           "acked_per_s": pub["acked_per_s"], "server_cpu_s": round(win.cpu["server"], 2),
           "server_cores": win.cores("server"), "server_cpu_us_per_event": us_per(win.cpu["server"], pub["acked"]),
           "publisher_cores": pub["publisher_cores"], "machine_cores": win.cores("machine")}
    if st is not None:
        row.update({"received": st["received"], "duplicates": st["duplicates"], "server_cpu_us_per_delivery": us_per(win.cpu["server"], st["received"]),
                    "client_cores": win.cores("clients"), "closed_by_server": st["closed_by_server"]})
    row["limit"] = limit(row)
    return row


def limit(row, tool="publisher"):
    """What limited a run: the load tool when it used about a core or more; else the machine when
    every core was busy (machine_cores: all processes; those outside the benchmark named when they
    took a noticeable share); else requests in flight and latency."""
    ours = row.get("server_cores", 0) + row.get("publisher_cores", 0) + row.get("client_cores", 0)
    others = row.get("machine_cores", ours) - ours
    if row.get(f"{tool}_cores", 0) >= TOOL_LIMIT_CORES:
        return f"load tool ({tool})"
    if row.get("machine_cores", ours) >= 0.9 * os.cpu_count():
        return ("CPU (every core busy" + (f"; {others:.1f} cores used outside the benchmark)" if others >= 0.25
                                          else "; server and load tools share them)"))
    return "requests in flight (server not saturated)"


def start_servers(n, extra=()):
    servers = [Server(i, extra) for i in range(n)]
    for s in servers:
        s.wait_ready()
    return servers


def stop_all(*groups):
    for g in groups:
        for x in g:
            x.stop()


def median_of(runs):
    """The median of every numeric value the runs share (nested dicts and lists left out)."""
    out = {}
    for k, v in runs[0].items() if runs else ():
        vals = [r.get(k) for r in runs]
        if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in vals):
            out[k] = round(statistics.median(vals), 2)
    return out


# ---------------------------------------------------------------- scenarios of issue #7

def idle_steps(servers, steps, name, warm_per_server=1000):
    """Opens a warm baseline (warm_per_server per process), then the `steps`; one memory point per
    step. Returns (points, load processes)."""
    warm = warm_per_server * len(servers)
    base_open = open_clients(servers, warm, f"{name}-warm")
    clients, failed_warm = list(base_open.procs), base_open.failed
    time.sleep(2)
    base_heap = sum(s.live_heap() for s in servers)
    time.sleep(1)
    base = sum(s.rss() for s in servers)
    points, total = [], warm
    for target in steps:
        step = open_clients(servers, target - total, f"{name}-{target}", user_offset=total)
        clients += step.procs
        total = target
        time.sleep(3)
        rss_live = sum(s.rss() for s in servers)
        heap = sum(s.live_heap() for s in servers)
        time.sleep(1)
        rss = sum(s.rss() for s in servers)
        open_now = stats(clients)["open"]
        added = max(1, open_now - warm)
        point = {"connections": open_now, "failed": step.failed + failed_warm, "servers": len(servers),
                 "connect_ms": step.ms, "rss_mib": round(rss / 1024, 1), "rss_before_gc_mib": round(rss_live / 1024, 1),
                 "baseline_rss_mib": round(base / 1024, 1), "baseline_connections": warm,
                 "live_heap_mib": round(heap / 2**20, 1),
                 "heap_kib_per_connection": round((heap - base_heap) / 1024 / added, 2),
                 "kib_per_connection": round((rss - base) / added, 2),
                 "kib_per_connection_before_gc": round((rss_live - base) / added, 2),
                 "server_cpu_us_per_handshake": step.cpu["server_cpu_us_per_handshake"],
                 "baseline_server_cpu_us_per_handshake": base_open.cpu["server_cpu_us_per_handshake"]}
        log(name, point)
        points.append(point)
    return points, clients


def idle(profile):
    """(a) Idle connections: RSS and memory per connection. The baseline is taken with 1,000 warm
    connections per process already open (classes loaded, JIT done, Netty pools allocated), so
    the slope is what each further connection costs; RSS is read after a forced GC. CPU per
    handshake: the servers' CPU while each step's connections opened, per connection opened."""
    steps = profile["idle_steps"]
    servers = start_servers(-(-steps[-1] // PER_PROCESS))
    load = loadavg()
    points, clients = idle_steps(servers, steps, "idle")
    stop_all(clients, servers)
    return {"loadavg": load, "points": points}


def personal(profile):
    """(b) Personal fan-out: users with 1-3 connections (mixed) over N connections, rising rates.
    CPU: the server's over the publisher's measured phase plus the 1 s the last deliveries get."""
    n = profile["personal_connections"]
    servers = start_servers(1)
    procs, connected, failed, _, _ = open_clients(servers, n, "personal", conns_per_user="mixed")
    users = users_for(n, "mixed")
    deliveries_per_event = n / users
    # Warm-up (JIT, pools): a few seconds at the lowest rate, not recorded.
    publish(servers, "--mode", "rate", "--rate", 1000, "--seconds", profile.get("personal_warmup_s", 4), "--users", users,
            "--bulk", 10)
    steps = []
    for rate in profile["personal_rates"]:
        events = rate / deliveries_per_event
        bulk = batch_size(events, profile["personal_bulk"])
        stats(procs)  # reset interval
        load = loadavg()
        pub, win = publish_measured(servers, "--mode", "rate", "--rate", round(events), "--seconds",
                                    profile["personal_seconds"], "--users", users, "--bulk", bulk, "--concurrency", 16,
                                    settle=1, clients=procs)
        st = stats(procs)
        expected = sum(conns_of_user(k % users, "mixed") for k in range(pub["acked"]))
        step = {"target_deliveries_per_s": rate, "events_per_s": round(events), "events_per_request": bulk, **st,
                "expected_deliveries": expected, "delivered_per_s": round(st["received"] / pub["seconds"]),
                "acked": pub["acked"], "publish_errors": pub["errors"], "behind_ticks": pub.get("behind_ticks", 0),
                "server_cpu_us_per_event": us_per(win.cpu["server"], pub["acked"]),
                "server_cpu_us_per_delivery": us_per(win.cpu["server"], st["received"]),
                "server_cores": win.cores("server"), "publisher_cores": pub["publisher_cores"],
                "client_cores": win.cores("clients"), "machine_cores": win.cores("machine"), "loadavg": load}
        log("personal", step)
        steps.append(step)
    stop_all(procs, servers)
    return {"connections": connected, "requested": n, "failed": failed, "users": users, "bulk": profile["personal_bulk"],
            "steps": steps}


def broadcast(profile):
    """(c) One topic event to every subscriber; time until the last one has it. CPU: over a window
    from the publisher's `started` line to `settle` seconds after its answer; server_cpu_us_per_delivery
    subtracts the servers' idle CPU rate (heartbeats, timers), measured over an equal window just
    before each broadcast, and divides by the frames received; with the idle CPU included too, an
    upper bound. One broadcast on a barely warmed server is noisy (JIT work lands in either
    window; the net figure is None when the idle one had more CPU): broadcast15k is the measurement."""
    runs = []
    for n in profile["broadcast_sizes"]:
        servers = start_servers(-(-n // PER_PROCESS))
        procs, connected, failed, _, _ = open_clients(servers, n, f"broadcast-{n}", topic="bench:all")
        settle = 2 + n / 50_000
        time.sleep(2)  # the opening's aftermath (GC, JIT) is not idle
        results = []
        for i in range(profile["broadcast_repeats"]):
            stats(procs)
            rate = idle_rate(servers, settle)
            load = loadavg()
            pub, win = publish_measured(servers, "--mode", "broadcast", "--topic", "bench:all", name="publisher",
                                        settle=settle, clients=procs)
            st = stats(procs)
            results.append({"received": st["received"], "duplicates": st["duplicates"], "closed_by_server": st["closed_by_server"],
                            "last_ms": round(st["max_us"] / 1000, 1),
                            "p50_ms": round(st["p50_us"] / 1000, 1), "p99_ms": round(st["p99_us"] / 1000, 1),
                            "acked": pub["acked"], "server_cpu_s": round(win.cpu["server"], 2),
                            "client_cpu_s": round(win.cpu["clients"], 2),
                            "server_idle_cpu_s": round(rate * win.wall, 2),
                            "server_cpu_us_per_delivery": net_us_per(win, rate, st["received"]),
                            "server_cpu_us_per_delivery_idle_included": us_per(win.cpu["server"], st["received"]),
                            "loadavg": load})
            log("broadcast", n, results[-1])
        runs.append({"subscribers": connected, "requested": n, "failed": failed, "servers": len(servers), "runs": results})
        stop_all(procs, servers)
    return {"runs": runs}


def ingest(profile):
    """(d) Events/s acknowledged SUCCESS on the route, one event per request vs bulk."""
    servers = start_servers(1)
    out = []
    for bulk in profile["ingest_bulk"]:
        # warm-up, then the measured run
        publish(servers, "--mode", "max", "--seconds", profile.get("ingest_warmup_s", 3), "--bulk", bulk, "--users", 10000,
                "--concurrency", 32)
        load = loadavg()
        pub, win = publish_measured(servers, "--mode", "max", "--seconds", profile["ingest_seconds"], "--bulk", bulk,
                                    "--users", 10000, "--concurrency", 32)
        row = {"bulk": bulk, **{k: pub[k] for k in ("acked", "rejected", "errors", "seconds", "acked_per_s")},
               "server_cpu_us_per_event": us_per(win.cpu["server"], pub["acked"]),
               "server_cores": win.cores("server"), "publisher_cores": pub["publisher_cores"],
               "machine_cores": win.cores("machine"), "loadavg": load}
        row["limit"] = limit(row)
        log("ingest", row)
        out.append(row)
    stop_all(servers)
    return {"runs": out}


def admin_token(sub="bench-admin", roles=("admin",)):
    """An HS256 JWT (by default an admin's, for /actuator), minted like the app's backend would."""
    import base64, hashlib, hmac
    enc = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
    head = enc(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = enc(json.dumps({"sub": sub, "roles": list(roles), "iat": int(time.time()),
                           "exp": int(time.time()) + 3600}).encode())
    sig = hmac.new(SECRET.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{enc(sig)}"


def successes(server):
    """SUCCESS replies so far, from Actuator's one-meter endpoint: a whole /actuator/prometheus scrape
    per poll would cost the server more than the events it counts at a low rate."""
    req = urllib.request.Request(server.url + "/actuator/metrics/tasksync.dapr.replies?tag=status:SUCCESS",
                                 headers={"Authorization": "Bearer " + admin_token()})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            body = json.loads(r.read())
    except urllib.error.HTTPError as e:
        if e.code == 404:  # no reply counted yet: the meter does not exist
            return 0
        raise
    return int(next(m["value"] for m in body["measurements"] if m["statistic"] == "COUNT"))


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


def daprd(app_id, pod, bootstrap, app_port=None, grpc_port=None):
    binary = subprocess.run(["src/test/dapr/build-daprd.sh"], cwd=ROOT, check=True, capture_output=True,
                            text=True).stdout.strip().splitlines()[-1]
    http = free_port()
    args = [binary, "--mode", "standalone", "--app-id", app_id, "--dapr-http-port", str(http),
            "--dapr-grpc-port", str(grpc_port or free_port()), "--dapr-internal-grpc-port", str(free_port()),
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
    groups, starting at the oldest offset) draining them into tasksync, per event and in bulk.
    CPU per event, split: the app (tasksync), its daprd sidecar and the Kafka broker, each over the
    drain window (first success seen → all acknowledged), divided by the events acknowledged in it.
    The harness's own polling of /actuator/prometheus (5/s) is part of the app's figure."""
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
        # The server's start-up warm-up (ops.Warmup) posted its own events: count from here.
        base = successes(server)
        load = loadavg()
        side = daprd("tasksync", f"bench-{'bulk' if bulk else 'single'}", bootstrap, server.port)
        first, win, half, half_win = None, None, None, None
        deadline = time.time() + profile["dapr_timeout_s"]
        while time.time() < deadline:
            count = successes(server) - base
            if count and first is None:
                first = (time.time(), count)
                win = CpuWindow([server], daprd=[side], kafka=[kafka])
            if count >= n // 2 and half is None:
                half = (time.time(), count)
                half_win = CpuWindow([server], daprd=[side], kafka=[kafka])
            if count >= n:
                break
            time.sleep(0.2)
        end = time.time()
        count = successes(server) - base
        if win:
            win.stop()
            half_win.stop()
        rate = (count - first[1]) / max(1e-6, end - first[0]) if first else 0
        in_window = count - first[1] if first else 0
        row = {"bulk_subscribe": bulk, "events": n, "acked": count, "seconds": round(end - first[0], 1) if first else None,
               "acked_per_s": round(rate), "loadavg": load}
        if win:
            row.update({"app_cpu_us_per_event": us_per(win.cpu["server"], in_window),
                        "daprd_cpu_us_per_event": us_per(win.cpu["daprd"], in_window),
                        "kafka_cpu_us_per_event": us_per(win.cpu["kafka"], in_window),
                        "server_cpu_us_per_event": us_per(win.cpu["server"], in_window),
                        "app_cores": win.cores("server"), "daprd_cores": win.cores("daprd"),
                        "kafka_cores": win.cores("kafka"), "machine_cores": win.cores("machine")})
            # The second half alone: the fresh server's JIT work (it compiles what daprd's requests
            # exercise) falls mostly in the first.
            in_half = count - half[1]
            row["second_half"] = {"acked_per_s": round(in_half / max(1e-6, end - half[0])),
                                  "app_cpu_us_per_event": us_per(half_win.cpu["server"], in_half),
                                  "daprd_cpu_us_per_event": us_per(half_win.cpu["daprd"], in_half),
                                  "kafka_cpu_us_per_event": us_per(half_win.cpu["kafka"], in_half),
                                  "machine_cores": half_win.cores("machine")}
        log("ingest via daprd+kafka", row)
        runs.append(row)
        side.stop()
        server.stop()
    stop_all([backend, kafka])
    return {"fill": fill, "runs": runs}


def k8s_pod_jvm():
    """The tasksync container's JAVA_TOOL_OPTIONS and memory limit in k8s/base/statefulset.yaml (the
    pod the podsize scenario stands in for), read without a YAML library."""
    text = (ROOT / "k8s" / "base" / "statefulset.yaml").read_text()
    m = re.search(r"- name: JAVA_TOOL_OPTIONS\s*\n\s*value: >-\n((?:\s{16}\S.*\n)+)", text)
    limit = re.search(r"limits:\s*\n\s*memory: (\d+)(Mi|Gi)", text)
    if not m or not limit:
        raise SystemExit("k8s/base/statefulset.yaml: JAVA_TOOL_OPTIONS or the memory limit not found")
    mib = int(limit.group(1)) * (1024 if limit.group(2) == "Gi" else 1)
    return m.group(1).split(), mib


def jcmd(pid, *command):
    return subprocess.run([jdk_tool("jcmd"), str(pid), *command], capture_output=True, text=True, timeout=60).stdout


def nmt_committed_kib(pid):
    """Native Memory Tracking summary: committed KiB per category (Java Heap, Class, Thread, Code, GC, ...)."""
    out = jcmd(pid, "VM.native_memory", "summary")
    cats = {}
    for m in re.finditer(r"-\s+(\w[\w ]*?) \(reserved=\d+KB, committed=(\d+)KB", out):
        cats[m.group(1).strip()] = int(m.group(2))
    total = re.search(r"Total: reserved=\d+KB, committed=(\d+)KB", out)
    if total:
        cats["Total"] = int(total.group(1))
    return cats


def podsize(profile):
    """Pod sizing (issue #16): the peak RSS of daprd and of tasksync, the latter with the JVM flags of
    k8s/base/statefulset.yaml and its memory limit stood in for by -XX:MaxRAM (no cgroup here), while
    `podsize_connections` idle WebSockets (the HPA's per-pod target) are held and daprd drains
    `podsize_events` task events from Kafka into the app for those users, one event per delivery (the
    manifests' mode). /proc is sampled every 0.2 s; at the end of the drain the JVM's Native Memory
    Tracking summary splits what is heap and what is not."""
    n = profile["podsize_events"]
    flags, limit_mib = k8s_pod_jvm()
    jvm = [*flags, f"-XX:MaxRAM={limit_mib}m", "-XX:NativeMemoryTracking=summary"]
    cp = f"{ROOT}/target/test-classes:{ROOT}/target/classes:" + (OUT / "classpath.txt").read_text().strip()
    kafka = Background("kafka", [java(), "-Xmx1g", "-cp", cp, "dev.tasksync.e2e.support.KafkaBrokerMain", "0"])
    bootstrap = kafka.wait_log("KAFKA_READY").split("KAFKA_READY ", 1)[1].split()[0]
    backend = daprd("task-backend", "podsize-backend", bootstrap)
    users = profile["podsize_connections"]
    runs = []
    server = Server("podsize", jvm=jvm)
    server.wait_ready()
    opened = open_clients([server], users, "podsize-load")
    rss_idle = server.rss()
    # One event per delivery: the manifests' mode (tasksync.dapr.bulk-subscribe is off by default).
    fill = Tool("Publisher", ["--mode", "dapr-fill", "--targets", backend.url, "--count", n, "--bulk", 500,
                              "--users", users], "podsize-fill").wait("published", timeout=600)
    base = successes(server)
    side = daprd("tasksync", "podsize-0", bootstrap, server.port)
    peak_app = peak_daprd = 0
    t0 = time.time()
    deadline = t0 + profile["dapr_timeout_s"]
    while time.time() < deadline:
        peak_app = max(peak_app, server.rss())
        peak_daprd = max(peak_daprd, rss_kib(side.proc.pid))
        if successes(server) - base >= n:
            break
        time.sleep(0.2)
    nmt = nmt_committed_kib(server.proc.pid)
    heap = nmt.get("Java Heap", 0)
    # G1's own account: "garbage-first heap total 281600K, used 150213K" (used includes garbage not yet collected).
    heap_info = re.search(r"total (\d+)K, used (\d+)K", jcmd(server.proc.pid, "GC.heap_info"))
    row = {"events": n, "acked": successes(server) - base, "seconds": round(time.time() - t0, 1),
           "connections": opened.connected, "tasksync_rss_peak_mib": round(peak_app / 1024, 1),
           "tasksync_rss_idle_mib": round(rss_idle / 1024, 1), "daprd_rss_peak_mib": round(peak_daprd / 1024, 1),
           "daprd_rss_end_mib": round(rss_kib(side.proc.pid) / 1024, 1),
           "nmt_committed_mib": {k: round(v / 1024, 1) for k, v in nmt.items()},
           "tasksync_non_heap_committed_mib": round((nmt.get("Total", 0) - heap) / 1024, 1),
           "tasksync_rss_minus_heap_mib": round((peak_app - heap) / 1024, 1),
           "tasksync_heap_used_mib": round(int(heap_info.group(2)) / 1024, 1) if heap_info else None,
           "fill": fill, "loadavg": loadavg()}
    log("podsize", row)
    runs.append(row)
    side.stop()
    stop_all(opened.procs, [server])
    stop_all([backend, kafka])
    return {"jvm": " ".join(jvm), "memory_limit_mib": limit_mib, "runs": runs}


def churn_run(server, seconds, name, concurrency=64):
    """Open → greeting → close for `seconds`; the `churn` line plus the server's CPU from the tool's
    `started` line to its result (server_cpu_us_per_handshake) and the tool's own cores."""
    args = ["--mode", "churn", "--servers", server.url[len("http://"):], "--sources", sources(8),
            "--secret", SECRET, "--seconds", seconds, "--concurrency", concurrency]
    tool = Tool("LoadClient", args, name)
    started = tool.read("started", timeout=120)
    win = CpuWindow([server])
    result = tool.wait("churn")
    win.stop()
    result.update({"server_cpu_us_per_handshake": us_per(win.cpu["server"], result["handshakes"]),
                   "server_cores": win.cores("server"), "machine_cores": win.cores("machine"),
                   "client_cores": round((result["cpu_s"] - started["cpu_s"]) / max(result["seconds"], 1e-3), 2)})
    return result


def churn(profile):
    """(e) Connect churn: full handshakes (JWT verified, greeting received) per second."""
    servers = start_servers(1)
    churn_run(servers[0], profile.get("churn_warmup_s", 3), "churn-warmup")
    load = loadavg()
    result = churn_run(servers[0], profile["churn_seconds"], "churn")
    result["loadavg"] = load
    log("churn", result)
    stop_all(servers)
    return result


# ---------------------------------------------------------------- scenarios of issue #17 (profile fastpath)

SHARED = {}  # the fastpath server the short profile's scenarios share (reuse_server)


def fastpath_server(profile, name, fresh=False):
    """A server with the fastpath flags (fastpath_jvm) and a GC log. With the profile's reuse_server
    (the short profile, to keep CI's run short) the fastpath scenarios share one process, started
    by the first that asks; fresh=True wants a process nothing ran on yet (the shared one qualifies
    until first used)."""
    shared = SHARED.get("server") if profile.get("reuse_server") else None
    if shared is not None and not (fresh and shared.used):
        return shared
    server = Server(name, jvm=fastpath_jvm(profile), gc_log=True)
    server.wait_ready()
    if profile.get("reuse_server") and shared is None:
        SHARED["server"] = server
    server.used = True
    return server


def release(server):
    """Stops a fastpath server unless the scenarios share it (main stops that one at the end)."""
    if SHARED.get("server") is not server:
        server.stop()


def warm_until_stable(step, profile, name):
    """Runs step() (one warm-up run, returning the server's CPU per unit of work) until that cost
    has settled: after at least `warm_min_s`, the last 3 steps within 1 + 2 × `warm_tolerance` of
    each other (max / min); at most `warm_max_s` seconds (0: one step). A JIT still compiling
    shows as a falling cost, since its threads' CPU is the server's; with the load tools on the
    same 2 cores that took 60-90 s of saturation. Returns the trace, which the results keep."""
    trace, t0, stable = [], time.time(), False
    while True:
        trace.append(step())
        last = [x for x in trace[-3:] if x]
        stable = (len(last) == 3 and time.time() - t0 >= profile["warm_min_s"]
                  and max(last) <= (1 + 2 * profile["warm_tolerance"]) * min(last))
        if stable or time.time() - t0 >= profile["warm_max_s"]:
            break
    warm = {"us_per_unit": trace, "seconds": round(time.time() - t0, 1), "stable": stable}
    log(name, "warm-up", warm)
    return warm


def with_median(runs, server, **extra):
    return {"server": server.info(), **extra, "runs": runs, "median": median_of(runs)}


def route(profile):
    """Issue #17, one event per request: POST /task-updates with one CloudEvent per request
    (Publisher --mode max --bulk 0, `route_concurrency` requests in flight), each event for one of
    `route_users` users holding 2 connections each, so 2 deliveries per event; at saturation. One
    server; a warm-up run first (not recorded), then `repeats` runs. Per run: events/s acknowledged,
    the server's CPU per event and per delivery over the publisher's measured phase (+0.5 s for the
    last deliveries), and every process's cores: a publisher near a core or more was the limit
    (`limit`). Every delivery must arrive: received == 2 × acknowledged. The warm-up repeats
    `route_warmup_s` runs until the CPU per event stops falling (warm_until_stable)."""
    users = profile["route_users"]
    server = fastpath_server(profile, "route")
    opened = open_clients([server], 2 * users, "route", conns_per_user="2")
    args = ["--mode", "max", "--bulk", 0, "--users", users, "--concurrency", profile["route_concurrency"]]
    warm = warm_until_stable(lambda: saturate(server, args, profile["route_warmup_s"], "route-warmup"), profile, "route")
    time.sleep(1)
    stats(opened.procs)  # the warm-up's deliveries are not counted
    runs = []
    for i in range(profile["repeats"]):
        load, mark = loadavg(), server.gc_mark()
        pub, win = publish_measured([server], *args, "--seconds", profile["route_seconds"], name=f"route-{i}",
                                    settle=0.5, clients=opened.procs)
        st = stats(opened.procs)
        run = {**load_row(pub, win, st), "expected_deliveries": 2 * pub["acked"], "open": st["open"],
               **server.gc(mark), "loadavg": load}
        log("route", run)
        runs.append(run)
    stop_all(opened.procs)
    release(server)
    return with_median(runs, server, connections=opened.connected, failed=opened.failed, users=users, warmup=warm)


def saturate(server, args, seconds, name):
    """One saturating publisher run (a warm-up step): the server's CPU µs per acknowledged event."""
    pub, win = publish_measured([server], *args, "--seconds", seconds, name=name)
    return us_per(win.cpu["server"], pub["acked"])


def broadcast15k(profile):
    """Issue #17, broadcast: one topic event to `bc_subscribers` subscribers (15,000) of ONE server.

    Each run is a series of `bc_count` broadcasts `bc_interval_ms` apart (each answered before the
    next is due), from one publisher JVM that has already warmed up and waits at a gate.

    Time until the last subscriber has it: the load client groups frames by the publisher's stamp,
    one per broadcast, so every broadcast has its own "last" (its slowest frame); a run reports
    the median over its series (last_ms) and the worst (last_ms_max).

    Server CPU per delivery, net of idle work: first the server's idle CPU (heartbeat pings:
    15,000 connections / 25 s interval = 600 pings/s, timers, GC) is measured over a window as long
    as the series, just before it; then the gate opens. The series window runs from the go until
    the publisher's last answer plus `bc_settle_s` for the last frames. Cost = CPU over the series
    window − idle rate × its length; per delivery = cost / frames counted in the window. With 20 ×
    15k deliveries in a few seconds the idle share is about 1% of the total, and subtracting it
    removes even that. Series of `bc_warmup` broadcasts warm the JVM first, until their CPU per
    delivery stops falling (warm_until_stable)."""
    return broadcast_runs(profile, profile["bc_subscribers"], "broadcast15k", "bc15k")


def broadcast_runs(profile, n, scenario, name, client_extra=(), publisher_extra=(), before_open=None, opened_hook=None):
    """broadcast15k's measurement for `n` subscribers; the extras go to the load clients and the
    publisher (e.g. --deflate, --pad); `opened_hook(server, opened)` runs once the clients are open."""
    count, interval, settle = (profile[k] for k in ("bc_count", "bc_interval_ms", "bc_settle_s"))
    server = fastpath_server(profile, scenario)
    if before_open:
        before_open(server)
    opened = open_clients([server], n, name, topic="bench:all", extra=["--stamps", "true", *client_extra])
    hooked = opened_hook(server, opened) if opened_hook else {}

    def series(broadcasts, name, idle_window):
        p = Tool("Publisher", ["--targets", server.url, "--mode", "broadcast", "--topic", "bench:all",
                               "--count", broadcasts, "--interval-ms", interval, "--gate", "true",
                               *publisher_extra], name)
        p.read("gated", timeout=120)
        stats(opened.procs)
        stamps(opened.procs)
        rate = idle_rate([server], broadcasts * interval / 1000 + settle) if idle_window else 0.0
        load, mark = loadavg(), server.gc_mark()
        win = CpuWindow([server], clients=opened.procs)
        p.send("go")
        pub = p.wait("published", timeout=600)
        time.sleep(settle)
        win.stop()
        st, per = stats(opened.procs), stamps(opened.procs)
        lasts = [v[1] / 1000 for _, v in sorted(per.items())]
        return {"broadcasts": broadcasts, "subscribers": opened.connected, "received": st["received"], "duplicates": st["duplicates"],
                "expected": broadcasts * opened.connected, "acked": pub["acked"],
                "broadcasts_seen": len(per), "broadcasts_complete": sum(1 for v in per.values() if v[0] == opened.connected),
                "last_ms": round(statistics.median(lasts), 1) if lasts else None,
                "last_ms_max": round(max(lasts), 1) if lasts else None,
                "p50_ms": round(st["p50_us"] / 1000, 1), "p99_ms": round(st["p99_us"] / 1000, 1),
                "server_cpu_s": round(win.cpu["server"], 2), "server_idle_cpu_s": round(rate * win.wall, 2),
                "server_cpu_us_per_delivery": net_us_per(win, rate, st["received"]),
                "server_cpu_us_per_delivery_idle_included": us_per(win.cpu["server"], st["received"]),
                "client_cores": win.cores("clients"), "machine_cores": win.cores("machine"),
                "last_ms_each": [round(x, 1) for x in lasts],
                **server.gc(mark), "loadavg": load}

    warm = warm_until_stable(lambda: series(profile["bc_warmup"], f"{name}-warmup", False)[
        "server_cpu_us_per_delivery"], profile, scenario)
    runs = []
    for i in range(profile["repeats"]):
        runs.append(series(count, f"{name}-{i}", True))
        log(scenario, {k: v for k, v in runs[-1].items() if k != "last_ms_each"})
    stop_all(opened.procs)
    release(server)
    return with_median(runs, server, connections=opened.connected, failed=opened.failed, warmup=warm, **hooked)


def wire_sizes(server):
    """Bytes on the wire for a typical task event and a 10 KiB one: a bare-socket client offering
    permessage-deflate (as Chromium does) and one that does not receive the same events from the
    route; each frame's payload length is recorded as it arrived (RSV1: compressed)."""
    import base64

    def connect(user, offer):
        s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        s.sendall((f"GET /ws?token={admin_token(user, ())} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                   + (f"Sec-WebSocket-Extensions: {offer}\r\n" if offer else "") + "\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += s.recv(1)
        return s, head.decode()

    def frame(s):
        def exact(n):
            b = b""
            while len(b) < n:
                b += s.recv(n - len(b))
            return b
        b0, b1 = exact(2)
        n = b1 & 0x7F
        n = int.from_bytes(exact(2), "big") if n == 126 else int.from_bytes(exact(8), "big") if n == 127 else n
        return bool(b0 & 0x40), exact(n)

    task = {"id": "t-1042", "title": "Prepare the quarterly planning review", "description": "Collect the numbers "
            "from every team and draft the agenda", "status": "in_progress", "priority": "high",
            "list_id": "list-7", "assignee": "alice", "due": "2026-12-04", "updated_at": "2026-12-01T12:00:00Z"}
    big = dict(task, notes=[{"id": f"n{i}", "text": f"Follow-up item {i}: confirm the owner and the due date",
                             "done": i % 3 == 0} for i in range(110)])
    out = {}
    user = "wire-sizes"
    zipped, zhead = connect(user, "permessage-deflate; client_max_window_bits")
    plain, _ = connect(user, None)
    for s in (zipped, plain):
        frame(s)  # greeting
    for name, payload in (("typical", task), ("10KiB", big)):
        body = json.dumps({"specversion": "1.0", "id": f"wire-{name}-{time.time()}", "source": "bench",
                           "type": "com.dapr.event.sent", "datacontenttype": "application/json",
                           "data": {"event_type": "task.updated", "user_id": user, "task": payload}}).encode()
        req = urllib.request.Request(server.url + "/task-updates", data=body,
                                     headers={"Content-Type": "application/cloudevents+json"})
        urllib.request.urlopen(req, timeout=10).read()
        zc, zp = frame(zipped)
        pc, pp = frame(plain)
        out[name] = {"json_bytes": len(pp), "on_wire_uncompressed": len(pp), "on_wire_deflate": len(zp),
                     "deflate_frame_compressed": zc}
    out["negotiated"] = "permessage-deflate" in zhead
    zipped.close()
    plain.close()
    return out


def live_heap_hooks():
    """broadcast_runs hooks that measure the live heap per connection: jmap -histo:live just before
    and after the connections open."""
    baseline = {}

    def per_connection(server, opened):
        after = server.live_heap()
        return {"live_heap_per_connection_kib": round((after - baseline["heap"]) / 1024 / max(1, opened.connected), 2)}

    return {"before_open": lambda server: baseline.update(heap=server.live_heap()), "opened_hook": per_connection}


def compression(profile):
    """Issue #12, permessage-deflate: broadcasts of an event padded to about `cmp_pad` bytes to
    `cmp_subscribers` (10,000) subscribers of one server, by clients that offer permessage-deflate
    and by clients that do not (each variant on its own server), with the live heap per connection
    either way."""
    out = {}
    for deflate in (False, True):
        key = "deflate" if deflate else "plain"
        out[key] = broadcast_runs(profile, profile["cmp_subscribers"], f"compression-{key}", f"cmp-{key}",
                                  client_extra=["--deflate", str(deflate).lower()],
                                  publisher_extra=["--pad", profile["cmp_pad"]], **live_heap_hooks())
    return out


def sse(profile):
    """Issue #12, the SSE fallback: the same broadcasts as `compression` (uncompressed) to
    `cmp_subscribers` WebSocket subscribers and to as many SSE streams (the topic named at connect),
    each variant on its own server, with the live heap per connection either way."""
    return {transport: broadcast_runs(profile, profile["cmp_subscribers"], f"transport-{transport}", f"tr-{transport}",
                                      client_extra=["--transport", transport],
                                      publisher_extra=["--pad", profile["cmp_pad"]], **live_heap_hooks())
            for transport in ("ws", "sse")}


def wire(profile):
    """wire_sizes on a server of its own."""
    server = fastpath_server(profile, "wire")
    try:
        sizes = wire_sizes(server)
    finally:
        release(server)
    log("wire sizes", sizes)
    return sizes


def handshake(profile):
    """Issue #17, handshake: `handshake_connections` (15,000) connections opened at once (JWT
    verified, greeting received; `handshake_concurrency` in flight) to one server that is fresh
    but warmed by churn (runs of `handshake_warmup_s` of open-greet-close, until their CPU per
    handshake stops falling: warm_until_stable). A fresh server per run.
    Tokens are minted before the clock starts and the load client waits at a gate, so the wall time
    and the server's CPU cover exactly the opening: from go until every greeting arrived. CPU per
    handshake = server CPU over that window / connections opened; the load client's cores tell
    whether it was the limit."""
    n = profile["handshake_connections"]
    runs, server = [], None
    for i in range(profile["repeats"]):
        server = fastpath_server(profile, f"handshake-{i}")
        warm = warm_until_stable(lambda: churn_run(server, profile["handshake_warmup_s"], f"handshake-warmup-{i}")[
            "server_cpu_us_per_handshake"], profile, "handshake")
        load, mark = loadavg(), server.gc_mark()
        opened = open_clients([server], n, f"handshake-{i}", concurrency=profile["handshake_concurrency"],
                              extra=["--premint", "true"])
        run = {"connections": opened.connected, "failed": opened.failed, "wall_ms": opened.ms,
               "handshakes_per_s": round(opened.connected / max(opened.ms / 1000, 1e-3)), **opened.cpu,
               **server.gc(mark), "loadavg": load, "warmup": warm}
        run["limit"] = limit(run, "client").replace("requests in flight", "handshakes in flight")
        log("handshake", run)
        runs.append(run)
        stop_all(opened.procs)
        release(server)
    return with_median(runs, server, connections=n)


def idle15k(profile):
    """Issue #17, memory: RSS per idle connection at `idle15k_connections` (15,000) connections in
    one process, with the JVM flags the image ships (fastpath_jvm: pom.xml image.java-tool-options,
    no other heap flags): the slope between a warm 1,000-connection baseline and 15,000, after a GC,
    as in idle() (before-GC figures too); live heap per connection from jmap -histo:live; the
    longest GC pause the server's log shows over its whole life (the full collections jmap itself
    asks for are left out, reported apart as gc_induced_max_pause_ms). A fresh server per run."""
    runs, server = [], None
    for i in range(profile["repeats"]):
        server = fastpath_server(profile, f"idle15k-{i}")
        load = loadavg()
        points, clients = idle_steps([server], [profile["idle15k_connections"]], f"idle15k-{i}")
        run = {**points[-1], **server.gc(0), "loadavg": load}
        log("idle15k", run)
        runs.append(run)
        stop_all(clients)
        release(server)
    return with_median(runs, server)


def moderate(profile):
    """Issue #17, moderate load: `moderate_users` users with 2 connections each (2,000), and
    `moderate_rate` (2,000) events/s, one per request (Publisher --mode rate --bulk 0), so twice as
    many deliveries/s. Latency: the publisher's stamp → frame read, over every delivery.

    fresh: a freshly started server (a new one per run) gets its connections, then that load at
    once for `moderate_fresh_s` (30 s). Reported: latency over every event of those 30 s (exact
    percentiles from the load client's running histogram; the run lasts longer only if the
    publisher fell behind, see behind_ticks) and per `moderate_interval_s` (5 s) interval, with the
    server's CPU per delivery in each, so the warm-up shows.

    warm: one server, its JVM first warmed by saturating route-like runs (`moderate_warmup_s` of
    --mode max --bulk 0 to the same users, until the CPU per event stops falling), then `repeats` runs of `moderate_seconds` (15 s):
    p50/p99/p99.9/max latency and server CPU per event (+1 s for the last deliveries).

    Both: the longest GC pause within each run's window. fresh runs first, so that with
    reuse_server (the short profile) it gets the shared server while that is still fresh."""
    return {"fresh": moderate_fresh(profile), "warm": moderate_warm(profile)}


def moderate_args(profile, seconds):
    return ["--mode", "rate", "--rate", profile["moderate_rate"], "--seconds", seconds, "--bulk", 0,
            "--users", profile["moderate_users"], "--concurrency", 64]


def latency_ms(st):
    return {"p50_ms": round(st["p50_us"] / 1000, 2), "p99_ms": round(st["p99_us"] / 1000, 2),
            "p999_ms": round(st["p999_us"] / 1000, 2), "max_ms": round(st["max_us"] / 1000, 2)}


def moderate_fresh(profile):
    users, seconds, step = profile["moderate_users"], profile["moderate_fresh_s"], profile["moderate_interval_s"]
    runs, server = [], None
    for i in range(profile["repeats"]):
        server = fastpath_server(profile, f"moderate-fresh-{i}", fresh=True)
        opened = open_clients([server], 2 * users, f"moderate-fresh-{i}", conns_per_user="2")
        stats(opened.procs)
        stats(opened.procs, "total")
        load = loadavg()
        p = Tool("Publisher", ["--targets", server.url, *moderate_args(profile, seconds)], f"moderate-fresh-{i}-pub")
        started = p.read("started", timeout=120)
        mark = server.gc_mark()
        win = CpuWindow([server], clients=opened.procs)
        t0, intervals, pub = win.t0, [], None
        cpu_at = win.c0["server"]
        bounds = [k * step for k in range(1, int(seconds // step) + 1)]
        for until in bounds + [None]:  # the intervals, then the tail: until the publisher's end + 1 s
            if until is not None:
                time.sleep(max(0.0, t0 + until - time.time()))
            else:
                pub = p.wait("published", timeout=600)
                time.sleep(1)
            st = stats(opened.procs)
            cpu_now = sum(cpu_seconds(s.proc.pid) for s in [server])
            intervals.append({"until_s": round(time.time() - t0, 1), "received": st["received"], **latency_ms(st),
                              "server_cpu_us_per_delivery": us_per(cpu_now - cpu_at, st["received"])})
            cpu_at = cpu_now
        win.stop()
        total = stats(opened.procs, "total")
        pub["publisher_cores"] = round((pub["cpu_s"] - started["cpu_s"]) / max(pub["seconds"], 1e-3), 2)
        run = {**load_row(pub, win, total), **latency_ms(total), "expected_deliveries": 2 * pub["acked"],
               "behind_ticks": pub.get("behind_ticks", 0), "server_start_s": server_start_seconds(server),
               **server.gc(mark), "intervals": intervals, "loadavg": load}
        log("moderate fresh", {k: v for k, v in run.items() if k != "intervals"})
        for iv in intervals:
            log("   interval", iv)
        runs.append(run)
        stop_all(opened.procs)
        release(server)
    return with_median(runs, server, connections=2 * users, seconds=seconds)


def moderate_warm(profile):
    users = profile["moderate_users"]
    server = fastpath_server(profile, "moderate-warm")
    opened = open_clients([server], 2 * users, "moderate-warm", conns_per_user="2")
    args = ["--mode", "max", "--bulk", 0, "--users", users, "--concurrency", profile["route_concurrency"]]
    warm = warm_until_stable(lambda: saturate(server, args, profile["moderate_warmup_s"], "moderate-warmup"),
                             profile, "moderate warm")
    time.sleep(1)
    stats(opened.procs)
    runs = []
    for i in range(profile["repeats"]):
        load, mark = loadavg(), server.gc_mark()
        pub, win = publish_measured([server], *moderate_args(profile, profile["moderate_seconds"]),
                                    name=f"moderate-warm-{i}", settle=1, clients=opened.procs)
        st = stats(opened.procs)
        run = {**load_row(pub, win, st), **latency_ms(st), "expected_deliveries": 2 * pub["acked"],
               "behind_ticks": pub.get("behind_ticks", 0), **server.gc(mark), "loadavg": load}
        log("moderate warm", run)
        runs.append(run)
    stop_all(opened.procs)
    release(server)
    return with_median(runs, server, connections=2 * users, seconds=profile["moderate_seconds"], warmup=warm)


# ---------------------------------------------------------------- presence (issue #13, profile presence)

def presence_stats(procs, command="stats"):
    """stats() plus the load clients' presence counters (snapshots and diffs received, their bytes,
    the most presence frames one connection received) since the last call."""
    parts = [p.command(command, command) for p in procs]
    out = {k: sum(s[k] for s in parts) for k in ("received", "open", "closed_by_server", "presence_states",
                                                 "presence_state_bytes", "presence_diffs", "presence_diff_bytes",
                                                 "other_frames")}
    out["presence_state_max_bytes"] = max(s["presence_state_max_bytes"] for s in parts)
    out["presence_max_per_connection"] = max(s["presence_max_per_connection"] for s in parts)
    out["close_codes"] = ",".join(filter(None, (s["close_codes"] for s in parts)))
    return out


def server_stats(server):
    """The server's /stats (admin): presence members, diffs sent."""
    req = urllib.request.Request(server.url + "/stats", headers={"Authorization": "Bearer " + admin_token()})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def presence_token(user, topic, name=None):
    """An HS256 JWT for `user` granted `topic`, with a `name` claim (presence info) when given."""
    import base64, hashlib, hmac
    enc = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
    head = enc(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"sub": user, "topics": [topic], "iat": int(time.time()), "exp": int(time.time()) + 3600}
    if name:
        claims["name"] = name
    body = enc(json.dumps(claims).encode())
    sig = hmac.new(SECRET.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{enc(sig)}"


class RawWs:
    """A bare-socket WebSocket client (no extension): sends masked text frames, reads whole frames."""

    def __init__(self, server, token):
        import base64
        self.s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall((f"GET /ws?token={token} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.s.recv(1)
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"no upgrade: {head[:200]!r}")

    def _exact(self, n):
        b = bytearray()
        while len(b) < n:
            chunk = self.s.recv(n - len(b))
            if not chunk:
                raise EOFError("closed")
            b += chunk
        return bytes(b)

    def recv(self):
        b0, b1 = self._exact(2)
        n = b1 & 0x7F
        n = int.from_bytes(self._exact(2), "big") if n == 126 else int.from_bytes(self._exact(8), "big") if n == 127 else n
        return b0 & 0x0F, self._exact(n)

    def recv_text(self, prefix):
        """The next text frame whose payload starts with `prefix` (others skipped)."""
        while True:
            op, payload = self.recv()
            if op == 1 and payload.startswith(prefix):
                return payload

    def send_text(self, text):
        data = text.encode()
        mask = os.urandom(4)
        n = len(data)
        head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + n.to_bytes(2, "big"))
        self.s.sendall(head + mask + bytes(c ^ mask[i % 4] for i, c in enumerate(data)))

    def close(self):
        self.s.close()


def presence_probe(server, topic):
    """The sizes a client sees on a topic as it stands: the reply to {"action":"presence"} (asked
    without subscribing) and a presence_state snapshot (subscribing with presence, then leaving at
    once: the probe user joins no diff within the diff interval... it is one more member after it)."""
    ws = RawWs(server, presence_token("presence-probe", topic, "Presence probe"))
    ws.recv_text(b'{"type":"connected"')
    ws.send_text(json.dumps({"action": "presence", "topic": topic}))
    reply = ws.recv_text(b'{"action":"presence"')
    ws.send_text(json.dumps({"action": "subscribe", "topic": topic, "presence": True}))
    state = ws.recv_text(b'{"type":"presence_state"')
    ws.close()
    r, st = json.loads(reply), json.loads(state)
    return {"reply_bytes": len(reply), "snapshot_bytes": len(state), "reply_count": r.get("count"),
            "reply_users_listed": len(r["users"]) if "users" in r else None,
            "snapshot_users_listed": len(st["users"]) if "users" in st else None}


def presence_run(profile, variant, run):
    """One run of one variant, on a fresh server: see presence()."""
    n, users = profile["presence_subscribers"], variant["users"]
    per_user = n // users
    topic = "bench:presence"
    grace = profile["presence_grace_s"]
    name = f"presence-{variant['name']}-{run}"
    extra = [f"--tasksync.presence.grace={grace}s"]  # the default, 10 s, unless the profile says otherwise
    if variant.get("max_members"):
        extra.append(f"--tasksync.presence.max-members={variant['max_members']}")
    server = Server(name, extra, jvm=fastpath_jvm(profile), gc_log=True)
    server.wait_ready()
    client_args = ["--name-claim", "true", "--threads", 2]

    def opening(label, presence_on, offset=0):
        return open_clients([server], n, f"{name}-{label}", topic=topic, conns_per_user=str(per_user),
                            user_offset=offset, extra=[*client_args, "--presence", str(presence_on).lower()])

    def drained():
        # the members' grace runs out and one more diff interval passes: the topic is empty again
        time.sleep(grace + 2.5)

    # Warm-up (not recorded): the same opening with presence, closed again.
    w = opening("warm", True)
    stop_all(w.procs)
    drained()
    out = {"subscribers": n, "users": users, "connections_per_user": per_user}
    for presence_on in (False, True):
        key = "presence" if presence_on else "plain"
        time.sleep(1)
        heap0 = server.live_heap()
        load, mark = loadavg(), server.gc_mark()
        opened = opening(key, presence_on)
        time.sleep(2)  # the first snapshots' diffs (one per diff interval) have gone out
        st = presence_stats(opened.procs)
        heap1 = server.live_heap()
        out[key] = {"connected": opened.connected, "failed": opened.failed, "open_ms": opened.ms, **opened.cpu,
                    "live_heap_per_connection_kib": round((heap1 - heap0) / 1024 / max(1, opened.connected), 2),
                    "presence_states": st["presence_states"], "presence_state_bytes": st["presence_state_bytes"],
                    "presence_state_max_bytes": st["presence_state_max_bytes"],
                    "presence_diffs_during_open": st["presence_diffs"], **server.gc(mark), "loadavg": load}
        log(name, key, out[key])
        if not presence_on:
            stop_all(opened.procs)
            drained()
    watchers = opened
    time.sleep(1.5)
    out["probe"] = presence_probe(server, topic)
    out["members_announced"] = server_stats(server)["presence"]["members"]
    log(name, "probe", out["probe"], "members", out["members_announced"])
    drained()  # the probe's own join and leave

    # Steady churn: `rate` users a second join (their own connection, a plain subscribe) and leave
    # `hold` later; measured once the leaves (grace after each close) flow as fast as the joins.
    rate, hold_ms, window = profile["presence_churn_rate"], profile["presence_churn_hold_ms"], profile["presence_churn_s"]
    lead = hold_ms / 1000 + grace + 2
    idle = idle_rate([server], 5)
    churner = Tool("LoadClient", ["--mode", "presence-churn", "--servers", server.url[len("http://"):], "--sources",
                                  sources(8), "--secret", SECRET, "--topic", topic, "--user-offset", 10_000_000,
                                  "--rate", rate, "--hold-ms", hold_ms, "--seconds", round(lead + window + 1),
                                  "--name-claim", "true"], f"{name}-churn")
    churner.read("started", timeout=120)
    time.sleep(lead)
    presence_stats(watchers.procs)
    sent0 = server_stats(server)["presence"]["diffs_sent"]
    load, mark = loadavg(), server.gc_mark()
    win = CpuWindow([server], clients=watchers.procs, churn=[churner])
    time.sleep(window)
    win.stop()
    st = presence_stats(watchers.procs)
    sent = server_stats(server)["presence"]["diffs_sent"] - sent0
    churned = churner.wait("churned", timeout=120)
    net = win.cpu["server"] - idle * win.wall
    out["churn"] = {"rate_per_s": rate, "hold_ms": hold_ms, "seconds": round(win.wall, 1), "churner": churned,
                    "diffs_sent": sent, "diff_deliveries": st["presence_diffs"],
                    "diff_bytes_per_delivery": round(st["presence_diff_bytes"] / max(1, st["presence_diffs"]), 1),
                    "diffs_per_subscriber_per_s": round(st["presence_diffs"] / max(1, watchers.connected) / win.wall, 2),
                    "server_cpu_s": round(win.cpu["server"], 3), "server_idle_cpu_s": round(idle * win.wall, 3),
                    "server_cores": win.cores("server"),
                    "server_cpu_us_per_diff": us_per(net, sent) if net > 0 else None,
                    "server_cpu_us_per_diff_delivery": us_per(net, st["presence_diffs"]) if net > 0 else None,
                    "server_cpu_us_per_churn_user": us_per(net, rate * win.wall) if net > 0 else None,
                    "client_cores": win.cores("clients"), "churn_tool_cores": win.cores("churn"),
                    "machine_cores": win.cores("machine"), "closed_by_server": st["closed_by_server"],
                    **server.gc(mark), "loadavg": load}
    log(name, "churn", out["churn"])
    drained()

    # Reconnect storm: every watcher drops at once and reconnects (same users, within the grace).
    presence_stats(watchers.procs)
    sent0 = server_stats(server)["presence"]["diffs_sent"]
    load, mark = loadavg(), server.gc_mark()
    win = CpuWindow([server], clients=watchers.procs)
    for p in watchers.procs:
        p.send("reconnect")
    back = [p.read("reconnected", timeout=300) for p in watchers.procs]
    reconnect_win = CpuWindow([server])
    reconnect_win.c0, reconnect_win.t0 = win.c0, win.t0
    reconnect_win.stop()
    time.sleep(grace + 3)  # any leave the storm caused would be announced by now
    win.stop()
    st = presence_stats(watchers.procs)
    sent = server_stats(server)["presence"]["diffs_sent"] - sent0
    connected = sum(b["connected"] for b in back)
    out["storm"] = {"reconnected": connected, "failed": sum(b["failed"] for b in back),
                    "reconnect_ms": max(b["elapsed_ms"] for b in back),
                    "server_cpu_s_to_reconnected": round(reconnect_win.cpu["server"], 2),
                    "server_cpu_us_per_reconnect": us_per(reconnect_win.cpu["server"], connected),
                    "observed_s": round(win.wall, 1), "server_cpu_s": round(win.cpu["server"], 2),
                    "server_idle_cpu_s": round(idle * win.wall, 2),
                    "presence_states": st["presence_states"], "presence_diffs": st["presence_diffs"],
                    "diffs_sent": sent, "presence_max_per_connection": st["presence_max_per_connection"],
                    "presence_frames_per_subscriber": round((st["presence_states"] + st["presence_diffs"]) / max(1, connected), 3),
                    "other_frames": st["other_frames"], "open": st["open"], "closed_by_server": st["closed_by_server"],
                    "close_codes": st["close_codes"], "members_announced": server_stats(server)["presence"]["members"],
                    "client_cores": win.cores("clients"), "machine_cores": win.cores("machine"),
                    **server.gc(mark), "loadavg": load}
    log(name, "storm", out["storm"])
    stop_all(watchers.procs, [churner])
    server.stop()
    out["server"] = server.info()
    return out


def kafka_log(data_dir, topic):
    """Records and bytes in partition 0 of `topic` in a Kafka data directory, read from the log
    segments' record-batch headers (baseOffset 8 bytes, batchLength 4, ..., lastOffsetDelta at 23)."""
    records = size = 0
    for seg in sorted(Path(data_dir).glob(f"**/{topic}-0/*.log")):
        data = seg.read_bytes()
        pos = 0
        while pos + 27 <= len(data):
            length = int.from_bytes(data[pos + 8:pos + 12], "big")
            if length <= 0 or pos + 12 + length > len(data):
                break
            records += int.from_bytes(data[pos + 23:pos + 27], "big") + 1
            size += 12 + length
            pos += 12 + length
    return records, size


def presence_dapr(profile):
    """Issue #13, the replication cost of presence: one server with its own daprd and one Kafka
    broker, `presence_subscribers` (10,000) users each subscribed with presence to ONE topic. The
    replica publishes its changes every publish interval (200 ms) and its whole state every heartbeat
    (5 s: 10k entries = 20 parts of 500) to tasksync-presence, and gets them back through its
    sidecar (a replica receives every replica's messages, its own included). Over a steady window
    (no changes: heartbeats only) and a churn window (`presence_churn_rate` users/s joining and
    leaving, as in `presence`): presence messages and bytes written to Kafka (read from the
    partition's log segments: record count and record-batch bytes, Kafka's own framing included),
    per second, and the CPU of tasksync, daprd and Kafka in cores."""
    n = profile["presence_subscribers"]
    topic, grace = "bench:presence", profile["presence_grace_s"]
    data = Path(f"/tmp/pbench-kafka-{os.getpid()}")
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    cp = f"{ROOT}/target/test-classes:{ROOT}/target/classes:" + (OUT / "classpath.txt").read_text().strip()
    kafka = Background("kafka", [java(), "-Xmx1g", f"-Djava.io.tmpdir={data}", "-cp", cp,
                                 "dev.tasksync.e2e.support.KafkaBrokerMain", "0",
                                 "task-updates,task-updates-dlq,tasksync-presence,tasksync-signals"])
    bootstrap = kafka.wait_log("KAFKA_READY").split("KAFKA_READY ", 1)[1].split()[0]
    grpc = free_port()
    server = Server("presence-dapr", [f"--tasksync.sidecar.grpc-port={grpc}", f"--tasksync.presence.grace={grace}s"],
                    jvm=fastpath_jvm(profile), gc_log=True)
    server.wait_ready()
    side = daprd("tasksync", "pbench-presence-0", bootstrap, server.port, grpc_port=grpc)
    out = {"subscribers": n, "kafka_data": str(data)}
    try:
        opened = open_clients([server], n, "presence-dapr", topic=topic, conns_per_user="1",
                              extra=["--name-claim", "true", "--presence", "true"])
        out.update(connected=opened.connected, failed=opened.failed)
        time.sleep(12)  # two heartbeats of the full state have gone out

        def window(label, seconds, **groups):
            r0, b0 = kafka_log(data, "tasksync-presence")
            load, mark = loadavg(), server.gc_mark()
            win = CpuWindow([server], daprd=[side], kafka=[kafka], **groups)
            time.sleep(seconds)
            win.stop()
            r1, b1 = kafka_log(data, "tasksync-presence")
            row = {"seconds": round(win.wall, 1), "messages": r1 - r0, "bytes": b1 - b0,
                   "messages_per_s": round((r1 - r0) / win.wall, 2), "bytes_per_s": round((b1 - b0) / win.wall),
                   "bytes_per_message": round((b1 - b0) / max(1, r1 - r0)),
                   "server_cores": win.cores("server"), "daprd_cores": win.cores("daprd"),
                   "kafka_cores": win.cores("kafka"), "machine_cores": win.cores("machine"),
                   **server.gc(mark), "loadavg": load}
            log("presence via daprd", label, row)
            return row

        out["steady"] = window("steady", profile["presence_dapr_s"])
        rate, hold_ms = profile["presence_churn_rate"], profile["presence_churn_hold_ms"]
        lead = hold_ms / 1000 + grace + 2
        churner = Tool("LoadClient", ["--mode", "presence-churn", "--servers", server.url[len("http://"):],
                                      "--sources", sources(8), "--secret", SECRET, "--topic", topic,
                                      "--user-offset", 10_000_000, "--rate", rate, "--hold-ms", hold_ms,
                                      "--seconds", round(lead + profile["presence_dapr_s"] + 1), "--name-claim", "true"],
                       "presence-dapr-churn")
        churner.read("started", timeout=120)
        time.sleep(lead)
        out["churn"] = {"rate_per_s": rate, **window("churn", profile["presence_dapr_s"])}
        churner.wait("churned", timeout=120)
        stop_all(opened.procs)
    finally:
        side.stop()
        server.stop()
        kafka.stop()
    out["server"] = server.info()
    shutil.rmtree(data, ignore_errors=True)
    return out


def presence(profile):
    """Issue #13, the cost of presence on one server: `presence_subscribers` (10,000) subscribers of
    ONE topic, in each of `presence_variants` (a number of users, and the member limit: above
    tasksync.presence.max-members, 1,000 by default, a topic's presence is counts only). Per run, a
    fresh server (the image's JVM flags), after a warm-up opening with presence:

    - subscribe: the 10k connections open and subscribe without presence, then (once those are
      gone and their grace has run out) with presence: server CPU per connection (handshake +
      subscribe + snapshot) both ways, live heap per connection both ways (jmap -histo:live before
      and after), the snapshots' sizes; then a probe client's reply to {"action":"presence"} and a
      snapshot of the full topic;
    - churn: `presence_churn_rate` users a second join (a connection of their own) and leave
      `presence_churn_hold_ms` later; over `presence_churn_s`, once leaves flow too (after hold +
      grace): diffs the server sent (/stats), diff deliveries received, diffs per subscriber per
      second, server CPU per diff and per delivery net of the idle rate (the churners' own
      handshakes and subscribes are in it: server_cpu_us_per_churn_user);
    - storm: every subscriber drops at once and reconnects (same users, with presence): time until
      all are subscribed again, server CPU until then and until grace + 3 s later, presence frames
      each subscriber received (a snapshot each; diffs should be none: nobody left for longer than
      the grace).

    Single replica: no sidecar, so nothing is replicated (PresenceReplication publishes only with
    one)."""
    out = {}
    for variant in profile["presence_variants"]:
        runs = [presence_run(profile, variant, i) for i in range(profile["repeats"])]
        flat = [{**{f"{k}_{x}": v for k in ("plain", "presence", "churn", "storm", "probe")
                    for x, v in r[k].items() if isinstance(v, (int, float)) and not isinstance(v, bool)}} for r in runs]
        out[variant["name"]] = {"variant": variant, "runs": runs, "median": median_of(flat)}
    return out


def server_start_seconds(server):
    """'Started TasksyncApplication in N seconds' from the server's log, or None."""
    m = re.search(r"Started \w+ in ([\d.]+) seconds", server.log_path.read_text(errors="replace"))
    return float(m.group(1)) if m else None


ISSUE7 = ["idle", "personal", "broadcast", "ingest", "ingest_dapr", "churn"]
FASTPATH = ["moderate", "route", "broadcast15k", "handshake", "idle15k"]
# Issue #17's targets at full size; the short profile runs them once each at small size, on one
# shared server (reuse_server), so that CI exercises them within its time.
FASTPATH_FULL = {"repeats": 3, "server_jvm": None, "reuse_server": False, "warm_min_s": 20, "warm_max_s": 120,
                 "warm_tolerance": 0.1,
                 "route_users": 1000, "route_concurrency": 64, "route_warmup_s": 10, "route_seconds": 10,
                 "bc_subscribers": 15_000, "bc_count": 20, "bc_interval_ms": 300, "bc_settle_s": 1.5, "bc_warmup": 5,
                 "handshake_connections": 15_000, "handshake_concurrency": 256, "handshake_warmup_s": 5,
                 "idle15k_connections": 15_000,
                 "moderate_users": 1000, "moderate_rate": 2000, "moderate_seconds": 15, "moderate_warmup_s": 10,
                 "moderate_fresh_s": 30, "moderate_interval_s": 5, "cmp_subscribers": 10_000, "cmp_pad": 2048}
FASTPATH_SHORT = {**FASTPATH_FULL, "repeats": 1, "reuse_server": True, "warm_max_s": 0,
                  "route_users": 250, "route_warmup_s": 1, "route_seconds": 2,
                  "bc_subscribers": 1000, "bc_count": 3, "bc_interval_ms": 200, "bc_settle_s": 0.5, "bc_warmup": 1,
                  "handshake_connections": 1000, "handshake_warmup_s": 1, "idle15k_connections": 2000,
                  "moderate_users": 250, "moderate_rate": 400, "moderate_seconds": 2, "moderate_warmup_s": 1,
                  "moderate_fresh_s": 4, "moderate_interval_s": 2}
PROFILES = {
    "short": {"scenarios": ISSUE7 + FASTPATH,
              "idle_steps": [10_000], "personal_connections": 10_000, "personal_rates": [5_000, 20_000],
              "personal_seconds": 3, "personal_warmup_s": 2, "personal_bulk": "dapr", "broadcast_sizes": [10_000],
              "broadcast_repeats": 2, "ingest_bulk": [0, 100], "ingest_seconds": 3, "ingest_warmup_s": 2,
              "churn_seconds": 3, "churn_warmup_s": 2, "dapr_events": 5_000, "dapr_timeout_s": 60,
              "podsize_events": 20_000, "podsize_connections": 10_000, **FASTPATH_SHORT},
    "full": {"scenarios": ISSUE7,
             "idle_steps": [10_000, 25_000, 50_000, 75_000, 100_000], "personal_connections": 10_000,
             "personal_rates": [2_000, 5_000, 10_000, 20_000, 30_000, 40_000], "personal_seconds": 15,
             "personal_bulk": "dapr", "broadcast_sizes": [10_000, 100_000], "broadcast_repeats": 5,
             "ingest_bulk": [0, 10, 100], "ingest_seconds": 15, "churn_seconds": 15,
             "dapr_events": 100_000, "dapr_timeout_s": 300, "podsize_events": 100_000, "podsize_connections": 10_000},
    "fastpath": {"scenarios": FASTPATH, **FASTPATH_FULL},
    # Issue #12's compression rows: `bench.py --profile transports`.
    "transports": {"scenarios": ["wire", "compression", "sse"], **FASTPATH_FULL},
    # Issue #13's cost of presence: `bench.py --profile presence`. Variants: 10k users (above the
    # default member limit of 1,000: counts only) and 1,000 users with 10 connections each, limit
    # raised to 2,000 so that the churners keep it listing members.
    "presence": {"scenarios": ["presence", "presence_dapr"], **FASTPATH_FULL, "repeats": 2, "presence_subscribers": 10_000,
                 "presence_variants": [{"name": "counts", "users": 10_000},
                                       {"name": "lists", "users": 1_000, "max_members": 2_000}],
                 "presence_grace_s": 10, "presence_churn_rate": 20, "presence_churn_hold_ms": 2000,
                 "presence_churn_s": 15, "presence_dapr_s": 20},
}
SCENARIOS = {"idle": idle, "personal": personal, "broadcast": broadcast, "ingest": ingest,
             "ingest_dapr": ingest_dapr, "churn": churn, "moderate": moderate, "route": route,
             "broadcast15k": broadcast15k, "handshake": handshake, "idle15k": idle15k, "compression": compression, "sse": sse,
             "wire": wire, "podsize": podsize, "presence": presence,
             "presence_dapr": presence_dapr}


def machine(profile):
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), "?")
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    jv = subprocess.run([java(), "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    return {"cpus": os.cpu_count(), "cpu": cpu, "mem_gib": round(int(mem) / 1024 / 1024, 1), "java": jv,
            "server_java": server_java(), "server_java_version": java_version(server_java()),
            "server_jvm": " ".join(SERVER_JVM), "fastpath_server_jvm": " ".join(fastpath_jvm(profile)),
            "image_jvm": " ".join(image_jvm()), "client_jvm": " ".join(CLIENT_JVM)}


def git_commit():
    """The commit the run was built from, "+dirty" when the work tree has changes; None outside git."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return None


def profile_value(text):
    """--set key=value: JSON if it parses (numbers, lists), else the text itself (JVM flags)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", choices=PROFILES, default="short")
    ap.add_argument("--only", help="comma-separated scenarios: " + ",".join(SCENARIOS))
    ap.add_argument("--set", action="append", default=[],
                    help="override a profile value: key=json (or text), e.g. server_jvm='-XX:+UseZGC -Xmx4g'")
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
        profile[k] = profile_value(v)
    names = a.only.split(",") if a.only else list(profile["scenarios"])
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        sys.exit(f"unknown scenarios: {unknown}")
    results = {"profile": a.tag or a.profile, "settings": profile, "machine": machine(profile),
               "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "nofile": hard,
               "command": " ".join(["bench.py", *sys.argv[1:]]), "commit": git_commit(),
               "loadavg_start": loadavg()}
    t0 = time.time()
    for name in names:
        log("scenario", name)
        t = time.time()
        results[name] = SCENARIOS[name](profile)
        results[name]["duration_s"] = round(time.time() - t, 1)
    if "server" in SHARED:
        SHARED["server"].stop()
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
        if per["failed"] or per["connections"] != per["requested"]:
            failures.append(f"personal: {per['connections']} of {per['requested']} connections made, {per['failed']} failed")
        for s in per["steps"]:
            # Exactly the expected frames, none twice: a duplicate must not make up for a lost one.
            if s["received"] != s["expected_deliveries"] or s["duplicates"] or s["publish_errors"]:
                failures.append(f"personal @{s['target_deliveries_per_s']}/s: received {s['received']} of "
                                f"{s['expected_deliveries']} ({s['duplicates']} duplicates), {s['publish_errors']} publish errors")
    for run in results.get("broadcast", {}).get("runs", []):
        # Against the subscribers asked for: a connection that failed to open is a loss too.
        if run["failed"] or run["subscribers"] != run["requested"]:
            failures.append(f"broadcast {run['requested']}: {run['subscribers']} subscribers connected, {run['failed']} failed")
        for r in run["runs"]:
            if r["received"] != run["requested"] or r["duplicates"] or r["closed_by_server"]:
                failures.append(f"broadcast {run['requested']}: {r['received']} of {run['requested']} received "
                                f"({r['duplicates']} duplicates, {r['closed_by_server']} closed by the server)")
    for r in results.get("ingest", {}).get("runs", []):
        if r["errors"] or r["rejected"]:
            failures.append(f"ingest bulk={r['bulk']}: {r['errors']} errors, {r['rejected']} rejected")
    for r in results.get("ingest_dapr", {}).get("runs", []):
        if r["acked"] < r["events"]:
            failures.append(f"ingest via daprd: {r['acked']} of {r['events']} acknowledged")
    ch = results.get("churn")
    if ch and ch.get("failed"):
        failures.append(f"churn: {ch['failed']} handshakes failed")
    failures += check_fastpath(results)
    return failures


def check_fastpath(results):
    failures = []

    def delivered(name, r):
        if r["received"] != r["expected_deliveries"] or r.get("duplicates") or r["errors"] or r["rejected"]:
            failures.append(f"{name}: received {r['received']} of {r['expected_deliveries']} deliveries "
                            f"(2 per acknowledged event; {r.get('duplicates', 0)} duplicates), {r['errors']} publish errors, "
                            f"{r['rejected']} rejected")
        if r.get("closed_by_server"):
            failures.append(f"{name}: the server closed {r['closed_by_server']} connections")

    rt = results.get("route")
    if rt:
        if rt["failed"]:
            failures.append(f"route: {rt['failed']} connections failed")
        for i, r in enumerate(rt["runs"]):
            delivered(f"route run {i + 1}", r)
    bc = results.get("broadcast15k")
    if bc:
        if bc["failed"]:
            failures.append(f"broadcast15k: {bc['failed']} subscribers failed to connect")
        for i, r in enumerate(bc["runs"]):
            if r["received"] != r["expected"] or r["duplicates"] or r["broadcasts_complete"] != r["broadcasts"]:
                failures.append(f"broadcast15k run {i + 1}: {r['received']} of {r['expected']} deliveries, "
                                f"{r['broadcasts_complete']} of {r['broadcasts']} broadcasts reached every subscriber")
    for i, r in enumerate(results.get("handshake", {}).get("runs", [])):
        if r["failed"] or r["connections"] != results["handshake"]["connections"]:
            failures.append(f"handshake run {i + 1}: {r['connections']} connected, {r['failed']} failed")
    for i, r in enumerate(results.get("idle15k", {}).get("runs", [])):
        if r["failed"]:
            failures.append(f"idle15k run {i + 1}: {r['failed']} connections failed")
    for variant in ("fresh", "warm"):
        for i, r in enumerate(results.get("moderate", {}).get(variant, {}).get("runs", [])):
            delivered(f"moderate {variant} run {i + 1}", r)
    return failures


if __name__ == "__main__":
    main()
