import { spawn, type ChildProcess } from 'node:child_process';
import type { TransferWire } from './wire.js';

/** A TransferWire over a child's stdio (lrzsz in a test): its stdout in, its stdin out. */
export function childWire(child: ChildProcess): TransferWire {
  let closed = false;
  child.on('close', () => (closed = true));
  return {
    write: (bytes) => (closed ? false : child.stdin!.write(bytes)),
    drained: () => new Promise((resolve) => (closed ? resolve() : child.stdin!.once('drain', () => resolve()))),
    onData: (fn) => {
      child.stdout!.on('data', fn);
      return () => child.stdout!.off('data', fn);
    },
    onClose: (fn) => {
      child.on('close', fn);
      return () => child.off('close', fn);
    },
    get closed() {
      return closed;
    },
  };
}

export function lrzsz(cmd: 'rz' | 'sz', args: string[], cwd: string): { child: ChildProcess; exit: Promise<number | null>; stderr: () => string } {
  const child = spawn(cmd, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString('latin1')).slice(-4000)));
  child.stdin!.on('error', () => undefined);
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exit, stderr: () => err };
}
