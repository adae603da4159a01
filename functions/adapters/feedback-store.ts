/**
 * NPS answers in the customer's partition, decided by core/feedback.ts:
 * - `SURVEY#<orderId>`: the survey of one email (recent clicks, the held answer, the links answered),
 *   versioned; every change of an email's answers is conditional on it.
 * - `FB#<feedbackId>`: a confirmed answer (ids and score; the comment rides in the outbox entry).
 * - `OUT#feedback#<feedbackId>`: the outbox entry that publishes `feedback.submitted`. A held answer's
 *   entry waits in `retry` with its timer at the end of the hold, so the sweeper puts it back to
 *   `pending` then and the dispatcher publishes it (core/outbox.ts); replacing or dropping it deletes
 *   it while it still waits, confirming it makes it `pending` at once.
 * Survey, answer and outbox entry change in one transaction with the erasure check; all expire with
 * the link.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  type ClickDecision,
  confirmAnswer,
  type FeedbackClick,
  judgeClick,
  NO_SURVEY,
  type Survey,
} from '../core/feedback.ts';
import type { EmitEffect } from '../core/model.ts';
import { CONFLICT, retryOnConflict } from '../services/retry.ts';
import { transactUnlessErased } from './erasure.ts';
import { outboxEntry } from './save-transaction.ts';
import { type DocumentSender, epochSeconds, keys } from './table-keys.ts';
import { TABLE } from './table-schema.ts';

type TransactItem = Parameters<typeof transactUnlessErased>[3][number];

/** One answer link: the click, which email it belongs to, and until when the link is valid. */
export interface FeedbackAnswer extends FeedbackClick {
  orderId: string;
  expiresAt: string;
}

/** The scanner's eleven links come at once: enough attempts for each to be judged in turn. */
const MAX_ATTEMPTS = 16;

export class FeedbackStore {
  constructor(
    private readonly doc: DocumentSender,
    private readonly tableName: string,
    /** The timer index shard of a customer (JourneyStore.timerShard): where a held answer's timer goes. */
    private readonly timerShard: (customerId: string) => number,
  ) {}

  /** Whether this link's answer was confirmed (a second visit only says thank you). */
  async recorded(customerId: string, feedbackId: string): Promise<boolean> {
    return (await this.get({ PK: keys.customer(customerId), SK: keys.feedback(feedbackId) })) !== undefined;
  }

  /** A GET of the link: the answer is held (and published after the hold), or judged a scanner's. */
  async click(
    customerId: string,
    answer: FeedbackAnswer,
    publish: EmitEffect,
  ): Promise<ClickDecision['verdict'] | 'erased'> {
    return retryOnConflict(
      `feedback of customer ${customerId}`,
      async () => {
        const { survey, version } = await this.survey(customerId, answer.orderId);
        const decision = judgeClick(survey, answer);
        if (decision.verdict === 'answered') return 'answered';
        const items = [this.putSurvey(customerId, answer, decision.survey, version)];
        if (decision.drop) items.push(this.dropHeld(customerId, decision.drop));
        if (decision.verdict === 'held' && decision.hold)
          items.push(this.putOutbox(customerId, publish, answer.at, decision.hold.until));
        const outcome = await transactUnlessErased(this.doc, this.tableName, customerId, items);
        return outcome === 'conflict' ? CONFLICT : outcome === 'erased' ? 'erased' : decision.verdict;
      },
      { maxAttempts: MAX_ATTEMPTS },
    );
  }

  /**
   * A POST from the page: takes the answer of this link once (parallel submits yield one event), with
   * its outbox entry in the same transaction, so a taken answer is never lost before it is published.
   */
  async confirm(
    customerId: string,
    answer: FeedbackAnswer,
    publish: EmitEffect,
  ): Promise<'recorded' | 'duplicate' | 'erased'> {
    return retryOnConflict(
      `feedback of customer ${customerId}`,
      async () => {
        const { survey, version } = await this.survey(customerId, answer.orderId);
        const decision = confirmAnswer(survey, answer.feedbackId, answer.at);
        if (decision.verdict === 'answered') return 'duplicate';
        const items = [
          this.putSurvey(customerId, answer, decision.survey, version),
          this.putAnswer(customerId, answer),
          this.putOutbox(customerId, publish, answer.at),
        ];
        if (decision.drop) items.push(this.dropHeld(customerId, decision.drop));
        const outcome = await transactUnlessErased(this.doc, this.tableName, customerId, items);
        return outcome === 'conflict' ? CONFLICT : outcome === 'erased' ? 'erased' : 'recorded';
      },
      { maxAttempts: MAX_ATTEMPTS },
    );
  }

  private async survey(customerId: string, orderId: string): Promise<{ survey: Survey; version: number }> {
    const item = await this.get({ PK: keys.customer(customerId), SK: keys.survey(orderId) });
    if (!item) return { survey: NO_SURVEY, version: 0 };
    const held = item.held as Survey['held'];
    return {
      survey: {
        clicks: (item.clicks ?? []) as Survey['clicks'],
        answered: (item.answered ?? []) as string[],
        ...(held ? { held } : {}),
      },
      version: item.version as number,
    };
  }

  private putSurvey(
    customerId: string,
    answer: FeedbackAnswer,
    survey: Survey,
    version: number,
  ): TransactItem {
    const { held, clicks, answered } = survey;
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          PK: keys.customer(customerId),
          SK: keys.survey(answer.orderId),
          type: 'feedback-survey',
          orderId: answer.orderId,
          clicks,
          answered,
          ...(held ? { held } : {}),
          version: version + 1,
          [TABLE.ttlAttribute]: epochSeconds(answer.expiresAt, 1),
        },
        ...(version === 0
          ? { ConditionExpression: 'attribute_not_exists(PK)' }
          : {
              ConditionExpression: '#version = :version',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':version': version },
            }),
      },
    };
  }

  private putAnswer(customerId: string, answer: FeedbackAnswer): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          PK: keys.customer(customerId),
          SK: keys.feedback(answer.feedbackId),
          type: 'feedback',
          orderId: answer.orderId,
          score: answer.score,
          submittedAt: answer.at,
          [TABLE.ttlAttribute]: epochSeconds(answer.expiresAt, 1),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    };
  }

  /**
   * The outbox entry publishing the answer: `pending` now, or held (`retry` with its timer at
   * `heldUntil`) under an id of its own — a confirmation never rewrites a held entry, whose stream
   * record could otherwise still bring its older content to the dispatcher.
   */
  private putOutbox(customerId: string, publish: EmitEffect, at: string, heldUntil?: string): TransactItem {
    const effect = heldUntil ? { ...publish, outboxId: heldOutboxId(publish.outboxId) } : publish;
    const entry = outboxEntry(customerId, effect, at);
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...entry,
          ...(heldUntil
            ? {
                status: 'retry',
                heldFor: 'feedback scanner check',
                [TABLE.timerIndex.partitionKey]: this.timerShard(customerId),
                [TABLE.timerIndex.sortKey]: heldUntil,
              }
            : {}),
          PK: keys.customer(customerId),
          SK: keys.outbox(effect.outboxId),
          type: 'outbox',
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    };
  }

  /** Deletes a held answer's outbox entry while it still waits (never one being published). */
  private dropHeld(customerId: string, feedbackId: string): TransactItem {
    return {
      Delete: {
        TableName: this.tableName,
        Key: { PK: keys.customer(customerId), SK: keys.outbox(heldOutboxId(feedbackOutboxId(feedbackId))) },
        ConditionExpression: '#status = :retry',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':retry': 'retry' },
      },
    };
  }

  private async get(Key: { PK: string; SK: string }): Promise<Record<string, unknown> | undefined> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }),
    );
    return result.Item;
  }
}

/** The outbox id of a link's answer: one per link, so an answer is enqueued once. */
export const feedbackOutboxId = (feedbackId: string) => `feedback#${feedbackId}`;
const heldOutboxId = (outboxId: string) => `${outboxId}#held`;
