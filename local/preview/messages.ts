/**
 * Which messages there are to preview, finding one by `<journey>/<message>`, and which locale a
 * recipient's tag resolves to.
 */
import type { Catalog } from '../../functions/catalog/catalog.ts';
import type { JourneyDefinition } from '../../functions/core/definition.ts';
import { canonicalLocale, resolveLocale } from '../../functions/core/locale.ts';
import type { MessageClass } from '../../functions/email/index.ts';
import { PreviewError } from '../errors.ts';

export interface MessageRef {
  journeyId: string;
  messageId: string;
  /** Key of the template in the catalog. */
  template: string;
  messageClass: MessageClass;
}

/** Every message each journey sends, in definition order. */
export function journeyMessages(journey: JourneyDefinition): MessageRef[] {
  return Object.entries(journey.messages).map(([messageId, spec]) => ({
    journeyId: journey.id,
    messageId,
    template: spec.template ?? `${journey.id}/${messageId}`,
    messageClass: spec.class,
  }));
}

/** `<journey>/<message>` as a journey sends it (`referral-invite/invite-friends`) or a template key. */
export function findMessage(catalog: Catalog, ref: string): MessageRef {
  const all = catalog.journeys.flatMap((j) => journeyMessages(j.definition));
  const [journeyId, messageId, ...rest] = ref.split('/');
  const listing = all.map((m) => `  ${m.journeyId}/${m.messageId}`).join('\n');
  if (!journeyId || !messageId || rest.length) {
    throw new PreviewError(`"${ref}" is not <journey>/<message>. Messages:\n${listing}`);
  }
  const exact = all.find((m) => m.journeyId === journeyId && m.messageId === messageId);
  if (exact) return exact;
  const byTemplate = all.find((m) => m.template === ref);
  if (byTemplate) return { ...byTemplate, journeyId, messageId };
  const journey = catalog.journeys.find((j) => j.definition.id === journeyId);
  if (journey) {
    throw new PreviewError(
      `journey "${journeyId}" has no message "${messageId}"; it sends: ${Object.keys(journey.definition.messages).join(', ')}`,
    );
  }
  throw new PreviewError(
    `unknown message "${ref}": there is no journey "${journeyId}". Messages:\n${listing}`,
  );
}

export interface LocaleCheck {
  requested: string;
  /** The locale whose strings the email uses. */
  resolved: string;
  /** True when the requested language is not shipped and the email falls back to the default. */
  fallback: boolean;
}

/** Canonicalises the requested locale and resolves it through the fallback chain; throws on nonsense. */
export function checkLocale(catalog: Catalog, template: string, requested: string): LocaleCheck {
  const shipped = catalog.templates.locales;
  const canonical = canonicalLocale(requested);
  if (!canonical) {
    throw new PreviewError(
      `"${requested}" is not a locale tag such as de-AT; shipped locales: ${shipped.join(', ')}`,
    );
  }
  const available = Object.keys(catalog.templates.messages[template]?.strings ?? {});
  const resolved = resolveLocale(available, canonical, catalog.templates.defaultLocale);
  const fallback = canonical.split('-')[0]?.toLowerCase() !== resolved.split('-')[0]?.toLowerCase();
  return { requested: canonical, resolved, fallback };
}
