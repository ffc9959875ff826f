// Well-behaved callers from 127.0.0.1: connected while an attack runs, they must still
// log in and see their typing echoed, on the front end under attack.
import { RawTelnet } from '../../raw-telnet.js';
import { Attacker } from './attacker.js';
import { openShell, reader, sshConnect, type SshSession } from './ssh.js';

export interface Account {
  handle: string;
  password: string;
}

export type Protocol = 'telnet' | 'ssh' | 'rlogin';

export interface Caller {
  readonly protocol: Protocol;
  /** Log in, typing the handle a key at a time and waiting for each key's echo. */
  login(account: Account): Promise<void>;
  /** At the main menu: a key is echoed and the menu comes back. */
  stillWorks(): Promise<void>;
  close(): void;
}

const PROMPT_MS = 10_000;

class TelnetCaller implements Caller {
  readonly protocol = 'telnet';
  constructor(private readonly c: RawTelnet) {}

  async login(a: Account): Promise<void> {
    for (const ch of a.handle) {
      this.c.send(ch);
      await this.c.waitForNext(ch, PROMPT_MS);
    }
    this.c.send('\r');
    await this.c.waitForNext('password:', PROMPT_MS);
    this.c.send(`${a.password}\r`);
    await this.c.waitForNext('Command:', PROMPT_MS);
  }

  async stillWorks(): Promise<void> {
    this.c.send('?');
    await this.c.waitForNext('Command:', PROMPT_MS);
  }

  close(): void {
    this.c.close();
  }
}

/** rlogin with an empty server-user, so `login:` is not pre-filled and the caller types. */
class RloginCaller implements Caller {
  readonly protocol = 'rlogin';
  constructor(private readonly c: Attacker) {}

  private async typed(text: string, expect: string): Promise<void> {
    const from = this.c.received.length;
    this.c.write(text);
    await this.c.waitFor(expect, PROMPT_MS, from);
  }

  async login(a: Account): Promise<void> {
    for (const ch of a.handle) await this.typed(ch, ch);
    await this.typed('\r', 'password:');
    await this.typed(`${a.password}\r`, 'Command:');
  }

  stillWorks(): Promise<void> {
    return this.typed('?', 'Command:');
  }

  close(): void {
    this.c.close();
  }
}

/** ssh logs in during the handshake; the board then opens at the main menu. */
class SshCaller implements Caller {
  readonly protocol = 'ssh';
  private session: SshSession | undefined;
  private out: ReturnType<typeof reader> | undefined;
  private write: ((s: string) => void) | undefined;
  constructor(private readonly port: number) {}

  async login(a: Account): Promise<void> {
    this.session = await sshConnect(this.port, '127.0.0.1', { username: a.handle, password: a.password });
    const ch = await openShell(this.session.client, { term: 'xterm', cols: 80, rows: 25 });
    this.out = reader(ch);
    this.write = (s) => ch.write(s);
    await this.out.waitForNext('Command:', PROMPT_MS);
  }

  async stillWorks(): Promise<void> {
    const next = this.out!.waitForNext('Command:', PROMPT_MS);
    this.write!('?');
    await next;
  }

  close(): void {
    this.session?.client.end();
  }
}

/** A caller connected and waiting at `login:` (for ssh: ready to authenticate). */
export async function connectCaller(protocol: Protocol, ports: Partial<Record<Protocol, number>>): Promise<Caller> {
  const port = ports[protocol];
  if (port === undefined) throw new Error(`no ${protocol} port`);
  switch (protocol) {
    case 'telnet': {
      const c = await RawTelnet.connect({ port });
      await c.waitFor('login:', PROMPT_MS);
      return new TelnetCaller(c);
    }
    case 'rlogin': {
      const c = await Attacker.connect(port, '127.0.0.1');
      c.write(Buffer.from('\0caller\0\0ansi/38400\0', 'latin1'));
      await c.waitFor('login:', PROMPT_MS);
      return new RloginCaller(c);
    }
    case 'ssh':
      return new SshCaller(port);
  }
}
