// An ssh caller for the benchmarks: ssh2's client with a pty, password login, resolved at
// the main menu's `Command:` with the time it took and the open client.
import ssh2 from 'ssh2';

export function sshToMenu(port: number, user: string, password: string): Promise<{ ms: number; client: ssh2.Client }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const client = new ssh2.Client();
    let seen = '';
    client.on('ready', () => {
      client.shell({ term: 'xterm-256color', cols: 80, rows: 25 }, (err, stream) => {
        if (err) return reject(err);
        stream.on('data', (d: Buffer) => {
          seen += d.toString('utf8');
          if (seen.includes('Command:')) {
            seen = '';
            resolve({ ms: performance.now() - t0, client });
          }
        });
      });
    });
    client.on('error', reject);
    client.connect({ host: '127.0.0.1', port, username: user, password, readyTimeout: 30_000 });
  });
}
