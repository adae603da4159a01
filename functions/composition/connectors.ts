/** The shop connectors: translated deliveries onto the bus (no catalog, no signing secret). */
import { ConnectorStore } from '../adapters/connector-store.ts';
import type { EventPublisher } from '../adapters/publisher.ts';
import type { DocumentSender, JourneyStore } from '../adapters/store.ts';
import type { ConnectorConfig } from '../config.ts';
import { ConnectorService } from '../services/connectors.ts';
import { journeyStore } from './store.ts';

/**
 * The connector service alone, for the connector functions and, with the runtime's store, inside
 * `createServices`.
 */
export function connectorService(
  doc: DocumentSender,
  config: Pick<ConnectorConfig, 'tableName' | 'shopEventSource' | 'retentionDays'>,
  publisher: EventPublisher,
  now: () => string,
  store: JourneyStore = journeyStore(doc, config),
): ConnectorService {
  return new ConnectorService({
    store: new ConnectorStore(doc, config.tableName),
    rejections: store,
    publisher,
    source: config.shopEventSource,
    now,
  });
}
