// A caller pastes text longer than the key rate's burst (limits.keyBurst, 1000) with a
// real client (inetutils telnet in tmux, the paste through tmux's own paste buffer):
// all of it arrives, at the rate, and is what gets saved: a message, a long ssh key line.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@carrier/core';
import { openStore } from '@carrier/store';
import { startCarrier, type Carrier } from '../harness.js';
import { TmuxCaller } from './messages-callers.js';

const PW = 'correct-horse-8';
/** 2,115 bytes: five paragraphs of 60 words, the explorer's repro. */
const PASTE = `${Array.from({ length: 5 }, (_, i) => `Paragraph ${i}: ${Array.from({ length: 60 }, (_, j) => `word${j}`).join(' ')}`).join('\n')}\n`;

describe('a paste longer than the key burst, with a real telnet client', { timeout: 180_000 }, () => {
  let board: Carrier;
  let tmp: string;
  const callers: TmuxCaller[] = [];

  let keyFile: string;
  let keygen: Promise<string>;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'carrier-paste-e2e-'));
    // An 8192-bit RSA key takes ssh-keygen seconds: made while the board starts.
    keyFile = join(tmp, 'id_rsa8192');
    keygen = promisify(execFile)('ssh-keygen', ['-q', '-t', 'rsa', '-b', '8192', '-N', '', '-C', 'paula@big', '-f', keyFile]).then(() => readFileSync(`${keyFile}.pub`, 'latin1'));
    keygen.catch(() => undefined);
    // The default burst (1,000 keys, where pastes were cut), a tenth of the default
    // throttle's wait: the same path, seconds less of CI.
    board = await startCarrier({ logLevel: 'info', yaml: 'limits: { keysPerSecond: 1000, keyBurst: 1000 }' });
    await board.addUser('paula', PW);
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await board.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('a 2,115-byte paste into the message editor is saved whole (it was cut at ~1,000 bytes)', async () => {
    assert.ok(PASTE.length > 2000);
    const paula = await TmuxCaller.telnet(board.ports.telnet!, 'paula', PW, tmp);
    callers.push(paula);
    paula.send('m');
    await paula.waitScreen(/Area: General/);
    paula.send('p');
    await paula.waitScreen(/To:/);
    paula.send('\r');
    await paula.waitScreen(/Subject:/);
    paula.send('A pasted post\r');
    await paula.waitScreen(/Ctrl-Z save/);
    paula.paste(PASTE);
    // Ctrl-Z comes after the paste on the same stream: it saves once every pasted key is in.
    paula.send('\x1a');
    const screen = await paula.waitScreen(/Message #(\d+) posted in General/, 60_000);
    const id = Number(/Message #(\d+) posted/.exec(screen)![1]);
    const store = await openStore({ dataDir: board.dataDir, log: silentLogger });
    try {
      const message = await store.messages.get(id);
      const words = (s: string): string => s.replace(/\s+/g, ' ').trim();
      assert.equal(words(message!.body), words(PASTE));
    } finally {
      await store.close();
    }
    assert.ok(board.logs.some((l) => l['event'] === 'input.rate_limited'), 'the paste was throttled, not taken at once');
    assert.ok(!board.logs.some((l) => l['event'] === 'input.flood_dropped'), 'and nothing was dropped');
  });

  it('the line-mode editor (TERM=dumb) word-wraps a line typed past its width instead of cutting it', async () => {
    const line = 'line two has a very long line that goes past the eighty column edge of the terminal to see what happens with wrapping';
    const dumb = await TmuxCaller.telnet(board.ports.telnet!, 'paula', PW, tmp, /Command:/, 'dumb');
    callers.push(dumb);
    dumb.send('m');
    await dumb.waitScreen(/Area: General/);
    dumb.send('p');
    await dumb.waitScreen(/To:/);
    dumb.send('\r');
    await dumb.waitScreen(/Subject:/);
    dumb.send('dumb post\r');
    await dumb.waitScreen(/Line mode: \/s save/);
    dumb.send('line one of dumb\r');
    await dumb.waitScreen(/^ {2}2:\s*$/m);
    dumb.send(`${line}\r`);
    // The word that did not fit starts line 3, and the rest follows it.
    await dumb.waitScreen(/^ {2}2: line two has a very long line that goes past the eighty column edge of\s*\n {2}3: the terminal to see what happens with wrapping\s*\n {2}4:\s*$/m);
    dumb.send('/s\r');
    const screen = await dumb.waitScreen(/Message #(\d+) posted in General/);
    const id = Number(/Message #(\d+) posted/.exec(screen)![1]);
    const store = await openStore({ dataDir: board.dataDir, log: silentLogger });
    try {
      const message = await store.messages.get(id);
      assert.equal(message!.body.replace(/\s+/g, ' ').trim(), `line one of dumb ${line}`);
    } finally {
      await store.close();
    }
  });

  it('K takes a pasted 8192-bit RSA key line (1,409 bytes; it was cut at 1,000 and called corrupt)', async () => {
    const pub = (await keygen).trim();
    assert.ok(pub.length > 1400, `${pub.length}`);
    const paula = await TmuxCaller.telnet(board.ports.telnet!, 'paula', PW, tmp);
    callers.push(paula);
    paula.send('k');
    await paula.waitScreen(/uit:/);
    paula.send('a');
    await paula.waitScreen(/Paste one line/);
    paula.paste(`${pub}\n`);
    await paula.waitScreen(/Added SHA256:/, 60_000);
    const store = await openStore({ dataDir: board.dataDir, log: silentLogger });
    try {
      const user = await store.users.findByHandle('paula');
      const [key] = await store.keys.list(user!.id);
      const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${keyFile}.pub`], { encoding: 'utf8' }).split(' ')[1];
      assert.equal(key?.fingerprint, fingerprint);
    } finally {
      await store.close();
    }
  });

  it('K says a line longer than any key is too long, rather than calling the key corrupt', async () => {
    const pub = (await keygen).trim();
    const [algo, b64] = pub.split(' ');
    const paula = await TmuxCaller.telnet(board.ports.telnet!, 'paula', PW, tmp);
    callers.push(paula);
    paula.send('k');
    await paula.waitScreen(/uit:/);
    paula.send('a');
    await paula.waitScreen(/Paste one line/);
    paula.paste(`${algo} ${b64!.repeat(7)}\n`);
    await paula.waitScreen(/That line is too long for a public key \(more than 8192 characters\)/, 60_000);
    assert.doesNotMatch(await paula.screen(), /corrupt/);
  });
});
