import { DEFAULT_PORTS, parsePortList } from './ports.js';
import { PROBE_DEFAULTS, probeHost } from './probe.js';

export const PROBE_USAGE = `usage: carrier probe <host> [ports] [--concurrency n] [--timeout ms]
  ports          a list or ranges, e.g. 23,2222,2323 or 1-1024 (default ${DEFAULT_PORTS})
  --concurrency  connections at once (default ${PROBE_DEFAULTS.concurrency})
  --timeout      ms for each connect and each answer (default ${PROBE_DEFAULTS.timeoutMs})
Checks your own board: every connection goes to the one address <host> resolves to.
`;

export interface ProbeCommandIo {
  output?: { write(text: string): unknown };
  errors?: { write(text: string): unknown };
}

/** `carrier probe ...`: returns the exit status (0 done, 1 the host did not resolve, 2 usage). */
export async function runProbeCommand(argv: readonly string[], io: ProbeCommandIo = {}): Promise<number> {
  const out = io.output ?? process.stdout;
  const err = io.errors ?? process.stderr;
  const usage = (msg: string) => {
    err.write(`carrier probe: ${msg}\n${PROBE_USAGE}`);
    return 2;
  };
  const positional: string[] = [];
  let concurrency: number = PROBE_DEFAULTS.concurrency;
  let timeoutMs: number = PROBE_DEFAULTS.timeoutMs;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--concurrency' || a === '--timeout') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1 || n > (a === '--concurrency' ? 1024 : 60_000)) return usage(`${a} needs a positive integer`);
      if (a === '--concurrency') concurrency = n;
      else timeoutMs = n;
    } else if (a.startsWith('-')) {
      return usage(`unknown option ${a}`);
    } else {
      positional.push(a);
    }
  }
  const [host, portText, ...extra] = positional;
  if (!host || extra.length > 0) return usage(host ? 'too many arguments' : 'which host?');
  const ports = parsePortList(portText ?? DEFAULT_PORTS);
  if (!Array.isArray(ports)) return usage(ports.error);

  let report;
  try {
    report = await probeHost({ host, ports, concurrency, timeoutMs });
  } catch (e) {
    err.write(`carrier probe: cannot resolve ${host}: ${(e as Error).message}\n`);
    return 1;
  }
  const where = report.address === host ? host : `${host} (${report.address})`;
  out.write(`${where}: ${ports.length} port${ports.length === 1 ? '' : 's'}, ${report.open.length} open, ` +
    `${report.closed} closed, ${report.filtered} no answer (${(report.ms / 1000).toFixed(1)} s)\n`);
  if (report.open.length > 0) {
    out.write(`${'PORT'.padEnd(7)}${'SERVICE'.padEnd(9)}DETAIL\n`);
    for (const p of report.open) out.write(`${String(p.port).padEnd(7)}${p.service.padEnd(9)}${p.detail}\n`);
  }
  return 0;
}
