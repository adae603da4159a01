/**
 * The local servers' processes (DESIGN.md §8): every server started in local/servers/ listens on
 * 127.0.0.1 only and is registered here, so that Ctrl-C, SIGTERM, a crash or a plain exit never
 * leaves a Java process behind; SIGKILL, which runs no handler, is covered by the JVM's own watchdog
 * (java/LoopbackDynamoDbLocal.java). Plus the port helpers the servers start on.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface Registered {
  stop(): Promise<void>;
  /** Best-effort synchronous kill, for the 'exit' event where no async work can run. */
  killSync(): void;
}

const registry = new Set<Registered>();
let handlersInstalled = false;

/** Stops every server started in local/servers/ that is still running. */
export async function stopAll(): Promise<void> {
  const entries = [...registry];
  const results = await Promise.allSettled(entries.map((entry) => entry.stop()));
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
}

function killAllSync(): void {
  for (const entry of registry) {
    try {
      entry.killSync();
    } catch {
      // Already gone.
    }
  }
}

export function register(entry: Registered): void {
  registry.add(entry);
  installProcessHandlers();
}

/** Forgets a server that stopped. */
export function deregister(entry: Registered): void {
  registry.delete(entry);
}

function onSignal(signal: NodeJS.Signals): void {
  void stopAll()
    .catch(() => killAllSync())
    .finally(() => {
      // If nobody else listens for the signal, restore the default behaviour (terminate) by re-raising
      // it. If someone else does (e.g. a graceful-shutdown handler), leave exiting to them; the 'exit'
      // handler still kills anything that is left.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    });
}

function installProcessHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // 'exit' also fires when the process dies of an uncaught exception or an unhandled rejection (the
  // default --unhandled-rejections=throw turns it into one), so this covers crashes without this
  // module installing 'uncaughtException'/'unhandledRejection' listeners, which would change how the
  // host process (e.g. Vitest) treats them.
  process.on('exit', killAllSync);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  // Fires before the crash; kill right away in case something on the way to 'exit' hangs.
  process.on('uncaughtExceptionMonitor', () => {
    if (process.listenerCount('uncaughtException') === 0) killAllSync();
  });
  process.on('unhandledRejection', onUnhandledRejection);
}

function onUnhandledRejection(reason: unknown): void {
  // Adding this listener disables Node's default "throw on unhandled rejection". Keep the default
  // crash when we are the only listener; otherwise the other listener (e.g. Vitest) decides.
  if (process.listenerCount('unhandledRejection') > 1) return;
  killAllSync();
  console.error('Unhandled promise rejection:', reason);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

/** A currently free TCP port on 127.0.0.1 (Java cannot be told to listen on port 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not determine a free port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** Whether `port` on 127.0.0.1 can be listened on right now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.removeListener('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}
