// The editor's quote window from every client: netkit rlogin keeps Ctrl-S/Ctrl-Q as its
// own flow control (the server's urgent byte would turn that off, and Node cannot send
// one), so Ctrl-Q never reaches the board from it; Ctrl-O opens the window there, and the
// status row shows it. OpenSSH and inetutils telnet still have Ctrl-Q as well.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { scratchDir } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { TmuxCaller } from './messages-callers.js';

const PW = 'quote-keys-9';
const CTRL_O = '\x0f';
const CTRL_Q = '\x11';
const CTRL_Z = '\x1a';

describe('the quote window key over rlogin, ssh and telnet', { timeout: 180_000 }, () => {
  let board: Carrier;
  let tmp: string;
  const callers: TmuxCaller[] = [];

  before(async () => {
    tmp = scratchDir('carrier-quote-key-e2e');
    board = await startCarrier({ rlogin: true, ssh: true, logLevel: 'info' });
    await board.addUser('hank', PW);
    await board.addUser('iris', PW);
    const posted = await board.cli(['msg', 'post', 'general', '--from', 'iris', '--subject', 'Quote me'], 'the first line to quote\nand a second one');
    assert.equal(posted.code, 0, posted.stderr);
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await board.stop();
  });

  /** From the main menu to the editor of a reply to the first message in General. */
  const replyToFirst = async (c: TmuxCaller): Promise<string> => {
    c.send('m');
    await c.waitScreen(/Area: General/);
    c.send('r');
    await c.waitScreen(/Subject: Quote me[\s\S]*\[R\]eply/);
    c.send('r');
    await c.waitScreen(/To: iris/);
    c.send('\r');
    await c.waitScreen(/Subject: Re: Quote me/);
    c.send('\r');
    return c.waitScreen(/Ctrl-Z save/);
  };

  /** Picks the second quoted line with the window `open` opened and `close` closed, posts, and reads the body back. */
  const quoteSecondLine = async (c: TmuxCaller, open: string, close: string, answer: string): Promise<void> => {
    c.send(open);
    await c.waitScreen(/Quote: Up\/Down pick/);
    c.send('\x1b[B\r');
    c.send(close);
    // (the reply starts with the quote and a blank line; the pick goes in above the cursor's line)
    await c.waitScreen(/^(?![\s\S]*Quote: Up)[\s\S]*^IR> and a second one\s*\n\s*\nIR> and a second one\s*$/m);
    c.send(answer);
    await c.waitScreen(new RegExp(answer));
    c.send(CTRL_Z);
    await c.waitScreen(/Message #\d+ posted in General/);
  };

  /** A caller from `connect` replies, picks the second quoted line with `open` ... `close`, and posts; the editor's first screen. */
  const quoteOver = async (connect: () => Promise<TmuxCaller>, open: string, close: string, answer: string): Promise<string> => {
    const hank = await connect();
    callers.push(hank);
    const editor = await replyToFirst(hank);
    await quoteSecondLine(hank, open, close, answer);
    hank.hangup();
    return editor;
  };

  it('netkit rlogin opens the quote window with Ctrl-O, which the status row shows', { skip: process.getuid?.() !== 0 ? 'netkit rlogin binds a privileged source port: needs root' : false }, async () => {
    const editor = await quoteOver(() => TmuxCaller.rlogin(board.ports.rlogin!, 'hank', PW, tmp), CTRL_O, CTRL_O, 'answer over rlogin');
    assert.match(editor, /Ctrl-O quote/);
  });

  it('OpenSSH opens it with Ctrl-Q and with Ctrl-O', async () => {
    await quoteOver(() => TmuxCaller.ssh(board.ports.ssh!, 'hank', PW, tmp), CTRL_Q, CTRL_O, 'answer over ssh');
  });

  it('inetutils telnet opens it with Ctrl-O and closes it with Ctrl-Q', async () => {
    await quoteOver(() => TmuxCaller.telnet(board.ports.telnet!, 'hank', PW, tmp), CTRL_O, CTRL_Q, 'answer over telnet');
  });
});
