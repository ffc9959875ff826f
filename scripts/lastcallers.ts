// Last callers: who is on right now at the top, then the finished calls from the calls
// log, the latest logon first, each with its logon time (as a BBS's last callers lists
// logons) and where the caller said they call from.
import { clipToWidth, fitToWidth, pipeLiteral, type Session } from '@carrier/engine';

function when(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function duration(ms: number): string {
  const m = Math.max(0, Math.round(ms / 60000));
  return m < 60 ? `${m}m` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Pipe codes in stored text print as typed. */

export default async function lastcallers(s: Session): Promise<void> {
  s.setActivity('last callers');
  const [online, calls] = await Promise.all([s.who(), s.store.calls.recent(20)]);
  const on = online.filter((e) => e.handle !== null).sort((a, b) => a.connectedAt - b.connectedAt);
  // Locations of the callers on now: one look-up per distinct handle (a screenful at most).
  const locations = new Map<string, string | null>();
  for (const e of on.slice(0, 20)) {
    const key = e.handle!.toLowerCase();
    if (!locations.has(key)) locations.set(key, (await s.store.users.findByHandle(e.handle!))?.location ?? null);
  }
  const room = s.terminal.cols - 1;
  const wide = s.terminal.cols >= 80;
  // Narrower than the columns (a phone's browser, a 40-column terminal): Via goes and the
  // date is shortened to month and day; narrower still, a caller takes two rows.
  const layout = room >= 57 ? 'columns' : room >= 31 ? 'short' : 'two rows';
  const handleWidth = layout === 'short' ? Math.min(20, room - 19) : 20;
  const shortWhen = (ms: number): string => when(ms).slice(5);
  // Via fits the longest protocol name, 'websocket' (a browser caller), and a space.
  const header =
    layout === 'columns'
      ? `${'Handle'.padEnd(21)}${'Via'.padEnd(10)}${'When'.padEnd(18)}${'Time'.padEnd(8)}${wide ? 'From' : ''}`
      : layout === 'short'
        ? `${'Handle'.padEnd(handleWidth + 1)}${'When'.padEnd(12)}Time`
        : 'Handle, via\n  When        Time';
  // From is cut by columns: 22 wide (CJK) characters are 44 and ran onto the next row.
  const row = (handle: string, via: string, at: number, time: string, from: string | null): string => {
    if (layout === 'short') return pipeLiteral(`${fitToWidth(handle, handleWidth)} ${shortWhen(at).padEnd(12)}${time}`);
    if (layout === 'two rows') return pipeLiteral(`${clipToWidth(`${handle}, ${via}`, room)}\n  ${shortWhen(at)} ${time}`);
    const line = handle.slice(0, 20).padEnd(21) + via.slice(0, 9).padEnd(10) + when(at).padEnd(18) + (time.padEnd(8) + (wide ? clipToWidth(from ?? '', 22) : '')).trimEnd();
    return pipeLiteral(line);
  };
  const rule = `|08${'-'.repeat(Math.min(79, s.terminal.cols - 1))}`;
  const title = (): void => {
    s.clear();
    s.println('|15Last callers');
    for (const line of header.split('\n')) s.println(`|08${line}`);
    s.println(rule);
  };
  title();
  const now = Date.now();
  const lines: string[] = [];
  for (const e of on.slice(0, 20)) {
    lines.push(`|11${row(e.handle!, e.protocol, e.connectedAt, 'online', locations.get(e.handle!.toLowerCase()) ?? null)}`);
  }
  if (calls.length === 0 && on.length === 0) lines.push('|07Nobody yet. You could be the first.');
  for (const c of calls) {
    lines.push(`|07${row(c.handle, c.protocol, c.startedAt, duration((c.endedAt ?? now) - c.startedAt), c.location)}`);
  }
  // Up to 40 rows: a page at a time, the three rows above and the pause below kept in view
  // (printed straight, the title and the first rows scrolled off a 24-row screen).
  // (drawn again with its title for a sysop's spy that starts at the more-prompt)
  if (!(await s.pager(lines.join('\n'), { pipeCodes: true, above: 4 + header.split('\n').length, drawAbove: title }))) return;
  s.println('');
  await s.pause();
}
