/**
 * Sends one rendered email through SES v2. Throttling and transient faults are thrown as
 * RetryableSendError (the caller retries with backoff); permanent rejections come back as a result,
 * so one bad address never blocks a batch.
 */
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';

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

export class RetryableSendError extends Error {
  override name = 'RetryableSendError';
}

const RETRYABLE = new Set([
  'TooManyRequestsException',
  'LimitExceededException',
  'ThrottlingException',
  'InternalFailure',
  'ServiceUnavailable',
]);

/** SES tag values allow only ASCII letters, digits, _ - . @ */
const tagValue = (value: string) => value.replace(/[^A-Za-z0-9_\-.@]/g, '_').slice(0, 256);

export class SesMailer implements Mailer {
  constructor(private readonly client: SESv2Client) {}

  async send(email: OutgoingEmail): Promise<SendResult> {
    try {
      const result = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: email.from,
          Destination: { ToAddresses: [email.to] },
          ConfigurationSetName: email.configurationSetName,
          EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value: tagValue(Value) })),
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: {
                Html: { Data: email.html, Charset: 'UTF-8' },
                Text: { Data: email.text, Charset: 'UTF-8' },
              },
              Headers: Object.entries(email.headers).map(([Name, Value]) => ({ Name, Value })),
            },
          },
        }),
      );
      return { ok: true, messageId: result.MessageId ?? '' };
    } catch (error) {
      const e = error as Error & { $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
      const status = e.$metadata?.httpStatusCode ?? 0;
      if (RETRYABLE.has(e.name) || status === 429 || status >= 500 || e.$retryable) {
        throw new RetryableSendError(`SES send throttled or unavailable: ${e.name}`, { cause: error });
      }
      if (status === 0) throw new RetryableSendError(`SES unreachable: ${e.message}`, { cause: error });
      return { ok: false, permanent: true, reason: `${e.name}: ${e.message}` };
    }
  }
}
