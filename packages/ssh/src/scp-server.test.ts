import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseScpCommand, shellWords } from './scp-server.js';

describe('legacy scp exec lines', () => {
  it('splits words as a shell would, and refuses anything a shell would do more with', () => {
    assert.deepEqual(shellWords(`scp -f -- 'a b' "c \\"d\\"" e\\ f`), ['scp', '-f', '--', 'a b', 'c "d"', 'e f']);
    for (const bad of ['scp -f *.txt', 'scp -f $HOME', 'scp -f `id`', 'scp -f a; rm -rf /', 'scp -f a | cat', "scp -f 'open", 'scp -f "$(id)"', 'scp -f ~/x', 'scp -f a\nb']) {
      assert.equal(shellWords(bad), undefined, bad);
    }
  });

  it('serves -f and -t with their flags; says why for the rest', () => {
    assert.deepEqual(parseScpCommand('scp -v -p -f -- general/a.zip general/b.zip'), { mode: 'source', times: true, targetIsDir: false, paths: ['general/a.zip', 'general/b.zip'] });
    assert.deepEqual(parseScpCommand('scp -d -t uploads/'), { mode: 'sink', times: false, targetIsDir: true, paths: ['uploads/'] });
    assert.equal(parseScpCommand('ls -la'), undefined);
    assert.equal(parseScpCommand('scpx -f a'), undefined);
    assert.match(String(parseScpCommand('scp -r -f general')), /recursive/);
    assert.match(String(parseScpCommand('scp -f general/*.zip')), /shell syntax/);
    assert.match(String(parseScpCommand('scp -t -f x')), /exactly one of -t or -f/);
    assert.match(String(parseScpCommand('scp -t a b')), /one target/);
    assert.match(String(parseScpCommand('scp -f')), /needs a path/);
    assert.match(String(parseScpCommand('scp -3 -f a')), /option -3/);
  });
});
