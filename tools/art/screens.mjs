// The default board's screens, drawn in Unicode with ANSI colors. build.mjs encodes them
// to CP437 .ans files with a SAUCE record; sysops edit the .ans files from then on (or
// edit this file and rebuild). Every line of a screen is exactly its width: 80 columns,
// and for narrow screens (a phone's browser, a 40- or 24-column terminal) a 40- and a
// 24-column variant of each, <name>.40col.ans and <name>.24col.ans (the board picks the
// widest that fits the caller, terminal/src/art.ts): the 80-column box was cut at the
// screen's edge, its words with it.
const ESC = '\x1b';
const sgr = (...codes) => `${ESC}[${codes.join(';')}m`;
const reset = sgr(0);
const W = 80;

// A 3-row half-block font, 4 cells per letter (3 drawn + 1 gap).
const FONT = {
  C: ['█▀▀', '█  ', '▀▀▀'],
  A: ['█▀█', '█▀█', '▀ ▀'],
  R: ['█▀█', '█▀▄', '▀ ▀'],
  I: ['▀█▀', ' █ ', '▀▀▀'],
  E: ['█▀▀', '█▀▀', '▀▀▀'],
  B: ['█▀▄', '█▀▄', '▀▀ '],
  Y: ['█ █', '▀█▀', ' ▀ '],
  O: ['█▀█', '█ █', '▀▀▀'],
  N: ['█▀▄', '█ █', '▀ ▀'],
  L: ['█  ', '█  ', '▀▀▀'],
  H: ['█ █', '█▀█', '▀ ▀'],
  T: ['▀█▀', ' █ ', ' ▀ '],
  ' ': ['   ', '   ', '   '],
};

/** Each letter doubled in width so the logo reads at 80 columns. */
function logo(text) {
  const rows = ['', '', ''];
  for (const ch of text) {
    const g = FONT[ch] ?? FONT[' '];
    for (let r = 0; r < 3; r++) rows[r] += [...g[r]].map((c) => c + c).join('') + '  ';
  }
  // Every row drops the same last gap, so rows stay one width and centre alike.
  return rows.map((r) => r.slice(0, -2));
}

/** Visible width of a string with SGR sequences in it. */
const visible = (s) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
const center = (s, width) => {
  const pad = Math.max(0, width - visible(s));
  const left = Math.floor(pad / 2);
  return ' '.repeat(left) + s + ' '.repeat(pad - left);
};

function frame(title, bodyLines, color = 36, width = W) {
  const inner = width - 2;
  const top = `${sgr(0, color)}╔${'═'.repeat(2)}${sgr(1, 37)} ${title} ${sgr(0, color)}${'═'.repeat(inner - 4 - title.length)}╗`;
  const lines = [top];
  for (const l of bodyLines) {
    const pad = inner - visible(l);
    lines.push(`${sgr(0, color)}║${reset}${l}${' '.repeat(Math.max(0, pad))}${sgr(0, color)}║`);
  }
  lines.push(`${sgr(0, color)}╚${'═'.repeat(inner)}╝${reset}`);
  return lines;
}

function logoLines() {
  const colors = [sgr(1, 36), sgr(0, 36), sgr(0, 34)];
  return logo('CARRIER').map((row, i) => colors[i] + center(row, W - 2) + reset);
}

/** The font at its own width (4 cells a letter), for a narrow screen; null when `text` is wider than `width`. */
function smallLogo(text, width) {
  const rows = ['', '', ''];
  for (const ch of text) {
    const g = FONT[ch] ?? FONT[' '];
    for (let r = 0; r < 3; r++) rows[r] += g[r] + ' ';
  }
  const cut = rows.map((r) => r.slice(0, -1));
  return cut[0].length <= width ? cut : null;
}

/**
 * Runs of [sgr, text] as rows of at most `width` columns, broken between words (a run's
 * colour goes with each of its words), each row ending in a reset.
 */
function wrapRuns(runs, width) {
  // Words and the spaces between them; a word may span runs ('menu' + ': press').
  const words = [];
  for (const [code, text] of runs) {
    for (const part of text.split(/( +)/)) {
      if (part === '') continue;
      const space = part.startsWith(' ');
      const last = words[words.length - 1];
      if (!space && last && !last.space) last.text += code + part;
      else words.push({ text: code + part, width: 0, space });
      words[words.length - 1].width += part.length;
    }
  }
  const rows = [];
  let row = [];
  let used = 0;
  const end = () => {
    while (row.length > 0 && row[row.length - 1].space) used -= row.pop().width;
    rows.push(row.map((w) => w.text).join('') + reset);
    row = [];
    used = 0;
  };
  for (const w of words) {
    if (w.space && used === 0) continue;
    if (!w.space && used > 0 && used + w.width > width) end();
    if (w.space && used === 0) continue;
    row.push(w);
    used += w.width;
  }
  end();
  return rows;
}

/**
 * A screen's box at a narrow `width`: a blank row, the logo (the font at its own width
 * where it fits, else the word in bold), a blank row, then each paragraph (runs of
 * [sgr, text]) centred and broken between words, a blank row after each.
 */
function narrowScreen(width, { title, word, logoColors = [], paragraphs, color = 36, gap = true }) {
  const inner = width - 2;
  const small = word ? smallLogo(word, inner - 2) : null;
  const logoRows = !word ? [] : small ? [...small.map((row, i) => logoColors[i] + center(row, inner) + reset), ''] : [center(`${logoColors[0]}${word.toLowerCase()}${reset}`, inner), ''];
  const body = ['', ...logoRows];
  for (const runs of paragraphs) body.push(...wrapRuns(runs, inner - 2).map((row) => center(row, inner)), ...(gap ? [''] : []));
  if (!gap) body.push('');
  return frame(title, body, color, width);
}

/** A screen at 80 columns, and its 40- and 24-column variants (`<name>.40col`, `<name>.24col`). */
function withNarrow(name, wide, narrow) {
  return {
    [name]: wide,
    [`${name}.40col`]: { title: `${wide.title} (40 columns)`, width: 40, lines: narrow(40) },
    [`${name}.24col`]: { title: `${wide.title} (24 columns)`, width: 24, lines: narrow(24) },
  };
}

const shade = (n) => `${sgr(0, 34)}${'░'.repeat(n)}${sgr(1, 34)}${'▒'.repeat(n)}${sgr(0, 36)}${'▓'.repeat(n)}${reset}`;

export const screens = {
  ...withNarrow('welcome', {
    title: 'carrier: welcome',
    lines: frame('welcome', [
      '',
      ...logoLines(),
      '',
      center(`${shade(3)}  ${sgr(1, 37)}a bulletin board for telnet, ssh and rlogin${reset}  ${shade(3)}`, W - 2),
      '',
      center(`${sgr(0, 37)}Log in with your handle, or type ${sgr(1, 33)}new${sgr(0, 37)} to apply for an account.${reset}`, W - 2),
      '',
    ]),
  }, (w) =>
    narrowScreen(w, {
      title: 'welcome',
      word: 'CARRIER',
      logoColors: [sgr(1, 36), sgr(0, 36), sgr(0, 34)],
      paragraphs: [
        [[sgr(1, 37), 'a bulletin board for telnet, ssh and rlogin']],
        [[sgr(0, 37), 'Log in with your handle, or type '], [sgr(1, 33), 'new'], [sgr(0, 37), ' to apply for an account.']],
      ],
    })),
  ...withNarrow('newuser', {
    title: 'carrier: new user',
    lines: frame('new user application', [
      '',
      center(`${sgr(1, 37)}Welcome, stranger.${reset}`, W - 2),
      center(`${sgr(0, 37)}Pick a handle (2-20 letters), a password, and tell us where you call from.${reset}`, W - 2),
      center(`${sgr(1, 30)}Your password is stored as a salted scrypt hash, never as text.${reset}`, W - 2),
      '',
    ], 33),
  }, (w) =>
    narrowScreen(w, {
      title: w < 40 ? 'new user' : 'new user application',
      paragraphs: [
        [[sgr(1, 37), 'Welcome, stranger.']],
        [[sgr(0, 37), 'Pick a handle (2-20 letters), a password, and tell us where you call from.']],
        [[sgr(1, 30), 'Your password is stored as a salted scrypt hash, never as text.']],
      ],
      color: 33,
      gap: false,
    })),
  ...withNarrow('main', {
    title: 'carrier: main menu',
    lines: frame('main menu', [
      '',
      ...logoLines(),
      '',
      // The hotkeys are listed under the art by the menu runner from config/menus/main.yaml,
      // so rearranging the menu never leaves the art showing keys that are gone.
      center(`${shade(2)}  ${sgr(1, 37)}main menu${sgr(0, 36)}: press a highlighted key${reset}  ${shade(2)}`, W - 2),
      '',
    ]),
  }, (w) =>
    narrowScreen(w, { title: 'main menu', word: 'CARRIER', logoColors: [sgr(1, 36), sgr(0, 36), sgr(0, 34)], paragraphs: [[[sgr(1, 37), 'main menu'], [sgr(0, 36), ': press a highlighted key']]] })),
  ...withNarrow('online', {
    title: "carrier: who's online",
    lines: frame("who's online", [
      '',
      ...logo('ONLINE').map((row, i) => [sgr(1, 32), sgr(0, 32), sgr(0, 36)][i] + center(row, W - 2) + reset),
      '',
      center(`${shade(2)}  ${sgr(1, 37)}Everyone on the board right now, on every node.${reset}  ${shade(2)}`, W - 2),
      '',
    ], 32),
  }, (w) =>
    narrowScreen(w, { title: "who's online", word: 'ONLINE', logoColors: [sgr(1, 32), sgr(0, 32), sgr(0, 36)], paragraphs: [[[sgr(1, 37), 'Everyone on the board right now, on every node.']]], color: 32 })),
  ...withNarrow('chat', {
    title: 'carrier: chat',
    lines: frame('chat', [
      '',
      ...logo('CHAT').map((row, i) => [sgr(1, 33), sgr(0, 33), sgr(0, 31)][i] + center(row, W - 2) + reset),
      '',
      center(`${shade(2)}  ${sgr(1, 37)}Say hello: everyone in the room sees what you type.${reset}  ${shade(2)}`, W - 2),
      '',
    ], 33),
  }, (w) =>
    narrowScreen(w, { title: 'chat', word: 'CHAT', logoColors: [sgr(1, 33), sgr(0, 33), sgr(0, 31)], paragraphs: [[[sgr(1, 37), 'Say hello: everyone in the room sees what you type.']]], color: 33 })),
  ...withNarrow('goodbye', {
    title: 'carrier: goodbye',
    lines: frame('goodbye', [
      '',
      ...logo('BYE').map((row, i) => [sgr(1, 35), sgr(0, 35), sgr(0, 31)][i] + center(row, W - 2) + reset),
      '',
      center(`${shade(2)}  ${sgr(1, 37)}Thanks for calling. The line is free for the next caller.${reset}  ${shade(2)}`, W - 2),
      '',
    ], 35),
  }, (w) =>
    narrowScreen(w, { title: 'goodbye', word: 'BYE', logoColors: [sgr(1, 35), sgr(0, 35), sgr(0, 31)], paragraphs: [[[sgr(1, 37), 'Thanks for calling. The line is free for the next caller.']]], color: 35 })),
};
