import { Ecma48Scanner, Ecma48Token } from '@carrier/core';

/** Read once: run from source (tsx: the tests, carrier-src), an imported binding is a getter, a call a token. */
const END = Ecma48Token.End;

/**
 * Where a door's output stream stands: between two things drawn, or inside an escape
 * sequence or a UTF-8 character split across reads. carrier writes a line of its own into
 * a door's screen (the idle warning) only at such a boundary: bytes injected inside a
 * door's `ESC [ 3 8 ; 5 ; …` would end the door's sequence early and print the rest.
 * core's Ecma48Scanner reads the sequences; this only asks it where it stands.
 */
export class OutputBoundary {
  private readonly scanner: Ecma48Scanner;

  constructor(utf8: boolean) {
    this.scanner = new Ecma48Scanner(utf8);
  }

  get atBoundary(): boolean {
    return this.scanner.atBoundary;
  }

  feed(bytes: Uint8Array): void {
    const scanner = this.scanner;
    scanner.push(bytes);
    while (scanner.next() !== END);
  }
}
