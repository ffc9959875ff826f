// The sysop's spy in end-to-end tests: its copy of a caller's screen over the control
// channel, and what the caller's own terminal was sent (a tmux pipe-pane log).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '@carrier/core/testing';
import { SpyScreen } from '@carrier/sysop';
import { repoRoot, startCarrier, type Carrier } from '../harness.js';
import { TmuxCaller } from '../e2e/messages-callers.js';
import type { RawControl } from './control-support.js';

/** The spy's copy of a caller's screen over the control channel (the console's own source). */
export class SpyStream {
  private constructor(private readonly c: RawControl, readonly stream: number, private readonly from: number) {}

  static async start(c: RawControl, handle: string): Promise<SpyStream> {
    const who = (await c.ok('who')) as { node: number; handle: string }[];
    const node = who.find((n) => n.handle === handle)?.node;
    assert.ok(node !== undefined, `${handle} is on`);
    const from = c.messages.length;
    const r = (await c.ok('spy', { node })) as { stream: number };
    return new SpyStream(c, r.stream, from);
  }

  text(): string {
    return this.c.messages
      .slice(this.from)
      .filter((m) => m['stream'] === this.stream && m['event'] === 'data')
      .map((m) => Buffer.from(m['data'] as string, 'base64').toString('utf8'))
      .join('');
  }

  waitFor(pattern: RegExp): Promise<string> {
    return eventually(() => pattern.test(this.text()) && this.text(), () => `the spy to get ${pattern}; got ${JSON.stringify(this.text().slice(-800))}`, {
      timeoutMs: 20_000,
    });
  }

  /** The copy as a screen: fed into a headless terminal of the caller's size (the console's SpyScreen). */
  async screen(): Promise<{ lines: string[]; cursor: { row: number; col: number } }> {
    const chunks = this.c.messages
      .slice(this.from)
      .filter((m) => m['stream'] === this.stream && m['event'] === 'data') as unknown as { data: string; encoding: 'cp437' | 'utf8'; cols: number; rows: number }[];
    const term = new SpyScreen(chunks[0]?.cols ?? 80, chunks[0]?.rows ?? 25, chunks[0]?.encoding ?? 'utf8');
    try {
      for (const c of chunks) term.feed(c);
      return { lines: await term.lines(), cursor: term.cursor() };
    } finally {
      term.dispose();
    }
  }
}

/** Resolves with the spy's copy as a screen once a row of it matches `pattern`. */
export function spyScreenShows(spy: SpyStream, pattern: RegExp): Promise<{ lines: string[]; cursor: { row: number; col: number } }> {
  let last: string[] = [];
  return eventually(
    async () => {
      const shown = await spy.screen();
      last = shown.lines;
      return shown.lines.some((l) => pattern.test(l)) && shown;
    },
    () => `the spy's screen to show ${pattern}; it shows:\n${last.join('\n')}`,
    { timeoutMs: 20_000 },
  );
}

/** Screen rows as text for comparing two screens: trailing blanks and blank rows at the bottom dropped. */
export function rowsOf(lines: readonly string[]): string[] {
  const rows = lines.map((l) => l.trimEnd());
  while (rows.length > 0 && rows[rows.length - 1] === '') rows.pop();
  return rows;
}

/** What a caller's terminal was sent, from a tmux pipe-pane log. */
export class OutputLog {
  private mark = 0;
  constructor(readonly file: string) {
    writeFileSync(file, '');
  }
  text(): string {
    return readFileSync(this.file).toString('utf8');
  }
  /** What arrives from now on is what `since()` reads. */
  setMark(): void {
    this.mark = this.text().length;
  }
  since(): string {
    return this.text().slice(this.mark);
  }
  waitFor(pattern: RegExp): Promise<string> {
    return eventually(() => pattern.test(this.since()) && this.since(), () => `the caller's terminal to get ${pattern}; got ${JSON.stringify(this.since().slice(-800))}`, {
      timeoutMs: 20_000,
    });
  }
}

/**
 * A board whose one door (1 on the doors list) is the echo door of tests/fixtures, level 10,
 * run with `args` (its modes: `--flood <bytes>`, `--status`); its doors.yaml in `tmp`.
 */
export async function startEchoDoorBoard(tmp: string, args: readonly string[] = []): Promise<Carrier> {
  const doorsFile = join(tmp, 'doors.yaml');
  const command = [process.execPath, join(repoRoot, 'tests/fixtures/doors/echo-door.mjs'), ...args].map((a) => JSON.stringify(a)).join(', ');
  writeFileSync(doorsFile, `doors:\n  - { name: echo, description: Echo door, command: [${command}], encoding: utf8, level: 10 }\n`);
  return await startCarrier({ logLevel: 'info', yaml: `doors: { file: ${JSON.stringify(doorsFile)} }` });
}

/** `from` sends `to` a mail over inetutils telnet (from the mail menu, in the message editor), then hangs up. */
export async function sendMailOver(board: Carrier, tmp: string, from: string, password: string, mail: { to: string; subject: string; body: string }): Promise<void> {
  const caller = await TmuxCaller.telnet(board.ports.telnet!, from, password, tmp);
  try {
    caller.send('e');
    await caller.waitScreen(/Mail - \d+ unread[\s\S]*uit:/);
    caller.send('s');
    await caller.waitScreen(/To:/);
    caller.send(`${mail.to}\r`);
    await caller.waitScreen(/Subject:/);
    caller.send(`${mail.subject}\r`);
    await caller.waitScreen(/Ctrl-Z save/);
    caller.send(mail.body);
    await eventually(async () => (await caller.screen()).includes(mail.body), 'the mail typed in the editor');
    caller.send('\x1a');
    await caller.waitScreen(new RegExp(`Mail sent to ${mail.to}`));
  } finally {
    caller.hangup();
  }
}

/** A caller over inetutils telnet (TERM `term`, else telnet's own) at the main menu, past the login's notices (new mail) and their key. */
export async function callerAtMenu(board: Carrier, tmp: string, handle: string, password: string, term?: string): Promise<TmuxCaller> {
  const caller = await TmuxCaller.telnet(board.ports.telnet!, handle, password, tmp, /Command:|press a key/, term);
  if (/press a key/.test(await caller.screen())) {
    caller.send(' ');
    await caller.waitScreen(/Command:/);
  }
  return caller;
}
