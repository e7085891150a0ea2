import { CloseCode as e, buildSocketUrl as t } from "@tasksync/client";
// src/sse/sse.ts
var n = class {
	onEvent;
	onComment;
	buf = "";
	event = "";
	data = [];
	id;
	constructor(e, t = () => {}) {
		this.onEvent = e, this.onComment = t;
	}
	push(e) {
		this.buf += e;
		let t;
		for (; (t = this.buf.search(/\r\n|\r|\n/)) >= 0 && (this.buf[t] !== "\r" || t !== this.buf.length - 1);) {
			let e = this.buf.slice(0, t);
			this.buf = this.buf.slice(t + (this.buf.startsWith("\r\n", t) ? 2 : 1)), this.line(e);
		}
	}
	line(e) {
		if (e === "") {
			this.data.length && this.onEvent({
				event: this.event || "message",
				data: this.data.join("\n"),
				id: this.id
			}), this.event = "", this.data = [];
			return;
		}
		if (e[0] === ":") return this.onComment();
		let t = e.indexOf(":"), n = t < 0 ? e : e.slice(0, t), r = t < 0 ? "" : e.slice(t + 1);
		r[0] === " " && (r = r.slice(1)), n === "event" ? this.event = r : n === "data" ? this.data.push(r) : n === "id" && !r.includes("\0") && (this.id = r);
	}
}, r = {
	401: e.UNAUTHORIZED,
	403: e.FORBIDDEN,
	429: e.RATE_LIMITED,
	503: e.GOING_AWAY
};
function i() {
	return {
		name: "sse",
		open({ url: i, token: a, topics: o, since: s }, c, l) {
			let u = new AbortController(), d = !1, f = (e, t) => {
				d || (d = !0, u.abort(), c.close(e, t));
			}, p = {
				Accept: "text/event-stream",
				Authorization: `Bearer ${a}`
			};
			return s && (p["Last-Event-ID"] = s), (async () => {
				let a = await l.fetch(t(i, null, null, o), {
					headers: p,
					cache: "no-store",
					signal: u.signal
				});
				if (!a.ok || !a.body) {
					let t = {};
					try {
						t = await a.json();
					} catch {}
					let n = typeof t.code == "number" ? t.code : r[a.status] ?? e.ABNORMAL;
					return f(n, typeof t.reason == "string" ? t.reason : `HTTP ${a.status}`);
				}
				c.open();
				let s = new n(({ event: t, data: n }) => {
					if (d) return;
					if (t !== "close") return c.message(n);
					let r = {};
					try {
						r = JSON.parse(n);
					} catch {}
					f(typeof r.code == "number" ? r.code : e.NORMAL, typeof r.reason == "string" ? r.reason : "");
				}, () => d || c.alive()), m = a.body.pipeThrough(new TextDecoderStream()).getReader();
				for (;;) {
					let { value: e, done: t } = await m.read();
					if (t || d) break;
					s.push(e);
				}
				f(e.ABNORMAL, "stream ended");
			})().catch((t) => f(e.ABNORMAL, t instanceof Error ? t.message : "fetch failed")), {
				duplex: !1,
				send: () => !1,
				close() {
					d = !0, u.abort();
				}
			};
		}
	};
}
export { n as SseParser, i as sseTransport };

//# sourceMappingURL=sse.js.map