/**
 * Dead-letter queues: where an event, invocation or stream batch lands when every retry failed, so
 * nothing is lost silently. Encrypted, TLS-only, kept for the SQS maximum of 14 days.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

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
