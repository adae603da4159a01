/**
 * Sends one rendered email through SES v2, and says exactly what is known about it afterwards.
 *
 * SES has no idempotency key, so the one thing a sender must never do is resend an email SES may
 * already have. Every failure is therefore one of three kinds:
 * - permanent (returned): SES looked at the request and refused it (bad address, unverified sender);
 * - RetryableSendError (thrown): SES certainly did not send it — throttled, or no connection was ever
 *   made — so it may be tried again;
 * - AmbiguousSendError (thrown): the request may have reached SES — a timeout, a 5xx, a connection
 *   reset after the request was written. Only SES's own events can tell whether it went out.
 *
 * The client makes exactly one attempt (`sesClient`: maxAttempts 1): the SDK's own retries resend
 * after an ambiguous failure, which is how emails went out twice.
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { AmbiguousSendError, RetryableSendError } from './errors.ts';

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  tags: Record<string, string>;
  configurationSetName?: string | undefined;
}

export type SendResult = { ok: true; messageId: string } | { ok: false; permanent: true; reason: string };

export interface Mailer {
  send(email: OutgoingEmail): Promise<SendResult>;
}

/** Errors SES answers when it did not accept the request and a later attempt may succeed. */
const NOT_SENT = new Set([
  'TooManyRequestsException',
  'LimitExceededException',
  'ThrottlingException',
  'Throttling',
  // Sending paused for the account or configuration set: nothing went out; an operator resumes it.
  'SendingPausedException',
  'AccountSuspendedException',
]);

/** Socket errors that happen before a request can have been written. */
const NO_CONNECTION = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** SES tag values allow only ASCII letters, digits, _ - . @ */
const tagValue = (value: string) => value.replace(/[^A-Za-z0-9_\-.@]/g, '_').slice(0, 256);

export interface SesClientOptions {
  /** Abort a request SES does not answer within this long (it is then ambiguous). @default 10000 */
  requestTimeoutMs?: number;
  /** Give up connecting after this long (then nothing was sent). @default 3000, at most the request timeout */
  connectionTimeoutMs?: number;
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** The SES client every sender uses: one attempt, bounded in time. */
export function sesClient(options: SesClientOptions = {}): SESv2Client {
  const requestTimeout = options.requestTimeoutMs ?? 10_000;
  return new SESv2Client({
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: 1,
    // Options of the SDK's default Node.js handler; it is built from them.
    requestHandler: {
      connectionTimeout: Math.min(options.connectionTimeoutMs ?? 3000, requestTimeout),
      requestTimeout,
      throwOnRequestTimeout: true,
    },
  });
}

export interface SesMailerOptions {
  /**
   * Also carry the message tags in an `X-SES-MESSAGE-TAGS` header. Only for the local emulator,
   * which keeps headers but drops `EmailTags`: the local runtime derives SES's events from the
   * emails the emulator holds, and needs the outbox tag to do it.
   */
  tagsHeader?: boolean;
}

export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly options: SesMailerOptions = {},
  ) {}

  async send(email: OutgoingEmail): Promise<SendResult> {
    const tags = Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value: tagValue(Value) }));
    const headers = Object.entries(email.headers).map(([Name, Value]) => ({ Name, Value }));
    if (this.options.tagsHeader)
      headers.push({ Name: SES_TAGS_HEADER, Value: tags.map((t) => `${t.Name}=${t.Value}`).join(', ') });
    let result: { MessageId?: string | undefined };
    try {
      result = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: email.from,
          Destination: { ToAddresses: [email.to] },
          ConfigurationSetName: email.configurationSetName,
          EmailTags: tags,
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: {
                Html: { Data: email.html, Charset: 'UTF-8' },
                Text: { Data: email.text, Charset: 'UTF-8' },
              },
              Headers: headers,
            },
          },
        }),
      );
    } catch (error) {
      return classify(error);
    }
    if (!result.MessageId) throw new AmbiguousSendError('SES answered without a MessageId');
    return { ok: true, messageId: result.MessageId };
  }
}

/** The header the local emulator keeps the tags in (SES's own name for message tags in headers). */
export const SES_TAGS_HEADER = 'X-SES-MESSAGE-TAGS';

function classify(error: unknown): SendResult {
  const e = error as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode ?? 0;
  const what = `${e.name}${e.code ? ` (${e.code})` : ''}: ${e.message}`;
  if (NOT_SENT.has(e.name) || status === 429)
    throw new RetryableSendError(`SES did not send (throttled or paused): ${what}`, { cause: error });
  if (status === 0) {
    const neverConnected =
      (e.code !== undefined && NO_CONNECTION.has(e.code)) ||
      (e.name === 'TimeoutError' && /did not establish a connection/.test(e.message));
    if (neverConnected) throw new RetryableSendError(`SES unreachable: ${what}`, { cause: error });
    throw new AmbiguousSendError(`SES may have sent: ${what}`, { cause: error });
  }
  if (status >= 500) throw new AmbiguousSendError(`SES may have sent: ${what}`, { cause: error });
  return { ok: false, permanent: true, reason: `${e.name}: ${e.message}` };
}
