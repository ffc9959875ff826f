import type { Knex } from 'knex';
import { CarrierError, ErrorCodes } from '@carrier/core';
import { createCallsRepository, type CallStart } from './calls.js';

export interface LoginRecord extends CallStart {
  userId: number;
}

export interface LoginsRepository {
  /**
   * A caller logged in: count the call on the user and open its call record, both or
   * neither (one transaction), so a database that fails halfway never leaves a counted
   * login without its call. Returns the call id. Throws NOT_FOUND for an unknown user.
   */
  record(input: LoginRecord): Promise<number>;
}

export function createLoginsRepository(deps: { knex: Knex; clock: () => number; processId?: string | undefined }): LoginsRepository {
  const { knex, clock, processId } = deps;
  return {
    record(input) {
      if (!Number.isSafeInteger(input.userId)) {
        return Promise.reject(new CarrierError(ErrorCodes.NOT_FOUND, `no user with id ${input.userId}`, { id: input.userId }));
      }
      return knex.transaction(async (trx) => {
        const changed = await trx('users')
          .where({ id: input.userId })
          .update({ last_login_at: clock(), call_count: trx.raw('call_count + 1') });
        if (changed !== 1) throw new CarrierError(ErrorCodes.NOT_FOUND, `no user with id ${input.userId}`, { id: input.userId });
        return createCallsRepository({ knex: trx, clock, processId }).start(input);
      });
    },
  };
}
