/**
 * Every environment variable memgen reads, in one catalogue: docs/environment.md is rendered from
 * it (`npm run dashboards`), and test/env-vars.test.ts fails when the code reads a variable this
 * list lacks, or the list names one no code reads.
 */
import { LIMITS } from './limits.js';

export interface EnvVar {
  readonly name: string;
  /** What happens when it is unset. */
  readonly unset: string;
  /** Which processes read it. */
  readonly readBy: string;
  readonly meaning: string;
}

const SET: EnvVar[] = [
  {
    name: 'MEMGEN_BACKEND',
    unset: 'the best that loads',
    readBy: 'every process',
    meaning:
      'tensor backend: native, tensorflow, webgpu, wasm or cpu; set, a backend that fails to load is an error (webgpu loads only when set)',
  },
  {
    name: 'MEMGEN_WEBGPU_ADAPTER',
    unset: 'MEMGEN_GPU, else Dawn’s choice (a discrete GPU first)',
    readBy: 'every process on the webgpu backend',
    meaning: 'a substring of the Vulkan adapter’s name (dawn.node’s `adapter=`), e.g. `llvmpipe` or `NVIDIA`',
  },
  {
    name: 'XDG_RUNTIME_DIR',
    unset: 'memgen makes a private temporary directory',
    readBy: 'every process on the webgpu backend',
    meaning: 'the runtime directory Dawn wants',
  },
  {
    name: 'VK_ICD_FILENAMES',
    unset:
      'the Vulkan loader’s own search; memgen sets it to a manifest it writes when the NVIDIA driver’s Vulkan library has none',
    readBy: 'every process on the webgpu backend (the Vulkan loader)',
    meaning: 'the Vulkan drivers (ICD manifests) the loader uses',
  },
  {
    name: 'DRI_PRIME',
    unset: 'Mesa’s device-select layer leaves every adapter visible',
    readBy: 'every process on the webgpu backend (Mesa’s device-select Vulkan layer)',
    meaning:
      'which GPU the Vulkan loader shows; memgen sets it (`pci-<bus>!`) to tell identical GPUs apart when MEMGEN_GPU picks one of them',
  },
  {
    name: 'VK_DRIVER_FILES',
    unset: 'as VK_ICD_FILENAMES',
    readBy: 'every process on the webgpu backend (the Vulkan loader)',
    meaning: 'the newer name of VK_ICD_FILENAMES; set, memgen writes no manifest',
  },
  {
    name: 'MEMGEN_THREADS',
    unset: 'every core',
    readBy: 'every process',
    meaning: "the native engine's threads",
  },
  {
    name: 'MEMGEN_NATIVE_POOL_MB',
    unset: '2048',
    readBy: 'every process',
    meaning: "the native engine's buffer pool size in MiB",
  },
  {
    name: 'MEMGEN_NATIVE_ADDON',
    unset: "scripts/build-native.sh's output",
    readBy: 'every process',
    meaning: 'path of the native addon to load',
  },
  {
    name: 'MEMGEN_NATIVE_ISA',
    unset: "the CPU's best",
    readBy: 'the native addon',
    meaning: 'caps the kernel instruction set (x86-64, avx2, avx512), for tests',
  },
  {
    name: 'MEMGEN_NATIVE_SANITIZE',
    unset: 'a normal build',
    readBy: 'scripts/build-native.sh',
    meaning: '`address` builds the engine with AddressSanitizer',
  },
  {
    name: 'MEMGEN_BLAS_CORETYPE',
    unset: 'SkylakeX on AVX-512 CPUs',
    readBy: 'every process',
    meaning: 'the OpenBLAS core memgen asks for (sets OPENBLAS_CORETYPE)',
  },
  {
    name: 'OPENBLAS_CORETYPE',
    unset: 'set by memgen from MEMGEN_BLAS_CORETYPE',
    readBy: 'every process',
    meaning: "OpenBLAS's kernel choice; memgen writes it before the library loads",
  },
  {
    name: 'OMP_WAIT_POLICY',
    unset: 'a brief spin (GOMP_SPINCOUNT)',
    readBy: 'every process',
    meaning: "OpenMP's idle-thread policy; a user's value wins",
  },
  {
    name: 'GOMP_SPINCOUNT',
    unset: 'memgen sets a brief spin',
    readBy: 'every process',
    meaning: "libgomp's spin before an idle thread sleeps; a user's value wins",
  },
  {
    name: 'MEMGEN_REFERENCE_DATA',
    unset: 'no reference data (its tests skip, saying so)',
    readBy: '`memgen data --source reference`, tests',
    meaning: "folder of the authors' released data",
  },
  {
    name: 'MEMGEN_FONT_DIR',
    unset: 'the usual Linux font folders',
    readBy: 'figure rendering',
    meaning: 'an extra folder searched for fonts first',
  },
  {
    name: 'MEMGEN_STAGE_MODULES',
    unset: 'built-in stages only',
    readBy: 'every memgen process',
    meaning: 'comma-separated modules, each default-exporting a stage declaration',
  },
  {
    name: 'MEMGEN_WORKERS',
    unset: 'one per core',
    readBy: '`memgen sweep`',
    meaning: 'local worker processes (--workers wins)',
  },
  {
    name: 'MEMGEN_SLOTS',
    unset: '1',
    readBy: 'workers, stage services',
    meaning: 'jobs one process runs at once',
  },
  {
    name: 'MEMGEN_GPU',
    unset: 'no gpu label',
    readBy: 'slot workers of `memgen worker --gpus`; the webgpu backend',
    meaning:
      'the GPU index of this slot (metric label `gpu`); on webgpu the adapter among the hardware ones (identical GPUs: by PCI order, through Mesa’s device-select layer and DRI_PRIME)',
  },
  {
    name: 'MEMGEN_PARENT_PID',
    unset: 'no parent watched',
    readBy: 'slot workers of `memgen worker --gpus`',
    meaning: 'set by the parent: a slot drains and exits once that process is gone',
  },
  {
    name: 'MEMGEN_NATS_URL',
    unset: 'local mode (stage services refuse to start)',
    readBy: 'sweep, worker, status, stage services',
    meaning: 'the NATS server (--nats wins)',
  },
  {
    name: 'MEMGEN_NATS_CREDS',
    unset: 'no credentials file',
    readBy: 'NATS clients',
    meaning: 'a .creds file',
  },
  { name: 'MEMGEN_NATS_NKEY', unset: 'no nkey', readBy: 'NATS clients', meaning: 'an nkey seed file' },
  {
    name: 'MEMGEN_NATS_USER',
    unset: 'anonymous',
    readBy: 'NATS clients',
    meaning: 'user name (with MEMGEN_NATS_PASS)',
  },
  { name: 'MEMGEN_NATS_PASS', unset: 'no password', readBy: 'NATS clients', meaning: "the user's password" },
  { name: 'MEMGEN_NATS_TOKEN', unset: 'no token', readBy: 'NATS clients', meaning: 'an auth token' },
  {
    name: 'MEMGEN_NATS_TLS_CA',
    unset: 'no TLS',
    readBy: 'NATS clients',
    meaning: 'CA bundle for the server certificate',
  },
  {
    name: 'MEMGEN_NATS_TLS_CERT',
    unset: 'no client certificate',
    readBy: 'NATS clients',
    meaning: 'client certificate (needs the key)',
  },
  {
    name: 'MEMGEN_NATS_TLS_KEY',
    unset: 'no client certificate',
    readBy: 'NATS clients',
    meaning: "the client certificate's key",
  },
  {
    name: 'MEMGEN_NATS_REPLICAS',
    unset: '1',
    readBy: 'processes that create streams and buckets',
    meaning: 'JetStream replicas of what they create',
  },
  {
    name: 'MEMGEN_ACK_WAIT_MS',
    unset: "the work queue's default",
    readBy: 'workers, stage services',
    meaning: 'JetStream ack wait before a silent job is redelivered',
  },
  {
    name: 'MEMGEN_JOB_START_TIMEOUT_S',
    unset: '600',
    readBy: '`memgen sweep` over NATS',
    meaning:
      'seconds a job may stay queued while no worker of its stage is busy before it is reported and submitted again',
  },
  {
    name: 'MEMGEN_GRACE_S',
    unset: '30',
    readBy: 'stage services',
    meaning: 'seconds a stopping service lets its jobs finish',
  },
  {
    name: 'MEMGEN_HTTP_PORT',
    unset: '8080',
    readBy: 'stage services',
    meaning: 'port of /health and /metrics',
  },
  {
    name: 'MEMGEN_HTTP_HOST',
    unset: '127.0.0.1 (this host only)',
    readBy: 'workers, stage services',
    meaning: 'address /health and /metrics listen on; pods set 0.0.0.0',
  },
  {
    name: 'MEMGEN_MAX_MESSAGE_BYTES',
    unset: "the transport's default cap",
    readBy: 'workers, stage services',
    meaning: 'largest job message accepted',
  },
  {
    name: 'MEMGEN_METRICS_RETAIN_S',
    unset: 'kept while the process lives',
    readBy: 'stage services',
    meaning: 'how long a finished series stays on /metrics',
  },
  { name: 'MEMGEN_LOG_LEVEL', unset: 'info', readBy: 'NATS and service logs', meaning: 'pino log level' },
  {
    name: 'MEMGEN_STAGE',
    unset: 'required',
    readBy: 'the crash-test worker (libs/bus testing)',
    meaning: 'the stage it consumes',
  },
  {
    name: 'MEMGEN_TORCH_PYTHON',
    unset: 'a local venv, else python3',
    readBy: '`npm run bench:torch`',
    meaning: 'the Python that runs the PyTorch twin',
  },
  {
    name: 'HOSTNAME',
    unset: 'the process id',
    readBy: 'stage services',
    meaning: "names the service's NATS connection",
  },
  {
    name: 'TSX_TSCONFIG_PATH',
    unset: "the repository's tsconfig.json",
    readBy: 'the memgen bin and the workers it forks',
    meaning: 'the tsconfig tsx compiles the sources with, wherever memgen is started',
  },
];

/** The catalogue: the variables above, then each request cap of LIMITS. */
export const ENV_VARS: readonly EnvVar[] = [
  ...SET,
  ...Object.values(LIMITS).map((l) => ({
    name: l.env,
    unset: l.byDefault.toLocaleString('en-US'),
    readBy: 'whichever process checks the request',
    meaning: `cap on ${l.counts}`,
  })),
];

/** docs/environment.md: the catalogue as a Markdown table. */
export function envTableMarkdown(): string {
  const rows = ENV_VARS.map((v) => `| \`${v.name}\` | ${v.unset} | ${v.readBy} | ${v.meaning} |`);
  return [
    '# Environment variables',
    '',
    'Every variable memgen reads (generated from `libs/common/src/env-vars.ts` by `npm run dashboards`;',
    'a test fails when the code reads one this table lacks). Flags, where a command has one, win.',
    '',
    '| variable | when unset | read by | what it sets |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
