// Browser geolocation as a Streamlit component, protocol implemented by hand (no npm build).
//
// Protocol (what streamlit-component-lib does): tell the parent we are ready, receive
// "streamlit:render" with our args, send "streamlit:setComponentValue" and "streamlit:setFrameHeight".
// The value sent back is one JSON object per fix or failure:
//   {lon, lat, accuracy_m, ts, secure}          a fix (WGS-84, accuracy in metres)
//   {error: "denied"|"unavailable"|"timeout"|"unsupported"|"insecure", message, ts, secure}
// `ts` (ms) makes every attempt a new value, so Python can tell a re-acquire from a rerun.
(function () {
  "use strict";

  var args = {};
  var labels = {};
  var busy = false;
  var lastAuto = null;
  var btn = document.getElementById("btn");
  var statusEl = document.getElementById("status");

  function send(type, extra) {
    var msg = { isStreamlitMessage: true, type: type };
    for (var k in extra) { if (Object.prototype.hasOwnProperty.call(extra, k)) msg[k] = extra[k]; }
    window.parent.postMessage(msg, "*");
  }

  function setHeight() {
    send("streamlit:setFrameHeight", { height: Math.ceil(document.body.scrollHeight) + 4 });
  }

  function setValue(value) {
    send("streamlit:setComponentValue", { value: value, dataType: "json" });
  }

  function label(key, fallback) {
    return (labels && labels[key]) || fallback;
  }

  function show(text, cls) {
    statusEl.textContent = text;  // textContent: nothing here is ever parsed as HTML
    statusEl.className = cls || "";
    setHeight();
  }

  function render() {
    btn.textContent = busy ? label("busy", "定位中…") : label(args.has_fix ? "again" : "button",
                                                              args.has_fix ? "重新定位" : "获取设备定位");
    btn.disabled = busy || !!args.disabled;
    if (!window.isSecureContext) {
      show(label("insecure", "定位需要安全连接（https 或 localhost）。"), "err");
    } else if (!busy && !statusEl.textContent) {
      show(label("hint", ""), "");
    }
    setHeight();
  }

  function fail(code, message) {
    busy = false;
    var texts = { denied: label("denied", "定位权限被拒绝。"), unavailable: label("unavailable", "无法获取位置。"),
                  timeout: label("timeout", "定位超时。"), unsupported: label("unsupported", "此浏览器不支持定位。"),
                  insecure: label("insecure", "定位需要安全连接（https 或 localhost）。") };
    show(texts[code] || message || code, "err");
    render();
    setValue({ error: code, message: String(message || ""), ts: Date.now(), secure: !!window.isSecureContext });
  }

  function acquire() {
    if (busy) return;
    if (!window.isSecureContext) { fail("insecure", ""); return; }
    if (!("geolocation" in navigator)) { fail("unsupported", ""); return; }
    busy = true;
    show(label("busy", "定位中…"), "");
    render();
    navigator.geolocation.getCurrentPosition(function (pos) {
      busy = false;
      var c = pos.coords;
      var acc = Math.round(c.accuracy * 10) / 10;
      show((label("fix", "精度 {acc} 米")).replace("{acc}", String(Math.round(acc))),
           acc > (args.warn_m || 50) ? "warn" : "ok");
      render();
      setValue({ lon: c.longitude, lat: c.latitude, accuracy_m: acc, ts: Date.now(),
                 secure: !!window.isSecureContext });
    }, function (err) {
      var code = err && err.code === 1 ? "denied" : err && err.code === 3 ? "timeout" : "unavailable";
      fail(code, err && err.message);
    }, { enableHighAccuracy: true, timeout: args.timeout_ms || 20000, maximumAge: 0 });
  }

  btn.addEventListener("click", acquire);

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "streamlit:render") return;
    args = data.args || {};
    labels = args.labels || {};
    render();
    // Acquire once on first render when asked to (the user picked "device GPS"); `auto` is a
    // token so a new form can ask again without re-acquiring on every rerun.
    if (args.auto && args.auto !== lastAuto) {
      lastAuto = args.auto;
      acquire();
    }
  });

  send("streamlit:componentReady", { apiVersion: 1 });
  setHeight();
})();
