import type { Server } from 'node:http';
import type { Email } from 'aws-ses-v2-local/dist/store.js';
import { deregister, type Registered, register } from './processes.ts';

/** One email captured by the SES v2 emulator, as returned by its `GET /store`. */
export type SesEmail = Email;

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

type SesServerFactory = (config?: Partial<{ host: string; port: number }>) => Promise<Server>;

/**
 * The package is CommonJS with `exports.default`; depending on the loader we get it nested once or twice.
 * Imported when an emulator starts, not with this module: the emulator is a development dependency, and
 * the installed package's `journeys simulate --store memory` (SES in process) reaches this module without it.
 */
async function sesServerFactory(): Promise<SesServerFactory> {
  const sesEmulatorModule = await import('aws-ses-v2-local');
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
  const server = await (await sesServerFactory())({ host: '127.0.0.1', port: options.port ?? 0 });
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
      }).finally(() => deregister(entry));
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
