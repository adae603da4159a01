/**
 * Runs a command's argv through its real commander definition (bin/commands.ts), for tests that call
 * a command's module in process with their own io: the option names and defaults are the CLI's own.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';

const REPOSITORY_ROOT = path.resolve(import.meta.dirname, '../..');

export function parseCommandLine<T>(spec: Command, argv: string[]): { args: string[]; options: T } {
  let args: string[] = [];
  spec
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .action((...received: unknown[]) => {
      // commander passes the arguments, then the options and the command itself.
      args = received.slice(0, -2).filter((a): a is string => typeof a === 'string');
    })
    .parse(argv, { from: 'user' });
  return { args, options: spec.opts<T & Record<string, unknown>>() };
}

/** What a run of the `journeys` command gave: its exit code and both streams. */
export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/journeys.js …` from the repository root as a child process, as `npx journeys …` would. */
export async function runJourneys(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CommandRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/journeys.js', ...args], {
      cwd: REPOSITORY_ROOT,
      env,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
