import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeEnvelope, encodeEnvelope, MAX_ENVELOPE_LENGTH } from './bus-envelope.js';
import { decodePresenceEntry, encodePresenceEntry } from './presence-codec.js';
import type { PresenceEntry } from './presence.js';

describe('bus envelopes', () => {
  it('a message survives the trip between processes unchanged', () => {
    const env = { origin: 'b-1', topic: 'chat.line' as const, payload: { room: 'lobby', text: 'héllo ☺', at: 5 }, sentAt: 123 };
    assert.deepEqual(decodeEnvelope(encodeEnvelope(env)), { ok: true, envelope: env });
  });

  it('drops what no carrier sends: junk, unknown topics, non-object payloads, oversized messages', () => {
    const reasons = [
      'not json',
      '[1,2]',
      '{"o":"x","t":"toString","p":{},"s":1}',
      '{"o":"x","t":"broadcast","p":"text","s":1}',
      '{"o":"x","t":"broadcast","p":null,"s":1}',
      '{"t":"broadcast","p":{},"s":1}',
      '{"o":"x","t":"broadcast","p":{}}',
      `{"o":"x","t":"broadcast","p":{"text":"${'a'.repeat(MAX_ENVELOPE_LENGTH)}"},"s":1}`,
    ].map((raw) => {
      const r = decodeEnvelope(raw);
      assert.equal(r.ok, false, raw.slice(0, 60));
      return r.ok ? '' : r.reason;
    });
    assert.deepEqual(reasons, [
      'not JSON',
      'not an object',
      'unknown topic',
      'payload is not an object',
      'payload is not an object',
      'no origin',
      'no timestamp',
      'too long',
    ]);
  });
});

describe('presence entries stored by another process', () => {
  const good: PresenceEntry = {
    sessionId: 's-1',
    node: 3,
    handle: 'Ann',
    protocol: 'ssh',
    activity: 'chat',
    connectedAt: 10,
    lastInputAt: 20,
    remoteAddress: '192.0.2.9',
    terminal: { type: 'xterm', cols: 132, rows: 50, encoding: 'utf8' },
    processId: 'h:1',
  };

  it('round-trips, and an entry still logging in keeps its null handle', () => {
    assert.deepEqual(decodePresenceEntry(encodePresenceEntry(good)), good);
    assert.equal(decodePresenceEntry(encodePresenceEntry({ ...good, handle: null }))?.handle, null);
  });

  it('skips a malformed entry instead of showing or throwing on it', () => {
    for (const bad of [
      '{',
      'null',
      JSON.stringify({ ...good, node: 1.5 }),
      JSON.stringify({ ...good, protocol: 'gopher' }),
      JSON.stringify({ ...good, terminal: { ...good.terminal, encoding: 'ebcdic' } }),
      JSON.stringify({ ...good, terminal: null }),
      JSON.stringify({ ...good, handle: 7 }),
    ]) {
      assert.equal(decodePresenceEntry(bad), undefined, bad);
    }
  });

  it('carries optional fields such as the chat room and do-not-disturb, but only plain scalars of sane size', () => {
    const decoded = decodePresenceEntry(
      JSON.stringify({ ...good, room: 'lobby', dnd: true, nested: { a: 1 }, list: [1], huge: 'x'.repeat(5000) }),
    );
    assert.deepEqual(decoded, { ...good, room: 'lobby', dnd: true });
  });
});
