// Runs the built CLI as a child process, as users run it.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';

export const CLI = join(import.meta.dirname, '../../dist/src/cli/main.js');

export function startServe(
  dataDir: string,
  env: Record<string, string> = {},
  opts: { uid?: number; gid?: number } = {},
): Promise<{ child: ChildProcess; url: string; grpcPort: number; output(): string }> {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: { ...process.env, TRACEMILL_DATA_DIR: dataDir, TRACEMILL_HTTP_PORT: '0', TRACEMILL_GRPC_PORT: '0', TRACEMILL_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...opts,
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // or it outlives the test
      reject(new Error(`child not ready in 60s:\n${out}`));
    }, 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"http":"(http:\/\/[^"]+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], grpcPort: Number(/"grpc":"[^"]*:(\d+)"/.exec(out)?.[1] ?? 0), output: () => out });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`child exited early (${code}):\n${out}`)));
  });
}

export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
