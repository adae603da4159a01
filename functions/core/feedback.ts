/**
 * When an NPS answer counts. Pure: the feedback store reads the survey (one per email, i.e. per
 * customer and order), applies these rules and writes the result in one conditional transaction.
 *
 * Why the first click, held: the email says one click is enough, so the GET of a score's link must
 * record the answer — a customer who closes the tab is not lost. But mail scanners (Defender Safe
 * Links, Mimecast, Proofpoint, Barracuda) open every link of an incoming email, within seconds. What
 * survey tools do about it: some record only after a second, human action (Wootric's "user
 * validated" mode — which loses the tab-closers), some only after the page ran a script for a few
 * seconds (Retently — but scanners with headless browsers run scripts, and our pages allow none),
 * and some recognise the scanner by its pattern: many links of one email clicked within seconds
 * (nps.today). We do the last, on the server, with no script: a click is held for `FEEDBACK_HOLD`
 * before it is published; a click on another score of the same email while it is held replaces it
 * (the customer changed their mind); `SCANNER_SCORES` different scores within `SCANNER_WINDOW_SECONDS`
 * are a scanner, and then nothing is held — the page asks for a confirmation (a POST, which scanners
 * do not send), and a click after the window counts again. A POST from the page (with or without a
 * comment) confirms at once. Each link's answer is taken at most once.
 */
import { addDuration } from './time.ts';

/** How long a clicked answer waits before it is published: far longer than any scanner's burst. */
export const FEEDBACK_HOLD = 'PT30M';
/** Clicks on different scores of one email this close together are judged together. */
export const SCANNER_WINDOW_SECONDS = 60;
/** This many different scores within the window: a scanner (a person corrects a misclick once). */
export const SCANNER_SCORES = 3;

export interface FeedbackClick {
  /** The link's id (core/privacy.ts `tokenHash`): one per score of one email. */
  feedbackId: string;
  score: number;
  at: string;
}

export interface HeldAnswer extends FeedbackClick {
  /** When it is published, unless replaced, dropped or confirmed before. */
  until: string;
}

/** What is known about one email's answers. */
export interface Survey {
  /** Clicks (GET) within the scanner window of the newest, for the burst rule. */
  clicks: FeedbackClick[];
  held?: HeldAnswer | undefined;
  /** Links whose answer was taken: confirmed, or published once its hold passed. */
  answered: string[];
}

export const NO_SURVEY: Survey = { clicks: [], answered: [] };

export type ClickDecision =
  /** This link's answer was taken already: nothing changes. */
  | { verdict: 'answered' }
  /** `hold`: write the held answer (the clicked link); `drop`: the held answer it replaces. */
  | { verdict: 'held'; survey: Survey; hold?: HeldAnswer; drop?: string }
  /** A scanner: nothing is held (`drop` what was), the page asks for a confirmation. */
  | { verdict: 'scanner'; survey: Survey; drop?: string };

/** A GET of a score's link. */
export function judgeClick(current: Survey, click: FeedbackClick): ClickDecision {
  const survey = settle(current, click.at);
  if (survey.answered.includes(click.feedbackId)) return { verdict: 'answered' };
  const near = (c: FeedbackClick) =>
    Math.abs(Date.parse(c.at) - Date.parse(click.at)) <= SCANNER_WINDOW_SECONDS * 1000;
  const clicks = [...survey.clicks.filter(near), click];
  const held = survey.held;
  if (new Set(clicks.map((c) => c.score)).size >= SCANNER_SCORES) {
    return { verdict: 'scanner', survey: { ...survey, clicks, held: undefined }, ...dropping(held) };
  }
  // The same link again (a reload): the answer stays held as it was.
  if (held?.feedbackId === click.feedbackId) return { verdict: 'held', survey: { ...survey, clicks } };
  const hold = { ...click, until: addDuration(click.at, FEEDBACK_HOLD, 'UTC') };
  return { verdict: 'held', survey: { ...survey, clicks, held: hold }, hold, ...dropping(held) };
}

export type ConfirmDecision =
  | { verdict: 'answered' }
  /** `drop`: the held answer (this link's or another's) the confirmed one takes the place of. */
  | { verdict: 'confirmed'; survey: Survey; drop?: string };

/** A POST from the page: the customer's own confirmation of this link's score. */
export function confirmAnswer(current: Survey, feedbackId: string, at: string): ConfirmDecision {
  const survey = settle(current, at);
  if (survey.answered.includes(feedbackId)) return { verdict: 'answered' };
  return {
    verdict: 'confirmed',
    survey: { ...survey, held: undefined, answered: [...survey.answered, feedbackId] },
    ...dropping(survey.held),
  };
}

/** A held answer whose hold passed is published (or about to be): it is taken, not replaceable. */
function settle(survey: Survey, now: string): Survey {
  const held = survey.held;
  if (!held || Date.parse(held.until) > Date.parse(now)) return survey;
  return { ...survey, held: undefined, answered: [...survey.answered, held.feedbackId] };
}

const dropping = (held: HeldAnswer | undefined): { drop?: string } => (held ? { drop: held.feedbackId } : {});
