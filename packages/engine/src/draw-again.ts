/**
 * Registers a screen that can draw itself again (SessionSocial.drawsAgain): the newest on
 * top; `stillShown()` is false once something else took the screen. Returns the unregister.
 */
export type DrawsAgain = (painter: (stillShown: () => boolean) => void) => () => void;

/**
 * The caller's next key, read while the screen they wait at can be drawn again (a sysop's
 * spy starts: it copies only what is sent after that). A key typed while it is being drawn
 * is acted on once the drawing is done, so what the key draws never lands inside it. Each
 * drawing starts after the one before and only while the screen is still shown. The one
 * wait of the screens that draw again (the hotkey menu, the lightbar, the pager).
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
