/** Greedy decoding throughput at batch 64, with and without the KV cache. */
import { fileURLToPath } from 'node:url';
import { initBackend } from '@memgen/tensor';
import { fanOutBackends, parseBenchArgs } from './bench-args.js';
import { decodePrompts, measureDecode } from './measure.js';

const args = parseBenchArgs(process.argv, { configs: ['tiny'] });
if (!fanOutBackends(fileURLToPath(import.meta.url), args)) {
  const info = await initBackend({
    ...(args.backends[0] ? { backend: args.backends[0] } : {}),
    log: !args.json,
  });
  const batch = 64;
  const promptLen = 32;
  const newTokens = 32;
  const prompts = decodePrompts(batch, promptLen, 5);
  for (const name of args.configs) {
    const repeats = Math.min(args.steps, 3);
    const kv = measureDecode(name, prompts, newTokens, { useCache: true, repeats });
    const full = measureDecode(name, prompts, newTokens, { useCache: false, repeats });
    const row = {
      config: name,
      backend: info.name,
      batch,
      new_tokens: newTokens,
      tokens_per_s_kv_cache: Math.round(kv),
      tokens_per_s_no_cache: Math.round(full),
      speedup: Number((kv / full).toFixed(2)),
    };
    if (args.json) process.stdout.write(`${JSON.stringify(row)}\n`);
    else {
      process.stdout.write(
        `${name} ${info.name}: greedy, batch ${batch}, ${newTokens} new tokens after ~${promptLen}: ` +
          `${row.tokens_per_s_kv_cache} tokens/s with KV cache, ${row.tokens_per_s_no_cache} without (${row.speedup}×)\n`,
      );
    }
  }
}
