/**
 * SES v2 in process, for large simulations: answers the `SendEmailCommand` the real mailer
 * (SesMailer: tags, headers, error classification) builds, and keeps each email as the emulator's
 * store would (`SesEmail`), so the timeline joins them the same way.
 *
 * Why: through the emulator every email costs an SDK serialisation, an HTTP round trip and an
 * Express request inside the same process — about a third of a simulation's time. This stands in
 * for SES only, as the memory table stands in for DynamoDB only; the integration tests and
 * `journeys simulate` on DynamoDB Local keep sending to the emulator.
 */
import type { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { SesEmail } from '../servers/ses-emulator.ts';

export class MemorySes {
  private readonly held: SesEmail[] = [];
  private readonly byId = new Map<string, SesEmail>();
  private sent = 0;

  /**
   * The client the runtime's mailer sends through. Only `send(SendEmailCommand)` with simple content
   * is answered: it is the one call the mailer makes.
   */
  readonly client = {
    send: async (command: SendEmailCommand) => {
      const input = command.input;
      const simple = input.Content?.Simple;
      if (!simple) throw new Error('the in-process SES answers only simple SendEmail content');
      // Deterministic ids: a run's emails carry the same message ids every time.
      const messageId = `memory-ses-${String(++this.sent).padStart(9, '0')}`;
      const email: SesEmail = {
        messageId,
        from: input.FromEmailAddress ?? '',
        replyTo: input.ReplyToAddresses ?? [],
        destination: {
          to: input.Destination?.ToAddresses ?? [],
          cc: input.Destination?.CcAddresses ?? [],
          bcc: input.Destination?.BccAddresses ?? [],
        },
        subject: simple.Subject?.Data ?? '',
        body: { html: simple.Body?.Html?.Data, text: simple.Body?.Text?.Data },
        attachments: [],
        headers: simple.Headers?.map((h) => ({ name: h.Name ?? '', value: h.Value ?? '' })),
        at: Math.floor(Date.now() / 1000),
      };
      this.held.push(email);
      this.byId.set(messageId, email);
      return { MessageId: messageId, $metadata: {} };
    },
    // The mailer holds an SESv2Client; it calls nothing else on it.
  } as unknown as SESv2Client;

  /** The email held under a message id, if any. */
  readonly received = (messageId: string): SesEmail | undefined => this.byId.get(messageId);

  /** The emails held (those at or after `since`, epoch seconds, when given), oldest first. */
  async emails(since?: number): Promise<SesEmail[]> {
    return since === undefined ? [...this.held] : this.held.filter((e) => e.at >= since);
  }
}
