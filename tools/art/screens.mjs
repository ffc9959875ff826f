// The default board's screens, drawn in Unicode with ANSI colors. build.mjs encodes them
// to CP437 .ans files with a SAUCE record; sysops edit the .ans files from then on (or
// edit this file and rebuild). Every line is exactly 80 columns.
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

function frame(title, bodyLines, color = 36) {
  const inner = W - 2;
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

const shade = (n) => `${sgr(0, 34)}${'░'.repeat(n)}${sgr(1, 34)}${'▒'.repeat(n)}${sgr(0, 36)}${'▓'.repeat(n)}${reset}`;

export const screens = {
  welcome: {
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
  },
  newuser: {
    title: 'carrier: new user',
    lines: frame('new user application', [
      '',
      center(`${sgr(1, 37)}Welcome, stranger.${reset}`, W - 2),
      center(`${sgr(0, 37)}Pick a handle (2-20 letters), a password, and tell us where you call from.${reset}`, W - 2),
      center(`${sgr(1, 30)}Your password is stored as a salted scrypt hash, never as text.${reset}`, W - 2),
      '',
    ], 33),
  },
  main: {
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
  },
  online: {
    title: "carrier: who's online",
    lines: frame("who's online", [
      '',
      ...logo('ONLINE').map((row, i) => [sgr(1, 32), sgr(0, 32), sgr(0, 36)][i] + center(row, W - 2) + reset),
      '',
      center(`${shade(2)}  ${sgr(1, 37)}Everyone on the board right now, on every node.${reset}  ${shade(2)}`, W - 2),
      '',
    ], 32),
  },
  chat: {
    title: 'carrier: chat',
    lines: frame('chat', [
      '',
      ...logo('CHAT').map((row, i) => [sgr(1, 33), sgr(0, 33), sgr(0, 31)][i] + center(row, W - 2) + reset),
      '',
      center(`${shade(2)}  ${sgr(1, 37)}Say hello: everyone in the room sees what you type.${reset}  ${shade(2)}`, W - 2),
      '',
    ], 33),
  },
  goodbye: {
    title: 'carrier: goodbye',
    lines: frame('goodbye', [
      '',
      ...logo('BYE').map((row, i) => [sgr(1, 35), sgr(0, 35), sgr(0, 31)][i] + center(row, W - 2) + reset),
      '',
      center(`${shade(2)}  ${sgr(1, 37)}Thanks for calling. The line is free for the next caller.${reset}  ${shade(2)}`, W - 2),
      '',
    ], 35),
  },
};
