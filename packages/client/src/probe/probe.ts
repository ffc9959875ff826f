import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { classifyBanner, classifyHttpReply, classifyRloginReply, type ServiceGuess } from './classify.js';

export interface ProbeOptions {
  host: string;
  ports: readonly number[];
  /** connections open at once (default 64) */
  concurrency?: number;
  /** ms for each connect and each wait for an answer (default 2000) */
  timeoutMs?: number;
  /** ms a service has to speak first before it is called silent (default 1000) */
  bannerWaitMs?: number;
  /** called once per finished port, in finishing order */
  onPort?: (result: PortResult) => void;
}

export type PortResult =
  | ({ port: number; state: 'open' } & ServiceGuess)
  | { port: number; state: 'closed' | 'filtered' };

export interface ProbeReport {
  host: string;
  /** the one address every connection went to */
  address: string;
  /** open ports, by port number */
  open: Array<{ port: number } & ServiceGuess>;
  closed: number;
  /** no answer at all within the timeout (a firewall dropping packets) */
  filtered: number;
  ms: number;
}

export const PROBE_DEFAULTS = {
  /** enough to cover 1-1024 on a LAN in a few seconds, far below any fd limit */
  concurrency: 64,
  timeoutMs: 2000,
  /** telnet and SSH servers speak within a round trip; a second is generous */
  bannerWaitMs: 1000,
} as const;

/** Once a service starts talking, this much silence ends its banner (a telnet burst comes in one or two segments). */
const QUIET_MS = 150;
/** Bytes kept from any one answer: enough for every option a telnet server asks and a status line. */
const MAX_ANSWER = 4096;
/** RFC 1282: client user, server user, terminal/speed, each NUL-terminated, after a NUL. */
const RLOGIN_HANDSHAKE = Buffer.from('\0probe\0probe\0dumb/9600\0', 'latin1');
const HTTP_REQUEST = Buffer.from('HEAD / HTTP/1.0\r\nUser-Agent: carrier-probe\r\n\r\n', 'latin1');

/**
 * What answers on each port of one host. The host is resolved once and every connection
 * goes to that one address, so a probe never wanders to another machine (a DNS answer
 * that changes midway cannot redirect it). For each open port: the service's first
 * words decide telnet or SSH; a silent one is asked an HTTP request, then (on a new
 * connection) an rlogin handshake, and named by what it answers.
 */
export async function probeHost(opts: ProbeOptions): Promise<ProbeReport> {
  const t0 = performance.now();
  const { address } = await lookup(opts.host);
  const timeoutMs = opts.timeoutMs ?? PROBE_DEFAULTS.timeoutMs;
  const bannerWaitMs = Math.min(opts.bannerWaitMs ?? PROBE_DEFAULTS.bannerWaitMs, timeoutMs);
  const concurrency = Math.max(1, Math.min(opts.concurrency ?? PROBE_DEFAULTS.concurrency, 1024));
  const queue = [...opts.ports];
  const results: PortResult[] = [];
  const worker = async () => {
    for (let port = queue.shift(); port !== undefined; port = queue.shift()) {
      const r = await probePort(address, port, timeoutMs, bannerWaitMs);
      results.push(r);
      opts.onPort?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  const open = results
    .filter((r): r is Extract<PortResult, { state: 'open' }> => r.state === 'open')
    .map(({ port, service, detail }) => ({ port, service, detail }))
    .sort((a, b) => a.port - b.port);
  return {
    host: opts.host,
    address,
    open,
    closed: results.filter((r) => r.state === 'closed').length,
    filtered: results.filter((r) => r.state === 'filtered').length,
    ms: performance.now() - t0,
  };
}

async function probePort(address: string, port: number, timeoutMs: number, bannerWaitMs: number): Promise<PortResult> {
  const first = await converse(address, port, undefined, timeoutMs, bannerWaitMs);
  if (first.state !== 'open') return { port, state: first.state };
  if (first.answer.length > 0) return { port, state: 'open', ...classifyBanner(first.answer) };
  const http = await converse(address, port, HTTP_REQUEST, timeoutMs, timeoutMs);
  const asHttp = http.state === 'open' ? classifyHttpReply(http.answer) : undefined;
  if (asHttp) return { port, state: 'open', ...asHttp };
  const rlogin = await converse(address, port, RLOGIN_HANDSHAKE, timeoutMs, timeoutMs);
  const asRlogin = rlogin.state === 'open' ? classifyRloginReply(rlogin.answer) : undefined;
  if (asRlogin) return { port, state: 'open', ...asRlogin };
  return { port, state: 'open', service: 'unknown', detail: 'silent' };
}

type Conversation = { state: 'open'; answer: Buffer } | { state: 'closed' | 'filtered' };

/** Connect, optionally say `request`, and collect what comes back until it goes quiet, closes, or `waitMs` passes. */
function converse(address: string, port: number, request: Buffer | undefined, timeoutMs: number, waitMs: number): Promise<Conversation> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    const chunks: Buffer[] = [];
    let size = 0;
    let connected = false;
    let settled = false;
    let quiet: NodeJS.Timeout | undefined;
    const done = (result: Conversation) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(quiet);
      socket.destroy();
      resolve(result);
    };
    const answered = () => done({ state: 'open', answer: Buffer.concat(chunks) });
    let timer = setTimeout(() => done({ state: 'filtered' }), timeoutMs);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (connected) answered();
      else done({ state: err.code === 'ECONNREFUSED' ? 'closed' : 'filtered' });
    });
    socket.on('connect', () => {
      connected = true;
      clearTimeout(timer);
      timer = setTimeout(answered, waitMs);
      if (request) socket.write(request);
    });
    socket.on('data', (d: Buffer) => {
      if (size < MAX_ANSWER) {
        chunks.push(d.subarray(0, MAX_ANSWER - size));
        size += Math.min(d.length, MAX_ANSWER - size);
      }
      clearTimeout(quiet);
      quiet = setTimeout(answered, QUIET_MS);
    });
    socket.on('close', () => {
      if (connected) answered();
    });
  });
}
