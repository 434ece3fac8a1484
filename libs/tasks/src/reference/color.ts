/** The authors' color data (config and ITI conflict items) as memgen config and items. */
import { z } from 'zod';
import { parseColorPrompt } from '../color/parse.js';
import type { ConflictItem } from '../types.js';
import { readReferenceJson } from './files.js';

const ConfigSchema = z.object({
  name_color_map: z.record(z.string(), z.array(z.string()).length(1)),
  roles: z.array(z.string()),
  all_colors: z.array(z.string()),
});
const ItiSchema = z.array(z.strictObject({ input: z.string(), output: z.string() }));

export interface ColorReference {
  /** Config fields for parseTaskConfig('color', …); roles deduplicated. */
  readonly config: {
    readonly memorized: Record<string, string>;
    readonly roles: string[];
    readonly colors: string[];
  };
  /** Roles listed more than once in their config (each kept once above). */
  readonly duplicateRoles: string[];
  /** Their 100 steering (conflict) items; gen = their output, mem = the asked name's memorized color. */
  readonly iti: ConflictItem[];
}

export function readColorReference(root: string): ColorReference {
  const cfg = readReferenceJson(root, 'color/config.json', ConfigSchema);
  const memorized = Object.fromEntries(
    Object.entries(cfg.name_color_map).map(([n, [c]]) => [n, c as string]),
  );
  const roles = [...new Set(cfg.roles)];
  const duplicateRoles = [...new Set(cfg.roles.filter((r, i) => cfg.roles.indexOf(r) !== i))];
  const iti = readReferenceJson(root, 'color/ITI_data.json', ItiSchema).map((r, i): ConflictItem => {
    const asked = parseColorPrompt(r.input).asked;
    const mem = Object.hasOwn(memorized, asked) ? memorized[asked] : undefined;
    if (mem === undefined)
      throw new Error(`reference data: color/ITI_data.json[${i}] asks about unknown name ${asked}`);
    return {
      prompt: r.input,
      gen_target: ` ${r.output}`,
      mem_target: ` ${mem}`,
      gen_answer: r.output,
      mem_answer: mem,
    };
  });
  return { config: { memorized, roles, colors: cfg.all_colors }, duplicateRoles, iti };
}
