/** When an NPS answer counts (core/feedback.ts): held first clicks, replacements, scanner bursts. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  confirmAnswer,
  type FeedbackClick,
  judgeClick,
  NO_SURVEY,
  SCANNER_WINDOW_SECONDS,
  type Survey,
} from '../../functions/core/feedback.ts';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const click = (score: number, seconds: number): FeedbackClick => ({
  feedbackId: `f${score}`,
  score,
  at: at(seconds),
});

/** Applies GET clicks in order; returns the survey and the verdicts. */
function clicks(list: FeedbackClick[], start: Survey = NO_SURVEY) {
  let survey = start;
  const verdicts: string[] = [];
  for (const c of list) {
    const d = judgeClick(survey, c);
    verdicts.push(d.verdict);
    if (d.verdict !== 'answered') survey = d.survey;
  }
  return { survey, verdicts };
}

describe('judgeClick', () => {
  it('holds the first click for 30 minutes', () => {
    const d = judgeClick(NO_SURVEY, click(9, 0));
    expect(d).toMatchObject({ verdict: 'held', hold: { feedbackId: 'f9', score: 9, until: at(1800) } });
  });

  it('a reload of the same link keeps the hold as it was', () => {
    const { survey } = clicks([click(9, 0)]);
    const d = judgeClick(survey, click(9, 300));
    expect(d).toMatchObject({ verdict: 'held', survey: { held: { until: at(1800) } } });
    expect(d).not.toHaveProperty('hold');
  });

  it('another score replaces the held answer (a corrected misclick, or a change of mind)', () => {
    const { survey } = clicks([click(6, 0)]);
    expect(judgeClick(survey, click(8, 5))).toMatchObject({
      verdict: 'held',
      hold: { score: 8 },
      drop: 'f6',
    });
    expect(judgeClick(survey, click(8, 600))).toMatchObject({
      verdict: 'held',
      hold: { score: 8 },
      drop: 'f6',
    });
  });

  it('three different scores within the window are a scanner: nothing stays held', () => {
    const { survey, verdicts } = clicks([click(0, 0), click(1, 1), click(2, 2), click(3, 3)]);
    expect(verdicts).toEqual(['held', 'held', 'scanner', 'scanner']);
    expect(survey.held).toBeUndefined();
  });

  it('a click after the window counts again', () => {
    const { survey } = clicks([click(0, 0), click(1, 1), click(2, 2)]);
    expect(judgeClick(survey, click(7, 2 + SCANNER_WINDOW_SECONDS + 1))).toMatchObject({
      verdict: 'held',
      hold: { score: 7 },
    });
  });

  it('an answer whose hold passed is taken: the same link again changes nothing', () => {
    const { survey } = clicks([click(9, 0)]);
    expect(judgeClick(survey, click(9, 1800))).toEqual({ verdict: 'answered' });
  });

  it('whatever order a scanner opens the eleven links in, within seconds, nothing is held (property)', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(
          Array.from({ length: 11 }, (_, s) => s),
          { minLength: 11, maxLength: 11 },
        ),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 11, maxLength: 11 }),
        (order, gaps) => {
          const times = gaps.map((_, i) => gaps.slice(0, i + 1).reduce((sum, g) => sum + g, 0));
          const list = order.map((score, i) => click(score, times[i] ?? 0));
          expect(clicks(list).survey.held).toBeUndefined();
        },
      ),
    );
  });
});

describe('confirmAnswer', () => {
  it('takes the link’s answer once, in place of what was held', () => {
    const { survey } = clicks([click(9, 0)]);
    const d = confirmAnswer(survey, 'f9', at(60));
    expect(d).toMatchObject({ verdict: 'confirmed', drop: 'f9', survey: { answered: ['f9'] } });
    if (d.verdict !== 'confirmed') throw new Error('not confirmed');
    expect(d.survey.held).toBeUndefined();
    expect(confirmAnswer(d.survey, 'f9', at(61))).toEqual({ verdict: 'answered' });
  });

  it('confirms after a scanner burst, and another link’s answer is another answer', () => {
    const { survey } = clicks([click(0, 0), click(1, 1), click(2, 2)]);
    const first = confirmAnswer(survey, 'f7', at(10));
    expect(first).toMatchObject({ verdict: 'confirmed' });
    expect(first).not.toHaveProperty('drop');
    if (first.verdict !== 'confirmed') throw new Error('not confirmed');
    expect(confirmAnswer(first.survey, 'f3', at(20))).toMatchObject({ verdict: 'confirmed' });
  });

  it('an answer already published after its hold is not taken again', () => {
    const { survey } = clicks([click(9, 0)]);
    expect(confirmAnswer(survey, 'f9', at(1801))).toEqual({ verdict: 'answered' });
  });
});
