// The failure-mode catalogue served as an MCP resource: what each mode means and how it is detected, from the
// detector registry itself (so it cannot drift from what runs).
import { listDetectors } from '../analysis/detect.js';

export const CATALOGUE_URI = 'tracemill://failure-modes';

export function failureModeCatalogue(): string {
  const lines = [
    '# tracemill failure modes',
    '',
    'Each failure is found by one deterministic detector over normalized operations (no LLM judge).',
    '"span" detectors look at one operation; "run" detectors at all operations of an agent run.',
    '',
    '| mode | severity | scope | what it means | what triggers it |',
    '| --- | --- | --- | --- | --- |',
  ];
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  for (const d of listDetectors()) lines.push(`| \`${d.mode}\` | ${d.severity} | ${d.scope} | ${cell(d.description)} | ${cell(d.signal)} |`);
  return lines.join('\n') + '\n';
}
