/**
 * `npm start`: the embedded default. DynamoDB Local and the SES v2 emulator, the table built from the
 * CDK stack's definition, shop events accepted in EventBridge PutEvents shape on
 * POST http://127.0.0.1:3000/events, the outbox drained from the table stream, and the sweeper on a
 * loop. Ctrl-C stops everything it started.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../functions/adapters/clock.ts';
import { buildCatalog, CatalogError } from '../functions/catalog/build.ts';
import { servePreferences } from './preferences-http.ts';
import { LocalRuntime, type PutEventsEntry } from './runtime.ts';
import { startDynamoDbLocal, startSesEmulator, stopAll } from './servers.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PORT = Number(process.env.PORT ?? 3000);
const SES_PORT = Number(process.env.SES_PORT ?? 8005);
const SWEEP_EVERY_MS = Number(process.env.SWEEP_EVERY_MS ?? 10_000);
const POLL_EVERY_MS = 300;

const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
const log = (line: string) =>
  process.stdout.write(`${paint(2, new Date().toISOString().slice(11, 19))} ${line}\n`);

async function readBody(req: IncomingMessage, limit = 1_048_576): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new RangeError('request body larger than 1 MiB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function main(): Promise<void> {
  let catalog: Awaited<ReturnType<typeof buildCatalog>>['catalog'];
  try {
    ({ catalog } = await buildCatalog(ROOT, { defaultLocale: process.env.DEFAULT_LOCALE ?? 'en' }));
  } catch (error) {
    if (error instanceof CatalogError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  log(
    `Loaded ${catalog.journeys.length} journey(s): ${catalog.journeys.map((j) => j.definition.id).join(', ')}`,
  );
  log('Starting DynamoDB Local (Java) and the SES v2 emulator…');
  const [dynamo, ses] = await Promise.all([
    startDynamoDbLocal(),
    startSesEmulator({ port: SES_PORT }).catch(() => startSesEmulator()),
  ]);
  const runtime = await LocalRuntime.create({
    catalog,
    clock: systemClock,
    dynamoEndpoint: dynamo.endpoint,
    sesEndpoint: ses.endpoint,
    env: {
      ...process.env,
      TABLE_NAME: process.env.TABLE_NAME ?? 'retention-journeys',
      PREFERENCES_URL: process.env.PREFERENCES_URL ?? `http://127.0.0.1:${PORT}/preferences`,
    },
    onPublish: (event) =>
      log(`${paint(35, '⚡')} ${event.detailType} ${String(event.detail.customerId ?? '')}`),
  });

  const server = createServer(async (req, res) => {
    try {
      if (req.method === 'POST' && req.url === '/events') {
        let body: { Entries?: PutEventsEntry[] };
        try {
          body = JSON.parse(await readBody(req));
        } catch {
          return send(res, 400, { message: 'body must be JSON in the EventBridge PutEvents request shape' });
        }
        if (!Array.isArray(body.Entries) || body.Entries.length === 0 || body.Entries.length > 10) {
          return send(res, 400, { message: 'Entries must be an array of 1 to 10 entries (PutEvents limit)' });
        }
        const { FailedEntryCount, Entries, deliveries } = await runtime.putEvents(body.Entries);
        for (const delivery of deliveries) {
          const targets = delivery.targets
            .map((t) => `${t.target}=${t.error ? paint(31, 'error') : t.outcome?.status}`)
            .join(' ');
          log(`${paint(36, '←')} ${delivery.event.detailType} ${targets}`);
          // Every target validates the same contract: one line per distinct rejection is enough.
          const rejections = new Set(
            delivery.targets.flatMap((t) =>
              t.outcome?.status === 'rejected' ? [t.outcome.errors.join('; ')] : [],
            ),
          );
          for (const errors of rejections) log(`  ${paint(31, '✗ rejected:')} ${errors}`);
          for (const t of delivery.targets) if (t.error) log(`  ${paint(31, `✗ ${t.target}:`)} ${t.error}`);
        }
        return send(res, 200, { FailedEntryCount, Entries });
      }
      // The preferences endpoint (unsubscribe and feedback links in the emails point here locally).
      if (req.url === '/preferences' || req.url?.startsWith('/preferences/')) {
        const action = await servePreferences(runtime.services.preferences, req, res);
        log(`${paint(33, '⚙')} preferences ${req.method} ${action}`);
        return;
      }
      if (req.method === 'GET' && (req.url === '/health' || req.url === '/')) {
        return send(res, 200, {
          status: 'ok',
          events: `POST http://127.0.0.1:${PORT}/events`,
          mailViewer: ses.viewerUrl,
          journeys: catalog.journeys.map((j) => j.definition.id),
        });
      }
      send(res, 404, { message: 'not found; POST /events takes shop events in PutEvents shape' });
    } catch (error) {
      send(res, 500, { message: String(error) });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(PORT, '127.0.0.1', resolve);
  });

  let running = true;
  const loop = (everyMs: number, work: () => Promise<void>) => {
    const tick = async () => {
      if (!running) return;
      try {
        await work();
      } catch (error) {
        log(paint(31, `! ${String(error)}`));
      }
      if (running) setTimeout(tick, everyMs);
    };
    void tick();
  };
  loop(POLL_EVERY_MS, async () => {
    const { outcomes, failures } = await runtime.drainOutbox();
    for (const o of outcomes) {
      if (o.status === 'sent') log(`${paint(32, '✉')} ${o.journeyId}/${o.message} [${o.locale}] → ${o.to}`);
      if (o.status === 'failed') log(paint(31, `✗ outbox ${o.outboxId} failed: ${o.reason}`));
      if (o.status === 'skipped' && !o.reason.startsWith('already'))
        log(`· outbox ${o.outboxId} skipped: ${o.reason}`);
    }
    for (const f of failures) log(paint(31, `✗ dispatch failed after retries: ${f}`));
  });
  loop(SWEEP_EVERY_MS, async () => {
    const report = await runtime.sweep();
    if (report.due) log(`⏱ ${report.due} timer(s) due, ${report.advanced} advanced`);
    for (const f of report.failed) log(paint(31, `✗ timer ${f.journeyId}/${f.customerId}: ${f.error}`));
  });

  const shutdown = async (signal: string) => {
    if (!running) return;
    running = false;
    log(`${signal}: stopping…`);
    server.close();
    await stopAll();
    log('Stopped DynamoDB Local and the SES emulator. Bye.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  process.stdout.write(
    [
      '',
      paint(1, '  retention-journeys is running locally'),
      `  Shop events   POST http://127.0.0.1:${PORT}/events   (EventBridge PutEvents shape)`,
      `  Mail viewer   ${paint(4, ses.viewerUrl)}`,
      `  Preferences   http://127.0.0.1:${PORT}/preferences/unsubscribe?token=…   (links in the emails)`,
      `  DynamoDB      ${dynamo.endpoint}   table ${runtime.config.tableName}`,
      `  Demo          npm run demo   (in another terminal)`,
      '  Stop          Ctrl-C',
      '',
    ].join('\n'),
  );
}

main().catch(async (error) => {
  process.stderr.write(
    `${paint(31, 'Failed to start:')} ${error instanceof Error ? error.message : String(error)}\n`,
  );
  await stopAll().catch(() => undefined);
  process.exit(1);
});
