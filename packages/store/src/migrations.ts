import type { Knex } from 'knex';

/**
 * The schema's history, oldest first. Migrations live in code rather than in a folder
 * knex scans, so they run the same from src (tsx) and from dist, and a bundle carries
 * them. To change the schema, append one entry here; never edit or reorder an entry that
 * has shipped, because databases remember migrations by name.
 *
 * Rules every entry follows so it runs identically on SQLite and PostgreSQL:
 * - times are `bigInteger` milliseconds since the epoch (no timestamp types: their time
 *   zone and precision differ between the two, and pg hands int8 back as a string, which
 *   the repositories convert);
 * - text columns have a length, because pg enforces it and SQLite does not, so the
 *   repositories bound values before writing;
 * - no raw SQL unless both dialects are handled.
 */
export interface Migration {
  /** Sortable and unique: `NNNN_what_it_does`. */
  readonly name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    name: '0001_users_and_calls',
    async up(knex) {
      await knex.schema.createTable('users', (t) => {
        t.increments('id');
        t.string('handle', 32).notNullable();
        // Lowercased handle: uniqueness is case-insensitive the same way on both databases.
        t.string('handle_key', 32).notNullable().unique();
        t.string('password_hash', 255).notNullable();
        t.integer('level').notNullable();
        t.string('location', 64).nullable();
        t.bigInteger('created_at').notNullable();
        t.bigInteger('last_login_at').nullable();
        t.integer('call_count').notNullable().defaultTo(0);
      });
      await knex.schema.createTable('calls', (t) => {
        t.increments('id');
        t.integer('user_id').nullable().references('id').inTable('users').onDelete('SET NULL');
        t.string('handle', 32).notNullable();
        t.string('protocol', 16).notNullable();
        t.string('remote_address', 64).notNullable();
        t.integer('node').notNullable();
        t.bigInteger('started_at').notNullable();
        t.bigInteger('ended_at').nullable();
        t.string('end_reason', 200).nullable();
        // "Last callers" reads the newest ended calls.
        t.index(['ended_at'], 'calls_ended_at_idx');
        t.index(['user_id'], 'calls_user_id_idx');
      });
    },
    async down(knex) {
      await knex.schema.dropTableIfExists('calls');
      await knex.schema.dropTableIfExists('users');
    },
  },
  {
    name: '0002_user_keys',
    async up(knex) {
      // SSH public keys a user logs in with (OpenSSH authorized_keys lines, parsed).
      await knex.schema.createTable('user_keys', (t) => {
        t.increments('id');
        t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
        t.string('algo', 64).notNullable();
        // The key blob, base64 as in authorized_keys. ed25519 is 68 chars, RSA 4096 ~720.
        t.text('blob').notNullable();
        // "SHA256:…" as ssh-keygen -l prints it; one key belongs to one user.
        t.string('fingerprint', 64).notNullable().unique();
        t.string('comment', 100).nullable();
        t.bigInteger('created_at').notNullable();
        t.index(['user_id'], 'user_keys_user_id_idx');
      });
    },
    async down(knex) {
      await knex.schema.dropTableIfExists('user_keys');
    },
  },
  {
    name: '0003_client_history',
    async up(knex) {
      // Outgoing connections made with `carrier telnet`, newest read first.
      await knex.schema.createTable('client_history', (t) => {
        t.increments('id');
        t.string('host', 255).notNullable();
        t.integer('port').notNullable();
        t.bigInteger('started_at').notNullable();
        t.bigInteger('ended_at').nullable();
        t.bigInteger('bytes_in').notNullable().defaultTo(0);
        t.bigInteger('bytes_out').notNullable().defaultTo(0);
        t.index(['started_at'], 'client_history_started_at_idx');
      });
    },
    async down(knex) {
      await knex.schema.dropTableIfExists('client_history');
    },
  },
  {
    name: '0004_bans',
    async up(knex) {
      // Sources refused at accept: an address or CIDR range, canonical spelling, one row each.
      await knex.schema.createTable('bans', (t) => {
        t.increments('id');
        // The longest canonical IPv6 range, "ffff:…:ffff/128", is 43 characters.
        t.string('target', 64).notNullable().unique();
        t.string('reason', 200).notNullable();
        // trap | penalty | sysop
        t.string('source', 16).notNullable();
        t.bigInteger('created_at').notNullable();
        t.bigInteger('updated_at').notNullable();
        // null: until a sysop lifts it
        t.bigInteger('expires_at').nullable();
        t.index(['expires_at'], 'bans_expires_at_idx');
      });
    },
    async down(knex) {
      await knex.schema.dropTableIfExists('bans');
    },
  },
  {
    name: '0005_social',
    async up(knex) {
      // The oneliners wall; the handle is kept so a line outlives its author's account.
      await knex.schema.createTable('oneliners', (t) => {
        t.increments('id');
        t.integer('user_id').nullable().references('id').inTable('users').onDelete('SET NULL');
        t.string('handle', 32).notNullable();
        t.string('text', 200).notNullable();
        t.bigInteger('created_at').notNullable();
      });
      // The last lines of each chat room, replayed on join; trimmed by the repository.
      await knex.schema.createTable('chat_lines', (t) => {
        t.increments('seq');
        t.string('line_id', 32).notNullable();
        t.string('room', 32).notNullable();
        t.string('handle', 32).notNullable();
        t.integer('node').notNullable();
        t.string('kind', 8).notNullable();
        t.string('text', 1000).notNullable();
        t.bigInteger('at').notNullable();
        t.index(['room', 'seq'], 'chat_lines_room_seq_idx');
      });
    },
    async down(knex) {
      await knex.schema.dropTableIfExists('chat_lines');
      await knex.schema.dropTableIfExists('oneliners');
    },
  },
];

/** The list above in the shape knex's migrator asks for. */
export function migrationSource(migrations: readonly Migration[] = MIGRATIONS): Knex.MigrationSource<Migration> {
  return {
    getMigrations: async () => [...migrations],
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({ up: (knex: Knex) => m.up(knex), down: (knex: Knex) => m.down(knex) }),
  };
}
