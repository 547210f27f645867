// The setting controls: the page's fields by the settings table's names, the rows of
// hidden layers, and what they read back. The server checks every value sent.
const $ = (id) => document.getElementById(id);

export const FIELDS = ["data", "classes", "points", "noise", "test_fraction", "seed",
  "architecture", "width", "depth", "dropout", "optimizer", "backend", "lr", "regularization",
  "regularization_rate", "schedule", "batch_size", "iterations"];

// A row per hidden layer: its width and activation. An mlp's widths are its own (the
// setting hidden); a ResNet's are all its width (the setting width, beside depth).
function layerRow(k, width, activation, resnet, limits, onChange) {
  const row = document.createElement("div");
  row.className = "layer";
  const label = document.createElement("span");
  label.textContent = `${k + 1}`;
  let w;
  if (resnet) {
    w = document.createElement("span");
    w.textContent = `${width}`;
    w.title = k === 0 ? "the input map to the blocks' width" : `residual block ${k} (eq. 6)`;
  } else {
    w = document.createElement("input");
    w.type = "number"; w.min = 1; w.max = limits.fields.hidden.hi; w.value = width;
    w.className = "width"; w.title = "units in this layer";
    w.addEventListener("change", onChange);
  }
  const act = document.createElement("select");
  act.className = "activation";
  for (const name of limits.fields.activation.choices) act.add(new Option(name, name));
  act.value = activation;
  row.append(label, w, act);
  act.addEventListener("change", onChange);
  return row;
}

// The controls show the settings ``s`` (``onChange``: a layer row was changed).
export function showControls(s, limits, onChange) {
  for (const name of FIELDS) {
    const el = $(name);
    // a field being typed in keeps what is typed: a reply to an earlier change must not
    // overwrite it before its own change is sent (then the reply to that one shows it)
    if (!el.dataset.typing) el.value = s[name] === null ? "" : s[name];
  }
  for (const box of document.querySelectorAll("#features input")) {
    box.checked = s.features.includes(box.value);
  }
  $("noise-value").textContent = Number(s.noise).toFixed(2);
  $("test_fraction-value").textContent = Number(s.test_fraction).toFixed(2);
  $("lr").placeholder = `default ${limits.default_lr[s.optimizer]}`;
  $("classes").disabled = s.data === "moons" || s.data === "xor" || s.data === "upload";
  $("points").disabled = $("noise").disabled = s.data === "upload";  // the file decides
  const resnet = s.architecture === "resnet";
  document.body.classList.toggle("resnet", resnet);
  const widths = resnet ? Array(1 + s.depth).fill(s.width) : s.hidden;
  $("layers").replaceChildren(...widths.map((h, k) =>
    layerRow(k, h, s.activation[k], resnet, limits, onChange)));
  $("layer-count").textContent = widths.length;
  $("add-layer").title = resnet ? "Add a residual block" : "Add a hidden layer";
  $("remove-layer").title = resnet ? "Remove the last residual block" : "Remove the last hidden layer";
}

// What the controls say, as settings to send; ``shown``: the settings they show.
export function readControls(shown) {
  const out = {};
  for (const name of FIELDS) out[name] = $(name).value;
  out.lr = out.lr === "" ? null : out.lr;
  // the rows show an mlp's own widths (a ResNet's are its width, sent as that)
  if (!shown || shown.architecture === "mlp") {
    out.hidden = [...document.querySelectorAll("#layers .width")].map((el) => el.value);
  }
  out.activation = [...document.querySelectorAll("#layers .activation")].map((el) => el.value);
  out.features = [...document.querySelectorAll("#features input:checked")].map((el) => el.value);
  return out;
}

// + and -: a hidden layer more or less in ``s`` (a ResNet: a block, its depth).
export function changeLayers(s, delta) {
  if (delta > 0) {
    if (s.hidden) s.hidden.push(s.hidden.length ? s.hidden[s.hidden.length - 1] : 8);
    else s.depth = Number(s.depth) + 1;
    s.activation.push(s.activation.length ? s.activation[s.activation.length - 1] : "relu");
  } else {
    if (s.hidden) s.hidden.pop();
    else s.depth = Math.max(0, Number(s.depth) - 1);
    if (s.activation.length > 1) s.activation.pop();
  }
  return s;
}
