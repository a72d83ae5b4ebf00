// Reads the TRACEMILL_RULES file; parse errors name the file and the bad rule (rules.ts).
import { readFileSync } from 'node:fs';
import { type Rules, RulesError, parseRules } from './rules.js';

export function loadRules(path: string): Rules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RulesError([{ rule: null, field: '', message: `cannot read the file (${(e as Error).message})` }], `TRACEMILL_RULES=${path}`);
  }
  return parseRules(text, { format: /\.json$/i.test(path) ? 'json' : 'yaml', source: `TRACEMILL_RULES=${path}` });
}
