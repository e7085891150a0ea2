#!/usr/bin/env python3
"""PNG plots and Markdown tables from a bench.py results file: latency percentiles vs load,
memory vs connections, broadcast completion, and issue #17's fastpath table (one row per
scenario: the median and each run). Usage: report.py target/bench/results-<profile>.json"""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(path):
    path = Path(path)
    r = json.loads(path.read_text())
    out = path.parent
    tag = r["profile"]
    made = []
    per = r.get("personal")
    if per and per.get("steps"):
        fig, ax = plt.subplots(figsize=(7, 4.2))
        x = [s["delivered_per_s"] for s in per["steps"]]
        for key, label in (("p50_us", "p50"), ("p99_us", "p99"), ("p999_us", "p99.9"), ("max_us", "max")):
            ax.plot(x, [s[key] / 1000 for s in per["steps"]], marker="o", label=label)
        ax.axhline(25, color="grey", linestyle="--", linewidth=1, label="target p99 25 ms")
        ax.set_yscale("log")
        ax.set_xlabel("deliveries per second (measured)")
        ax.set_ylabel("publish → received latency (ms)")
        ax.set_title(f"Personal fan-out, {per['connections']} connections, {per['users']} users")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        made.append(save(fig, out / f"latency-{tag}.png"))
    idle = r.get("idle")
    if idle and idle.get("points"):
        fig, ax = plt.subplots(figsize=(7, 4.2))
        pts = idle["points"]
        x = [p["connections"] / 1000 for p in pts]
        ax.plot(x, [p["rss_mib"] for p in pts], marker="o", label="RSS after GC (all server processes)")
        ax.plot(x, [p["rss_before_gc_mib"] for p in pts], marker="s", label="RSS before GC")
        ax.plot(x, [p["baseline_rss_mib"] for p in pts], linestyle="--", label="RSS at the baseline (1,000 connections per process)")
        ax.set_xlabel("idle connections (thousands)")
        ax.set_ylabel("server RSS (MiB)")
        ax2 = ax.twinx()
        ax.plot(x, [p["live_heap_mib"] for p in pts], marker="^", label="live heap")
        ax2.plot(x, [p["kib_per_connection"] for p in pts], color="black", marker="x", label="RSS KiB per connection")
        ax2.plot(x, [p["heap_kib_per_connection"] for p in pts], color="grey", marker="+", label="heap KiB per connection")
        ax2.set_ylabel("KiB per added connection")
        ax2.set_ylim(bottom=0)
        ax.set_title("Memory vs idle connections")
        ax.grid(True, alpha=0.3)
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, loc="upper left", fontsize=8)
        made.append(save(fig, out / f"memory-{tag}.png"))
    bc = r.get("broadcast")
    if bc and bc.get("runs"):
        fig, ax = plt.subplots(figsize=(7, 4.2))
        for run in bc["runs"]:
            ax.plot(range(1, len(run["runs"]) + 1), [x["last_ms"] for x in run["runs"]], marker="o",
                    label=f"{run['subscribers']} subscribers, last")
            ax.plot(range(1, len(run["runs"]) + 1), [x["p50_ms"] for x in run["runs"]], marker=".", linestyle=":",
                    label=f"{run['subscribers']} subscribers, p50")
        ax.axhline(1000, color="grey", linestyle="--", linewidth=1, label="target 1 s")
        ax.set_xlabel("broadcast #")
        ax.set_ylabel("publish → received (ms)")
        ax.set_title("Broadcast: time until the last subscriber has the event")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
        made.append(save(fig, out / f"broadcast-{tag}.png"))
    for m in made:
        print("[report]", m)
    md = out / f"results-{tag}.md"
    md.write_text(tables(r))
    print("[report]", md)


def v(x, digits=1):
    """A number for a table cell; – when the results predate the figure."""
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:,.{digits}f}"
    return f"{x:,}" if isinstance(x, int) else str(x)


def tables(r):
    m = r["machine"]
    lines = [f"Profile `{r['profile']}`, started {r['started']}, {r['duration_s']} s. Machine: {m['cpus']} CPUs "
             f"({m['cpu']}), {m['mem_gib']} GiB; {m['java']}."
             + (f" Load average at the start: {', '.join(map(str, r['loadavg_start']))}." if "loadavg_start" in r else ""),
             "", f"Server JVM (issue #7 scenarios): `{m['server_jvm']}`. Load-tool JVM: `{m['client_jvm']}`.", ""]
    if r.get("command"):
        lines[1:1] = ["", f"Command: `{r['command']}`" + (f", code at `{r['commit']}`." if r.get("commit") else ".")]
    if m.get("fastpath_server_jvm") and any(k in r for k in FAST_KEYS):
        lines += [f"Server JVM (fastpath scenarios): `{m['fastpath_server_jvm']}` on {m.get('server_java_version', '?')}.", ""]
    lines += ["Server CPU figures are the tasksync processes' CPU (user + system, /proc/<pid>/stat) over the "
              "measured window, per event acknowledged, per frame received by the load clients, or per "
              "handshake completed in it.", ""]
    if any(k in r for k in FAST_KEYS):
        lines += fastpath(r)
    if "presence" in r:
        lines += presence(r)
    if "presence_dapr" in r:
        lines += presence_dapr(r)
    if "wire" in r:
        lines += wire(r)
    if "idle" in r:
        lines += ["| idle connections | server processes | RSS after GC (MiB) | RSS before GC (MiB) | live heap (MiB) | "
                  "RSS KiB per connection (after GC / before) | live heap KiB per connection | connect time (s) | "
                  "server CPU µs per handshake |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for p in r["idle"]["points"]:
            lines.append(f"| {p['connections']:,} | {p['servers']} | {p['rss_mib']} | {p['rss_before_gc_mib']} | "
                         f"{p['live_heap_mib']} | {p['kib_per_connection']} / {p['kib_per_connection_before_gc']} | "
                         f"{p['heap_kib_per_connection']} | {p['connect_ms'] / 1000:.1f} | "
                         f"{v(p.get('server_cpu_us_per_handshake'))} |")
        lines.append("")
    if "personal" in r:
        per = r["personal"]
        lines += [f"Personal fan-out: {per['connections']:,} connections, {per['users']:,} users (1-3 connections each), "
                  f"events per request: {per['bulk']}.", "",
                  "| target deliveries/s | delivered/s | events/s | events per request | p50 ms | p99 ms | p99.9 ms | max ms | "
                  "received / expected | server CPU µs per event / per delivery |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for s in per["steps"]:
            lines.append(f"| {s['target_deliveries_per_s']:,} | {s['delivered_per_s']:,} | {s['events_per_s']:,} | "
                         f"{s.get('events_per_request', per['bulk'])} | "
                         f"{s['p50_us'] / 1000:.1f} | {s['p99_us'] / 1000:.1f} | {s['p999_us'] / 1000:.1f} | "
                         f"{s['max_us'] / 1000:.1f} | {s['received']:,} / {s['expected_deliveries']:,} | "
                         f"{v(s.get('server_cpu_us_per_event'))} / {v(s.get('server_cpu_us_per_delivery'))} |")
        lines.append("")
    if "broadcast" in r:
        cpu = any("server_cpu_s" in x for run in r["broadcast"]["runs"] for x in run["runs"])
        lines += ["| subscribers | server processes | last subscriber (ms), each run | p50 (ms), each run | received |"
                  + (" server / load-tool CPU s per broadcast | server CPU µs per delivery, idle subtracted (idle included) |"
                     if cpu else ""),
                  "|---|---|---|---|---|" + ("---|---|" if cpu else "")]
        for run in r["broadcast"]["runs"]:
            row = (f"| {run['subscribers']:,} | {run['servers']} | {', '.join(str(x['last_ms']) for x in run['runs'])} | "
                   f"{', '.join(str(x['p50_ms']) for x in run['runs'])} | "
                   f"{', '.join(str(x['received']) for x in run['runs'])} |")
            if cpu:
                row += (f" {', '.join(str(x['server_cpu_s']) + ' / ' + str(x['client_cpu_s']) for x in run['runs'])} | "
                        f"{', '.join(v(x.get('server_cpu_us_per_delivery')) + ' (' + v(x.get('server_cpu_us_per_delivery_idle_included')) + ')' for x in run['runs'])} |")
            lines.append(row)
        lines.append("")
    if "ingest" in r:
        lines += ["| route ingest | events acknowledged SUCCESS | seconds | events/s | server CPU µs per event | "
                  "publisher cores |", "|---|---|---|---|---|---|"]
        for x in r["ingest"]["runs"]:
            kind = f"bulk, {x['bulk']} per request" if x["bulk"] else "one event per request"
            lines.append(f"| {kind} | {x['acked']:,} | {x['seconds']} | {x['acked_per_s']:,} | "
                         f"{v(x.get('server_cpu_us_per_event'))} | {v(x.get('publisher_cores'), 2)} |")
        lines.append("")
    if "ingest_dapr" in r:
        lines += ["| through daprd + Kafka | events | seconds | events/s | CPU µs per event: app (tasksync) / daprd / Kafka |"
                  " cores: app / daprd / Kafka | second half of the drain: events/s, µs per event app / daprd |",
                  "|---|---|---|---|---|---|---|"]
        for x in r["ingest_dapr"]["runs"]:
            h = x.get("second_half")
            half = (f"{h['acked_per_s']:,}, {v(h.get('app_cpu_us_per_event'))} / {v(h.get('daprd_cpu_us_per_event'))}"
                    if h else "–")
            lines.append(f"| {'bulk subscribe' if x['bulk_subscribe'] else 'per-event subscribe'} | {x['acked']:,} | "
                         f"{x['seconds']} | {x['acked_per_s']:,} | {v(x.get('app_cpu_us_per_event'))} / "
                         f"{v(x.get('daprd_cpu_us_per_event'))} / {v(x.get('kafka_cpu_us_per_event'))} | "
                         f"{v(x.get('app_cores'), 2)} / {v(x.get('daprd_cores'), 2)} / {v(x.get('kafka_cores'), 2)} | {half} |")
        lines.append("")
    if "churn" in r:
        c = r["churn"]
        lines += ["| connect churn | handshakes | failed | handshakes/s | handshake p50 ms | p99 ms | server CPU µs per handshake |",
                  "|---|---|---|---|---|---|---|",
                  f"| JWT verified, greeting received, closed | {c['handshakes']:,} | {c['failed']} | {c['handshakes_per_s']:,} | "
                  f"{c['handshake_p50_us'] / 1000:.1f} | {c['handshake_p99_us'] / 1000:.1f} | "
                  f"{v(c.get('server_cpu_us_per_handshake'))} |", ""]
    return "\n".join(lines)


FAST_KEYS = ("route", "broadcast15k", "handshake", "idle15k", "moderate", "compression", "sse")


def each(sc, key, digits=1, scale=1.0):
    """'**median** (run 1, run 2, ...)' for one value of a fastpath scenario."""
    runs = sc["runs"]
    vals = [x.get(key) for x in runs]
    if all(x is None for x in vals):
        return "–"
    fmt = lambda x: "–" if x is None else v(x * scale if scale != 1 else x, digits)
    med = sc["median"].get(key)
    head = f"**{fmt(med)}**"
    return head if len(runs) == 1 else f"{head} ({', '.join(fmt(x) for x in vals)})"


def wire(r):
    """Issue #12: payload bytes on the wire per event, with and without permessage-deflate."""
    w = r["wire"]
    lines = ["Bytes on the wire (frame payload) for one task event, received by a client offering "
             f"permessage-deflate and by one that does not (negotiated: {w.get('negotiated')}).", "",
             "| event | uncompressed | with permessage-deflate | sent compressed |", "|---|---|---|---|"]
    for name in ("typical", "10KiB"):
        x = w[name]
        lines.append(f"| {name} | {x['on_wire_uncompressed']:,} | {x['on_wire_deflate']:,} | {x['deflate_frame_compressed']} |")
    return lines + [""]


def fastpath(r):
    """Issue #17's table: one row per scenario, each cell the median and every run."""
    rows = []
    if "moderate" in r:
        rows += [("moderate (warm)", r["moderate"]["warm"]), ("moderate (fresh JVM)", r["moderate"]["fresh"])]
    rows = [(k, r[k]) for k in ("route", "broadcast15k", "handshake", "idle15k") if k in r] + rows
    if "compression" in r:
        rows += [(f"compression-{k}", r["compression"][k]) for k in ("plain", "deflate") if k in r["compression"]]
    if "sse" in r:
        rows += [(f"transport-{k}", r["sse"][k]) for k in ("ws", "sse") if k in r["sse"]]
    lines = ["Issue #17 (fastpath): each cell is the **median**, then every run in order.", "",
             "| scenario | events/s acknowledged | server CPU µs per event | server CPU µs per delivery | "
             "server CPU µs per handshake | latency (ms) | memory (KiB per connection) | longest GC pause (ms) | "
             "load tools, all processes (cores) | load avg (1 min) at each run |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, sc in rows:
        lat, mem, tools = "–", "–", "–"
        if name == "route":
            tools = f"publisher {each(sc, 'publisher_cores', 2)}; limit: {', '.join(sorted({x['limit'] for x in sc['runs']}))}"
            what = f"route: 1 event per request, 2 deliveries each, saturating ({sc.get('connections', 0):,} connections)"
        elif name == "broadcast15k" or name.startswith(("compression-", "transport-")):
            lat = f"last subscriber {each(sc, 'last_ms')}; worst of series {each(sc, 'last_ms_max')}; p50 {each(sc, 'p50_ms')}"
            tools = f"load client {each(sc, 'client_cores', 2)}"
            what = (f"broadcast to {sc.get('connections', 0):,} subscribers, one process "
                    f"({sc['runs'][0]['broadcasts']} per run)")
            if name.startswith("compression-"):
                what = (f"{'permessage-deflate' if name.endswith('deflate') else 'uncompressed'}: a padded event "
                        f"broadcast to {sc.get('connections', 0):,} subscribers ({sc['runs'][0]['broadcasts']} per run)")
                mem = f"live heap {v(sc.get('live_heap_per_connection_kib'), 2)}"
            if name.startswith("transport-"):
                what = (f"{'SSE streams' if name.endswith('sse') else 'WebSockets'}: a padded event broadcast to "
                        f"{sc.get('connections', 0):,} subscribers ({sc['runs'][0]['broadcasts']} per run)")
                mem = f"live heap {v(sc.get('live_heap_per_connection_kib'), 2)}"
        elif name == "handshake":
            lat = f"all {sc['connections']:,} open in {each(sc, 'wall_ms', 2, 0.001)} s"
            tools = f"load client {each(sc, 'client_cores', 2)}"
            what = f"handshake: {sc['connections']:,} connections at once, JWT verified"
        elif name == "idle15k":
            mem = (f"RSS {each(sc, 'kib_per_connection', 2)} (before GC {each(sc, 'kib_per_connection_before_gc', 2)}); "
                   f"live heap {each(sc, 'heap_kib_per_connection', 2)}")
            what = f"idle: {sc['runs'][0]['connections']:,} connections, shipped JVM flags"
        else:
            lat = (f"p50 {each(sc, 'p50_ms', 2)}; p99 {each(sc, 'p99_ms', 2)}; p99.9 {each(sc, 'p999_ms', 2)}; "
                   f"max {each(sc, 'max_ms', 2)}")
            tools = f"publisher {each(sc, 'publisher_cores', 2)}"
            what = (f"{name}: {sc['connections']:,} connections, one event per request, {sc['seconds']} s"
                    + (" from start" if "fresh" in name else ""))
        if sc["runs"] and "machine_cores" in sc["runs"][0]:
            tools += f"; whole machine {each(sc, 'machine_cores', 2)}"
        if name == "handshake":
            tools += f"; limit: {', '.join(sorted({x['limit'] for x in sc['runs']}))}"
        rows_cells = [what, each(sc, "acked_per_s", 0), each(sc, "server_cpu_us_per_event"),
                      each(sc, "server_cpu_us_per_delivery"), each(sc, "server_cpu_us_per_handshake"), lat, mem,
                      each(sc, "gc_max_pause_ms"), tools, ", ".join(str(x["loadavg"][0]) for x in sc["runs"])]
        lines.append("| " + " | ".join(rows_cells) + " |")
    lines.append("")
    fresh = r.get("moderate", {}).get("fresh")
    if fresh:
        lines += ["Fresh JVM under moderate load, per interval (each run): p99 ms / server CPU µs per delivery.", ""]
        bounds = [iv["until_s"] for iv in fresh["runs"][0]["intervals"]]
        lines += ["| run | " + " | ".join(f"interval {i + 1} (to ~{b:.0f} s)" for i, b in enumerate(bounds)) + " |",
                  "|---|" + "---|" * len(bounds)]
        for i, run in enumerate(fresh["runs"]):
            lines.append(f"| {i + 1} | " + " | ".join(f"{iv['p99_ms']} / {v(iv['server_cpu_us_per_delivery'])}"
                                                       for iv in run["intervals"]) + " |")
        lines.append("")
    for name, sc in rows:
        warms = [sc["warmup"]] if "warmup" in sc else [x["warmup"] for x in sc["runs"] if "warmup" in x]
        for w in warms:
            lines.append(f"Warm-up of {name}: {len(w['us_per_unit'])} steps in {w['seconds']} s, server CPU µs per unit "
                         f"{' → '.join(v(x) for x in w['us_per_unit'])}"
                         + ("" if w["stable"] else " (stopped by the time limit, not yet stable)") + ".")
    lines.append("")
    jvms = {}
    for name, sc in rows:
        info = sc.get("server")
        if info:
            jvms.setdefault((info["java"], info["java_version"], info["flags"], info.get("InitialHeapSize_mib"),
                             info.get("MaxHeapSize_mib")), []).append(name)
    for (binary, version, flags, initial, most), names in jvms.items():
        lines.append(f"Servers of {'; '.join(names)}: `{binary}` ({version}), flags `{flags}`"
                     + (f"; the JVM's heap here: initial {initial} MiB, max {most} MiB" if most else "") + ".")
    lines.append("")
    return lines


PRESENCE_ROWS = [
    ("subscribe, presence off: server CPU µs per connection (handshake + subscribe)", "plain", "server_cpu_us_per_handshake", 1),
    ("subscribe with presence: server CPU µs per connection (handshake + subscribe + snapshot)", "presence", "server_cpu_us_per_handshake", 1),
    ("opening all subscribers, presence off / on: wall ms", None, ("plain", "presence", "open_ms"), 0),
    ("live heap KiB per connection, presence off", "plain", "live_heap_per_connection_kib", 2),
    ("live heap KiB per connection, with presence", "presence", "live_heap_per_connection_kib", 2),
    ("presence_state bytes received over the opening (all subscribers)", "presence", "presence_state_bytes", 0),
    ("largest presence_state during the opening (bytes)", "presence", "presence_state_max_bytes", 0),
    ("presence_state of the full topic (bytes, probe)", "probe", "snapshot_bytes", 0),
    ("reply to {\"action\":\"presence\"} (bytes, probe)", "probe", "reply_bytes", 0),
    ("churn: diffs sent (whole window)", "churn", "diffs_sent", 0),
    ("churn: diffs per subscriber per second", "churn", "diffs_per_subscriber_per_s", 2),
    ("churn: bytes per diff delivery", "churn", "diff_bytes_per_delivery", 1),
    ("churn: server cores (idle rate included)", "churn", "server_cores", 2),
    ("churn: server CPU µs per diff (net of idle)", "churn", "server_cpu_us_per_diff", 0),
    ("churn: server CPU µs per diff delivery (net of idle)", "churn", "server_cpu_us_per_diff_delivery", 1),
    ("storm: all reconnected and subscribed after (ms)", "storm", "reconnect_ms", 0),
    ("storm: server CPU s until then", "storm", "server_cpu_s_to_reconnected", 2),
    ("storm: server CPU µs per reconnect", "storm", "server_cpu_us_per_reconnect", 1),
    ("storm: server CPU s, storm + grace + 3 s", "storm", "server_cpu_s", 2),
    ("storm: presence frames per subscriber (the snapshot and any diff)", "storm", "presence_frames_per_subscriber", 3),
    ("storm: presence_diff deliveries (all subscribers)", "storm", "presence_diffs", 0),
    ("storm: most presence frames one subscriber received", "storm", "presence_max_per_connection", 0),
]


def presence(r):
    """Issue #13: the cost of presence, one column per variant, each cell the median and every run."""
    pr = {k: x for k, x in r["presence"].items() if isinstance(x, dict) and "runs" in x}
    names = list(pr)

    def cell(sc, section, key, digits):
        vals = [x[section].get(key) for x in sc["runs"]]
        med = sc["median"].get(f"{section}_{key}")
        fmt = lambda x: "–" if x is None else v(round(x) if digits == 0 and isinstance(x, float) else x, digits)
        return f"**{fmt(med)}**" + ("" if len(vals) == 1 else f" ({', '.join(fmt(x) for x in vals)})")

    head = []
    for n in names:
        sc = pr[n]
        var, run0 = sc["variant"], sc["runs"][0]
        head.append(f"{n}: {run0['users']:,} users × {run0['connections_per_user']} connection(s), member limit "
                    f"{var.get('max_members', 1000):,}")
    lines = [f"Issue #13, presence: {pr[names[0]]['runs'][0]['subscribers']:,} subscribers of one topic, one server, "
             "single replica (no sidecar). Each cell: the **median**, then every run.", "",
             "| | " + " | ".join(head) + " |", "|---|" + "---|" * len(names)]
    for label, section, key, digits in PRESENCE_ROWS:
        cells = []
        for n in names:
            sc = pr[n]
            if section is None:
                a, b, k = key
                cells.append(f"{cell(sc, a, k, digits)} / {cell(sc, b, k, digits)}")
            else:
                cells.append(cell(sc, section, key, digits))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("| load avg (1 min) at each run's opening | " + " | ".join(
        ", ".join(str(x["presence"]["loadavg"][0]) for x in pr[n]["runs"]) for n in names) + " |")
    lines.append("")
    return lines


def presence_dapr(r):
    """Issue #13: presence replicated through a real daprd and Kafka, one replica."""
    d = r["presence_dapr"]
    lines = [f"Issue #13, presence replication: one replica with its daprd and one Kafka broker, {d.get('connected', 0):,} "
             "users each subscribed with presence to one topic. Messages and bytes: records and record-batch bytes "
             "appended to tasksync-presence in Kafka (what every replica's sidecar consumes).", "",
             "| window | seconds | messages/s | bytes/s | bytes per message | tasksync cores | daprd cores | Kafka cores | "
             "whole machine (cores) | load avg (1 min) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for key, label in (("steady", "steady (heartbeats only)"), ("churn", "churn")):
        w = d.get(key)
        if w:
            if key == "churn":
                label = f"churn: {w['rate_per_s']} users/s joining and leaving"
            lines.append(f"| {label} | {w['seconds']} | {v(w['messages_per_s'], 2)} | {v(w['bytes_per_s'])} | "
                         f"{v(w['bytes_per_message'])} | {v(w['server_cores'], 2)} | {v(w['daprd_cores'], 2)} | "
                         f"{v(w['kafka_cores'], 2)} | {v(w['machine_cores'], 2)} | {w['loadavg'][0]} |")
    lines.append("")
    return lines


def save(fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


if __name__ == "__main__":
    main(sys.argv[1])
