// ZMODEM over rlogin: the caller's terminal is a raw rlogin connection (RFC 1282 handshake,
// then 8-bit bytes both ways); Debian's rz receives a download and sz sends an upload
// through it, byte for byte. The upload carries `FF FF s s` runs, rlogin's in-band
// window-size marker, which must reach the board as data during a transfer.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import { startCarrier, type Carrier } from '../harness.js';
import { sha256 } from './files-support.js';

let tools = true;
try {
  execFileSync('sh', ['-c', 'command -v rz && command -v sz'], { stdio: 'ignore' });
} catch {
  tools = false;
}

class RloginTerminal {
  text = '';
  private constructor(readonly socket: net.Socket) {
    socket.on('data', (b: Buffer) => (this.text = (this.text + b.toString('latin1')).slice(-64 * 1024)));
  }
  /** Connect from 127.0.0.2, send the handshake, and wait for the server's 0 byte. */
  static open(port: number, handle: string): Promise<RloginTerminal> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
      socket.setNoDelay(true);
      socket.once('error', reject);
      socket.once('connect', () => socket.write(Buffer.from(`\0${handle}\0${handle}\0ansi/38400\0`, 'latin1')));
      socket.once('data', (b: Buffer) => {
        if (b[0] !== 0) return reject(new Error(`no rlogin acknowledgement: ${JSON.stringify(b.toString('latin1'))}`));
        const t = new RloginTerminal(socket);
        if (b.length > 1) t.text = b.subarray(1).toString('latin1');
        resolve(t);
      });
    });
  }
  /** Wait for `pattern` in what arrived since the last call, then forget it. */
  async until(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    await eventually(() => pattern.test(this.text), () => `${pattern}; got ${JSON.stringify(this.text.slice(-500))}`, { timeoutMs, intervalMs: 25 });
    const got = this.text;
    this.text = '';
    return got;
  }
  bridge(cmd: 'rz' | 'sz', args: string[], cwd: string): { exit: Promise<number | null>; stderr(): string } {
    const child = spawn(cmd, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err = (err + b.toString('latin1')).slice(-4000)));
    child.stdin.on('error', () => undefined);
    const toChild = (b: Buffer): void => void (!child.stdin.destroyed && child.stdin.write(b));
    this.socket.on('data', toChild);
    child.stdout.on('data', (b: Buffer) => this.socket.write(b));
    const exit = new Promise<number | null>((resolve) =>
      child.on('close', (code) => {
        this.socket.off('data', toChild);
        resolve(code);
      }),
    );
    return { exit, stderr: () => err };
  }
}

describe('ZMODEM over rlogin with lrzsz', { skip: tools ? false : 'needs lrzsz' }, () => {
  let board: Carrier;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carrier-zrlogin-'));
    await mkdir(join(dir, 'general'));
    await writeFile(join(dir, 'general', 'blob.bin'), randomBytes(2 * 1024 * 1024 + 313));
    await writeFile(
      join(dir, 'files.yaml'),
      [`quarantine: ${JSON.stringify(join(dir, 'q'))}`, 'areas:', `  - { tag: general, name: General, folder: ${JSON.stringify(join(dir, 'general'))}, list: 10 }`].join('\n'),
    );
    board = await startCarrier({ rlogin: true, yaml: `files: { file: ${JSON.stringify(join(dir, 'files.yaml'))} }`, logLevel: 'info' });
    await board.waitForLog((l) => l.event === 'files.scanned' && l.area === 'general', 30_000);
    await board.addUser('dave', 'correct horse battery');
  });
  after(async () => {
    await board?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('rz receives a download and sz sends an upload, SHA-256 intact', async () => {
    const t = await RloginTerminal.open(board.ports.rlogin!, 'dave');
    await t.until(/password:/);
    t.socket.write('correct horse battery\r');
    await t.until(/Command:/);
    t.socket.write('f');
    await t.until(/uit: /);
    t.socket.write('d');
    await t.until(/download from this area:/);
    const out = await mkdtemp(join(dir, 'rz-'));
    const rz = t.bridge('rz', ['-b', '-y'], out);
    t.socket.write('blob.bin\r');
    assert.equal(await rz.exit, 0, rz.stderr());
    await t.until(/1 of 1 file\(s\) sent[\s\S]*uit: /);
    assert.equal(await sha256(join(out, 'blob.bin')), await sha256(join(dir, 'general', 'blob.bin')));

    // Noise with rlogin's window-size marker (FF FF 's' 's' + 8 bytes) sprinkled through it.
    const src = await mkdtemp(join(dir, 'sz-'));
    const up = randomBytes(900_000);
    for (let at = 1000; at < up.length - 20; at += 37_001) Buffer.from([0xff, 0xff, 0x73, 0x73, 0, 24, 0, 80, 0, 0, 0, 0]).copy(up, at);
    await writeFile(join(src, 'up.bin'), up);
    t.socket.write('u');
    await t.until(/Start your ZMODEM upload/);
    const sz = t.bridge('sz', ['-b', 'up.bin'], src);
    assert.equal(await sz.exit, 0, sz.stderr());
    await t.until(/Describe up\.bin/);
    t.socket.write('over rlogin\r');
    await t.until(/1 file\(s\) received/);
    const pending = await board.cli(['files', 'pending']);
    assert.match(pending.stdout, /up\.bin/);
    const stored = (await readdir(join(dir, 'q'))).find((f) => f.endsWith('-up.bin'));
    assert.ok(stored);
    assert.equal(await sha256(join(dir, 'q', stored)), await sha256(join(src, 'up.bin')));
    t.socket.destroy();
  });
});
