/**
 * The preferences endpoint (a Lambda Function URL in AWS, `/preferences/…` on the local server):
 *
 * - `GET  /unsubscribe?token=…`  confirmation page; changes nothing (mail scanners prefetch links)
 * - `POST /unsubscribe?token=…`  RFC 8058 one-click (`List-Unsubscribe=One-Click`) or the page's button:
 *                                withdraws marketing consent, tells the shop (`customer.consent.changed`)
 * - `GET  /feedback?token=…&score=N`  records the signed score — held a while, so that a mail
 *                                scanner opening every score is recognised (core/feedback.ts) —
 *                                and shows it with an optional comment box
 * - `POST /feedback?token=…`     confirms the answer (with the comment) and publishes
 *                                `feedback.submitted` (through the outbox) once per link
 * - `GET  /member?token=…`       the loyalty member page (preferences-member.ts); changes nothing
 * - `POST /member`               form `token`, `reward`, `request`: redeems once per request id and
 *                                redirects (303) to the page showing the coupon; a repeated request
 *                                shows the same coupon; a refusal (not enough points) is said on the page
 *
 * Forged, altered or wrong-purpose tokens get 400, expired ones 410, a member form another site posted
 * (`Sec-Fetch-Site: cross-site`) 403, and nothing changes.
 */
import type { ComplianceStore } from '../adapters/compliance-store.ts';
import { type FeedbackAnswer, type FeedbackStore, feedbackOutboxId } from '../adapters/feedback-store.ts';
import type { JourneyStore } from '../adapters/store.ts';
import { TOKEN_PURPOSE } from '../core/links.ts';
import type { EmitEffect } from '../core/model.ts';
import { tokenHash } from '../core/privacy.ts';
import { type TokenClaims, verifyToken } from '../core/tokens.ts';
import type { LoyaltyService } from './loyalty.ts';
import type { MemberPageRequest } from './preferences-member.ts';
import { type HttpResponse, PAGE_HEADERS, type PageKind, type PageRenderer } from './preferences-pages.ts';

export interface HttpRequest {
  method: string;
  /** The request path, e.g. `/unsubscribe` or `/preferences/unsubscribe`. */
  path: string;
  query: Record<string, string | undefined>;
  /** The decoded body (form-encoded for the POST routes). */
  body: string;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
}

export type { HttpResponse } from './preferences-pages.ts';

export interface PreferencesDeps {
  store: Pick<JourneyStore, 'getProfile'>;
  compliance: Pick<ComplianceStore, 'withdrawConsent'>;
  feedback: Pick<FeedbackStore, 'recorded' | 'click' | 'confirm'>;
  pages: PageRenderer;
  now: () => string;
  signingSecret: string;
  /** Its path (e.g. `/preferences`) is stripped from request paths that carry it. */
  preferencesUrl: string;
  shop: { name: string; url: string };
  /** Source of `feedback.submitted`: it is a shop event, which the journeys listen to. */
  shopEventSource: string;
  /** The loyalty program behind the member page; without it `/member` is not found. */
  loyalty?: Pick<LoyaltyService, 'member' | 'redeem'> | undefined;
}

/** What happened, for the handler's log and metrics: ids and statuses only. */
export interface PreferencesResult {
  response: HttpResponse;
  action:
    | 'unsubscribe-page'
    | 'unsubscribed'
    | 'already-unsubscribed'
    | 'feedback-page'
    | 'feedback-held'
    | 'feedback-scanner'
    | 'feedback-submitted'
    | 'feedback-duplicate'
    | 'member-page'
    | 'member-redeemed'
    | 'member-repeat'
    | 'member-refused'
    | 'refused'
    | 'not-found';
  /** For refused tokens (malformed, forged, expired, wrong purpose, altered score, cross-site, bad form) and redemptions. */
  reason?: string | undefined;
}

const COMMENT_LIMIT = 2000;

const PURPOSE_OF_ROUTE: Readonly<Record<string, string>> = {
  '/unsubscribe': TOKEN_PURPOSE.unsubscribe,
  '/feedback': TOKEN_PURPOSE.feedback,
  '/member': TOKEN_PURPOSE.member,
};

/** Reward ids are kebab-case (program.ts); request ids are derived (`page-<reward>-<n>`) or the shop's. */
const REWARD_ID = /^[a-z][a-z0-9-]{0,63}$/;
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$/;

export class PreferencesService {
  private readonly basePath: string;

  constructor(private readonly deps: PreferencesDeps) {
    this.basePath = new URL(deps.preferencesUrl).pathname.replace(/\/+$/, '');
  }

  async handle(request: HttpRequest): Promise<PreferencesResult> {
    const method = request.method.toUpperCase();
    const route = this.route(request.path);
    const browserLocale = acceptLanguage(request.headers['accept-language']);
    const purpose = Object.hasOwn(PURPOSE_OF_ROUTE, route) ? PURPOSE_OF_ROUTE[route] : undefined;
    if (!purpose || (route === '/member' && !this.deps.loyalty)) {
      return { action: 'not-found', response: await this.page('notFound', 404, browserLocale) };
    }
    if (method !== 'GET' && method !== 'POST' && method !== 'HEAD') {
      return {
        action: 'not-found',
        response: await this.page('methodNotAllowed', 405, browserLocale, {
          extraHeaders: { allow: 'GET, POST' },
        }),
      };
    }
    const form = method === 'POST' && route === '/member' ? new URLSearchParams(request.body) : undefined;
    // The member page's forms carry the token in their body, the emails' links in the query.
    const token = form?.get('token') ?? request.query.token ?? '';
    const check = verifyToken(this.deps.signingSecret, token, purpose, this.deps.now());
    if (!check.ok) {
      // An expired token is still authentic, so its customer's language is known.
      const locale =
        check.reason === 'expired' ? await this.expiredLocale(token, browserLocale) : browserLocale;
      return {
        action: 'refused',
        reason: check.reason,
        response:
          check.reason === 'expired'
            ? await this.page('expiredLink', 410, locale)
            : await this.page('invalidLink', 400, locale),
      };
    }
    if (route === '/member') return this.member(request, check.claims, token, browserLocale, form);
    const locale = (await this.deps.store.getProfile(check.claims.customerId))?.locale ?? browserLocale;
    const action = `?token=${encodeURIComponent(token)}`;
    if (route === '/unsubscribe') {
      if (method !== 'POST')
        return {
          action: 'unsubscribe-page',
          response: await this.page('unsubscribeConfirm', 200, locale, { action }),
        };
      return this.unsubscribe(check.claims, token, locale);
    }
    return this.feedback(method, request, check.claims, token, locale, action);
  }

  private async unsubscribe(claims: TokenClaims, token: string, locale: string | undefined) {
    const now = this.deps.now();
    const result = await this.deps.compliance.withdrawConsent(claims.customerId, now, {
      kind: 'emit',
      outboxId: `consent#${now}#${tokenHash(token).slice(0, 12)}`,
      detailType: 'customer.consent.changed',
      detail: {
        customerId: claims.customerId,
        marketingConsent: false,
        reason: 'unsubscribe link',
        // The email whose link was used (older links do not name one): the analytics log records
        // email.unsubscribed against its journey and message.
        ...unsubscribedFrom(claims),
      },
    });
    // The same page either way: a second click, or an erased customer, has nothing left to do.
    return {
      action: result === 'withdrawn' ? ('unsubscribed' as const) : ('already-unsubscribed' as const),
      response: await this.page('unsubscribed', 200, locale),
    };
  }

  private async feedback(
    method: string,
    request: HttpRequest,
    claims: TokenClaims,
    token: string,
    locale: string | undefined,
    action: string,
  ): Promise<PreferencesResult> {
    const score = Number(claims.score);
    const orderId = claims.orderId;
    // The score is signed into the token; a `score` in the URL that disagrees was altered.
    const queryScore = request.query.score;
    if (
      !orderId ||
      !/^(10|[0-9])$/.test(claims.score ?? '') ||
      (queryScore !== undefined && queryScore !== claims.score)
    ) {
      return {
        action: 'refused',
        reason: 'altered score',
        response: await this.page('invalidLink', 400, locale),
      };
    }
    const feedbackId = tokenHash(token);
    const { customerId } = claims;
    if (await this.deps.feedback.recorded(customerId, feedbackId)) {
      return { action: 'feedback-duplicate', response: await this.page('feedbackThanks', 200, locale) };
    }
    const answer: FeedbackAnswer = {
      feedbackId,
      orderId,
      score,
      at: this.deps.now(),
      expiresAt: claims.expiresAt,
    };
    const comment = new URLSearchParams(request.body).get('comment')?.trim().slice(0, COMMENT_LIMIT);
    const publish: EmitEffect = {
      kind: 'emit',
      outboxId: feedbackOutboxId(feedbackId),
      source: this.deps.shopEventSource,
      detailType: 'feedback.submitted',
      detail: { customerId, orderId, score, ...(comment ? { comment } : {}), feedbackId },
    };
    if (method === 'HEAD') {
      return {
        action: 'feedback-page',
        response: await this.page('feedbackForm', 200, locale, { action, score }),
      };
    }
    if (method !== 'POST') {
      // The first click counts (held, then published); a scanner's burst is kept until confirmed.
      const verdict = await this.deps.feedback.click(customerId, answer, publish);
      if (verdict === 'answered' || verdict === 'erased')
        return { action: 'feedback-duplicate', response: await this.page('feedbackThanks', 200, locale) };
      return verdict === 'scanner'
        ? {
            action: 'feedback-scanner',
            response: await this.page('feedbackConfirm', 200, locale, { action, score }),
          }
        : {
            action: 'feedback-held',
            response: await this.page('feedbackForm', 200, locale, { action, score }),
          };
    }
    // Confirmed conditionally, with its outbox entry in the same transaction: parallel submits of one
    // link race for one answer item, and only the winner's event is ever published.
    const marked = await this.deps.feedback.confirm(customerId, answer, publish);
    return {
      action: marked === 'recorded' ? 'feedback-submitted' : 'feedback-duplicate',
      response: await this.page('feedbackThanks', 200, locale),
    };
  }

  private async member(
    request: HttpRequest,
    claims: TokenClaims,
    token: string,
    browserLocale: string | undefined,
    form: URLSearchParams | undefined,
  ): Promise<PreferencesResult> {
    const loyalty = this.deps.loyalty as NonNullable<PreferencesDeps['loyalty']>;
    const { customerId } = claims;
    const memberPath = `${this.basePath}/member`;
    const show = async (
      status: number,
      extra: Pick<MemberPageRequest, 'redeemed' | 'refused'> = {},
    ): Promise<HttpResponse> => {
      const snapshot = await loyalty.member(customerId);
      return this.deps.pages.member({
        status,
        locale: snapshot.profile?.locale ?? browserLocale,
        timeZone: snapshot.profile?.timeZone,
        shop: this.deps.shop,
        action: memberPath,
        token,
        snapshot,
        ...extra,
        ...(extra.redeemed === undefined && request.query.redeemed
          ? { redeemed: snapshot.account?.recent.find((r) => r.requestId === request.query.redeemed) }
          : {}),
      });
    };
    if (!form) return { action: 'member-page', response: await show(200) };

    // The token already rules out a forged form; a browser that says the form came from another site
    // is refused as well, so a stolen link cannot be spent from someone else's page.
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none')
      return {
        action: 'refused',
        reason: 'cross-site',
        response: await this.page('invalidLink', 403, browserLocale),
      };
    const rewardId = form.get('reward') ?? '';
    const requestId = form.get('request') ?? '';
    if (!REWARD_ID.test(rewardId) || !REQUEST_ID.test(requestId))
      return {
        action: 'refused',
        reason: 'bad form',
        response: await this.page('invalidLink', 400, browserLocale),
      };

    const outcome = await loyalty.redeem(customerId, rewardId, requestId);
    if (outcome.status === 'refused')
      return {
        action: 'member-refused',
        reason: outcome.reason,
        response: await show(409, { refused: { reason: outcome.reason, rewardId } }),
      };
    // Post/redirect/get: reloading the coupon page does not post again (it would only repeat anyway).
    const location = `${memberPath}?token=${encodeURIComponent(token)}&redeemed=${encodeURIComponent(requestId)}`;
    return {
      action: outcome.status === 'redeemed' ? 'member-redeemed' : 'member-repeat',
      response: {
        status: 303,
        headers: { ...PAGE_HEADERS, location, 'content-type': 'text/plain; charset=utf-8' },
        body: '',
      },
    };
  }

  private route(path: string): string {
    let route = `/${path.split('?')[0] ?? ''}`.replace(/\/{2,}/g, '/').replace(/\/+$/, '');
    if (this.basePath && (route === this.basePath || route.startsWith(`${this.basePath}/`)))
      route = route.slice(this.basePath.length);
    return route || '/';
  }

  private async expiredLocale(token: string, fallback: string | undefined): Promise<string | undefined> {
    try {
      const claims = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
        customerId?: unknown;
      };
      if (typeof claims.customerId !== 'string') return fallback;
      return (await this.deps.store.getProfile(claims.customerId))?.locale ?? fallback;
    } catch {
      return fallback;
    }
  }

  private page(
    kind: PageKind,
    status: number,
    locale: string | undefined,
    extra: { action?: string; score?: number; extraHeaders?: Record<string, string> } = {},
  ): Promise<HttpResponse> {
    return this.deps.pages.render({ kind, status, locale, shop: this.deps.shop, ...extra });
  }
}

function unsubscribedFrom(claims: TokenClaims): { unsubscribedFrom?: Record<string, string> } {
  const { journey, message, outbox } = claims;
  if (typeof journey !== 'string' || typeof message !== 'string' || typeof outbox !== 'string') return {};
  return { unsubscribedFrom: { journey, message, outboxId: outbox } };
}

/** The first language of an Accept-Language header (`de-AT,de;q=0.9` -> `de-AT`). */
export function acceptLanguage(header: string | undefined): string | undefined {
  const first = header?.split(',')[0]?.split(';')[0]?.trim();
  return first && first !== '*' ? first : undefined;
}
