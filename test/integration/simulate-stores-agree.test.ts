/**
 * Issue 10: Shopify's documented payloads (ids above 2^53 as JSON numbers) sent as scenario events
 * made `journeys simulate` on DynamoDB Local print `"rejected": []` and exit 0 — writing the rejected
 * log threw and the error vanished — while `--store memory` rejected them cleanly. Both stores must
 * give the same verdicts, and every rejection or handler error must be in `--json` and the exit code.
 * The scenario is read from a file, as the CLI reads it (`readScenario`), and reported as `--json`.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { MemoryTables } from '../../local/memory-table/table.ts';
import { simulationReport } from '../../local/simulate/cli.ts';
import { readScenario, type SimulationResult, simulate } from '../../local/simulate/index.ts';
import { testEnv } from './env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SHOPIFY = path.join(ROOT, 'test/fixtures/shopify');
const env = testEnv();
let catalog: Catalog;
let dir: string;

beforeAll(async () => {
  ({ catalog } = await buildCatalog(ROOT, { defaultLocale: 'en' }));
  dir = await mkdtemp(path.join(tmpdir(), 'stores-agree-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs the scenario file on both stores and reports each as `journeys simulate --json` would. */
async function onBothStores(file: string) {
  const scenario = await readScenario(file);
  const run = async (store: 'dynamodb-local' | 'memory') => {
    const result: SimulationResult = await simulate(
      scenario,
      catalog,
      store === 'memory'
        ? { memory: new MemoryTables(), sesEndpoint: env.sesEndpoint }
        : { dynamoEndpoint: env.dynamoEndpoint, sesEndpoint: env.sesEndpoint },
    );
    const report = simulationReport(result, scenario, file, { json: true, check: false, color: false });
    return { json: JSON.parse(report.stdout), code: report.code };
  };
  return { dynamo: await run('dynamodb-local'), memory: await run('memory') };
}

/** What must not differ between the stores: the verdicts, errors, emails and the exit code. */
const verdicts = (run: { json: Record<string, unknown[]>; code: number }) => ({
  rejected: run.json.rejected,
  errors: run.json.errors,
  emails: run.json.emails?.length,
  code: run.code,
});

describe('journeys simulate: DynamoDB Local and --store memory agree', () => {
  it("on Shopify's samples as the shop's events (ids above 2^53): every one rejected, no handler error", async () => {
    // Prepare: each sample's envelope as a scenario event from the configured shop source (`shop`
    // in simulations), as a shop that set its source to the partner source sends them.
    const samples = (await readdir(SHOPIFY)).filter((f) => f.endsWith('.json')).sort();
    const events = await Promise.all(
      samples.map(async (name, index) => {
        const envelope = JSON.parse(await readFile(path.join(SHOPIFY, name), 'utf8'));
        return {
          at: `PT${index}M`,
          source: 'shop',
          detailType: envelope['detail-type'],
          detail: envelope.detail,
        };
      }),
    );
    const file = path.join(dir, 'shopify.json');
    await writeFile(file, JSON.stringify({ start: '2026-03-02T08:00:00Z', until: 'P1D', events }));

    // Act
    const { dynamo, memory } = await onBothStores(file);

    // Assess
    expect(samples.length).toBeGreaterThanOrEqual(11);
    expect(verdicts(dynamo)).toEqual(verdicts(memory));
    expect(dynamo.json.errors).toEqual([]);
    expect(dynamo.json.rejected).toEqual(
      samples.map((_, index) => ({
        index,
        detailType: 'shopifyWebhook',
        errors: [
          expect.stringMatching(/^detail-type: "shopifyWebhook" is not a shop event; expected one of /),
        ],
      })),
    );
    expect(dynamo.code).toBe(0);
  });

  it('on canonical events with numbers above 2^53: each rejected naming the field, on both stores', async () => {
    // Prepare: written as text, so the numbers reach the parser as the shop sent them
    const file = path.join(dir, 'unsafe.json');
    await writeFile(
      file,
      `{"start":"2026-03-02T08:00:00Z","until":"P1D","events":[
        {"at":"PT0S","detailType":"customer.registered","detail":{"customerId":7064055069303700840,"email":"a@example.de","locale":"de-DE","marketingConsent":true}},
        {"at":"PT1M","detailType":"order.placed","detail":{"orderId":"o-1","customerId":"c-unsafe","placedAt":"2026-03-02T08:00:00Z","total":{"amount":"1.00","currency":"EUR"},"items":[{"sku":"A","quantity":9007199254740993}]}}
      ]}`,
    );

    // Act
    const { dynamo, memory } = await onBothStores(file);

    // Assess
    expect(verdicts(dynamo)).toEqual(verdicts(memory));
    expect(dynamo.json.errors).toEqual([]);
    expect(dynamo.json.rejected).toEqual([
      {
        index: 0,
        detailType: 'customer.registered',
        errors: [expect.stringMatching(/^customerId: /)],
      },
      {
        index: 1,
        detailType: 'order.placed',
        errors: [expect.stringMatching(/^items\.0\.quantity: /)],
      },
    ]);
  });
});
