/**
 * One test email: rendered by the dispatcher's `renderForSend` (the same data extension, template,
 * locale fallback and List-Unsubscribe headers as a real send), its subject marked `[test]`, and sent
 * through a `Mailer` (functions/adapters/mailer.ts, the only AWS SDK user) with the journey and message
 * tags of a real send and `test=true` — but no outbox tag: it belongs to no outbox entry, so nothing
 * settles on its SES events.
 */
import type { Mailer } from '../../functions/adapters/mailer.ts';
import type { Catalog } from '../../functions/catalog/catalog.ts';
import type { ShopIdentity } from '../../functions/core/shop.ts';
import { createRenderer, type EmailRenderer } from '../../functions/email/index.ts';
import { renderForSend } from '../../functions/email/outgoing.ts';
import type { MessageRef } from '../preview/messages.ts';
import type { TestData } from './data.ts';
import { SendTestError } from './errors.ts';

export const TEST_SUBJECT_PREFIX = '[test] ';

export interface TestSend {
  catalog: Catalog;
  message: MessageRef;
  /** The recipient's locale (canonical); the email uses the first shipped one of its fallback chain. */
  locale: string;
  to: string;
  data: TestData;
  from: string;
  shop: ShopIdentity;
  preferencesUrl: string;
  signingSecret: string;
  now: string;
  mailer: Mailer;
  configurationSetName?: string | undefined;
  renderer?: EmailRenderer | undefined;
}

export interface TestSent {
  messageId: string;
  subject: string;
  /** The locale whose strings the email uses (`de` for `de-AT`). */
  locale: string;
  unsubscribe: string | undefined;
}

export async function sendTestEmail(input: TestSend): Promise<TestSent> {
  const { message, data } = input;
  const marketing = message.messageClass !== 'transactional';
  const outbox = `send-test-${input.now}`;
  const {
    rendered,
    headers,
    data: rendering,
  } = await renderForSend(
    input.renderer ?? createRenderer(input.catalog.templates),
    {
      journeyId: message.journeyId,
      message: message.messageId,
      template: message.template,
      marketing,
      data: data.data,
    },
    {
      shop: input.shop,
      preferencesUrl: input.preferencesUrl,
      signingSecret: input.signingSecret,
      customerId: data.customerId,
      recipient: {
        email: input.to,
        firstName: data.firstName,
        locale: input.locale,
        timeZone: data.timeZone,
      },
      outbox,
      now: input.now,
    },
  );
  const subject = `${TEST_SUBJECT_PREFIX}${rendered.subject}`;
  const result = await input.mailer.send({
    from: input.from,
    to: input.to,
    subject,
    html: rendered.html,
    text: rendered.text,
    headers,
    tags: { journey: message.journeyId, message: message.messageId, test: 'true' },
    configurationSetName: input.configurationSetName,
  });
  if (!result.ok) throw new SendTestError(`SES refused the email: ${result.reason}`);
  return {
    messageId: result.messageId,
    subject,
    locale: rendered.locale,
    unsubscribe: rendering.links.unsubscribe,
  };
}
