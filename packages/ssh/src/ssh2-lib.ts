import { createRequire } from 'node:module';
import type ssh2 from 'ssh2';

type Ssh2 = typeof ssh2;
const require = createRequire(import.meta.url);

// The parts of ssh2 a server uses, each loaded from its own file. ssh2's index also loads
// its client, its agents (and with them node:child_process) and its HTTP agents
// (node:https, node:tls), none of which a board uses, for every board with ssh on (idle
// memory, issue 18; docs/benchmarks.md). ssh2 has no `exports` map, so these files are
// part of its published layout; @types/ssh2 types them as the index's members.

/** ssh2's Server (`ssh2.Server`). */
export const Server = require('ssh2/lib/server.js') as Ssh2['Server'];
export type Server = ssh2.Server;

const { parseKey } = require('ssh2/lib/protocol/keyParser.js') as Pick<Ssh2['utils'], 'parseKey'>;
const { OPEN_MODE, STATUS_CODE } = require('ssh2/lib/protocol/SFTP.js') as Pick<Ssh2['utils']['sftp'], 'OPEN_MODE' | 'STATUS_CODE'>;

/** The members of `ssh2.utils` a server uses. */
export const utils = { parseKey, sftp: { OPEN_MODE, STATUS_CODE } };
