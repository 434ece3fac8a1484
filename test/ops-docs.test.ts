/** The operations files rendered from code (`npm run dashboards`) are committed exactly as rendered. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DASHBOARDS } from '../deploy/dashboards/index.js';
import { DEPLOY_README, renderedFiles, withGeneratedParts } from '../scripts/render-ops.js';
import { METRICS } from '../services/coordinator/src/nest/metric-catalogue.js';

const root = new URL('../', import.meta.url);

describe('npm run dashboards', () => {
  it('wrote every dashboard and the ConfigMap as the code declares them, byte for byte', async () => {
    const files = renderedFiles();
    expect([...files.keys()]).toEqual([
      ...Object.keys(DASHBOARDS).map((f) => `deploy/grafana/${f}`),
      'k8s/components/dashboards/grafana-dashboards.yaml',
      'docs/environment.md',
    ]);
    for (const [path, text] of files) expect(await readFile(new URL(path, root), 'utf8'), path).toBe(text);
  });

  it('puts the same dashboards in the ConfigMap the Grafana sidecar loads', async () => {
    const cm = parseYaml(files('k8s/components/dashboards/grafana-dashboards.yaml')) as {
      metadata: { labels: Record<string, string> };
      data: Record<string, string>;
    };
    expect(cm.metadata.labels.grafana_dashboard).toBe('1');
    for (const file of Object.keys(DASHBOARDS)) expect(cm.data[file]).toBe(files(`deploy/grafana/${file}`));
  });

  it("keeps deploy/README.md's metric catalogue and panel lists in step with the code", async () => {
    const text = await readFile(DEPLOY_README, 'utf8');
    expect(text).toBe(withGeneratedParts(text));
    for (const m of Object.values(METRICS)) expect(text).toContain(`| \`${m.name}\` | ${m.type} |`);
    expect(() => withGeneratedParts('# no markers')).toThrow(/markers .* are missing/);
  });
});

function files(path: string): string {
  const text = renderedFiles().get(path);
  if (text === undefined) throw new Error(`${path} is not rendered`);
  return text;
}
