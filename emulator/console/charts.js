/* SPDX-License-Identifier: MIT
 *
 * charts.js -- a small SVG time-series chart for the ddbd console: lines or
 * bars over evenly spaced slots ending "now", a rounded y scale with four
 * grid lines, relative time labels and a legend with each series' latest
 * and largest value. Exposes window.DdbdCharts.draw.
 */
(function (global) {
  'use strict';

  const NS = 'http://www.w3.org/2000/svg';
  const W = 600, H = 200, L = 46, R = 10, T = 10, B = 22;

  function svg(tag, attrs, text) {
    const e = document.createElementNS(NS, tag);
    for (const k of Object.keys(attrs || {})) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /* The smallest 1, 2, 2.5 or 5 times a power of ten at or above v. */
  function niceMax(v) {
    if (!(v > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v - 1e-9) return m * p;
    return 10 * p;
  }

  function fmt(v) {
    if (Math.abs(v) >= 1000) return (v / 1000).toFixed(v % 1000 === 0 ? 0 : 1) + 'k';
    return Number.isInteger(v) ? String(v) : v.toFixed(1);
  }

  /*
   * Draw into 'container' (emptied first): spec = {title, slotSeconds (1 or
   * 60), series: [{name, color, values: [oldest .. newest], bars: bool}]}.
   */
  function draw(container, spec) {
    container.textContent = '';
    container.classList.add('chart', 'card');
    const n = Math.max(1, ...spec.series.map((s) => s.values.length));
    let max = 0;
    for (const s of spec.series) for (const v of s.values) if (v > max) max = v;
    const top = niceMax(max);
    const head = document.createElement('div');
    head.className = 'toolbar';
    const title = document.createElement('h3');
    title.textContent = spec.title;
    head.append(title);
    const legend = document.createElement('div');
    legend.className = 'legend-row';
    for (const s of spec.series) {
      const item = document.createElement('span');
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = s.color;
      const last = s.values.length ? s.values[s.values.length - 1] : 0;
      const peak = s.values.length ? Math.max(...s.values) : 0;
      item.append(sw, ' ' + s.name + ': now ' + fmt(last) + ', max ' + fmt(peak));
      legend.append(item);
    }
    head.append(legend);
    container.append(head);

    const root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, preserveAspectRatio: 'none',
                              role: 'img', 'aria-label': spec.title });
    const pw = W - L - R, ph = H - T - B;
    const x = (i) => L + (n === 1 ? pw : (i * pw) / (n - 1));
    const y = (v) => T + ph - (v / top) * ph;
    for (let g = 0; g <= 4; g++) {
      const v = (top * g) / 4;
      root.append(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v),
                                class: g === 0 ? 'axis' : 'gridline' }));
      root.append(svg('text', { x: L - 4, y: y(v) + 3, 'text-anchor': 'end' }, fmt(v)));
    }
    root.append(svg('line', { x1: L, x2: L, y1: T, y2: T + ph, class: 'axis' }));
    const unit = spec.slotSeconds >= 60 ? 'm' : 's';
    for (let t = 0; t <= 4; t++) {
      const i = Math.round(((n - 1) * t) / 4);
      const ago = n - 1 - i;
      root.append(svg('text', { x: x(i), y: H - 6, 'text-anchor': t === 0 ? 'start' : t === 4 ? 'end' : 'middle' },
                      ago === 0 ? 'now' : '-' + ago + unit));
    }
    const bars = spec.series.filter((s) => s.bars);
    const slotW = pw / n;
    bars.forEach((s, bi) => {
      const bw = Math.max(1, (slotW * 0.8) / bars.length);
      s.values.forEach((v, i) => {
        if (!(v > 0)) return;
        const cx = L + (n === 1 ? pw / 2 : (i * pw) / (n - 1)) - (slotW * 0.4) + bi * bw;
        root.append(svg('rect', { x: Math.max(L, cx), y: y(v), width: bw, height: T + ph - y(v),
                                  fill: s.color, class: 'bar' }));
      });
    });
    for (const s of spec.series) {
      if (s.bars || !s.values.length) continue;
      const pts = s.values.map((v, i) => x(i).toFixed(1) + ',' + y(v).toFixed(1)).join(' ');
      root.append(svg('polyline', { points: pts, stroke: s.color, class: 'series' }));
    }
    container.append(root);
    container.dataset.max = String(max);
  }

  global.DdbdCharts = { draw, niceMax };
})(window);
