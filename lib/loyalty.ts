/**
 * The loyalty program in AWS (DESIGN.md §11): one function that hears the shop's registrations,
 * updates, orders, refunds, feedback and redemption requests and the system's referral rewards — the
 * patterns of the local runtime's `loyalty` route (core/loyalty/routing.ts) — and keeps each member's
 * account and ledger in the customer's partition. It may read and write the table and read the signing
 * secret (coupon codes are derived from it), nothing else: what it emits goes through the outbox and
 * the dispatcher like every system event, and the accounts' timers (hold, reminder, expiry, tier
 * review, birthday) are swept in-process by the sweeper, which composes the same service.
 *
 * The program is what the functions run: the catalog bundled with them (`loyalty` of catalog.json,
 * from loyalty.yaml). The function exists only while that program is enabled.
 */
import { readFileSync } from 'node:fs';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { loyaltyProgramSchema } from '../functions/core/loyalty/program.ts';
import { loyaltyEventPatterns } from '../functions/core/loyalty/routing.ts';
import type { FailureWiring } from './dead-letter-queue.ts';
import { RetentionFunction } from './function.ts';

/** What the stack builds of the program found in the catalog. */
export interface LoyaltySettings {
  /** Whether the catalog's program is enabled: the loyalty function and its rules exist only then. */
  readonly enabled: boolean;
}

/**
 * The catalog's loyalty program as the stack needs it; undefined when the catalog has none (a catalog
 * built without loyalty.yaml). A program that does not parse fails synth the way a bad journey does.
 */
export function loyaltyFromCatalog(
  catalogPath: string,
  fail: (message: string) => never,
): LoyaltySettings | undefined {
  let catalog: unknown;
  try {
    catalog = JSON.parse(readFileSync(catalogPath, 'utf8'));
  } catch (error) {
    return fail(`catalogPath "${catalogPath}" is not a readable catalog: ${(error as Error).message}`);
  }
  const raw =
    typeof catalog === 'object' && catalog !== null ? (catalog as { loyalty?: unknown }).loyalty : undefined;
  if (raw === undefined || raw === null) return undefined;
  const parsed = loyaltyProgramSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(
      `the catalog's loyalty program is not valid (${issue?.path.join('.') || 'root'}: ${issue?.message}); run \`journeys validate\` and fix loyalty.yaml`,
    );
  }
  return { enabled: parsed.data.enabled };
}

/** What the parent construct lends: its bus, table, secret and its way of wiring rules and DLQs. */
export interface LoyaltyProps extends FailureWiring {
  readonly eventBus: IEventBus;
  readonly shopEventSource: string;
  readonly table: TableV2;
  /** Signs the coupon codes of redemptions (the same secret as referral codes and links). */
  readonly signingSecret: ISecret;
  readonly catalogPath: string;
  readonly logRetention: RetentionDays;
  /** Environment every function of the stack gets (bus, locale, time zone, secret ARN ...). */
  readonly environment: Record<string, string>;
}

export class Loyalty extends Construct {
  readonly function: RetentionFunction;
  /** Events the program could not process, after EventBridge's and Lambda's retries. */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: LoyaltyProps) {
    super(scope, id);
    this.function = new RetentionFunction(this, 'Loyalty', {
      role: 'loyalty',
      description: 'Loyalty program: points, tiers, expiry and redemptions of every member',
      catalogPath: props.catalogPath,
      logRetention: props.logRetention,
      environment: props.environment,
      signingSecret: props.signingSecret,
    });
    this.function.bindTable(props.table);

    // One DLQ for both rules, as a journey's two rules share one: the label names the function.
    this.deadLetterQueue = props.deadLetterQueue('Loyalty', 'events the loyalty program could not process');
    const [shop, system] = loyaltyEventPatterns(props.shopEventSource);
    props.route(
      'LoyaltyShop',
      props.eventBus,
      { source: shop.source, detailType: shop['detail-type'] ?? [] },
      this.function,
      this.deadLetterQueue,
      { description: 'Shop events the loyalty program earns, reverses and redeems on' },
    );
    props.route(
      'LoyaltySystem',
      props.eventBus,
      { source: system.source, detailType: system['detail-type'] ?? [] },
      this.function,
      this.deadLetterQueue,
      { description: 'System events the loyalty program gives bonuses for (referral rewards)' },
    );
    props.retryThenKeep(this.function, this.deadLetterQueue);
  }
}
