"use client";
import { createContext as e, useCallback as t, useContext as n, useEffect as r, useMemo as i, useRef as a, useState as o, useSyncExternalStore as s } from "react";
import { createTaskSyncClient as c } from "@tasksync/client";
import { jsx as l } from "react/jsx-runtime";
// src/react/useTaskSync.ts
function u(e) {
	let n = a(e);
	r(() => {
		n.current = e;
	});
	let [i] = o(() => c({
		...e,
		url: () => {
			let { url: e } = n.current;
			return typeof e == "function" ? e() : e;
		},
		getToken: (e) => n.current.getToken(e),
		onTaskUpdate: (e) => n.current.onTaskUpdate?.(e),
		onTopicEvent: (e) => n.current.onTopicEvent?.(e),
		onStatusChange: (e) => n.current.onStatusChange?.(e),
		onConnected: (e) => n.current.onConnected?.(e),
		onClose: (e) => n.current.onClose?.(e),
		onError: (e) => n.current.onError?.(e),
		resync: () => n.current.resync?.()
	}));
	r(() => (i.connect(), () => i.close()), [i]);
	let l = t((e) => i.on("status", e), [i]), u = s(l, () => i.status, () => i.status);
	return {
		client: i,
		status: u,
		isConnected: u === "connected"
	};
}
var d = u, f = e(null);
function p({ children: e, ...t }) {
	let { client: n, status: r, isConnected: a } = u(t), o = i(() => ({
		client: n,
		status: r,
		isConnected: a
	}), [
		n,
		r,
		a
	]);
	return /* @__PURE__ */ l(f.Provider, {
		value: o,
		children: e
	});
}
function m() {
	let e = n(f);
	return e ? {
		status: e.status,
		isConnected: e.isConnected
	} : {
		status: "disconnected",
		isConnected: !1
	};
}
function h() {
	let e = n(f);
	if (!e) throw Error("useTaskSyncClient() must be used inside <WebSocketProvider>");
	return e.client;
}
function g(e, t) {
	let n = h(), i = a(t);
	r(() => {
		i.current = t;
	}), r(() => n.on(e, (e) => i.current(e)), [n, e]);
}
function _(e, t) {
	let n = h(), i = a(t), [s, c] = o({
		state: "unsubscribed",
		error: null
	});
	return r(() => {
		i.current = t;
	}), r(() => {
		if (!e) return;
		let t = n.subscribe(e), r = () => c({
			state: t.state,
			error: t.error
		});
		r();
		let a = [t.on("event", (e) => i.current?.(e)), t.on("state", r)];
		return () => {
			for (let e of a) e();
			t.unsubscribe();
		};
	}, [n, e]), s;
}
// src/react/ConnectionStatus.tsx
function v({ status: e, labels: t, className: n, ...r }) {
	let i = m().status, a = e ?? i;
	return /* @__PURE__ */ l("span", {
		role: "status",
		"aria-live": "polite",
		...r,
		className: n ? `tasksync-status ${n}` : "tasksync-status",
		"data-status": a,
		children: t?.[a] ?? a
	});
}
export { v as ConnectionStatus, p as WebSocketProvider, u as useTaskSync, h as useTaskSyncClient, g as useTaskSyncEvent, _ as useTopic, d as useWebSocket, m as useWebSocketStatus };

//# sourceMappingURL=react.js.map