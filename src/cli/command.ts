// What a CLI command is. Commands live in cli/commands/ (one file each) and are listed in main.ts's COMMANDS.

export interface Command {
  summary: string;
  usage: string;
  /** Runs with the arguments after the command name; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}
