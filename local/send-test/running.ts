/**
 * Finding the running `npm start`: its data directory's lock names the pid of the runtime using it,
 * its runtime.json where it answers (written once it listens, start.ts), and its signing secret signs
 * the links. The runtime is asked for its health (and its clock, which may be ahead of the wall clock),
 * so a stale runtime.json of a stopped runtime is never taken for a running one.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { lockHolder, type RunningRuntime, readRuntimeState, SECRET_FILE } from '../start/data-dir.ts';
import { NotRunningError } from './errors.ts';

export interface LocalTarget {
  running: RunningRuntime;
  signingSecret: string;
  /** The runtime's clock: links and coupons are dated by it. */
  now: string;
}

/** The runtime using `dataDir`, or NotRunningError saying what to do. */
export async function runningRuntime(
  dataDir: string,
  options: { fetch?: typeof fetch; env?: Record<string, string | undefined> } = {},
): Promise<LocalTarget> {
  const get = options.fetch ?? fetch;
  const env = options.env ?? process.env;
  const relative = path.relative(process.cwd(), dataDir);
  const shown = relative === '' ? '.' : relative.startsWith('..') ? dataDir : relative;
  const notRunning = (why: string) =>
    new NotRunningError(
      `npm start is not running (${why}): start it with \`npm start\` in another terminal, or send through SES in your AWS account with --aws`,
    );
  const pid = lockHolder(dataDir);
  if (pid === undefined) throw notRunning(`no runtime holds ${shown}`);
  const { running } = await readRuntimeState(dataDir);
  if (!running)
    throw notRunning(`the runtime of ${shown} (pid ${pid}) has not said where it answers; restart it`);
  let now: string;
  try {
    const response = await get(`${running.url}/health`, { signal: AbortSignal.timeout(3000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const health = (await response.json()) as { clock?: string };
    now = health.clock ?? new Date().toISOString();
  } catch (error) {
    throw notRunning(`${running.url} does not answer: ${(error as Error).message}`);
  }
  // As npm start does: the environment's secret wins over the data directory's.
  const signingSecret =
    env.SIGNING_SECRET ?? (await readFile(path.join(dataDir, SECRET_FILE), 'utf8')).trim();
  return { running, signingSecret, now };
}
