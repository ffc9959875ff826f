import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { scratchDir } from '@carrier/core/testing';
import { appendSauce } from '@carrier/terminal';
import { artCommand } from './art-commands.js';

const dir = scratchDir('carrier-art-cli');
function file(name: string, content: Buffer | string): string {
  const f = join(dir, name);
  writeFileSync(f, content);
  return f;
}

async function run(args: string[], cols = 80) {
  const out: string[] = [];
  const err: string[] = [];
  const bytes: Buffer[] = [];
  const code = await artCommand(args, { out: (l) => out.push(l), err: (l) => err.push(l), bytes: (b) => bytes.push(b), cols });
  return { code, out: out.join('\n'), err: err.join('\n'), bytes: Buffer.concat(bytes) };
}

/** CP437: a box corner, a full block, a heart (0x03, a glyph in art). */
const BODY = Buffer.from('\x1b[1;31m\xc9\xdb\x03\x1b[0m\r\n', 'latin1');
const RESET = Buffer.from('\x1b[0m\r\n', 'latin1');

describe('carrier art show', () => {
  it('draws CP437 art byte for byte with --encoding cp437', async () => {
    const f = file('box.ans', appendSauce(BODY, { title: 'Box', tinfo1: 40, tinfo2: 1 }));
    const r = await run(['show', f, '--encoding', 'cp437']);
    assert.equal(r.code, 0);
    assert.deepEqual(r.bytes, Buffer.concat([BODY, RESET]));
  });

  it('draws it as UTF-8 by default, with the CP437 glyphs mapped', async () => {
    const f = file('box2.ans', appendSauce(BODY, { tinfo1: 40, tinfo2: 1 }));
    const r = await run(['show', f]);
    assert.equal(r.bytes.toString('utf8'), '\x1b[1;31m╔█♥\x1b[0m\r\n\x1b[0m\r\n');
  });

  it('a file that is not art is refused with the reason, exit 1', async () => {
    const r = await run(['show', file('bin.ans', Buffer.alloc(4096))]);
    assert.equal(r.code, 1);
    assert.match(r.err, /looks binary/);
    assert.equal(r.bytes.length, 0);
    const missing = await run(['show', join(dir, 'nope.ans')]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /nope\.ans/);
  });

  it('bad usage exits 2 and says how to use it', async () => {
    for (const args of [['show'], ['show', 'a', 'b'], ['show', 'a', '--encoding', 'latin1'], ['paint', 'a'], []]) {
      const r = await run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, /art show <file>/);
    }
  });
});

describe('carrier art info', () => {
  it('prints the SAUCE record field by field, with comments', async () => {
    const f = file('info.ans', appendSauce(BODY, {
      title: 'Main menu',
      author: 'sysop',
      group: 'carrier',
      date: '20261121',
      dataType: 1,
      fileType: 1,
      tinfo1: 80,
      tinfo2: 25,
      iceColors: true,
      letterSpacing: 2,
      tinfos: 'IBM VGA',
      comments: ['drawn for the test'],
    }));
    const r = await run(['info', f]);
    assert.equal(r.code, 0, r.out + r.err);
    for (const line of [
      'SAUCE: yes',
      'title: Main menu',
      'author: sysop',
      'group: carrier',
      'date: 2026-11-21',
      'type: Character / ANSi',
      'dimensions: 80 columns x 25 lines',
      'iCE colors: yes',
      'letter spacing: 9-pixel font',
      'font: IBM VGA',
      '  drawn for the test',
    ]) {
      assert.ok(r.out.split('\n').includes(line), `missing ${JSON.stringify(line)} in:\n${r.out}`);
    }
    assert.match(r.out, new RegExp(`size: \\d+ bytes, ${BODY.length} of them art \\(CP437\\)`));
  });

  it('says so when there is no SAUCE, and when a record does not match its file', async () => {
    const none = await run(['info', file('plain.ans', BODY)]);
    assert.equal(none.code, 0);
    assert.match(none.out, /SAUCE: none/);
    const withSauce = appendSauce(BODY, { title: 'Liar', tinfo1: 80 });
    withSauce.writeUInt32LE(9999, withSauce.length - 128 + 90);
    const liar = await run(['info', file('liar.ans', withSauce)]);
    assert.match(liar.out, /SAUCE: none/);
    assert.match(liar.out, /problem: has a SAUCE record that does not match the file/);
    assert.equal(liar.code, 1);
  });

  it('recognises UTF-8 art', async () => {
    const r = await run(['info', file('u.utf8.ans', '╔══╗\r\n')]);
    assert.match(r.out, /\(UTF-8\)/);
  });
});
