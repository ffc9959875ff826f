import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cmd, Opt, type NegotiationCommand } from '@carrier/telnet';
import { ClientNegotiator, type ClientNegotiatorOptions } from './negotiator.js';

const IAC = Cmd.IAC, SB = Cmd.SB, SE = Cmd.SE;

function negotiator(over: Partial<ClientNegotiatorOptions> = {}): ClientNegotiator {
  return new ClientNegotiator({ terminalTypes: ['xterm-256color'], cols: 80, rows: 25, env: {}, encoding: 'utf8', ...over });
}

/** Everything the negotiator sends for these commands, as one byte array. */
function answer(n: ClientNegotiator, ...commands: [NegotiationCommand, number][]): number[] {
  return commands.flatMap(([command, option]) => n.handle({ type: 'command', command, option }).send.flatMap((b) => [...b]));
}

function sb(n: ClientNegotiator, option: number, ...data: number[]): number[] {
  return n.handle({ type: 'subnegotiation', option, data: Buffer.from(data) }).send.flatMap((b) => [...b]);
}

const ascii = (s: string) => [...Buffer.from(s, 'latin1')];

describe('the client negotiator', () => {
  it('agrees to what a BBS asks for and lets the server echo', () => {
    const n = negotiator();
    assert.deepEqual(answer(n, [Cmd.WILL, Opt.ECHO], [Cmd.WILL, Opt.SGA], [Cmd.DO, Opt.SGA], [Cmd.DO, Opt.BINARY], [Cmd.DO, Opt.TTYPE]), [
      IAC, Cmd.DO, Opt.ECHO, IAC, Cmd.DO, Opt.SGA, IAC, Cmd.WILL, Opt.SGA, IAC, Cmd.WILL, Opt.BINARY, IAC, Cmd.WILL, Opt.TTYPE,
    ]);
    assert.equal(n.enabled('him', Opt.ECHO), true);
    assert.equal(n.enabled('us', Opt.TTYPE), true);
  });

  it('reports its size the moment NAWS is agreed, and again after a resize', () => {
    const n = negotiator({ cols: 132, rows: 50 });
    assert.equal(n.resize(100, 40), undefined, 'no NAWS before the server asked');
    assert.deepEqual(answer(n, [Cmd.DO, Opt.NAWS]), [IAC, Cmd.WILL, Opt.NAWS, IAC, SB, Opt.NAWS, 0, 100, 0, 40, IAC, SE]);
    assert.deepEqual([...n.resize(255, 60)!], [IAC, SB, Opt.NAWS, 0, 255, 255, 0, 60, IAC, SE], 'a 255 in the size is doubled');
  });

  it('walks its list of terminal types one per SEND and then repeats the last', () => {
    const n = negotiator({ terminalTypes: ['syncterm', 'ansi'] });
    answer(n, [Cmd.DO, Opt.TTYPE]);
    const is = (name: string) => [IAC, SB, Opt.TTYPE, 0, ...ascii(name), IAC, SE];
    assert.deepEqual(sb(n, Opt.TTYPE, 1), is('syncterm'));
    assert.deepEqual(sb(n, Opt.TTYPE, 1), is('ansi'));
    assert.deepEqual(sb(n, Opt.TTYPE, 1), is('ansi'));
  });

  it('ignores a TTYPE SEND before TTYPE was agreed', () => {
    const n = negotiator();
    const step = n.handle({ type: 'subnegotiation', option: Opt.TTYPE, data: Buffer.from([1]) });
    assert.deepEqual(step.send, []);
    assert.equal(step.notes.length, 1);
  });

  it('refuses TTYPE with no terminal type and NEW-ENVIRON with no variables', () => {
    const n = negotiator({ terminalTypes: [] });
    assert.deepEqual(answer(n, [Cmd.DO, Opt.TTYPE], [Cmd.DO, Opt.NEW_ENVIRON]), [IAC, Cmd.WONT, Opt.TTYPE, IAC, Cmd.WONT, Opt.NEW_ENVIRON]);
  });

  it('reveals only the variables it was given, each once, however often the server asks', () => {
    const n = negotiator({ env: { LANG: 'en_US.UTF-8', USER: 'dade' } });
    answer(n, [Cmd.DO, Opt.NEW_ENVIRON]);
    // SEND VAR USER VAR LANG USERVAR LANG VAR SHELL
    const reply = sb(n, Opt.NEW_ENVIRON, 1, 0, ...ascii('USER'), 0, ...ascii('LANG'), 3, ...ascii('LANG'), 0, ...ascii('SHELL'));
    assert.deepEqual(reply, [
      IAC, SB, Opt.NEW_ENVIRON, 0,
      0, ...ascii('USER'), 1, ...ascii('dade'),
      3, ...ascii('LANG'), 1, ...ascii('en_US.UTF-8'),
      IAC, SE,
    ]);
  });

  it('refuses LINEMODE, ENCRYPT and STATUS, and never offers to echo for the server', () => {
    const n = negotiator();
    assert.deepEqual(answer(n, [Cmd.DO, Opt.LINEMODE], [Cmd.DO, Opt.ENCRYPT], [Cmd.WILL, Opt.STATUS], [Cmd.DO, Opt.ECHO]), [
      IAC, Cmd.WONT, Opt.LINEMODE, IAC, Cmd.WONT, Opt.ENCRYPT, IAC, Cmd.DONT, Opt.STATUS, IAC, Cmd.WONT, Opt.ECHO,
    ]);
  });

  it('never answers an answer, so a server repeating itself cannot start a loop', () => {
    const n = negotiator();
    assert.deepEqual(answer(n, [Cmd.WILL, Opt.ECHO]), [IAC, Cmd.DO, Opt.ECHO]);
    assert.deepEqual(answer(n, [Cmd.WILL, Opt.ECHO], [Cmd.WILL, Opt.ECHO]), []);
    assert.deepEqual(answer(n, [Cmd.WONT, Opt.ECHO]), [IAC, Cmd.DONT, Opt.ECHO], 'a switch-off is acknowledged once');
    assert.deepEqual(answer(n, [Cmd.WONT, Opt.ECHO]), []);
  });

  it('lets the option callback turn a default yes into no and a default no into yes', () => {
    const seen: string[] = [];
    const n = negotiator({
      onOption: (command, option) => {
        seen.push(`${command} ${option}`);
        if (option === Opt.NAWS) return false;
        if (option === Opt.STATUS) return true;
        return undefined;
      },
    });
    assert.deepEqual(answer(n, [Cmd.DO, Opt.NAWS], [Cmd.WILL, Opt.STATUS], [Cmd.WILL, Opt.ECHO]), [
      IAC, Cmd.WONT, Opt.NAWS, IAC, Cmd.DO, Opt.STATUS, IAC, Cmd.DO, Opt.ECHO,
    ]);
    assert.deepEqual(seen, [`DO ${Opt.NAWS}`, `WILL ${Opt.STATUS}`, `WILL ${Opt.ECHO}`]);
  });

  it('accepts a CHARSET request with the name the server offered for its encoding, or rejects it', () => {
    const utf8 = negotiator({ encoding: 'utf8' });
    answer(utf8, [Cmd.WILL, Opt.CHARSET]);
    const request = [1, ...ascii(';UTF-8;CP437;IBM437')];
    assert.deepEqual(sb(utf8, Opt.CHARSET, ...request), [IAC, SB, Opt.CHARSET, 2, ...ascii('UTF-8'), IAC, SE]);

    const cp437 = negotiator({ encoding: 'cp437' });
    answer(cp437, [Cmd.DO, Opt.CHARSET]);
    assert.deepEqual(sb(cp437, Opt.CHARSET, ...request), [IAC, SB, Opt.CHARSET, 2, ...ascii('CP437'), IAC, SE]);
    assert.deepEqual(sb(cp437, Opt.CHARSET, 1, ...ascii(';UTF-8;KOI8-R')), [IAC, SB, Opt.CHARSET, 3, IAC, SE]);
  });

  it('answers DO TIMING-MARK with WILL, and stops answering a flood', () => {
    const n = negotiator();
    assert.deepEqual(answer(n, [Cmd.DO, Opt.TIMING_MARK]), [IAC, Cmd.WILL, Opt.TIMING_MARK]);
    let replies = 1;
    for (let i = 0; i < 1000; i++) replies += answer(n, [Cmd.DO, Opt.TIMING_MARK]).length / 3;
    assert.equal(replies, 32);
  });
});
