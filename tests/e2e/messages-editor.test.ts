// The message editor and reader as a caller meets them, with real clients (inetutils
// telnet in a tmux pane): mail to yourself, an empty message, a message longer than a
// screen, a reply to a long message.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCarrier, type Carrier } from '../harness.js';
import { TmuxCaller } from './messages-callers.js';

const PW = 'correct-horse-8';
const CTRL_Z = '\x1a';

describe('the message editor and reader with a real telnet client', () => {
  let board: Carrier;
  let tmp: string;
  const callers: TmuxCaller[] = [];
  const inetutils = async (handle: string): Promise<TmuxCaller> => {
    const c = await TmuxCaller.telnet(board.ports.telnet!, handle, PW, tmp);
    callers.push(c);
    return c;
  };

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'carrier-msg-editor-e2e-'));
    board = await startCarrier({ logLevel: 'info' });
    for (const h of ['erin', 'frank']) await board.addUser(h, PW);
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await board.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('mail to yourself: the new-mail notice lands on a clean screen, with nothing of the editor replayed', async () => {
    const erin = await inetutils('erin');
    erin.send('e');
    await erin.waitScreen(/Mail - 0 unread/);
    erin.send('s');
    await erin.waitScreen(/To:/);
    erin.send('erin\r');
    await erin.waitScreen(/Subject:/);
    erin.send('Note to self\r');
    await erin.waitScreen(/Ctrl-Z save/);
    erin.send('buy milk');
    await erin.waitScreen(/buy milk/);
    erin.send(CTRL_Z);
    const screen = await erin.waitScreen(/Mail sent to erin\.[\s\S]*Mail - 1 unread/);
    assert.match(screen, /^\*\*\* New mail: from erin: Note to self\s*\nMail sent to erin\./m);
    // Before, the notice put back "the line" it thought was on screen: every frame of the editor.
    assert.doesNotMatch(screen, /INS|bytes|Ctrl-Z|buy milk/);
    erin.hangup();
  });
});
