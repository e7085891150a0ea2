#!/usr/bin/env python3
"""tasksync "beyond one box" simulation: every-replica-reads-everything vs sharding by user.

Python 3 standard library only, deterministic (fixed seed), a few seconds to run:

    python3 src/test/sim/sim_scaling.py                 # the tables in src/docs/scaling.md
    python3 src/test/sim/sim_scaling.py --help          # every assumption is a flag

What is SIMULATED here (Monte Carlo over sampled events, exact sums where noted): who is
online, where connections land, which replica has a recipient for which event, how load
spreads over shards, how many users move when a shard is added. What is MEASURED comes in
only as per-event unit costs (--c-* flags, --bytes-per-record); their defaults are the
results of src/test/sim/measure_ingest.py on the 2-core CI-kind machine (see scaling.md,
"Measured inputs"). Everything else is an assumption with a flag.

Model
  users      U users, event rate per user ~ Zipf(s) over a random ranking (s = --zipf).
  online     a user is online with probability --online (independent of activity), or with
             --online-model activity: p(u) = min(1, a * w(u)^0.5), a chosen so the mean is --online.
  conns      an online user has 1..3 connections (uniform), each placed by the load balancer
             on a uniformly random replica (current design) or a random replica of the
             user's shard (sharded design).
  topics     a fraction --topic-share of events are topic events; U/20 topics, event rate per
             topic ~ Zipf(1.0), online subscribers per topic ~ power law P(n) ~ n^-2 on 1..10000
             (most topics: a few members; a few topics: thousands), subscribers are random users.
  sharded    S shards x R replicas (N = S*R). shard(user) = jump consistent hash of the user id.
             Every replica of a shard reads the whole shard (own consumer group, as today).
             A router re-publishes each event once into its shard topic (task events) and
             into every shard that has a subscriber ("interest") or every shard ("broadcast")
             for topic events.
"""
import argparse
import bisect
import math
import random
import sys
import time

MASK = (1 << 64) - 1


def mix(x):
    """splitmix64 finalizer: a fast, well-spread, deterministic 64-bit hash."""
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def h(*parts):
    x = 0x5EED
    for p in parts:
        x = mix(x ^ (p & MASK))
    return x


def unit(x):
    return (x >> 11) / float(1 << 53)


def jump(key, n):
    """Jump consistent hash (Lamping & Veach 2014): bucket in [0, n), moves 1/(n+1) of keys on n -> n+1."""
    b, j = -1, 0
    while j < n:
        b = j
        key = (key * 2862933555777941757 + 1) & MASK
        j = int((b + 1) * (float(1 << 31) / float((key >> 33) + 1)))
    return b


class Zipf:
    """Zipf(s) over ranks 1..n: exact weights for the first `head` ranks, geometric buckets for the
    tail (ratio 1.02, weight = integral of x^-s over the bucket, rank uniform inside)."""

    def __init__(self, n, s, head=100_000):
        self.n, self.s = n, s
        head = min(n, head)
        self.head = head
        w = [r ** -s for r in range(1, head + 1)]
        self.buckets = []  # (lo, hi) rank ranges of the tail
        tail_w = []
        lo = head + 1
        while lo <= n:
            hi = min(n, max(lo, int(lo * 1.02)))
            self.buckets.append((lo, hi))
            tail_w.append(self._integral(lo - 0.5, hi + 0.5))
            lo = hi + 1
        allw = w + tail_w
        self.total = sum(allw)
        self.cum = []
        acc = 0.0
        for x in allw:
            acc += x
            self.cum.append(acc)
        self.tail_weight = sum(tail_w) / self.total

    def _integral(self, a, b):
        s = self.s
        return math.log(b / a) if abs(s - 1) < 1e-12 else (b ** (1 - s) - a ** (1 - s)) / (1 - s)

    def share(self, rank):
        """Fraction of all events that rank `rank` produces."""
        return rank ** -self.s / self.total

    def sample(self, rng, k):
        idx = rng.choices(range(len(self.cum)), cum_weights=self.cum, k=k)
        out = []
        for i in idx:
            if i < self.head:
                out.append(i + 1)
            else:
                lo, hi = self.buckets[i - self.head]
                out.append(rng.randint(lo, hi))
        return out

    def top_share(self, frac):
        """Share of events produced by the top `frac` of users (tail part by integral)."""
        k = max(1, int(self.n * frac))
        if k <= self.head:
            return self.cum[k - 1] / self.total
        return (self.cum[self.head - 1] + self._integral(self.head + 0.5, k + 0.5)) / self.total


class Workload:
    """Everything about one user population that does not depend on the number of replicas."""

    def __init__(self, a, users, rng):
        self.U = users
        self.a = a
        self.z = Zipf(users, a.zipf)
        self.online_scale = self._online_scale() if a.online_model == "activity" else None
        m_task = int(a.samples * (1 - a.topic_share))
        m_topic = a.samples - m_task
        # task events: owner key, and the placement hashes of its connections (empty when offline)
        self.task = []
        for r in rng_sample(self.z, rng, m_task):
            key = h(r, 0xA11CE)
            self.task.append((key, self.conn_hashes(key, r) if self.online(key, r) else ()))
        # topic events: for each, the (key, conn hashes) of every online subscriber
        tz = Zipf(max(1, users // 20), 1.0)
        self.sub_cum = _powerlaw_cum(2.0, min(10_000, max(1, int(users * a.online))))
        self.topic = []
        for t in rng_sample(tz, rng, m_topic):
            n = bisect.bisect_left(self.sub_cum, unit(h(t, 7))) + 1
            subs = []
            for i in range(n):
                key = h(t, 8, i)
                subs.append((key, self.conn_hashes(key, None)))
            self.topic.append(subs)
        self.d_ev = sum(1 for _, c in self.task if c) / max(1, len(self.task))
        self.mean_conns = (sum(len(c) for _, c in self.task if c) / max(1, sum(1 for _, c in self.task if c)))
        self.mean_subs = sum(len(s) for s in self.topic) / max(1, len(self.topic))

    def _online_scale(self):
        """a such that the mean over users of min(1, a * (U*w)^0.5) is --online (bisection)."""
        z, U, f = self.z, self.U, self.a.online

        # ranks 1..1000 exactly, the rest in geometric buckets (ratio 1.05), evaluated at the bucket's geometric mean
        pts = [(r, 1) for r in range(1, min(U, 1000) + 1)]
        lo = 1001
        while lo <= U:
            hi = min(U, max(lo, int(lo * 1.05)))
            pts.append((math.sqrt(lo * hi), hi - lo + 1))
            lo = hi + 1

        def mean_p(scale):
            return sum(n * min(1.0, scale * (U * z.share(r)) ** 0.5) for r, n in pts) / U
        lo, hi = 1e-9, 1e3
        for _ in range(60):
            mid = math.sqrt(lo * hi)
            lo, hi = (mid, hi) if mean_p(mid) < f else (lo, mid)
        return lo

    def online(self, key, rank):
        if self.online_scale is None or rank is None:
            return unit(h(key, 1)) < self.a.online
        return unit(h(key, 1)) < min(1.0, self.online_scale * (self.U * self.z.share(rank)) ** 0.5)

    @staticmethod
    def conn_hashes(key, _rank):
        return tuple(h(key, 3, j) for j in range(1 + h(key, 2) % 3))


def rng_sample(z, rng, k):
    return z.sample(rng, k) if k > 0 else []


def _powerlaw_cum(alpha, nmax):
    w = [n ** -alpha for n in range(1, nmax + 1)]
    tot = sum(w)
    cum, acc = [], 0.0
    for x in w:
        acc += x / tot
        cum.append(acc)
    cum[-1] = 1.0
    return cum


# ---------------------------------------------------------------------------------------------
# designs

def broadcast(w, n):
    """Current design: every replica reads every event. Returns per-replica fractions."""
    useful = deliveries = 0
    for _, conns in w.task:
        if conns:
            useful += len({c % n for c in conns})
            deliveries += len(conns)
    t_useful = t_deliv = 0
    for subs in w.topic:
        reps = set()
        for _, conns in subs:
            for c in conns:
                reps.add(c % n)
            t_deliv += len(conns)
        t_useful += len(reps)
    m = len(w.task) + len(w.topic)
    return {"ingest_frac": 1.0,  # of E, per replica
            "useful": (useful + t_useful) / (n * m),
            "deliveries_per_event_per_replica": (deliveries + t_deliv) / (n * m)}


def sharded(w, s, r, topic_mode):
    """S shards x R replicas. Per-replica numbers are averages; hot-shard load is computed separately."""
    n = s * r
    m = len(w.task) + len(w.topic)
    reads = useful = 0
    for key, conns in w.task:
        reads += r  # every replica of the owner's shard reads it
        if conns:
            useful += len({c % r for c in conns})
    topic_shards = 0
    for subs in w.topic:
        shards = {}
        for key, conns in subs:
            shards.setdefault(jump(key, s), set()).update(c % r for c in conns)
        k = len(shards) if topic_mode == "interest" else s
        topic_shards += k
        reads += r * k
        useful += sum(len(v) for v in shards.values())
    return {"ingest_frac": reads / (n * m),  # mean replica reads, as a fraction of E
            "useful": useful / reads,
            "topic_shards_per_event": topic_shards / max(1, len(w.topic))}


def hot_shard(z, s):
    """Max / mean task-event load over shards: exact over the head ranks, tail spread evenly."""
    load = [z.tail_weight / s] * s
    for rank in range(1, z.head + 1):
        load[jump(h(rank, 0xA11CE), s)] += z.share(rank)
    return max(load) * s


def moved(keys, assign, s):
    a = [assign(k, s) for k in keys]
    b = [assign(k, s + 1) for k in keys]
    counts = [0] * s
    for x in a:
        counts[x] += 1
    return sum(1 for x, y in zip(a, b) if x != y) / len(keys), max(counts) * s / len(keys)


def ring_assign(vnodes):
    cache = {}

    def assign(key, s):
        if s not in cache:
            pts = sorted((h(0x5A4D, k, v), k) for k in range(s) for v in range(vnodes))
            cache[s] = ([p for p, _ in pts], [k for _, k in pts])
        pts, owners = cache[s]
        i = bisect.bisect_left(pts, key)
        return owners[i % len(owners)]
    return assign


def rendezvous(key, s):
    return max(range(s), key=lambda k: h(key, k))


# ---------------------------------------------------------------------------------------------
# output

def table(title, header, rows, note=None):
    print(f"\n{title}")
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    fmt = "| " + " | ".join("{:>%d}" % wd for wd in widths) + " |"
    print(fmt.format(*header))
    print("|" + "|".join("-" * (wd + 1) + ":" for wd in widths) + "|")
    for row in rows:
        print(fmt.format(*row))
    if note:
        print(note)


def pct(x):
    return f"{100 * x:.1f}%"


def si(x):
    for unit_, div in (("M", 1e6), ("k", 1e3)):
        if x >= div:
            v = x / div
            return f"{v:.0f}{unit_}" if v >= 10 else f"{v:.1f}{unit_}".replace(".0" + unit_, unit_)
    return f"{x:.0f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--users", default="100000,1000000,10000000")
    ap.add_argument("--rates", default="1000,10000,100000", help="total events/s E")
    ap.add_argument("--replicas", default="2,4,8,16,32,64")
    ap.add_argument("--zipf", type=float, default=1.0, help="per-user event-rate skew (assumption)")
    ap.add_argument("--online", type=float, default=0.10, help="fraction of users online (assumption)")
    ap.add_argument("--online-model", choices=("independent", "activity"), default="independent")
    ap.add_argument("--topic-share", type=float, default=0.10, help="fraction of events that are topic events")
    ap.add_argument("--samples", type=int, default=60_000, help="events sampled per population")
    # measured on this machine by measure_ingest.py (scaling.md, "Measured inputs"), rounded
    ap.add_argument("--c-sidecar", type=float, default=300.0,  # measured 272-325
                    help="us CPU per event in the subscriber daprd (Kafka fetch + HTTP POST to the app)")
    ap.add_argument("--c-app", type=float, default=360.0,  # measured 356-380 as fed by daprd
                    help="us CPU per event in tasksync with no local recipient (HTTP, parse, encode, dedup, history)")
    ap.add_argument("--c-first", type=float, default=60.0,  # measured 47-95
                    help="us CPU once per event that has at least one local recipient")
    ap.add_argument("--c-deliver", type=float, default=4.0,  # measured 3.7-4.2
                    help="us CPU per frame delivered to a connection")
    ap.add_argument("--c-publish", type=float, default=270.0,  # measured 243-298
                    help="us CPU per event in a publishing daprd (router)")
    ap.add_argument("--bytes-per-record", type=float, default=565.0, help="Kafka log bytes per event (measured 564-565)")
    ap.add_argument("--frame-bytes", type=int, default=276,
                    help="encoded task_update frame of measure_ingest.py's sample event (history entry payload)")
    ap.add_argument("--history-age", type=float, default=300.0, help="tasksync.history.max-age, s")
    ap.add_argument("--history-per-stream", type=int, default=100)
    ap.add_argument("--id-window", type=int, default=100_000, help="tasksync.history.id-window")
    ap.add_argument("--replica-cores", type=float, default=2.0, help="vCPU of one replica (app + sidecar)")
    ap.add_argument("--conns-per-replica", type=int, default=50_000,
                    help="connections one replica is sized for (assumption; not measured yet)")
    ap.add_argument("--events-per-user", type=float, default=0.01, help="events/s per registered user (growth table)")
    a = ap.parse_args()
    t0 = time.time()
    users = [int(x) for x in a.users.split(",")]
    rates = [int(x) for x in a.rates.split(",")]
    ns = [int(x) for x in a.replicas.split(",")]
    c_ing = a.c_sidecar + a.c_app
    c_router = a.c_sidecar + a.c_app + a.c_publish

    print(f"sim_scaling.py seed={a.seed} samples={a.samples} zipf={a.zipf} online={a.online} ({a.online_model}) "
          f"topic-share={a.topic_share}")
    print(f"unit costs (us CPU/event): sidecar {a.c_sidecar:g} + app {a.c_app:g} = ingest {c_ing:g}; "
          f"deliver {a.c_first:g}/event with a local recipient + {a.c_deliver:g}/frame; router {c_router:g}; {a.bytes_per_record:g} B/record")

    rng = random.Random(a.seed)
    work = {}
    rows = []
    for u in users:
        w = Workload(a, u, rng)
        work[u] = w
        rows.append([si(u), pct(w.z.share(1)), pct(w.z.top_share(0.01)), pct(w.z.top_share(0.2)),
                     pct(w.d_ev), f"{w.mean_conns:.2f}", f"{w.mean_subs:.1f}"])
    table("T1 workload (simulated sample)",
          ["users", "top user", "top 1% users", "top 20%", "events w/ owner online", "conns/online owner",
           "online subs/topic"], rows)

    # ---- T2: current design, useful vs wasted per replica
    rows = []
    bc = {}
    for u in users:
        row = [si(u)]
        for n in ns:
            r = broadcast(work[u], n)
            bc[(u, n)] = r
            row.append(pct(1 - r["useful"]))
        rows.append(row)
    table("T2 current design: share of ingested events a replica processes with NO local recipient (simulated)",
          ["users"] + [f"N={n}" for n in ns], rows,
          "   (per replica ingest = E at every N; the useful share falls ~1/N)")

    # ---- T2b: sensitivity to who is online
    a2 = argparse.Namespace(**vars(a))
    a2.online_model = "activity"
    w2 = Workload(a2, users[len(users) // 2], random.Random(a.seed + 1))
    rows = [[f"activity-correlated, U={si(w2.U)}", pct(w2.d_ev)] + [pct(1 - broadcast(w2, n)["useful"]) for n in ns],
            [f"independent, U={si(w2.U)}", pct(work[w2.U].d_ev)]
            + [pct(1 - bc_n["useful"]) for bc_n in (broadcast(work[w2.U], n) for n in ns)]]
    table(f"T2b same, if active users are more often online (p ~ sqrt(rate), mean {pct(a.online)}) (simulated)",
          ["online model", "events w/ owner online"] + [f"N={n}" for n in ns], rows)

    # ---- T3: current design, cost per replica and cluster (unit costs x rates)
    rows = []
    u_mid = users[len(users) // 2]
    for e in rates:
        ingest_cores = e * c_ing / 1e6
        deliver = [e * (bc[(u_mid, n)]["useful"] * a.c_first + bc[(u_mid, n)]["deliveries_per_event_per_replica"]
                        * a.c_deliver) / 1e6 for n in ns]
        rows.append([si(e), si(e), f"{ingest_cores:.2f}", f"{deliver[0]:.3f} .. {deliver[-1]:.3f}"]
                    + [f"{n * ingest_cores:.1f} / {n * e * a.bytes_per_record / 1e6:.0f}" for n in ns])
    table(f"T3 current design, U={si(u_mid)}: per replica (same at every N), and cluster ingest cores / Kafka MB/s read "
          "by N (simulated shares x measured unit costs)",
          ["E ev/s", "ingest ev/s/replica", "ingest cores/replica", f"deliver cores/replica N={ns[0]}..{ns[-1]}"]
          + [f"N={n}" for n in ns], rows,
          f"   a replica of {a.replica_cores:g} cores saturates on ingest alone at {a.replica_cores / c_ing * 1e6:.0f} ev/s")

    # ---- T4: EventLog history per replica (current design stores every user's stream)
    rows = []
    for e in rates:
        for u in users:
            z = work[u].z
            # entries kept = sum over users of min(perStream, rate_u * maxAge); streams = users with an event in maxAge
            kept = streams = 0.0
            for rk in range(1, z.head + 1):
                lam = e * z.share(rk) * a.history_age
                kept += min(a.history_per_stream, lam)
                streams += 1 - math.exp(-lam)
            for lo, hi in z.buckets:
                lam = e * z.share(math.sqrt(lo * hi)) * a.history_age
                kept += (hi - lo + 1) * min(a.history_per_stream, lam)
                streams += (hi - lo + 1) * (1 - math.exp(-lam))
            gb = (kept * (a.frame_bytes + 64) + streams * 200) / 1e9
            rows.append([si(e), si(u), si(streams), si(kept), f"{gb:.2f}", f"{a.id_window / e:.0f} s"])
    table(f"T4 resume history per replica, current design (estimate: {a.frame_bytes} B frame + 64 B per entry, "
          f"200 B per stream; max-age {a.history_age:g} s, {a.history_per_stream}/stream, id-window {si(a.id_window)})",
          ["E ev/s", "users", "streams", "entries kept", "GB/replica", "since= resolvable for"], rows,
          "   (sharded: streams, entries and GB divide by S; the id window covers S times longer)")

    # ---- T5: sharded design vs current, U=u_mid
    rows = []
    sh = {}  # (N, R, mode) -> (result, hot/mean)
    for n in ns:
        for r_ in (1, 2):
            if n % r_ or (r_ == 2 and n < 4):
                continue
            s = n // r_
            hs = hot_shard(work[u_mid].z, s)
            for mode in ("interest", "broadcast"):
                if mode == "broadcast" and r_ == 2:
                    continue
                res = sharded(work[u_mid], s, r_, mode)
                sh[(n, r_, mode)] = (res, hs)
                k = res["topic_shards_per_event"]
                hot_frac = r_ * ((1 - a.topic_share) * hs / n + a.topic_share * k / n)
                cluster = n * res["ingest_frac"] + c_router / c_ing  # in units of E * c_ing
                waste_cur = n * (1 - bc[(u_mid, n)]["useful"])
                rows.append([n, f"{s}x{r_}", mode, pct(res["ingest_frac"]), pct(hot_frac), f"{hs:.2f}",
                             f"{k:.2f}", pct(1 - res["useful"]),
                             f"{n * res['ingest_frac'] * (1 - res['useful']):.2f} / {waste_cur:.2f}",
                             f"{cluster:.1f} / {n}", f"{1 + n * res['ingest_frac']:.1f} / {n}"])
    table(f"T5 sharded design, U={si(u_mid)} (simulated): per-replica ingest as % of E, waste, and cluster totals "
          "in units of one full ingest stream (E events x per-event cost)",
          ["N", "SxR", "topic events", "mean replica ingest", "hottest replica", "hot/mean", "shards/topic ev",
           "no-recipient share", "no-recipient reads sharded / current", "cluster CPU sharded / current",
           "Kafka reads sharded / current"], rows,
          f"   cluster CPU includes the router hop (sidecar in + app + sidecar out = {c_router / c_ing:.2f} ingest units);"
          " Kafka reads in units of E x record size (router reads the source topic once)")

    # ---- T6: skew sensitivity: hottest shard / mean
    rows = []
    for s_ in (0.6, 0.8, 1.0, 1.2):
        z = Zipf(u_mid, s_)
        rows.append([s_, pct(z.share(1))] + [f"{hot_shard(z, s):.2f}" for s in ns])
    table(f"T6 hottest shard / mean shard load vs Zipf exponent, U={si(u_mid)} (exact over top 100k users)",
          ["zipf s", "top user share"] + [f"S={s}" for s in ns], rows,
          "   a user's events stay in one partition (ordering), so one hot user bounds the shard")

    # ---- T7: rebalancing: users moved when a shard is added (S -> S+1)
    keys = [h(i, 0xB0B) for i in range(50_000)]
    ring = ring_assign(100)
    rows = []
    for s in ns:
        mm, mb = moved(keys, lambda k, n: k % n, s)
        rm, rb = moved(keys, ring, s)
        jm, jb = moved(keys, jump, s)
        hm, hb = moved(keys[:10_000], rendezvous, s)
        conns = users[-1] * a.online * 2  # online users x mean 2 connections
        rows.append([f"{s}->{s + 1}", pct(1 / (s + 1)), pct(mm), f"{mb:.2f}", pct(rm), f"{rb:.2f}", pct(jm),
                     f"{jb:.2f}", pct(hm), si(conns * jm), si(conns * mm)])
    table(f"T7 adding one shard (simulated, 50k user ids; rendezvous 10k): users that change shard, and max/mean users "
          f"per shard (modulo's max/mean is the sampling-noise floor); reconnects at U={si(users[-1])}, "
          f"{pct(a.online)} online x 2 conns",
          ["S", "ideal 1/(S+1)", "modulo moved", "modulo max/mean", "ring(100 vnodes) moved", "ring max/mean",
           "jump moved", "jump max/mean", "rendezvous moved", "reconnects (jump)", "reconnects (modulo)"], rows)

    # ---- T8: crossover
    rows = []
    cross = next((n for n in ns if n * 1.0 > n * sh[(n, 1, "interest")][0]["ingest_frac"] + c_router / c_ing), None)
    for e in rates:
        per_rep = e * c_ing / 1e6
        rows.append([si(e), f"{per_rep:.2f}", f"{per_rep / a.replica_cores:.0%}"] +
                    [f"{n * per_rep * (1 - bc[(u_mid, n)]['useful']):.1f}" for n in ns])
    table(f"T8 current design, U={si(u_mid)}: ingest cores per replica (same at every N) and cluster-wide cores spent "
          "on events with no local recipient, by N (simulated share x measured cost)",
          ["E ev/s", "ingest cores/replica", f"of a {a.replica_cores:g}-core replica"] + [f"N={n}" for n in ns], rows,
          f"   total ingest CPU of a sharded cluster (R=1, interest routing, router included) is lower from N={cross} on;"
          f" one replica's ingest ceiling is {a.replica_cores / c_ing * 1e6:.0f} ev/s at {a.replica_cores:g} cores "
          "(no delivery work), whatever N is")

    # ---- T9: growth
    rows = []
    for u in users:
        e = u * a.events_per_user
        conns = u * a.online * 2
        n = max(2, math.ceil(conns / a.conns_per_replica))
        per_rep_cur = e * c_ing / 1e6
        res = sharded(work[u], n, 1, "interest")
        hs = hot_shard(work[u].z, n)
        k = res["topic_shards_per_event"]
        per_rep_sh = per_rep_cur * ((1 - a.topic_share) * hs / n + a.topic_share * k / n)
        hs08 = hot_shard(Zipf(u, 0.8), n)
        per_rep_sh08 = per_rep_cur * ((1 - a.topic_share) * hs08 / n + a.topic_share * k / n)
        rows.append([si(u), si(e), si(conns), n, f"{per_rep_cur:.2f}", f"{n * per_rep_cur:.1f}",
                     f"{per_rep_sh:.2f} ({per_rep_sh08:.2f})", f"{per_rep_cur * n * res['ingest_frac'] + e * c_router / 1e6:.1f}",
                     f"{n * e * a.bytes_per_record / 1e6:.0f}",
                     f"{(1 + n * res['ingest_frac']) * e * a.bytes_per_record / 1e6:.0f}"])
    table(f"T9 growth: {a.events_per_user:g} events/s per user, {pct(a.online)} online x 2 conns, "
          f"{si(a.conns_per_replica)} conns per replica (assumed); sharded = S=N, R=1, interest routing",
          ["users", "E ev/s", "connections", "N", "current: ingest cores/replica", "current: cluster cores",
           "sharded: hottest replica cores (zipf 0.8)", "sharded: cluster+router cores", "current Kafka read MB/s",
           "sharded Kafka read MB/s"], rows,
          f"   current design ceiling: E = {a.replica_cores / c_ing * 1e6:.0f} ev/s (one {a.replica_cores:g}-core replica's"
          f" ingest) = {a.replica_cores / c_ing * 1e6 / a.events_per_user:,.0f} users at this per-user rate")
    # ---- T10: a brand-new consumer group starts at the oldest retained record (initialOffset: oldest)
    ceiling = a.replica_cores / c_ing * 1e6
    rows = []
    for e in (300, 1000, 2000):
        rows.append([si(e)] + [f"{ret * e / (ceiling - e) / 3600:.1f} h" if e < ceiling else "never"
                               for ret in (3600, 86400, 7 * 86400)])
    table(f"T10 catch-up of a NEW replica (new consumer group, initialOffset=oldest) at the ingest ceiling of "
          f"{ceiling:.0f} ev/s (arithmetic from measured unit costs)",
          ["E ev/s", "retention 1 h", "retention 24 h", "retention 7 d (Kafka default)"], rows)
    print(f"\n(done in {time.time() - t0:.1f} s)")


if __name__ == "__main__":
    sys.exit(main())
