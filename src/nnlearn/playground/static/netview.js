// The network view: every unit's output over the plane as a small map, and one SVG
// line per weight between the drawn units. Pure drawing from what the server sent
// (frame.units, frame.edges); the page wires hover and the layer windows.
import { bytes, COLOURS } from "./draw.js";

const SVG = "http://www.w3.org/2000/svg";
export const WINDOW = 16;  // units of a layer drawn at a time (the server's units.WINDOW)
// Edge widths follow |w| on one fixed scale, the same in every frame and run, so
// that weights shrinking under L2 are seen to shrink: |w| >= W_FULL is the widest.
export const W_FULL = 3;
const MAX_STROKE = 6;
const POSITIVE = [245, 147, 34], NEGATIVE = [8, 119, 189];

export function strokeWidth(w) {
  return 0.4 + (MAX_STROKE - 0.4) * Math.min(Math.abs(w), W_FULL) / W_FULL;
}

function layerTitle(j, last, layers) {
  if (j === 0) return "inputs";
  if (j === last) return "output";
  const l = layers[j - 1];
  return `${j}: ${l.kind === "residual" ? "block" : l.activation || ""}`;
}

// The map of one unit, as pixels: orange for positive values, blue for negative;
// an output unit (probabilities, 2p - 1) in its class's colour.
export function mapImage(values, start, m, classColour) {
  const img = new ImageData(m, m);
  for (let i = 0; i < m * m; i++) {
    const v = values[start + i] / 127;
    let rgb, a;
    if (classColour) { rgb = classColour; a = (v + 1) / 2; } else { rgb = v >= 0 ? POSITIVE : NEGATIVE; a = Math.abs(v); }
    for (let k = 0; k < 3; k++) img.data[4 * i + k] = Math.round(255 + a * (rgb[k] - 255));
    img.data[4 * i + 3] = 255;
  }
  return img;
}

const RGB = COLOURS.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));

// The signature of what is drawn: rebuild the elements only when it changes.
function shapeOf(units, edges) {
  return JSON.stringify([units.layers.map((l) => [l.offset, l.count, l.of]),
    edges.map((e) => (e ? [e.rows, e.cols] : null))]);
}

export class NetworkView {
  constructor(root, { onHover, onWindow, featureNames }) {
    this.root = root;
    this.onHover = onHover;
    this.onWindow = onWindow;
    this.featureNames = featureNames;
    this.shape = null;
    this.layers = [];
    this.tooltip = document.getElementById("tooltip");
  }

  // Rebuilds the columns, maps and lines for a new shape of the frame.
  build(frame, network) {
    const { units, edges } = frame;
    this.root.replaceChildren();
    this.svg = document.createElementNS(SVG, "svg");
    this.svg.id = "edges";
    this.root.appendChild(this.svg);
    const columns = document.createElement("div");
    columns.className = "net-columns";
    this.root.appendChild(columns);
    const last = units.layers.length - 1;
    const names = this.featureNames();
    this.canvases = [];
    units.layers.forEach((l, j) => {
      const col = document.createElement("div");
      col.className = "net-layer";
      col.dataset.layerColumn = j;
      const head = document.createElement("div");
      head.className = "net-head";
      const weighted = network ? network.layers.filter((x) => x.kind !== "dropout" && x.kind !== "features") : [];
      head.textContent = layerTitle(j, last, weighted);
      col.appendChild(head);
      if (l.of > l.count) {  // a wide layer: a window of units, moved by the arrows
        const fold = document.createElement("div");
        fold.className = "net-fold";
        const back = document.createElement("button");
        back.textContent = "\u2039"; back.className = "fold-back"; back.title = "previous units";
        const next = document.createElement("button");
        next.textContent = "\u203a"; next.className = "fold-next"; next.title = "next units";
        const label = document.createElement("span");
        label.className = "fold-label";
        label.textContent = `${l.offset + 1}\u2013${l.offset + l.count} of ${l.of}`;
        back.disabled = l.offset === 0;
        next.disabled = l.offset + l.count >= l.of;
        back.addEventListener("click", () => this.onWindow(j, Math.max(0, l.offset - WINDOW)));
        next.addEventListener("click", () => this.onWindow(j, Math.min(l.of - WINDOW, l.offset + WINDOW)));
        fold.append(back, label, next);
        col.appendChild(fold);
      }
      const list = [];
      for (let u = 0; u < l.count; u++) {
        const unit = l.offset + u;
        const c = document.createElement("canvas");
        c.width = c.height = units.m;
        c.className = "unit-map";
        c.dataset.layer = j;
        c.dataset.unit = unit;
        c.title = j === 0 ? (names[unit] || `input ${unit + 1}`)
          : j === last ? `output: class ${unit}` : `layer ${j}, unit ${unit + 1}`;
        c.addEventListener("mouseenter", () => this.onHover({ layer: j, unit, index: u }));
        c.addEventListener("mouseleave", () => this.onHover(null));
        col.appendChild(c);
        list.push(c);
      }
      this.canvases.push(list);
      columns.appendChild(col);
    });
    this.lines = [];
    edges.forEach((e, k) => {
      if (!e) { this.lines.push(null); return; }
      const j = e.layer, from = units.layers[j - 1], to = units.layers[j];
      const rows = [];
      for (let r = 0; r < e.rows; r++) {
        const row = [];
        for (let c = 0; c < e.cols; c++) {
          const line = document.createElementNS(SVG, "line");
          line.dataset.edge = `${j}:${from.offset + c}:${to.offset + r}`;
          line.addEventListener("mouseenter", (ev) => this.showWeight(ev, line));
          line.addEventListener("mouseleave", () => this.hideWeight());
          this.svg.appendChild(line);
          row.push(line);
        }
        rows.push(row);
      }
      this.lines.push(rows);
    });
    this.shape = shapeOf(units, edges);
    this.place(edges);
  }

  // Line ends at the maps' edges (the layout decides where the maps are).
  place(edges) {
    const box = this.root.getBoundingClientRect();
    const scrollX = this.root.scrollLeft, scrollY = this.root.scrollTop;
    this.svg.setAttribute("width", this.root.scrollWidth);
    this.svg.setAttribute("height", this.root.scrollHeight);
    const at = (c, right) => {
      const r = c.getBoundingClientRect();
      return [(right ? r.right : r.left) - box.left + scrollX, r.top + r.height / 2 - box.top + scrollY];
    };
    edges.forEach((e, k) => {
      if (!e) return;
      const j = e.layer;
      for (let r = 0; r < e.rows; r++) {
        const [x2, y2] = at(this.canvases[j][r], false);
        for (let c = 0; c < e.cols; c++) {
          const [x1, y1] = at(this.canvases[j - 1][c], true);
          const line = this.lines[k][r][c];
          line.setAttribute("x1", x1); line.setAttribute("y1", y1);
          line.setAttribute("x2", x2); line.setAttribute("y2", y2);
        }
      }
    });
  }

  // Redraws the maps and the lines of one frame (rebuilding first when its shape changed).
  draw(frame, network) {
    if (!frame.units || !frame.edges) return;
    if (shapeOf(frame.units, frame.edges) !== this.shape) this.build(frame, network);
    const { units, edges } = frame;
    const m = units.m, last = units.layers.length - 1;
    units.layers.forEach((l, j) => {
      const values = new Int8Array(bytes(l.data).buffer);
      this.canvases[j].forEach((c, u) => {
        const colour = j === last ? RGB[(l.offset + u) % RGB.length] : null;
        c.getContext("2d").putImageData(mapImage(values, u * m * m, m, colour), 0, 0);
      });
    });
    edges.forEach((e, k) => {
      if (!e) return;
      const W = new Float32Array(bytes(e.data).buffer);
      for (let r = 0; r < e.rows; r++) {
        for (let c = 0; c < e.cols; c++) {
          const w = W[r * e.cols + c], line = this.lines[k][r][c];
          const rgb = w >= 0 ? POSITIVE : NEGATIVE;
          line.setAttribute("stroke", `rgb(${rgb.join(",")})`);
          line.setAttribute("stroke-width", strokeWidth(w).toFixed(2));
          line.dataset.weight = w.toPrecision(3);
        }
      }
    });
  }

  showWeight(ev, line) {
    const [j, from, to] = line.dataset.edge.split(":");
    this.tooltip.textContent = `w = ${line.dataset.weight} (layer ${j}: unit ${+from + 1} \u2192 unit ${+to + 1})`;
    this.tooltip.style.left = `${ev.clientX + 12}px`;
    this.tooltip.style.top = `${ev.clientY + 12}px`;
    this.tooltip.hidden = false;
    line.classList.add("hovered");
  }

  hideWeight() {
    this.tooltip.hidden = true;
    this.svg.querySelectorAll(".hovered").forEach((l) => l.classList.remove("hovered"));
  }
}
