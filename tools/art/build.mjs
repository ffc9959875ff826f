#!/usr/bin/env node
// Writes art/<name>.ans (CP437 with SAUCE, its width in tinfo1) for every screen in screens.mjs.
//   node tools/art/build.mjs        (after `npm run build`, it uses @carrier/terminal's SAUCE writer)
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSauce, encodeCp437Art } from '@carrier/terminal';
import { screens } from './screens.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
for (const [name, screen] of Object.entries(screens)) {
  const text = '\x1b[0m\x1b[2J\x1b[H' + screen.lines.join('\r\n') + '\r\n';
  const body = encodeCp437Art(text);
  const sauce = buildSauce({
    title: screen.title,
    author: 'carrier',
    group: 'carrier',
    date: '20261121',
    fileSize: body.length,
    dataType: 1,
    fileType: 1,
    tinfo1: screen.width ?? 80,
    tinfo2: screen.lines.length,
    letterSpacing: 1,
    comments: ['The default carrier board. Edit freely: it is your board now.'],
  });
  writeFileSync(join(root, 'art', `${name}.ans`), Buffer.concat([body, sauce]));
  console.log(`art/${name}.ans: ${body.length} bytes, ${screen.lines.length} rows`);
}
