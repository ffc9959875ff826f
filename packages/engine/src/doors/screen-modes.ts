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

/** Parameters of one control sequence kept at most: past it the sequence is ignored (no mode takes more). */
const MAX_PARAMS = 64;
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

const ESC = 0x1b;
const BEL = 0x07;
const SO = 0x0e;
const SI = 0x0f;

type State = 'ground' | 'esc' | 'csi' | 'charset' | 'string' | 'stringEsc' | 'escIntermediate';

export class ScreenModes {
  private state: State = 'ground';
  /** the control sequence being read: its parameters, its private marker and intermediates */
  private params = '';
  private marker = '';
  private intermediates = '';
  private overflow = false;
  /** `(` or `)`: which set an `ESC ( x` designates */
  private designating = '';
  private readonly sgr = new Map<SgrSlot, string>();
  private region = '';
  private readonly decModes = new Map<string, 'h' | 'l'>();
  private readonly charsets = new Map<string, string>();
  private shiftedOut = false;

  /** A copy that goes on from here without changing this one. */
  clone(): ScreenModes {
    const c = new ScreenModes();
    c.state = this.state;
    c.params = this.params;
    c.marker = this.marker;
    c.intermediates = this.intermediates;
    c.overflow = this.overflow;
    c.designating = this.designating;
    for (const [k, v] of this.sgr) c.sgr.set(k, v);
    c.region = this.region;
    for (const [k, v] of this.decModes) c.decModes.set(k, v);
    for (const [k, v] of this.charsets) c.charsets.set(k, v);
    c.shiftedOut = this.shiftedOut;
    return c;
  }

  /** The door wrote `bytes` (escape sequences may be split between two writes). */
  feed(bytes: Buffer): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      // Text, the most of what a door writes, changes no mode.
      if (this.state === 'ground' && b !== ESC && b !== SO && b !== SI) continue;
      this.byte(b);
    }
  }

  /**
   * What sets these modes on a terminal just reset (the spy's copy starts as one): empty
   * when the door changed none of them. Under 1 KiB: each slot holds at most MAX_PARAMS.
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

  private byte(b: number): void {
    switch (this.state) {
      case 'ground':
        if (b === ESC) this.state = 'esc';
        else if (b === SO) this.shiftedOut = true;
        else if (b === SI) this.shiftedOut = false;
        return;
      case 'esc':
        return this.escape(b);
      case 'csi':
        return this.csiByte(b);
      case 'charset':
        // `ESC ( 0`: G0 is the DEC line-drawing set, until `ESC ( B`.
        if (b >= 0x30 && b <= 0x7e) this.charsets.set(this.designating, String.fromCharCode(b));
        this.state = b === ESC ? 'esc' : 'ground';
        return;
      case 'escIntermediate':
        // ESC with an intermediate not followed here (`ESC # 8`): its final ends it.
        if (b >= 0x30 && b <= 0x7e) this.state = 'ground';
        else if (b === ESC) this.state = 'esc';
        return;
      case 'string':
        // OSC, DCS, APC, PM, SOS: text that ends with BEL or ST (ESC \); nothing in it is a mode.
        if (b === BEL) this.state = 'ground';
        else if (b === ESC) this.state = 'stringEsc';
        return;
      case 'stringEsc':
        this.state = b === 0x5c ? 'ground' : b === ESC ? 'stringEsc' : 'string';
        return;
    }
  }

  private escape(b: number): void {
    if (b === 0x5b) {
      this.state = 'csi';
      this.params = '';
      this.marker = '';
      this.intermediates = '';
      this.overflow = false;
    } else if (b === 0x5d || b === 0x50 || b === 0x5f || b === 0x5e || b === 0x58) {
      this.state = 'string';
    } else if (b === 0x28 || b === 0x29) {
      this.designating = String.fromCharCode(b);
      this.state = 'charset';
    } else if (b >= 0x20 && b <= 0x2f) {
      this.state = 'escIntermediate';
    } else if (b === ESC) {
      this.state = 'esc';
    } else {
      // ESC c (RIS): the terminal back as it started.
      if (b === 0x63) this.reset();
      this.state = 'ground';
    }
  }

  private csiByte(b: number): void {
    if (b >= 0x30 && b <= 0x3f) {
      const ch = String.fromCharCode(b);
      if (this.params === '' && this.marker === '' && ch >= '<') this.marker = ch;
      else if (this.params.length < MAX_PARAMS) this.params += ch;
      else this.overflow = true;
    } else if (b >= 0x20 && b <= 0x2f) {
      if (this.intermediates.length < 2) this.intermediates += String.fromCharCode(b);
      else this.overflow = true;
    } else if (b >= 0x40 && b <= 0x7e) {
      this.state = 'ground';
      if (!this.overflow) this.csi(String.fromCharCode(b));
    } else if (b === ESC) {
      this.state = 'esc';
    } else if (b === 0x18 || b === 0x1a) {
      // CAN and SUB abandon a sequence; other C0 controls act inside it and it goes on.
      this.state = 'ground';
    }
  }

  private csi(final: string): void {
    const { params, marker, intermediates } = this;
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
