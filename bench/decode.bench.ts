/** Greedy decoding throughput at batch 64, with and without the KV cache. */
import { fileURLToPath } from 'node:url';
import { decode, GPT, resolveGPTConfig } from '@memgen/model';
import { initBackend } from '@memgen/tensor';
import { fanOutBackends, median, parseBenchArgs } from './bench-args.js';

const args = parseBenchArgs(process.argv, { configs: ['tiny'] });
if (!fanOutBackends(fileURLToPath(import.meta.url), args)) {
  const info = await initBackend({
    ...(args.backends[0] ? { backend: args.backends[0] } : {}),
    log: !args.json,
  });
  const batch = 64;
  const promptLen = 32;
  const newTokens = 32;
  for (const name of args.configs) {
    const cfg = resolveGPTConfig({ preset: name, vocabSize: 128, nCtx: promptLen + newTokens });
    const model = GPT.init(cfg, 0);
    const prompts = Array.from({ length: batch }, (_, r) =>
      Array.from({ length: promptLen - (r % 5) }, (_, j) => 2 + ((r * 31 + j * 17) % 126)),
    );
    const rates: Record<string, number> = {};
    for (const useCache of [true, false]) {
      const times: number[] = [];
      for (let i = 0; i < Math.min(args.steps, 3); i++) {
        const t0 = performance.now();
        decode(model, prompts, { maxNewTokens: newTokens, stopTokens: [], padId: 0, useCache });
        times.push(performance.now() - t0);
      }
      rates[useCache ? 'kv' : 'full'] = (batch * newTokens * 1000) / median(times);
    }
    const row = {
      config: name,
      backend: info.name,
      batch,
      new_tokens: newTokens,
      tokens_per_s_kv_cache: Math.round(rates.kv ?? 0),
      tokens_per_s_no_cache: Math.round(rates.full ?? 0),
      speedup: Number(((rates.kv ?? 0) / (rates.full ?? 1)).toFixed(2)),
    };
    if (args.json) process.stdout.write(`${JSON.stringify(row)}\n`);
    else {
      process.stdout.write(
        `${name} ${info.name}: greedy, batch ${batch}, ${newTokens} new tokens after ~${promptLen}: ` +
          `${row.tokens_per_s_kv_cache} tokens/s with KV cache, ${row.tokens_per_s_no_cache} without (${row.speedup}×)\n`,
      );
    }
    model.dispose();
  }
}
