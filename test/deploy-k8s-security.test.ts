/**
 * k8s/ hardening, on every render (the overlays and ha with the tls component): pod and container
 * security settings, pinned images, which Service exposes the NATS monitor port, the exact flows the
 * NetworkPolicies allow, NATS users from the Secret, the ha cluster and the tls wiring.
 */
import { describe, expect, it } from 'vitest';
import {
  find,
  type K8sObject,
  kustomize,
  podTemplates,
  RENDERS,
  type RenderName,
  render,
} from './support/deploy-files.js';

// biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects are free-form YAML.
type Any = any;
const ROLE_OF: Record<string, string> = { Deployment: 'worker', Job: 'coordinator' };
/** A Kubernetes quantity such as 64Mi or 4Gi, in bytes. */
const bytes = (q: string) => Number.parseInt(q, 10) * (q.endsWith('Gi') ? 2 ** 30 : 2 ** 20);
const DIGEST_PINNED = /^[a-z0-9][a-z0-9./-]*:[\w][\w.-]*@sha256:[0-9a-f]{64}$/;

/** A label selector as text: `k=v` pairs and `k Exists` expressions; `*` for the empty one. */
function selector(s: Any): string {
  const pairs = Object.entries(s?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const expressions = (s?.matchExpressions ?? []).map((e: Any) => `${e.key} ${e.operator}`);
  return [...pairs, ...expressions].join(',') || '*';
}

/** Every flow a NetworkPolicy allows, as `pods <- peer PROTO/port` (ingress) or `->` (egress). */
function flows(policy: K8sObject): string[] {
  const target = selector(policy.spec.podSelector);
  const peer = (p: Any) =>
    [
      p.namespaceSelector && `ns(${selector(p.namespaceSelector)})`,
      p.podSelector && `pod(${selector(p.podSelector)})`,
    ]
      .filter(Boolean)
      .join('&') || `ip(${p.ipBlock?.cidr})`;
  const expand = (rules: Any[] | undefined, arrow: string, side: 'from' | 'to') =>
    (rules ?? []).flatMap((rule: Any) =>
      (rule[side] ?? [{ ipBlock: { cidr: 'any' } }]).flatMap((p: Any) =>
        (rule.ports ?? [{ port: 'any' }]).map(
          (port: Any) => `${target} ${arrow} ${peer(p)} ${port.protocol ?? 'TCP'}/${port.port}`,
        ),
      ),
    );
  return [...expand(policy.spec.ingress, '<-', 'from'), ...expand(policy.spec.egress, '->', 'to')];
}

const NATS = 'app.kubernetes.io/name=nats';
const CLIENT = 'memgen.io/nats-client=true';
const MONITORING = 'ns(kubernetes.io/metadata.name=monitoring)';
const ALLOWED_FLOWS = [
  `${NATS} <- pod(${CLIENT}) TCP/4222`,
  `${NATS} <- pod(${NATS}) TCP/6222`,
  `${NATS} <- ${MONITORING} TCP/8222`,
  `${NATS} -> pod(${NATS}) TCP/6222`,
  `${CLIENT} -> pod(${NATS}) TCP/4222`,
  `memgen.io/stage Exists <- ${MONITORING} TCP/8080`,
  '* -> ns(kubernetes.io/metadata.name=kube-system)&pod(k8s-app=kube-dns) UDP/53',
  '* -> ns(kubernetes.io/metadata.name=kube-system)&pod(k8s-app=kube-dns) TCP/53',
];

describe.skipIf(!kustomize)(
  `k8s hardening${kustomize ? '' : ' (SKIPPED: no kubectl with kustomize v5)'}`,
  () => {
    const rendered = Object.fromEntries(RENDERS.map((r) => [r, render(r)])) as Record<
      RenderName,
      K8sObject[]
    >;
    const env = (container: Any, name: string) => container.env?.find((e: Any) => e.name === name);

    it.each(RENDERS)(
      '%s: every pod and container runs non-root, read-only, unprivileged, seccomp-confined',
      (r) => {
        const pods = podTemplates(rendered[r]);
        expect(pods.map(([name]) => name.split('/')[0]).sort()).toEqual([
          ...Array(4).fill('Deployment'),
          'Job',
          'StatefulSet',
        ]);
        for (const [name, { spec }] of pods) {
          expect(spec.automountServiceAccountToken, name).toBe(false);
          const pod = spec.securityContext;
          for (const id of ['runAsUser', 'runAsGroup', 'fsGroup'])
            expect(pod[id], `${name} ${id}`).toBeGreaterThan(0);
          for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
            const where = `${name} ${c.name}`;
            const own = c.securityContext ?? {};
            expect(own.runAsNonRoot ?? pod.runAsNonRoot, where).toBe(true);
            expect(own.runAsUser ?? pod.runAsUser, where).toBeGreaterThan(0);
            expect((own.seccompProfile ?? pod.seccompProfile)?.type, where).toBe('RuntimeDefault');
            expect(own.allowPrivilegeEscalation, where).toBe(false);
            expect(own.readOnlyRootFilesystem, where).toBe(true);
            expect(own.privileged ?? false, where).toBe(false);
            expect(own.capabilities, where).toEqual({ drop: ['ALL'] });
            expect(c.image, where).toMatch(DIGEST_PINNED);
          }
        }
      },
    );

    it.each(RENDERS)('%s: what the processes write is a volume (the root filesystem is read-only)', (r) => {
      for (const [name, { spec }] of podTemplates(rendered[r])) {
        const volume = (mountPath: string, c: Any) => {
          const mount = c.volumeMounts?.find((m: Any) => m.mountPath === mountPath && !m.readOnly);
          return (
            spec.volumes?.find((v: Any) => v.name === mount?.name) ??
            (mount ? { claim: mount.name } : undefined)
          );
        };
        for (const c of spec.containers) {
          // memgen: tsx's cache and each job's work directory (mkdtemp under os.tmpdir()), bounded.
          if (c.image.startsWith('memgen'))
            expect(Object.keys(volume('/tmp', c)?.emptyDir ?? {}), `${name} /tmp`).toEqual(['sizeLimit']);
          else expect(volume('/data', c), `${name} /data (JetStream store)`).toEqual({ claim: 'jetstream' });
        }
      }
      const job = find(rendered[r], 'Job', 'memgen-sweep').spec.template.spec;
      expect(job.containers[0].args.at(-1)).toMatch(/^\/data\//);
      expect(job.volumes.find((v: Any) => v.name === 'results').persistentVolumeClaim).toBeDefined();
    });

    it.each(RENDERS)(
      '%s: local disk is bounded: every emptyDir has a size limit, every container ephemeral-storage',
      (r) => {
        for (const [name, { spec }] of podTemplates(rendered[r])) {
          let limits = 0;
          for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
            const where = `${name} ${c.name}`;
            const limit = c.resources?.limits?.['ephemeral-storage'];
            expect(limit, `${where} ephemeral-storage limit`).toMatch(/^\d+[MG]i$/);
            if (spec.containers.includes(c)) {
              expect(c.resources.requests?.['ephemeral-storage'], `${where} request`).toMatch(/^\d+[MG]i$/);
              limits += bytes(limit);
            }
          }
          const dirs = (spec.volumes ?? []).filter((v: Any) => v.emptyDir);
          for (const v of dirs) expect(v.emptyDir.sizeLimit, `${name} ${v.name}`).toMatch(/^\d+[MG]i$/);
          // The pod is evicted past the sum of its containers' limits: the volumes fit inside it.
          const volumes = dirs.reduce((n: number, v: Any) => n + bytes(v.emptyDir.sizeLimit), 0);
          expect(limits, `${name}: container limits hold the emptyDirs`).toBeGreaterThan(volumes);
        }
      },
    );

    it.each(RENDERS)(
      '%s: /health and /metrics listen on every interface of the pod, said explicitly',
      (r) => {
        expect(find(rendered[r], 'ConfigMap', 'memgen-config').data.MEMGEN_HTTP_HOST).toBe('0.0.0.0');
      },
    );

    it.each(RENDERS)(
      '%s: only the Service nats-monitor exposes the monitor port; nats has the client port only',
      (r) => {
        const services = rendered[r].filter((o) => o.kind === 'Service');
        const monitor = services.filter((s) =>
          s.spec.ports.some(
            (p: Any) => p.port === 8222 || p.targetPort === 8222 || p.targetPort === 'monitor',
          ),
        );
        expect(monitor.map((s) => s.metadata.name)).toEqual(['nats-monitor']);
        expect(find(rendered[r], 'Service', 'nats').spec.ports).toEqual([
          { name: 'client', port: 4222, targetPort: 'client' },
        ]);
      },
    );

    it.each(RENDERS)('%s: the NetworkPolicies deny by default and allow exactly the listed flows', (r) => {
      const policies = rendered[r].filter((o) => o.kind === 'NetworkPolicy');
      const deny = find(policies, 'NetworkPolicy', 'memgen-default-deny').spec;
      expect(deny).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      expect(policies.flatMap(flows).sort()).toEqual([...ALLOWED_FLOWS].sort());
      for (const p of policies) {
        // A direction with rules but absent from policyTypes would be silently ignored.
        if (p.spec.ingress) expect(p.spec.policyTypes, p.metadata.name).toContain('Ingress');
        if (p.spec.egress) expect(p.spec.policyTypes, p.metadata.name).toContain('Egress');
      }
      // The selectors name the pods they are meant for: every memgen pod is a client, NATS is not.
      for (const [name, template] of podTemplates(rendered[r])) {
        const labels = template.metadata.labels;
        expect(labels['memgen.io/nats-client'], name).toBe(name === 'StatefulSet/nats' ? undefined : 'true');
        expect(labels['app.kubernetes.io/name'] === 'nats', name).toBe(name === 'StatefulSet/nats');
        const ports = template.spec.containers[0].ports?.map((p: Any) => p.containerPort) ?? [];
        if (labels['memgen.io/stage']) expect(ports, name).toEqual([8080]);
      }
    });

    it.each(RENDERS)('%s: every memgen process logs in to NATS with its role from the Secret', (r) => {
      const objects = rendered[r];
      const secret = find(objects, 'Secret', 'memgen-nats-users');
      const config = find(objects, 'ConfigMap', 'memgen-config').data;
      for (const key of Object.keys(config))
        expect(key).not.toMatch(/^MEMGEN_NATS_(USER|PASS|TOKEN|CREDS|NKEY)$/);
      for (const [name, { spec }] of podTemplates(objects)) {
        if (name === 'StatefulSet/nats') continue;
        const role = ROLE_OF[name.split('/')[0]!]!;
        for (const c of spec.containers) {
          expect(env(c, 'MEMGEN_NATS_USER')?.value, name).toBe(role);
          expect(env(c, 'MEMGEN_NATS_PASS')?.valueFrom?.secretKeyRef, name).toEqual({
            name: secret.metadata.name,
            key: `MEMGEN_NATS_${role.toUpperCase()}_PASS`,
          });
        }
        // The init container only opens a TCP connection: it holds no credentials.
        for (const c of spec.initContainers ?? []) expect(JSON.stringify(c), name).not.toContain('secret');
      }
      const nats = find(objects, 'StatefulSet', 'nats').spec.template.spec.containers[0];
      const auth = find(objects, 'ConfigMap', 'nats-config').data['auth.conf'];
      for (const role of ['worker', 'coordinator', 'operator']) {
        const key = `MEMGEN_NATS_${role.toUpperCase()}_PASS`;
        expect(secret.data[key], key).toBeTruthy();
        expect(env(nats, key).valueFrom.secretKeyRef).toEqual({ name: secret.metadata.name, key });
        expect(auth).toMatch(new RegExp(`user: "${role}"\\n\\s*password: \\$${key}\\n\\s*permissions: \\{`));
      }
      // No anonymous clients: authorization is on and no user is the default for unauthenticated ones.
      const conf = Object.values(find(objects, 'ConfigMap', 'nats-config').data).join('\n');
      expect(conf).toMatch(/^authorization \{/m);
      expect(conf).not.toMatch(/no_auth_user/);
    });

    it.each(['ha', 'ha+tls'] as const)(
      '%s: 3 NATS servers on 3 nodes, routed to each other, R3 data',
      (r) => {
        const objects = rendered[r];
        const sts = find(objects, 'StatefulSet', 'nats');
        expect(sts.spec.replicas).toBe(3);
        const cluster = find(objects, 'ConfigMap', 'nats-config').data['cluster.conf'];
        expect(cluster).toMatch(/^cluster \{/m);
        expect(/port: (\d+)/.exec(cluster)![1]).toBe('6222');
        const routes = [...cluster.matchAll(/nats:\/\/([\w.-]+):(\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
        expect(routes).toEqual([0, 1, 2].map((i) => `nats-${i}.${sts.spec.serviceName}:6222`));
        const pod = sts.spec.template.spec;
        expect(pod.containers[0].ports).toContainEqual({ name: 'cluster', containerPort: 6222 });
        const headless = find(objects, 'Service', sts.spec.serviceName);
        expect(headless.spec.publishNotReadyAddresses).toBe(true);
        expect(headless.spec.ports.map((p: Any) => p.port)).toContain(6222);
        const [anti] = pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
        expect(anti.topologyKey).toBe('kubernetes.io/hostname');
        expect(anti.labelSelector.matchLabels).toEqual(sts.spec.selector.matchLabels);
        const pdb = find(objects, 'PodDisruptionBudget', 'nats').spec;
        expect(pdb).toEqual({ maxUnavailable: 1, selector: sts.spec.selector });
        expect(find(objects, 'ConfigMap', 'memgen-config').data.MEMGEN_NATS_REPLICAS).toBe('3');
        for (const single of ['cpu', 'gpu'] as const) {
          expect(find(rendered[single], 'StatefulSet', 'nats').spec.replicas).toBe(1);
          expect(find(rendered[single], 'ConfigMap', 'nats-config').data['cluster.conf']).not.toMatch(
            /cluster \{/,
          );
          expect(
            find(rendered[single], 'ConfigMap', 'memgen-config').data.MEMGEN_NATS_REPLICAS,
          ).toBeUndefined();
        }
      },
    );

    it('tls: NATS requires TLS with the Secret certificate; every memgen pod trusts its CA only', () => {
      const objects = rendered['ha+tls'];
      const tls = find(objects, 'ConfigMap', 'nats-config').data['tls.conf'];
      const files: Record<string, string> = Object.fromEntries(
        [...tls.matchAll(/(\w+_file): (\S+)/g)].map((m) => [m[1], m[2]]),
      );
      expect(Object.keys(files).sort()).toEqual(['ca_file', 'cert_file', 'key_file']);
      const nats = find(objects, 'StatefulSet', 'nats').spec.template.spec;
      const mount = nats.containers[0].volumeMounts.find((m: Any) => m.name === 'tls');
      for (const path of Object.values(files))
        expect(path.startsWith(`${mount.mountPath}/`), path).toBe(true);
      expect(nats.volumes.find((v: Any) => v.name === 'tls').secret.secretName).toBe('memgen-nats-tls');
      const ca = find(objects, 'ConfigMap', 'memgen-config').data.MEMGEN_NATS_TLS_CA;
      for (const [name, { spec }] of podTemplates(objects)) {
        if (name === 'StatefulSet/nats') continue;
        const caMount = spec.containers[0].volumeMounts.find((m: Any) => ca.startsWith(`${m.mountPath}/`));
        const secret = spec.volumes.find((v: Any) => v.name === caMount?.name)?.secret;
        expect(secret, name).toEqual({
          secretName: 'memgen-nats-tls',
          items: [{ key: 'ca.crt', path: 'ca.crt' }],
        });
      }
      expect(find(rendered.ha, 'ConfigMap', 'nats-config').data['tls.conf']).not.toMatch(/tls \{/);
    });
  },
);
