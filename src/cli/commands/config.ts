import { configTable, loadConfig } from '../../config.js';
import type { Command } from '../command.js';

export const configCommand: Command = {
  summary: 'Print the settings table (--markdown) or the effective configuration (passwords hidden).',
  usage: 'tracemill config [--markdown]',
  async run(args: string[]): Promise<number> {
    if (args.includes('--markdown')) {
      console.log(configTable());
      return 0;
    }
    const config = loadConfig();
    const apiKeys = config.apiKeys?.map((k) => ({ name: k.name, project: k.project, scopes: [...k.scopes] }));
    // Webhook secrets stay hidden too (URLs of incoming webhooks carry their token in the path).
    const alerts = config.alerts && {
      ...config.alerts,
      rules: config.alerts.rules.map((r) => ({
        ...r,
        destinations: r.destinations.map((d) => ({
          ...d,
          url: d.url.replace(/^(https?:\/\/[^/]+\/).*$/, '$1***'),
          hmac_secret: d.hmac_secret && '***',
          secret_header: d.secret_header && { name: d.secret_header.name, value: '***' },
        })),
      })),
    };
    console.log(JSON.stringify({ ...config, clickhousePassword: config.clickhousePassword ? '***' : '', apiKeys, alerts }, null, 2));
    return 0;
  },
};
