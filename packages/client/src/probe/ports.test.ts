import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePortList } from './ports.js';

describe('port lists', () => {
  it('reads single ports, lists and ranges, sorted and without repeats', () => {
    assert.deepEqual(parsePortList('2323, 22,20-23'), [20, 21, 22, 23, 2323]);
    assert.equal((parsePortList('1-1024') as number[]).length, 1024);
  });

  it('refuses port 0, ports past 65535, backwards ranges and words', () => {
    for (const bad of ['0', '65536', '30-20', 'telnet', '1-', '']) assert.ok('error' in (parsePortList(bad) as object), bad);
  });
});
