/**
 * Where a door's output stream stands: between two things drawn, or inside an escape
 * sequence or a UTF-8 character split across reads. carrier writes a line of its own into
 * a door's screen (the idle warning) only at such a boundary: bytes injected inside a
 * door's `ESC [ 3 8 ; 5 ; …` would end the door's sequence early and print the rest.
 */
const ESC = 0x1b;
const BEL = 0x07;
const CAN = 0x18;
const SUB = 0x1a;

type State = 'ground' | 'esc' | 'csi' | 'string' | 'string-esc' | 'intermediate';

export class OutputBoundary {
  private state: State = 'ground';
  /** UTF-8 continuation bytes still owed by the last character */
  private owed = 0;

  constructor(private readonly utf8: boolean) {}

  get atBoundary(): boolean {
    return this.state === 'ground' && this.owed === 0;
  }

  feed(bytes: Uint8Array): void {
    for (const b of bytes) this.step(b);
  }

  private step(b: number): void {
    // CAN and SUB abort any sequence (ECMA-48); ESC starts a new one even inside another.
    if (b === CAN || b === SUB) {
      this.state = 'ground';
      this.owed = 0;
      return;
    }
    switch (this.state) {
      case 'ground':
        if (b === ESC) {
          this.state = 'esc';
          this.owed = 0;
        } else if (this.utf8) this.utf8Step(b);
        return;
      case 'esc':
        if (b === 0x5b) this.state = 'csi'; // [
        else if (b === 0x5d || b === 0x50 || b === 0x5f || b === 0x5e || b === 0x58) this.state = 'string'; // ] P _ ^ X
        else if (b >= 0x20 && b <= 0x2f) this.state = 'intermediate'; // ESC ( B, ESC # 8
        else if (b === ESC) this.state = 'esc';
        else this.state = 'ground';
        return;
      case 'intermediate':
        if (b === ESC) this.state = 'esc';
        else if (b >= 0x30 && b <= 0x7e) this.state = 'ground';
        return;
      case 'csi':
        if (b === ESC) this.state = 'esc';
        else if (b >= 0x40 && b <= 0x7e) this.state = 'ground';
        return;
      case 'string':
        if (b === BEL) this.state = 'ground';
        else if (b === ESC) this.state = 'string-esc';
        return;
      case 'string-esc':
        this.state = b === 0x5c ? 'ground' : b === ESC ? 'string-esc' : 'string';
        return;
    }
  }

  private utf8Step(b: number): void {
    if (this.owed > 0 && (b & 0xc0) === 0x80) {
      this.owed--;
      return;
    }
    if (b >= 0xf0 && b <= 0xf4) this.owed = 3;
    else if (b >= 0xe0) this.owed = b <= 0xef ? 2 : 0;
    else if (b >= 0xc2) this.owed = 1;
    else this.owed = 0;
  }
}
