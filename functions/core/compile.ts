/**
 * Compiles a journey's step tree into a flat program so an instance's position is one integer (its
 * program counter) that survives serialisation. Branches become conditional jumps.
 */
import type { Condition, CouponSpec, JourneyDefinition, Step } from './definition.ts';
import { matchStep, type StepBranch, sendFields, stepBranches } from './steps.ts';

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
  const compileSteps = (steps: Step[], path: string) => {
    steps.forEach((step, index) => {
      compileStep(step, `${path}.${index}`);
    });
  };
  /**
   * A step with two branches: `head` falls through into the first, and `setTarget` points it at the
   * second; the first ends with a jump past the second.
   */
  const fork = (step: Step, here: string, head: Instruction, setTarget: (pc: number) => void) => {
    const [first, second] = stepBranches(step) as [StepBranch, StepBranch];
    program.push(head);
    compileSteps(first.steps, `${here}.${first.name}`);
    const skipSecond: Instruction = { op: 'jump', target: -1, path: here };
    program.push(skipSecond);
    setTarget(program.length);
    compileSteps(second.steps, `${here}.${second.name}`);
    skipSecond.target = program.length;
  };
  const compileStep = (step: Step, here: string) =>
    matchStep<void>(step, {
      send: (s) => {
        const send = sendFields(s);
        program.push({
          op: 'send',
          message: send.message,
          coupon: send.coupon,
          reward: send.reward,
          path: here,
        });
      },
      wait: (s) => {
        const wait = typeof s.wait === 'string' ? { duration: s.wait } : s.wait;
        program.push({
          op: 'wait',
          duration: wait.duration,
          sinceEntry: 'sinceEntry' in wait ? wait.sinceEntry : undefined,
          since: 'since' in wait ? wait.since : undefined,
          path: here,
        });
      },
      emit: (s) => {
        program.push({
          op: 'emit',
          detailType: s.emit.detailType,
          detail: s.emit.detail ?? {},
          include: s.emit.include ?? [],
          to: s.emit.to,
          path: here,
        });
      },
      waitFor: (s) => {
        const waitFor: Extract<Instruction, { op: 'waitFor' }> = {
          op: 'waitFor',
          event: s.waitFor.event,
          timeout: s.waitFor.timeout,
          since: s.waitFor.since,
          correlate: s.waitFor.correlate,
          timeoutTarget: -1,
          path: here,
        };
        fork(s, here, waitFor, (pc) => {
          waitFor.timeoutTarget = pc;
        });
      },
      if: (s) => {
        const branch: Extract<Instruction, { op: 'jumpUnless' }> = {
          op: 'jumpUnless',
          condition: s.if,
          target: -1,
          path: here,
        };
        fork(s, here, branch, (pc) => {
          branch.target = pc;
        });
      },
    });
  compileSteps(definition.steps, 'steps');
  return { definition, version, program };
}
