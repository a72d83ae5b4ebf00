import { Settler } from '../../settle/settler.js';
import { loadConfig } from '../../config.js';
import { loadRules } from '../../normalize/load-rules.js';
import { migrate } from '../../store/migrate.js';
import { readTime } from '../../time.js';
import { option } from '../args.js';
import type { Command } from '../command.js';
import { callService, withStoreOrService } from '../remote.js';

const USAGE = 'tracemill renormalize --since <time> [--until <time>]   (times: ISO-8601, or 24h, 7d ago)';


export const renormalizeCommand: Command = {
  summary: 'Rebuild normalized records and failures from stored raw data (after changing rules or upgrading). Goes through a running service when it holds the data directory.',
  usage: USAGE,
  async run(args: string[]): Promise<number> {
    const sinceText = option(args, '--since');
    const untilText = option(args, '--until');
    const since = sinceText ? readTime(sinceText) : 'is required';
    const until = untilText ? readTime(untilText) : undefined;
    const problem =
      typeof since === 'string'
        ? `--since: ${since}`
        : typeof until === 'string'
          ? `--until: ${until}`
          : until && since >= until
            ? `--since (${since.toISOString()}) is not before --until (${until.toISOString()})`
            : undefined;
    if (problem || typeof since === 'string' || typeof until === 'string') {
      console.error(`tracemill renormalize: ${problem}\nusage: ${USAGE}`);
      return 2;
    }
    const config = loadConfig();
    return withStoreOrService(
      config,
      async (store) => {
        await migrate(store, { retentionDays: config.retentionDays });
        const settler = new Settler(store, { settleMs: config.settleMs, rules: config.rulesFile ? loadRules(config.rulesFile) : undefined });
        const r = await settler.renormalize({ since, until });
        console.log(`rebuilt ${r.groups} groups: ${r.operations} operations, ${r.failures} failures on ${store.description}`);
        return 0;
      },
      async () => {
        const r = await callService<{ groups: number; operations: number; failures: number }>(config, 'POST', '/api/v1/admin/renormalize', {
          since: since.toISOString(),
          ...(until ? { until: until.toISOString() } : {}),
        });
        console.log(`rebuilt ${r.groups} groups: ${r.operations} operations, ${r.failures} failures (through the running service)`);
        return 0;
      },
    );
  },
};
