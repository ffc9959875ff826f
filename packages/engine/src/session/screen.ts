import { CarrierError, ErrorCodes, isPlainTerminal, removeEscapeSequences, type Connection, type Logger } from '@carrier/core';
import { artRows, asciiStandIns, loadArt, renderPipeCodes, wantsAsciiOnly } from '@carrier/terminal';
import { MAX_BAUD, MIN_BAUD, playAtBaud } from '../baud.js';
import { CursorColumn } from '../cursor-column.js';
import type { ArtOptions } from '../session-api.js';
import type { LineKeeper } from '../social/line-keeper.js';

const CLEAR_SCREEN = '\x1b[2J\x1b[H';

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

  constructor(private readonly host: ScreenHost) {}

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
    if (this.plain) text = removeEscapeSequences(text);
    if (this.asciiOnly) text = asciiStandIns(text);
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
    let art: Awaited<ReturnType<typeof loadArt>>;
    try {
      art = await loadArt(this.host.artDir, name, { encoding: term.encoding, cols: term.cols });
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
    this.lost();
    if (baud === undefined) {
      conn.writeBytes(art.bytes);
      return;
    }
    const mark = this.host.keysSeen();
    await playAtBaud(art.bytes, baud, {
      write: (bytes) => conn.writeBytes(bytes),
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
