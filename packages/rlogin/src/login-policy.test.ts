import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressList } from './address-list.js';
import type { RloginHandshake } from './handshake.js';
import { decideRloginLogin } from './login-policy.js';

const handshake = (clientUser: string, serverUser: string): RloginHandshake => ({
  done: true,
  clientUser,
  serverUser,
  terminalType: 'ansi',
  speed: 115200,
  terminalField: 'ansi/115200',
  rest: Buffer.alloc(0),
});
const policy = {
  trusted: new AddressList(['10.0.0.0/8']),
  synctermOrder: new AddressList(['10.1.1.1', '192.0.2.7']),
};

describe('decideRloginLogin', () => {
  it('takes the server-user only as a hint from an ordinary host', () => {
    assert.deepEqual(decideRloginLogin(handshake('root', 'bob'), '198.51.100.9', policy), { loginHint: 'bob' });
  });

  it('never uses the client-user of an ordinary host, which is an account on the caller’s machine', () => {
    assert.deepEqual(decideRloginLogin(handshake('root', ''), '198.51.100.9', policy), {});
  });

  it('lets a trusted host vouch for the handle, with no password', () => {
    assert.deepEqual(decideRloginLogin(handshake('pw', 'bob'), '10.9.8.7', policy), {
      identity: { user: 'bob', via: 'rlogin-trusted' },
    });
  });

  it('ignores the password SyncTERM sends from a trusted host', () => {
    const login = decideRloginLogin(handshake('secret', 'bob'), '10.1.1.1', policy);
    assert.deepEqual(login, { identity: { user: 'bob', via: 'rlogin-trusted' } });
  });

  it('passes SyncTERM’s client-user on as the password from an untrusted SyncTERM-order host', () => {
    assert.deepEqual(decideRloginLogin(handshake('secret', 'bob'), '192.0.2.7', policy), { loginHint: 'bob', loginPassword: 'secret' });
    assert.deepEqual(decideRloginLogin(handshake('', 'bob'), '192.0.2.7', policy), { loginHint: 'bob' });
  });

  it('gives no identity when a trusted host names nobody', () => {
    assert.deepEqual(decideRloginLogin(handshake('x', ' '), '10.0.0.1', policy), {});
  });

  it('strips control and line-separator characters from names so they cannot forge screen or log output', () => {
    assert.deepEqual(decideRloginLogin(handshake('', ' bo\u009bb\u2028 '), '198.51.100.9', policy), { loginHint: 'bob' });
  });
});
