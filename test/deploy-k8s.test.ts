/**
 * k8s/: both kustomize overlays rendered by kubectl (offline): the objects, probes, limits,
 * configuration references, the coordinator Job's spec and the GPU requests.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { parseSweepSpec } from '../services/coordinator/src/sweep-spec.js';
import { root, which } from './support/deploy-files.js';

// biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects are free-form YAML.
type K8sObject = { kind: string; metadata: { name: string; namespace?: string }; spec?: any; data?: any };
const kubectl = which('kubectl');
if (!kubectl) console.warn('kubectl not installed: kustomize overlay checks SKIPPED');

/** Renders an overlay with `kubectl kustomize` (offline) into plain objects. */
function render(overlay: string): K8sObject[] {
  const text = execFileSync(kubectl!, ['kustomize', join(root, 'k8s/overlays', overlay)], {
    encoding: 'utf8',
  });
  return parseAllDocuments(text).map((d) => d.toJS() as K8sObject);
}

const STAGES = ['trainer', 'activation-recorder', 'probe-fitter', 'steering-evaluator'];
const MODEL_STAGES = ['trainer', 'activation-recorder', 'steering-evaluator'];

describe.skipIf(!kubectl)(`k8s overlays${kubectl ? '' : ' (SKIPPED: kubectl not installed)'}`, () => {
  const rendered = kubectl ? { cpu: render('cpu'), gpu: render('gpu') } : { cpu: [], gpu: [] };
  const find = (objects: K8sObject[], kind: string, name: string) => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!found) throw new Error(`no ${kind}/${name} in the rendered overlay`);
    return found;
  };

  it.each(['cpu', 'gpu'] as const)('%s renders the expected objects, all in namespace memgen', (overlay) => {
    const objects = rendered[overlay];
    // Generated ConfigMaps carry a content hash suffix: compare without it.
    const names = objects.map((o) => `${o.kind}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`).sort();
    expect(names).toEqual(
      [
        'ConfigMap/memgen-config',
        'ConfigMap/memgen-sweep-spec',
        'Job/memgen-sweep',
        'PersistentVolumeClaim/memgen-results',
        'Service/nats',
        'Service/nats-headless',
        'StatefulSet/nats',
        ...STAGES.flatMap((s) => [`Deployment/memgen-${s}`, `Service/memgen-${s}`]),
      ].sort(),
    );
    for (const o of objects) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe('memgen');
  });

  it.each(['cpu', 'gpu'] as const)(
    '%s: each stage Deployment is probed, limited, scraped and configured',
    (overlay) => {
      const objects = rendered[overlay];
      const configMaps = new Map(
        objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o]),
      );
      for (const stage of STAGES) {
        const deployment = find(objects, 'Deployment', `memgen-${stage}`);
        const pod = deployment.spec.template;
        const [container] = pod.spec.containers;
        expect(container.command).toEqual(['node', '--import', 'tsx', `services/${stage}/src/main.ts`]);
        expect(existsSync(join(root, container.command[3])), container.command[3]).toBe(true);
        const config = configMaps.get(container.envFrom[0].configMapRef.name);
        expect(config, `${stage}: envFrom ConfigMap`).toBeDefined();
        const port = Number(config!.data.MEMGEN_HTTP_PORT);
        expect(config!.data.MEMGEN_NATS_URL).toBe('nats://nats:4222');
        const http = container.ports.find((p: { name: string }) => p.name === 'http');
        expect(http.containerPort).toBe(port);
        for (const probe of ['readinessProbe', 'livenessProbe']) {
          expect(container[probe]?.httpGet, `${stage} ${probe}`).toEqual({ path: '/health', port: 'http' });
        }
        expect(container.resources.limits.cpu, stage).toBeDefined();
        expect(container.resources.limits.memory, stage).toBeDefined();
        expect(container.resources.requests.cpu, stage).toBeDefined();
        expect(pod.metadata.annotations).toEqual({
          'prometheus.io/scrape': 'true',
          'prometheus.io/port': String(port),
          'prometheus.io/path': '/metrics',
        });
        // The drain (MEMGEN_GRACE_S) must end before Kubernetes kills the pod.
        expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThan(Number(config!.data.MEMGEN_GRACE_S));
        const service = find(objects, 'Service', `memgen-${stage}`);
        for (const [k, v] of Object.entries(service.spec.selector)) expect(pod.metadata.labels[k]).toBe(v);
        expect(service.spec.ports[0].targetPort).toBe('http');
      }
    },
  );

  it('NATS runs JetStream on a persistent volume behind the service MEMGEN_NATS_URL names', () => {
    const nats = find(rendered.cpu, 'StatefulSet', 'nats');
    const [container] = nats.spec.template.spec.containers;
    expect(container.args).toContain('--jetstream');
    const storeDir = (container.args as string[]).find((a) => a.startsWith('--store_dir='))!.split('=')[1]!;
    const claim = nats.spec.volumeClaimTemplates[0];
    const mount = container.volumeMounts.find((m: { name: string }) => m.name === claim.metadata.name);
    expect(storeDir.startsWith(`${mount.mountPath}/`)).toBe(true);
    expect(claim.spec.resources.requests.storage).toMatch(/^\d+Gi$/);
    const service = find(rendered.cpu, 'Service', 'nats');
    expect(service.spec.ports.map((p: { port: number }) => p.port)).toContain(4222);
  });

  it('the coordinator Job runs memgen sweep on a valid spec and keeps results on a claim', () => {
    const job = find(rendered.cpu, 'Job', 'memgen-sweep');
    const spec = job.spec.template.spec;
    const args: string[] = spec.containers[0].args;
    expect(args.slice(0, 3)).toEqual(['sweep', '--nats', '$(MEMGEN_NATS_URL)']);
    const specPath = args[args.indexOf('--spec') + 1]!;
    const outDir = args[args.indexOf('--out') + 1]!;
    const mountOf = (path: string) =>
      spec.containers[0].volumeMounts.find((m: { mountPath: string }) => path.startsWith(`${m.mountPath}/`));
    const specVolume = spec.volumes.find((v: { name: string }) => v.name === mountOf(specPath).name);
    const specMap = find(rendered.cpu, 'ConfigMap', specVolume.configMap.name);
    const sweep = parseSweepSpec(parseYaml(specMap.data[specPath.split('/').pop()!]));
    expect(sweep.tasks.length * sweep.presets.length * sweep.seeds.length).toBeGreaterThan(0);
    const outVolume = spec.volumes.find((v: { name: string }) => v.name === mountOf(outDir).name);
    find(rendered.cpu, 'PersistentVolumeClaim', outVolume.persistentVolumeClaim.claimName);
  });

  it('gpu gives each model stage one GPU, the tensorflow backend and a GPU node; cpu asks for none', () => {
    for (const stage of STAGES) {
      const spec = find(rendered.gpu, 'Deployment', `memgen-${stage}`).spec.template.spec;
      const container = spec.containers[0];
      const env = Object.fromEntries(
        (container.env as { name: string; value?: string }[]).map((e) => [e.name, e.value]),
      );
      if (MODEL_STAGES.includes(stage)) {
        expect(container.resources.limits['nvidia.com/gpu'], stage).toBe('1');
        expect(env.MEMGEN_BACKEND, stage).toBe('tensorflow');
        expect(spec.nodeSelector, stage).toEqual({ 'nvidia.com/gpu.present': 'true' });
        expect(container.image).toBe('memgen:gpu');
      } else {
        expect(container.resources.limits['nvidia.com/gpu'], stage).toBeUndefined();
        expect(spec.nodeSelector, stage).toBeUndefined();
      }
    }
    expect(JSON.stringify(rendered.cpu)).not.toContain('nvidia.com/gpu');
    const cpuConfig = rendered.cpu.find((o) => o.metadata.name.startsWith('memgen-config-'))!;
    expect(cpuConfig.data.MEMGEN_BACKEND).toBe('native');
  });
});
