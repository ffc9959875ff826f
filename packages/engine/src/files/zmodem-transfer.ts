// Drives the pure ZMODEM sender and receiver over a TransferWire: file I/O (one 8 KiB
// read or write at a time, so memory stays flat whatever the size), backpressure, the
// stall clock, and cleaning up a partial file. Policy (which names, which quotas, where
// a file lands) comes from the caller.
import { open, rm, type FileHandle } from 'node:fs/promises';
import { createWriteStream, type WriteStream } from 'node:fs';
import {
  ZmodemReceiver,
  ZmodemSender,
  SUBPACKET_SIZE,
  type FailureCode,
  type FileInfo,
  type ReceiverEvent,
  type SenderEvent,
  type Step,
  type TransferLimits,
} from '@carrier/zmodem';
import type { TransferWire } from './wire.js';

export interface TransferOptions {
  /** No answer for this long: prompt again (lrzsz waits 10 s); maxRetries prompts, then give up. */
  stallMs?: number;
  limits?: Partial<TransferLimits>;
}

export interface TransferFailure {
  code: FailureCode | 'HANGUP' | 'IO';
  message: string;
}

export interface OutgoingFile {
  path: string;
  name: string;
  size: number;
  /** seconds since the epoch */
  mtime?: number;
}

export interface SendReport {
  /** per file: bytes sent (from the offset the receiver asked for), and how it ended */
  files: Array<{ name: string; status: 'sent' | 'skipped' | 'incomplete'; offset: number; bytes: number }>;
  failure?: TransferFailure;
  cancelled: boolean;
}

export const DEFAULT_STALL_MS = 10_000;
/** Bytes queued for the disk before an upload is given up as too fast for it. */
const MAX_DISK_BACKLOG = 16 * 1024 * 1024;

/** One timer that wakes the driver: input came, or the stall clock ran out. */
class Waker {
  private resolve: (() => void) | undefined;
  wake(): void {
    const r = this.resolve;
    this.resolve = undefined;
    r?.();
  }
  wait(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.resolve = undefined;
        resolve(false);
      }, ms);
      this.resolve = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }
}

/** A HANGUP's message: why the call ended (a hang-up, a kick, a time limit), as the connection said. */
function callEnded(reason: string | undefined): string {
  return reason ? `the call ended: ${reason}` : 'the call ended';
}

function writeAll(wire: TransferWire, chunks: readonly Buffer[]): boolean {
  let ok = true;
  for (const c of chunks) if (c.length > 0) ok = wire.write(c) && ok;
  return ok;
}

/** Send `files` to the receiver on `wire` (a caller's `rz`, SyncTERM's auto-download). */
export async function sendFiles(wire: TransferWire, files: readonly OutgoingFile[], opts: TransferOptions = {}): Promise<SendReport> {
  const stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
  const sender = new ZmodemSender({
    files: files.map((f) => ({ name: f.name, size: f.size, ...(f.mtime !== undefined ? { mtime: f.mtime } : {}) })),
    ...(opts.limits ? { limits: opts.limits } : {}),
  });
  const report: SendReport = { files: files.map((f) => ({ name: f.name, status: 'incomplete', offset: 0, bytes: 0 })), cancelled: false };
  const waker = new Waker();
  let over = false;
  const onEvents = (step: Step<SenderEvent>): void => {
    writeAll(wire, step.send);
    for (const ev of step.events) {
      switch (ev.type) {
        case 'file-start':
          report.files[ev.index]!.offset = ev.offset;
          break;
        case 'file-skipped':
          report.files[ev.index]!.status = 'skipped';
          break;
        case 'file-done': {
          const f = report.files[ev.index]!;
          f.status = 'sent';
          f.bytes = ev.bytes - f.offset;
          break;
        }
        case 'done':
          over = true;
          break;
        case 'cancelled':
          over = true;
          report.cancelled = true;
          break;
        case 'failed':
          over = true;
          report.failure = { code: ev.code, message: ev.message };
          break;
        case 'seek':
          break;
      }
    }
    waker.wake();
  };
  const offData = wire.onData((bytes) => onEvents(sender.receive(bytes)));
  const offClose = wire.onClose((reason) => {
    over = true;
    report.failure ??= { code: 'HANGUP', message: callEnded(reason) };
    waker.wake();
  });
  let handle: FileHandle | undefined;
  let handleIndex = -1;
  const buf = Buffer.allocUnsafe(SUBPACKET_SIZE);
  try {
    writeAll(wire, [sender.start()]);
    while (!over && !wire.closed) {
      const want = sender.wants;
      if (!want) {
        if (!(await waker.wait(stallMs)) && !over) onEvents(sender.timeout());
        continue;
      }
      const file = files[want.index]!;
      if (handleIndex !== want.index) {
        await handle?.close();
        handle = undefined;
        handle = await open(file.path, 'r');
        handleIndex = want.index;
      }
      const length = Math.max(0, Math.min(want.max, file.size - want.offset));
      const { bytesRead } = length > 0 && handle ? await handle.read(buf, 0, length, want.offset) : { bytesRead: 0 };
      const now = sender.wants;
      if (over || !now || now.index !== want.index || now.offset !== want.offset) continue; // the receiver asked for another place meanwhile
      const eof = bytesRead < want.max || want.offset + bytesRead >= file.size;
      const frame = sender.data(buf.subarray(0, bytesRead), eof);
      if (!wire.write(frame)) {
        const drained = await Promise.race([wire.drained().then(() => true), delay(stallMs * 3).then(() => false)]);
        if (!drained && !over) {
          writeAll(wire, [sender.cancel()]);
          report.failure = { code: 'STALLED', message: 'the receiver stopped reading' };
          over = true;
        }
      }
    }
  } catch (err) {
    if (!wire.closed) writeAll(wire, [sender.cancel()]);
    report.failure = { code: 'IO', message: (err as Error).message };
  } finally {
    offData();
    offClose();
    await handle?.close().catch(() => undefined);
  }
  return report;
}

export interface IncomingAccept {
  accept: true;
  /** where the bytes go (a new file the driver creates, and removes if the transfer fails) */
  path: string;
  /** at most this many bytes for this file */
  maxBytes: number;
}
export interface IncomingRefuse {
  accept: false;
  reason: string;
}

export interface ReceiveOptions extends TransferOptions {
  /** Decide on an offered file: where it goes and its cap, or why not. */
  decide(file: FileInfo): Promise<IncomingAccept | IncomingRefuse>;
}

export interface ReceivedFile {
  name: string;
  status: 'received' | 'refused' | 'failed';
  path?: string;
  bytes: number;
  reason?: string;
}

export interface ReceiveReport {
  files: ReceivedFile[];
  failure?: TransferFailure;
  cancelled: boolean;
}

/** Receive files from the sender on `wire` (a caller's `sz`). */
export async function receiveFiles(wire: TransferWire, opts: ReceiveOptions): Promise<ReceiveReport> {
  const stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
  const receiver = new ZmodemReceiver(opts.limits ? { limits: opts.limits } : {});
  const report: ReceiveReport = { files: [], cancelled: false };
  const waker = new Waker();
  let over = false;
  let current: { file: ReceivedFile; out: WriteStream; error?: Error } | undefined;
  const closing: Promise<void>[] = [];
  let deciding = false;

  const finishCurrent = (ok: boolean, reason?: string): void => {
    const c = current;
    if (!c) return;
    current = undefined;
    c.file.status = ok && !c.error ? 'received' : 'failed';
    if (!ok && reason) c.file.reason = reason;
    if (c.error) c.file.reason = c.error.message;
    closing.push(
      new Promise<void>((resolve) => c.out.end(() => resolve())).then(async () => {
        if (c.file.status !== 'received' && c.file.path) await rm(c.file.path, { force: true });
      }),
    );
  };

  const onEvents = (step: Step<ReceiverEvent>): void => {
    writeAll(wire, step.send);
    for (const ev of step.events) {
      switch (ev.type) {
        case 'offer':
          deciding = true;
          void decide(ev.file);
          break;
        case 'data':
          if (current) {
            current.out.write(ev.data);
            current.file.bytes += ev.data.length;
            if (current.out.writableLength > MAX_DISK_BACKLOG) {
              onEvents(receiver.abort('PROTOCOL', 'the disk cannot keep up'));
              return;
            }
          }
          break;
        case 'file-end':
          finishCurrent(true);
          break;
        case 'done':
          over = true;
          break;
        case 'cancelled':
          report.cancelled = true;
          over = true;
          finishCurrent(false, 'cancelled');
          break;
        case 'failed':
          report.failure = { code: ev.code, message: ev.message };
          over = true;
          finishCurrent(false, ev.message);
          break;
      }
    }
    waker.wake();
  };

  const decide = async (info: FileInfo): Promise<void> => {
    let verdict: IncomingAccept | IncomingRefuse;
    try {
      verdict = await opts.decide(info);
    } catch (err) {
      verdict = { accept: false, reason: (err as Error).message };
    }
    deciding = false;
    if (over) return;
    if (!verdict.accept) {
      report.files.push({ name: info.name, status: 'refused', bytes: 0, reason: verdict.reason });
      onEvents(receiver.skip());
      return;
    }
    const file: ReceivedFile = { name: info.name, status: 'failed', path: verdict.path, bytes: 0 };
    report.files.push(file);
    // 'wx': never write over a file that is already there (two callers, one name).
    const out = createWriteStream(verdict.path, { flags: 'wx' });
    const entry: { file: ReceivedFile; out: WriteStream; error?: Error } = { file, out };
    out.on('error', (err) => {
      entry.error = err;
      if (current === entry) onEvents(receiver.abort('PROTOCOL', `cannot write the file: ${err.message}`));
    });
    current = entry;
    onEvents(receiver.accept(0, verdict.maxBytes));
  };

  const offData = wire.onData((bytes) => onEvents(receiver.receive(bytes)));
  const offClose = wire.onClose((reason) => {
    over = true;
    report.failure ??= { code: 'HANGUP', message: callEnded(reason) };
    finishCurrent(false, 'hung up');
    waker.wake();
  });
  try {
    writeAll(wire, [receiver.start()]);
    while (!over && !wire.closed) {
      if (await waker.wait(stallMs)) continue;
      if (!over && !deciding) onEvents(receiver.timeout());
    }
  } finally {
    offData();
    offClose();
    if (current) finishCurrent(false, report.failure?.message ?? 'incomplete');
    await Promise.all(closing);
  }
  return report;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
