/**
 * The data a test email is rendered with: the preview gallery's sample (what the engine decides for
 * the sample customer of the locale, local/preview/sample-data.ts), or a real customer of the local
 * table, whose data is built by the dispatcher's own rule (`templateData`, core/template-data.ts)
 * from their profile, orders, loyalty account and their instance of the journey.
 */
import type { Catalog } from '../../functions/catalog/catalog.ts';
import type { CompiledJourney } from '../../functions/core/compile.ts';
import { customerLoyaltyData } from '../../functions/core/loyalty/member-data.ts';
import type { CustomerView, JourneyInstance } from '../../functions/core/model.ts';
import { ORDER_KEY, type TemplateData, templateData } from '../../functions/core/template-data.ts';
import {
  type CustomerFixture,
  previewJourney,
  previewProgram,
  sampleCustomer,
  sampleSend,
} from '../preview/index.ts';
import type { MessageRef } from '../preview/messages.ts';

/** Whom a test email is about, and what its template sees. */
export interface TestData {
  /** The customer the links are signed for: the sample's id, or the real customer's. */
  customerId: string;
  firstName: string | undefined;
  timeZone: string;
  data: TemplateData;
  /** `sample` (the gallery's customer for the locale) or `customer` (a customer of the local table). */
  source: 'sample' | 'customer';
}

/**
 * What the engine decides for the gallery's sample customer of `locale`: the preview's own data. The
 * sample story happens on the preview's fixed day, so a coupon it issues is moved to `now`: it stays
 * valid as long after the send as the journey says.
 */
export function sampleTestData(catalog: Catalog, message: MessageRef, locale: string, now: string): TestData {
  const customer: CustomerFixture = { ...sampleCustomer(locale), locale };
  const send = sampleSend(
    previewJourney(catalog, message.journeyId),
    message.messageId,
    customer,
    previewProgram(catalog),
  );
  return {
    customerId: send.customerId,
    firstName: customer.firstName || undefined,
    timeZone: customer.timeZone,
    data: { ...send.effect.data, coupon: movedCoupon(send.effect.data.coupon, send.at, now) },
    source: 'sample',
  };
}

/**
 * A real customer's data for `message` at `now`: `templateData` over their stored view and their
 * latest instance of the journey — or, when they have none (never entered, or it ended), a stand-in
 * about their latest order. What a send step issues (coupon, reward) and what only the journey's
 * events carry (an NPS answer) comes from the sample, so every template renders.
 */
export function customerTestData(input: {
  catalog: Catalog;
  message: MessageRef;
  customerId: string;
  view: CustomerView;
  now: string;
  sample: TestData;
  defaultTimeZone: string;
}): TestData {
  const { catalog, message, customerId, view, now, sample } = input;
  const journey: CompiledJourney = previewJourney(catalog, message.journeyId);
  const instance = latestInstance(view, message.journeyId) ?? standIn(view, message.journeyId, now);
  const timeZone = view.profile?.timeZone ?? input.defaultTimeZone;
  const loyalty = customerLoyaltyData(catalog.loyalty, view, now, timeZone);
  const real = templateData(journey.definition, instance, view, now, loyalty);
  const defined = Object.fromEntries(Object.entries(real).filter(([, value]) => value !== undefined));
  return {
    customerId,
    firstName: view.profile?.firstName,
    timeZone,
    data: { ...sample.data, ...defined },
    source: 'customer',
  };
}

function movedCoupon(coupon: TemplateData['coupon'], sentAt: string, now: string): TemplateData['coupon'] {
  if (!coupon) return coupon;
  const expiresAt = new Date(Date.parse(coupon.expiresAt) - Date.parse(sentAt) + Date.parse(now));
  return { ...coupon, expiresAt: expiresAt.toISOString().replace(/\.000Z$/, 'Z') };
}

/** The customer's most recently entered instance of the journey, if one is stored. */
function latestInstance(view: CustomerView, journeyId: string): JourneyInstance | undefined {
  return view.instances
    .filter((i) => i.journeyId === journeyId)
    .sort((a, b) => Date.parse(b.enteredAt) - Date.parse(a.enteredAt))[0];
}

/** An instance as if the journey had started now, about the customer's latest order (if any). */
function standIn(view: CustomerView, journeyId: string, now: string): JourneyInstance {
  const order = [...view.orders].sort(
    (a, b) => Date.parse(b.placedAt ?? '') - Date.parse(a.placedAt ?? ''),
  )[0];
  return {
    journeyId,
    instanceId: 'send-test',
    definitionVersion: 'send-test',
    status: 'active',
    holdout: false,
    enteredAt: now,
    pc: 0,
    context: order ? { [ORDER_KEY]: order.orderId } : {},
    trigger: order ? { orderId: order.orderId, placedAt: order.placedAt, total: order.total } : undefined,
    sent: [],
    version: 0,
  };
}
