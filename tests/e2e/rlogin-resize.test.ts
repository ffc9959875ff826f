// Issue 11 item 8: an rlogin caller's size was measured once, at login; a caller who
// resized got views drawn for the old size. Node cannot send the TCP urgent byte that
// asks a BSD client for its window size, so the board measures again with a cursor
// position report when a full-screen view (or chat) opens. A client that sends the
// in-band window-size report unasked is followed too.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startCarrier, type Carrier } from '../harness.js';

/** A raw rlogin caller whose terminal answers `ESC[6n` as a screen of `size` would (cursor at its last cell). */
class RloginTerminal {
  size = { cols: 80, rows: 25 };
  out = '';
  asked = 0;
  private readonly socket: net.Socket;
  private waiters: (() => void)[] = [];

  constructor(port: number, localAddress: string, handshake: string) {
    this.socket = net.connect({ port, host: '127.0.0.1', localAddress });
    this.socket.on('connect', () => this.socket.write(Buffer.from(handshake, 'latin1')));
    this.socket.on('data', (d: Buffer) => {
      const text = d.toString('latin1');
      const asks = text.split('\x1b[6n').length - 1;
      for (let i = 0; i < asks; i++) this.socket.write(`\x1b[${this.size.rows};${this.size.cols}R`);
      this.asked += asks;
      this.out += text;
      for (const w of this.waiters.splice(0)) w();
    });
    this.socket.on('error', () => undefined);
  }

  send(bytes: string | Buffer): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  async waitFor(pattern: RegExp, from: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.out.slice(from))) {
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms; got ${JSON.stringify(this.out.slice(-400))}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 250);
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('rlogin callers are re-measured when a view opens (issue 11 item 8)', { timeout: 120_000 }, () => {
  let board: Carrier;
  let caller: RloginTerminal | undefined;

  before(async () => {
    board = await startCarrier({ rlogin: 'trusted: [127.0.0.3]' });
    await board.addUser('alice', 'wonderland-7');
  });
  after(async () => {
    caller?.close();
    await board?.stop();
  });

  it('who\'s online and chat are drawn at the size the terminal has when they open; an in-band report is followed', async () => {
    const c = (caller = new RloginTerminal(board.ports.rlogin!, '127.0.0.3', '\0alice\0alice\0xterm/38400\0'));
    await c.waitFor(/Command:/, 0);
    assert.ok(c.asked >= 1, 'the login probe asked for the cursor position');

    // The caller makes the window bigger at the menu, then opens who's online.
    c.size = { cols: 120, rows: 40 };
    let from = c.out.length;
    c.send('w');
    // The list's help row is on the screen's last row: row 40, not 25.
    await c.waitFor(/\x1b\[40;1H/, from);
    c.send(' ');
    await c.waitFor(/Command:/, from);

    // Smaller, then chat: its scrolling region ends at rows-2 (it starts under the art header).
    c.size = { cols: 90, rows: 30 };
    from = c.out.length;
    c.send('c');
    await c.waitFor(/\x1b\[\d+;28r/, from);
    c.send('/quit\r');
    await c.waitFor(/Command:/, from);

    // A client that sends the in-band window size (FF FF s s, rows cols xpixels ypixels) unasked.
    from = c.out.length;
    c.send('w');
    await c.waitFor(/\x1b\[30;1H/, from);
    const report = Buffer.from([0xff, 0xff, 0x73, 0x73, 0, 50, 0, 100, 0, 0, 0, 0]);
    from = c.out.length;
    c.send(report);
    await c.waitFor(/\x1b\[50;1H/, from);
    c.send(' ');
    await c.waitFor(/Command:/, from);
  });
});
