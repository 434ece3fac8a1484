/**
 * Spec files (sweep, training and lever specs) as text: JSON, else YAML. YAML's core schema reads
 * `0x10`, `0o17` and `1e3` as numbers (16, 15, 1000), so a YAML file could give a seed the rule of
 * seed.ts refuses on the command line; every `seed` field and every entry of a `seeds` list is
 * therefore read from its source text by parseSeed, the one seed parser, wherever the file sets it.
 */
import { type Document, isMap, isPair, isScalar, isSeq, parseDocument, type Scalar, visit } from 'yaml';
import { parseSeed } from './seed.js';

/** A number written with a fraction or an exponent somewhere in the text (JSON has no other forms). */
const NOT_PLAIN_INTEGER = /[0-9](?:\.[0-9]|[eE])/;

/** The field path of `node` (`seeds.1`, `train.seed`) from the ancestors yaml's visitor gives. */
function fieldPath(ancestors: readonly unknown[], node: unknown): string {
  const parts: string[] = [];
  const chain = [...ancestors, node];
  for (let i = 0; i < chain.length - 1; i++) {
    const here = chain[i];
    const next = chain[i + 1];
    if (isPair(here) && isScalar(here.key)) parts.push(String(here.key.value));
    else if (isSeq(here)) parts.push(String(here.items.indexOf(next as never)));
  }
  return parts.join('.');
}

/** Whether the scalar at the end of `ancestors` is a seed: the value of `seed`, or an entry of `seeds`. */
function isSeedScalar(ancestors: readonly unknown[], node: Scalar): boolean {
  const parent = ancestors.at(-1);
  if (isPair(parent)) return parent.value === node && isScalar(parent.key) && parent.key.value === 'seed';
  const owner = ancestors.at(-2);
  return isSeq(parent) && isPair(owner) && isScalar(owner.key) && owner.key.value === 'seeds';
}

/** Refuses every seed written as anything but decimal digits, naming its field. */
function checkSeeds(doc: Document, where: string): void {
  visit(doc, {
    Scalar(_key, node, ancestors) {
      if (typeof node.value !== 'number' || !isSeedScalar(ancestors, node)) return;
      parseSeed(node.source ?? String(node.value), `${where}: field "${fieldPath(ancestors, node)}"`);
    },
  });
}

/**
 * The value a spec file's text holds: JSON.parse where it is JSON (fast for long seed lists),
 * else YAML; seeds written as anything but decimal digits are refused either way.
 * @param where what the text is, e.g. "sweep spec": it starts a refused seed's message
 * @throws Error for text that is neither JSON nor YAML; SpecError naming a seed field
 */
export function parseSpecText(text: string, where: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    // Integers in plain digits only: no seed can be written in another form.
    if (!NOT_PLAIN_INTEGER.test(text)) return value;
  } catch {
    // Not JSON: YAML below.
  }
  const doc = parseDocument(text);
  const [error] = doc.errors;
  if (error) throw error;
  if (isMap(doc.contents) || isSeq(doc.contents)) checkSeeds(doc, where);
  return doc.toJS();
}
