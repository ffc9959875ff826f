import { VIEW_LIMITS } from '@carrier/terminal';
/**
 * The one schema of carrier.yaml: every key, its type, its default and its meaning.
 * config/carrier.yaml documents the same keys for sysops; a test keeps the two in step.
 */
export type Field =
  | { kind: 'int'; default: number; min: number; max: number; doc: string }
  | { kind: 'duration'; default: number; doc: string; min?: number; max?: number }
  | { kind: 'string'; default: string; doc: string; oneOf?: readonly string[] }
  | { kind: 'bool'; default: boolean; doc: string }
  | { kind: 'port'; default: number | 'off'; doc: string }
  | { kind: 'list'; default: readonly string[]; doc: string; item?: 'address' };

export interface Section {
  readonly [key: string]: Field | Section;
}

export function isField(x: Field | Section): x is Field {
  return typeof (x as Field).kind === 'string' && 'doc' in x && typeof (x as Field).doc === 'string';
}

const int = (def: number, min: number, max: number, doc: string) => ({ kind: 'int', default: def, min, max, doc }) as const;
const duration = (def: number, doc: string, range?: { min: number; max: number }) => ({ kind: 'duration', default: def, doc, ...range }) as const;
const str = (def: string, doc: string) => ({ kind: 'string', default: def, doc }) as const;
const oneOf = <T extends string>(def: T, values: readonly T[], doc: string) =>
  ({ kind: 'string', default: def, oneOf: values, doc }) as const;
const bool = (def: boolean, doc: string) => ({ kind: 'bool', default: def, doc }) as const;
const port = (def: number | 'off', doc: string) => ({ kind: 'port', default: def, doc }) as const;
const addresses = (doc: string, def: readonly string[] = []) => ({ kind: 'list', default: def, item: 'address', doc }) as const;
const words = (def: readonly string[], doc: string) => ({ kind: 'list', default: def, doc }) as const;

export const schema = {
  board: {
    name: str('carrier', 'The board name shown to callers.'),
    sysop: str('sysop', 'The sysop handle shown on screens and pages.'),
  },
  host: str('127.0.0.1', 'Address every front end binds to. 0.0.0.0 goes public.'),
  dataDir: str('./data', 'SQLite file, ssh host keys, logs and caches (relative to the working directory).'),
  telnet: {
    port: port(2323, 'Telnet port, or off.'),
    negotiationTimeout: duration(1500, 'How long to wait for a client that answers nothing before showing the board.'),
    maxSubnegotiation: int(65536, 256, 1048576, 'Largest telnet subnegotiation accepted; a longer one closes the connection.'),
  },
  ssh: {
    port: port(2222, 'SSH port, or off.'),
    graceTime: duration(30_000, 'Time a caller has to authenticate and open a shell.'),
    keepaliveInterval: duration(0, 'SSH keepalive ping interval; 0 is off (pings break SyncTERM, EtherTerm, NetRunner).'),
    banner: str('', 'Auth banner; empty is none (a banner breaks EtherTerm).'),
    maxAuthAttempts: int(6, 1, 20, 'Authentication attempts per connection before it is closed.'),
    keyboardInteractive: bool(true, 'Offer keyboard-interactive auth besides password and publickey.'),
  },
  rlogin: {
    port: port('off', 'rlogin port (5513 is customary), or off.'),
    handshakeTimeout: duration(10_000, 'Time a client has to send its handshake.'),
    trusted: addresses('Addresses or CIDRs whose rlogin server-user is taken as the handle with no password (door servers).'),
    synctermOrder: addresses('Addresses whose clients send the password in client-user and the handle in server-user (SyncTERM style).'),
  },
  web: {
    port: port(8080, 'HTTP port of the browser terminal (page at /, WebSocket at /ws), or off.'),
    tls: {
      cert: str('', 'PEM certificate file; with key, the port serves HTTPS and WSS.'),
      key: str('', 'PEM private key file for cert.'),
    },
    trustedProxies: addresses('Reverse proxies (addresses or CIDRs) whose X-Forwarded-For names the caller.'),
    allowedOrigins: words([], 'Origins besides the page itself allowed to open /ws, e.g. https://bbs.example.org.'),
    customCss: str('', 'A CSS file served after the page\'s own, to theme the terminal page; empty is none.'),
    health: bool(true, 'Serve /health (JSON) on this port.'),
    metrics: bool(false, 'Serve /metrics (Prometheus text) on this port; it lists callers per protocol.'),
    helloTimeout: duration(10_000, 'Time a WebSocket has to say its terminal size after the upgrade.'),
    publicUrl: str('', 'How callers reach this port, e.g. https://bbs.example.org (for download links); empty is http(s)://<host>:<port>.'),
  },
  limits: {
    maxConnections: int(1000, 1, 100_000, 'Open connections across all front ends, logged in or not.'),
    maxPerIp: int(8, 1, 10_000, 'Open connections from one address, all front ends together.'),
    maxPerSubnet: int(32, 1, 100_000, 'Open connections from one /24 (IPv4) or /64 (IPv6) network.'),
    backlog: int(4096, 16, 65_535, 'listen(2) backlog; large so a connect burst is not dropped by the kernel.'),
    startups: {
      start: int(10, 1, 100_000, 'MaxStartups: connections not yet logged in before random refusals begin.'),
      rate: int(30, 0, 100, 'MaxStartups: percent chance of refusal at start, rising to 100 at full.'),
      full: int(100, 1, 100_000, 'MaxStartups: connections not yet logged in at which every new one is refused.'),
    },
    maxLineLength: int(1000, 16, 65_536, 'Longest line a caller can type at any prompt, whatever a script asks.'),
    keysPerSecond: int(100, 10, 100_000, 'Keys a session accepts per second, sustained; more wait (up to 64 KiB, the front end stops reading meanwhile) and past that are dropped (one log line, one notice).'),
    keyBurst: int(1000, 10, 1_000_000, 'Keys a session accepts at once above that rate (a pasted line).'),
    chatRequestTimeout: duration(60_000, 'An unanswered split-screen chat request lapses after this (then ^Y finds none waiting), and the asker stops waiting; 1s to 1h.', { min: 1000, max: 3_600_000 }),
    view: {
      maxCols: int(VIEW_LIMITS.maxCols, 40, 999, 'Widest a full-screen view is drawn; a wider terminal gets its left part.'),
      maxRows: int(VIEW_LIMITS.maxRows, 10, 999, 'Tallest a full-screen view is drawn.'),
      maxCells: int(VIEW_LIMITS.maxCells, 400, 250_000, 'Most cells (cols x rows) of one view: bounds its memory (~0.2 KB a cell).'),
      resizeDelay: duration(VIEW_LIMITS.resizeDelayMs, 'A view applies the newest window size at most this often.'),
      cpuMsPerSecond: int(VIEW_LIMITS.cpuMsPerSecond, 10, 1000, 'CPU ms a second one caller\'s views may spend drawing; past it, drawing waits.'),
      cpuBurstMs: int(VIEW_LIMITS.cpuBurstMs, 10, 10_000, 'CPU ms a caller\'s views may spend at once above that rate.'),
    },
  },
  security: {
    allowlist: addresses('Addresses or CIDRs never banned, held or penalised (the sysop, a local proxy).', ['127.0.0.1', '::1']),
    banRefresh: duration(5_000, 'How often bans made elsewhere are picked up from the store: the ban CLI\'s, and another process\'s while the bus is down (over the bus they arrive at once).'),
    auditLog: bool(true, 'Write connects, logins, failed logins, bans and traps to <dataDir>/logs/audit.log.'),
    trap: {
      enabled: bool(true, 'Close and ban a caller who types one of the trap words as a login name.'),
      words: words(['root', 'admin', 'sh', 'shell', 'enable', 'system', 'busybox', 'cat', 'wget', 'curl', 'chmod'], 'First words of a login name no human types; matched case-insensitively.'),
      banFor: duration(86_400_000, 'How long a trapped address is banned.'),
    },
    newAccounts: {
      perSource: int(3, 1, 10_000, 'New accounts one address may create per window (the `new` application, ssh new@).'),
      perNetwork: int(10, 1, 100_000, 'New accounts one /24 (IPv6 /64) may create per window, its addresses together.'),
      window: duration(3_600_000, 'The sliding window the two limits above count in.'),
    },
    penalties: {
      enabled: bool(true, 'Penalise sources for failed logins and connections that never log in.'),
      authFail: int(5, 0, 1000, 'Points a source (and the account tried) earns per wrong password.'),
      noAuth: int(1, 0, 1000, 'Points a source earns per connection that ends without a login.'),
      banAt: int(30, 1, 100_000, 'Points at which a source is banned.'),
      networkBanAt: int(90, 1, 1_000_000, 'Points at which a whole /24 (IPv6 /64) is banned, all its sources together.'),
      decayPerMinute: int(6, 0, 100_000, 'Points that drain away per minute.'),
      banFor: duration(600_000, 'First penalty ban; each repeat within a day doubles it.'),
      maxBan: duration(86_400_000, 'Longest penalty ban.'),
      delay: duration(1_000, 'Hold after a wrong password; doubles with each recent failure of the source or account.'),
      maxDelay: duration(8_000, 'Longest hold after a wrong password.'),
    },
    scrypt: {
      N: int(16_384, 1024, 1_048_576, 'scrypt cost of new password hashes (a power of two); raising it rehashes at next login.'),
      r: int(8, 1, 32, 'scrypt block size.'),
      p: int(1, 1, 16, 'scrypt parallelism.'),
    },
  },
  session: {
    loginTimeout: duration(120_000, 'Time a caller has to log in.'),
    idleTimeout: duration(600_000, 'A session with no input for this long is closed.'),
    maxDuration: duration(14_400_000, 'A session this old is closed, input or not (the absolute timeout).'),
    probeTimeout: duration(400, 'Deadline for cursor-position probes of size and encoding.'),
    maxLoginTries: int(3, 1, 10, 'Wrong passwords before the caller is disconnected.'),
    defaultEncoding: oneOf('cp437', ['cp437', 'utf8'] as const, 'Encoding for terminals nothing else identifies.'),
  },
  chat: {
    maxLineLength: int(300, 10, 1000, 'Longest chat line, in characters; longer input is cut.'),
    floodRate: int(2, 1, 100, 'Chat lines per second a user may send, sustained; the excess is dropped with a notice.'),
    floodBurst: int(5, 1, 1000, 'Chat lines a user may send at once before floodRate applies.'),
    historyLines: int(50, 0, 500, 'Lines per chat room kept in the store and replayed to a caller who joins.'),
  },
  oneliners: {
    keep: int(1000, 20, 1_000_000, 'Oneliners kept in the store; older lines are trimmed as new ones arrive.'),
    perCaller: int(3, 1, 20, 'Lines one caller may have among the 20 the wall shows.'),
  },
  doors: {
    file: str('./config/doors.yaml', 'The doors callers may run (programs in a PTY with drop files); a missing file means none.'),
    prlimit: str('/usr/bin/prlimit', 'prlimit from util-linux: every door runs under it with its CPU-time and memory limits.'),
    killGrace: duration(2000, 'After a hang-up or a time limit: SIGHUP and SIGTERM, then SIGKILL to the door\'s process group after this long.'),
  },
  files: {
    file: str('./config/files.yaml', 'File areas, who may list/download/upload them, upload caps and quotas (re-read when edited); a missing file means the default areas uploads and general.'),
  },
  messages: {
    file: str('./config/messages.yaml', 'Message areas and who may read and post them (re-read when edited); a missing file means the default areas.'),
  },
  paths: {
    scripts: str('./scripts', 'Board scripts (TypeScript), reloaded when edited.'),
    art: str('./art', 'ANSI art (.ans CP437 with SAUCE, .utf8.ans UTF-8).'),
    menus: str('./config/menus', 'Menu definitions (YAML).'),
  },
  database: {
    url: str('', 'PostgreSQL URL; empty uses SQLite in dataDir. DATABASE_URL overrides.'),
    poolMin: int(0, 0, 100, 'PostgreSQL pool minimum.'),
    poolMax: int(10, 1, 500, 'PostgreSQL pool maximum.'),
    schema: str('', 'PostgreSQL schema to work in, created if missing; empty is the database default (public).'),
  },
  bus: {
    type: oneOf('auto', ['auto', 'in-process', 'redis'] as const, 'auto: Redis when redisUrl is set, else in-process; redis alone means redis://127.0.0.1:6379.'),
    redisUrl: str('', 'Redis URL for a multi-process board; empty uses the in-process bus. REDIS_URL overrides.'),
    keyPrefix: str('carrier:', 'Prefix of every Redis key and channel; boards sharing one Redis need different prefixes.'),
  },
  workers: int(1, 1, 64, 'Processes sharing the listening ports (Node cluster); more than 1 needs the Redis bus.'),
  health: {
    port: port('off', 'HTTP port for /health (JSON) and /metrics (Prometheus text), or off.'),
    host: str('127.0.0.1', 'Address the health endpoint binds to.'),
  },
  control: {
    enabled: bool(true, 'The sysop control channel: a Unix socket at <dataDir>/control.sock (mode 0600) for `carrier sysop`, `who`, `kick`…'),
    tcpPort: port('off', 'Also listen on 127.0.0.1 at this port (0: any), with the token written to <dataDir>/control.token; for hosts without Unix sockets.'),
    idleTimeout: duration(60_000, 'A control client that sends nothing for this long is closed.'),
    maxClients: int(10, 1, 100, 'Control clients at once; the next is refused with a message.'),
  },
  log: {
    level: oneOf('info', ['debug', 'info', 'warn', 'error'] as const, 'Lowest level written.'),
    file: bool(true, 'Also write the log to <dataDir>/logs/carrier.log.'),
  },
} as const satisfies Section;

type FieldValue<F> = F extends { kind: 'int' | 'duration' }
  ? number
  : F extends { kind: 'string'; oneOf: readonly (infer V)[] }
    ? V
    : F extends { kind: 'string' }
      ? string
      : F extends { kind: 'bool' }
        ? boolean
        : F extends { kind: 'port' }
          ? number | 'off'
          : F extends { kind: 'list' }
            ? string[]
            : never;

type Infer<S> = { -readonly [K in keyof S]: S[K] extends { kind: string; doc: string } ? FieldValue<S[K]> : Infer<S[K]> };

export type CarrierConfig = Infer<typeof schema>;
