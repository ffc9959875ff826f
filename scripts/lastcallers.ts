// Last callers: the most recent finished calls from the calls log.
import type { Session } from '@carrier/engine';

function when(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function duration(ms: number): string {
  const m = Math.max(0, Math.round(ms / 60000));
  return m < 60 ? `${m}m` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export default async function lastcallers(s: Session): Promise<void> {
  s.setActivity('last callers');
  const calls = await s.store.calls.recent(20);
  s.clear();
  s.println('|15Last callers');
  s.println(`|08${'Handle'.padEnd(21)}${'Via'.padEnd(8)}${'When'.padEnd(18)}Time`);
  s.println(`|08${'-'.repeat(55)}`);
  if (calls.length === 0) s.println('|07Nobody yet. You could be the first.');
  for (const c of calls) {
    const line = c.handle.slice(0, 20).padEnd(21) + c.protocol.padEnd(8) + when(c.startedAt).padEnd(18) + duration((c.endedAt ?? c.startedAt) - c.startedAt);
    s.println('|07' + line.replace(/\|/g, '||'));
  }
  s.println('');
  await s.pause();
}
