// Art and full-screen views end to end over telnet: one art file reaches a CP437
// caller byte for byte and a UTF-8 caller as the right characters; art files that are
// not art get a clear error and the fallback; a blessed view renders, follows a NAWS
// resize and closes leaving nothing behind; the idle timeout releases a script that
// waits forever.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, startCarrier, type Carrier } from '../harness.js';
import { loginRaw, type RawTelnet } from '../raw-telnet.js';

/** CP437 0x80-0xFE as Unicode, typed from the IBM PC character set chart (0xFF, a no-break space, is left out). */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■';
/** Art shows these control bytes as DOS glyphs: 0x01 a smiley, 0x03 a heart, 0x10 a pointer. */
const LOW = Buffer.from([0x01, 0x03, 0x10]);
const LOW_GLYPHS = '☺♥►';
const START = '<<ART';
const END = 'ART>>';
const ART_BODY = Buffer.concat([
  Buffer.from('\x1b[1;33m', 'latin1'),
  Buffer.from(Array.from({ length: 0x7f }, (_, i) => 0x80 + i)),
  LOW,
  Buffer.from('\x1b[0m', 'latin1'),
]);

const VIEW_SCRIPT = `import type { Session } from '@carrier/engine';
// Opens a full-screen view that shows its own size, follows resizes and closes on q;
// then reports what was left behind.
export default async function viewtest(s: Session): Promise<void> {
  const conn = () => (['data', 'resize', 'close', 'drain'] as const).map((e) => s.conn.listenerCount(e)).join(',');
  const proc = () => (['uncaughtException', 'SIGINT', 'SIGTERM', 'SIGQUIT', 'exit'] as const).map((e) => process.listenerCount(e)).join(',');
  const before = [conn(), proc()];
  const v = s.view<string>({ title: 'view test' });
  const box = v.blessed.box({ parent: v.screen, top: 1, left: 2, width: 30, height: 3, border: 'line', content: '' });
  const draw = () => {
    const size = 'VIEW ' + v.screen.width + 'x' + v.screen.height;
    box.setContent(size);
    // blessed redraws only the cells that changed; the title is sent whole, so a test can read it.
    v.screen.title = size;
    v.screen.render();
  };
  v.screen.on('resize', draw);
  v.screen.key(['q'], () => v.close('quit'));
  draw();
  const result = await v.result;
  const screens = (v.blessed.screen as unknown as { instances: unknown[] }).instances.length;
  s.println('view closed: ' + result + '; screens ' + screens +
    '; connection listeners ' + (conn() === before[0] ? 'as before' : before[0] + ' -> ' + conn()) +
    '; process handlers ' + (proc() === before[1] ? 'as before' : before[1] + ' -> ' + proc()));
  await s.pause();
}
`;

const FOREVER_SCRIPT = `export default async (s) => { s.println('waiting for something that never comes'); await new Promise(() => {}); };\n`;

function menu(): string {
  const shipped = readFileSync(join(repoRoot, 'config', 'menus', 'main.yaml'), 'utf8');
  return `${shipped.trimEnd()}\n${[
    '  - { key: A, text: Test art, show: enctest }',
    '  - { key: T, text: Ten MiB art, show: huge }',
    '  - { key: Y, text: Binary art, show: binary }',
    '  - { key: V, text: View test, gosub: viewtest }',
    '  - { key: X, text: Wait forever, gosub: forever }',
  ].join('\n')}\n`;
}

/** The bytes between the markers in what a raw caller received. */
function between(bytes: Buffer): Buffer {
  const start = bytes.indexOf(START);
  const end = bytes.indexOf(END, start);
  assert.ok(start >= 0 && end > start, 'the art arrived with both markers');
  return bytes.subarray(start + START.length, end);
}

async function press(c: RawTelnet, keys: string, pattern: string | RegExp, timeoutMs = 10_000): Promise<string> {
  const mark = c.text().length;
  c.send(keys);
  return c.waitFor(pattern, timeoutMs, mark);
}

describe('the workshop: art and full-screen views over telnet', () => {
  let board: Carrier;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carrier-workshop-art-'));
    const [scripts, art, menus] = ['scripts', 'art', 'menus'].map((d) => join(dir, d)) as [string, string, string];
    cpSync(join(repoRoot, 'scripts'), scripts, { recursive: true });
    cpSync(join(repoRoot, 'art'), art, { recursive: true });
    cpSync(join(repoRoot, 'config', 'menus'), menus, { recursive: true });
    writeFileSync(join(scripts, 'viewtest.ts'), VIEW_SCRIPT);
    writeFileSync(join(scripts, 'forever.ts'), FOREVER_SCRIPT);
    writeFileSync(join(menus, 'main.yaml'), menu());
    writeFileSync(join(art, 'enctest.ans'), Buffer.concat([Buffer.from(START), ART_BODY, Buffer.from(`${END}\r\n`)]));
    writeFileSync(join(art, 'huge.ans'), Buffer.alloc(10 * 1024 * 1024, 0x41));
    writeFileSync(join(art, 'binary.ans'), Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64 * 1024)]));
    board = await startCarrier({ scriptsDir: scripts, artDir: art, menusDir: menus, yaml: 'session: { idleTimeout: 4s }' });
    await board.addUser('alice', 'wonderland7');
  });
  after(async () => {
    await board.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an art file reaches a CP437 caller byte for byte', async () => {
    const c = await loginRaw(board.ports.telnet!, 'alice', 'wonderland7', { terminalType: 'ansi', size: { cols: 80, rows: 25 } });
    await press(c, 'a', END);
    assert.deepEqual(between(c.bytes), ART_BODY);
    c.close();
  });

  it('the same file reaches a UTF-8 caller as UTF-8, with the CP437 graphics mapped', async () => {
    const c = await loginRaw(board.ports.telnet!, 'alice', 'wonderland7', { terminalType: 'xterm-256color', size: { cols: 80, rows: 25 } });
    await press(c, 'a', END);
    const text = between(c.bytes).toString('utf8');
    assert.equal(text, `\x1b[1;33m${CP437_HIGH}${LOW_GLYPHS}\x1b[0m`);
    assert.equal(Buffer.from(text, 'utf8').toString('utf8'), text, 'valid UTF-8 throughout');
    c.close();
  });

  it('a 10 MiB "art" file and a binary one give a clear logged error and the fallback, and the caller carries on', async () => {
    const c = await loginRaw(board.ports.telnet!, 'alice', 'wonderland7', { terminalType: 'xterm', size: { cols: 80, rows: 25 } });
    await press(c, 't', /huge[^]*press a key/);
    const huge = await board.waitForLog((l) => l['event'] === 'art.invalid' && l['name'] === 'huge');
    assert.match(JSON.stringify(huge['err']), /10485760 bytes, over the 4194304-byte limit/);
    await press(c, ' ', 'Command:');
    await press(c, 'y', /binary[^]*press a key/);
    const binary = await board.waitForLog((l) => l['event'] === 'art.invalid' && l['name'] === 'binary');
    assert.match(JSON.stringify(binary['err']), /looks binary/);
    await press(c, ' ', 'Command:');
    c.close();
    const info = await board.cli(['art', 'info', join(dir, 'art', 'huge.ans')]);
    assert.equal(info.code, 1);
    assert.match(info.stdout, /SAUCE: none/);
    assert.match(info.stdout, /problem: .*over the 4194304-byte limit/);
  });

  it('a blessed view renders, follows a NAWS resize and closes leaving no listeners or screens', async () => {
    const c = await loginRaw(board.ports.telnet!, 'alice', 'wonderland7', { terminalType: 'xterm-256color', size: { cols: 80, rows: 25 } });
    // blessed skips a blank cell with a cursor move (CSI 1 C) rather than a space.
    const first = await press(c, 'v', /VIEW(?: |\x1b\[1C)80x25/);
    assert.match(first, /\x1b\[\?1049h/, 'the view takes the alternate screen');
    const mark = c.text().length;
    c.naws(100, 30);
    await c.waitFor('\x1b]0;VIEW 100x30\x07', 10_000, mark);
    const closed = await press(c, 'q', /view closed: [^\r]*\r\n/);
    assert.match(closed, /\x1b\[\?1049l/, 'and gives the caller their own screen back');
    assert.match(closed, /view closed: quit; screens 0; connection listeners as before;/);
    await press(c, ' ', 'Command:');
    // The first view in a process may add the terminal package's one-time guard for a
    // signal nobody handled (so blessed's handler never acts alone); a view after that
    // must leave the process exactly as it found it.
    await press(c, 'v', /VIEW(?: |\x1b\[1C)100x30/);
    const again = await press(c, 'q', /view closed: [^\r]*\r\n/);
    assert.match(again, /view closed: quit; screens 0; connection listeners as before; process handlers as before/);
    await press(c, ' ', 'Command:');
    c.close();
  });

  it('a script waiting forever is released by the idle timeout', async () => {
    const c = await loginRaw(board.ports.telnet!, 'alice', 'wonderland7');
    await press(c, 'x', 'never comes');
    await c.waitForNext('Idle timeout', 10_000);
    await c.waitClosed();
    await board.waitForLog((l) => l['event'] === 'session.end' && l['reason'] === 'idle timeout');
  });
});
