import { describe, expect, it } from 'vitest';
import { accuracyByKind } from './evaluate.js';

describe('accuracyByKind', () => {
  it('splits the phase items’ accuracy by kind, sorted by kind; nothing for a single kind', () => {
    const kinds = ['chain', 'chain-role', 'chain', 'chain-role-color', 'chain-role', 'chain'];
    const right = [true, true, false, false, true, false];
    expect(accuracyByKind(kinds, right)).toEqual({ chain: 1 / 3, 'chain-role': 1, 'chain-role-color': 0 });
    expect(Object.keys(accuracyByKind(kinds, right)!)).toEqual(['chain', 'chain-role', 'chain-role-color']);
    expect(accuracyByKind(['rule', 'rule'], [true, false])).toBeUndefined();
    expect(accuracyByKind([], [])).toBeUndefined();
  });
});
