/**
 * The shop connectors locally, with no configuration: a Shopify partner envelope put on the local
 * bus (`npm start`'s PutEvents endpoint, a `journeys simulate` scenario event whose `source` is
 * `aws.partner/shopify.com/…`) goes to the same translator and connector service as the Shopify
 * function in AWS; WooCommerce and Shopware webhooks go to `POST /webhooks/<platform>`, signed with
 * the data directory's webhook secrets, through the same receiver as the Function URL.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { isShopifyEnvelope, translateShopify, WEBHOOK_PLATFORMS } from '../../functions/connectors/index.ts';
import type { ConnectorSettings } from '../../functions/connectors/translation.ts';
import type { RawEvent } from '../../functions/core/events.ts';
import type { ConnectorService } from '../../functions/services/connectors.ts';
import type { Outcome } from '../../functions/services/journeys.ts';
import { receiveWebhook, WEBHOOK_BODY_LIMIT } from '../../functions/services/webhook-receiver.ts';

/** The route the local runtime gives Shopify partner envelopes (the partner bus rule in AWS). */
export function shopifyRoute(connectors: ConnectorService, settings: ConnectorSettings) {
  return {
    target: 'connector:shopify',
    matches: (e: RawEvent) => isShopifyEnvelope(e),
    run: async (e: RawEvent): Promise<Outcome> => {
      const outcome = await connectors.handle(translateShopify(e, settings), {
        id: e.id,
        time: e.time,
        detail: e.detail,
      });
      switch (outcome.status) {
        case 'rejected':
          return { status: 'rejected', errors: outcome.errors };
        case 'duplicate':
          return { status: 'duplicate' };
        case 'in-flight':
          throw new Error(`shopify ${outcome.topic}: the delivery is being published by another call`);
        default: {
          const note = [
            ...outcome.published.map((p) => p.detailType),
            ...(outcome.parked ? [`${outcome.parked} waiting for their order`] : []),
          ];
          return {
            status: outcome.published.length ? 'applied' : 'unchanged',
            trace: [
              {
                journeyId: 'shopify',
                instanceId: '',
                note: `${outcome.topic} → ${note.join(', ') || `nothing (${outcome.ignored ?? 'no change'})`}`,
              },
            ],
            ...(outcome.published.length ? { effects: outcome.published.length } : {}),
          } as Outcome;
        }
      }
    },
  };
}

/** Where `npm start` keeps the webhook secrets: one per platform, random, owner-only. */
export function localWebhookSecrets(dataDir: string): Record<string, string> {
  const file = path.join(dataDir, 'webhook-secrets.json');
  if (!existsSync(file)) {
    const secrets = Object.fromEntries(
      Object.keys(WEBHOOK_PLATFORMS).map((name) => [name, randomBytes(24).toString('base64url')]),
    );
    writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
}

/** `POST /webhooks/<platform>` of the local runtime. */
export async function serveWebhook(
  req: IncomingMessage,
  res: ServerResponse,
  deps: {
    connectors: ConnectorService;
    settings: ConnectorSettings;
    secrets: Record<string, string>;
    now: () => string;
  },
): Promise<{ statusCode: number; status?: unknown }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= WEBHOOK_BODY_LIMIT + 1) chunks.push(chunk as Buffer);
  }
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers))
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  const url = new URL(req.url ?? '/', 'http://local');
  const answer = await receiveWebhook(
    {
      method: req.method ?? 'GET',
      path: url.pathname.replace(/^\/webhooks/, ''),
      query: url.search.replace(/^\?/, ''),
      headers,
      body: Buffer.concat(chunks),
      baseUrl: `http://${req.headers.host ?? '127.0.0.1'}/webhooks`,
    },
    {
      platforms: WEBHOOK_PLATFORMS,
      secrets: async () => deps.secrets,
      connectors: deps.connectors,
      settings: deps.settings,
      now: deps.now,
    },
  );
  res.writeHead(answer.statusCode, { 'content-type': 'application/json', ...answer.headers });
  res.end(JSON.stringify(answer.body));
  return { statusCode: answer.statusCode, status: answer.body.status };
}
