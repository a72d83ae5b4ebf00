#!/usr/bin/env node
// tracemill command line: serve, migrate, renormalize, export, config, mcp, report, exports (one file each in cli/commands/, listed in COMMANDS).
import { ConfigError } from '../config.js';
import type { Command } from './command.js';
import { configCommand } from './commands/config.js';
import { exportCommand } from './commands/export.js';
import { exportsCommand } from './commands/exports.js';
import { mcpCommand } from './commands/mcp.js';
import { migrateCommand } from './commands/migrate.js';
import { renormalizeCommand } from './commands/renormalize.js';
import { reportCommand } from './commands/report.js';
import { serveCommand } from './commands/serve.js';

const COMMANDS: Record<string, Command> = {
  serve: serveCommand,
  migrate: migrateCommand,
  renormalize: renormalizeCommand,
  export: exportCommand,
  config: configCommand,
  mcp: mcpCommand,
  report: reportCommand,
  exports: exportsCommand,
};

function help(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`);
  return `usage: tracemill <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nSettings come from environment variables (see README.md, "Configuration").`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`tracemill: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`usage: ${cmd.usage}\n\n${cmd.summary}`);
    return 0;
  }
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    console.error(e instanceof ConfigError ? `tracemill: ${e.message}` : `tracemill: ${e.stack ?? e.message}`);
    process.exitCode = 1;
  },
);
