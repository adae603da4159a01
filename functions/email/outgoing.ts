/**
 * One email as it goes out: the engine's template data extended for sending (render-data.ts), the
 * template rendered for the recipient's locale and time zone, and the headers every send carries
 * (RFC 8058 one-click unsubscribe on marketing emails). The dispatcher and `journeys send-test` both
 * call `renderForSend`, so a test email is built exactly as a real one.
 */
import type { Recipient } from '../core/model.ts';
import type { TemplateData } from '../core/template-data.ts';
import { renderData, type SendContext } from './render-data.ts';
import type { EmailRenderer, RenderData, RenderedEmail } from './types.ts';

/** What is sent: a journey's message, with the data the engine decided for it. */
export interface EmailToSend {
  journeyId: string;
  message: string;
  /** The template when the message borrows another journey's (`referral/invite-friends`). */
  template?: string | undefined;
  marketing: boolean;
  data: TemplateData;
}

export interface SendingContext extends Omit<SendContext, 'email' | 'recipient'> {
  recipient: Pick<Recipient, 'email' | 'firstName' | 'locale' | 'timeZone'>;
  /** The outbox entry the email belongs to; its unsubscribe link names it. */
  outbox: string;
}

export interface EmailForSend {
  rendered: RenderedEmail;
  data: RenderData;
  /** The headers to send with it: `List-Unsubscribe` and `List-Unsubscribe-Post` on marketing emails. */
  headers: Record<string, string>;
}

/** Renders `email` for its recipient; throws what the renderer throws (a template fault). */
export async function renderForSend(
  renderer: EmailRenderer,
  email: EmailToSend,
  context: SendingContext,
): Promise<EmailForSend> {
  const { recipient, outbox, ...rest } = context;
  const data = renderData(email.data, {
    ...rest,
    recipient,
    email: { journey: email.journeyId, message: email.message, outbox, marketing: email.marketing },
  });
  const [journeyId, message] = (email.template ?? `${email.journeyId}/${email.message}`).split('/') as [
    string,
    string,
  ];
  const rendered = await renderer.render({
    journeyId,
    message,
    locale: recipient.locale,
    timeZone: recipient.timeZone,
    data,
  });
  return { rendered, data, headers: unsubscribeHeaders(data.links.unsubscribe) };
}

/** RFC 8058 one-click unsubscribe, required by Gmail and Yahoo for bulk senders; none without a link. */
export function unsubscribeHeaders(unsubscribe: string | undefined): Record<string, string> {
  return unsubscribe
    ? { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
    : {};
}
