/**
 * k8s/: every kustomize overlay rendered offline (kubectl kustomize): the objects, probes, limits,
 * configuration references, NATS and its configuration, the coordinator Job's spec and the GPU
 * requests. Security settings: deploy-k8s-security.test.ts; schemas: deploy-k8s-schema.test.ts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseSweepSpec } from '../services/coordinator/src/sweep-spec.js';
import { find, type K8sObject, kustomize, render, root } from './support/deploy-files.js';

const STAGES = ['trainer', 'activation-recorder', 'probe-fitter', 'steering-evaluator'];
const MODEL_STAGES = ['trainer', 'activation-recorder', 'steering-evaluator'];

const OVERLAYS = ['cpu', 'gpu', 'ha'] as const;

describe.skipIf(!kustomize)(
  `k8s overlays${kustomize ? '' : ' (SKIPPED: no kubectl with kustomize v5)'}`,
  () => {
    const rendered = Object.fromEntries(OVERLAYS.map((o) => [o, render(o)])) as Record<
      (typeof OVERLAYS)[number],
      K8sObject[]
    >;

    it.each(OVERLAYS)('%s renders the expected objects, all in namespace memgen', (overlay) => {
      const objects = rendered[overlay];
      // Generated ConfigMaps carry a content hash suffix: compare without it.
      const names = objects.map((o) => `${o.kind}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`).sort();
      expect(names).toEqual(
        [
          'ConfigMap/memgen-config',
          'ConfigMap/memgen-sweep-spec',
          'ConfigMap/nats-config',
          'Job/memgen-sweep',
          'PersistentVolumeClaim/memgen-results',
          'Secret/memgen-nats-users',
          'Service/nats',
          'Service/nats-headless',
          'Service/nats-monitor',
          'StatefulSet/nats',
          ...['memgen-default-deny', 'memgen-dns', 'memgen-nats-clients', 'memgen-scrape', 'nats'].map(
            (n) => `NetworkPolicy/${n}`,
          ),
          ...(overlay === 'ha' ? ['PodDisruptionBudget/nats'] : []),
          ...STAGES.flatMap((s) => [`Deployment/memgen-${s}`, `Service/memgen-${s}`]),
        ].sort(),
      );
      for (const o of objects) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe('memgen');
    });

    it.each(OVERLAYS)('%s: each stage Deployment is probed, limited, scraped and configured', (overlay) => {
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
    });

    it.each(OVERLAYS)('%s: NATS runs JetStream from its config file on a persistent volume', (overlay) => {
      const objects = rendered[overlay];
      const nats = find(objects, 'StatefulSet', 'nats');
      const pod = nats.spec.template.spec;
      const [container] = pod.containers;
      const configAt: string = container.command[container.command.indexOf('--config') + 1];
      const mountOf = (path: string) =>
        container.volumeMounts.find((m: { mountPath: string }) => path.startsWith(`${m.mountPath}/`));
      const configVolume = pod.volumes.find((v: { name: string }) => v.name === mountOf(configAt).name);
      const config: Record<string, string> = find(objects, 'ConfigMap', configVolume.configMap.name).data;
      const conf = config[configAt.split('/').pop()!]!;
      expect(conf).toMatch(/^jetstream \{/m);
      expect(conf).toMatch(/^server_name: \$POD_NAME$/m);
      expect(conf).toMatch(/^max_payload: 1MB$/m);
      // Every file it includes is in the same ConfigMap, so beside it in the mount; auth comes last.
      const includes = [...conf.matchAll(/^include "([^"]+)"$/gm)].map((m) => m[1]!);
      expect(includes.at(-1)).toBe('auth.conf');
      for (const file of includes) expect(config[file], file).toBeDefined();
      const storeDir = /store_dir: (\S+)/.exec(conf)![1]!;
      const claim = nats.spec.volumeClaimTemplates[0];
      expect(mountOf(storeDir).name).toBe(claim.metadata.name);
      expect(claim.spec.resources.requests.storage).toMatch(/^\d+Gi$/);
      const port = (name: string) =>
        container.ports.find((p: { name: string }) => p.name === name).containerPort;
      expect([port('client'), port('monitor')]).toEqual([4222, Number(/^http_port: (\d+)$/m.exec(conf)![1])]);
      const service = find(objects, 'Service', 'nats');
      expect(service.spec.ports.map((p: { port: number }) => p.port)).toEqual([4222]);
    });

    it('the coordinator Job runs memgen sweep on a valid spec and keeps results on a claim', () => {
      const job = find(rendered.cpu, 'Job', 'memgen-sweep');
      const spec = job.spec.template.spec;
      const args: string[] = spec.containers[0].args;
      expect(args.slice(0, 3)).toEqual(['sweep', '--nats', '$(MEMGEN_NATS_URL)']);
      const specPath = args[args.indexOf('--spec') + 1]!;
      const outDir = args[args.indexOf('--out') + 1]!;
      const mountOf = (path: string) =>
        spec.containers[0].volumeMounts.find((m: { mountPath: string }) =>
          path.startsWith(`${m.mountPath}/`),
        );
      const specVolume = spec.volumes.find((v: { name: string }) => v.name === mountOf(specPath).name);
      const specMap = find(rendered.cpu, 'ConfigMap', specVolume.configMap.name);
      const sweep = parseSweepSpec(parseYaml(specMap.data[specPath.split('/').pop()!]));
      expect(sweep.tasks.length * sweep.presets.length * sweep.seeds.length).toBeGreaterThan(0);
      const outVolume = spec.volumes.find((v: { name: string }) => v.name === mountOf(outDir).name);
      find(rendered.cpu, 'PersistentVolumeClaim', outVolume.persistentVolumeClaim.claimName);
    });

    it('gpu gives each model stage one GPU, one slot, the webgpu backend with Vulkan and a GPU node; cpu asks for none', () => {
      for (const stage of STAGES) {
        const spec = find(rendered.gpu, 'Deployment', `memgen-${stage}`).spec.template.spec;
        const container = spec.containers[0];
        const env = Object.fromEntries(
          (container.env as { name: string; value?: string }[]).map((e) => [e.name, e.value]),
        );
        if (MODEL_STAGES.includes(stage)) {
          expect(container.resources.limits['nvidia.com/gpu'], stage).toBe('1');
          expect(env.MEMGEN_BACKEND, stage).toBe('webgpu');
          expect(env.MEMGEN_SLOTS, stage).toBe('1');
          // The container toolkit mounts the driver's Vulkan library only with the graphics capability.
          expect(env.NVIDIA_DRIVER_CAPABILITIES?.split(','), stage).toEqual(
            expect.arrayContaining(['compute', 'utility', 'graphics']),
          );
          expect(spec.nodeSelector, stage).toEqual({ 'nvidia.com/gpu.present': 'true' });
          expect(container.image).toMatch(/^memgen:gpu@/);
        } else {
          expect(container.resources.limits['nvidia.com/gpu'], stage).toBeUndefined();
          expect(spec.nodeSelector, stage).toBeUndefined();
        }
      }
      expect(JSON.stringify(rendered.cpu)).not.toContain('nvidia.com/gpu');
      expect(find(rendered.cpu, 'ConfigMap', 'memgen-config').data.MEMGEN_BACKEND).toBe('native');
    });
  },
);
