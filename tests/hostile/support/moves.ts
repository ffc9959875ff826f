// Moves a hostile caller makes on more than one front end: an rlogin handshake, logging
// in over a raw socket with a chosen line ending, answering cursor-position probes with
// lies, and a real TLS ClientHello to throw at ports that do not speak TLS.
import net from 'node:net';
import tls from 'node:tls';
import { Attacker } from './attacker.js';
import type { Account } from './callers.js';

/** RFC 1282: NUL client-user NUL server-user NUL term/speed NUL. */
export function rloginHandshake(clientUser: string, serverUser: string, terminal: string): Buffer {
  return Buffer.from(`\0${clientUser}\0${serverUser}\0${terminal}\0`, 'latin1');
}

/** Type a handle and password at `login:`, each line ended with `enter`; wait for the menu. */
export async function loginWith(a: Attacker, account: Account, enter: string | Buffer, timeoutMs = 10_000): Promise<void> {
  const end = typeof enter === 'string' ? Buffer.from(enter, 'latin1') : enter;
  await a.waitFor('login:', timeoutMs);
  let from = a.received.length;
  a.write(Buffer.concat([Buffer.from(account.handle, 'latin1'), end]));
  await a.waitFor('password:', timeoutMs, from);
  from = a.received.length;
  a.write(Buffer.concat([Buffer.from(account.password, 'latin1'), end]));
  await a.waitFor('Command:', timeoutMs, from);
}

const ASK_POSITION = Buffer.from('\x1b[6n', 'latin1');

/** Answer every cursor-position question (`ESC[6n`) with `reply`; returns how many were asked. */
export function answerProbes(a: Attacker, reply: Buffer | string): () => number {
  const answer = typeof reply === 'string' ? Buffer.from(reply, 'latin1') : reply;
  let answered = 0;
  const asked = (): number => {
    let n = 0;
    for (let at = a.received.indexOf(ASK_POSITION); at >= 0; at = a.received.indexOf(ASK_POSITION, at + ASK_POSITION.length)) n++;
    return n;
  };
  const onData = (): void => {
    for (const n = asked(); answered < n; answered++) a.write(answer);
  };
  a.socket.on('data', onData);
  // A question that arrived before this was installed is answered now, not at the next read.
  onData();
  return asked;
}

/** The first bytes a real TLS client sends (its ClientHello), captured from Node's own. */
export async function tlsClientHello(): Promise<Buffer> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  try {
    return await new Promise<Buffer>((resolve) => {
      server.once('connection', (s) =>
        s.once('data', (d: Buffer) => {
          resolve(d);
          s.destroy();
        }),
      );
      tls.connect({ host: '127.0.0.1', port, servername: 'bbs.example' }).on('error', () => undefined);
    });
  } finally {
    server.close();
  }
}
