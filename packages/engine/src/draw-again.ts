import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Registers a screen that can draw itself again (SessionSocial.drawsAgain): the newest on
 * top; `stillShown()` is false once something else took the screen. Returns the unregister.
 */
export type DrawsAgain = (painter: (stillShown: () => boolean) => void) => () => void;

/** Where a screen drawn again for a sysop's spy goes: the spy's copy alone, in the caller's encoding. */
export interface SpyOutput {
  write(text: string): void;
  writeBytes(bytes: Buffer): void;
}

/**
 * The spy a drawing is for, through every await of it (art is read from disk first): what
 * that drawing writes reaches the spy and not the caller, whose screen already shows it,
 * while whatever else the session writes meanwhile (a notice, another caller's line) still
 * reaches the caller.
 */
const forSpy = new AsyncLocalStorage<SpyOutput>();

/** Run `draw` (and what it goes on to do after its awaits) with its output sent to `out` only. */
export function drawForSpy<T>(out: SpyOutput, draw: () => T): T {
  return forSpy.run(out, draw);
}

/** The spy the drawing running now is for; undefined for the caller's own output. */
export function spyDrawing(): SpyOutput | undefined {
  return forSpy.getStore();
}

/**
 * The caller's next key, read while the screen they wait at can be drawn again (a sysop's
 * spy starts: it copies only what is sent after that). A key typed while it is being drawn
 * is acted on once the drawing is done, so what the key draws never lands inside the spy's
 * copy of it. Each drawing starts after the one before and only while the screen is still
 * shown. The one wait of the screens that draw again (the hotkey menu, the lightbar, the pager).
 */
export async function readKeyDrawingAgain<K>(
  drawsAgain: DrawsAgain | undefined,
  readKey: () => Promise<K>,
  draw: (stillShown: () => boolean) => Promise<void> | void,
  failed: (err: unknown) => void = () => undefined,
): Promise<K> {
  if (!drawsAgain) return readKey();
  let drawing = Promise.resolve();
  const stop = drawsAgain((stillShown) => {
    drawing = drawing.then(() => (stillShown() ? draw(stillShown) : undefined)).catch(failed);
  });
  try {
    return await readKey();
  } finally {
    stop();
    await drawing;
  }
}

/**
 * A line-mode screen that clears and draws itself whole (`draw`), then the caller's key:
 * a sysop's spy that starts while they wait gets `draw` again, for the spy alone. For
 * scripts' own list-and-prompt screens (the doors list, user settings, ssh keys). A
 * screen printed below earlier output (a menu's header and prompt, a listing's page, a
 * prompt under a message) gives `spyDraw`: its current page from a clear screen, since
 * the spy's copy starts blank.
 */
export async function drawAndReadKey(
  s: { readonly social: { drawsAgain: DrawsAgain }; readKey(): Promise<string> },
  draw: () => void,
  spyDraw: () => void = draw,
): Promise<string> {
  draw();
  return readKeyDrawingAgain((painter) => s.social.drawsAgain(painter), () => s.readKey(), spyDraw);
}

/**
 * A page printed below earlier output (a menu's header and prompt, a listing's page), then
 * the caller's key: a sysop's spy that starts while they wait gets the page from a clear
 * screen (its copy starts blank), for the spy alone.
 */
export function printAndReadKey(
  s: { readonly social: { drawsAgain: DrawsAgain }; readKey(): Promise<string>; clear(): void },
  draw: () => void,
): Promise<string> {
  return drawAndReadKey(s, draw, () => {
    s.clear();
    draw();
  });
}

/**
 * A page printed below earlier output that ends with a line prompt (a listing and `Read
 * which number?`), then the caller's line: a sysop's spy that starts while they type gets
 * the page from a clear screen and the half-typed line on its prompt, for the spy alone.
 */
export function printAndReadLine<O extends object>(
  s: { readLine(opts: NoInfer<O> & { spyDraw: () => void }): Promise<string>; clear(): void },
  draw: () => void,
  opts: O,
): Promise<string> {
  draw();
  return s.readLine({
    ...opts,
    spyDraw: () => {
      s.clear();
      draw();
    },
  });
}

/**
 * What a screen printed below earlier output draws again from a clear one for a sysop's
 * spy, `below` rows left under it for what is printed after (a prompt, and the answers
 * given above it): a menu and its key, a message and the reader's prompt.
 */
export type DrawAbove = (below: number) => void;

/**
 * A key prompt printed under the screen `above` draws and under `answered` (the rows of the
 * prompts answered before it: `To: sys` over `Mail sysop? [Y/n]`), then the caller's key:
 * a sysop's spy that starts while they wait gets that screen and the prompt, for the spy alone.
 */
export function readKeyUnder(
  s: { readonly social: { drawsAgain: DrawsAgain }; readKey(): Promise<string>; print(text: string): void; println(text: string): void },
  above: DrawAbove,
  prompt: string,
  answered: readonly string[] = [],
): Promise<string> {
  return drawAndReadKey(s, () => s.print(prompt), drawUnder(s, above, prompt, answered));
}

/**
 * A line prompt printed under the screen `above` draws and under `answered` (the rows of
 * the prompts answered before it, as the caller typed them: `To: alice` over `Subject:`),
 * then the caller's line: a sysop's spy that starts while they type gets that screen, the
 * prompt and the half-typed line, for the spy alone.
 */
export function readLineUnder<O extends object>(
  s: { readLine(opts: NoInfer<O> & { spyDraw: () => void }): Promise<string>; print(text: string): void; println(text: string): void },
  above: DrawAbove,
  prompt: string,
  opts: O,
  answered: readonly string[] = [],
): Promise<string> {
  s.print(prompt);
  return s.readLine({ ...opts, spyDraw: drawUnder(s, above, prompt, answered) });
}

/** From a clear screen: what `above` draws, the `answered` rows and `prompt` (the spy's copy of a prompt asked under them). */
function drawUnder(s: { print(text: string): void; println(text: string): void }, above: DrawAbove, prompt: string, answered: readonly string[]): () => void {
  // A prompt or answer broken between words at a narrow screen's width holds its rows' breaks.
  const rows = (text: string): number => text.split('\n').length;
  return () => {
    above(answered.reduce((n, row) => n + rows(row), 0) + rows(prompt));
    for (const row of answered) s.println(row);
    s.print(prompt);
  };
}
