/**
 * Signed links the emails carry (DESIGN.md §7). Pure: the secret and `now` come in as arguments.
 *
 * Token claims (see tokens.ts for the format `<base64url(JSON claims)>.<base64url(HMAC-SHA256)>`):
 * - unsubscribe: `{ customerId, purpose: "unsubscribe", expiresAt, journey, message, outbox }` (the
 *   email whose link it is, so the unsubscribe is counted against it)
 * - feedback:    `{ customerId, purpose: "feedback", expiresAt, orderId, score: "0".."10" }`, one token
 *   per score, so the score a customer clicked cannot be changed without breaking the signature.
 * - member:      `{ customerId, purpose: "member", expiresAt }` — the loyalty member page, in every
 *   email; it can spend points (redemptions), so it expires like the unsubscribe link beside it.
 */
import { addDuration } from './time.ts';
import { signToken } from './tokens.ts';

export const TOKEN_PURPOSE = { unsubscribe: 'unsubscribe', feedback: 'feedback', member: 'member' } as const;

/** How long a member page link stays valid: as long as the unsubscribe link of the same email. */
export const MEMBER_LINK_VALIDITY = 'P90D';

/** How long a feedback (NPS) link stays valid. */
export const FEEDBACK_LINK_VALIDITY = 'P60D';

export const FEEDBACK_SCORES = Array.from({ length: 11 }, (_, score) => score);

const base = (preferencesUrl: string) => preferencesUrl.replace(/\/+$/, '');

/**
 * The eleven NPS links (scores 0 to 10, in that order) for one order, valid for 60 days. Each opens
 * `GET <preferencesUrl>/feedback?token=…&score=N`, which records the score (core/feedback.ts) and
 * shows it with an optional comment box.
 */
export function feedbackLinks(
  secret: string,
  preferencesUrl: string,
  input: { customerId: string; orderId: string; now: string },
): string[] {
  const expiresAt = addDuration(input.now, FEEDBACK_LINK_VALIDITY, 'UTC');
  return FEEDBACK_SCORES.map((score) => {
    const token = signToken(secret, {
      customerId: input.customerId,
      purpose: TOKEN_PURPOSE.feedback,
      expiresAt,
      orderId: input.orderId,
      score: String(score),
    });
    return `${base(preferencesUrl)}/feedback?token=${token}&score=${score}`;
  });
}

/** The member page (`GET <preferencesUrl>/member?token=…`): balance, tier, rewards, redemption. */
export function memberLink(
  secret: string,
  preferencesUrl: string,
  input: { customerId: string; now: string },
): string {
  const token = signToken(secret, {
    customerId: input.customerId,
    purpose: TOKEN_PURPOSE.member,
    expiresAt: addDuration(input.now, MEMBER_LINK_VALIDITY, 'UTC'),
  });
  return `${base(preferencesUrl)}/member?token=${token}`;
}

/**
 * SES tags on every email tie SES events back to it: `journey`, `message`, and `outbox`, this value.
 */
/** base64url of `<customerId>\n<outboxId>`: within SES's tag alphabet (A–Z a–z 0–9 _ - . @). */
export function outboxTag(customerId: string, outboxId: string): string {
  return Buffer.from(`${customerId}\n${outboxId}`, 'utf8').toString('base64url');
}

export function parseOutboxTag(
  value: string | undefined,
): { customerId: string; outboxId: string } | undefined {
  if (!value || !/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
  const [customerId, outboxId, ...rest] = Buffer.from(value, 'base64url').toString('utf8').split('\n');
  if (!customerId || !outboxId || rest.length) return undefined;
  return { customerId, outboxId };
}
