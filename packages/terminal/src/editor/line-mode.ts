/**
 * The editor for dumb terminals (or callers who prefer it): one line typed at a time.
 * A line that is only a command acts: `/s` saves, `/a` aborts, `/q` quotes (all, or
 * `/q 2-5`), `/l` lists what is written so far, `/d 2-5` deletes lines, `/e 3` edits one,
 * `/?` helps. Pure: the glue prints (and reads the new text of a line `/e` names).
 */
export type LineModeOutcome =
  | { kind: 'continue'; refused?: string }
  | { kind: 'save'; text: string }
  | { kind: 'abort' }
  | { kind: 'list'; lines: readonly string[] }
  | { kind: 'quoted'; lines: readonly string[] }
  | { kind: 'deleted'; numbers: readonly number[]; lines: readonly string[] }
  | { kind: 'edit'; line: number; text: string }
  | { kind: 'help'; lines: readonly string[] };

export const LINE_MODE_HELP = [
  '/s save',
  '/a abort',
  '/q quote all, /q 2-5 some lines',
  '/l list',
  '/d 3 delete line 3, /d 2-5 some lines',
  '/e 3 edit line 3',
  '/? this help',
];

/** What `/q`, `/d` and `/e` take: line numbers (`3`, `2-5`, `1,4-6`), or nothing. */
const LINE_NUMBERS = /^[\d\s,-]*$/;

export class LineModeEditor {
  private readonly lines: string[] = [];
  private bytes = 0;

  /**
   * `initial` is the text the message starts with (a reply's quote), its lines numbered
   * from 1 as typed ones: a final newline only says the caller's typing starts on a line
   * of its own (as the full-screen editor's cursor does), so it adds no empty line.
   */
  constructor(
    private readonly opts: { maxBytes: number; maxLines: number; quote?: readonly string[]; initial?: string },
  ) {
    if (opts.initial) for (const l of opts.initial.replace(/\n$/, '').split('\n')) if (!this.add(l)) break;
  }

  /** The lines so far: the caller's line numbers are these indexes plus one. */
  get written(): readonly string[] {
    return this.lines;
  }

  get text(): string {
    return this.lines.join('\n').replace(/\s+$/, '');
  }

  get quote(): readonly string[] {
    return this.opts.quote ?? [];
  }

  feedLine(input: string): LineModeOutcome {
    const command = /^\/([a-z?])\s*(.*)$/i.exec(input.trim());
    // A command is alone on its line, with line numbers after it where it takes them: a line
    // such as `/sure, see you then` is text (it saved the message), `/quit smoking` too.
    const [, name, arg = ''] = command ?? [];
    const acts = name !== undefined && (/[dqe]/i.test(name) ? LINE_NUMBERS.test(arg) : arg === '');
    if (acts) {
      switch (name.toLowerCase()) {
        case 's': {
          const text = this.text;
          return text.trim() === '' ? { kind: 'continue', refused: 'Nothing to send yet: type a line first, or /a aborts.' } : { kind: 'save', text };
        }
        case 'a':
          return { kind: 'abort' };
        case 'l':
          return { kind: 'list', lines: [...this.lines] };
        case 'q': {
          const picked = pickLines(this.quote, arg);
          const added: string[] = [];
          for (const l of picked) {
            if (!this.add(l)) break;
            added.push(l);
          }
          return { kind: 'quoted', lines: added };
        }
        case 'd':
          return this.delete(arg);
        case 'e':
          return this.edit(arg);
        case '?':
          return { kind: 'help', lines: LINE_MODE_HELP };
        default:
          break;
      }
    }
    return this.add(input) ? { kind: 'continue' } : { kind: 'continue', refused: 'The message is full: /s saves it.' };
  }

  /**
   * Line `line` (from 1) becomes `text` (what the caller typed after `/e`); a refusal says
   * why when it would not fit, and the line stays as it was.
   */
  replace(line: number, text: string): string | undefined {
    const old = this.lines[line - 1];
    if (old === undefined) return 'No such line.';
    const bytes = this.bytes - Buffer.byteLength(old, 'utf8') + Buffer.byteLength(text, 'utf8');
    if (bytes > this.opts.maxBytes) return 'The message is full: the line is as it was.';
    this.lines[line - 1] = text;
    this.bytes = bytes;
    return undefined;
  }

  private delete(spec: string): LineModeOutcome {
    const gone = new Set(pickNumbers(this.lines.length, spec));
    if (gone.size === 0) return { kind: 'continue', refused: 'No such lines: /d 3 deletes line 3, /d 2-5 some (/l lists them).' };
    for (const i of [...gone].sort((a, b) => b - a)) {
      this.bytes -= Buffer.byteLength(this.lines[i - 1]!, 'utf8') + 1;
      this.lines.splice(i - 1, 1);
    }
    return { kind: 'deleted', numbers: [...gone].sort((a, b) => a - b), lines: [...this.lines] };
  }

  private edit(spec: string): LineModeOutcome {
    const line = Number(spec.trim());
    const text = this.lines[line - 1];
    return Number.isInteger(line) && text !== undefined ? { kind: 'edit', line, text } : { kind: 'continue', refused: 'No such line: /e 3 edits line 3 (/l lists them).' };
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
  return pickNumbers(lines.length, spec).map((i) => lines[i - 1]!);
}

/** The line numbers (from 1, of `count` lines) a non-empty `pickLines` spec names, in its order. */
function pickNumbers(count: number, spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(',').slice(0, 20)) {
    const m = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5}))?\s*$/.exec(part);
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let i = Math.max(1, from); i <= Math.min(count, to); i++) out.push(i);
  }
  return out;
}
