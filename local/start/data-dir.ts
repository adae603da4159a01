/**
 * The local runtime's data directory (`npm start`; default `.data/`, gitignored): what must survive a
 * crash or a restart of the local runtime.
 *
 *   dynamodb/             DynamoDB Local's database file (`-dbPath`)
 *   runtime.json          the DynamoDB Local port, reused on the next start so endpoints stay put,
 *                         how far the clock was moved ahead (clock.ts), and the running runtime's
 *                         endpoints (what `journeys send-test` sends through)
 *   signing-secret        the secret that signs the links in the emails (random, mode 0600)
 *   webhook-secrets.json  one HMAC secret per webhook platform (WooCommerce, Shopware; mode 0600)
 *   analytics/            the analytics log, JSON Lines under dt=YYYY-MM-DD/ (as Firehose writes S3)
 *   lock                  the pid of the runtime using the directory
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ShopIdentity } from '../../functions/core/shop.ts';
import { DataDirInUse } from '../errors.ts';

export interface RuntimeState {
  dynamoPort?: number;
  /**
   * Where the running `npm start` answers, written once it listens (stale after it stopped: a reader
   * checks the lock's pid and asks `url`/health): its HTTP server, the SES v2 emulator, DynamoDB
   * Local with the table, the preferences service its links point to, and what its emails are sent
   * as. `journeys send-test` sends through it.
   */
  running?: RunningRuntime;
  /** How far `npm start`'s clock was moved ahead of the wall clock (clock.ts), in milliseconds. */
  clockOffsetMs?: number;
}

export interface RunningRuntime {
  url: string;
  sesEndpoint: string;
  dynamoEndpoint: string;
  tableName: string;
  preferencesUrl: string;
  /** What its emails are sent as: the sender and the shop identity of its configuration. */
  senderAddress: string;
  shop: ShopIdentity;
  /** The time zone of customers without one. */
  defaultTimeZone: string;
}

export interface DataDir {
  path: string;
  /** Where DynamoDB Local keeps its database file. */
  dynamoDbPath: string;
  /** The analytics log's directory (`npm start` writes its JSON Lines there). */
  analyticsPath: string;
  /** The signing secret of this data directory (created on first use). */
  signingSecret: string;
  readState(): Promise<RuntimeState>;
  writeState(state: RuntimeState): Promise<void>;
  /** Gives up the lock. Also done on process exit. */
  release(): void;
}

/** The file that holds the pid of the runtime using a data directory. */
export const LOCK_FILE = 'lock';

/** The file of a data directory's link-signing secret. */
export const SECRET_FILE = 'signing-secret';

/** The file of a data directory's runtime state. */
export const STATE_FILE = 'runtime.json';

const SECRET_BYTES = 32;

/** Whether a process with this pid exists (ours or another user's). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of the runtime holding `dir`'s lock while it runs; undefined when none does. */
export function lockHolder(dir: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(path.join(dir, LOCK_FILE), 'utf8'), 10);
  } catch {
    return undefined;
  }
  return Number.isInteger(pid) && pid > 0 && isRunning(pid) ? pid : undefined;
}

/** The directory's runtime state as last written (`runtime.json`); empty when there is none. */
export async function readRuntimeState(dir: string): Promise<RuntimeState> {
  try {
    return JSON.parse(await readFile(path.join(dir, STATE_FILE), 'utf8')) as RuntimeState;
  } catch {
    return {};
  }
}

/**
 * Takes the directory's lock: two runtimes on one DynamoDB Local database file would each hold
 * state the other cannot see. A lock left by a runtime that is gone (a crash) is taken over.
 */
function lock(dir: string): () => void {
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      const release = () => {
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
        } catch {
          // Already gone.
        }
        process.removeListener('exit', release);
      };
      process.on('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = lockHolder(dir);
      if (holder !== undefined && holder !== process.pid) {
        throw new DataDirInUse(
          `${dir} is in use by another local runtime (pid ${holder}). Stop it, or start with --data <dir>.`,
        );
      }
      unlinkSync(file); // stale: its runtime is gone
    }
  }
  throw new DataDirInUse(`${dir}: could not take the lock`);
}

/** Reads the directory's signing secret, creating it (random, owner-only) the first time. */
function signingSecret(dir: string): string {
  const file = path.join(dir, SECRET_FILE);
  try {
    writeFileSync(file, `${randomBytes(SECRET_BYTES).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // A copied or restored file may have lost its mode: only the owner may read a key that signs links.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 16) throw new Error(`${file} holds no usable secret: delete it to get a new one`);
  return secret;
}

/**
 * Opens (creating if needed) the data directory and locks it. `fresh` empties it first, after taking
 * the lock, so a running runtime's data is never deleted: a new database, port and signing secret.
 */
export async function openDataDir(dir: string, options: { fresh?: boolean } = {}): Promise<DataDir> {
  const root = path.resolve(dir);
  await mkdir(root, { recursive: true, mode: 0o700 });
  const release = lock(root);
  try {
    if (options.fresh) {
      // The log goes too: its customers' secrets were in the database, so it could be tied to no one.
      for (const name of ['dynamodb', 'runtime.json', 'signing-secret', 'webhook-secrets.json', 'analytics'])
        rmSync(path.join(root, name), { recursive: true, force: true });
    }
    const stateFile = path.join(root, STATE_FILE);
    return {
      path: root,
      dynamoDbPath: path.join(root, 'dynamodb'),
      analyticsPath: path.join(root, 'analytics'),
      signingSecret: signingSecret(root),
      readState: () => readRuntimeState(root),
      async writeState(state) {
        await writeFile(stateFile, `${JSON.stringify(state, null, 2)}\n`);
      },
      release,
    };
  } catch (error) {
    release();
    throw error;
  }
}
