// Reading command-line options: `--name value` or `--name=value`.

/** The value of option `name`, or undefined when it is not given. */
export function option(args: string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === name || a.startsWith(name + '='));
  if (i < 0) return undefined;
  return args[i].includes('=') ? args[i].slice(name.length + 1) : args[i + 1];
}
