// src/core/backoff.ts
function e(e, t, n) {
	return Math.max(0, Math.min(n, t * 2 ** Math.min(Math.max(0, Math.floor(e)), 30)));
}
function t(e, t) {
	let n = t(), r = Math.floor((Number.isFinite(n) ? n : 0) * e);
	return Math.min(Math.max(0, r), Math.max(0, e));
}
function n(n, r, i, a) {
	return t(e(n, r, i), a);
}
// src/core/emitter.ts
var r = class {
	listeners = /* @__PURE__ */ new Map();
	on(e, t) {
		let n = this.listeners.get(e);
		return n || this.listeners.set(e, n = /* @__PURE__ */ new Set()), n.add(t), () => {
			n.delete(t);
		};
	}
	emit(e, t) {
		let n = this.listeners.get(e);
		if (n) for (let e of [...n]) try {
			e(t);
		} catch (e) {
			queueMicrotask(() => {
				throw e;
			});
		}
	}
}, i = {
	CONNECTING: 0,
	OPEN: 1,
	CLOSING: 2,
	CLOSED: 3
};
function a(e = {}) {
	let t = globalThis, n = (t, n) => e[t] === void 0 ? n : e[t];
	return {
		WebSocket: n("WebSocket", t.WebSocket),
		fetch: n("fetch", (e, n) => t.fetch(e, n)),
		setTimeout: n("setTimeout", (e, n) => t.setTimeout(e, n)),
		clearTimeout: n("clearTimeout", (e) => t.clearTimeout(e)),
		random: n("random", Math.random),
		now: n("now", Date.now),
		network: n("network", typeof t.addEventListener == "function" ? t : null),
		visibility: n("visibility", t.document && typeof t.document.addEventListener == "function" ? t.document : null),
		isOnline: n("isOnline", () => typeof t.navigator?.onLine != "boolean" || t.navigator.onLine)
	};
}
// src/core/seen-ids.ts
var o = class {
	capacity;
	ids = /* @__PURE__ */ new Set();
	constructor(e) {
		this.capacity = e;
	}
	add(e) {
		if (this.ids.has(e)) return this.ids.delete(e), this.ids.add(e), !1;
		if (this.ids.add(e), this.ids.size > this.capacity) {
			let e = this.ids.values().next().value;
			this.ids.delete(e);
		}
		return !0;
	}
	has(e) {
		return this.ids.has(e);
	}
	get size() {
		return this.ids.size;
	}
}, s = class extends r {
	topic;
	release;
	state = "subscribing";
	error = null;
	waiters = [];
	constructor(e, t) {
		super(), this.topic = e, this.release = t;
	}
	set(e, t = null) {
		if (this.state === e || this.state === "unsubscribed" || (this.state = e, this.error = t, t && this.emit("error", t), this.emit("state", e), e === "subscribing")) return;
		let n = this.waiters;
		this.waiters = [];
		for (let [r, i] of n) e === "subscribed" ? r() : i(t ?? {
			source: "client",
			message: "unsubscribed"
		});
	}
	ready() {
		return this.state === "subscribed" ? Promise.resolve() : this.state === "subscribing" ? new Promise((e, t) => this.waiters.push([e, t])) : Promise.reject(this.error ?? {
			source: "client",
			message: this.state
		});
	}
	unsubscribe() {
		this.state !== "unsubscribed" && (this.set("unsubscribed"), this.release(this));
	}
}, c = {
	NORMAL: 1e3,
	GOING_AWAY: 1001,
	PROTOCOL_ERROR: 1002,
	ABNORMAL: 1006,
	INVALID_PAYLOAD: 1007,
	TOO_BIG: 1009,
	DEAD: 4e3,
	UNAUTHORIZED: 4001,
	IDLE: 4002,
	FORBIDDEN: 4003,
	SLOW_CONSUMER: 4008,
	RATE_LIMITED: 4029
};
// src/core/url.ts
function l(e, t, n, r = []) {
	let i = [];
	return t && i.push("token=" + encodeURIComponent(t)), r.length && i.push("topics=" + r.map(encodeURIComponent).join(",")), n && i.push("since=" + encodeURIComponent(n)), i.length ? e + (e.includes("?") ? "&" : "?") + i.join("&") : e;
}
function u(e, t = "/ws") {
	return `${e.protocol === "https:" ? "wss:" : "ws:"}//${e.host}${t}`;
}
function ee(e) {
	return e.replace(/^ws/, "http").replace(/\/ws(?=$|\?)/, "/sse");
}
// src/core/transport.ts
var d = {
	name: "websocket",
	open({ url: e, token: t, topics: n, since: r }, a, o) {
		let s = new o.WebSocket(l(e, t, r, n));
		return s.onopen = () => a.open(), s.onmessage = (e) => a.message(String(e.data)), s.onclose = (e) => a.close(e.code ?? c.ABNORMAL, e.reason ?? ""), {
			duplex: !0,
			send(e) {
				if (s.readyState !== i.OPEN) return !1;
				try {
					return s.send(e), !0;
				} catch {
					return !1;
				}
			},
			close(e, t) {
				s.onopen = s.onmessage = s.onclose = null;
				try {
					s.close(e, t);
				} catch {}
			}
		};
	}
}, f = 2 ** 31 - 1, te = {
	resume: !0,
	fallbackAfter: 2,
	backoffBaseMs: 1e3,
	backoffCapMs: 3e4,
	rateLimitBackoffMs: 1e4,
	goingAwayJitterMs: 3e3,
	stableAfterMs: 1e4,
	heartbeatIntervalMs: 25e3,
	heartbeatTimeoutMs: 1e4,
	connectTimeoutMs: 15e3,
	refreshAheadMs: 3e4,
	messageBurst: 50,
	messageRate: 20,
	maxSubscriptions: 100,
	dedupeSize: 1e3
}, ne = [
	"fallbackAfter",
	"messageBurst",
	"messageRate",
	"maxSubscriptions",
	"dedupeSize"
], re = [
	c.PROTOCOL_ERROR,
	c.INVALID_PAYLOAD,
	c.TOO_BIG,
	c.FORBIDDEN
], ie = [
	c.ABNORMAL,
	c.DEAD,
	1005,
	1015
];
function p(n) {
	let i = {
		...te,
		...ce(n)
	};
	se(i);
	let l = a(n.env), u = new r(), ne = new o(i.dedupeSize), p = /* @__PURE__ */ new Map(), h = new s("$user", () => {});
	for (let [e, t] of [
		["status", "onStatusChange"],
		["taskUpdate", "onTaskUpdate"],
		["topicEvent", "onTopicEvent"],
		["connected", "onConnected"],
		["close", "onClose"],
		["error", "onError"],
		["resync", "resync"]
	]) {
		let r = n[t];
		r && u.on(e, r);
	}
	let g = "disconnected", _ = null, v = !1, y = null, b = null, x = 0, S = 0, C = 0, w = !1, le = 0, T = "initial", E = null, D = null, ue = !1, O = !1, k = 0, A = !1, j = "", M = null, N = null, P = null, F = null, I = null, L = [], R = i.messageBurst, z = 0, B = (e) => (e !== null && l.clearTimeout(e), null), V = (e, t) => l.setTimeout(e, Math.min(Math.max(0, t), f)), H = () => [...p.values()], U = () => [h, ...H().flatMap((e) => [...e.subs])];
	function W(e) {
		e !== g && (g = e, u.emit("status", e));
	}
	let G = (e) => u.emit("error", e);
	function de() {
		let e = i.transports ?? ["websocket", "sse"];
		return n.sse && e.includes("sse") && (!e.includes("websocket") || C >= i.fallbackAfter) ? n.sse : d;
	}
	function K() {
		if (M = B(M), !v) return;
		let e = ++x;
		W("connecting");
		let t = {
			reason: T,
			forceRefresh: T === "unauthorized"
		};
		P = B(P), P = V(() => {
			e === x && (x++, P = null, G({
				source: "token",
				message: "getToken() timed out",
				temporary: !0
			}), X(null));
		}, i.connectTimeoutMs), new Promise((e) => e(n.getToken(t))).then((t) => {
			if (e === x && v) {
				if (P = B(P), t === null) return Y({
					source: "token",
					message: "getToken() returned null"
				});
				t ? fe(t) : (G({
					source: "token",
					message: "getToken() returned no token",
					temporary: !0
				}), X(null));
			}
		}, (t) => {
			e === x && v && (P = B(P), G({
				source: "token",
				message: m(t, "getToken() failed"),
				temporary: !0,
				cause: t
			}), X(null));
		});
	}
	function fe(e) {
		j = e;
		let t = de();
		b = t.name;
		let r = t === d ? n.url : n.sseUrl ?? (() => ee(ae(n.url))), a = [];
		for (let e of H()) e.atConnect = !e.topic.includes(",") && a.length < i.maxSubscriptions, e.atConnect && a.push(e.topic);
		w = !1, L = [], R = i.messageBurst, z = l.now();
		let o = x, s = (e) => (...t) => {
			o === x && y === u && e(...t);
		}, u = null;
		try {
			u = t.open({
				url: ae(r),
				token: e,
				topics: a,
				since: i.resume ? E : null
			}, {
				open: s(() => {
					A = !1;
				}),
				alive: s(() => {
					w && (P = B(P));
				}),
				message: s(_e),
				close: s(J)
			}, l);
		} catch (e) {
			G({
				source: "socket",
				message: m(e, "connect failed"),
				temporary: !0,
				cause: e
			}), J(c.ABNORMAL, "connect failed");
			return;
		}
		y = u, P = V(s(() => pe("connect timeout")), i.connectTimeoutMs);
	}
	function q(e, t) {
		N = B(N), P = B(P), F = B(F), I = B(I), L = [], D = null;
		let n = y;
		if (y = null, x++, n?.close(e, t), !_) for (let e of U()) e.set("subscribing");
	}
	function J(e, t) {
		k && l.now() - k >= i.stableAfterMs && (S = 0), k = 0;
		let n = w;
		q(e, t), !n && b === "websocket" && ie.includes(e) && C++;
		let r = null;
		if (re.includes(e)) Y({
			source: "server",
			message: t || `closed with ${e}`,
			code: e
		});
		else {
			let t = e === le && !n;
			e === c.UNAUTHORIZED && (T = "unauthorized"), le = e, r = X(e, e === c.UNAUTHORIZED && !t);
		}
		u.emit("close", {
			code: e,
			reason: t,
			retryInMs: r
		});
	}
	function pe(e) {
		k = 0, J(c.DEAD, e);
	}
	function Y(e) {
		_ = {
			...e,
			temporary: !1
		}, Oe(), W("failed"), G(_);
		for (let e of U()) e.set("failed", _);
	}
	function X(n, r = !1) {
		if (M = B(M), !v) return W("disconnected"), null;
		let a;
		if (A || !l.isOnline()) W("offline"), a = i.backoffCapMs / 2 + t(i.backoffCapMs / 2, l.random);
		else {
			W("disconnected");
			let o = e(S++, i.backoffBaseMs, i.backoffCapMs);
			if (r) a = 0;
			else if (n === c.RATE_LIMITED) {
				let n = e(S, i.rateLimitBackoffMs, i.backoffCapMs * 2);
				a = n / 2 + t(n / 2, l.random);
			} else a = n === c.GOING_AWAY ? t(Math.min(i.backoffCapMs, i.goingAwayJitterMs), l.random) : t(o, l.random);
		}
		return M = V(K, a), a;
	}
	function me() {
		N = B(N), N = V(he, i.heartbeatIntervalMs);
	}
	function he() {
		y && w && (y.duplex && Se({ type: "ping" }), P === null && (P = V(() => pe("heartbeat timeout"), i.heartbeatTimeoutMs)), me());
	}
	function Z(e) {
		F = B(F);
		let t = typeof e == "string" ? Date.parse(e) : oe(j);
		if (!(t > 0)) return;
		let n = t - l.now(), r = n - Math.min(i.refreshAheadMs, n / 2);
		F = V(() => r > f ? Z(e) : void ge(), r);
	}
	async function ge() {
		let e = y;
		if (!e || !e.duplex) return e && w && $("refresh"), !!e;
		let t;
		try {
			t = await n.getToken({
				reason: "refresh",
				forceRefresh: !0
			});
		} catch (e) {
			return G({
				source: "token",
				message: m(e, "getToken() failed"),
				temporary: !0,
				cause: e
			}), !1;
		}
		return t === null ? (Y({
			source: "token",
			message: "getToken() returned null"
		}), !1) : !t || e !== y ? !1 : (j = t, Ce({
			type: "auth",
			token: t
		}));
	}
	function _e(e) {
		P = w ? B(P) : P;
		let t;
		try {
			t = JSON.parse(e);
		} catch (e) {
			G({
				source: "protocol",
				message: "Unparseable message from server",
				cause: e
			});
			return;
		}
		if (!t || typeof t != "object" || Array.isArray(t)) return;
		u.emit("message", t);
		let n = t.type, r = typeof t.topic == "string" ? t.topic : void 0;
		if (n === "connected") return ve(t);
		if (n === "resync_required") {
			O || ye(), O = !1;
			return;
		}
		if (O = !1, n === "authenticated") return Z(t.expires_at);
		if (n === "task_update") {
			be(t.id) && (h.emit("event", t), u.emit("taskUpdate", t));
			return;
		}
		let i = r === void 0 ? void 0 : p.get(r);
		if (typeof t.error == "string") {
			let e = {
				source: "server",
				message: t.error,
				topic: r,
				details: typeof t.details == "string" ? t.details : void 0
			};
			if (i) {
				p.delete(i.topic);
				for (let t of i.subs) t.set("failed", {
					...e,
					temporary: !1
				});
			}
			G(e);
		} else if (t.action === "subscribed") for (let e of i?.subs ?? []) e.set("subscribed");
		else if (r !== void 0 && typeof t.event == "string" && be(t.id)) {
			for (let e of i?.subs ?? []) e.emit("event", t);
			u.emit("topicEvent", t);
		}
	}
	function ve(e) {
		P = B(P), w = !0, C = 0, le = 0, k = l.now(), T = "reconnect", D = typeof e.connection_id == "string" ? e.connection_id : null, e.transport = b;
		let t = ue;
		ue = !0, O = !1, t && e.resumed !== !0 && (O = !0, ye()), W("connected"), h.set("subscribed");
		let n = Array.isArray(e.topics) ? e.topics : null;
		for (let e of H()) if (e.atConnect && (n ? n.includes(e.topic) : !y.duplex)) for (let t of e.subs) t.set("subscribed");
		else e.atConnect && n || we(e);
		Z(e.expires_at), me(), u.emit("connected", e);
	}
	function ye() {
		u.emit("resync", void 0);
		for (let e of U()) e.emit("resync", void 0);
	}
	function be(e) {
		if (e == null || e === "") return !0;
		let t = String(e);
		return ne.add(t) ? (E = t, !0) : !1;
	}
	function Q(e) {
		L.push(e), xe();
	}
	function xe() {
		I = B(I);
		let e = l.now();
		for (R = Math.min(i.messageBurst, R + (e - z) * i.messageRate / 1e3), z = e; L.length && R >= 1 && y;) {
			let e = L.shift()();
			e && y.send(JSON.stringify(e)) && R--;
		}
		L.length && y && (I = V(xe, Math.ceil((1 - R) * 1e3 / i.messageRate)));
	}
	function Se(e) {
		return y ? (R--, y.send(JSON.stringify(e))) : !1;
	}
	function Ce(e) {
		return !y?.duplex || !w ? !1 : (Q(() => e), !0);
	}
	function we(e) {
		if (y && w) {
			if (y.duplex) Q(() => p.get(e.topic) === e ? {
				action: "subscribe",
				topic: e.topic
			} : null);
			else {
				if (!e.topic.includes(",")) return Te();
				p.delete(e.topic);
				for (let t of e.subs) t.set("failed", {
					source: "client",
					message: "Invalid topic",
					topic: e.topic,
					temporary: !1
				});
			}
		}
	}
	function Te() {
		M === null && (M = V(() => $("topics changed"), 0));
	}
	function $(e) {
		q(c.NORMAL, e), S = 0, K();
	}
	function Ee(e) {
		let t = p.get(e), n = new s(e, () => De(t, n));
		return t ? (t.subs.add(n), h.state === "failed" ? n.set("failed", _) : [...t.subs][0].state === "subscribed" && n.set("subscribed"), n) : p.size >= i.maxSubscriptions ? (n.set("failed", {
			source: "client",
			message: "Too many subscriptions",
			topic: e,
			temporary: !1
		}), n) : (p.set(e, t = {
			topic: e,
			subs: /* @__PURE__ */ new Set(),
			atConnect: !1
		}), t.subs.add(n), we(t), n);
	}
	function De(e, t) {
		p.get(e.topic) === e && e.subs.delete(t) && !e.subs.size && (p.delete(e.topic), y?.duplex && w ? Q(() => p.has(e.topic) ? null : {
			action: "unsubscribe",
			topic: e.topic
		}) : y && w && e.atConnect && Te());
	}
	for (let e of n.topics ?? []) Ee(e);
	function Oe() {
		v = !1, M = B(M), k = 0, Me(!1), q(c.NORMAL, "client closed");
	}
	function ke() {
		if (A = !0, !v) return;
		let e = y !== null;
		k = 0, q(c.NORMAL, "offline");
		let t = X(null);
		e && u.emit("close", {
			code: c.NORMAL,
			reason: "offline",
			retryInMs: t
		});
	}
	function Ae() {
		A = !1, v && g !== "connected" && g !== "connecting" && (S = 0, K());
	}
	function je() {
		v && l.visibility?.visibilityState === "visible" && (g === "connected" ? he() : (g === "disconnected" || g === "offline" && !A && l.isOnline()) && K());
	}
	function Me(e) {
		let t = e ? "addEventListener" : "removeEventListener";
		l.network?.[t]("online", Ae), l.network?.[t]("offline", ke), l.visibility?.[t]("visibilitychange", je);
	}
	return {
		get status() {
			return g;
		},
		get failure() {
			return _;
		},
		get transport() {
			return b;
		},
		get lastEventId() {
			return E;
		},
		get connectionId() {
			return D;
		},
		get topics() {
			return [...p.keys()];
		},
		user: h,
		connect() {
			if (!v) {
				v = !0, _ = null, S = C = 0, T = "initial";
				for (let e of U()) e.set("subscribing");
				Me(!0), !A && l.isOnline() ? K() : X(null);
			}
		},
		close() {
			v && (Oe(), W("disconnected"));
		},
		reconnect() {
			v && $("reconnect");
		},
		subscribe: Ee,
		send: Ce,
		refreshToken: ge,
		on(e, t) {
			return u.on(e, t);
		}
	};
}
function ae(e) {
	return typeof e == "function" ? e() : e;
}
function oe(e) {
	try {
		let t = JSON.parse(atob(e.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).exp;
		return typeof t == "number" ? t * 1e3 : 0;
	} catch {
		return 0;
	}
}
function se(e) {
	let t = (t, n) => {
		throw RangeError(`tasksync: option ${t} must be ${n}, got ${String(e[t])}`);
	};
	typeof e.url != "string" && typeof e.url != "function" && t("url", "a string or a function"), typeof e.getToken != "function" && t("getToken", "a function");
	for (let n of Object.keys(te)) {
		let r = e[n];
		n !== "resume" && (ne.includes(n) ? (!Number.isInteger(r) || r < 1) && t(n, "an integer ≥ 1") : typeof r == "number" && r >= 0 && r <= f || t(n, `a number of milliseconds from 0 to ${f}`));
	}
	let n = e.transports;
	n && (!Array.isArray(n) || !n.length || n.some((e) => e !== "websocket" && e !== "sse")) && t("transports", "a non-empty list of 'websocket' and 'sse'"), n && !n.includes("websocket") && !e.sse && t("sse", "sseTransport() when transports is ['sse']");
}
function m(e, t) {
	return e instanceof Error && e.message ? e.message : t;
}
function ce(e) {
	return Object.fromEntries(Object.entries(e).filter(([, e]) => e !== void 0));
}
// src/core/tasks.ts
function h(e, t) {
	let { event: n, task: r } = t;
	if (!r || r.id === void 0 || r.id === null) return e;
	let i = String(r.id), a = e.findIndex((e) => String(e.id) === i);
	switch (n) {
		case "task.created":
		case "task.updated": return g(e, a, r);
		case "task.completed": return g(e, a, {
			...r,
			status: "completed"
		});
		case "task.deleted": return a === -1 ? e : e.filter((e, t) => t !== a);
		default: return e;
	}
}
function g(e, t, n) {
	if (t === -1) return [...e, n];
	let r = e.slice();
	return r[t] = {
		...e[t],
		...n
	}, r;
}
export { c as CloseCode, o as SeenIds, h as applyTaskUpdate, e as backoffCeiling, n as backoffDelay, l as buildSocketUrl, p as createTaskSyncClient, t as fullJitter, oe as jwtExpiry, ee as sseUrlFromWsUrl, d as webSocketTransport, u as wsUrlFromLocation };

//# sourceMappingURL=index.js.map