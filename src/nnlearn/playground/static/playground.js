// The page: controls, the WebSocket conversation with the server, the URL.
// Every value goes to the server, which checks it and answers with the
// settings it really uses (and a message for each value it refused or capped).
import { addSnapshot, bytes, COLOURS, drawConfusion, drawCurves, drawGrads, drawRegions,
  drawUnitLarge } from "./draw.js";
import { NetworkView, mapImage } from "./netview.js";
import { download } from "./downloads.js";
import { PAGE_KEYS, PRESETS } from "./presets.js";
import { changeLayers, FIELDS, readControls, showControls } from "./controls.js";

const $ = (id) => document.getElementById(id);
const MAX_CURVE = 1000;  // points kept per curve; older ones are thinned
const MAX_RECORD = 400;  // frames kept for the timeline; older ones are thinned

const app = {
  socket: null, token: null, defaults: null, limits: null, settings: null,
  data: null, run: null, frame: null, history: [], state: "connecting", network: null,
  layerNames: [], framesDrawn: 0, framesReceived: 0, recorded: [], replay: null,
  hover: null, offsets: [], shown: new Set(), snapshots: [], page: {}, sent: 0,
};
window.nnlearnPlayground = app;  // for the tests and the benchmark

const view = new NetworkView($("network"), {
  onHover(h) { app.hover = h; redrawMain(); },
  onWindow(layer, offset) {
    while (app.offsets.length <= layer) app.offsets.push(0);
    app.offsets[layer] = offset;
    send({ type: "view", offsets: app.offsets });
  },
  featureNames: () => (app.settings ? app.settings.features : []),
});

// -- messages on the page -------------------------------------------------------------
function showMessages(list, kind) {
  const box = $("messages");
  if (kind !== "error") box.replaceChildren();
  for (const text of list) {
    if (kind === "error" && [...box.children].some((p) => p.textContent === text)) continue;
    const p = document.createElement("p");
    p.textContent = text;
    if (kind === "error") p.className = "error";
    box.appendChild(p);
  }
  while (box.children.length > 8) box.firstChild.remove();
}

// -- controls <-> settings -------------------------------------------------------------
function showSettings(s) {
  app.settings = s;
  showControls(s, app.limits, sendSettings);
}

function readSettings() {
  return readControls(app.settings);
}

// Every settings message is numbered; the server's reply names the last one it took. A
// reply to an earlier message may still be on its way when the next is sent: its values
// must not go back into the controls, or the next message would send them again (a
// noise change, undone by the reply to the message before it, drew the old points).
function sendSettingsMessage(settings) {
  app.sent += 1;
  send({ type: "settings", settings, seq: app.sent });
}

function sendSettings() {
  for (const name of FIELDS) delete $(name).dataset.typing;
  sendSettingsMessage(readSettings());
}

// The settings that differ from the defaults, in the address bar: a link reproduces them.
function updateUrl(url) {
  const params = new URLSearchParams();
  for (const k of PAGE_KEYS) if (app.page[k]) params.set(k, app.page[k]);
  for (const [k, v] of Object.entries(url)) if (v !== app.defaultsUrl[k]) params.set(k, v);
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}

// The settings in the address bar; the page's own keys (preset, classroom) go to app.page.
function settingsFromUrl() {
  const out = {};
  for (const [k, v] of new URLSearchParams(location.search)) {
    if (PAGE_KEYS.includes(k)) app.page[k] = v;
    else out[k] = v;
  }
  const preset = PRESETS[app.page.preset];
  if (app.page.preset && !preset) showMessages([`unknown preset ${app.page.preset}; known: ${Object.keys(PRESETS).join(", ")}`], "error");
  return preset ? { ...preset.settings, ...out } : out;
}

function openPreset(name) {
  const preset = PRESETS[name];
  app.page.preset = name || "";
  const note = $("preset-note");
  note.hidden = !preset;
  note.textContent = preset ? `${preset.title}: ${preset.note}` : "";
  sendPace();
  if (preset) sendSettingsMessage({ ...app.defaults, ...preset.settings });
}

function sendPace() {
  const preset = PRESETS[app.page.preset];
  send({ type: "pace", steps_per_frame: Number($("steps_per_frame").value) || 0,
    stop_at: Number($("stop_at").value) || 0, snapshots: preset && preset.snapshots ? preset.snapshots : [] });
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

// The big picture: the decision regions, or the map of the unit under the pointer.
function redrawMain() {
  const f = app.replay !== null ? app.recorded[app.replay] : app.frame;
  const canvas = $("regions"), showTest = $("show-test").checked;
  if (app.hover && f && f.units) {
    const l = f.units.layers[app.hover.layer];
    const index = app.hover.unit - (l ? l.offset : 0);
    if (l && index >= 0 && index < l.count) {
      const m = f.units.m, values = new Int8Array(bytes(l.data).buffer);
      const last = app.hover.layer === f.units.layers.length - 1;
      const rgb = last ? [1, 3, 5].map((i) => parseInt(COLOURS[app.hover.unit % COLOURS.length].slice(i, i + 2), 16)) : null;
      drawUnitLarge(canvas, mapImage(values, index * m * m, m, rgb), app.data, showTest);
      $("regions-title").textContent = app.hover.layer === 0 ? `Input ${app.settings.features[app.hover.unit]}`
        : last ? `Output: p(class ${app.hover.unit})` : `Layer ${app.hover.layer}, unit ${app.hover.unit + 1}`;
      canvas.dataset.showing = `${app.hover.layer}:${app.hover.unit}`;
      return;
    }
  }
  drawRegions(canvas, f, app.data, showTest);
  $("regions-title").textContent = "Decision regions";
  canvas.dataset.showing = "regions";
}

function drawView(f) {
  view.draw(f, app.network);
  redrawMain();
  drawGrads($("grads"), f.grad_norms, app.layerNames);
  $("weight-norm").textContent = f.weight_norm === null || f.weight_norm === undefined ? "\u2013" : f.weight_norm.toFixed(3);
  if (f.confusion) drawConfusion($("confusion"), f.confusion, app.data ? app.data.classes.map(String) : null);
}

function record(f) {
  const r = app.recorded;
  if (r.length && r[r.length - 1].iteration === f.iteration) r[r.length - 1] = f;
  else r.push(f);
  if (r.length > MAX_RECORD) app.recorded = r.filter((_, i) => i % 2 === 0 || i === r.length - 1);
  const t = $("timeline");
  t.max = app.recorded.length - 1;
  if (app.replay === null) t.value = t.max;
}

function showReplay(index) {
  app.replay = index;
  const f = app.recorded[index];
  if (!f) return;
  $("timeline-label").textContent = `replay: iteration ${f.iteration}`;
  drawView(f);
}

function goLive() {
  app.replay = null;
  $("timeline-label").textContent = "live";
  $("timeline").value = $("timeline").max;
  if (app.frame) drawView(app.frame);
}

function showFrame(f) {
  const t0 = performance.now();
  app.frame = f;
  record(f);
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
  if (f.warning) showMessages([f.warning], "error");
  if (f.note) showMessages([f.note], "error");
  if (app.replay === null) drawView(f);
  drawCurves($("curves"), app.history, $("log-iterations").checked);
  app.framesDrawn += 1;
  app.drawMs = performance.now() - t0;  // for the benchmark: the script's share of a frame
}

function showSnapshot(m) {
  if (app.data) addSnapshot($("strip"), m, app.data);
}

function showNetwork(m) {
  app.run = m.run;
  app.network = m;
  app.history = [];
  app.recorded = [];
  $("strip").replaceChildren();
  goLive();
  const widths = [m.layers[0].n_in];
  app.layerNames = [];
  m.layers.forEach((layer) => {
    if (layer.kind === "dropout") return;
    if (layer.kind === "features") { widths.push(`${layer.n_out} features`); return; }
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
    for (const name of ["width", "depth"]) $(name).max = m.limits.fields[name].hi;
    for (const name of m.limits.fields.features.choices) {
      const label = document.createElement("label");
      label.className = "check";
      const box = document.createElement("input");
      box.type = "checkbox"; box.value = name; box.id = `feature-${name}`;
      box.addEventListener("change", sendSettings);
      label.append(box, ` ${name}`);
      $("features").appendChild(label);
    }
    for (const [name, p] of Object.entries(PRESETS)) $("preset").add(new Option(p.title, name));
    const settings = settingsFromUrl();
    if (app.page.classroom === "1") document.body.classList.add("classroom");
    const preset = PRESETS[app.page.preset];
    if (preset) {
      $("preset").value = app.page.preset;
      $("preset-note").hidden = false;
      $("preset-note").textContent = `${preset.title}: ${preset.note}`;
      sendPace();
    }
    sendSettingsMessage(settings);
  },
  settings(m) {
    if (m.seq !== undefined && m.seq < app.sent) return;  // its answer is on its way
    showSettings(m.settings);
    showMessages(m.messages, "notice");
    updateUrl(m.url);
  },
  data(m) {
    app.data = m;
    if (app.frame && app.replay === null) redrawMain();  // the new points now, not at the next frame
  },
  network(m) { showNetwork(m); },
  frame(m) {
    app.framesReceived += 1;
    if (m.run === app.run) showFrame(m);
  },
  state(m) { if (m.run === app.run) setState(m.state); },
  snapshot(m) { if (m.run === app.run) showSnapshot(m); },
  pace() {},
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

// -- wiring --------------------------------------------------------------------------------
for (const name of FIELDS) {
  const el = $(name);
  el.addEventListener("change", sendSettings);
  el.addEventListener("input", () => { el.dataset.typing = "1"; });
  if (el.type === "range") el.addEventListener("input", () => {
    $(`${name}-value`).textContent = Number(el.value).toFixed(2);
  });
}
$("start").addEventListener("click", () => send({ type: app.state === "running" ? "pause" : "start" }));
$("step").addEventListener("click", () => send({ type: "step" }));
$("reset").addEventListener("click", () => send({ type: "reset" }));
$("sample").addEventListener("click", () => send({ type: "sample" }));
$("add-layer").addEventListener("click", () => sendSettingsMessage(changeLayers(readSettings(), 1)));
$("remove-layer").addEventListener("click", () => sendSettingsMessage(changeLayers(readSettings(), -1)));
$("show-test").addEventListener("change", redrawMain);
$("log-iterations").addEventListener("change", () => drawCurves($("curves"), app.history, $("log-iterations").checked));
$("steps_per_frame").addEventListener("change", sendPace);
$("stop_at").addEventListener("change", sendPace);
$("preset").addEventListener("change", () => openPreset($("preset").value));
$("timeline").addEventListener("input", () => showReplay(Number($("timeline").value)));
$("timeline-live").addEventListener("click", goLive);
window.addEventListener("resize", () => { if (app.frame) { view.shape = null; view.draw(app.frame, app.network); } });
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
$("export-model").addEventListener("click", () => {
  if (app.token) download(`/api/model/${app.token}?format=npz`, showMessages);
});
$("export-png").addEventListener("click", () => {
  if (app.token) download(`/api/regions/${app.token}`, showMessages);
});
$("copy-link").addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(location.href);
    showMessages(["link copied: it opens the playground with these settings"], "notice");
  } catch {
    showMessages([`copy this link: ${location.href}`], "notice");
  }
});
connect();
