/**
 * k8s/ against the Kubernetes API schemas, offline: every object of every render (and, without a
 * kustomize to render with, every resource file as written) through kubernetes-models' validators
 * (the OpenAPI schemas of the API server, compiled with ajv). nats-server checks the NATS
 * configuration each render mounts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as apps from 'kubernetes-models/apps/v1';
import * as batch from 'kubernetes-models/batch/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as core from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import {
  find,
  type K8sObject,
  kustomize,
  RENDERS,
  type RenderName,
  read,
  render,
  which,
} from './support/deploy-files.js';

type Model = { apiVersion: string; kind: string; new (data: object): { validate(): void } };

/** Every model of the API groups memgen uses, by `apiVersion/kind`. */
const MODELS = new Map<string, Model>();
for (const group of [core, apps, batch, networking, policy]) {
  for (const value of Object.values(group) as unknown as Model[]) {
    if (typeof value === 'function' && value.apiVersion && value.kind) {
      MODELS.set(`${value.apiVersion}/${value.kind}`, value);
    }
  }
}

/**
 * Validates one object against its kind's schema.
 * @throws Error naming the kind without a schema, or the schema's errors with their paths
 */
function validate(object: K8sObject): void {
  const model = MODELS.get(`${object.apiVersion}/${object.kind}`);
  if (!model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  new model(object).validate();
}

/** The resource files a kustomization lists (not the folders: those are kustomizations themselves). */
function resourceFiles(dir: string): string[] {
  const kustomization = parseYaml(read(`${dir}/kustomization.yaml`));
  return (kustomization.resources ?? [])
    .filter((r: string) => r.endsWith('.yaml'))
    .map((r: string) => `${dir}/${r}`);
}

/** `nats-server -t` on a set of config files (name → text) with the pod's environment. */
function natsConfigCheck(files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'memgen-nats-conf-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const env = { ...process.env, POD_NAME: 'nats-0' } as NodeJS.ProcessEnv;
    for (const role of ['WORKER', 'COORDINATOR', 'OPERATOR']) env[`MEMGEN_NATS_${role}_PASS`] = 'x';
    const run = spawnSync(natsServer!, ['-c', join(dir, 'nats.conf'), '-t'], { encoding: 'utf8', env });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Debian installs it in /usr/sbin, which is not on every user's PATH.
const natsServer = which('nats-server') ?? ['/usr/sbin/nats-server'].find((p) => existsSync(p));

/** The ConfigMap nats-config as written (key=file pairs of the generators), base then `component`. */
function natsConfigFiles(component?: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const dir of ['k8s/base', ...(component ? [`k8s/components/${component}`] : [])]) {
    const generators = parseYaml(read(`${dir}/kustomization.yaml`)).configMapGenerator ?? [];
    for (const entry of generators.find((g: { name: string }) => g.name === 'nats-config')?.files ?? []) {
      const [key, path = key] = (entry as string).split('=');
      files[key!] = read(`${dir}/${path}`);
    }
  }
  return files;
}

describe('k8s resource files match the Kubernetes schemas', () => {
  const files = [...resourceFiles('k8s/base'), ...resourceFiles('k8s/components/ha')];

  it.each(files)('%s', (file) => {
    const objects = parseAllDocuments(read(file)).map((d) => d.toJS() as K8sObject);
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) validate(object);
  });

  it('a schema error fails, naming the field', () => {
    const [nats] = parseAllDocuments(read('k8s/base/nats.yaml')).map((d) => d.toJS() as K8sObject);
    const broken = structuredClone(nats!);
    broken.spec.template.spec.securityContext.runAsUser = 'nats';
    expect(() => validate(broken)).toThrow(
      /spec\/template\/spec\/securityContext\/runAsUser must be integer/,
    );
    delete broken.spec.template.spec.containers[0].name;
    expect(() => validate(broken)).toThrow(/containers\/0 must have required property name/);
    expect(() => validate({ ...nats!, kind: 'StatefulSett' })).toThrow(/no schema for apps\/v1 StatefulSett/);
  });
});

describe.skipIf(!natsServer)(
  `k8s NATS configuration${natsServer ? '' : ' (SKIPPED: no nats-server)'}`,
  () => {
    it.each(['no component', 'ha'])('base + %s: nats-server accepts it', (component) => {
      const check = natsConfigCheck(natsConfigFiles(component === 'ha' ? 'ha' : undefined));
      expect(check.output).toMatch(/configuration file .* is valid/);
      expect(check.status).toBe(0);
    });

    it('nats-server rejects a broken one, and one whose password variable is unset', () => {
      const files = natsConfigFiles('ha');
      expect(natsConfigCheck({ ...files, 'cluster.conf': 'cluster { port: 6222' }).status).not.toBe(0);
      const unset = natsConfigCheck({
        ...files,
        'auth.conf': files['auth.conf']!.replace('WORKER_PASS', 'NO_SUCH'),
      });
      expect(unset.output).toMatch(/MEMGEN_NATS_NO_SUCH/);
    });
  },
);

describe.skipIf(!kustomize)(
  `k8s renders match the schemas${kustomize ? '' : ' (SKIPPED: no kubectl with kustomize v5)'}`,
  () => {
    const rendered = Object.fromEntries(RENDERS.map((r) => [r, render(r)])) as Record<
      RenderName,
      K8sObject[]
    >;

    it.each(RENDERS)('%s: every object is valid for its kind', (r) => {
      const kinds = new Set(rendered[r].map((o) => o.kind));
      for (const kind of ['NetworkPolicy', 'Secret', 'StatefulSet', 'Job'])
        expect(kinds.has(kind), kind).toBe(true);
      if (r.startsWith('ha')) expect(kinds.has('PodDisruptionBudget')).toBe(true);
      for (const object of rendered[r]) {
        expect(() => validate(object), `${object.kind}/${object.metadata.name}`).not.toThrow();
      }
    });

    it.skipIf(!natsServer).each(['cpu', 'ha'] as const)(
      '%s: nats-server accepts the mounted configuration',
      (r) => {
        // The tls render is left out: its certificate files exist only in the cluster.
        const check = natsConfigCheck(find(rendered[r], 'ConfigMap', 'nats-config').data);
        expect(check.output).toMatch(/configuration file .* is valid/);
      },
    );
  },
);
