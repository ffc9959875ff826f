import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { disconnectPacket, refusalBytes, refusalText, REFUSAL_IDENT } from './refusal.js';

/** RFC 4253 §6 framing read back: the payload, and whether the padding follows the rules. */
function unframe(packet: Buffer): { payload: Buffer; paddingOk: boolean } {
  const length = packet.readUInt32BE(0);
  const padding = packet[4]!;
  return { payload: packet.subarray(5, 4 + length - padding), paddingOk: length + 4 === packet.length && packet.length % 8 === 0 && padding >= 4 };
}

describe('ssh refusals', () => {
  it('a DISCONNECT packet: code, reason, description, empty language, padded to 8 with at least 4', () => {
    for (const text of ['', 'x', 'This address is banned.', 'carrier: server full. Please call again later.']) {
      const { payload, paddingOk } = unframe(disconnectPacket(12, text));
      assert.ok(paddingOk, text);
      assert.equal(payload[0], 1, 'SSH_MSG_DISCONNECT');
      assert.equal(payload.readUInt32BE(1), 12);
      const n = payload.readUInt32BE(5);
      assert.equal(payload.subarray(9, 9 + n).toString('utf8'), text);
      assert.equal(payload.readUInt32BE(9 + n), 0, 'no language tag');
      assert.equal(payload.length, 9 + n + 4);
    }
  });

  it('the text reaches the client escaped: no escape sequences, controls or line breaks, bounded', () => {
    assert.equal(refusalText('a\x1b[2J\x07b\r\nc\u202ed'), 'ab cd');
    assert.ok(refusalText('x'.repeat(5000)).length <= 200);
    const { payload } = unframe(disconnectPacket(1, 'evil\x1b]0;title\x07 name'));
    assert.doesNotMatch(payload.toString('latin1'), /[\x07\x1b]/);
  });

  it('at connect: the reason as a line, our version line, then the packet', () => {
    const bytes = refusalBytes(1, 'This address is banned.');
    const head = `This address is banned.\r\n${REFUSAL_IDENT}\r\n`;
    assert.equal(bytes.subarray(0, head.length).toString('latin1'), head);
    const { payload, paddingOk } = unframe(bytes.subarray(head.length));
    assert.ok(paddingOk);
    assert.equal(payload.subarray(9, 9 + payload.readUInt32BE(5)).toString(), 'This address is banned.');
  });
});
