/**
 * What SES does after it accepted an email — publish `Send` and `Delivery` events of the
 * configuration set — done locally, since the SES v2 emulator does not. The events are derived from
 * the emails the emulator actually holds, not from what the dispatcher believes it sent, so they
 * survive a crash of the dispatcher exactly as SES's would: an email the emulator accepted right
 * before a `kill -9` still gets its events, and settles its outbox entry.
 *
 * The emulator keeps headers but drops `EmailTags`; the local mailer therefore also writes the tags
 * into an `X-SES-MESSAGE-TAGS` header (mailer.ts), read back here. Events go to the same SES-events
 * service as in AWS, through the runtime's routing (`source: aws.ses`).
 */
import type { Clock } from '../../functions/adapters/clock.ts';
import { SES_TAGS_HEADER } from '../../functions/adapters/mailer.ts';
import type { RawEvent } from '../../functions/core/events.ts';
import type { SesEmail } from '../servers/ses-emulator.ts';

export class LocalSesEventSource {
  /** Emulator timestamps are whole seconds: re-read the last second, skip what was already seen. */
  private since: number;
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly storeEndpoint: string,
    private readonly clock: Clock,
    private readonly deliver: (event: RawEvent) => Promise<unknown>,
    options: {
      configurationSetName?: string | undefined;
      /**
       * Emulator time (epoch seconds, wall clock) of the oldest email to derive events from. A
       * runtime that restarts against a running emulator passes the time it was last running (or 0).
       * @default the moment this source was created
       */
      since?: number | undefined;
    } = {},
  ) {
    this.since = options.since ?? Math.floor(Date.now() / 1000);
    this.configurationSetName = options.configurationSetName;
  }

  private readonly configurationSetName: string | undefined;

  /** Emits the events of every email the emulator accepted since the last poll; returns how many emails. */
  async poll(): Promise<number> {
    const response = await fetch(`${this.storeEndpoint}/store?since=${this.since}`);
    if (!response.ok) throw new Error(`SES emulator GET /store: HTTP ${response.status}`);
    const { emails } = (await response.json()) as { emails: SesEmail[] };
    let count = 0;
    for (const email of emails) {
      if (this.seen.has(email.messageId)) continue;
      this.seen.set(email.messageId, email.at);
      const tags = parseTags(email);
      if (!tags) continue; // not sent by this runtime's mailer
      count++;
      for (const event of acceptedEmailEvents({
        messageId: email.messageId,
        from: email.from,
        to: email.destination.to,
        tags,
        now: this.clock.now(),
        configurationSetName: this.configurationSetName,
      }))
        await this.deliver(event);
    }
    const latest = Math.max(this.since, ...emails.map((e) => e.at));
    if (latest > this.since) {
      this.since = latest;
      for (const [id, at] of this.seen) if (at < latest) this.seen.delete(id);
    }
    return count;
  }
}

/**
 * The `Send` and `Delivery` events SES publishes for an email it accepted and delivered, shaped as
 * SES's own (the simulator hands them to the same routes for the emails it sends).
 */
export function acceptedEmailEvents(email: {
  messageId: string;
  from: string;
  to: string[];
  tags: Record<string, string[]>;
  now: string;
  configurationSetName?: string | undefined;
}): RawEvent[] {
  const { messageId, now, configurationSetName } = email;
  const mail = {
    timestamp: now,
    messageId,
    source: email.from,
    destination: email.to,
    tags: {
      ...email.tags,
      ...(configurationSetName ? { 'ses:configuration-set': [configurationSetName] } : {}),
    },
  };
  return [
    event(messageId, 'Email Sent', now, { eventType: 'Send', mail, send: {} }),
    event(messageId, 'Email Delivered', now, {
      eventType: 'Delivery',
      mail,
      delivery: {
        timestamp: now,
        recipients: email.to,
        processingTimeMillis: 0,
        smtpResponse: '250 2.0.0 OK (local SES emulator)',
      },
    }),
  ];
}

/**
 * The message tags the local mailer carried in a header (SesMailer `tagsHeader`), if any: those of a
 * journey's send, which name its outbox entry. A test send (`journeys send-test`) names none, so it
 * settles nothing and gets no SES events.
 */
export function parseTags(email: SesEmail): Record<string, string[]> | undefined {
  const tags = messageTags(email);
  return tags?.outbox ? tags : undefined;
}

/** Every message tag the local mailer carried in its header (journey, message, outbox or test), if any. */
export function messageTags(email: SesEmail): Record<string, string[]> | undefined {
  const header = email.headers?.find((h) => h.name.toLowerCase() === SES_TAGS_HEADER.toLowerCase());
  if (!header) return undefined;
  const tags: Record<string, string[]> = {};
  for (const pair of header.value.split(',')) {
    const [name, value] = pair.trim().split('=');
    if (name && value !== undefined) tags[name] = [value];
  }
  return tags;
}

const event = (messageId: string, detailType: string, time: string, detail: unknown): RawEvent => ({
  id: `ses-${messageId}-${detailType.replace(/\s+/g, '-').toLowerCase()}`,
  source: 'aws.ses',
  detailType,
  time,
  detail: detail as Record<string, unknown>,
});
