// Runs a real-framework scenario (tests/clients/scenarios/<name>.ts) in a child process against a service.
// Asynchronous on purpose: the service runs in this process and must keep answering the exports.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface ScenarioResult {
  answer: string;
  requests: { path: string; results: number; stream: boolean }[];
}

export async function runScenario(name: string, endpoint: string): Promise<ScenarioResult> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'tests/clients/scenarios/run.ts', name, endpoint], {
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 16 << 20,
    });
    const last = stdout.trim().split('\n').pop() ?? '';
    return JSON.parse(last) as ScenarioResult;
  } catch (e) {
    const err = e as Error & { stderr?: string; stdout?: string };
    throw new Error(`scenario ${name} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`, { cause: e });
  }
}
