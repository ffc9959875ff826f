/**
 * A board that cannot start says why in one line, naming what to change: a port already
 * in use is the sysop's most common first-start failure, and a Node stack trace hides it.
 */
export class StartError extends Error {
  override readonly name = 'StartError';
}

/** The config key and the environment variable that set each front end's port. */
const PORT_SETTING: Record<string, { key: string; env: string }> = {
  telnet: { key: 'telnet.port', env: 'CARRIER_TELNET_PORT' },
  ssh: { key: 'ssh.port', env: 'CARRIER_SSH_PORT' },
  rlogin: { key: 'rlogin.port', env: 'CARRIER_RLOGIN_PORT' },
  websocket: { key: 'web.port', env: 'CARRIER_WEB_PORT' },
};

const REASON: Record<string, string> = {
  EADDRINUSE: 'the address is already in use (another carrier, or another server)',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'that address is not on this machine',
};

/** Turn a listen() failure into the one line the sysop needs; other errors pass through. */
export function explainListenError(err: unknown, where: { protocol: string; host: string; port: number | string }): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined || !(code in REASON)) return err;
  const setting = PORT_SETTING[where.protocol] ?? { key: `${where.protocol}.port`, env: 'the matching CARRIER_*_PORT' };
  const hostHint = code === 'EADDRNOTAVAIL' ? ' (or `host` / CARRIER_HOST)' : '';
  return new StartError(
    `cannot start the ${where.protocol} front end on ${where.host}:${where.port}: ${REASON[code]}; ` +
      `change ${setting.key} in the config or ${setting.env}${hostHint} (\`off\` disables it)`,
  );
}
