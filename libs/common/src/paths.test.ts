import { describe, expect, it } from 'vitest';
import { resolveInside } from './paths.js';

describe('resolveInside', () => {
  it('resolves relative paths that stay strictly inside the root', () => {
    expect(resolveInside('/runs/job', 'train/last')).toBe('/runs/job/train/last');
    expect(resolveInside('/runs/job', './a/../b')).toBe('/runs/job/b');
    expect(resolveInside('/runs/job', '..name')).toBe('/runs/job/..name');
  });

  it('refuses absolute paths, escapes and the root itself', () => {
    for (const path of ['/etc', '../other', 'a/../../x', '.', '', 'train/../..'])
      expect(resolveInside('/runs/job', path)).toBeUndefined();
  });
});
