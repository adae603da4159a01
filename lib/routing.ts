/**
 * How events reach the functions: a rule per route with bounded retries into a dead-letter queue,
 * and Lambda's own retries of a failed invocation into the same queue, so no event is dropped
 * silently. The routing patterns themselves come from functions/core/routing.ts.
 */
import { Duration } from 'aws-cdk-lib';
import { type EventPattern, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { EventPattern as RoutingPattern } from '../functions/core/routing.ts';
import type { RetentionFunction } from './function.ts';

/** A rule on `bus` sending matching events to a function, with bounded retries and a DLQ. */
export function routeToFunction(
  scope: Construct,
  id: string,
  bus: IEventBus,
  eventPattern: EventPattern,
  fn: RetentionFunction,
  dlq: IQueue,
  options: { description: string },
): void {
  new Rule(scope, `${id}Rule`, {
    description: options.description,
    eventBus: bus,
    eventPattern,
    targets: [
      // Delivery to Lambda (throttling, service errors): retried, then kept in the DLQ.
      new LambdaFunction(fn.function, {
        deadLetterQueue: dlq,
        retryAttempts: 8,
        maxEventAge: Duration.hours(6),
      }),
    ],
  });
}

/**
 * The function itself failing (EventBridge invokes asynchronously): retried twice by Lambda, then
 * the invocation record goes to the DLQ of its rules, so no event is dropped silently.
 */
export function retryThenKeep(fn: RetentionFunction, dlq: IQueue): void {
  fn.function.configureAsyncInvoke({
    retryAttempts: 2,
    maxEventAge: Duration.hours(6),
    onFailure: new SqsDestination(dlq),
  });
}

/** The routing module's pattern in CDK's spelling (`detail-type` is `detailType` there). */
export function toCdkPattern(pattern: RoutingPattern): EventPattern {
  const detailType = pattern['detail-type'];
  return { source: [...pattern.source], ...(detailType ? { detailType: [...detailType] } : {}) };
}

/** Construct ids and labels from journey ids (`win-back` → `WinBack`). */
export function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
}
