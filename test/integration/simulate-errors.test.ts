/**
 * `journeys simulate` must not hide a handler that throws: the error is in the timeline, in `--json`
 * (`errors`) and in the exit code. The failures are real: the memory table stops answering for one
 * customer's partition (an outage of the store, as DynamoDB throttling or a 500 would be).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCatalog } from '../../functions/catalog/build.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { MemoryTables } from '../../local/memory-table/table.ts';
import { simulationReport } from '../../local/simulate/cli.ts';
import { type SimulationResult, simulate } from '../../local/simulate/index.ts';
import { registration, scenario } from '../support/scenario.ts';
import { testEnv } from './env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let catalog: Catalog;

beforeAll(async () => {
  ({ catalog } = await buildCatalog(ROOT, { defaultLocale: 'en' }));
});

/**
 * A memory table that fails every request touching `C#<customerId>` once `when` says so: from the
 * start, or after the dispatcher first touched one of the customer's outbox entries (so the event's
 * handlers succeed and the later timer is what fails).
 */
class OutageTable extends MemoryTables {
  private down: boolean;
  constructor(
    private readonly customerId: string,
    private readonly when: 'always' | 'after-first-send',
  ) {
    super();
    this.down = when === 'always';
  }
  // biome-ignore lint/suspicious/noExplicitAny: MemoryTables.send takes any document-client command
  override async send(command: any): Promise<any> {
    const input = JSON.stringify(command.input ?? {});
    if (input.includes(`"C#${this.customerId}"`)) {
      if (this.down) throw new Error(`injected outage for C#${this.customerId}`);
      // The dispatcher's claim of an outbox entry: an update of one `OUT#` item.
      if (
        this.when === 'after-first-send' &&
        command instanceof UpdateCommand &&
        command.input.Key?.SK?.startsWith('OUT#')
      ) {
        const answer = await super.send(command);
        this.down = true;
        return answer;
      }
    }
    return super.send(command);
  }
}

const run = (table: MemoryTables, events: Parameters<typeof scenario>[2]) =>
  simulate(scenario('2026-03-02T08:00:00Z', 'P10D', events), catalog, {
    memory: table,
    sesEndpoint: testEnv().sesEndpoint,
  });

const report = (result: SimulationResult, options: { json: boolean; check?: boolean }) =>
  simulationReport(result, scenario('2026-03-02T08:00:00Z', 'P10D', []), 'errors.yaml', {
    check: false,
    color: false,
    ...options,
  });

describe('journeys simulate reports handler errors', () => {
  it('an event whose handlers throw: in the timeline, in --json errors, and exit code 1', async () => {
    // Prepare
    const broken = `c-${randomUUID().slice(0, 8)}`;
    const fine = `c-${randomUUID().slice(0, 8)}`;
    // Act
    const result = await run(new OutageTable(broken, 'always'), [
      ['PT0S', 'customer.registered', registration(broken)],
      ['PT1M', 'customer.registered', registration(fine)],
    ]);
    // Assess: every target that threw is named, with the event
    const targets = result.errors.map((e) => e.target);
    expect(targets).toEqual(expect.arrayContaining(['profile', 'journey:onboarding']));
    for (const error of result.errors)
      expect(error).toMatchObject({
        customerId: broken,
        event: { index: 0, detailType: 'customer.registered' },
      });
    for (const error of result.errors) expect(error.error).toMatch(/injected outage/);
    // The other customer is unaffected.
    expect(result.emails.some((e) => e.customerId === fine)).toBe(true);

    const json = report(result, { json: true });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).errors).toEqual(JSON.parse(JSON.stringify(result.errors)));
    const text = report(result, { json: false });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/customer\.registered: profile threw .*injected outage/);
    expect(text.stdout).toContain(`${result.errors.length} handler error(s)`);
    expect(report(result, { json: false, check: true }).code).toBe(1);
  });

  it('a timer whose handler throws is reported with its journey and instance', async () => {
    const id = `c-${randomUUID().slice(0, 8)}`;
    const result = await run(new OutageTable(id, 'after-first-send'), [
      ['PT0S', 'customer.registered', registration(id)],
    ]);
    const timerErrors = result.errors.filter((e) => e.timer);
    expect(timerErrors.length).toBeGreaterThan(0);
    expect(timerErrors[0]).toMatchObject({
      customerId: id,
      target: 'journey:onboarding',
      timer: { journeyId: 'onboarding', instanceId: expect.any(String), dueAt: expect.any(String) },
      error: expect.stringMatching(/injected outage/),
    });
    expect(result.timeline.some((l) => l.kind === 'error' && l.text.startsWith('timer onboarding/'))).toBe(
      true,
    );
    expect(report(result, { json: true }).code).toBe(1);
  });

  it('a clean simulation has no errors and exits 0', async () => {
    const id = `c-${randomUUID().slice(0, 8)}`;
    const result = await run(new MemoryTables(), [['PT0S', 'customer.registered', registration(id)]]);
    expect(result.errors).toEqual([]);
    const json = report(result, { json: true });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).errors).toEqual([]);
  });
});
