import type { Knex } from 'knex';

/** Time spent in doors, per user, door and UTC day (migration 0030_doors): a door's daily limit. */
export interface DoorUsageRepository {
  /** Seconds `userId` spent in `door` on the UTC day of `at` (default now). */
  secondsOn(userId: number, door: string, at?: number): Promise<number>;
  /** Add `seconds` to today's total (the UTC day of `at`, default now); returns the new total. */
  add(userId: number, door: string, seconds: number, at?: number): Promise<number>;
}

/** A run is counted in whole seconds; one call cannot add more than a day. */
const MAX_ADD_SECONDS = 86_400;

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function createDoorUsageRepository(deps: { knex: Knex; clock: () => number }): DoorUsageRepository {
  const { knex, clock } = deps;
  const read = async (userId: number, door: string, day: string): Promise<number> => {
    const row = (await knex('door_usage').where({ user_id: userId, door, day }).first('seconds')) as { seconds: number | string } | undefined;
    return row ? Number(row.seconds) : 0;
  };
  return {
    secondsOn: (userId, door, at) => read(userId, door, utcDay(at ?? clock())),
    async add(userId, door, seconds, at) {
      const day = utcDay(at ?? clock());
      const n = Math.min(MAX_ADD_SECONDS, Math.max(0, Math.round(seconds)));
      await knex('door_usage')
        .insert({ user_id: userId, door, day, seconds: n })
        .onConflict(['user_id', 'door', 'day'])
        .merge({ seconds: knex.raw('?? + ?', ['door_usage.seconds', n]) });
      return read(userId, door, day);
    },
  };
}
