// The page: controls, the WebSocket conversation with the server, the URL.
// Every value goes to the server, which checks it and answers with the
// settings it really uses (and a message for each value it refused or capped).
import { drawCurves, drawGrads, drawRegions, drawTiles } from "./draw.js";

const $ = (id) => document.getElementById(id);
const FIELDS = ["data", "classes", "points", "noise", "test_fraction", "seed", "architecture",
  "dropout", "optimizer", "backend", "lr", "schedule", "batch_size", "iterations"];
const MAX_CURVE = 1000;  // points kept per curve; older ones are thinned

const app = {
  socket: null, token: null, defaults: null, limits: null, settings: null,
  data: null, run: null, frame: null, history: [], state: "connecting",
  layerNames: [], framesDrawn: 0, framesReceived: 0,
};
window.nnlearnPlayground = app;  // for the tests and the benchmark

// -- messages on the page -------------------------------------------------------------
function showMessages(list, kind) {
  const box = $("messages");
  if (kind !== "error") box.replaceChildren();
  for (const text of list) {
    const p = document.createElement("p");
    p.textContent = text;
    if (kind === "error") p.className = "error";
    box.appendChild(p);
  }
  while (box.children.length > 8) box.firstChild.remove();
}

// -- controls <-> settings -------------------------------------------------------------
function layerRow(k, width, activation) {
  const row = document.createElement("div");
  row.className = "layer";
  const label = document.createElement("span");
  label.textContent = `${k + 1}`;
  const w = document.createElement("input");
  w.type = "number"; w.min = 1; w.max = 512; w.value = width; w.className = "width";
  w.title = "units in this layer";
  const act = document.createElement("select");
  act.className = "activation";
  for (const name of app.limits.fields.activation.choices) act.add(new Option(name, name));
  act.value = activation;
  row.append(label, w, act);
  w.addEventListener("change", sendSettings);
  act.addEventListener("change", sendSettings);
  return row;
}

function showSettings(s) {
  app.settings = s;
  for (const name of FIELDS) {
    const el = $(name);
    el.value = s[name] === null ? "" : s[name];
  }
  $("noise-value").textContent = Number(s.noise).toFixed(2);
  $("test_fraction-value").textContent = Number(s.test_fraction).toFixed(2);
  $("lr").placeholder = `default ${app.limits.default_lr[s.optimizer]}`;
  $("classes").disabled = s.data === "moons" || s.data === "xor" || s.data === "upload";
  $("points").disabled = $("noise").disabled = s.data === "upload";  // the file decides
  const rows = $("layers");
  rows.replaceChildren(...s.hidden.map((h, k) => layerRow(k, h, s.activation[k])));
  $("layer-count").textContent = s.hidden.length;
}

function readSettings() {
  const out = {};
  for (const name of FIELDS) out[name] = $(name).value;
  out.lr = out.lr === "" ? null : out.lr;
  out.hidden = [...document.querySelectorAll("#layers .width")].map((el) => el.value);
  out.activation = [...document.querySelectorAll("#layers .activation")].map((el) => el.value);
  return out;
}

function sendSettings() { send({ type: "settings", settings: readSettings() }); }

function changeLayers(delta) {
  const s = readSettings();
  if (delta > 0) {
    s.hidden.push(s.hidden.length ? s.hidden[s.hidden.length - 1] : 8);
    s.activation.push(s.activation.length ? s.activation[s.activation.length - 1] : "relu");
  } else {
    s.hidden.pop(); s.activation.pop();
  }
  send({ type: "settings", settings: s });
}

// The settings that differ from the defaults, in the address bar: a link reproduces them.
function updateUrl(url) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(url)) if (v !== app.defaultsUrl[k]) params.set(k, v);
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}

function settingsFromUrl() {
  const out = {};
  for (const [k, v] of new URLSearchParams(location.search)) out[k] = v;
  return out;
}

// -- the conversation ------------------------------------------------------------------
function send(message) {
  if (app.socket && app.socket.readyState === WebSocket.OPEN) app.socket.send(JSON.stringify(message));
}

function setState(state) {
  app.state = state;
  const el = $("state");
  el.textContent = state;
  el.className = `state ${state}`;
  $("start").textContent = state === "running" ? "Pause" : "Start";
}

function showFrame(f) {
  app.frame = f;
  $("iteration").textContent = f.iteration;
  $("epoch").textContent = f.epoch;
  const fmt = (v, d) => (v === null || v === undefined ? "\u2013" : v.toFixed(d));
  $("train-loss").textContent = fmt(f.train_loss, 4);
  $("test-loss").textContent = fmt(f.test_loss, 4);
  $("train-acc").textContent = fmt(f.train_accuracy, 3);
  $("test-acc").textContent = fmt(f.test_accuracy, 3);
  const h = app.history;
  if (!h.length || h[h.length - 1].iteration !== f.iteration) {
    h.push({ iteration: f.iteration, train_loss: f.train_loss, test_loss: f.test_loss,
      train_accuracy: f.train_accuracy, test_accuracy: f.test_accuracy });
    if (h.length > MAX_CURVE) app.history = h.filter((_, i) => i % 2 === 0 || i === h.length - 1);
  }
  setState(f.state);
  if (f.message) showMessages([f.message], "error");
  drawRegions($("regions"), f, app.data, $("show-test").checked);
  drawTiles($("tiles"), f.tiles);
  drawGrads($("grads"), f.grad_norms, app.layerNames);
  drawCurves($("curves"), app.history);
  app.framesDrawn += 1;
}

function showNetwork(m) {
  app.run = m.run;
  app.history = [];
  const widths = [m.layers[0].n_in];
  app.layerNames = [];
  m.layers.forEach((layer) => {
    if (layer.kind === "dropout") return;
    if (layer.kind === "residual") app.layerNames.push("res");
    else app.layerNames.push(`${app.layerNames.length + 1}`);
    widths.push(layer.kind === "residual" ? `[${layer.inner}]` : layer.n_out);
  });
  app.layerNames = app.layerNames.map((name, k) => `${k + 1}${name === "res" ? "r" : ""}`);
  $("network-summary").textContent =
    `${widths.join(" \u2192 ")} \u00b7 ${m.parameters.toLocaleString("en")} parameters`;
}

const handlers = {
  hello(m) {
    app.token = m.token; app.defaults = m.defaults; app.defaultsUrl = m.defaults_url;
    app.limits = m.limits;
    for (const name of m.limits.optimizers) $("optimizer").add(new Option(name, name));
    for (const name of m.limits.schedules) $("schedule").add(new Option(name, name));
    for (const name of m.limits.fields.backend.choices) $("backend").add(new Option(name, name));
    send({ type: "settings", settings: settingsFromUrl() });
  },
  settings(m) {
    showSettings(m.settings);
    showMessages(m.messages, "notice");
    updateUrl(m.url);
  },
  data(m) { app.data = m; },
  network(m) { showNetwork(m); },
  frame(m) {
    app.framesReceived += 1;
    if (m.run === app.run) showFrame(m);
  },
  state(m) { if (m.run === app.run) setState(m.state); },
  error(m) { showMessages([m.message], "error"); },
  pong() {},
};

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws`);
  app.socket = socket;
  socket.onmessage = (event) => {
    const m = JSON.parse(event.data);
    (handlers[m.type] || (() => {}))(m);
  };
  socket.onclose = () => {
    setState("disconnected");
    showMessages(["the connection to the server is closed; reload the page to start again"], "error");
  };
}

// The file name the server gives (RFC 5987 filename*, else the ASCII filename).
function filenameOf(header) {
  const exact = /filename\*=UTF-8''([^;]+)/i.exec(header || "");
  if (exact) {
    try { return decodeURIComponent(exact[1]); } catch (err) { /* the ASCII one then */ }
  }
  const plain = /filename="([^"]*)"/i.exec(header || "");
  return plain ? plain[1] : "";
}

// Fetched first, so that a refusal (busy: 503, this page's export not ready: 429)
// is a message on the page, not a failed download.
async function download(path) {
  if (!app.token) return;
  let response;
  try {
    response = await fetch(path, { cache: "no-store" });
  } catch (err) {
    showMessages([`the download failed: ${err.message}`], "error");
    return;
  }
  if (!response.ok) {
    let message = `the download failed (HTTP ${response.status})`;
    try { message = (await response.json()).error || message; } catch (err) { /* not JSON */ }
    showMessages([message], "error");
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = filenameOf(response.headers.get("Content-Disposition"));
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// -- wiring --------------------------------------------------------------------------------
for (const name of FIELDS) {
  const el = $(name);
  el.addEventListener("change", sendSettings);
  if (el.type === "range") el.addEventListener("input", () => {
    $(`${name}-value`).textContent = Number(el.value).toFixed(2);
  });
}
$("start").addEventListener("click", () => send({ type: app.state === "running" ? "pause" : "start" }));
$("step").addEventListener("click", () => send({ type: "step" }));
$("reset").addEventListener("click", () => send({ type: "reset" }));
$("sample").addEventListener("click", () => send({ type: "sample" }));
$("add-layer").addEventListener("click", () => changeLayers(1));
$("remove-layer").addEventListener("click", () => changeLayers(-1));
$("show-test").addEventListener("change", () => drawRegions($("regions"), app.frame, app.data, $("show-test").checked));
$("upload").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  if (file.size > 1000000) {
    showMessages([`${file.name}: the file is larger than 1000 kB`], "error");
  } else {
    send({ type: "upload", name: file.name, text: await file.text() });
  }
  event.target.value = "";
});
$("export-model").addEventListener("click", () => download(`/api/model/${app.token}?format=npz`));
$("export-png").addEventListener("click", () => download(`/api/regions/${app.token}`));
$("copy-link").addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(location.href);
    showMessages(["link copied: it opens the playground with these settings"], "notice");
  } catch {
    showMessages([`copy this link: ${location.href}`], "notice");
  }
});
connect();
