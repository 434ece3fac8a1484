/** Paths and tools the deployment tests share: the repository root, its files, executables on PATH. */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const root = fileURLToPath(new URL('../../', import.meta.url));

/** A file of the repository, as UTF-8. */
export const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The full path of an executable on PATH, or undefined. */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

// biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects are free-form YAML.
export type K8sObject = { apiVersion: string; kind: string; metadata: any; spec?: any; data?: any };

/**
 * What renders the kustomizations offline: kubectl whose built-in kustomize is v5 (older ones,
 * such as Debian's kubectl 1.20 with kustomize 2, know neither components nor labels), else a
 * standalone kustomize; undefined without either.
 */
export const kustomize = findKustomize();

function findKustomize(): { command: string; args: (dir: string) => string[] } | undefined {
  const kubectl = which('kubectl');
  if (kubectl) {
    const version = spawnSync(kubectl, ['version', '--client'], { encoding: 'utf8' }).stdout ?? '';
    if (Number(/Kustomize Version: v(\d+)/.exec(version)?.[1] ?? 0) >= 5) {
      return { command: kubectl, args: (dir) => ['kustomize', dir] };
    }
  }
  const standalone = which('kustomize');
  return standalone ? { command: standalone, args: (dir) => ['build', dir] } : undefined;
}

if (!kustomize)
  console.warn('no kubectl with kustomize v5 (nor kustomize) on PATH: rendered-overlay checks SKIPPED');

/** What the tests render: every overlay, and the ha overlay with the tls component added. */
export const RENDERS = ['cpu', 'gpu', 'ha', 'ha+tls'] as const;
export type RenderName = (typeof RENDERS)[number];

let copy: string | undefined;

/**
 * k8s/ copied to a temporary folder, with nats-users.env made from the committed example: the real
 * file is gitignored (and, where a developer has one, is not read here).
 */
function k8sCopy(): string {
  if (copy) return copy;
  const dir = mkdtempSync(join(tmpdir(), 'memgen-k8s-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(root, 'k8s'), join(dir, 'k8s'), {
    recursive: true,
    filter: (path) => !path.endsWith('nats-users.env'),
  });
  copyFileSync(join(dir, 'k8s/base/nats-users.env.example'), join(dir, 'k8s/base/nats-users.env'));
  copy = dir;
  return dir;
}

/** One render (`overlay` or `overlay+component...`) as plain objects, or [] when nothing renders. */
export function render(name: RenderName): K8sObject[] {
  if (!kustomize) return [];
  const [overlay, ...components] = name.split('+');
  let dir = join(k8sCopy(), 'k8s/overlays', overlay!);
  if (components.length > 0) {
    dir = join(k8sCopy(), 'k8s/overlays', name.replaceAll('+', '-'));
    mkdirSync(dir, { recursive: true });
    const kustomization = [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      `resources: [../${overlay}]`,
      `components: [${components.map((c) => `../../components/${c}`).join(', ')}]`,
    ];
    writeFileSync(join(dir, 'kustomization.yaml'), `${kustomization.join('\n')}\n`);
  }
  const text = execFileSync(kustomize.command, kustomize.args(dir), { encoding: 'utf8' });
  return parseAllDocuments(text).map((d) => d.toJS() as K8sObject);
}

/** The object of `kind` named `name` (generated ones without their hash suffix). */
export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find(
    (o) => o.kind === kind && [o.metadata.name, o.metadata.name.replace(/-[a-z0-9]{10}$/, '')].includes(name),
  );
  if (!found) throw new Error(`no ${kind}/${name} in the rendered objects`);
  return found;
}

/** Every pod template of the workloads (Deployment, StatefulSet, Job), by `Kind/name`. */
// biome-ignore lint/suspicious/noExplicitAny: pod templates are free-form YAML.
export function podTemplates(objects: K8sObject[]): [string, any][] {
  return objects
    .filter((o) => o.spec?.template?.spec)
    .map((o) => [`${o.kind}/${o.metadata.name}`, o.spec.template]);
}
