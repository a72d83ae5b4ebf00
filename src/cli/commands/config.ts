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
    console.log(JSON.stringify({ ...config, clickhousePassword: config.clickhousePassword ? '***' : '', apiKeys }, null, 2));
    return 0;
  },
};
