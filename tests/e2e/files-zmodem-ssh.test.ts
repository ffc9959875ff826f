// ZMODEM over SSH: the caller's terminal is an ssh2 client with a pty; Debian's rz
// receives a download and sz sends an upload through it, byte for byte.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@carrier/core/testing';
import ssh2, { type ClientChannel } from 'ssh2';
import { startCarrier, type Carrier } from '../harness.js';
import { sha256 } from './files-support.js';

let tools = true;
try {
  execFileSync('sh', ['-c', 'command -v rz && command -v sz'], { stdio: 'ignore' });
} catch {
  tools = false;
}

class SshTerminal {
  text = '';
  private constructor(readonly conn: ssh2.Client, readonly stream: ClientChannel) {
    stream.on('data', (b: Buffer) => (this.text = (this.text + b.toString('latin1')).slice(-64 * 1024)));
  }
  static open(port: number, username: string, password: string): Promise<SshTerminal> {
    return new Promise((resolve, reject) => {
      const conn = new ssh2.Client();
      conn.on('error', reject);
      conn.on('ready', () =>
        conn.shell({ term: 'xterm', cols: 80, rows: 25 }, (err, stream) => (err ? reject(err) : resolve(new SshTerminal(conn, stream)))),
      );
      conn.connect({ host: '127.0.0.1', port, username, password, readyTimeout: 30_000 });
    });
  }
  /** Wait for `pattern` in what arrived since the last call, then forget it. */
  async until(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    await eventually(() => pattern.test(this.text), () => `${pattern}; got ${JSON.stringify(this.text.slice(-500))}`, { timeoutMs, intervalMs: 25 });
    const got = this.text;
    this.text = '';
    return got;
  }
  bridge(cmd: 'rz' | 'sz', args: string[], cwd: string): Promise<number | null> {
    const child = spawn(cmd, args, { cwd, stdio: ['pipe', 'pipe', 'ignore'] });
    child.stdin.on('error', () => undefined);
    const toChild = (b: Buffer): void => void (!child.stdin.destroyed && child.stdin.write(b));
    this.stream.on('data', toChild);
    child.stdout.on('data', (b: Buffer) => this.stream.write(b));
    return new Promise((resolve) =>
      child.on('close', (code) => {
        this.stream.off('data', toChild);
        resolve(code);
      }),
    );
  }
}

describe('ZMODEM over ssh with lrzsz', { skip: tools ? false : 'needs lrzsz' }, () => {
  let board: Carrier;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carrier-zssh-'));
    await mkdir(join(dir, 'general'));
    await writeFile(join(dir, 'general', 'blob.bin'), randomBytes(2 * 1024 * 1024));
    await writeFile(
      join(dir, 'files.yaml'),
      [`quarantine: ${JSON.stringify(join(dir, 'q'))}`, 'areas:', `  - { tag: general, name: General, folder: ${JSON.stringify(join(dir, 'general'))}, list: 10 }`].join('\n'),
    );
    board = await startCarrier({ ssh: true, yaml: `files: { file: ${JSON.stringify(join(dir, 'files.yaml'))} }`, logLevel: 'info' });
    await board.waitForLog((l) => l.event === 'files.scanned' && l.area === 'general', 30_000);
    await board.addUser('carol', 'correct horse battery');
  });
  after(async () => {
    await board?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('rz receives a download and sz sends an upload, SHA-256 intact', async () => {
    const t = await SshTerminal.open(board.ports.ssh!, 'carol', 'correct horse battery');
    await t.until(/Command:/);
    t.stream.write('f');
    await t.until(/uit: /);
    t.stream.write('d');
    await t.until(/download from this area:/);
    const out = await mkdtemp(join(dir, 'rz-'));
    const rz = t.bridge('rz', ['-b', '-y'], out);
    t.stream.write('blob.bin\r');
    assert.equal(await rz, 0);
    await t.until(/1 of 1 file\(s\) sent[\s\S]*uit: /);
    assert.equal(await sha256(join(out, 'blob.bin')), await sha256(join(dir, 'general', 'blob.bin')));

    const src = await mkdtemp(join(dir, 'sz-'));
    await writeFile(join(src, 'up.bin'), randomBytes(900_000));
    t.stream.write('u');
    await t.until(/Start your ZMODEM upload/);
    const sz = t.bridge('sz', ['-b', 'up.bin'], src);
    assert.equal(await sz, 0);
    await t.until(/Describe up\.bin/);
    t.stream.write('over ssh\r');
    await t.until(/1 file\(s\) received/);
    const pending = await board.cli(['files', 'pending']);
    assert.match(pending.stdout, /up\.bin/);
    t.conn.end();
  });
});
