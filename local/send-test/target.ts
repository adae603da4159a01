/**
 * What `journeys send-test` is asked to send, checked before anything is rendered or sent: the
 * message (`<journey>/<message>`, with "did you mean" for a typo), the recipient's address, and the
 * locale — resolved through the same fallback chain as every send (core/locale.ts). Each mistake is a
 * UsageError: the CLI prints it with the usage, exit code 2, no stack trace.
 */
import type { Catalog } from '../../functions/catalog/catalog.ts';
import { canonicalLocale, resolveLocale } from '../../functions/core/locale.ts';
import { didYouMean } from '../../functions/core/suggest.ts';
import { UsageError } from '../errors.ts';
import { journeyMessages, type LocaleCheck, type MessageRef } from '../preview/messages.ts';

/** `<journey>/<message>` of every message the catalog's journeys send, in definition order. */
export function messageRefs(catalog: Catalog): MessageRef[] {
  return catalog.journeys.flatMap((j) => journeyMessages(j.definition));
}

/** The message `ref` names; a typo gets the closest journey or message as a suggestion. */
export function resolveMessage(catalog: Catalog, ref: string): MessageRef {
  const all = messageRefs(catalog);
  const names = all.map((m) => `${m.journeyId}/${m.messageId}`);
  const [journeyId = '', messageId = '', ...rest] = ref.split('/');
  if (!journeyId || !messageId || rest.length > 0) {
    throw new UsageError(
      `"${ref}" is not <journey>/<message>${didYouMean(ref, names)}; messages: ${names.join(', ')}`,
    );
  }
  const exact = all.find((m) => m.journeyId === journeyId && m.messageId === messageId);
  if (exact) return exact;
  // A template key, as `journeys preview` takes it (referral/invite-friends, sent by referral-invite).
  const byTemplate = all.find((m) => m.template === ref);
  if (byTemplate) return byTemplate;
  const journey = catalog.journeys.find((j) => j.definition.id === journeyId);
  if (journey) {
    const sent = Object.keys(journey.definition.messages);
    throw new UsageError(
      `journey "${journeyId}" has no message "${messageId}"${didYouMean(messageId, sent)}; it sends: ${sent.join(', ')}`,
    );
  }
  // The whole ref first (`onbording/welcome`), then the journey alone.
  const journeys = catalog.journeys.map((j) => j.definition.id);
  const hint = didYouMean(ref, names) || didYouMean(journeyId, journeys);
  throw new UsageError(`there is no journey "${journeyId}"${hint}; journeys: ${journeys.join(', ')}`);
}

/** A plausible single address (no display name, no list): what SES's Destination takes. */
const ADDRESS =
  /^[^\s@<>",;]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** The recipient's address, trimmed; a usage error when it is not one address. */
export function checkAddress(to: string): string {
  const address = to.trim();
  if (!ADDRESS.test(address) || address.length > 254) {
    throw new UsageError(`--to "${to}" is not an email address, e.g. --to you@example.com`);
  }
  return address;
}

/**
 * The locale to render in: `requested` canonicalised (`de-at` → `de-AT`) and resolved through the
 * message's shipped locales. A language that is not shipped falls back (pt-BR → en) — sent only with
 * `fallback`, otherwise a usage error that says which locale it would fall back to.
 */
export function resolveTestLocale(
  catalog: Catalog,
  message: MessageRef,
  requested: string,
  options: { fallback?: boolean | undefined } = {},
): LocaleCheck {
  const shipped = Object.keys(catalog.templates.messages[message.template]?.strings ?? {});
  const canonical = canonicalLocale(requested);
  if (!canonical) {
    throw new UsageError(
      `--locale "${requested}" is not a locale tag such as de-AT; shipped locales: ${shipped.join(', ')}`,
    );
  }
  const resolved = resolveLocale(shipped, canonical, catalog.templates.defaultLocale);
  const language = (tag: string) => tag.split('-')[0]?.toLowerCase();
  const fallback = language(canonical) !== language(resolved);
  if (fallback && !options.fallback) {
    throw new UsageError(
      `locale "${canonical}" is not shipped for ${message.journeyId}/${message.messageId} (shipped: ${shipped.join(', ')}); ` +
        `a ${canonical} customer gets the ${resolved} email: add --fallback to send that, or pick a shipped locale`,
    );
  }
  return { requested: canonical, resolved, fallback };
}
