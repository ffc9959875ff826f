/** What `carrier probe` checks when given no list: the well-known ports, where boards live. */
export const DEFAULT_PORTS = '1-1024';

/**
 * "23", "22,23,80", "2000-2100,8080" -> sorted, unique port numbers. Every port must be
 * 1..65535 and a range must run upwards; anything else is an error with its reason.
 */
export function parsePortList(text: string): number[] | { error: string } {
  const ports = new Set<number>();
  for (const part of text.split(',')) {
    const item = part.trim();
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item);
    if (!m) return { error: `not a port or range: ${JSON.stringify(item)}` };
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1 || hi > 65535) return { error: `ports are 1-65535: ${item}` };
    if (hi < lo) return { error: `a range runs upwards: ${item}` };
    for (let p = lo; p <= hi; p++) ports.add(p);
  }
  return [...ports].sort((a, b) => a - b);
}
