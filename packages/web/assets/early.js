// carrier's terminal page, first step: open the WebSocket at once, while xterm.js (about
// 280 KB to fetch, parse and run) and the VGA font are still loading, so the board's
// welcome and `login:` are on their way in parallel. page.js adopts the socket and plays
// what arrived meanwhile. The size asked for is what page.js will fit (80 columns of 8x16
// cells, scaled to the window); if xterm.js measures otherwise, page.js sends a resize.
(function () {
  'use strict';
  var CELL_W = 8;
  var CELL_H = 16;
  var MIN_COLS = 80;
  // 80 columns of 8x16 cells, scaled to the window: below 640 px wide the whole screen
  // shrinks to fit (a phone); above, it grows by whole pixels while 80x25 still fits, and
  // extra room becomes extra columns and rows. page.js lays the screen out with this too.
  function zoomFor(w, h) {
    return w < MIN_COLS * CELL_W ? w / (MIN_COLS * CELL_W) : Math.max(1, Math.min(Math.floor(w / (MIN_COLS * CELL_W)), Math.floor(h / (25 * CELL_H))));
  }
  window.carrierZoom = zoomFor;
  if (typeof WebSocket === 'undefined') return;
  var stage = document.getElementById('stage');
  if (!stage) return;
  var w = stage.clientWidth;
  var h = stage.clientHeight;
  if (w <= 0 || h <= 0) return;
  var zoom = zoomFor(w, h);
  var cols = Math.max(2, Math.floor(Math.floor(w / zoom) / CELL_W));
  var rows = Math.max(1, Math.floor(Math.floor(h / zoom) / CELL_H));
  var proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  var ws = new WebSocket(proto + '//' + location.host + '/ws?term=xterm-256color&encoding=utf8&cols=' + cols + '&rows=' + rows);
  ws.binaryType = 'arraybuffer';
  var early = { ws: ws, cols: cols, rows: rows, frames: [], opened: false, closed: null };
  ws.onopen = function () {
    early.opened = true;
  };
  ws.onmessage = function (ev) {
    early.frames.push(ev.data);
  };
  ws.onclose = function (ev) {
    early.closed = ev;
  };
  window.carrierEarly = early;
})();
