import { CarrierError, ErrorCodes } from '@carrier/core';
import { MENU_PREFIX } from '../menu/types.js';
import type { ScriptFunction, Session } from '../session-api.js';
import type { SessionContext } from './context.js';

/**
 * What the script stack runs for `name`: the menu `menu:<name>` (through the board's
 * menus, handed over in the context) or the script `name`, wrapped so the full-screen
 * views it opened are closed when it ends.
 */
export async function loadFrame(
  name: string,
  ctx: Pick<SessionContext, 'menus' | 'loader'>,
  depth: () => number,
  scriptEnded: (depth: number) => void,
): Promise<ScriptFunction> {
  let fn: ScriptFunction;
  if (name.startsWith(MENU_PREFIX)) {
    if (!ctx.menus) throw new CarrierError(ErrorCodes.NOT_FOUND, `this board has no menus (asked for ${name})`);
    fn = ctx.menus.frame(name.slice(MENU_PREFIX.length));
  } else {
    fn = await ctx.loader.load(name);
  }
  return async (s: Session, ...args: unknown[]) => {
    const at = depth();
    try {
      return await fn(s, ...args);
    } finally {
      scriptEnded(at);
    }
  };
}
