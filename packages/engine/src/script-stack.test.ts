import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CarrierError, ConnectionClosedError, createMemoryLogger, ErrorCodes } from '@carrier/core';
import { APOLOGY, MAX_GOTOS_WITHOUT_INPUT, MAX_SCRIPT_DEPTH, ScriptStack, STORE_APOLOGY, type StackHost } from './script-stack.js';

type Fn = (s: Ctx, ...args: any[]) => unknown;
interface Ctx {
  stack: ScriptStack<Ctx>;
  said: string[];
  closed: boolean;
  input: number;
}

function harness(scripts: Record<string, Fn>) {
  const log = createMemoryLogger();
  const ctx = { said: [] as string[], closed: false, input: 0 } as Ctx;
  const host: StackHost<Ctx> = {
    session: ctx,
    log,
    load: async (name) => {
      const fn = scripts[name];
      if (!fn) throw new CarrierError(ErrorCodes.NOT_FOUND, `no script named "${name}"`);
      return fn;
    },
    isClosed: () => ctx.closed,
    inputCount: () => ctx.input,
    apologize: (text) => {
      ctx.said.push(text);
    },
  };
  ctx.stack = new ScriptStack(host);
  return { ctx, log, stack: ctx.stack };
}

describe('ScriptStack', () => {
  it('a script that failed because the database is not answering tells the caller so, not "something went wrong"', async () => {
    const { ctx, stack } = harness({
      main: async (s) => s.stack.gosub('lastcallers', []),
      lastcallers: async () => {
        throw new CarrierError(ErrorCodes.STORE_UNAVAILABLE, 'the postgres database is unavailable: Connection terminated');
      },
      broken: async () => {
        throw new Error('a bug');
      },
    });
    assert.deepEqual(await stack.run('main', []), { ok: true, value: undefined });
    await stack.run('broken', []);
    assert.deepEqual(ctx.said, [STORE_APOLOGY, APOLOGY]);
  });

  it('the frame below resumes only once the apology is done (the caller pressed a key); a hang-up meanwhile unwinds', async () => {
    const log = createMemoryLogger();
    const order: string[] = [];
    let ack!: (() => void) | undefined;
    let closed = false;
    const stack: ScriptStack<null> = new ScriptStack<null>({
      session: null,
      log,
      load: async (name) =>
        name === 'menu'
          ? async () => {
              await stack.gosub('boom', []);
              order.push('menu resumed');
            }
          : async () => {
              throw new Error('boom');
            },
      isClosed: () => closed,
      inputCount: () => 0,
      apologize: (text) =>
        new Promise<void>((resolve, reject) => {
          order.push(text);
          ack = () => (closed ? reject(new ConnectionClosedError('hung up')) : resolve());
        }),
    });
    const first = stack.run('menu', []);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, [APOLOGY], 'the apology waits');
    ack!();
    assert.deepEqual(await first, { ok: true, value: undefined });
    assert.deepEqual(order, [APOLOGY, 'menu resumed']);

    const second = stack.run('menu', []);
    await new Promise((r) => setImmediate(r));
    closed = true;
    ack!();
    const outcome = await second;
    assert.equal(outcome.ok, false);
    assert.ok(!outcome.ok && outcome.error instanceof ConnectionClosedError, 'a hang-up during the apology unwinds the frames below');
    assert.deepEqual(order, [APOLOGY, 'menu resumed', APOLOGY]);
  });

  it('gosub returns the value the script returned', async () => {
    const { stack } = harness({
      main: async (s) => `got ${String(await s.stack.gosub('answer', [20, 22]))}`,
      answer: async (_s, a: number, b: number) => a + b,
    });
    assert.deepEqual(await stack.run('main', []), { ok: true, value: 'got 42' });
  });

  it('goto replaces the running script, whether returned or awaited', async () => {
    const seen: string[] = [];
    const { stack } = harness({
      a: async (s) => {
        seen.push('a');
        return s.stack.goto('b', ['x']);
      },
      b: async (s, arg: string) => {
        seen.push(`b:${arg}`);
        await s.stack.goto('c', []);
        seen.push('never');
      },
      c: async () => 'end of c',
    });
    assert.deepEqual(await stack.run('a', []), { ok: true, value: 'end of c' });
    assert.deepEqual(seen, ['a', 'b:x']);
  });

  it('a goto inside a gosub replaces only the gosub frame and its result comes back to the caller', async () => {
    const { stack } = harness({
      main: async (s) => {
        const r = await s.stack.gosub('menu', []);
        return `main continued with ${String(r)} at depth ${s.stack.depth}`;
      },
      menu: async (s) => s.stack.goto('submenu', []),
      submenu: async (s) => `submenu at depth ${s.stack.depth}`,
    });
    assert.deepEqual(await stack.run('main', []), { ok: true, value: 'main continued with submenu at depth 2 at depth 1' });
  });

  it('a goto that was not awaited still happens when the script returns', async () => {
    const { stack } = harness({
      a: async (s) => {
        void s.stack.goto('b', []);
        return 'ignored';
      },
      b: async () => 'b ran',
    });
    assert.deepEqual(await stack.run('a', []), { ok: true, value: 'b ran' });
  });

  it('a throwing gosub is logged with its name, the caller sees the apology, and the script below goes on', async () => {
    const { stack, ctx, log } = harness({
      main: async (s) => {
        const r = await s.stack.gosub('broken', []);
        return `back in main with ${String(r)}`;
      },
      broken: async () => {
        throw new Error('boom');
      },
    });
    assert.deepEqual(await stack.run('main', []), { ok: true, value: 'back in main with undefined' });
    assert.deepEqual(ctx.said, [APOLOGY]);
    const errors = log.lines.filter((l) => l['event'] === 'script.error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!['script'], 'broken');
    assert.match(String((errors[0]!['err'] as { stack: string }).stack), /boom/);
  });

  it('a failing bottom script ends the frame with ok: false (the session then hangs up)', async () => {
    const { stack, ctx } = harness({
      main: async () => {
        throw new TypeError('bad');
      },
    });
    const outcome = await stack.run('main', []);
    assert.equal(outcome.ok, false);
    assert.equal(ctx.said.length, 1);
    assert.equal(stack.depth, 0);
  });

  it('an unknown script name is a script error with a clear message, not a crash', async () => {
    const { stack, log } = harness({ main: async (s) => s.stack.gosub('nope', []) });
    assert.deepEqual(await stack.run('main', []), { ok: true, value: undefined });
    const err = log.lines.find((l) => l['event'] === 'script.error')!['err'] as { message: string };
    assert.match(err.message, /no script named "nope"/);
  });

  it('a script that gotos itself 1000 times never grows the stack', async () => {
    const depths = new Set<number>();
    const { stack } = harness({
      loop: async (s, n: number) => {
        depths.add(s.stack.depth);
        if (n === 0) return 'done';
        return s.stack.goto('loop', [n - 1]);
      },
    });
    assert.deepEqual(await stack.run('loop', [1000]), { ok: true, value: 'done' });
    assert.deepEqual([...depths], [1]);
  });

  it('a goto loop that never reads input is stopped as a script error', async () => {
    let passes = 0;
    const { stack, ctx } = harness({
      spin: async (s) => {
        passes++;
        return s.stack.goto('spin', []);
      },
    });
    const outcome = await stack.run('spin', []);
    assert.equal(outcome.ok, false);
    assert.equal(passes, MAX_GOTOS_WITHOUT_INPUT);
    assert.deepEqual(ctx.said, [APOLOGY]);
  });

  it('a goto loop that reads input between passes is a menu, and is left alone', async () => {
    const { stack, ctx } = harness({
      menu: async (s, n: number) => {
        ctx.input++; // the caller pressed a key
        return n === 0 ? 'left' : s.stack.goto('menu', [n - 1]);
      },
    });
    assert.deepEqual(await stack.run('menu', [MAX_GOTOS_WITHOUT_INPUT + 5]), { ok: true, value: 'left' });
  });

  it('runaway gosub recursion is cut at the depth limit and unwinds with apologies', async () => {
    let deepest = 0;
    const { stack } = harness({
      recurse: async (s) => {
        deepest = Math.max(deepest, s.stack.depth);
        await s.stack.gosub('recurse', []);
        return 'unwound';
      },
    });
    assert.deepEqual(await stack.run('recurse', []), { ok: true, value: 'unwound' });
    assert.equal(deepest, MAX_SCRIPT_DEPTH);
  });

  it('a closed connection unwinds every frame without an apology', async () => {
    const { stack, ctx, log } = harness({
      main: async (s) => {
        await s.stack.gosub('reader', []);
        return 'main must not continue';
      },
      reader: async (s) => {
        s.closed = true;
        throw new ConnectionClosedError('ECONNRESET');
      },
    });
    const outcome = await stack.run('main', []);
    assert.equal(outcome.ok, false);
    assert.ok(!outcome.ok && outcome.error instanceof ConnectionClosedError);
    assert.deepEqual(ctx.said, []);
    assert.equal(log.lines.filter((l) => l['event'] === 'script.error').length, 0);
  });

  it('goto outside any running script is refused', async () => {
    const { stack } = harness({});
    await assert.rejects(stack.goto('x', []), /outside a running script/);
  });
});
