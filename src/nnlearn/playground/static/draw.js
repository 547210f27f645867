// Drawing: the decision regions with their boundary and the points, a unit's map
// enlarged, the gradient bars, the learning curves, the confusion counts and the
// strip of snapshots. Pure functions of what the server sent; nothing here talks
// to the server. (The network view is netview.js.)

// The same colours as nnlearn's figures (nnlearn.plots.base.CLASS_COLOURS).
export const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
  "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const RGB = COLOURS.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));

export function bytes(b64) {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

// Cell colours: the class's colour, stronger where the network is surer
// (margin = p_top - p_second, 0..255), so that the boundary fades to white.
function regionImage(grid) {
  const n = grid.n, cls = bytes(grid.cls), margin = bytes(grid.margin);
  const img = new ImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    const rgb = RGB[cls[i] % RGB.length], a = 0.12 + 0.5 * (margin[i] / 255);
    for (let j = 0; j < 3; j++) img.data[4 * i + j] = Math.round(255 + a * (rgb[j] - 255));
    img.data[4 * i + 3] = 255;
  }
  return { img, cls, margin };
}

// The boundary of every class's region: marching squares on the signed margin
// g_c = +margin where c wins and -margin elsewhere, whose zero set is the boundary.
function boundarySegments(n, cls, margin, classes) {
  const segments = [];
  const g = new Float32Array(n * n);
  for (let c = 0; c < (classes === 2 ? 1 : classes); c++) {
    for (let i = 0; i < n * n; i++) {
      const m = margin[i] / 255 + 1 / 512;
      g[i] = cls[i] === c ? m : -m;
    }
    for (let r = 0; r + 1 < n; r++) {
      for (let q = 0; q + 1 < n; q++) {
        const a = g[r * n + q], b = g[r * n + q + 1];
        const d = g[(r + 1) * n + q + 1], e = g[(r + 1) * n + q];
        const pts = [];
        if ((a > 0) !== (b > 0)) pts.push([q + a / (a - b), r]);
        if ((b > 0) !== (d > 0)) pts.push([q + 1, r + b / (b - d)]);
        if ((e > 0) !== (d > 0)) pts.push([q + e / (e - d), r + 1]);
        if ((a > 0) !== (e > 0)) pts.push([q, r + a / (a - e)]);
        for (let k = 0; k + 1 < pts.length; k += 2) segments.push([pts[k], pts[k + 1]]);
      }
    }
  }
  return segments;
}

export function drawRegions(canvas, frame, data, showTest) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  if (frame && frame.grid) {
    const { img, cls, margin } = regionImage(frame.grid);
    const n = frame.grid.n;
    const small = new OffscreenCanvas(n, n);
    small.getContext("2d").putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(small, 0, 0, W, H);
    // Cell centres sit at (q + 0.5) / n of the width.
    const sx = W / n, sy = H / n;
    ctx.beginPath();
    for (const [p, q] of boundarySegments(n, cls, margin, data ? data.classes.length : 2)) {
      ctx.moveTo((p[0] + 0.5) * sx, (p[1] + 0.5) * sy);
      ctx.lineTo((q[0] + 0.5) * sx, (q[1] + 0.5) * sy);
    }
    ctx.strokeStyle = "rgba(20, 20, 20, 0.85)";
    ctx.lineWidth = 1.6;
    ctx.stroke();
  }
  drawPoints(ctx, W, H, data, showTest);
}

function drawPoints(ctx, W, H, data, showTest) {
  if (!data) return;
  const [x0, x1, y0, y1] = data.domain;
  const px = (x) => ((x - x0) / (x1 - x0)) * W, py = (y) => ((y1 - y) / (y1 - y0)) * H;
  const r = data.points.train.length > 2000 ? 2 : 3;
  const dot = (p, stroke) => {
    ctx.beginPath();
    ctx.arc(px(p[0]), py(p[1]), r, 0, 2 * Math.PI);
    ctx.fillStyle = COLOURS[p[2] % COLOURS.length];
    ctx.fill();
    ctx.strokeStyle = stroke;
    ctx.stroke();
  };
  ctx.lineWidth = 1;
  for (const p of data.points.train) dot(p, "#fff");
  if (showTest) for (const p of data.points.test) dot(p, "#000");
}

// One unit's map, large, in place of the decision regions (hover-enlarge), with the points.
export function drawUnitLarge(canvas, image, data, showTest) {
  const ctx = canvas.getContext("2d");
  const small = new OffscreenCanvas(image.width, image.height);
  small.getContext("2d").putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
  drawPoints(ctx, canvas.width, canvas.height, data, showTest);
}

// One bar per weight layer on one fixed log scale, 1e-8 to 1e+1, in every frame and
// run: vanishing gradients show as short bars near the input, exploding ones as long
// bars, and equal bars mean equal norms. A value outside is drawn at the end, marked.
export const GRAD_LO = -8, GRAD_HI = 1;
export function drawGrads(canvas, norms, layers) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width;
  const rows = norms ? norms.length : 0;
  const rowH = Math.max(8, Math.min(18, 220 / Math.max(rows, 1)));
  const H = Math.max(40, rows * rowH + 18);
  if (canvas.height !== H) canvas.height = H;
  ctx.clearRect(0, 0, W, H);
  ctx.font = "11px system-ui, sans-serif";
  ctx.fillStyle = "#666";
  if (!rows) {
    ctx.fillText("no gradients yet", 4, 14);
    return;
  }
  const logs = norms.map((v) => (v === null || v === undefined ? null : v > 0 ? Math.log10(v) : -Infinity));
  const lo = GRAD_LO, hi = GRAD_HI;
  const left = 34, right = 66, span = W - left - right;
  norms.forEach((v, k) => {
    const y = k * rowH + 2;
    ctx.fillStyle = "#666";
    ctx.fillText(layers && layers[k] ? layers[k] : `${k + 1}`, 2, y + rowH - 4);
    if (logs[k] === null) return;
    const clipped = Math.min(hi, Math.max(lo, logs[k]));
    const w = Math.max(1, ((clipped - lo) / (hi - lo)) * span);
    ctx.fillStyle = clipped !== logs[k] ? "#b00020" : "#1f77b4";
    ctx.fillRect(left, y, w, rowH - 3);
    ctx.fillStyle = "#222";
    ctx.fillText(v.toExponential(1), left + w + 4, y + rowH - 4);
  });
  ctx.fillStyle = "#999";
  for (let e = lo; e <= hi; e += 3) {
    const x = left + ((e - lo) / (hi - lo)) * span;
    ctx.fillText(`1e${e}`, Math.min(x, W - 30), H - 3);
  }
}

// Loss (left) and accuracy (right) against iterations, on a linear or a log axis;
// train solid, test dashed.
export function drawCurves(canvas, history, logAxis) {
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  ctx.font = "11px system-ui, sans-serif";
  const panels = [["loss", "train_loss", "test_loss"], ["accuracy", "train_accuracy", "test_accuracy"]];
  const pw = (W - 30) / 2;
  const last = history.length ? history[history.length - 1].iteration : 0;
  panels.forEach(([title, train, test], j) => {
    const x0 = 10 + j * (pw + 10), y0 = 16, h = H - 34;
    ctx.strokeStyle = "#ddd";
    ctx.strokeRect(x0, y0, pw, h);
    ctx.fillStyle = "#666";
    ctx.fillText(title, x0, 11);
    if (history.length < 2) return;
    let top = j === 1 ? 1 : 0;
    if (j === 0) for (const r of history) top = Math.max(top, r[train] || 0, r[test] || 0);
    const bottom = 0;
    ctx.fillText(`${top.toPrecision(2)}`, x0 + pw - 28, 11);
    if (j === 1) ctx.fillText(`iteration ${last}${logAxis ? " (log)" : ""}`, x0 + pw - 100, H - 4);
    const first = history[0].iteration;
    const t = logAxis ? (it) => Math.log10(Math.max(it, 1)) : (it) => it;
    const X = (it) => x0 + ((t(it) - t(first)) / Math.max(t(last) - t(first), 1e-9)) * pw;
    const Y = (v) => y0 + h - ((v - bottom) / Math.max(top - bottom, 1e-12)) * h;
    for (const [key, dash, colour] of [[train, [], "#1f77b4"], [test, [5, 3], "#d62728"]]) {
      ctx.beginPath();
      ctx.setLineDash(dash);
      let started = false;
      for (const r of history) {
        if (r[key] === null || r[key] === undefined) continue;
        const y = Math.max(y0, Math.min(y0 + h, Y(r[key])));
        if (started) ctx.lineTo(X(r.iteration), y);
        else { ctx.moveTo(X(r.iteration), y); started = true; }
      }
      ctx.strokeStyle = colour;
      ctx.lineWidth = 1.5;
      ctx.stroke();
      ctx.setLineDash([]);
    }
  });
  ctx.fillStyle = "#1f77b4";
  ctx.fillText("train", 12, H - 4);
  ctx.fillStyle = "#d62728";
  ctx.fillText("test (dashed)", 46, H - 4);
}

// The test split's confusion counts: rows the true class, columns the predicted one,
// class names in <th> cells, no totals; the diagonal green, the rest red by share.
export function drawConfusion(table, counts, classNames) {
  const names = classNames || counts.map((_, i) => `${i}`);
  if (table.rows.length !== counts.length + 1) {
    table.replaceChildren();
    const head = table.createTHead().insertRow();
    head.appendChild(document.createElement("th"));
    for (const name of names) {
      const th = document.createElement("th");
      th.textContent = name; th.scope = "col";
      head.appendChild(th);
    }
    const body = table.createTBody();
    counts.forEach((row, i) => {
      const tr = body.insertRow();
      const th = document.createElement("th");
      th.textContent = names[i]; th.scope = "row";
      tr.appendChild(th);
      row.forEach(() => tr.insertCell());
    });
  }
  const body = table.tBodies[0];
  counts.forEach((row, i) => row.forEach((n, j) => {
    const cell = body.rows[i].cells[j + 1];
    cell.textContent = n;
    const share = n / Math.max(1, row.reduce((a, b) => a + b, 0));
    cell.style.background = i === j ? `rgba(44,160,44,${0.1 + 0.5 * share})` : n ? `rgba(214,39,40,${0.1 + 0.5 * share})` : "";
  }));
}

// One frozen picture of the decision regions in the strip (a preset's snapshots).
export function addSnapshot(strip, m, data) {
  const c = document.createElement("canvas");
  c.width = c.height = 120;
  drawRegions(c, m, data, false);
  const fig = document.createElement("figure");
  fig.dataset.iteration = m.iteration;
  const caption = document.createElement("figcaption");
  caption.textContent = `iteration ${m.iteration}`;
  fig.append(c, caption);
  strip.appendChild(fig);
}
