// Population specs of /api/v1/failures/compare: `key:value` terms joined by commas, e.g.
// `service.version:1.5.0`, `harness:coder@1.5.0,model:gpt-5`, `from:2026-11-01T00:00:00Z,to:2026-11-08T00:00:00Z`.
// A term splits at its first ':', so values may hold ':' (times) and '@' (harnesses).
import type { Population } from '../../store/read/populations.js';
import { parseTimeExpr } from '../../time.js';
import { badRequest } from './errors.js';

/** Keys every deployment accepts; the harness attributes (TRACEMILL_HARNESS_ATTRIBUTES) come on top. */
export const FIXED_SPEC_KEYS = ['harness', 'model', 'tool', 'agent', 'service', 'service.name', 'service.version', 'from', 'to'] as const;

export function specKeys(harnessAttributes: readonly string[]): string[] {
  return [...new Set([...FIXED_SPEC_KEYS, ...harnessAttributes])];
}

export interface ParsedSpec {
  population: Omit<Population, 'ranges'>;
  from?: Date;
  to?: Date;
  /** The terms as given, normalized (for the answer). */
  terms: Record<string, string>;
}

/** Parses one spec; a 400 names the parameter (`a` or `b`) and lists the keys that can be compared. */
export function parseSpec(param: string, text: string, harnessAttributes: readonly string[], now = Date.now()): ParsedSpec {
  const keys = specKeys(harnessAttributes);
  const known = `keys that can be compared: ${keys.join(', ')} (e.g. ${param}=service.version:1.5.0)`;
  const terms = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (terms.length === 0) throw badRequest(param, `is empty; give key:value terms separated by commas; ${known}`);
  const out: ParsedSpec = { population: {}, terms: {} };
  const attributes: Record<string, string> = {};
  for (const term of terms) {
    const at = term.indexOf(':');
    const k = at > 0 ? term.slice(0, at).trim() : '';
    const v = at > 0 ? term.slice(at + 1).trim() : '';
    if (!k || !v) throw badRequest(param, `"${term}" is not key:value; ${known}`);
    if (!keys.includes(k)) throw badRequest(param, `unknown key "${k}"; ${known}`);
    if (k in out.terms) throw badRequest(param, `"${k}" is given twice`);
    if (v.length > 512) throw badRequest(param, `the value of "${k}" is longer than 512 characters`);
    out.terms[k] = v;
    switch (k) {
      case 'harness':
      case 'model':
      case 'tool':
      case 'agent':
        out.population[k] = v;
        break;
      case 'service':
      case 'service.name':
        if (out.population.service !== undefined) throw badRequest(param, 'service and service.name name the same attribute; give one');
        out.population.service = v;
        break;
      case 'from':
      case 'to': {
        const d = parseTimeExpr(v, now);
        if (!d) throw badRequest(param, `${k}: "${v}" is not a time: use ISO-8601 (2026-11-25T10:00:00Z) or a duration ago (30m, 24h, 7d)`);
        out[k] = d;
        break;
      }
      default:
        attributes[k] = v;
    }
  }
  if (Object.keys(attributes).length) out.population.attributes = attributes;
  return out;
}
