import { ConnectionClosedError, type Connection } from '@carrier/core';
import { openView, type View, type ViewOptions } from '@carrier/terminal';

/**
 * A full-screen view for one script: the terminal package's blessed adapter bound to
 * the session's connection, plus a result. The script builds widgets on `screen`
 * (always with `parent: view.screen`), calls close(value) from a key or widget handler,
 * and awaits `result`. The view is closed for it when the script ends or the caller
 * hangs up, so a script that forgets cannot leave a screen behind.
 */
export interface SessionView<T = unknown> {
  /** the blessed module, for widgets: `view.blessed.box({ parent: view.screen, … })` */
  readonly blessed: View['blessed'];
  readonly screen: View['screen'];
  readonly closed: boolean;
  /**
   * Keys read before the view opened (type-ahead), one key's characters each, handed to the
   * screen as if just typed (the session does this on open).
   */
  typeAhead(raws: readonly string[]): void;
  /** Destroy the screen (the caller's own screen comes back) and resolve `result` with `value`. */
  close(value?: T): void;
  /**
   * Resolves with what close() was given once the view is closed; rejects with
   * ConnectionClosedError when the caller hangs up (or the idle timeout ends the call) first.
   */
  readonly result: Promise<T | undefined>;
}

/** The session's side of a view: end it when the script that opened it ends, or the call does. */
export interface SessionViewHandle<T> {
  readonly view: SessionView<T>;
  end(why: 'script ended' | 'hangup'): void;
  /** The screen is lent out (break-in chat): draw nothing until resume, which draws it all. */
  suspend(): void;
  resume(): void;
  /** The screen as the caller has it, for a sysop's spy; nothing is sent to the caller (View.whole). */
  whole(): string | undefined;
}

export function openSessionView<T>(conn: Connection, opts: ViewOptions, onClosed: () => void): SessionViewHandle<T> {
  const view = openView(conn, opts);
  let settle!: { resolve(v: T | undefined): void; reject(e: unknown): void };
  const result = new Promise<T | undefined>((resolve, reject) => (settle = { resolve, reject }));
  // A script that never awaits the result must not turn a hang-up into an unhandled rejection.
  result.catch(() => undefined);
  let done = false;
  const finish = (value: T | undefined, why: 'closed' | 'script ended' | 'hangup'): void => {
    if (done) return;
    done = true;
    conn.off('close', onHangup);
    view.close();
    onClosed();
    if (why === 'hangup') settle.reject(new ConnectionClosedError('caller left during a full-screen view'));
    else settle.resolve(value);
  };
  const onHangup = (): void => finish(undefined, 'hangup');
  conn.once('close', onHangup);
  const sessionView: SessionView<T> = {
    blessed: view.blessed,
    screen: view.screen,
    get closed() {
      return done;
    },
    typeAhead: (raws: readonly string[]) => view.typeAhead(raws),
    close: (value?: T) => finish(value, conn.closed ? 'hangup' : 'closed'),
    result,
  };
  if (conn.closed) onHangup();
  return { view: sessionView, end: (why) => finish(undefined, why), suspend: () => view.suspend(), resume: () => view.resume(), whole: () => view.whole() };
}
