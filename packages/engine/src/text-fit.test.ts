import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clipToWidth, fitToWidth, tailToWidth } from './text-fit.js';

describe('text cut and padded by screen columns', () => {
  it('clipToWidth cuts by columns and drops a wide character that would straddle the edge', () => {
    assert.equal(clipToWidth('hello world', 5), 'hello');
    assert.equal(clipToWidth('日本語', 5), '日本');
    assert.equal(clipToWidth('a日本', 2), 'a');
    assert.equal(clipToWidth('short', 20), 'short');
    assert.equal(clipToWidth('anything', 0), '');
  });

  it('fitToWidth pads or cuts to exactly the width', () => {
    assert.equal(fitToWidth('ab', 4), 'ab  ');
    assert.equal(fitToWidth('日本語', 5), '日本 ');
    assert.equal(fitToWidth('a日本', 2), 'a ');
    assert.equal(fitToWidth('toolong', 3), 'too');
  });

  it('tailToWidth keeps the end that fits, a wide character at its start left out whole', () => {
    assert.equal(tailToWidth('hello world', 5), 'world');
    assert.equal(tailToWidth('日本語', 5), '本語');
    assert.equal(tailToWidth('日本a', 2), 'a');
    assert.equal(tailToWidth('short', 20), 'short');
    assert.equal(tailToWidth('anything', 0), '');
  });
});
