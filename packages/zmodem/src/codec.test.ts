// Byte tables for the ZMODEM codec: CRCs, escapes and headers as lrzsz writes them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc16, crc32 } from './crc.js';
import { Frame, ZCRCE, ZCRCG, ZCRCW } from './constants.js';
import { ZmodemDecoder } from './decoder.js';
import { encodeBinHeader, encodeHexHeader, encodeSubpacket, escape, positionBytes } from './encoder.js';
import { encodeFileInfo, parseFileInfo } from './file-info.js';
import { ZmodemSender } from './sender.js';
import { ZmodemReceiver } from './receiver.js';

const ascii = (b: Buffer): string => b.toString('latin1');

describe('ZMODEM codec byte tables', () => {
  it('CRC-16/XMODEM and CRC-32 of "123456789" are the catalogue check values', () => {
    assert.equal(crc16(Buffer.from('123456789')), 0x31c3);
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  });

  it('hex headers match what rz and sz put on the wire', () => {
    assert.equal(ascii(encodeHexHeader(Frame.ZRQINIT, [0, 0, 0, 0])), '**\x18B00000000000000\r\x8a\x11');
    assert.equal(ascii(encodeHexHeader(Frame.ZRINIT, [0, 0, 0, 0x23])), '**\x18B0100000023be50\r\x8a\x11');
    // ZFIN and ZACK end without XON
    assert.equal(ascii(encodeHexHeader(Frame.ZFIN, [0, 0, 0, 0])), '**\x18B0800000000022d\r\x8a');
  });

  it('escapes ZDLE, DLE, XON, XOFF (both parities) and CR after @', () => {
    assert.deepEqual([...escape(Buffer.from([0x18, 0x10, 0x11, 0x13, 0x90, 0x91, 0x93, 0x41]))], [0x18, 0x58, 0x18, 0x50, 0x18, 0x51, 0x18, 0x53, 0x18, 0xd0, 0x18, 0xd1, 0x18, 0xd3, 0x41]);
    assert.deepEqual([...escape(Buffer.from('@\rA\r'))], [0x40, 0x18, 0x4d, 0x41, 0x0d]);
    assert.deepEqual([...escape(Buffer.from([0x01, 0xff]), { escapeControl: true })], [0x18, 0x41, 0xff]);
  });

  it('decodes each header form and a subpacket chain split at every byte', () => {
    const stream = Buffer.concat([
      encodeHexHeader(Frame.ZRPOS, positionBytes(123456)),
      encodeBinHeader(Frame.ZDATA, positionBytes(70000), false),
      encodeSubpacket(Buffer.from([1, 0x18, 2, 0x11]), ZCRCG, false),
      encodeSubpacket(Buffer.from('end'), ZCRCE, false),
      encodeBinHeader(Frame.ZEOF, positionBytes(70007), true),
    ]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new ZmodemDecoder();
      const events = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      assert.deepEqual(events, [
        { type: 'header', frame: Frame.ZRPOS, data: [0x40, 0xe2, 0x01, 0x00], form: 'hex' },
        { type: 'header', frame: Frame.ZDATA, data: [0x70, 0x11, 0x01, 0x00], form: 'bin16' },
        { type: 'data', data: Buffer.from([1, 0x18, 2, 0x11]), end: ZCRCG },
        { type: 'data', data: Buffer.from('end'), end: ZCRCE },
        { type: 'header', frame: Frame.ZEOF, data: [0x77, 0x11, 0x01, 0x00], form: 'bin32' },
      ]);
    }
  });

  it('reports a flipped bit as a bad CRC and five CANs as a cancel', () => {
    const sub = Buffer.concat([encodeBinHeader(Frame.ZDATA, [0, 0, 0, 0], true), encodeSubpacket(Buffer.from('hello'), ZCRCW, true)]);
    sub.writeUInt8(sub.readUInt8(sub.length - 8) ^ 0x01, sub.length - 8);
    const events = new ZmodemDecoder().push(sub);
    assert.deepEqual(events.map((e) => e.type === 'error' ? e.code : e.type), ['header', 'BAD_DATA_CRC']);
    assert.deepEqual(new ZmodemDecoder().push(Buffer.from([0x18, 0x18, 0x18, 0x18, 0x18])), [{ type: 'cancel' }]);
  });

  it('refuses a subpacket longer than 8 KiB', () => {
    const d = new ZmodemDecoder();
    const events = d.push(Buffer.concat([encodeBinHeader(Frame.ZDATA, [0, 0, 0, 0]), Buffer.alloc(9000, 0x41)]));
    assert.deepEqual(events.at(-1), { type: 'error', code: 'SUBPACKET_TOO_LONG' });
  });

  it('ZFILE info round-trips (size decimal, mtime and mode octal)', () => {
    const b = encodeFileInfo({ name: 'a.zip', size: 1234, mtime: 0o14000000000, mode: 0o100644 });
    assert.equal(ascii(b), 'a.zip\x001234 14000000000 100644 0 1 1234\x00');
    assert.deepEqual(parseFileInfo(b), { name: 'a.zip', size: 1234, mtime: 0o14000000000, mode: 0o100644, filesLeft: 1, bytesLeft: 1234 });
    assert.equal(parseFileInfo(Buffer.from('\x00')), undefined);
  });
});

describe('ZMODEM state machines against each other', () => {
  it('a batch of two files goes across byte for byte; the receiver picks the resume offset', () => {
    const files = [Buffer.alloc(20_000, 7), Buffer.from('second')];
    const sender = new ZmodemSender({ files: [{ name: 'one', size: files[0]!.length }, { name: 'two', size: 6 }] });
    const receiver = new ZmodemReceiver();
    const got: Buffer[] = [Buffer.alloc(0), Buffer.alloc(0)];
    let current = -1;
    let toReceiver: Buffer[] = [sender.start()];
    let toSender: Buffer[] = [receiver.start()];
    let done = false;
    for (let round = 0; round < 1000 && !done; round++) {
      for (const b of toReceiver.splice(0)) {
        const step = receiver.receive(b);
        toSender.push(...step.send);
        for (const ev of step.events) {
          if (ev.type === 'offer') {
            current++;
            const r = receiver.accept(current === 0 ? 4096 : 0);
            got[current] = current === 0 ? files[0]!.subarray(0, 4096) : Buffer.alloc(0);
            toSender.push(...r.send);
          } else if (ev.type === 'data') got[current] = Buffer.concat([got[current]!, ev.data]);
          else if (ev.type === 'done') done = true;
        }
      }
      for (const b of toSender.splice(0)) {
        const step = sender.receive(b);
        toReceiver.push(...step.send);
      }
      const want = sender.wants;
      if (want) {
        const f = files[want.index]!;
        const chunk = f.subarray(want.offset, want.offset + want.max);
        toReceiver.push(sender.data(chunk, want.offset + chunk.length >= f.length));
      }
    }
    assert.ok(done);
    assert.deepEqual(got, files);
  });

  it('a ZRINIT announcing a 16-byte buffer is refused as absurd', () => {
    const sender = new ZmodemSender({ files: [{ name: 'x', size: 1 }] });
    sender.start();
    const step = sender.receive(encodeHexHeader(Frame.ZRINIT, [16, 0, 0, 0x23]));
    assert.deepEqual(step.events, [{ type: 'failed', code: 'ABSURD_ZRINIT', message: 'the receiver announced a 16-byte buffer' }]);
  });

  it('a flood of bad frames ends the receive after maxErrors', () => {
    const receiver = new ZmodemReceiver({ limits: { maxErrors: 5 } });
    receiver.start();
    const bad = encodeHexHeader(Frame.ZFILE, [0, 0, 0, 0]);
    bad[6] = 0x41; // a hex digit changed: the CRC no longer matches
    let failed: unknown;
    for (let i = 0; i < 10 && !failed; i++) failed = receiver.receive(bad).events.find((e) => e.type === 'failed');
    assert.deepEqual(failed, { type: 'failed', code: 'TOO_MANY_ERRORS', message: '6 bad frames in a row (BAD_HEADER_CRC)' });
  });

  it('a silent sender is prompted maxRetries times, then the receive stops as stalled', () => {
    const receiver = new ZmodemReceiver({ limits: { maxRetries: 2 } });
    receiver.start();
    assert.equal(receiver.timeout().send.length, 1);
    assert.equal(receiver.timeout().send.length, 1);
    assert.equal(receiver.timeout().events[0]?.type, 'failed');
  });
});
