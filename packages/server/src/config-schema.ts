/**
 * The one schema of carrier.yaml: every key, its type, its default and its meaning.
 * config/carrier.yaml documents the same keys for sysops; a test keeps the two in step.
 */
export type Field =
  | { kind: 'int'; default: number; min: number; max: number; doc: string }
  | { kind: 'duration'; default: number; doc: string }
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
const duration = (def: number, doc: string) => ({ kind: 'duration', default: def, doc }) as const;
const str = (def: string, doc: string) => ({ kind: 'string', default: def, doc }) as const;
const oneOf = <T extends string>(def: T, values: readonly T[], doc: string) =>
  ({ kind: 'string', default: def, oneOf: values, doc }) as const;
const bool = (def: boolean, doc: string) => ({ kind: 'bool', default: def, doc }) as const;
const port = (def: number | 'off', doc: string) => ({ kind: 'port', default: def, doc }) as const;
const addresses = (doc: string) => ({ kind: 'list', default: [] as readonly string[], item: 'address', doc }) as const;

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
  },
  rlogin: {
    port: port('off', 'rlogin port (5513 is customary), or off.'),
    handshakeTimeout: duration(10_000, 'Time a client has to send its handshake.'),
    trusted: addresses('Addresses or CIDRs whose rlogin server-user is taken as the handle with no password (door servers).'),
    synctermOrder: addresses('Addresses whose clients send the password in client-user and the handle in server-user (SyncTERM style).'),
  },
  limits: {
    maxConnections: int(1000, 1, 100_000, 'Open connections per front end, logged in or not.'),
    maxPerIp: int(8, 1, 10_000, 'Open connections from one address per front end.'),
    backlog: int(4096, 16, 65_535, 'listen(2) backlog; large so a connect burst is not dropped by the kernel.'),
  },
  session: {
    loginTimeout: duration(120_000, 'Time a caller has to log in.'),
    idleTimeout: duration(600_000, 'A session with no input for this long is closed.'),
    probeTimeout: duration(400, 'Deadline for cursor-position probes of size and encoding.'),
    maxLoginTries: int(3, 1, 10, 'Wrong passwords before the caller is disconnected.'),
    defaultEncoding: oneOf('cp437', ['cp437', 'utf8'] as const, 'Encoding for terminals nothing else identifies.'),
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
  },
  bus: {
    redisUrl: str('', 'Redis URL for a multi-process board; empty uses the in-process bus. REDIS_URL overrides.'),
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
