import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { ConnectionClosedError, createMemoryLogger, TimeoutError } from '@carrier/core';
import { ESCAPE_DECIDE_MS, KEY_BACKLOG_LIMIT, KEY_BACKLOG_PAUSE, KEY_QUEUE_LIMIT, KEY_RATE, KEYS_PER_TURN, KeyInput, keyName, type KeyFlow } from './key-input.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

function recorder(): KeyFlow & { states: boolean[]; drops: number[]; cancels: number[] } {
  const states: boolean[] = [];
  const drops: number[] = [];
  const cancels: number[] = [];
  return { states, drops, cancels, backlogged: (w) => states.push(w), dropped: (n) => drops.push(n), cancelled: (n) => cancels.push(n) };
}

async function names(input: KeyInput, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(keyName(await input.read(1000)));
  return out;
}

describe('KeyInput', () => {
  it('an arrow key split across two reads is one key', async () => {
    const input = new KeyInput('utf8', createMemoryLogger());
    input.push(bytes('\x1b'), 'utf8');
    input.push(bytes('[A'), 'utf8');
    input.push(bytes('x\x1b['), 'utf8');
    input.push(bytes('B'), 'utf8');
    assert.deepEqual(await names(input, 3), ['up', 'x', 'down']);
  });

  it('a bare ESC becomes the Escape key once nothing follows within the escape delay', async () => {
    const input = new KeyInput('utf8', createMemoryLogger());
    const started = Date.now();
    input.push(bytes('\x1b'), 'utf8');
    assert.equal(keyName(await input.read(1000)), 'escape');
    assert.ok(Date.now() - started >= ESCAPE_DECIDE_MS - 5);
  });

  it('a UTF-8 character split across reads arrives whole', async () => {
    const input = new KeyInput('utf8', createMemoryLogger());
    const e = Buffer.from('é', 'utf8');
    input.push(e.subarray(0, 1), 'utf8');
    input.push(e.subarray(1), 'utf8');
    assert.deepEqual(await names(input, 1), ['é']);
  });

  it('decodes CP437 input while the terminal speaks CP437, and UTF-8 after it switches', async () => {
    const input = new KeyInput('cp437', createMemoryLogger());
    input.push(Buffer.from([0x82]), 'cp437');
    input.push(Buffer.from('é', 'utf8'), 'utf8');
    assert.deepEqual(await names(input, 2), ['é', 'é']);
  });

  it('drops cursor position reports that arrive outside a probe', async () => {
    const input = new KeyInput('utf8', createMemoryLogger());
    input.push(bytes('\x1b[24;80Ry'), 'utf8');
    assert.deepEqual(await names(input, 1), ['y']);
    assert.equal(input.queued, 0);
  });

  it('names control letters, modified keys and function keys the way scripts compare them', async () => {
    const input = new KeyInput('utf8', createMemoryLogger());
    input.push(bytes('\x03\r\x7f\t\x1bOP\x1b[3~\x1bx'), 'utf8');
    assert.deepEqual(await names(input, 7), ['ctrl-c', 'enter', 'backspace', 'tab', 'f1', 'delete', 'alt-x']);
  });

  it('keeps a pasted line of the whole burst (1000 keys) typed ahead, in order', async () => {
    const input = new KeyInput('utf8', createMemoryLogger());
    const line = Array.from({ length: KEY_QUEUE_LIMIT }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    assert.equal(KEY_QUEUE_LIMIT, KEY_RATE.burst);
    input.push(bytes(line), 'utf8');
    assert.equal(input.queued, KEY_QUEUE_LIMIT);
    assert.equal((await names(input, KEY_QUEUE_LIMIT)).join(''), line);
  });

  it("a caller's key that arrives while another caller's long paste is read is read after one turn of it", async () => {
    // Each read of a queued key resolves at once; before KEYS_PER_TURN the paste's 1,000 keys
    // (a redraw each) were all read before the event loop took the other caller's input.
    const pasting = new KeyInput('utf8', createMemoryLogger());
    const typing = new KeyInput('utf8', createMemoryLogger());
    pasting.push(bytes('p'.repeat(KEY_QUEUE_LIMIT)), 'utf8');
    let pasted = 0;
    const typed = typing.read(10_000).then((key) => ({ key: keyName(key), after: pasted }));
    setImmediate(() => typing.push(bytes('t'), 'utf8')); // the typist's socket read, behind the paste
    let text = '';
    for (; pasted < KEY_QUEUE_LIMIT; pasted++) text += keyName(await pasting.read(10_000));
    assert.equal(text, 'p'.repeat(KEY_QUEUE_LIMIT), 'the paste whole and in order');
    assert.deepEqual(await typed, { key: 't', after: KEYS_PER_TURN });
  });

  it('other work (a socket read, a timer) runs while a reader takes a long paste from the queue', async () => {
    const input = new KeyInput('utf8', createMemoryLogger());
    input.push(bytes('x'.repeat(KEY_QUEUE_LIMIT)), 'utf8');
    let readBefore = -1;
    let read = 0;
    setImmediate(() => (readBefore = read));
    for (; read < KEY_QUEUE_LIMIT; read++) await input.read(10_000);
    assert.equal(readBefore, KEYS_PER_TURN, 'the event loop went round after one turn of keys');
  });

  it("keeps at most its rate's burst in the queue; the rest waits, the transport is paused past KEY_BACKLOG_PAUSE, and every key comes in order", async () => {
    const log = createMemoryLogger();
    const flow = recorder();
    const input = new KeyInput('utf8', log, { perSecond: 1_000_000, burst: 300 }, flow);
    input.push(bytes('a'.repeat(300)), 'utf8');
    await delay(5);
    input.push(bytes('b'.repeat(300)), 'utf8');
    await delay(5);
    assert.equal(input.queued, 300);
    assert.equal(input.backlogged, 300);
    assert.deepEqual(flow.states, [], 'under the pause point the transport goes on reading (a Ctrl-C can arrive)');
    const more = KEY_BACKLOG_PAUSE;
    input.push(bytes('c'.repeat(more)), 'utf8');
    assert.equal(input.full, true);
    assert.deepEqual(flow.states, [true], 'the transport is asked to stop reading');
    assert.equal((await names(input, 600 + more)).join(''), 'a'.repeat(300) + 'b'.repeat(300) + 'c'.repeat(more));
    assert.deepEqual(flow.states, [true, false], 'and to read again once the backlog is under it');
    assert.equal(log.lines.filter((l) => l['event'] === 'input.flood_dropped').length, 0, 'nothing dropped');
  });

  it('a paste several bursts long arrives whole and in order, at the rate (the mail editor case)', async () => {
    const flow = recorder();
    const input = new KeyInput('utf8', createMemoryLogger(), { perSecond: 2000, burst: 100 }, flow);
    const paste = Array.from({ length: 12 }, (_, i) => `Paragraph ${i}: ${'word '.repeat(10)}\r`).join('');
    input.push(bytes(paste), 'utf8');
    assert.equal(input.queued, 100, 'the burst at once');
    const got = await names(input, [...paste].length);
    assert.equal(got.map((k) => (k === 'enter' ? '\r' : k)).join(''), paste);
    assert.deepEqual(flow.states, [], 'never near the pause point');
    assert.equal(input.backlogged, 0);
  });

  it('drops input past KEY_BACKLOG_LIMIT, logs it and tells the session once per flood', () => {
    const log = createMemoryLogger();
    const flow = recorder();
    const input = new KeyInput('utf8', log, { perSecond: 10, burst: 10 }, flow);
    input.push(bytes('x'.repeat(KEY_BACKLOG_LIMIT + 500)), 'utf8');
    input.push(bytes('y'.repeat(100)), 'utf8');
    assert.equal(input.queued, 10);
    assert.equal(input.backlogged, KEY_BACKLOG_LIMIT);
    assert.deepEqual(flow.drops, [500], 'told once, with what the first overflow dropped');
    const dropped = log.lines.filter((l) => l['event'] === 'input.flood_dropped');
    assert.equal(dropped.length, 1);
    assert.equal(dropped[0]!['limit'], KEY_BACKLOG_LIMIT);
    // The flood is over once the backlog is gone: the next one is told again.
    input.discard();
    input.push(bytes('z'.repeat(KEY_BACKLOG_LIMIT + 20)), 'utf8');
    assert.equal(flow.drops.length, 2);
    input.close(new Error('done'));
  });

  it('Ctrl-C while a paste waits behind the rate drops what waits and says how much; the keys after it stay', async () => {
    const log = createMemoryLogger();
    const flow = recorder();
    const input = new KeyInput('utf8', log, { perSecond: 10, burst: 10 }, flow);
    input.push(bytes('p'.repeat(500)), 'utf8');
    assert.equal(input.queued, 10);
    assert.equal(keyName(await input.read()), 'p', 'a reader has one');
    input.push(bytes('qq\x03ok'), 'utf8');
    assert.deepEqual(flow.cancels, [9 + 490 + 2], 'the 9 keys queued, the 490 waiting and the tail with the Ctrl-C');
    assert.equal(input.backlogged, 2, 'only the keys typed after it wait, at the rate');
    assert.deepEqual(await names(input, 2), ['o', 'k']);
    assert.equal(log.lines.filter((l) => l['event'] === 'input.paste_cancelled').length, 1);
    // With nothing waiting, Ctrl-C is a key like any other.
    input.push(bytes('\x03'), 'utf8');
    assert.deepEqual(await names(input, 1), ['ctrl-c']);
    assert.deepEqual(flow.cancels.length, 1);
    input.close(new Error('done'));
  });

  it('keys that come one a read are typed by hand; a read of more, and what follows it until a key alone, are pasted', async () => {
    // A burst (and a queue) of 6: the four keys by hand fit, and the paste of 8 after 'x' does not.
    const input = new KeyInput('utf8', createMemoryLogger(), { perSecond: 1000, burst: 6 });
    const read = async (n: number): Promise<string> => {
      let out = '';
      for (let i = 0; i < n; i++) {
        const key = await input.read(1000);
        out += key.name !== 'cpr' && key.pasted ? keyName(key).toUpperCase() : keyName(key);
      }
      return out;
    };
    // Keys by hand, an arrow key and CR LF among them (one key each, in a read of their own).
    for (const typed of ['h', 'i', '\x1b[D', '\r\n']) input.push(bytes(typed), 'utf8');
    assert.equal(await read(4), 'hileftenter');
    // A paste past the burst, its rest waiting behind the rate: the first key on is pasted, a
    // key typed meanwhile (behind it) too; a key alone once it has all been read is by hand again.
    input.push(bytes('x'), 'utf8');
    input.push(bytes('abcdefgh'), 'utf8');
    input.push(bytes('i'), 'utf8');
    assert.equal(await read(10), 'xABCDEFGHI');
    input.push(bytes('j'), 'utf8');
    assert.equal(await read(1), 'j');
    input.close(new Error('done'));
  });

  it('keys given back with unread are read first, before the keys typed after them', async () => {
    const input = new KeyInput('utf8', createMemoryLogger());
    input.push(bytes('abc'), 'utf8');
    const a = await input.read();
    input.unread([a, { name: 'char', ch: 'z', raw: 'z' }]);
    assert.deepEqual(await names(input, 4), ['a', 'z', 'b', 'c']);
    const waiting = input.read();
    input.unread([{ name: 'char', ch: 'w', raw: 'w' }]);
    assert.equal(keyName(await waiting), 'w', 'a reader already waiting gets it');
  });

  it('take() hands over a lone ESC still waiting for the rest of a sequence as the Escape key (`w` then Esc, a view opening)', async () => {
    const input = new KeyInput('utf8', createMemoryLogger());
    input.push(bytes('w\x1b'), 'utf8');
    assert.equal(keyName(await input.read()), 'w');
    assert.deepEqual(input.take().map(keyName), ['escape'], 'the view that opens gets the Esc');
    // Not a second time once the escape delay has passed: the view has it.
    await assert.rejects(input.read(ESCAPE_DECIDE_MS * 3), TimeoutError);
  });

  it('whole keys a view hands back are read as those keys: Escape then x stays two keys, not Alt-x', async () => {
    const input = new KeyInput('utf8', createMemoryLogger());
    input.pushKeys(['\x1b', 'x', '\x1b[A']);
    assert.deepEqual(await names(input, 3), ['escape', 'x', 'up']);
  });

  it('hands keys to waiting readers in the order they asked', async () => {
    const input = new KeyInput('utf8', createMemoryLogger());
    const first = input.read();
    const second = input.read();
    input.push(bytes('12'), 'utf8');
    assert.deepEqual([keyName(await first), keyName(await second)], ['1', '2']);
    assert.equal(input.delivered, 2);
  });

  it('a read with a timeout rejects with TimeoutError and does not eat the next key', async () => {
    const input = new KeyInput('utf8', createMemoryLogger());
    await assert.rejects(input.read(20), TimeoutError);
    input.push(bytes('k'), 'utf8');
    assert.deepEqual(await names(input, 1), ['k']);
  });

  it('closing rejects every pending and later read with the close error', async () => {
    const input = new KeyInput('utf8', createMemoryLogger());
    const pending = input.read();
    input.close(new ConnectionClosedError('ECONNRESET'));
    await assert.rejects(pending, ConnectionClosedError);
    await assert.rejects(input.read(), ConnectionClosedError);
    input.push(bytes('ignored'), 'utf8');
    assert.equal(input.queued, 0);
  });

  it('accepts a pasted burst but holds a held-down key flood to the sustained rate, with one log line', async (t) => {
    // The bucket refills by Date.now(): a mocked clock keeps a loaded machine's pauses
    // from refilling it mid-flood, and lets the test step exactly one second.
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    const log = createMemoryLogger();
    const input = new KeyInput('utf8', log);
    let read = 0;
    // Reads until the close (no timeout: a loaded machine's pause must not end it early).
    const reader = (async () => {
      for (;;) {
        try {
          await input.read();
          read++;
        } catch {
          return;
        }
      }
    })();
    const flood = async () => {
      // 3,000 keys in 30 pushes while the reader keeps up: more than the burst allows.
      for (let i = 0; i < 30; i++) {
        input.push(bytes('?'.repeat(100)), 'utf8');
        await new Promise((r) => setImmediate(r));
      }
      // Then the reader takes what the rate let through, KEYS_PER_TURN a turn: counted in
      // turns, not waited for on a clock (on a loaded machine 50 ms left keys queued, and
      // they were counted in the next second).
      for (let turn = 0; input.queued > 0 && turn < 10 * KEY_RATE.burst; turn++) await new Promise((r) => setImmediate(r));
    };
    await flood();
    const burst = read;
    assert.ok(burst + input.queued >= KEY_RATE.burst, `a paste-sized burst gets through (${burst} read, ${input.queued} queued)`);
    assert.ok(burst <= KEY_RATE.burst, `no more than the burst while no time passes (${burst})`);
    assert.equal(log.lines.filter((l) => l['event'] === 'input.rate_limited').length, 1);
    // One second later: the sustained rate's worth gets through, and no more.
    t.mock.timers.tick(1000);
    await flood();
    input.close(new Error('done'));
    await reader;
    const second = read - burst;
    assert.ok(second >= 1 && second <= KEY_RATE.perSecond, `${second} keys in the next second`);
    // The keys over the rate waited (nothing was dropped), so the flood never ended: still one line.
    assert.equal(log.lines.filter((l) => l['event'] === 'input.rate_limited').length, 1, 'one line per flood');
    assert.equal(log.lines.filter((l) => l['event'] === 'input.flood_dropped').length, 0);
  });
});
