// Issue 11 item 14: the page pager broke words mid-word at the screen's edge. It wraps
// by words now, measured in display columns (a wide character takes two).
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, startCarrier, type Carrier } from '../harness.js';
import { loginRaw, type RawTelnet } from '../raw-telnet.js';

const WORDS = 'Welcome to the board: these paragraphs are longer than any terminal is wide, so the pager must wrap them, and a word cut in two reads badly.';
const WIDE = '漢字と仮名が混ざった文章も、幅は二列として数えます。 then ASCII words again after the wide ones, long enough to wrap.';

describe('the pager wraps by words (issue 11 item 14)', { timeout: 120_000 }, () => {
  let board: Carrier;
  let dir: string;
  let c: RawTelnet | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carrier-wrap-'));
    const menus = join(dir, 'menus');
    cpSync(join(repoRoot, 'config', 'menus'), menus, { recursive: true });
    const shipped = readFileSync(join(menus, 'main.yaml'), 'utf8');
    writeFileSync(join(menus, 'main.yaml'), `${shipped.trimEnd()}\n  - { key: Z, text: Read me, page: readme.txt }\n`);
    writeFileSync(join(menus, 'readme.txt'), `${WORDS} ${WORDS}\n${WIDE}\n`);
    board = await startCarrier({ menusDir: menus });
    await board.addUser('alice', 'wonderland-7');
  });
  after(async () => {
    c?.close();
    await board?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('at 80 columns no word is cut, and no row is wider than 79 columns', async () => {
    c = await loginRaw(board.ports.telnet!, 'alice', 'wonderland-7', { size: { cols: 80, rows: 25 }, terminalType: 'xterm-256color' });
    const from = c.text().length;
    c.send('z');
    await c.waitFor('press a key', 30_000, from);
    const shown = Buffer.from(c.text().slice(from), 'latin1').toString('utf8').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    const start = shown.indexOf('Welcome');
    const rows = shown.slice(start, shown.indexOf('[press a key]')).split('\r\n').filter((r) => r !== '');
    const words = new Set(`${WORDS} ${WIDE}`.split(' '));
    for (const row of rows) {
      for (const w of row.split(' ')) assert.ok(w === '' || words.has(w) || /^[\u3000-\u9fff\uff00-\uff60]+$/.test(w), `a whole word (wide characters may break anywhere), not ${JSON.stringify(w)} (rows: ${JSON.stringify(rows)})`);
      const columns = [...row].reduce((n, ch) => n + (/[\u3000-\u9fff\uff00-\uff60]/.test(ch) ? 2 : 1), 0);
      assert.ok(columns <= 79, `${JSON.stringify(row)} is ${columns} columns`);
    }
    assert.ok(rows.length >= 4, 'the paragraphs wrapped');
    c.send('\r');
  });
});
