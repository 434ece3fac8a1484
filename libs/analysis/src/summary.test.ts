import { describe, expect, it } from 'vitest';
import { meanAbsBySite, sortedRowsBySite } from './summary.js';

const m = { sites: 2, width: 3, values: Float64Array.of(0, 0, 0, -3, 1, 2) };

describe('summary helpers', () => {
  it('mean |NMD| per site', () => {
    expect(Array.from(meanAbsBySite(m))).toEqual([0, 2]);
  });

  it('sorts each site row for the heatmap', () => {
    expect(Array.from(sortedRowsBySite(m).values)).toEqual([0, 0, 0, 2, 1, -3]);
    expect(Array.from(sortedRowsBySite(m, 'ascending').values)).toEqual([0, 0, 0, -3, 1, 2]);
    expect(() => meanAbsBySite({ sites: 2, width: 3, values: new Float64Array(5) })).toThrow(
      /expected sites\*width/,
    );
  });
});
