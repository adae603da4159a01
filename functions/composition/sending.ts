/**
 * Sending: the dispatcher with its mailer (SES v2), renderer and publisher. Only the dispatcher's
 * composition imports this, so the SES client stays out of every other bundle.
 */
import type { ComplianceStore } from '../adapters/compliance-store.ts';
import { type Mailer, SesMailer, sesClient } from '../adapters/mailer.ts';
import type { EventPublisher } from '../adapters/publisher.ts';
import type { JourneyStore } from '../adapters/store.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { AppConfig } from '../config.ts';
import { createRenderer, type EmailRenderer } from '../email/index.ts';
import { Dispatcher } from '../services/dispatcher.ts';
import { SendPacer } from '../services/pacer.ts';

export interface SendingParts {
  store: JourneyStore;
  compliance: ComplianceStore;
  publisher: EventPublisher;
  now: () => string;
  signingSecret: string;
  mailer?: Mailer | undefined;
  /** Renders emails instead of `createRenderer(catalog.templates)` (the simulator renders on demand). */
  renderer?: EmailRenderer | undefined;
}

export type SendingConfig = Pick<
  AppConfig,
  | 'senderAddress'
  | 'configurationSetName'
  | 'shop'
  | 'preferencesUrl'
  | 'sendsPerSecondPerWorker'
  | 'sesRequestTimeoutMs'
  | 'outboxReconcileAfter'
>;

export function dispatcher(
  parts: SendingParts,
  config: SendingConfig,
  catalog: Pick<Catalog, 'templates'>,
): Dispatcher {
  const pacer = config.sendsPerSecondPerWorker ? new SendPacer(config.sendsPerSecondPerWorker) : undefined;
  return new Dispatcher({
    store: parts.store,
    mailer: parts.mailer ?? new SesMailer(sesClient({ requestTimeoutMs: config.sesRequestTimeoutMs })),
    publisher: parts.publisher,
    suppressions: parts.compliance,
    // Templates are parsed on first use and cached (email/render.ts), so building it costs nothing.
    renderer: parts.renderer ?? createRenderer(catalog.templates),
    now: parts.now,
    senderAddress: config.senderAddress,
    configurationSetName: config.configurationSetName,
    shop: config.shop,
    preferencesUrl: config.preferencesUrl,
    signingSecret: parts.signingSecret,
    pace: pacer ? () => pacer.pace() : undefined,
    reconcileAfter: config.outboxReconcileAfter,
  });
}
