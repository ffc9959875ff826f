import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { door32Sys, doorSys, dorinfo1Def, dropFile, type DropInfo } from './drop-files.js';

// Local time fields (DOOR.SYS dates and times) come from these instants in the test's own zone.
const started = new Date(2026, 11, 5, 14, 37).getTime();
const last = new Date(2026, 10, 19, 7, 30).getTime();

const info: DropInfo = {
  boardName: 'Night Owl BBS',
  software: 'carrier 0.1.0',
  sysopName: 'Bruce Morse',
  userId: 42,
  handle: 'g00r00',
  realName: 'g00r00',
  location: 'Brooklyn Center, MN',
  level: 100,
  secondsLeft: 3_499,
  ansi: true,
  node: 3,
  rows: 24,
  cols: 80,
  callStartedAt: started,
  lastCallAt: last,
  totalCalls: 379,
};

const crlf = (lines: string[]): Buffer => Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'latin1');

describe('drop files', () => {
  it('DOOR32.SYS is the 11 lines of Revision 1, CRLF, local comm type (a stdio door) and the caller on its node', () => {
    assert.deepEqual(door32Sys(info), crlf(['0', '0', '38400', 'carrier 0.1.0', '42', 'g00r00', 'g00r00', '100', '58', '1', '3']));
  });

  it('DOOR32.SYS says ASCII (emulation 0) for a caller without ANSI', () => {
    const lines = door32Sys({ ...info, ansi: false }).toString('latin1').split('\r\n');
    assert.equal(lines[9], '0');
  });

  it('DOOR.SYS is the 52-line GAP format', () => {
    const expected = [
      'COM0:', '38400', '8', '3', '38400', 'Y', 'N', 'N', 'N', 'g00r00', 'Brooklyn Center, MN', '', '', '', '100', '379',
      '11/19/26', '3499', '58', 'GR', '24', 'N', '', '', '12/05/27', '42', 'Z', '0', '0', '0', '999999', '01/01/70', '', '',
      'Bruce Morse', 'g00r00', '00:00', 'Y', 'N', 'Y', '7', '0', '11/19/26', '14:37', '07:30', '32768', '0', '0', '0', '', '0', '0',
    ];
    assert.equal(expected.length, 52);
    assert.deepEqual(doorSys(info), crlf(expected));
  });

  it('DOOR.SYS line 25, the subscription expiration date, is a year after the call: never a past year such as 99 (1999)', () => {
    const expires = (at: Date): string | undefined => doorSys({ ...info, callStartedAt: at.getTime() }).toString('latin1').split('\r\n')[24];
    assert.equal(expires(new Date(2026, 11, 5, 14, 37)), '12/05/27');
    assert.equal(expires(new Date(2031, 0, 9, 0, 5)), '01/09/32');
    // 29 February has no day a year on: the next day it is.
    assert.equal(expires(new Date(2028, 1, 29, 12, 0)), '03/01/29');
  });

  it('DORINFO1.DEF is the 13-line RBBS format with names split at the first space', () => {
    const bytes = dorinfo1Def({ ...info, realName: 'John Q Public' });
    assert.deepEqual(
      bytes,
      crlf(['Night Owl BBS', 'Bruce', 'Morse', 'COM0', '38400 BAUD,N,8,1', '0', 'John', 'Q Public', 'Brooklyn Center, MN', '1', '100', '58', '0']),
    );
  });

  it('a control character in a caller field cannot add a line, and fields are CP437', () => {
    const bytes = door32Sys({ ...info, handle: 'evil\r\n255', realName: 'Zoë' });
    const lines = bytes.toString('latin1').split('\r\n');
    assert.equal(lines.length, 12);
    assert.equal(lines[6], 'evil255');
    assert.equal(bytes.includes(Buffer.from([0x5a, 0x6f, 0x89])), true, 'ë is 0x89 in CP437');
  });

  it('time left never goes negative and the file names follow each spec', () => {
    assert.equal(door32Sys({ ...info, secondsLeft: -5 }).toString('latin1').split('\r\n')[8], '0');
    assert.equal(dropFile('door32.sys', info).name, 'door32.sys');
    assert.equal(dropFile('door.sys', info).name, 'DOOR.SYS');
    assert.equal(dropFile('dorinfo1.def', info).name, 'DORINFO1.DEF');
  });
});
