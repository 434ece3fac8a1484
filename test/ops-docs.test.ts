/** The operations files rendered from code (`npm run dashboards`) are committed as rendered. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DEPLOY_README, withMetricCatalogue } from '../scripts/render-ops-docs.js';
import { METRICS } from '../services/coordinator/src/nest/metric-catalogue.js';

describe('deploy/README.md', () => {
  it('holds the metric catalogue exactly as the code declares it (npm run dashboards)', async () => {
    const text = await readFile(DEPLOY_README, 'utf8');
    expect(text).toBe(withMetricCatalogue(text));
    for (const m of Object.values(METRICS)) expect(text).toContain(`| \`${m.name}\` | ${m.type} |`);
  });

  it('names the markers when they are missing', () => {
    expect(() => withMetricCatalogue('# no markers')).toThrow(/markers .* are missing/);
  });
});
