// Oneliners (menu key O): the last 20 lines on the wall, newest at the bottom, and one
// line of your own to add. The store cleans what is typed (no escape sequences, capped
// length, nothing invisible-only), keeps at most `oneliners.keep` rows, and holds each
// caller to `oneliners.perCaller` of the lines on the wall; chat's per-user line rate
// applies too. The sysop can page back through older lines and delete any of them.
import { isCarrierError } from '@carrier/core';
import { clipToWidth, drawAndReadKey, firstFitting, pipeLiteral, readLineUnder, wrapLine, type DrawAbove, type Session } from '@carrier/engine';
import { LEVELS, ONELINER_MAX_LENGTH, ONELINER_WALL, type Oneliner } from '@carrier/store';

export default async function oneliners(s: Session): Promise<void> {
  s.setActivity('oneliners');
  const sysop = (s.user?.level ?? 0) >= LEVELS.sysop;
  /** Older pages the sysop stepped back through: the id each page starts below. */
  const pages: number[] = [];
  for (;;) {
    const before = pages.at(-1);
    const wall = (await s.store.oneliners.recent(ONELINER_WALL, before === undefined ? {} : { beforeId: before })).reverse();
    const title = (): void => {
      s.clear();
      const what = before === undefined ? 'what callers left on the wall' : `older lines, page ${pages.length + 1}`;
      s.println(firstFitting([`|15Oneliners |08- |07${what}`], s.terminal.cols) ?? '|15Oneliners');
      s.println(`|08${'-'.repeat(Math.min(78, s.terminal.cols - 1))}`);
    };
    title();
    const width = Math.max(20, s.terminal.cols - 1);
    // Text from the store is clean; '|' is doubled so a caller's pipe codes print as typed.
    const lines = wall.flatMap((o, i) => {
      const number = String(i + 1).padStart(2);
      const row = `${number} ${o.handle.slice(0, 15).padEnd(16)}${o.text}`;
      // Cut by columns, not characters: a line of wide (CJK) characters wrapped onto a second row.
      if (width >= 3 + 16 + ONELINER_MAX_LENGTH) return [`|07${pipeLiteral(clipToWidth(row, width))}`];
      // Narrower than a full line (a phone's browser, a 40-column terminal): the line goes on
      // under itself, broken between words, rather than cut off.
      const rows = wrapLine(`${number} ${o.handle.slice(0, 15)}: ${o.text}`, width, false, width - 3);
      return rows.map((r, n) => `|07${n === 0 ? '' : '   '}${pipeLiteral(r)}`);
    });
    if (wall.length === 0) lines.push(before === undefined ? '|07The wall is empty. Be the first.' : '|07Nothing older.');
    // A page at a time, the two rows above and the blank row and prompt below kept in view
    // (printed straight, the title scrolled off a window shorter than 24 rows). Q at the
    // more-prompt stops the listing; the prompt below still comes. The title is drawn again
    // with the page for a sysop's spy that starts at the more-prompt.
    await s.pager(lines.join('\n'), { pipeCodes: true, above: 3, drawAbove: title });
    s.println('');
    const sysopKeys = sysop ? '|08[|15D|08]|07elete  |08[|15B|08]|07ack  |08[|15F|08]|07orward  ' : '';
    const promptRow =
      firstFitting(
        [
          `|08[|15A|08]|07dd a line  ${sysopKeys}|08[|15Q|08]|07uit: `,
          `|08[|15A|08]|07dd ${sysop ? '|08[|15D|08]|07el |08[|15B|08]|07ack |08[|15F|08]|07wd ' : ''}|08[|15Q|08]|07uit: `,
        ],
        s.terminal.cols,
      ) ?? `|08[|15A${sysop ? ' D B F' : ''} Q|08]|07: `;
    const prompt = (): void => s.print(promptRow);
    // A sysop's spy that starts here gets the wall as the caller has it: the title, the
    // lines that fit under it (the last ones), the blank row and the prompt; `below` rows
    // left under the prompt for what a key asks next.
    const atPrompt: DrawAbove = (below) => {
      title();
      for (const line of lines.slice(-Math.max(1, s.terminal.rows - 4 - below))) s.println(line);
      s.println('');
      prompt();
    };
    const key = (await drawAndReadKey(s, prompt, () => atPrompt(0))).toLowerCase();
    s.println('');
    const under: DrawAbove = (below) => {
      atPrompt(below);
      s.println('');
    };
    if (key === 'a') {
      await addLine(s, under);
    } else if (key === 'd' && sysop) {
      await deleteLine(s, wall, under);
    } else if (key === 'b' && sysop) {
      const oldest = wall[0];
      if (oldest) pages.push(oldest.id);
    } else if (key === 'f' && sysop) {
      pages.pop();
    } else if (key === 'q' || key === 'escape' || key === 'enter') {
      return;
    }
  }
}

/** The caller's line for the wall, asked under it (`above`, for a sysop's spy that starts at the prompt). */
async function addLine(s: Session, above: DrawAbove): Promise<void> {
  const text = (await readLineUnder(s, above, '|11Your line: |15', { maxLength: ONELINER_MAX_LENGTH })).trim();
  if (text === '') return;
  const handle = s.user?.handle ?? 'guest';
  if (!s.social.board.allowLine(handle)) {
    s.println('|12Slow down: that line was not added.|07');
    s.log.info('oneliners.flood', { handle });
    await s.pause();
    return;
  }
  try {
    await s.store.oneliners.add({ userId: s.user?.id ?? null, handle, text });
  } catch (err) {
    if (isCarrierError(err, 'VALIDATION')) s.println('|12Nothing printable in that line.|07');
    else if (isCarrierError(err, 'LIMIT_EXCEEDED')) s.println(`|12${err.message} Let others have a say.|07`);
    else throw err;
    await s.pause();
  }
}

async function deleteLine(s: Session, wall: readonly Oneliner[], above: DrawAbove): Promise<void> {
  const typed = (await readLineUnder(s, above, '|11Delete which number? |15', { maxLength: 3 })).trim();
  if (typed === '') return;
  const n = Number(typed);
  const target = Number.isInteger(n) ? wall[n - 1] : undefined;
  // A number the wall does not show says so (the wall was drawn again as if a line had gone).
  if (!target) {
    s.println(`|12No line has the number ${pipeLiteral(typed)}.|07`);
    await s.pause();
    return;
  }
  if (await s.store.oneliners.remove(target.id)) s.log.info('oneliners.deleted', { id: target.id, by: s.user?.handle });
}
