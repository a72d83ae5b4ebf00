// Sizing API answers for a model's context: long texts are cut, with a note saying how to get the rest.

/** Longest string kept whole in a tool result (characters). */
export const FOLD_AT = 2000;

/**
 * A copy of `value` where every string longer than `max` keeps its first `max` characters followed by a
 * marker giving the folded length. `hint` names where the full text can be read.
 */
export function foldLongText(value: unknown, hint: string, max = FOLD_AT): { value: unknown; folded: number } {
  let folded = 0;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (v.length <= max) return v;
      folded++;
      return `${v.slice(0, max)}… [${v.length - max} more characters folded; ${hint}]`;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return { value: walk(value), folded };
}
