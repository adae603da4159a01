/** Composition of the dispatcher: SES, the bus, the email templates and the outbox's table side. */
import type { Catalog } from '../../catalog/catalog.ts';
import type { Dispatcher } from '../../services/dispatcher.ts';
import { eventPublisher } from '../bus.ts';
import { once } from '../cold-start.ts';
import { dispatcher } from '../sending.ts';
import { signedStart } from '../signed-start.ts';
import { complianceStore } from '../store.ts';

export interface DispatcherComposition {
  dispatcher: Dispatcher;
}

export async function compose(
  env: Record<string, string | undefined> = process.env,
): Promise<DispatcherComposition> {
  const { config, catalog, doc, base } = await signedStart<Pick<Catalog, 'templates'>>(env);
  const parts = {
    ...base,
    compliance: complianceStore(doc, config),
    publisher: eventPublisher(config.eventBusName),
  };
  return { dispatcher: dispatcher(parts, config, catalog) };
}

export const composed = once(() => compose());
