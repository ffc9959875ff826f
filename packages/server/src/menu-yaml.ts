import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { MenuDocument } from '@carrier/engine';

/**
 * A menu file's YAML for the engine's menu schema: the data plus where each key and
 * list entry sits, so every problem can name its line. Aliases are capped: a menu
 * never needs many, and a "billion laughs" file must not expand in memory.
 */
const MAX_ALIASES = 50;

export function parseMenuYaml(text: string): MenuDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineAt = (offset: number | undefined): number | undefined => (offset === undefined ? undefined : lineCounter.linePos(offset).line);
  const errors = doc.errors.map((e) => ({ line: e.linePos?.[0].line ?? lineAt(e.pos[0]), message: e.message.split('\n')[0]! }));
  let value: unknown;
  if (errors.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (err) {
      errors.push({ line: undefined, message: (err as Error).message });
    }
  }
  return {
    value,
    errors,
    lineOf(path) {
      // The deepest node on the path that exists: a missing key is reported where its parent is.
      let node: unknown = doc.contents;
      let line = lineAt((doc.contents as Node | null)?.range?.[0]);
      for (const step of path) {
        if (isMap(node)) {
          const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === step);
          if (!pair) break;
          line = lineAt((pair.key as Node | null)?.range?.[0]) ?? line;
          node = pair.value;
        } else if (isSeq(node) && typeof step === 'number') {
          const item = node.items[step] as Node | undefined;
          if (!item) break;
          line = lineAt(item.range?.[0]) ?? line;
          node = item;
        } else break;
      }
      return line;
    },
  };
}
