/**
 * Composition of the SES events function: the compliance store alone. No catalog, no secret (it
 * signs and checks nothing), no client besides DynamoDB, and no zod: the table's configuration is
 * read by hand (table-env.ts).
 */
import { SesEventService } from '../../services/ses-events.ts';
import { once } from '../cold-start.ts';
import { complianceStore, documentClient } from '../store.ts';
import { tableConfigFromEnv } from '../table-env.ts';

export interface SesEventsComposition {
  sesEvents: SesEventService;
}

export async function compose(
  env: Record<string, string | undefined> = process.env,
): Promise<SesEventsComposition> {
  const config = tableConfigFromEnv(env);
  return { sesEvents: new SesEventService({ compliance: complianceStore(documentClient(), config) }) };
}

export const composed = once(() => compose());
