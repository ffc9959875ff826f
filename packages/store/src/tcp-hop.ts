// For tests: a TCP hop between a client and its server (the store and PostgreSQL) that a
// test can cut and restore, like a network outage or a stopped server. Not exported from
// index.ts.
import net from 'node:net';

export interface TcpHop {
  readonly port: number;
  /** close the listener and every connection through it: the far side "went away" */
  cut(): Promise<void>;
  /** listen again on the same port */
  restore(): Promise<void>;
}

export async function tcpHop(target: { host: string; port: number }): Promise<TcpHop> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const open = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(target);
        for (const sock of [client, upstream]) {
          sockets.add(sock);
          sock.on('error', () => undefined);
          sock.on('close', () => sockets.delete(sock));
        }
        client.pipe(upstream).pipe(client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as net.AddressInfo).port;
        server = s;
        resolve();
      });
    });
  await open();
  return {
    get port() {
      return port;
    },
    cut: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        if (!server) return resolve();
        server.close(() => resolve());
        server = undefined;
      }),
    restore: open,
  };
}
