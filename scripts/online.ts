// Who's online: every session on the board (all nodes), with node, handle, protocol,
// activity and idle time, cut to the caller's screen width.
import type { Session } from '@carrier/engine';

function idle(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

export default async function online(s: Session): Promise<void> {
  s.setActivity("who's online");
  const width = Math.max(40, s.terminal.cols - 1);
  const entries = (await s.who()).sort((a, b) => a.node - b.node);
  const now = Date.now();
  s.clear();
  s.println(`|15Who's online |08- |07${entries.length} ${entries.length === 1 ? 'caller' : 'callers'}`);
  s.println(`|08${'Node'.padEnd(5)}${'Handle'.padEnd(21)}${'Via'.padEnd(8)}${'Idle'.padEnd(7)}Activity`);
  s.println(`|08${'-'.repeat(Math.min(width, 78))}`);
  for (const e of entries) {
    const handle = e.handle ?? '(logging in)';
    const line =
      String(e.node).padEnd(5) + handle.slice(0, 20).padEnd(21) + e.protocol.padEnd(8) + idle(now - e.lastInputAt).padEnd(7) + e.activity;
    const color = e.sessionId === s.id ? '|15' : '|07';
    s.println(color + line.slice(0, width).replace(/\|/g, '||'));
  }
  s.println('');
  await s.pause();
}
