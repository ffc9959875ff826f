// A well-behaved telnet caller for the security benchmarks: answers TTYPE and NAWS like
// SyncTERM, refuses the other options, answers cursor-position probes, and logs in.
// Times are from TCP connect; a refused connect is reported, not thrown.
import net from 'node:net';

const IAC = 0xff, SB = 0xfa, SE = 0xf0, WILL = 0xfb, WONT = 0xfc, DO = 0xfd, DONT = 0xfe;
const TTYPE = 24, NAWS = 31;

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
      const out: number[] = [];
      for (let i = 0; i < d.length; i++) {
        if (d[i] !== IAC) continue;
        const cmd = d[i + 1], opt = d[i + 2];
        if (cmd === DO) out.push(IAC, opt === TTYPE || opt === NAWS ? WILL : WONT, opt!);
        if (cmd === DO && opt === NAWS) out.push(IAC, SB, NAWS, 0, 80, 0, 25, IAC, SE);
        if (cmd === WILL) out.push(IAC, opt === 1 || opt === 3 || opt === 0 ? DO : DONT, opt!);
        if (cmd === SB && opt === TTYPE) out.push(IAC, SB, TTYPE, 0, ...Buffer.from('syncterm'), IAC, SE);
      }
      if (out.length) s.write(Buffer.from(out));
      const text = d.toString('latin1');
      for (let k = text.split('\x1b[6n').length - 1; k > 0; k--) s.write('\x1b[25;80R');
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
