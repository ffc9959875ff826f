import type { Knex } from 'knex';
import { handleKey, handleSkeleton } from './handles.js';

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
  {
    name: '0010_messages',
    async up(knex) {
      const pg = knex.client.config.client === 'pg';
      // Message areas are declared in config/messages.yaml; rows name their area by tag.
      await knex.schema.createTable('messages', (t) => {
        t.increments('id');
        t.string('area', 32).notNullable();
        // No foreign key: a deleted parent leaves its replies where they were.
        t.integer('parent_id').nullable();
        // The first message of the thread (its own id for a thread's first message).
        t.integer('thread_id').nullable();
        t.integer('from_user_id').nullable().references('id').inTable('users').onDelete('SET NULL');
        t.string('from_handle', 32).notNullable();
        t.string('to_handle', 32).notNullable();
        t.string('subject', 72).notNullable();
        // Capped at 64 KiB by the repository; control characters are kept as typed (text),
        // and cleaned wherever a message is shown.
        t.text('body').notNullable();
        t.bigInteger('created_at').notNullable();
        t.index(['area', 'id'], 'messages_area_id_idx');
        t.index(['thread_id'], 'messages_thread_id_idx');
        t.index(['from_user_id', 'created_at'], 'messages_from_user_idx');
      });
      // Per user and area: the highest message id read. New = above it.
      await knex.schema.createTable('message_reads', (t) => {
        t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
        t.string('area', 32).notNullable();
        t.integer('last_read_id').notNullable();
        t.primary(['user_id', 'area']);
      });
      await knex.schema.createTable('mail', (t) => {
        t.increments('id');
        t.integer('from_user_id').nullable().references('id').inTable('users').onDelete('SET NULL');
        t.string('from_handle', 32).notNullable();
        t.integer('to_user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
        t.string('to_handle', 32).notNullable();
        t.string('subject', 72).notNullable();
        t.text('body').notNullable();
        t.bigInteger('created_at').notNullable();
        t.bigInteger('read_at').nullable();
        t.boolean('sender_deleted').notNullable().defaultTo(false);
        t.boolean('recipient_deleted').notNullable().defaultTo(false);
        t.index(['to_user_id', 'id'], 'mail_to_user_idx');
        t.index(['from_user_id', 'id'], 'mail_from_user_idx');
      });
      await knex.schema.alterTable('users', (t) => {
        t.boolean('new_scan_at_login').notNullable().defaultTo(false);
      });
      // Full-text search with each database's own index.
      if (pg) {
        await knex.raw(`alter table messages add column search tsvector generated always as (
          to_tsvector('simple', subject || ' ' || from_handle || ' ' || body)) stored`);
        await knex.raw('create index messages_search_idx on messages using gin (search)');
      } else {
        await knex.raw(`create virtual table messages_fts using fts5(subject, from_handle, body, content='messages', content_rowid='id')`);
        await knex.raw(`create trigger messages_fts_ai after insert on messages begin
          insert into messages_fts(rowid, subject, from_handle, body) values (new.id, new.subject, new.from_handle, new.body); end`);
        await knex.raw(`create trigger messages_fts_ad after delete on messages begin
          insert into messages_fts(messages_fts, rowid, subject, from_handle, body) values ('delete', old.id, old.subject, old.from_handle, old.body); end`);
        await knex.raw(`create trigger messages_fts_au after update of subject, from_handle, body on messages begin
          insert into messages_fts(messages_fts, rowid, subject, from_handle, body) values ('delete', old.id, old.subject, old.from_handle, old.body);
          insert into messages_fts(rowid, subject, from_handle, body) values (new.id, new.subject, new.from_handle, new.body); end`);
      }
    },
    async down(knex) {
      if (knex.client.config.client !== 'pg') {
        for (const t of ['messages_fts_ai', 'messages_fts_ad', 'messages_fts_au']) await knex.raw(`drop trigger if exists ${t}`);
        await knex.raw('drop table if exists messages_fts');
      }
      await knex.schema.alterTable('users', (t) => t.dropColumn('new_scan_at_login'));
      await knex.schema.dropTableIfExists('mail');
      await knex.schema.dropTableIfExists('message_reads');
      await knex.schema.dropTableIfExists('messages');
    },
  },
  {
    name: '0016_user_admin',
    async up(knex) {
      // The sysop's user editor (issue 16): a lock that refuses logins without touching
      // the level, classic A-Z flags, and the sysop's private notes.
      await knex.schema.alterTable('users', (t) => {
        t.boolean('locked').notNullable().defaultTo(false);
        t.string('flags', 26).notNullable().defaultTo('');
        t.text('notes').nullable();
      });
    },
    async down(knex) {
      await knex.schema.alterTable('users', (t) => {
        t.dropColumn('notes');
        t.dropColumn('flags');
        t.dropColumn('locked');
      });
    },
  },
  {
    name: '0020_files',
    async up(knex) {
      // The file areas' index: the folders on disk are the truth, `carrier files scan` syncs.
      await knex.schema.createTable('file_entries', (t) => {
        t.increments('id');
        t.string('area', 32).notNullable();
        t.string('name', 255).notNullable();
        t.string('name_key', 255).notNullable();
        t.bigInteger('size').notNullable();
        t.string('sha256', 64).notNullable();
        t.string('description', 512).notNullable().defaultTo('');
        t.integer('uploader_id').nullable().references('id').inTable('users').onDelete('SET NULL');
        t.bigInteger('added_at').notNullable();
        t.bigInteger('mtime').notNullable();
        t.integer('downloads').notNullable().defaultTo(0);
        t.unique(['area', 'name_key']);
        t.index(['sha256']);
        t.index(['added_at']);
      });
      // Uploads wait here, outside every area, until the sysop approves them.
      await knex.schema.createTable('file_uploads', (t) => {
        t.increments('id');
        t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
        t.string('name', 255).notNullable();
        t.bigInteger('size').notNullable();
        t.string('sha256', 64).notNullable();
        t.string('description', 512).notNullable().defaultTo('');
        t.string('stored', 255).notNullable();
        t.bigInteger('uploaded_at').notNullable();
        t.string('status', 16).notNullable();
        t.string('area', 32).nullable();
        t.index(['user_id', 'uploaded_at']);
        t.index(['sha256']);
      });
      // "New files since my last visit": when each user last looked.
      await knex.schema.createTable('file_scans', (t) => {
        t.integer('user_id').primary().references('id').inTable('users').onDelete('CASCADE');
        t.bigInteger('scanned_at').notNullable();
      });
    },
    async down(knex) {
      await knex.schema.dropTableIfExists('file_scans');
      await knex.schema.dropTableIfExists('file_uploads');
      await knex.schema.dropTableIfExists('file_entries');
    },
  },
  {
    name: '0030_doors',
    async up(knex) {
      // Seconds each user spent in each door, per UTC day: a door's daily limit.
      await knex.schema.createTable('door_usage', (t) => {
        t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
        t.string('door', 32).notNullable();
        t.string('day', 10).notNullable();
        t.integer('seconds').notNullable().defaultTo(0);
        t.primary(['user_id', 'door', 'day']);
      });
    },
    async down(knex) {
      await knex.schema.dropTableIfExists('door_usage');
    },
  },
  {
    name: '0040_handle_skeleton',
    async up(knex) {
      // The look-alike key (handles.ts, handleSkeleton): unique, so `aIice` cannot join
      // next to `alice`. Existing accounts get theirs here; where two old handles already
      // collide, the older account keeps the key and the newer one has none (NULLs never clash).
      await knex.schema.alterTable('users', (t) => {
        t.string('handle_skeleton', 32).nullable();
      });
      const rows = (await knex('users').select('id', 'handle').orderBy('id')) as Array<{ id: number; handle: string }>;
      const seen = new Set<string>();
      for (const row of rows) {
        const skeleton = handleSkeleton(row.handle);
        if (seen.has(skeleton)) continue;
        seen.add(skeleton);
        await knex('users').where({ id: row.id }).update({ handle_skeleton: skeleton });
      }
      await knex.schema.alterTable('users', (t) => {
        t.unique(['handle_skeleton'], { indexName: 'users_handle_skeleton_unique' });
      });
    },
    async down(knex) {
      await knex.schema.alterTable('users', (t) => {
        t.dropUnique(['handle_skeleton'], 'users_handle_skeleton_unique');
        t.dropColumn('handle_skeleton');
      });
    },
  },
  {
    name: '0050_user_settings',
    async up(knex) {
      // The caller's own choices on the user-settings screen (U): an encoding applied at
      // every login (NULL: as negotiated) and hotkey or lightbar menus.
      await knex.schema.alterTable('users', (t) => {
        t.string('encoding', 8).nullable();
        t.string('menu_style', 8).notNullable().defaultTo('hotkeys');
      });
    },
    async down(knex) {
      await knex.schema.alterTable('users', (t) => {
        t.dropColumn('menu_style');
        t.dropColumn('encoding');
      });
    },
  },
  {
    name: '0060_call_process',
    async up(knex) {
      // Which carrier process serves the call (its unique process id), so the process that
      // notices a dead one can end the calls it left open.
      await knex.schema.alterTable('calls', (t) => {
        t.string('process_id', 128).nullable();
        t.index(['process_id'], 'calls_process_id_idx');
      });
    },
    async down(knex) {
      await knex.schema.alterTable('calls', (t) => {
        t.dropIndex(['process_id'], 'calls_process_id_idx');
        t.dropColumn('process_id');
      });
    },
  },
  {
    name: '0070_processes',
    async up(knex) {
      // Each running carrier process's last sign of life, moved forward every few seconds,
      // so the calls of a process that died end at that time even when no other process
      // saw it die (a Redis that restarted empty, a whole host rebooted).
      await knex.schema.createTable('processes', (t) => {
        t.string('id', 128).primary();
        t.bigInteger('seen_at').notNullable();
      });
    },
    async down(knex) {
      await knex.schema.dropTable('processes');
    },
  },
  {
    name: '0080_calls_started_at',
    async up(knex) {
      // "Last callers" lists ended calls by logon time, the time it shows.
      await knex.schema.alterTable('calls', (t) => {
        t.index(['started_at'], 'calls_started_at_idx');
      });
    },
    async down(knex) {
      await knex.schema.alterTable('calls', (t) => {
        t.dropIndex(['started_at'], 'calls_started_at_idx');
      });
    },
  },
  {
    name: '0090_message_recipient',
    async up(knex) {
      // A public message's To: names an account, not only a handle: a handle freed by a deleted
      // account and taken by a new one must not make the old account's messages the new one's.
      // SET NULL: a message to a deleted account is to nobody's account, whoever takes the handle.
      if (knex.client.config.client === 'pg') {
        await knex.schema.alterTable('messages', (t) => {
          t.integer('to_user_id').nullable().references('id').inTable('users').onDelete('SET NULL');
        });
      } else {
        // (knex adds a foreign key on SQLite by copying the table, which drops its FTS triggers;
        // SQLite itself adds a column with a reference whose default is NULL in place)
        await knex.raw('alter table messages add column to_user_id integer null references users(id) on delete set null');
      }
      await knex.schema.alterTable('messages', (t) => {
        t.index(['to_user_id', 'id'], 'messages_to_user_idx');
      });
      // Messages already addressed to a handle: to the account of that handle, if it existed
      // when the message was written (one made later took a handle somebody had before).
      const names = (await knex('messages').distinct('to_handle')) as Array<{ to_handle: string }>;
      for (const { to_handle: handle } of names) {
        const user = (await knex('users').where({ handle_key: handleKey(handle) }).first('id', 'created_at')) as
          | { id: number; created_at: number | string }
          | undefined;
        if (!user) continue;
        await knex('messages').where({ to_handle: handle }).andWhere('created_at', '>=', Number(user.created_at)).update({ to_user_id: user.id });
      }
    },
    async down(knex) {
      await knex.schema.alterTable('messages', (t) => {
        t.dropIndex(['to_user_id', 'id'], 'messages_to_user_idx');
      });
      if (knex.client.config.client === 'pg') {
        await knex.schema.alterTable('messages', (t) => {
          t.dropForeign(['to_user_id']);
          t.dropColumn('to_user_id');
        });
      } else {
        await knex.raw('alter table messages drop column to_user_id');
      }
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
