import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PublishBatcher } from './bus-batcher.js';
import {
  decodeEnvelope,
  decodeMessage,
  encodeBatch,
  encodeEnvelope,
  MAX_BATCH_LENGTH,
  MAX_BATCH_MESSAGES,
  MAX_ENVELOPE_LENGTH,
  type Envelope,
} from './bus-envelope.js';
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

describe('envelope batches', () => {
  const env = (i: number, origin = 'b-1'): Envelope => ({ origin, topic: 'broadcast', payload: { from: 'x', text: `m${i}`, at: i }, sentAt: i });

  it('a batch arrives whole and in order; a lone envelope travels as itself', () => {
    const list = Array.from({ length: 5 }, (_, i) => env(i, i % 2 === 0 ? 'b-1' : 'b-2'));
    assert.deepEqual(decodeMessage(encodeBatch(list.map(encodeEnvelope))), { ok: true, envelopes: list });
    assert.equal(encodeBatch([encodeEnvelope(env(7))]), encodeEnvelope(env(7)));
    assert.deepEqual(decodeMessage(encodeEnvelope(env(7))), { ok: true, envelopes: [env(7)] });
  });

  it('drops a whole batch when any envelope in it is bad, or it is empty, too long or too large', () => {
    const good = encodeEnvelope(env(1));
    const cases: Array<[string, string]> = [
      [`[${good},{"o":"x","t":"no.such","p":{},"s":1}]`, 'batch message 1: unknown topic'],
      [`[${good},[${good}]]`, 'batch message 1: not an object'],
      [`[${good},`, 'not JSON'],
      ['[]', 'empty batch'],
      [encodeBatch(Array.from({ length: MAX_BATCH_MESSAGES + 1 }, () => '{}')), 'batch too large'],
      [`[${good},"${'a'.repeat(MAX_BATCH_LENGTH)}"]`, 'batch too long'],
    ];
    for (const [raw, reason] of cases) assert.deepEqual(decodeMessage(raw), { ok: false, reason }, raw.slice(0, 60));
  });

  it('the batcher sends the first message of a turn at once and the rest of the turn as one batch, cut at the bounds', async () => {
    const sent: Array<{ message: string; count: number }> = [];
    const batcher = new PublishBatcher((message, count) => sent.push({ message, count }));
    const encoded = Array.from({ length: MAX_BATCH_MESSAGES + 11 }, (_, i) => encodeEnvelope(env(i)));
    for (const e of encoded) batcher.add(e);
    assert.deepEqual(sent.map((s) => s.count), [1, MAX_BATCH_MESSAGES], 'the first at once; a full batch is cut before its bound');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(sent.map((s) => s.count), [1, MAX_BATCH_MESSAGES, 10], 'the rest when the turn ends');
    const received = sent.flatMap((s) => {
      const d = decodeMessage(s.message);
      assert.ok(d.ok);
      return d.envelopes.map((e) => (e.payload as { text: string }).text);
    });
    assert.deepEqual(received, encoded.map((_, i) => `m${i}`), 'every message once, in order');

    sent.length = 0;
    const big = encodeEnvelope({ ...env(0), payload: { text: 'x'.repeat(MAX_ENVELOPE_LENGTH - 100) } });
    for (let i = 0; i < 40; i++) batcher.add(big);
    batcher.close();
    assert.ok(sent.every((s) => s.message.length <= MAX_BATCH_LENGTH && decodeMessage(s.message).ok), 'no batch a receiver would drop');
    assert.equal(sent.reduce((n, s) => n + s.count, 0), 40);
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
