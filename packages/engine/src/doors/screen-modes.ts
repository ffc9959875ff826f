import { Ecma48Scanner, Ecma48Token } from '@carrier/core';

/**
 * The modes a door's output left in force on the caller's terminal, followed byte by byte:
 * the colours and attributes (SGR), the scroll region (DECSTBM), origin mode, auto-wrap
 * and cursor visibility (DECOM, DECAWM, DECTCEM) and the character sets (G0/G1, SO/SI).
 * A replay of a door's screen that starts partway through its output (doors/door-replay.ts)
 * starts with `sequence()`: the colours a door set before its last clear screen, or before
 * the lines replayed, are drawn with, and lines scroll in the door's region. Pure: fed
 * bytes, it keeps a fixed set of slots, so what it holds and writes (under 1 KiB) is bounded whatever
 * the door sends (a door that sets a colour a million times holds one).
 */

/** DEC private modes followed (`CSI ? n h/l`): origin (6), auto-wrap (7), cursor shown (25). */
const DEC_MODES = new Set(['6', '7', '25']);
/** SGR slots in the order `sequence()` writes them. */
const SGR_SLOTS = ['bold', 'dim', 'italic', 'underline', 'blink', 'inverse', 'hidden', 'strike', 'fg', 'bg', 'underlineColour'] as const;
type SgrSlot = (typeof SGR_SLOTS)[number];
/** A one-number SGR that sets a slot; the slot's own "off" number is in SGR_OFF. */
const SGR_ON: Record<number, SgrSlot> = { 1: 'bold', 2: 'dim', 3: 'italic', 4: 'underline', 21: 'underline', 5: 'blink', 6: 'blink', 7: 'inverse', 8: 'hidden', 9: 'strike' };
const SGR_OFF: Record<number, readonly SgrSlot[]> = {
  22: ['bold', 'dim'],
  23: ['italic'],
  24: ['underline'],
  25: ['blink'],
  27: ['inverse'],
  28: ['hidden'],
  29: ['strike'],
  39: ['fg'],
  49: ['bg'],
  59: ['underlineColour'],
};
/** Extended colours: 38 (foreground), 48 (background), 58 (underline), as `38;5;n` or `38;2;r;g;b`. */
const EXTENDED: Record<number, SgrSlot> = { 38: 'fg', 48: 'bg', 58: 'underlineColour' };

const SO = 0x0e;
const SI = 0x0f;
/** Read once: run from source (tsx: the tests, carrier-src), an imported binding is a getter, a call a token. */
const { End: END, Control: CONTROL, Escape: ESCAPE, Csi: CSI } = Ecma48Token;

export class ScreenModes {
  private readonly sgr = new Map<SgrSlot, string>();
  private region = '';
  private readonly decModes = new Map<string, 'h' | 'l'>();
  private readonly charsets = new Map<string, string>();
  private shiftedOut = false;

  /** `scanner`: core's one reader of escape sequences (a clone's is a copy); this keeps only what they set. */
  constructor(private readonly scanner = new Ecma48Scanner(false)) {}

  /** A copy that goes on from here without changing this one. */
  clone(): ScreenModes {
    const c = new ScreenModes(this.scanner.clone());
    for (const [k, v] of this.sgr) c.sgr.set(k, v);
    c.region = this.region;
    for (const [k, v] of this.decModes) c.decModes.set(k, v);
    for (const [k, v] of this.charsets) c.charsets.set(k, v);
    c.shiftedOut = this.shiftedOut;
    return c;
  }

  /** The door wrote `bytes` (escape sequences may be split between two writes). */
  feed(bytes: Buffer): void {
    const scanner = this.scanner;
    scanner.push(bytes);
    // Text, the most of what a door writes, changes no mode: only controls and sequences are read.
    for (let token = scanner.next(); token !== END; token = scanner.next()) {
      if (token === CONTROL) {
        if (scanner.control === SO) this.shiftedOut = true;
        else if (scanner.control === SI) this.shiftedOut = false;
      } else if (token === CSI) {
        if (!scanner.dropped) this.csi(scanner.final, scanner.intermediates);
      } else if (token === ESCAPE) {
        if (!scanner.dropped) this.escape(scanner.final, scanner.intermediates);
      }
    }
  }

  /**
   * What sets these modes on a terminal just reset (the spy's copy starts as one): empty
   * when the door changed none of them. Under 1 KiB: each slot holds at most one sequence's
   * parameters, and core's scanner keeps MAX_PARAMETER_BYTES of a sequence.
   */
  sequence(): string {
    let out = this.region !== '' ? `\x1b[${this.region}r` : '';
    for (const [mode, set] of this.decModes) out += `\x1b[?${mode}${set}`;
    for (const [set, charset] of this.charsets) out += `\x1b${set}${charset}`;
    if (this.shiftedOut) out += '\x0e';
    const sgr = SGR_SLOTS.flatMap((slot) => this.sgr.get(slot) ?? []);
    if (sgr.length > 0) out += `\x1b[0;${sgr.join(';')}m`;
    return out;
  }

  private escape(final: number, intermediates: string): void {
    // `ESC ( 0`: G0 is the DEC line-drawing set, until `ESC ( B`.
    if (intermediates === '(' || intermediates === ')') this.charsets.set(intermediates, String.fromCharCode(final));
    // ESC c (RIS): the terminal back as it started.
    else if (intermediates === '' && final === 0x63) this.reset();
  }

  private csi(finalByte: number, intermediates: string): void {
    // Only the finals followed here are worth reading the parameters of.
    if (finalByte !== 0x6d && finalByte !== 0x72 && finalByte !== 0x68 && finalByte !== 0x6c && finalByte !== 0x70) return;
    const final = String.fromCharCode(finalByte);
    const all = this.scanner.params;
    // A private marker (`?`, `<` to `?`) comes first.
    const marker = all !== '' && all[0]! >= '<' ? all[0]! : '';
    const params = marker === '' ? all : all.slice(1);
    if (marker === '' && intermediates === '') {
      if (final === 'm') this.applySgr(params);
      // DECSTBM; `CSI r` (or a region of the whole screen written as 0s) takes the region away.
      else if (final === 'r') this.region = /^[0;]*$/.test(params) ? '' : params;
    } else if (marker === '?' && intermediates === '' && (final === 'h' || final === 'l')) {
      for (const mode of params.split(';')) if (DEC_MODES.has(mode)) this.decModes.set(mode, final);
    } else if (marker === '' && intermediates === '!' && final === 'p') {
      // DECSTR, the soft reset: modes, region and attributes as at power-on.
      this.reset();
    }
  }

  private applySgr(params: string): void {
    const parts = params.split(';');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (p.includes(':')) {
        // The colon forms (`38:2::255:0:0`, `4:3` curly underline) are one parameter each.
        const code = Number(p.slice(0, p.indexOf(':')));
        const slot = EXTENDED[code] ?? (code === 4 ? 'underline' : undefined);
        if (slot) this.sgr.set(slot, p);
        continue;
      }
      const n = p === '' ? 0 : Number(p);
      if (n === 0) {
        this.sgr.clear();
      } else if (SGR_ON[n]) {
        this.sgr.set(SGR_ON[n], p);
      } else if (SGR_OFF[n]) {
        for (const slot of SGR_OFF[n]) this.sgr.delete(slot);
      } else if ((n >= 30 && n <= 37) || (n >= 90 && n <= 97)) {
        this.sgr.set('fg', p);
      } else if ((n >= 40 && n <= 47) || (n >= 100 && n <= 107)) {
        this.sgr.set('bg', p);
      } else if (EXTENDED[n]) {
        // 38;5;n and 38;2;r;g;b take their colour's numbers with them.
        const take = parts[i + 1] === '5' ? 2 : parts[i + 1] === '2' ? 4 : 0;
        if (take > 0 && i + take < parts.length) this.sgr.set(EXTENDED[n], parts.slice(i, i + take + 1).join(';'));
        i += take;
      }
    }
  }

  private reset(): void {
    this.sgr.clear();
    this.region = '';
    this.decModes.clear();
    this.charsets.clear();
    this.shiftedOut = false;
  }
}
