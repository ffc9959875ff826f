// carrier's terminal page: what the board shows, as text for a screen reader. xterm.js's
// own screen-reader mode is not used: in xterm.js 6 it takes F1, Tab and the arrows from
// the board and speaks nothing the caller did not type. Instead, once the board's output
// settles, the rows it changed go into a log region (role="log", a polite live region) as
// one paragraph each time: a new screen is read from the top, a scrolled one (or a region
// of it) only for its new rows, and the echo of what the caller types is left to the
// screen reader's own key echo; a key that moves the cursor to another row with no text
// changed (a lightbar's highlight, the editor's Up and Down) gets that row read.
// Box-drawing and block characters (ANSI art) are not read. Bounded: one paragraph
// holds at most MAX_SPOKEN characters and the region keeps the last MAX_PARAGRAPHS.
// The region's data-settling is "true" while output waits to settle, "false" once what it
// changed has been read (or left out): no screen reader reads it; a test waits on it.
(function () {
  'use strict';
  var SETTLE_MS = 200;
  // Output that never pauses (a long listing) is read at least this often.
  var MAX_WAIT_MS = 1000;
  var ECHO_MS = 500;
  var MAX_SPOKEN = 2000;
  var MAX_PARAGRAPHS = 30;
  // U+2500-U+259F box drawing, blocks and shades; U+25A0-U+25FF geometric shapes (CP437's
  // bullets and triangles): art, not words.
  var ART = /[\u2500-\u25ff]+/g;

  function rowsOf(term) {
    var buf = term.buffer.active;
    var out = [];
    for (var y = 0; y < term.rows; y++) {
      var line = buf.getLine(buf.viewportY + y);
      out.push(line ? line.translateToString(true) : '');
    }
    return out;
  }

  function spoken(row) {
    return row.replace(ART, ' ').replace(/\s+/g, ' ').trim();
  }

  /**
   * How far the rows moved since `before` (positive: up, as a scroll; negative: down): the
   * shift under which the most rows with words that changed in place are found where they
   * were before; 0 when none are. A region that scrolls inside a fixed frame (chat's lines
   * under its header) moves only its own rows; the frame's rows did not change in place.
   */
  function movedBy(before, now) {
    var best = 0;
    var bestMatches = 0;
    for (var k = 1 - now.length; k < now.length; k++) {
      if (k === 0) continue;
      var matches = 0;
      for (var y = 0; y < now.length; y++) {
        var from = y + k;
        if (from < 0 || from >= before.length || now[y] === before[y] || now[y] !== before[from]) continue;
        if (spoken(now[y])) matches++;
      }
      if (matches > bestMatches || (matches === bestMatches && matches > 0 && Math.abs(k) < Math.abs(best))) {
        best = k;
        bestMatches = matches;
      }
    }
    return best;
  }

  function attach(term, region) {
    var before = rowsOf(term);
    function settling(on) {
      region.setAttribute('data-settling', on ? 'true' : 'false');
    }
    settling(false);
    var timer = 0;
    var waitingSince = 0;
    var lastKeyAt = 0;
    // A key typed since the last settle: the board's answer to it, however late it comes
    // (a slow link), is the first output after it.
    var keyPending = false;
    var keyRow = -1;
    var cursorRow = term.buffer.active.cursorY;

    function settle() {
      timer = 0;
      waitingSince = 0;
      settling(false);
      var afterKey = keyPending || Date.now() - lastKeyAt < ECHO_MS;
      keyPending = false;
      var now = rowsOf(term);
      var shift = movedBy(before, now);
      var changed = [];
      for (var y = 0; y < now.length; y++) {
        // New: neither where it was (a header, a status row) nor where the move took it.
        var from = y + shift;
        var moved = shift !== 0 && from >= 0 && from < before.length && now[y] === before[from];
        if (now[y] !== before[y] && !moved) changed.push(y);
      }
      // The echo of typing: only the row the caller typed on changed, soon after a key,
      // and only at its end (characters added, or taken away by Backspace).
      var echo = false;
      if (afterKey && changed.length === 1 && changed[0] === keyRow) {
        var row = now[keyRow];
        var was = before[keyRow];
        echo = row.indexOf(was) === 0 || was.indexOf(row) === 0;
      }
      before = now;
      var cursorWas = cursorRow;
      cursorRow = term.buffer.active.cursorY;
      // No text changed, but a key took the cursor to another row (a lightbar's highlight,
      // the editor's Up and Down): that row is read, as a screen reader reads the line it
      // moves to.
      if (changed.length === 0 && cursorRow !== cursorWas && afterKey) changed.push(cursorRow);
      if (echo) return;
      var text = '';
      for (var i = 0; i < changed.length && text.length < MAX_SPOKEN; i++) {
        var words = spoken(now[changed[i]]);
        if (words) text += (text ? '\n' : '') + words;
      }
      if (!text) return;
      if (text.length > MAX_SPOKEN) text = text.slice(0, MAX_SPOKEN - 1) + '\u2026';
      var p = document.createElement('p');
      p.textContent = text;
      region.appendChild(p);
      while (region.childNodes.length > MAX_PARAGRAPHS) region.removeChild(region.firstChild);
    }

    term.onWriteParsed(function () {
      var t = Date.now();
      if (timer && t - waitingSince >= MAX_WAIT_MS) return;
      if (!timer) waitingSince = t;
      clearTimeout(timer);
      timer = setTimeout(settle, SETTLE_MS);
      settling(true);
    });
    return {
      /** Read now what the board's output has changed so far (written and parsed before this). */
      flush: function () {
        if (!timer) return;
        clearTimeout(timer);
        settle();
      },
      /** What is on the screen now has been said elsewhere (the page's own status message). */
      heard: function () {
        clearTimeout(timer);
        timer = 0;
        waitingSince = 0;
        settling(false);
        before = rowsOf(term);
      },
      /** The caller typed: a change on the cursor's row soon after is the board's echo. */
      typed: function () {
        lastKeyAt = Date.now();
        keyPending = true;
        keyRow = term.buffer.active.cursorY;
      },
    };
  }

  window.CarrierSpoken = { attach: attach };
})();
