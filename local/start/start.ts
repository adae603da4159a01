/**
 * `npm start`: the embedded default. DynamoDB Local and the SES v2 emulator, the table built from the
 * CDK stack's definition, shop events accepted in EventBridge PutEvents shape on
 * POST http://127.0.0.1:3000/events, the outbox drained from the table stream, and the sweeper on a
 * loop. Ctrl-C stops everything it started.
 *
 * State lives in a data directory (default `.data/`, see data-dir.ts): the table survives a crash or a
 * restart, on the same DynamoDB Local port, with the same link-signing secret. `--fresh` starts empty;
 * `--data <dir>` (or JOURNEYS_DATA_DIR) picks another directory.
 *
 * Nothing outlives it: SIGINT, SIGTERM and SIGHUP stop everything; if its parent dies (e.g. `npm` killed
 * with SIGKILL), it notices within a second and stops; and DynamoDB Local exits by itself when this
 * process is gone, however it ended (servers.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { JsonLinesSink } from '../../functions/adapters/analytics-jsonl.ts';
import { buildCatalog } from '../../functions/catalog/build.ts';
import { CatalogError } from '../../functions/catalog/errors.ts';
import type { LoyaltyProgram } from '../../functions/core/loyalty/program.ts';
import { DataDirInUse } from '../errors.ts';
import { localWebhookSecrets, serveWebhook } from '../runtime/connectors.ts';
import { eventsRoute, serveEvents } from '../runtime/events-http.ts';
import { servePreferences } from '../runtime/preferences-http.ts';
import { LocalRuntime } from '../runtime/runtime.ts';
import { startDynamoDbLocal } from '../servers/dynamodb-local.ts';
import { portIsFree, stopAll } from '../servers/processes.ts';
import { startSesEmulator } from '../servers/ses-emulator.ts';
import { AdjustableClock, inWords, serveClock } from './clock.ts';
import { isRunning, openDataDir } from './data-dir.ts';
import { serveMailViewer } from './mail-viewer.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PORT = Number(process.env.PORT ?? 3000);
const SES_PORT = Number(process.env.SES_PORT ?? 8005);
const SWEEP_EVERY_MS = Number(process.env.SWEEP_EVERY_MS ?? 10_000);
const POLL_EVERY_MS = 300;
const PARENT_CHECK_EVERY_MS = 500;

function readArgs() {
  try {
    return parseArgs({ options: { data: { type: 'string' }, fresh: { type: 'boolean', default: false } } })
      .values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nUsage: npm start [-- --fresh] [-- --data <dir>]\n`);
    process.exit(2);
  }
}
const args = readArgs();
const DATA_DIR = args.data ?? process.env.JOURNEYS_DATA_DIR ?? path.join(ROOT, '.data');

const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
const log = (line: string) =>
  process.stdout.write(`${paint(2, new Date().toISOString().slice(11, 19))} ${line}\n`);

/** A shop-sent id as a terminal shows it safely: no control characters (escape sequences), bounded. */
const printable = (text: string) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are what is replaced
  text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 120);

/**
 * Whom and what an event is about, for a log line: `customer c-1 order o-7 journey onboarding`.
 * Ids only — never an address or a name (the log is not a place for personal data).
 */
function about(detail: unknown): string {
  const d = (typeof detail === 'object' && detail !== null ? detail : {}) as Record<string, unknown>;
  const parts: string[] = [];
  for (const [key, label] of [
    ['customerId', 'customer'],
    ['orderId', 'order'],
    ['journey', 'journey'],
    ['message', 'message'],
  ] as const)
    if (typeof d[key] === 'string' && d[key] !== '') parts.push(`${label} ${printable(d[key])}`);
  return parts.join(' ');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** What a stop must do first besides stopping the servers; grows as the runtime comes up. */
let beforeStop = () => {};
let releaseDataDir = () => {};
let stopping = false;

/** Stops everything, from any stage of the start-up on: signals and a vanished parent end up here. */
async function shutdown(why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${why}: stopping…`);
  beforeStop();
  await stopAll().catch(() => undefined);
  releaseDataDir();
  log('Stopped DynamoDB Local and the SES emulator. Bye.');
  process.exit(0);
}

async function main(): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => void shutdown(signal));
  watchParents((why) => void shutdown(why));
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
    `Loaded ${catalog.journeys.length} journey(s): ${catalog.journeys
      .map((j) => (j.definition.enabled ? j.definition.id : `${j.definition.id} (disabled: no new entrants)`))
      .join(', ')}`,
  );
  log(loyaltyLine(catalog.loyalty));
  let data: Awaited<ReturnType<typeof openDataDir>>;
  try {
    data = await openDataDir(DATA_DIR, { fresh: args.fresh });
  } catch (error) {
    if (error instanceof DataDirInUse) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  releaseDataDir = data.release;
  const state = await data.readState();
  // The port of the last run, so the endpoint stays put; another one if something else took it.
  const remembered = state.dynamoPort && (await portIsFree(state.dynamoPort)) ? state.dynamoPort : undefined;
  log(
    `Starting DynamoDB Local (Java) and the SES v2 emulator… (data in ${path.relative(process.cwd(), data.path) || '.'}${args.fresh ? ', fresh' : ''})`,
  );
  const [dynamo, ses] = await Promise.all([
    startDynamoDbLocal({ port: remembered, dbPath: data.dynamoDbPath }).catch((error: unknown) =>
      remembered ? startDynamoDbLocal({ dbPath: data.dynamoDbPath }) : Promise.reject(error),
    ),
    startSesEmulator({ port: SES_PORT }).catch(() => startSesEmulator()),
  ]);
  let saved = { ...state, dynamoPort: dynamo.port };
  await data.writeState(saved);
  const clock = new AdjustableClock(state.clockOffsetMs ?? 0);
  const runtime = await LocalRuntime.create({
    catalog,
    clock,
    dynamoEndpoint: dynamo.endpoint,
    sesEndpoint: ses.endpoint,
    env: {
      ...process.env,
      // The data directory's own secret: links signed by one `npm start` are not forgeable from the
      // source code, and stay valid across its restarts.
      SIGNING_SECRET: process.env.SIGNING_SECRET ?? data.signingSecret,
      TABLE_NAME: process.env.TABLE_NAME ?? 'retention-journeys',
      PREFERENCES_URL: process.env.PREFERENCES_URL ?? `http://127.0.0.1:${PORT}/preferences`,
    },
    onPublish: (event) => log(`${paint(35, '⚡')} ${event.detailType} ${about(event.detail)}`),
    // The analytics log, as JSON Lines in Firehose's partition layout: `journeys report` reads it.
    analyticsSink: new JsonLinesSink(data.analyticsPath),
  });

  /** Works the timers due by the runtime's clock (every few seconds, and at once when it moves). */
  async function sweepNow(): Promise<void> {
    const report = await runtime.sweep();
    if (report.due) log(`⏱ ${report.due} timer(s) due, ${report.advanced} advanced`);
    for (const f of report.failed) log(paint(31, `✗ timer ${f.journeyId}/${f.customerId}: ${f.error}`));
  }

  // One secret per webhook platform, kept with the data (owner-only), printed below.
  const webhookSecrets = localWebhookSecrets(data.path);
  const server = createServer(async (req, res) => {
    try {
      // POST /events, and POST / as the AWS SDK's EventBridgeClient sends PutEvents (X-Amz-Target).
      const events = eventsRoute(req);
      if (events === 'method-not-allowed') return send(res, 405, { message: 'POST only' });
      if (events === 'serve') {
        const { deliveries } = await serveEvents(runtime, req, res);
        for (const delivery of deliveries) {
          const targets = delivery.targets
            .map((t) => `${t.target}=${t.error ? paint(31, 'error') : t.outcome?.status}`)
            .join(' ');
          log(`${paint(36, '←')} ${delivery.event.detailType} ${about(delivery.event.detail)} ${targets}`);
          // Every target validates the same contract: one line per distinct rejection is enough.
          const rejections = new Set(
            delivery.targets.flatMap((t) =>
              t.outcome?.status === 'rejected' ? [t.outcome.errors.join('; ')] : [],
            ),
          );
          for (const errors of rejections) log(`  ${paint(31, '✗ rejected:')} ${errors}`);
          for (const t of delivery.targets) if (t.error) log(`  ${paint(31, `✗ ${t.target}:`)} ${t.error}`);
        }
        return;
      }
      // Signed shop webhooks (WooCommerce, Shopware): the same receiver as the Function URL in AWS.
      if (req.url?.startsWith('/webhooks/')) {
        const answer = await serveWebhook(req, res, {
          connectors: runtime.services.connectors,
          settings: {
            defaultLocale: runtime.config.defaultLocale,
            defaultTimeZone: runtime.config.defaultTimeZone,
          },
          secrets: webhookSecrets,
          now: () => clock.now(),
        });
        const failed =
          answer.statusCode >= 400 ? paint(31, String(answer.statusCode)) : String(answer.statusCode);
        log(`${paint(36, '←')} webhook ${req.url.split('?')[0]} ${failed} ${String(answer.status ?? '')}`);
        return;
      }
      // Our own mail viewer: sender name, locale, journey and message, both parts, the headers.
      if (await serveMailViewer(req, res, { emails: () => ses.emails(), now: () => clock.now() })) return;
      // The marketer's clock: move it forward and see what the days in between would have sent.
      const clockAction = await serveClock(req, res, {
        clock,
        advanced: async ({ to, by }) => {
          saved = { ...saved, clockOffsetMs: clock.offset };
          await data.writeState(saved);
          log(`${paint(35, '⏩')} clock moved ${inWords(by)} forward, to ${to}`);
          await sweepNow();
        },
      });
      if (clockAction) {
        if (clockAction === 'refused') log(`${paint(31, '⏩')} clock ${req.method} ${req.url} refused`);
        return;
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
          mailViewer: `http://127.0.0.1:${PORT}/mail`,
          clock: clock.now(),
          journeys: catalog.journeys.map((j) => j.definition.id),
        });
      }
      send(res, 404, { message: 'not found; POST /events takes shop events in PutEvents shape' });
    } catch (error) {
      if (!res.headersSent) send(res, 500, { message: String(error) });
      else res.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(PORT, '127.0.0.1', resolve);
  });

  // Where this runtime answers, for the tools that use it (`journeys send-test`).
  saved = {
    ...saved,
    running: {
      url: `http://127.0.0.1:${PORT}`,
      sesEndpoint: ses.endpoint,
      dynamoEndpoint: dynamo.endpoint,
      tableName: runtime.config.tableName,
      preferencesUrl: runtime.config.preferencesUrl,
      senderAddress: runtime.config.senderAddress,
      shop: runtime.config.shop,
      defaultTimeZone: runtime.config.defaultTimeZone,
    },
  };
  await data.writeState(saved);

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
  loop(SWEEP_EVERY_MS, sweepNow);

  beforeStop = () => {
    running = false;
    server.close();
    server.closeAllConnections();
  };

  process.stdout.write(
    [
      '',
      paint(1, '  retention-journeys is running locally'),
      `  Shop events   POST http://127.0.0.1:${PORT}/events   (EventBridge PutEvents shape)`,
      `  AWS SDK       new EventBridgeClient({ endpoint: 'http://127.0.0.1:${PORT}' })   (PutEvents)`,
      `  Webhooks      POST http://127.0.0.1:${PORT}/webhooks/woocommerce | /webhooks/shopware   (secrets in ${path.join(path.relative(process.cwd(), data.path) || '.', 'webhook-secrets.json')})`,
      `  Mail viewer   ${paint(4, `http://127.0.0.1:${PORT}/mail`)}   (sender, locale, journey, both parts, headers; buttons move the clock)`,
      `  Preferences   http://127.0.0.1:${PORT}/preferences/unsubscribe?token=…   (links in the emails)`,
      `  Clock         ${clock.now()}${clock.offset > 0 ? ' (moved ahead of the wall clock)' : ''}   curl -X POST -H 'content-type: application/json' -d '{"by":"P5D"}' http://127.0.0.1:${PORT}/clock/advance`,
      `  DynamoDB      ${dynamo.endpoint}   table ${runtime.config.tableName}`,
      `  Data          ${data.path}   (npm start -- --fresh for an empty start)`,
      `  Analytics     ${data.analyticsPath}   (npx journeys report --analytics ${path.relative(process.cwd(), data.analyticsPath) || '.'})`,
      `  Demo          npm run demo   (in another terminal)`,
      '  Stop          Ctrl-C',
      '',
    ].join('\n'),
  );
}

/** The parent process of `pid`, or undefined if unknown. */
function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may contain spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    try {
      return Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' }).trim());
    } catch {
      return undefined;
    }
  }
}

/**
 * Calls `onGone` once the process that started this one is gone. Signals cover a clean stop, but
 * SIGKILL of `npm` sends nothing: npm's `sh -c` child then waits on, this process keeps the ports and
 * the data directory, and the next `npm start` finds them taken. So: the parent, and when run by an
 * npm script also npm itself (the parent's parent), are checked twice a second.
 */
function watchParents(onGone: (why: string) => void): void {
  const parent = process.ppid;
  const watched = [parent];
  if (process.env.npm_lifecycle_event) {
    const npm = parentOf(parent);
    if (npm && npm > 1) watched.push(npm);
  }
  const timer = setInterval(() => {
    const gone = process.ppid !== parent ? parent : watched.find((pid) => !isRunning(pid));
    if (gone === undefined) return;
    clearInterval(timer);
    onGone(`parent process ${gone} is gone`);
  }, PARENT_CHECK_EVERY_MS);
  timer.unref();
}

main().catch(async (error) => {
  process.stderr.write(
    `${paint(31, 'Failed to start:')} ${error instanceof Error ? error.message : String(error)}\n`,
  );
  await stopAll().catch(() => undefined);
  process.exit(1);
});

/** What the runtime runs of the loyalty program (loyalty.yaml), in one line. */
function loyaltyLine(program: LoyaltyProgram | undefined): string {
  if (!program) return 'Loyalty program: none (no loyalty.yaml)';
  if (!program.enabled) return 'Loyalty program: off (loyalty.yaml says enabled: false)';
  const tiers = program.tiers.levels.map((t) => `${t.id} ${t.threshold}`).join(', ');
  const rewards = program.rewards.map((r) => `${r.id} ${r.points}`).join(', ') || 'none';
  return `Loyalty program: tiers ${tiers} (qualifying points); rewards ${rewards} (points); points pending ${program.earning.hold}`;
}
