/**
 * The editor for dumb terminals (or callers who prefer it): one line typed at a time.
 * A line that is only a command acts: `/s` saves, `/a` aborts, `/q` quotes (all, or
 * `/q 2-5`), `/l` lists what is written so far, `/?` helps. Pure: the glue prints.
 */
export type LineModeOutcome =
  | { kind: 'continue'; refused?: string }
  | { kind: 'save'; text: string }
  | { kind: 'abort' }
  | { kind: 'list'; lines: readonly string[] }
  | { kind: 'quoted'; lines: readonly string[] }
  | { kind: 'help'; lines: readonly string[] };

export const LINE_MODE_HELP = ['/s save', '/a abort', '/q quote all, /q 2-5 some lines', '/l list', '/? this help'];

export class LineModeEditor {
  private readonly lines: string[] = [];
  private bytes = 0;

  constructor(
    private readonly opts: { maxBytes: number; maxLines: number; quote?: readonly string[] },
  ) {}

  get text(): string {
    return this.lines.join('\n').replace(/\s+$/, '');
  }

  get quote(): readonly string[] {
    return this.opts.quote ?? [];
  }

  feedLine(input: string): LineModeOutcome {
    const command = /^\/([a-z?])\s*(.*)$/i.exec(input.trim());
    if (command) {
      const [, name, arg] = command;
      switch (name!.toLowerCase()) {
        case 's': {
          const text = this.text;
          return text.trim() === '' ? { kind: 'continue', refused: 'Nothing to send yet: type a line first, or /a aborts.' } : { kind: 'save', text };
        }
        case 'a':
          return { kind: 'abort' };
        case 'l':
          return { kind: 'list', lines: [...this.lines] };
        case 'q': {
          const picked = pickLines(this.quote, arg ?? '');
          const added: string[] = [];
          for (const l of picked) {
            if (!this.add(l)) break;
            added.push(l);
          }
          return { kind: 'quoted', lines: added };
        }
        case '?':
          return { kind: 'help', lines: LINE_MODE_HELP };
        default:
          break;
      }
    }
    return this.add(input) ? { kind: 'continue' } : { kind: 'continue', refused: 'The message is full: /s saves it.' };
  }

  private add(line: string): boolean {
    const cost = Buffer.byteLength(line, 'utf8') + 1;
    if (this.lines.length >= this.opts.maxLines || this.bytes + cost > this.opts.maxBytes) return false;
    this.lines.push(line);
    this.bytes += cost;
    return true;
  }
}

/** `""` all; `3`; `2-5`; `1,4-6`. Out-of-range numbers are ignored. */
export function pickLines(lines: readonly string[], spec: string): string[] {
  if (spec.trim() === '') return [...lines];
  const out: string[] = [];
  for (const part of spec.split(',').slice(0, 20)) {
    const m = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5}))?\s*$/.exec(part);
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let i = Math.max(1, from); i <= Math.min(lines.length, to); i++) out.push(lines[i - 1]!);
  }
  return out;
}
