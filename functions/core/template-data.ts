/**
 * Which template data each send of a journey is certain to carry, read from the compiled program
 * before anything runs, so `journeys validate` can refuse a template that uses data its message
 * never gets (a coupon in a message sent without one, an order in a journey that knows none).
 *
 * It is the static side of `Engine.templateData` and the send instruction (engine.ts), field by field:
 * - `coupon` / `reward`: the send step issues one;
 * - `order`: the instance knows an `orderId`: its trigger, or an event it waited for, requires one by
 *   the event contract (the instance context keeps every string field of those events);
 * - `feedback`: the last event the instance resumed on is `feedback.submitted`;
 * - `referral`: every registered customer's code, assigned at registration.
 * `customer`, `shop` and `links` come with every email (templates may always use them).
 */
import type { Instruction } from './compile.ts';
import type { JourneyDefinition } from './definition.ts';
import { type JourneyEventType, shopEventSchemas, systemInputSchemas } from './events.ts';

/** Template data every send carries besides `customer`, `shop` and `links`. */
const ALWAYS = ['referral'];

export interface SendSite {
  message: string;
  /** Where the send step is, e.g. `steps.2.onEvent.0`. */
  path: string;
  /** Data roots this send certainly carries. */
  provides: Set<string>;
}

/** What is known at one point of the program on every path that reaches it. */
interface Known {
  /** Fields the instance context certainly holds. */
  fields: Set<string>;
  /** The event the instance last entered or resumed on, if the same on every path. */
  last: string | undefined;
}

const schemas: Record<string, { shape: Record<string, { safeParse(v: unknown): { success: boolean } }> }> = {
  ...shopEventSchemas,
  ...systemInputSchemas,
};

/** The detail fields the event contract requires of an event type. */
function requiredFields(eventType: JourneyEventType | string): Set<string> {
  const schema = schemas[eventType];
  if (!schema) return new Set();
  return new Set(
    Object.entries(schema.shape)
      .filter(([, field]) => !field.safeParse(undefined).success)
      .map(([name]) => name),
  );
}

const intersect = (a: Set<string>, b: Set<string>) => new Set([...a].filter((x) => b.has(x)));

function merge(a: Known | undefined, b: Known): Known {
  if (!a) return { fields: new Set(b.fields), last: b.last };
  return { fields: intersect(a.fields, b.fields), last: a.last === b.last ? a.last : undefined };
}

function atEntry(definition: JourneyDefinition): Known {
  const trigger = definition.trigger;
  if ('event' in trigger) return { fields: requiredFields(trigger.event), last: trigger.event };
  if ('anyOf' in trigger) {
    return trigger.anyOf
      .map((t): Known => ({ fields: requiredFields(t.event), last: t.event }))
      .reduce<Known | undefined>(merge, undefined) as Known;
  }
  // Inactivity and anniversary entries are timers: no event, nothing in the context.
  return { fields: new Set(), last: undefined };
}

/** Every send of the program with the data it certainly carries. */
export function sendSites(definition: JourneyDefinition, program: readonly Instruction[]): SendSite[] {
  const known: (Known | undefined)[] = new Array(program.length + 1).fill(undefined);
  known[0] = atEntry(definition);
  const flow = (target: number, state: Known) => {
    known[target] = merge(known[target], state);
  };
  const sites: SendSite[] = [];
  // Jumps only go forward (compile.ts), so one pass in program order sees every path into a point.
  for (let pc = 0; pc < program.length; pc++) {
    const state = known[pc];
    const ins = program[pc] as Instruction;
    if (!state) continue; // unreachable
    switch (ins.op) {
      case 'send': {
        const provides = new Set(ALWAYS);
        if (ins.coupon) provides.add('coupon');
        if (ins.reward) provides.add('reward');
        if (state.fields.has('orderId')) provides.add('order');
        if (state.last === 'feedback.submitted') provides.add('feedback');
        sites.push({ message: ins.message, path: ins.path, provides });
        flow(pc + 1, state);
        break;
      }
      case 'waitFor':
        flow(pc + 1, {
          fields: new Set([...state.fields, ...requiredFields(ins.event)]),
          last: ins.event,
        });
        flow(ins.timeoutTarget, state);
        break;
      case 'jumpUnless':
        flow(pc + 1, state);
        flow(ins.target, state);
        break;
      case 'jump':
        flow(ins.target, state);
        break;
      default:
        flow(pc + 1, state);
    }
  }
  return sites;
}
