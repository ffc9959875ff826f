// A well-behaved telnet caller for the security benchmarks: answers TTYPE and NAWS like
// SyncTERM, refuses the other options, answers cursor-position probes, and logs in.
// Times are from TCP connect; a refused connect is reported, not thrown.
import net from 'node:net';
import { answerLikeSyncterm } from './syncterm-answers.js';

export interface CallerResult {
  /** connect -> `login:` in ms, or undefined when refused before the prompt */
  loginPromptMs?: number;
  /** connect -> `Command:` (main menu) in ms */
  menuMs?: number;
  refused?: string;
}

export function realCaller(
  port: number,
  opts: { localAddress?: string; handle: string; password: string; timeoutMs?: number },
): Promise<CallerResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const s = net.connect({ port, host: '127.0.0.1', ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    const result: CallerResult = {};
    let seen = '';
    let stage: 'prompt' | 'password' | 'menu' = 'prompt';
    const finish = () => {
      clearTimeout(timer);
      s.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => {
      result.refused ??= `timeout at ${stage}`;
      finish();
    }, opts.timeoutMs ?? 30_000);
    s.on('error', () => undefined);
    s.on('close', () => {
      if (result.menuMs === undefined) result.refused ??= seen.slice(0, 80) || 'closed without a byte';
      finish();
    });
    s.on('data', (d: Buffer) => {
      const text = answerLikeSyncterm(s, d);
      seen += text;
      if (stage === 'prompt' && seen.includes('login:')) {
        result.loginPromptMs = performance.now() - t0;
        stage = 'password';
        seen = '';
        s.write(`${opts.handle}\r`);
      } else if (stage === 'password' && seen.includes('password:')) {
        stage = 'menu';
        seen = '';
        s.write(`${opts.password}\r`);
      } else if (stage === 'menu' && seen.includes('Command:')) {
        result.menuMs = performance.now() - t0;
        finish();
      }
    });
  });
}
