import { CarrierError, ErrorCodes, isPlainTerminal, removeEscapeSequences, type Connection, type Logger, type TerminalInfo } from '@carrier/core';
import { artRows, asciiStandIns, loadArt, renderPipeCodes, wantsAsciiOnly } from '@carrier/terminal';
import { MAX_BAUD, MIN_BAUD, playAtBaud } from '../baud.js';
import { CursorColumn } from '../cursor-column.js';
import { spyDrawing } from '../draw-again.js';
import type { ArtOptions } from '../session-api.js';
import type { LineKeeper } from '../social/line-keeper.js';

const CLEAR_SCREEN = '\x1b[2J\x1b[H';
/**
 * What a lent screen holds at most (the sysop's break-in chat has it); output past this is
 * dropped, not kept in memory for a chat of any length.
 */
const MAX_HELD_OUTPUT = 256 * 1024;
/**
 * Art names whose drawn file is remembered (the variant picked at random), so a screen
 * drawn again for a sysop's spy shows the one the caller got: the newest few, a menu's and
 * its submenus', each a name and a path (well under a KiB a session).
 */
const SHOWN_ART_NAMES = 8;
/** Back to the line's start and erase it (the pager's more-prompt, a pause's prompt). */
const ERASE_LINE = '\r\x1b[K';

/**
 * Text as the caller's terminal takes it: no escape sequences on a plain one (TERM=dumb),
 * ASCII stand-ins where no character set was named (terminal's wantsAsciiOnly). For
 * output that goes past the Screen (the sysop's break-in chat) as well as through it.
 */
export function forTerminal(terminal: Readonly<TerminalInfo>, text: string): string {
  if (isPlainTerminal(terminal.type)) text = removeEscapeSequences(text);
  return wantsAsciiOnly(terminal) ? asciiStandIns(text) : text;
}

export interface ScreenHost {
  readonly conn: Connection;
  readonly artDir: string;
  readonly log: Logger;
  readonly closed: boolean;
  /** what the current screen line holds, for notices printed above it */
  line(): LineKeeper;
  /** keys delivered plus keys queued: a key typed during baud playback ends it */
  keysSeen(): number;
  /** true the first time a key is seen board-wide (one warning per missing art file) */
  firstTime(key: string): boolean;
}

/** A session's output: text, pipe codes, art (optionally at a modem speed), and where the cursor stands. */
export class Screen {
  readonly column = new CursorColumn();
  /** output written while the screen is lent out, in order: text, or raw bytes (art) */
  private held: (string | Buffer)[] | undefined;
  private heldLength = 0;
  private heldDropped = 0;
  private holds = 0;

  /** art name -> the file drawn for it last (SHOWN_ART_NAMES, oldest out first) */
  private readonly shownArt = new Map<string, string>();

  constructor(private readonly host: ScreenHost) {}

  /**
   * Hold what the session writes from now on (the sysop's break-in chat has the screen and
   * writes past it): nothing reaches the caller until the release, which writes `first`
   * (the borrower's note) and then what was held, in order, as if written then. Holds nest.
   */
  hold(): (first?: string) => void {
    this.holds++;
    this.held ??= [];
    let released = false;
    return (first) => {
      if (released) return;
      released = true;
      if (--this.holds > 0) {
        if (first) this.keep(first);
        return;
      }
      const held = this.held ?? [];
      const dropped = this.heldDropped;
      this.held = undefined;
      this.heldLength = 0;
      this.heldDropped = 0;
      if (this.host.closed) return;
      if (first) this.write(first);
      for (const out of held) {
        if (typeof out === 'string') this.write(out);
        else this.writeRaw(out);
      }
      if (dropped > 0) this.host.log.warn('screen.held_output_dropped', { bytes: dropped });
    };
  }

  /** Text that cannot wait for a lent screen to come back (the call's last line). */
  writeNow(text: string): void {
    const held = this.held;
    this.held = undefined;
    try {
      this.write(text);
    } finally {
      this.held = held;
    }
  }

  private keep(out: string | Buffer): void {
    if (this.heldLength + out.length > MAX_HELD_OUTPUT) {
      this.heldDropped += out.length;
      return;
    }
    this.held!.push(out);
    this.heldLength += out.length;
  }

  /** The caller's terminal has no escape sequences (TERM=dumb): they are taken out of all the board writes. */
  get plain(): boolean {
    return isPlainTerminal(this.host.conn.terminal.type);
  }

  /**
   * A plain terminal whose character set nobody named (terminal's wantsAsciiOnly): the
   * board's text reaches it as ASCII, not as CP437 bytes it would show as garbage.
   */
  get asciiOnly(): boolean {
    return wantsAsciiOnly(this.host.conn.terminal);
  }

  write(text: string): void {
    if (this.held) return this.keep(text);
    // A plain terminal has no erase: a line erased to be written again (a more-prompt, a
    // pause) is blanked with spaces as wide as the cursor had gone on it, else what was
    // longer than the new text stayed behind it.
    if (this.plain && text.includes(ERASE_LINE)) {
      text.split(ERASE_LINE).forEach((part, i) => {
        if (i > 0) this.blankLine();
        if (part !== '') this.send(part);
      });
      return;
    }
    this.send(text);
  }

  private blankLine(): void {
    // Never the last column: a terminal that wraps there would scroll.
    const width = Math.min(this.column.value ?? Infinity, Math.max(0, this.host.conn.terminal.cols - 1));
    this.send(width > 0 ? `\r${' '.repeat(width)}\r` : '\r');
  }

  private send(text: string): void {
    text = forTerminal(this.host.conn.terminal, text);
    // Drawn again for a sysop's spy: the caller's screen, and where its cursor is, stay as they are.
    const spy = spyDrawing();
    if (spy) return spy.write(text);
    this.column.advance(text);
    this.host.line().wrote(text);
    this.host.conn.write(text);
  }

  print(text: string): void {
    this.write(renderPipeCodes(text).replace(/\r?\n/g, '\r\n'));
  }

  println(text = ''): void {
    this.print(`${text}\n`);
  }

  clear(): void {
    // A terminal that cannot clear gets a blank line between screens instead.
    this.write(this.plain ? '\r\n' : CLEAR_SCREEN);
  }

  /** Bytes as they are (art): the cursor goes where they take it. */
  private writeRaw(bytes: Buffer): void {
    if (this.held) return this.keep(bytes);
    this.lost();
    this.host.conn.writeBytes(bytes);
  }

  /** Raw output (art, a full-screen view) moved the cursor somewhere unknown. */
  lost(): void {
    this.column.forget();
    this.host.line().lost();
  }

  async art(name: string, opts: ArtOptions = {}): Promise<void> {
    const { baud } = opts;
    if (baud !== undefined && !(Number.isFinite(baud) && baud >= MIN_BAUD && baud <= MAX_BAUD)) {
      throw new CarrierError(ErrorCodes.VALIDATION, `baud must be from ${MIN_BAUD} to ${MAX_BAUD} (got ${baud})`);
    }
    if (this.plain) {
      // No cursor moves or colour on this terminal: art drawn line by line shows as its
      // text, art that places its characters does not show at all (its fallback does).
      const rows = await this.artRows(name);
      if (opts.drawIf && !opts.drawIf()) return;
      if (rows) for (const row of rows) this.write(`${row}\r\n`);
      else this.fallback(name, opts.fallback);
      return;
    }
    const { conn, log } = this.host;
    const term = conn.terminal;
    const spy = spyDrawing();
    let art: Awaited<ReturnType<typeof loadArt>>;
    try {
      const shown = spy ? this.shownArt.get(name) : undefined;
      art = await loadArt(this.host.artDir, name, { encoding: term.encoding, cols: term.cols, ...(shown !== undefined ? { prefer: shown } : {}) });
    } catch (err) {
      if (this.host.firstTime(`art.invalid:${name}`)) log.warn('art.invalid', { name, err });
      if (!opts.drawIf || opts.drawIf()) this.fallback(name, opts.fallback);
      return;
    }
    if (opts.drawIf && !opts.drawIf()) return;
    if (!art) {
      if (this.host.firstTime(`art.missing:${name}`)) log.warn('art.missing', { name });
      this.fallback(name, opts.fallback);
      return;
    }
    if (spy) return spy.writeBytes(art.bytes);
    this.shownArt.delete(name);
    this.shownArt.set(name, art.file);
    if (this.shownArt.size > SHOWN_ART_NAMES) this.shownArt.delete(this.shownArt.keys().next().value!);
    if (baud === undefined) {
      this.writeRaw(art.bytes);
      return;
    }
    const mark = this.host.keysSeen();
    await playAtBaud(art.bytes, baud, {
      write: (bytes) => this.writeRaw(bytes),
      interrupted: () => this.host.keysSeen() > mark,
      closed: () => this.host.closed,
    });
  }

  /**
   * Art `name` as a full-screen view's header rows (Unicode text; the connection encodes
   * it for the caller), or null when there is none or it is not line-oriented: the view
   * then opens without a header. Warned about once per name, as art() does.
   */
  async artRows(name: string): Promise<string[] | null> {
    const { conn, log } = this.host;
    try {
      const art = await loadArt(this.host.artDir, name, { encoding: 'utf8', cols: conn.terminal.cols });
      if (!art) {
        if (this.host.firstTime(`art.missing:${name}`)) log.warn('art.missing', { name });
        return null;
      }
      const rows = artRows(art.bytes.toString('utf8'));
      if (!rows && this.host.firstTime(`art.not_header:${name}`)) log.warn('art.not_header', { name, file: art.file, why: 'it moves the cursor, so it cannot be drawn as rows above a view' });
      return rows;
    } catch (err) {
      if (this.host.firstTime(`art.invalid:${name}`)) log.warn('art.invalid', { name, err });
      return null;
    }
  }

  private fallback(name: string, fallback: string | undefined): void {
    this.println(fallback ?? name);
    this.println();
  }
}
