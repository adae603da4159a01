/**
 * Runs a command's argv through its real commander definition (bin/commands.ts), for tests that call
 * a command's module in process with their own io: the option names and defaults are the CLI's own.
 */
import type { Command } from 'commander';

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
