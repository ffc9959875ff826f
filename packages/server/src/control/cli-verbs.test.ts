import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeInfo } from '@carrier/sysop/protocol';
import { formatWho } from './cli-verbs.js';

const node = (n: number, protocol: NodeInfo['protocol'], handle: string | null, from: string): NodeInfo => ({
  node: n,
  handle,
  protocol,
  activity: 'main menu',
  idle: 5,
  online: 125,
  from,
  terminal: { type: 'xterm', cols: 80, rows: 25, encoding: 'utf8' },
  processId: 'host:1:a',
});

/** Where each header word starts; every row's cells must start there too, after a gap. */
function starts(header: string): number[] {
  return [...header.matchAll(/\S+/g)].map((m) => m.index);
}

describe('carrier who', () => {
  it('keeps every column apart for every protocol, a web caller, a long handle and an IPv6 address included', () => {
    const lines = formatWho([
      node(1, 'telnet', 'alice', '127.0.0.2'),
      node(2, 'ssh', 'Bob', '10.1.2.3'),
      node(3, 'rlogin', null, '192.0.2.200'),
      node(14, 'websocket', 'A Rather Long Handle Of 32 Chars', '2001:db8:1234:5678:9abc:def0:1234:5678'),
    ]);
    const [header, ...rows] = lines;
    assert.equal(rows.length, 4);
    const at = starts(header!);
    assert.equal(at.length, 7);
    for (const row of rows) {
      for (const [i, col] of at.entries()) {
        if (i === 0) continue;
        assert.match(row.slice(col - 2, col), /^ {2}$/, `two spaces before column ${i} in ${JSON.stringify(row)}`);
        assert.notEqual(row[col], ' ', `column ${i} starts under its header in ${JSON.stringify(row)}`);
      }
    }
    assert.match(rows[3]!, /^14 +A Rather Long Handle Of 32 Chars +websocket +5s +2m +2001:db8:1234:5678:9abc:def0:1234:5678 +main menu$/);
  });

  it('bounds a cell from the caller (handle, activity) and escapes its control bytes', () => {
    const n = { ...node(1, 'telnet', `x\x1b[2J${'y'.repeat(100)}`, '127.0.0.2'), activity: 'z'.repeat(500) };
    const [, row] = formatWho([n]);
    assert.ok(!row!.includes('\x1b'));
    assert.ok(row!.length < 32 + 12 + 46 + 40 + 40, `bounded: ${row!.length}`);
  });
});
