import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeNameProblem, fileNameProblem } from './safe-name.js';

describe('upload names (ZMODEM, SFTP and scp all ask fileNameProblem)', () => {
  it('refuses Unicode format characters that hide or reorder the name', () => {
    // U+202E RIGHT-TO-LEFT OVERRIDE: "invoice\u202Efdp.exe" shows as "invoiceexe.pdf"
    for (const name of ['invoice\u202efdp.exe', 'a\u200bb.txt', 'a\u200db.txt', '\ufeffreadme.txt', 'soft\u00adhyphen.txt', 'iso\u2066late\u2069.txt', 'line\u2028sep.txt', 'tag\u{e0041}.txt']) {
      assert.equal(fileNameProblem(name), 'format', JSON.stringify(name));
    }
    assert.match(describeNameProblem('format'), /invisible or text-direction characters/);
  });

  it('still takes ordinary names in any script', () => {
    for (const name of ['readme.txt', 'Ärger über Öl.zip', 'ファイル.lzh', 'שלום.txt', 'naïve café.ans']) assert.equal(fileNameProblem(name), undefined, name);
  });

  it('takes ".." inside a name; refuses a name that is "." or "..", and any separator', () => {
    for (const name of ['v1..2.zip', 'notes...txt', 'a..b', 'release..final.tar.gz']) assert.equal(fileNameProblem(name), undefined, name);
    assert.equal(fileNameProblem('..'), 'dots');
    assert.equal(fileNameProblem('.'), 'dots');
    for (const name of ['../x', '..\\x', 'a/../b', 'x/..', '/etc/passwd']) assert.equal(fileNameProblem(name), 'path', name);
    assert.match(describeNameProblem('dots'), /is "\." or "\.\."/);
  });
});
