import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes, formatDuration, formatHistory, memoryHistory } from './history.js';

describe('connection history', () => {
  it('lists connections newest first with duration and bytes each way', async () => {
    let now = Date.UTC(2025, 0, 1);
    const h = memoryHistory(() => now);
    const a = await h.start({ host: 'bbs.example.org', port: 23 });
    now += 125_000;
    await h.finish(a, { bytesIn: 40_960, bytesOut: 100 });
    await h.start({ host: '127.0.0.1', port: 2323 });
    const lines = formatHistory(await h.recent(10), now + 5_000);
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^started\s+host:port\s+duration\s+received\s+sent$/);
    assert.match(lines[1]!, /127\.0\.0\.1:2323\s+5s \(open\)\s+0 B\s+0 B$/);
    assert.match(lines[2]!, /bbs\.example\.org:23\s+2m05s\s+40\.0 KiB\s+100 B$/);
  });

  it('never prints a control character from a stored host', () => {
    const [, row] = formatHistory([{ id: 1, host: 'evil\x1b[2J', port: 23, startedAt: 0, endedAt: 0, bytesIn: 0, bytesOut: 0 }]);
    assert.ok(!row!.includes('\x1b'));
  });

  it('formats sizes and durations for people', () => {
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(5 * 1024 * 1024), '5.0 MiB');
    assert.equal(formatDuration(3_725_000), '1h02m');
  });
});
