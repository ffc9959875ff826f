// carrier's terminal page: xterm.js on a WebSocket to /ws. No cookies, no storage, no
// requests anywhere but this board. Served as is (no build step); runs in any browser
// that runs xterm.js.
(function () {
  'use strict';
  var nonceMeta = document.querySelector('meta[name="carrier-nonce"]');
  var nonce = nonceMeta ? nonceMeta.getAttribute('content') : '';
  // xterm.js adds <style> elements of its own; the Content-Security-Policy lets through
  // only those that carry this page's nonce.
  var createElement = document.createElement.bind(document);
  document.createElement = function (tag, options) {
    var el = createElement(tag, options);
    if (String(tag).toLowerCase() === 'style') el.nonce = nonce;
    return el;
  };

  var MIN_COLS = 80;
  var stage = document.getElementById('stage');
  var screenEl = document.getElementById('screen');
  var statusEl = document.getElementById('status');
  var keysEl = document.getElementById('keys');
  var spokenEl = document.getElementById('spoken');
  var encoder = new TextEncoder();

  var term = new Terminal({
    fontFamily: '"Px IBM VGA8", monospace',
    fontSize: 16,
    lineHeight: 1,
    letterSpacing: 0,
    customGlyphs: true,
    cursorBlink: true,
    scrollback: 0,
    cols: MIN_COLS,
    rows: 25,
    drawBoldTextInBrightColors: true,
    minimumContrastRatio: 1,
    theme: {
      foreground: '#aaaaaa', background: '#000000', cursor: '#aaaaaa', cursorAccent: '#000000',
      black: '#000000', red: '#aa0000', green: '#00aa00', yellow: '#aa5500',
      blue: '#0000aa', magenta: '#aa00aa', cyan: '#00aaaa', white: '#aaaaaa',
      brightBlack: '#555555', brightRed: '#ff5555', brightGreen: '#55ff55', brightYellow: '#ffff55',
      brightBlue: '#5555ff', brightMagenta: '#ff55ff', brightCyan: '#55ffff', brightWhite: '#ffffff',
    },
  });
  var fit = new FitAddon.FitAddon();
  term.loadAddon(fit);
  // A URL on screen is a link, opened in a new tab on a click: the file area's download
  // links (about 170 characters) among them. The board prints no line break inside a URL,
  // so a long one wraps softly over rows and the addon joins the rows into one link.
  term.loadAddon(new WebLinksAddon.WebLinksAddon());
  // The board's output as text for a screen reader (spoken.js).
  var spoken = window.CarrierSpoken.attach(term, spokenEl);

  var ws = null;
  var state = 'idle'; // idle | connecting | open | closed
  // Keys typed while the socket opens (the key that reconnects, and the handle typed straight
  // after it) go up once it is open, in order; they were dropped, and a handle arrived
  // without its first letters. Bounded: a held-down key while the board is away is no paste.
  var MAX_TYPED_AHEAD = 4096;
  var typedAhead = [];
  var typedAheadLength = 0;
  var ctrlArmed = false;
  var resizeTimer = 0;

  // The screen's scale for the window: early.js's carrierZoom (80 columns of 8x16 cells).
  function layout() {
    var w = stage.clientWidth;
    var h = stage.clientHeight;
    if (w <= 0 || h <= 0) return;
    var zoom = window.carrierZoom(w, h);
    screenEl.style.width = Math.floor(w / zoom) + 'px';
    screenEl.style.height = Math.floor(h / zoom) + 'px';
    screenEl.style.transform = zoom === 1 ? '' : 'scale(' + zoom + ')';
    fit.fit();
  }

  function url() {
    var proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return proto + '//' + location.host + '/ws?term=xterm-256color&encoding=utf8&cols=' + term.cols + '&rows=' + term.rows;
  }

  // The status box is a live region, in place from the start and empty until it has a
  // message (page.css gives it no room then), so a screen reader announces the message.
  function showStatus(text) {
    statusEl.textContent = text;
  }

  function closed(ev) {
    // A connection that never opened was no call that dropped: the board is down, or a
    // proxy in front of it does not pass WebSockets.
    var text = state === 'connecting' && !ev.reason
      ? 'cannot reach the board, press a key to try again'
      : 'disconnected' + (ev.reason ? ' (' + ev.reason + ')' : '') + ', press a key to reconnect';
    ws = null;
    state = 'closed';
    typedAhead = [];
    typedAheadLength = 0;
    // The status box (a live region) says it; the log region reads what came before it
    // (the board's last words) and not this line again.
    term.write('', spoken.flush);
    term.write('\r\n\x1b[0m\x1b[1;31m' + text + '\x1b[0m\r\n', spoken.heard);
    showStatus(text);
  }

  // ZMODEM: `D` and `U` in the file area start a transfer with a hex header, `**`, ZDLE
  // (Ctrl-X), `B`, then the frame type: 00 ZRQINIT (the board sends), 01 ZRINIT (it
  // receives). A browser has no ZMODEM; left alone, the caller would sit before that
  // header while the board waited out its retries. As a terminal program recognises the
  // header to start a transfer, the page recognises it to cancel one at once (ZMODEM's
  // five Ctrl-X, which the board answers with `Transfer cancelled.` and its menu) and
  // says what works in a browser instead. One cancel until the caller types again: the
  // board may repeat its header before it reads the cancel.
  var ZMODEM_HEADER = [0x2a, 0x2a, 0x18, 0x42, 0x30];
  var ZMODEM_CANCEL = '\x18\x18\x18\x18\x18';
  // Uploads: SFTP is named only when the board has ssh on (the page is told its port).
  var sftpMeta = document.querySelector('meta[name="carrier-sftp-port"]');
  var sftpPort = sftpMeta ? sftpMeta.getAttribute('content') : '';
  var ZMODEM_NOTES = {
    0x30: 'This browser page cannot receive files by ZMODEM: in the file area, W gives a web download link.',
    0x31: 'This browser page cannot send files by ZMODEM: upload with a terminal program that speaks ZMODEM' +
      (sftpPort ? ', or over SFTP (sftp -P ' + sftpPort + ' <handle>@' + location.hostname + ').' : '.'),
  };
  var zmodemTail = [];
  var zmodemRefused = false;

  /** Where a ZMODEM hex header starts in `bytes` (after the tail of the frame before), or -1. */
  function zmodemHeaderAt(bytes) {
    var seen = zmodemTail.length;
    for (var i = -seen; i + ZMODEM_HEADER.length < bytes.length; i++) {
      var k = 0;
      while (k < ZMODEM_HEADER.length && (i + k < 0 ? zmodemTail[seen + i + k] : bytes[i + k]) === ZMODEM_HEADER[k]) k++;
      if (k === ZMODEM_HEADER.length && ZMODEM_NOTES[bytes[i + k]]) return i;
    }
    return -1;
  }

  function received(data) {
    if (typeof data === 'string') return;
    var bytes = new Uint8Array(data);
    var at = zmodemRefused ? -1 : zmodemHeaderAt(bytes);
    zmodemTail = Array.prototype.slice.call(bytes, Math.max(0, bytes.length - ZMODEM_HEADER.length));
    if (at < 0) {
      term.write(bytes);
      return;
    }
    zmodemRefused = true;
    zmodemTail = [];
    var note = ZMODEM_NOTES[bytes[at + ZMODEM_HEADER.length]];
    // The header's line (hex digits, CR LF, XON) is not shown: it is no text for the caller.
    var end = bytes.indexOf(0x0a, Math.max(0, at + ZMODEM_HEADER.length));
    end = end < 0 ? bytes.length : end + 1;
    if (bytes[end] === 0x11) end++;
    if (at > 0) term.write(bytes.subarray(0, at));
    term.write('\r\x1b[K\x1b[0m\x1b[1;33m' + note + '\x1b[0m\r\n');
    if (end < bytes.length) term.write(bytes.subarray(end));
    send(ZMODEM_CANCEL);
  }

  // The size the board was told differs from what xterm.js fitted: tell it the real one.
  function sizeAsked(cols, rows) {
    if (cols !== term.cols || rows !== term.rows) ws.send(JSON.stringify({ type: 'resize', cols: term.cols, rows: term.rows }));
  }

  /** The socket early.js opened while this page loaded, with what it received meanwhile. */
  function adopt(early) {
    window.carrierEarly = undefined;
    ws = early.ws;
    for (var i = 0; i < early.frames.length; i++) received(early.frames[i]);
    if (early.closed) {
      state = early.opened ? 'open' : 'connecting';
      closed(early.closed);
      return;
    }
    ws.onmessage = function (ev) {
      received(ev.data);
    };
    ws.onclose = closed;
    if (ws.readyState === WebSocket.OPEN) {
      sizeAsked(early.cols, early.rows);
      opened();
    } else {
      state = 'connecting';
      ws.onopen = function () {
        sizeAsked(early.cols, early.rows);
        opened();
      };
    }
  }

  function connect() {
    if (state === 'connecting' || state === 'open') return;
    statusEl.textContent = '';
    term.reset();
    if (window.carrierEarly) return adopt(window.carrierEarly);
    state = 'connecting';
    // A resize while the socket opens cannot be sent yet: the size is checked once it is open.
    var cols = term.cols;
    var rows = term.rows;
    ws = new WebSocket(url());
    ws.binaryType = 'arraybuffer';
    ws.onopen = function () {
      sizeAsked(cols, rows);
      opened();
    };
    ws.onmessage = function (ev) {
      received(ev.data);
    };
    ws.onclose = closed;
  }

  // The board closes the connection on a frame over 64 KiB (its maxPayload): a long paste
  // goes up in pieces, which the board takes at its key rate (a UTF-8 character may be
  // split between two; the board decodes across frames).
  var MAX_FRAME = 16 * 1024;

  function opened() {
    state = 'open';
    term.focus();
    var keys = typedAhead.join('');
    typedAhead = [];
    typedAheadLength = 0;
    if (keys) send(keys);
  }

  function send(text) {
    if (state === 'closed') connect();
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      if (state === 'connecting' && typedAheadLength + text.length <= MAX_TYPED_AHEAD) {
        typedAhead.push(text);
        typedAheadLength += text.length;
      }
      return;
    }
    var bytes = encoder.encode(text);
    for (var i = 0; i < bytes.length; i += MAX_FRAME) ws.send(bytes.subarray(i, i + MAX_FRAME));
  }

  // Keys. xterm.js sends the board every key that makes a byte sequence and prevents the
  // browser's own action for it: F1-F10, Ctrl-letters, Insert, Tab, Esc, arrows, PgUp/PgDn,
  // Home/End. Taken back for the browser: tab switching (Ctrl-Tab, Ctrl-Shift-Tab,
  // Ctrl-PgUp/PgDn, which browsers keep for themselves anyway), F11 full screen, F12
  // developer tools, and paste: Ctrl-V like Ctrl-Shift-V and Shift-Insert (the browser's
  // paste goes to xterm.js's paste handler) instead of a ^V the board does not use. Copy:
  // Ctrl-Shift-C, Ctrl-Insert, or Ctrl-C while text is selected; the selection then goes,
  // so the next Ctrl-C is the key again.
  var KEY_C = 67;
  var KEY_V = 86;
  var BROWSER_KEYS = { Tab: 'ctrl', PageUp: 'ctrl', PageDown: 'ctrl', F11: 'any', F12: 'any' };

  term.attachCustomKeyEventHandler(function (ev) {
    if (ev.type !== 'keydown') return true;
    var ctrl = ev.ctrlKey && !ev.altKey && !ev.metaKey;
    var browser = BROWSER_KEYS[ev.key];
    if (browser === 'any' || (browser === 'ctrl' && ctrl)) return false;
    if (ctrl && ev.keyCode === KEY_V) return false;
    if (ctrl && ((ev.keyCode === KEY_C && (ev.shiftKey || term.hasSelection())) || ev.key === 'Insert')) {
      // Prevented: Chromium's own Ctrl-Shift-C opens the developer tools' inspector. The
      // copy event reaches xterm.js's handler, which puts its selection on the clipboard.
      ev.preventDefault();
      document.execCommand('copy');
      term.clearSelection();
      return false;
    }
    return true;
  });

  term.onData(function (data) {
    zmodemRefused = false;
    spoken.typed();
    if (ctrlArmed && data.length === 1) {
      var c = data.toUpperCase().charCodeAt(0);
      if (c >= 64 && c <= 95) data = String.fromCharCode(c - 64);
      setCtrl(false);
    }
    send(data);
  });
  term.onBinary(function (data) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    var bytes = new Uint8Array(data.length);
    for (var i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) & 255;
    ws.send(bytes);
  });
  term.onResize(function () {
    // A window being dragged sends one resize when it settles, not one per pixel.
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'resize', cols: term.cols, rows: term.rows }));
    }, 150);
  });

  function setCtrl(on) {
    ctrlArmed = on;
    var b = keysEl.querySelector('[data-key="ctrl"]');
    if (b) b.setAttribute('aria-pressed', on ? 'true' : 'false');
  }
  var KEYS = { esc: '\x1b', tab: '\t', enter: '\r', up: '\x1b[A', down: '\x1b[B', right: '\x1b[C', left: '\x1b[D' };
  keysEl.addEventListener('click', function (ev) {
    var b = ev.target.closest('button');
    if (!b) return;
    var k = b.getAttribute('data-key');
    if (k === 'ctrl') setCtrl(!ctrlArmed);
    else if (KEYS[k]) {
      zmodemRefused = false;
      setCtrl(false);
      send(KEYS[k]);
    }
    term.focus();
  });
  statusEl.addEventListener('click', function () {
    if (state === 'closed') connect();
    term.focus();
  });
  window.addEventListener('keydown', function () {
    // A key pressed anywhere after a disconnect reconnects (xterm's textarea may not have focus).
    if (state === 'closed') connect();
  });
  window.addEventListener('resize', layout);

  function start() {
    term.open(screenEl);
    layout();
    connect();
  }
  // Measure cells with the VGA font, never a fallback.
  if (document.fonts && document.fonts.load) {
    document.fonts.load('16px "Px IBM VGA8"').then(start, start);
  } else {
    start();
  }
})();
