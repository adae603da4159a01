/**
 * Dead-letter queues: where an event, invocation or stream batch lands when every retry failed, so
 * nothing is lost silently. Encrypted, TLS-only, kept for the SQS maximum of 14 days.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type { EventPattern, IEventBus } from 'aws-cdk-lib/aws-events';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { RetentionFunction } from './function.ts';

export function deadLetterQueue(scope: Construct, id: string, holds: string): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself a dead-letter queue (${holds}); it is drained by inspection and redrive, not by a consumer that could fail.`,
  });
  return queue;
}

/**
 * How a part of the stack (analytics, connectors, loyalty) wires its rules and failures the way the stack
 * does: DLQs registered with the parent (alarmed, listed in the outputs), rules with bounded retries.
 */
export interface FailureWiring {
  /** A dead-letter queue registered with the parent. */
  readonly deadLetterQueue: (label: string, holds: string) => Queue;
  /** A rule with bounded retries and the DLQ (the parent's `route`). */
  readonly route: (
    id: string,
    bus: IEventBus,
    pattern: EventPattern,
    fn: RetentionFunction,
    dlq: Queue,
    options: { description: string },
  ) => void;
  /** Lambda's own retries, then the DLQ (the parent's `retryThenKeep`). */
  readonly retryThenKeep: (fn: RetentionFunction, dlq: Queue) => void;
}
