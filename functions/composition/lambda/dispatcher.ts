/** Composition of the dispatcher: SES, the bus, the email templates and the outbox's table side. */
import { systemClock } from '../../adapters/clock.ts';
import type { Catalog } from '../../catalog/catalog.ts';
import { configFromEnv } from '../../config.ts';
import type { Dispatcher } from '../../services/dispatcher.ts';
import { eventPublisher } from '../bus.ts';
import { bundledCatalog, once } from '../cold-start.ts';
import { signingSecret } from '../secret.ts';
import { dispatcher } from '../sending.ts';
import { complianceStore, documentClient, journeyStore } from '../store.ts';

export interface DispatcherComposition {
  dispatcher: Dispatcher;
}

export async function compose(
  env: Record<string, string | undefined> = process.env,
): Promise<DispatcherComposition> {
  const config = configFromEnv(env);
  const [secret, catalog] = await Promise.all([
    signingSecret(config),
    bundledCatalog<Pick<Catalog, 'templates'>>(env),
  ]);
  const doc = documentClient();
  const parts = {
    store: journeyStore(doc, config),
    compliance: complianceStore(doc, config),
    publisher: eventPublisher(config.eventBusName),
    now: () => systemClock.now(),
    signingSecret: secret,
  };
  return { dispatcher: dispatcher(parts, config, catalog) };
}

export const composed = once(() => compose());
