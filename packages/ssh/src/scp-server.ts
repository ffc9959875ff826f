// Legacy scp (the "rcp" protocol OpenSSH's `scp -O` speaks, and every scp before
// OpenSSH 9): the client execs `scp -f <paths>` to fetch or `scp -t <target>` to send, and
// the two sides trade one-line headers (`C0644 <size> <name>`, `T<mtime> 0 <atime> 0`)
// answered by a 0 byte (ok), 1 + line (error) or 2 + line (fatal). No command runs: the
// exec line is parsed here and served with the same SftpBackend as SFTP, so areas,
// permissions, the quarantine, caps and quotas are the board's, one set of rules.
// Not served: recursive copies (-r) and anything that is not `scp -f`/`scp -t`.
import { once } from 'node:events';
import { open, type FileHandle } from 'node:fs/promises';
import type { ServerChannel } from 'ssh2';
import { client, type Logger } from '@carrier/core';
import { sftpSegments, type SftpBackend, type SftpRefusal } from './sftp-server.js';

/** Longest header line (`C0644 <size> <name>`) accepted. */
const MAX_LINE = 4096;
/** Files one `scp -f` may name. */
const MAX_SOURCES = 50;
/** Silence from the client, mid-transfer, before the copy is abandoned. */
export const SCP_STALL_MS = 60_000;

export interface ScpRequest {
  mode: 'source' | 'sink';
  /** -p: send/accept modification times */
  times: boolean;
  /** -d: the target must be a folder */
  targetIsDir: boolean;
  paths: string[];
}

/**
 * The words of an exec line, as a POSIX shell would split them: single and double quotes,
 * backslash escapes. Undefined for anything a shell would do more with (variables,
 * substitutions, redirections, globs, separators): those are never run here.
 */
export function shellWords(line: string): string[] | undefined {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return undefined;
      cur += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (ch === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1]!)) j++;
        else if ('$`'.includes(line[j]!)) return undefined;
        cur += line[j];
      }
      if (j >= line.length) return undefined;
      i = j;
      inWord = true;
    } else if (ch === '\\') {
      if (i + 1 >= line.length) return undefined;
      cur += line[++i];
      inWord = true;
    } else if (ch === ' ' || ch === '\t') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else if ('$`;&|<>(){}*?[]~\n\r\0'.includes(ch)) {
      return undefined;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** `scp -t|-f [-p] [-d] [-v] [--] path...` -> what to serve; a string says why not. */
export function parseScpCommand(command: string): ScpRequest | string | undefined {
  const words = shellWords(command);
  if (!words) return /^scp\s/.test(command) ? 'wildcards, variables and other shell syntax are not served: name each file' : undefined;
  if (words[0] !== 'scp') return undefined;
  let mode: ScpRequest['mode'] | undefined;
  let times = false;
  let targetIsDir = false;
  let i = 1;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--') {
      i++;
      break;
    }
    if (!w.startsWith('-') || w === '-') break;
    for (const f of w.slice(1)) {
      if (f === 't') mode = mode === 'source' ? undefined : 'sink';
      else if (f === 'f') mode = mode === 'sink' ? undefined : 'source';
      else if (f === 'p') times = true;
      else if (f === 'd') targetIsDir = true;
      else if (f === 'v') continue;
      else if (f === 'r') return 'recursive copies (-r) are not served: copy files one by one, or use sftp';
      else return `scp option -${f} is not served`;
    }
  }
  const paths = words.slice(i);
  if (!mode) return 'scp needs exactly one of -t or -f';
  if (paths.length === 0) return 'scp needs a path';
  if (mode === 'sink' && paths.length !== 1) return 'scp -t takes one target';
  if (paths.length > MAX_SOURCES) return `at most ${MAX_SOURCES} files in one scp`;
  return { mode, times, targetIsDir, paths };
}

function isRefusal(v: unknown): v is SftpRefusal {
  return typeof v === 'object' && v !== null && 'error' in v;
}

class ScpError extends Error {
  constructor(
    message: string,
    readonly fatal: boolean,
  ) {
    super(message);
  }
}

/** Reads lines, single bytes and runs of bytes from the channel, with a stall deadline. */
class ChannelReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly channel: ServerChannel,
    private readonly stallMs: number,
  ) {
    channel.on('data', (b: Buffer) => {
      this.chunks.push(b);
      this.buffered += b.length;
      // Hold the peer back while a file write catches up.
      if (this.buffered > 1024 * 1024) channel.pause();
      this.poke();
    });
    channel.on('end', () => {
      this.ended = true;
      this.poke();
    });
    channel.on('close', () => {
      this.ended = true;
      this.poke();
    });
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private async more(): Promise<boolean> {
    if (this.buffered > 0) return true;
    if (this.ended) return false;
    this.channel.resume();
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      timer = setTimeout(resolve, this.stallMs);
    });
    clearTimeout(timer);
    if (this.buffered === 0 && !this.ended) throw new ScpError('the copy stalled', true);
    return this.buffered > 0;
  }

  /** Up to `max` bytes at hand (waiting for some); empty at the end of the stream. */
  async take(max: number): Promise<Buffer> {
    if (!(await this.more())) return Buffer.alloc(0);
    const first = this.chunks[0]!;
    const out = first.length <= max ? first : first.subarray(0, max);
    if (out === first) this.chunks.shift();
    else this.chunks[0] = first.subarray(max);
    this.buffered -= out.length;
    if (this.buffered <= 1024 * 1024) this.channel.resume();
    return out;
  }

  /** One byte, or undefined at the end of the stream. */
  async byte(): Promise<number | undefined> {
    const b = await this.take(1);
    return b.length ? b[0] : undefined;
  }

  /** A line without its newline; undefined at the end of the stream. */
  async line(): Promise<string | undefined> {
    const parts: Buffer[] = [];
    let n = 0;
    for (;;) {
      const b = await this.take(1);
      if (b.length === 0) return n === 0 ? undefined : Buffer.concat(parts).toString('utf8');
      if (b[0] === 0x0a) return Buffer.concat(parts).toString('utf8');
      parts.push(b);
      if (++n > MAX_LINE) throw new ScpError('header line too long', true);
    }
  }
}

export interface ScpOutcome {
  files: number;
  bytes: number;
  /** problems reported to the client (each also logged) */
  errors: string[];
}

/**
 * Serve one `scp -f`/`scp -t` exec on `channel` with the board's rules, then send the exit
 * status (0, or 1 when any file was refused) and close the channel.
 */
export async function serveScp(channel: ServerChannel, req: ScpRequest, backend: SftpBackend, log: Logger, stallMs = SCP_STALL_MS): Promise<ScpOutcome> {
  channel.on('error', () => undefined);
  const reader = new ChannelReader(channel, stallMs);
  const outcome: ScpOutcome = { files: 0, bytes: 0, errors: [] };
  const write = async (b: Buffer | string): Promise<void> => {
    if (!channel.write(b)) await Promise.race([once(channel, 'drain'), once(channel, 'close')]);
  };
  /** A per-file error (1) the client reports and goes on from, or a fatal one (2). */
  const report = async (message: string, fatal: boolean): Promise<void> => {
    outcome.errors.push(message);
    log.info('scp.refused', { mode: req.mode, problem: client(message), fatal });
    await write(Buffer.concat([Buffer.from([fatal ? 2 : 1]), Buffer.from(`scp: ${message.replace(/[\r\n]/g, ' ')}\n`)]));
  };
  /** The client's answer to something we sent: 0, or its error line. */
  const answer = async (): Promise<void> => {
    const b = await reader.byte();
    if (b === 0) return;
    if (b === undefined) throw new ScpError('the client went away', true);
    const msg = (await reader.line()) ?? '';
    throw new ScpError(`the client said: ${msg}`, b !== 1);
  };
  try {
    if (req.mode === 'source') await source(req, backend, write, report, answer, outcome);
    else await sink(req, backend, reader, write, report, outcome);
  } catch (err) {
    if (err instanceof ScpError) {
      if (!outcome.errors.includes(err.message)) {
        outcome.errors.push(err.message);
        log.info('scp.failed', { mode: req.mode, problem: client(err.message) });
      }
      if (err.fatal && !err.message.startsWith('the client')) await write(Buffer.from(`\x02scp: ${err.message}\n`)).catch(() => undefined);
    } else {
      outcome.errors.push('failure');
      log.warn('scp.failed', { mode: req.mode, err });
    }
  }
  log.info('scp.done', { mode: req.mode, files: outcome.files, bytes: outcome.bytes, errors: outcome.errors.length });
  if (!channel.destroyed) {
    channel.exit(outcome.errors.length ? 1 : 0);
    channel.end();
  }
  return outcome;
}

type Write = (b: Buffer | string) => Promise<void>;
type Report = (message: string, fatal: boolean) => Promise<void>;

/** `scp -f`: we send each named file. */
async function source(req: ScpRequest, backend: SftpBackend, write: Write, report: Report, answer: () => Promise<void>, outcome: ScpOutcome): Promise<void> {
  // The receiving client starts with a 0.
  await answer();
  for (const raw of req.paths) {
    const segs = sftpSegments(raw);
    const st = segs ? await backend.stat(segs) : undefined;
    if (!segs || !st || isRefusal(st)) {
      await report(`${raw}: ${st && isRefusal(st) ? st.message : 'no such file'}`, false);
      continue;
    }
    if (st.directory) {
      await report(`${raw}: is a folder (recursive copies are not served)`, false);
      continue;
    }
    const r = await backend.openRead(segs);
    if (isRefusal(r)) {
      await report(`${raw}: ${r.message}`, false);
      continue;
    }
    let fh: FileHandle | undefined;
    let sent = 0;
    let complete = false;
    try {
      fh = await open(r.path, 'r');
      const size = r.size;
      if (req.times) {
        const t = Math.floor(st.mtimeMs / 1000);
        await write(`T${t} 0 ${t} 0\n`);
        await answer();
      }
      await write(`C0644 ${size} ${st.name.replace(/[\r\n]/g, '_')}\n`);
      await answer();
      const buf = Buffer.allocUnsafe(256 * 1024);
      while (sent < size) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - sent), sent);
        if (bytesRead === 0) break;
        await write(Buffer.from(buf.subarray(0, bytesRead)));
        sent += bytesRead;
      }
      if (sent < size) {
        // The file shrank under us: pad as the protocol needs, and say so.
        await write(Buffer.alloc(size - sent));
        await report(`${raw}: the file changed while it was read`, false);
      } else {
        await write(Buffer.from([0]));
      }
      await answer();
      // The client took the whole file (its 0 after our 0): one download, for the board to count.
      complete = sent === size;
      outcome.files++;
      outcome.bytes += sent;
    } finally {
      r.done({ complete, bytes: sent, via: 'scp' });
      await fh?.close();
    }
  }
}

/** `scp -t`: the client sends files into the target (the uploads folder, or a name in it). */
async function sink(req: ScpRequest, backend: SftpBackend, reader: ChannelReader, write: Write, report: Report, outcome: ScpOutcome): Promise<void> {
  const target = sftpSegments(req.paths[0]!);
  if (!target) throw new ScpError(`${req.paths[0]}: no such folder`, true);
  const st = target.length > 0 ? await backend.stat(target) : undefined;
  const intoFolder = target.length === 0 || (st !== undefined && !isRefusal(st) && st.directory);
  if (req.targetIsDir && !intoFolder) throw new ScpError(`${req.paths[0]}: not a folder`, true);
  await write(Buffer.from([0]));
  for (;;) {
    const line = await reader.line();
    if (line === undefined) return;
    const kind = line[0];
    if (kind === '\x01' || kind === '\x02') {
      outcome.errors.push(`the client said: ${line.slice(1)}`);
      if (kind === '\x02') return;
      continue;
    }
    if (kind === 'T') {
      if (!/^T\d+ \d+ \d+ \d+$/.test(line)) throw new ScpError('bad time header', true);
      await write(Buffer.from([0]));
      continue;
    }
    if (kind === 'D' || kind === 'E') throw new ScpError('folders are not accepted (recursive copies are not served)', true);
    const m = /^C[0-7]{4} (\d{1,15}) (.+)$/.exec(line);
    if (kind !== 'C' || !m) throw new ScpError('bad file header', true);
    const size = Number(m[1]);
    const name = m[2]!;
    const path = intoFolder ? [...target, name] : target;
    const w = name.includes('/') || name === '.' || name === '..' ? ({ error: 'denied', message: 'a bad file name' } as const) : await backend.openWrite(path);
    if (isRefusal(w)) {
      await report(`${name}: ${w.message}`, false);
      continue;
    }
    if (size > w.maxBytes) {
      await w.finish(false);
      await report(`${name}: the file is larger than its limit (${w.maxBytes} bytes: the size cap or your daily quota)`, false);
      continue;
    }
    let fh: FileHandle | undefined;
    let ok = false;
    try {
      fh = await open(w.path, 'wx');
      await write(Buffer.from([0]));
      let got = 0;
      while (got < size) {
        const chunk = await reader.take(size - got);
        if (chunk.length === 0) throw new ScpError('the client went away mid-file', true);
        await fh.write(chunk);
        got += chunk.length;
      }
      await fh.close();
      fh = undefined;
      // The sender's own status for the data it just sent.
      const status = await reader.byte();
      if (status !== 0) {
        const msg = status === undefined ? 'the client went away' : ((await reader.line()) ?? '');
        throw new ScpError(`the client said: ${msg}`, status !== 1);
      }
      ok = true;
      outcome.bytes += size;
    } finally {
      await fh?.close().catch(() => undefined);
      const problem = await w.finish(ok);
      if (ok && problem) await report(`${name}: ${problem}`, false);
      else if (ok) {
        outcome.files++;
        await write(Buffer.from([0]));
      }
    }
  }
}
