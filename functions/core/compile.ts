/**
 * Compiles a journey's step tree into a flat program so an instance's position is one integer (its
 * program counter) that survives serialisation. Branches become conditional jumps.
 */
import type { Condition, CouponSpec, JourneyDefinition, Step } from './definition.ts';

export type Instruction =
  | {
      op: 'send';
      message: string;
      coupon?: CouponSpec | undefined;
      reward?: Record<string, string> | undefined;
      path: string;
    }
  | {
      op: 'wait';
      duration?: string | undefined;
      sinceEntry?: string | undefined;
      since?: string | undefined;
      path: string;
    }
  | {
      op: 'emit';
      detailType: string;
      detail: Record<string, unknown>;
      include: string[];
      to?: string | undefined;
      path: string;
    }
  /** Waits for `event`; on arrival continues at pc+1, on timeout jumps to `timeoutTarget`. */
  | {
      op: 'waitFor';
      event: string;
      timeout: string;
      since?: string | undefined;
      correlate?: string | undefined;
      timeoutTarget: number;
      path: string;
    }
  | { op: 'jumpUnless'; condition: Condition; target: number; path: string }
  | { op: 'jump'; target: number; path: string };

export interface CompiledJourney {
  definition: JourneyDefinition;
  /** Content hash of the definition; instances pin it. */
  version: string;
  program: Instruction[];
}

export function compileJourney(definition: JourneyDefinition, version: string): CompiledJourney {
  const program: Instruction[] = [];
  const emit = (steps: Step[], path: string) => {
    steps.forEach((step, index) => {
      const here = `${path}.${index}`;
      if ('send' in step) {
        const send = typeof step.send === 'string' ? { message: step.send } : step.send;
        program.push({
          op: 'send',
          message: send.message,
          coupon: 'coupon' in send ? send.coupon : undefined,
          reward: 'reward' in send ? send.reward : undefined,
          path: here,
        });
      } else if ('wait' in step) {
        const wait = typeof step.wait === 'string' ? { duration: step.wait } : step.wait;
        program.push({
          op: 'wait',
          duration: wait.duration,
          sinceEntry: 'sinceEntry' in wait ? wait.sinceEntry : undefined,
          since: 'since' in wait ? wait.since : undefined,
          path: here,
        });
      } else if ('emit' in step) {
        program.push({
          op: 'emit',
          detailType: step.emit.detailType,
          detail: step.emit.detail ?? {},
          include: step.emit.include ?? [],
          to: step.emit.to,
          path: here,
        });
      } else if ('waitFor' in step) {
        const waitFor: Extract<Instruction, { op: 'waitFor' }> = {
          op: 'waitFor',
          event: step.waitFor.event,
          timeout: step.waitFor.timeout,
          since: step.waitFor.since,
          correlate: step.waitFor.correlate,
          timeoutTarget: -1,
          path: here,
        };
        program.push(waitFor);
        emit(step.onEvent ?? [], `${here}.onEvent`);
        const skipTimeout: Instruction = { op: 'jump', target: -1, path: here };
        program.push(skipTimeout);
        waitFor.timeoutTarget = program.length;
        emit(step.onTimeout ?? [], `${here}.onTimeout`);
        skipTimeout.target = program.length;
      } else {
        const branch: Extract<Instruction, { op: 'jumpUnless' }> = {
          op: 'jumpUnless',
          condition: step.if,
          target: -1,
          path: here,
        };
        program.push(branch);
        emit(step.then, `${here}.then`);
        const skipElse: Instruction = { op: 'jump', target: -1, path: here };
        program.push(skipElse);
        branch.target = program.length;
        emit(step.else ?? [], `${here}.else`);
        skipElse.target = program.length;
      }
    });
  };
  emit(definition.steps, 'steps');
  return { definition, version, program };
}
