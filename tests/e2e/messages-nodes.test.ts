// The message base across two carrier processes sharing PostgreSQL and the Redis bus: a
// post made on A is found by a new-scan on B, and mail sent on B reaches its recipient on
// A at once. Real clients: inetutils telnet on A, OpenSSH on B.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCarrier, type Carrier } from '../harness.js';
import { addUsers, dropPrefix, dropSchema, findPostgres, findRedis, freshSchemaName, uniquePrefix } from '../multinode/services.js';
import { TmuxCaller } from './messages-callers.js';

const pg = await findPostgres();
const redis = await findRedis();
const skip = !pg ? 'no PostgreSQL at 127.0.0.1:5432/test (set CARRIER_TEST_PG_URL)' : !redis ? 'no Redis at 127.0.0.1:6379 (set CARRIER_TEST_REDIS_URL)' : false;
const PW = 'across-the-nodes-1';

describe('messages and mail across two carrier processes', { skip, timeout: 180_000 }, () => {
  const schema = freshSchemaName();
  const prefix = uniquePrefix();
  let a: Carrier;
  let b: Carrier;
  let tmp: string;
  const callers: TmuxCaller[] = [];

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'carrier-msg-nodes-'));
    await addUsers(pg!, schema, [
      { handle: 'ann', password: PW },
      { handle: 'bob', password: PW },
    ]);
    const yaml = [
      `database: { url: ${JSON.stringify(pg)}, schema: ${schema} }`,
      `bus: { redisUrl: ${JSON.stringify(redis)}, keyPrefix: ${JSON.stringify(prefix)} }`,
    ].join('\n');
    // One after the other: on a loaded machine two start-ups at once (and the migration
    // lock between them) can outlast the harness's start-up deadline.
    a = await startCarrier({ yaml, logLevel: 'info' });
    b = await startCarrier({ yaml, ssh: true, logLevel: 'info' });
  });
  after(async () => {
    for (const c of callers) c.hangup();
    await Promise.all([a?.stop(), b?.stop()]);
    await dropSchema(pg!, schema);
    await dropPrefix(redis!, prefix);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('a post on A is found by a new-scan on B; mail sent on B reaches the recipient on A at once', async () => {
    const ann = await TmuxCaller.telnet(a.ports.telnet!, 'ann', PW, tmp);
    callers.push(ann);
    ann.send('m');
    await ann.waitScreen(/Area: General/);
    ann.send('p');
    await ann.waitScreen(/To:/);
    ann.send('\r');
    await ann.waitScreen(/Subject:/);
    ann.send('Posted on node A\r');
    await ann.waitScreen(/Ctrl-Z save/);
    ann.send('Can node B see this?');
    await ann.waitScreen(/Can node B see this\?/);
    ann.send('\x1a');
    await ann.waitScreen(/Message #\d+ posted in General/);
    ann.send('q');
    await ann.waitScreen(/Command:/);

    const bob = await TmuxCaller.ssh(b.ports.ssh!, 'bob', PW, tmp);
    callers.push(bob);
    bob.send('m');
    await bob.waitScreen(/Area: General/);
    bob.send('n');
    await bob.waitScreen(/From: ann[\s\S]*Subject: Posted on node A[\s\S]*Can node B see this\?/);
    bob.send('q');
    bob.send('q');
    await bob.waitScreen(/Command:/);
    bob.send('e');
    await bob.waitScreen(/Mail - 0 unread/);
    bob.send('s');
    await bob.waitScreen(/To:/);
    bob.send('ann\r');
    await bob.waitScreen(/Subject:/);
    bob.send('From node B\r');
    await bob.waitScreen(/Ctrl-Z save/);
    bob.send('Hello across the bus');
    await bob.waitScreen(/Hello across the bus/);
    bob.send('\x1a');
    await bob.waitScreen(/Mail sent to ann/);
    await ann.waitScreen(/New mail: from bob: From node B/, 20_000);
  });
});
