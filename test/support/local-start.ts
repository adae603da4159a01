/**
 * `npm start` run as a user runs it, in its own process, for the tests that drive it
 * (test/integration/start.test.ts, test/browser/quick-start.test.ts): started on its own data
 * directory and ports, and everything it started killed after each test (`stopStarted`).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../local/servers/processes.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export const alive = (pid: number) => {
  if (pid <= 0) return false; // kill(-1, 0) would ask about every process
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls until `pid` has exited; false if it is still there after `limitMs` (a hang, not a timing claim). */
export async function exited(pid: number, limitMs = 30_000): Promise<boolean> {
  for (const deadline = Date.now() + limitMs; Date.now() < deadline; ) {
    if (!alive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !alive(pid);
}

export function pidsMatching(pattern: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', '--', pattern], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

export interface Started {
  process: ChildProcess;
  port: number;
  data: string;
  /** The Node process running local/start/start.ts (the npm process's grandchild when started by npm). */
  runtimePid: number;
  /** DynamoDB Local's JVM, found by its database path. */
  javaPid: number;
  output: () => string;
}

const spawned: number[] = [];
const dataDirs: string[] = [];

/** Kills what the test started and removes its data directories: call it in `afterEach`. */
export async function stopStarted(): Promise<void> {
  for (const pid of spawned.splice(0)) if (pid > 0 && alive(pid)) process.kill(pid, 'SIGKILL');
  for (const dir of dataDirs.splice(0)) await rm(dir, { recursive: true, force: true });
}

export async function newDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'journeys-data-'));
  dataDirs.push(dir);
  return dir;
}

/** Starts `npm start` (or local/start/start.ts directly) on `data` and waits for its banner. */
export async function start(
  data: string,
  options: { npm?: boolean; fresh?: boolean } = {},
): Promise<Started> {
  const port = await freePort();
  const args = ['--data', data, ...(options.fresh ? ['--fresh'] : [])];
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), SES_PORT: '0', NO_COLOR: '1' };
  delete env.npm_lifecycle_event; // set by `npm test`; the runtime must see its own npm, or none
  const child = options.npm
    ? spawn('npm', ['start', '--silent', '--', ...args], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(process.execPath, ['--import', 'tsx', 'local/start/start.ts', ...args], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
  if (child.pid) spawned.push(child.pid);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (output.includes('is running locally')) {
        child.stdout?.off('data', check);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => reject(new Error(`start exited (${code}):\n${output}`));
    child.stdout?.on('data', check);
    child.once('exit', onExit);
  });
  const lock = await readFile(path.join(data, 'lock'), 'utf8').catch(() => String(child.pid));
  const runtimePid = Number(lock.trim());
  spawned.push(runtimePid);
  const [javaPid = -1] = pidsMatching(`-dbPath ${path.join(data, 'dynamodb')}`);
  spawned.push(javaPid);
  return { process: child, port, data, runtimePid, javaPid, output: () => output };
}

export const post = (port: number, body: string, headers: Record<string, string> = {}) =>
  fetch(`http://127.0.0.1:${port}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
