import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayWidth, stripPipeCodes } from '@carrier/terminal';
import { keyLegend, keyPrompt, type PromptKey } from './prompt-fit.js';

const READ: PromptKey[] = [['N', 'Next'], ['P', 'Prev'], ['R', 'Reply'], ['T', 'Thread'], ['+', 'thread next'], ['-', 'parent'], ['D', 'Delete'], ['M', 'Move'], ['Q', 'Quit']];

describe('a prompt of hotkeys', () => {
  it('shows the words where they fit, the keys and ? on a narrow screen, always on one row', () => {
    // as it always was where it fits (a caller's reader prompt at 80 columns)
    assert.equal(stripPipeCodes(keyPrompt(READ.filter(([k]) => k !== 'D' && k !== 'M'), 80)), '[N]ext [P]rev [R]eply [T]hread [+]thread next [-]parent [Q]uit: ');
    assert.equal(keyPrompt([['Q', 'Quit']], 80), '|08[|15Q|08]|07uit: ');
    // a sysop's (82 columns, two rows before): the words that start with their key
    assert.equal(stripPipeCodes(keyPrompt(READ, 80)), '[N]ext [P]rev [R]eply [T]hread [+] [-] [D]elete [M]ove [Q]uit [?]: ');
    assert.equal(stripPipeCodes(keyPrompt(READ, 24)), '[N P R T + - D M Q ?]: ');
    assert.equal(stripPipeCodes(keyPrompt(READ, 20)), '[NPRT+-DMQ?]: ');
    for (let cols = 20; cols <= 120; cols++) assert.ok(displayWidth(stripPipeCodes(keyPrompt(READ, cols))) <= cols - 1, `${cols} columns`);
    assert.deepEqual(keyLegend(READ.slice(3, 5)).map(stripPipeCodes), ['T  Thread', '+  thread next']);
  });
});
