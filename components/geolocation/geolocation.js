// Device GPS for the capture screen: an st.components.v2 component (no iframe, no build step,
// no CDN), so it works on an intranet. Streamlit imports this module and calls its default export
// with the element (a shadow root holding geolocation.html) each time the Python side sends new
// `data`: {labels, auto, has_fix, warn_m, timeout_ms}.
//
// Every attempt is sent back as the state value "attempt" (kept by Streamlit until the next one):
//   {lon, lat, accuracy_m, ts, secure}          a fix (WGS-84, accuracy in metres)
//   {error: "denied"|"unavailable"|"timeout"|"unsupported"|"insecure", message, ts, secure}
// `ts` (ms) makes every attempt a new value, so Python acts on each once. A state value rather
// than a one-run trigger: a fix that lands while a run is still going must not be lost.

const acquiredTokens = new Set();  // `auto` tokens acted on in this page load: one automatic try each
const instances = new Map();       // per mounted element: what it shows across re-renders

function fallback(key) {
  return { button: "获取设备定位", again: "重新定位", busy: "定位中…", fix: "已定位，精度 {acc} 米",
           denied: "定位权限被拒绝。", unavailable: "无法获取位置。", timeout: "定位超时。",
           unsupported: "此浏览器不支持定位。", insecure: "定位需要安全连接（https 或 localhost）。",
           hint: "" }[key] || "";
}

function label(state, key) {
  return (state.args.labels && state.args.labels[key]) || fallback(key);
}

function paint(state) {
  const { btn, status } = state;
  if (!btn || !status) return;
  btn.textContent = label(state, state.busy ? "busy" : state.hasFix ? "again" : "button");
  btn.disabled = state.busy;
  status.textContent = state.text || (window.isSecureContext ? label(state, "hint") : label(state, "insecure"));
  status.className = "field-gps-status " + (state.text ? state.cls : window.isSecureContext ? "" : "err");
}

function send(state, value) {
  state.send("attempt", { ...value, ts: Date.now(), secure: !!window.isSecureContext });
}

function fail(state, code, message) {
  state.busy = false;
  state.text = label(state, code) || message || code;  // textContent only: never parsed as HTML
  state.cls = "err";
  paint(state);
  send(state, { error: code, message: String(message || "") });
}

function acquire(state) {
  if (state.busy) return;
  if (!window.isSecureContext) { fail(state, "insecure", ""); return; }
  if (!("geolocation" in navigator)) { fail(state, "unsupported", ""); return; }
  state.busy = true;
  state.text = label(state, "busy");
  state.cls = "";
  paint(state);
  navigator.geolocation.getCurrentPosition((pos) => {
    const c = pos.coords;
    const acc = Math.round(c.accuracy * 10) / 10;
    state.busy = false;
    state.hasFix = true;
    state.text = label(state, "fix").replace("{acc}", String(Math.round(acc)));
    state.cls = Math.round(acc) > (state.args.warn_m || 50) ? "warn" : "ok";
    paint(state);
    send(state, { lon: c.longitude, lat: c.latitude, accuracy_m: acc });
  }, (err) => {
    fail(state, err && err.code === 1 ? "denied" : err && err.code === 3 ? "timeout" : "unavailable",
         err && err.message);
  }, { enableHighAccuracy: true, timeout: state.args.timeout_ms || 20000, maximumAge: 0 });
}

export default function (component) {
  const { data, key, parentElement, setStateValue } = component;
  let state = instances.get(key);
  if (!state) {
    state = { busy: false, hasFix: false, text: "", cls: "" };
    instances.set(key, state);
  }
  state.args = data || {};
  state.send = setStateValue;  // the latest one: a fix arriving after a re-render still gets through
  state.hasFix = state.hasFix || !!state.args.has_fix;
  state.btn = parentElement.querySelector(".field-gps-btn");
  state.status = parentElement.querySelector(".field-gps-status");
  const onTap = () => acquire(state);
  if (state.btn) state.btn.addEventListener("click", onTap);
  paint(state);
  // Acquire at once when asked (a new form opens on device GPS); `auto` is a token so a rerun
  // never re-acquires, and a new form (a new token) asks again.
  if (state.args.auto && !acquiredTokens.has(state.args.auto)) {
    acquiredTokens.add(state.args.auto);
    acquire(state);
  }
  return () => { if (state.btn) state.btn.removeEventListener("click", onTap); };
}
