/**
 * Every word of the HTML report, in English and German. Numbers, money and dates are not here: they
 * go through Intl in the report's locale (format.ts). Functions take already-formatted values.
 */

import { LOYALTY_MESSAGES, type LoyaltyMessages } from './loyalty-messages.ts';

export type ReportLocale = 'en' | 'de';

export interface Messages {
  /** BCP 47 tag for Intl: British English (day-month dates, 24-hour clock) suits a European shop. */
  intl: string;
  title: string;
  eyebrow: string;
  lede: (period: string, unit: string) => string;
  generated: (at: string, source: string, records: string) => string;
  units: Record<'week' | 'month' | 'quarter' | 'year', string>;
  weekOf: (date: string) => string;
  nav: {
    overview: string;
    trends: string;
    cohorts: string;
    journeys: string;
    uplift: string;
    email: string;
    loyalty: string;
    markets: string;
  };
  stats: { active: string; orders: string; journeys: string; emails: string };
  overview: { title: (period: string) => string; compared: (period: string) => string; noPrevious: string };
  kpi: {
    retentionRate: string;
    churnRate: string;
    repeatCustomerRate: string;
    purchaseFrequency: string;
    averageOrderValue: string;
    customerLifetimeValue: string;
    nps: string;
    revenue: string;
  };
  kpiHint: {
    retentionRate: string;
    churnRate: string;
    repeatCustomerRate: string;
    purchaseFrequency: string;
    averageOrderValue: string;
    customerLifetimeValue: string;
    nps: string;
    revenue: string;
  };
  previous: (value: string) => string;
  better: string;
  worse: string;
  unchanged: string;
  pp: string;
  why: {
    noData: string;
    noStartCustomers: string;
    noOrders: string;
    noChurn: string;
    noResponses: string;
  };
  npsDetail: (responses: string, promoters: string, detractors: string) => string;
  customersDetail: (start: string, end: string, lost: string, fresh: string) => string;
  trends: { title: string; lede: string; empty: string };
  cohorts: {
    title: string;
    lede: string;
    cohort: string;
    customers: string;
    monthsSince: string;
    month: (n: number) => string;
    revenueTitle: (currency: string) => string;
    revenueLede: string;
    empty: string;
  };
  journeys: {
    title: string;
    lede: string;
    empty: string;
    entered: string;
    heldOut: string;
    sent: string;
    delivered: string;
    opened: string;
    clicked: string;
    goalReached: string;
    holdoutGoal: (rate: string) => string;
    ofEntered: string;
    ofSent: string;
    ofDelivered: string;
    ofOpened: string;
    ofTreated: string;
    message: string;
    unsubscribed: string;
    bounced: string;
    complained: string;
    noMessages: string;
  };
  uplift: {
    title: string;
    lede: string;
    empty: string;
    journey: string;
    treated: string;
    holdout: string;
    absolute: string;
    relative: string;
    interval: string;
    pValue: string;
    revenue: string;
    notEnough: string;
    significant: string;
    notSignificant: string;
    axis: string;
  };
  email: {
    title: string;
    lede: string;
    sent: string;
    delivered: string;
    unsubscribed: string;
    bounce: string;
    complaint: string;
    limits: (review: string, pause: string) => string;
    ok: string;
    review: string;
    pause: string;
    noSends: string;
  };
  markets: {
    title: string;
    lede: (period: string) => string;
    market: string;
    active: string;
    fresh: string;
    orders: string;
    retentionTrend: string;
  };
  definitions: { title: string; items: [string, string][]; window: string; days: (n: string) => string };
  loyalty: LoyaltyMessages;
  footer: string;
  dash: string;
}

const en: Messages = {
  intl: 'en-GB',
  title: 'Retention report',
  eyebrow: 'retention-journeys · retention report',
  lede: (period, unit) =>
    `${period}, ${unit}. Each figure is for the latest period and compared with the one before.`,
  generated: (at, source, records) => `Generated ${at} from ${source} (${records} records)`,
  units: { week: 'weekly', month: 'monthly', quarter: 'quarterly', year: 'yearly' },
  weekOf: (date) => `Week of ${date}`,
  nav: {
    overview: 'Overview',
    trends: 'Trends',
    cohorts: 'Cohorts',
    journeys: 'Journeys',
    uplift: 'Uplift',
    email: 'Email health',
    loyalty: 'Loyalty',
    markets: 'Markets',
  },
  stats: { active: 'Active customers', orders: 'Orders', journeys: 'Journeys', emails: 'Emails sent' },
  overview: {
    title: (period) => `${period} at a glance`,
    compared: (period) => `Change against ${period}`,
    noPrevious: 'No earlier period to compare with.',
  },
  kpi: {
    retentionRate: 'Retention rate',
    churnRate: 'Churn rate',
    repeatCustomerRate: 'Repeat-customer rate',
    purchaseFrequency: 'Purchase frequency',
    averageOrderValue: 'Average order value',
    customerLifetimeValue: 'Customer lifetime value',
    nps: 'Net Promoter Score',
    revenue: 'Revenue',
  },
  kpiHint: {
    retentionRate: 'Active customers kept, new ones not counted',
    churnRate: 'Active at the start, no longer at the end',
    repeatCustomerRate: 'Buyers with two or more orders',
    purchaseFrequency: 'Orders per buying customer',
    averageOrderValue: 'Revenue per order, per currency',
    customerLifetimeValue: 'AOV × frequency × expected lifespan',
    nps: 'Promoters minus detractors, −100 to 100',
    revenue: 'Orders not fully refunded, per currency',
  },
  previous: (value) => `previous ${value}`,
  better: 'better',
  worse: 'worse',
  unchanged: 'unchanged',
  pp: 'pp',
  why: {
    noData: 'No data for this period.',
    noStartCustomers: 'No customers were active at the start of the period.',
    noOrders: 'No orders in the period.',
    noChurn: 'Nobody churned, so the expected lifespan is open-ended.',
    noResponses: 'No survey answers in the period.',
  },
  npsDetail: (responses, promoters, detractors) =>
    `${responses} answers · ${promoters} promoters · ${detractors} detractors`,
  customersDetail: (start, end, lost, fresh) =>
    `${start} active at the start, ${end} at the end (${lost} lost, ${fresh} new)`,
  trends: {
    title: 'Trends',
    lede: 'Every KPI over the report’s periods, whole shop. Money is shown per currency, never added up.',
    empty: 'No periods in this report.',
  },
  cohorts: {
    title: 'Cohorts',
    lede: 'Customers grouped by the month of their first order: the share who ordered again in each month after it.',
    cohort: 'First order',
    customers: 'Customers',
    monthsSince: 'Months since first order',
    month: (n) => `M${n}`,
    revenueTitle: (currency) => `Revenue per customer by cohort · ${currency}`,
    revenueLede: 'Cumulative revenue per cohort customer, by months since the first order.',
    empty: 'No cohorts yet: no customer placed a counted order in the report’s range.',
  },
  journeys: {
    title: 'Journey funnels',
    lede: 'Who entered each journey, what its emails achieved, and how many reached the journey’s goal.',
    empty: 'No journey had any entries in the report’s range.',
    entered: 'Entered',
    heldOut: 'Held out',
    sent: 'Emails sent',
    delivered: 'Delivered',
    opened: 'Opened',
    clicked: 'Clicked',
    goalReached: 'Goal reached',
    holdoutGoal: (rate) => `held out: ${rate}`,
    ofEntered: 'of entered',
    ofSent: 'of sent',
    ofDelivered: 'of delivered',
    ofOpened: 'of opened',
    ofTreated: 'of treated',
    message: 'Message',
    unsubscribed: 'Unsubscribed',
    bounced: 'Bounced',
    complained: 'Complaints',
    noMessages: 'No emails sent by this journey.',
  },
  uplift: {
    title: 'Holdout uplift',
    lede: 'Goal conversion of customers who got the journey minus those held out at random. The bar is the 95 % confidence interval: when it crosses zero, the effect may be chance.',
    empty: 'No journey in this report has a holdout group.',
    journey: 'Journey',
    treated: 'Treated',
    holdout: 'Held out',
    absolute: 'Uplift',
    relative: 'Relative',
    interval: '95 % interval',
    pValue: 'p-value',
    revenue: 'Revenue per customer',
    notEnough: 'Not enough data',
    significant: 'significant',
    notSignificant: 'not significant',
    axis: 'Uplift in goal conversion (percentage points)',
  },
  email: {
    title: 'Email health',
    lede: 'Amazon SES watches hard bounces and complaints. Above its review rate it may look at the account; above the pause rate it may stop sending.',
    sent: 'Sent',
    delivered: 'Delivered',
    unsubscribed: 'Unsubscribed',
    bounce: 'Hard-bounce rate',
    complaint: 'Complaint rate',
    limits: (review, pause) => `SES review at ${review}, pause at ${pause}`,
    ok: 'Healthy',
    review: 'Under review',
    pause: 'At risk of pause',
    noSends: 'No emails were sent in the report’s range, so there are no rates.',
  },
  markets: {
    title: 'Markets',
    lede: (period) => `The same figures per market, ${period}.`,
    market: 'Market',
    active: 'Active',
    fresh: 'New',
    orders: 'Orders',
    retentionTrend: 'Retention rate by market',
  },
  definitions: {
    title: 'How the figures are defined',
    items: [
      ['Active', 'placed an order (not fully refunded) within the active window before that instant.'],
      ['Retention rate', '(active at the end − new customers) ÷ active at the start.'],
      ['Churn rate', 'active at the start but no longer at the end ÷ active at the start.'],
      ['CLV', 'average order value × purchase frequency × 1 ÷ churn rate (in periods), per currency.'],
      ['NPS', 'share of 9–10 answers minus share of 0–6 answers, × 100; one answer per customer counts.'],
      ['Uplift', 'two-proportion test of goal conversion, treated against the random holdout.'],
    ],
    window: 'Active window',
    days: (n) => `${n} days`,
  },
  loyalty: LOYALTY_MESSAGES.en,
  footer: 'Made with retention-journeys · npx journeys report',
  dash: '—',
};

const de: Messages = {
  intl: 'de-DE',
  title: 'Kundenbindungsbericht',
  eyebrow: 'retention-journeys · Kundenbindungsbericht',
  lede: (period, unit) =>
    `${period}, ${unit}. Jede Kennzahl gilt für den letzten Zeitraum und ist mit dem vorigen verglichen.`,
  generated: (at, source, records) => `Erstellt am ${at} aus ${source} (${records} Datensätze)`,
  units: { week: 'wöchentlich', month: 'monatlich', quarter: 'quartalsweise', year: 'jährlich' },
  weekOf: (date) => `Woche ab ${date}`,
  nav: {
    overview: 'Überblick',
    trends: 'Verlauf',
    cohorts: 'Kohorten',
    journeys: 'Journeys',
    uplift: 'Wirkung',
    email: 'E-Mail-Zustellung',
    loyalty: 'Treueprogramm',
    markets: 'Märkte',
  },
  stats: {
    active: 'Aktive Kunden',
    orders: 'Bestellungen',
    journeys: 'Journeys',
    emails: 'E-Mails gesendet',
  },
  overview: {
    title: (period) => `${period} im Überblick`,
    compared: (period) => `Veränderung gegenüber ${period}`,
    noPrevious: 'Kein früherer Zeitraum zum Vergleich.',
  },
  kpi: {
    retentionRate: 'Kundenbindungsrate',
    churnRate: 'Abwanderungsrate',
    repeatCustomerRate: 'Wiederkaufrate',
    purchaseFrequency: 'Kaufhäufigkeit',
    averageOrderValue: 'Durchschnittlicher Bestellwert',
    customerLifetimeValue: 'Kundenlebenszeitwert',
    nps: 'Net Promoter Score',
    revenue: 'Umsatz',
  },
  kpiHint: {
    retentionRate: 'Gehaltene aktive Kunden, ohne Neukunden',
    churnRate: 'Zu Beginn aktiv, am Ende nicht mehr',
    repeatCustomerRate: 'Käufer mit zwei oder mehr Bestellungen',
    purchaseFrequency: 'Bestellungen je kaufendem Kunden',
    averageOrderValue: 'Umsatz je Bestellung, je Währung',
    customerLifetimeValue: 'Bestellwert × Häufigkeit × erwartete Dauer',
    nps: 'Promotoren minus Kritiker, −100 bis 100',
    revenue: 'Nicht voll erstattete Bestellungen, je Währung',
  },
  previous: (value) => `zuvor ${value}`,
  better: 'besser',
  worse: 'schlechter',
  unchanged: 'unverändert',
  pp: 'Pp.',
  why: {
    noData: 'Keine Daten für diesen Zeitraum.',
    noStartCustomers: 'Zu Beginn des Zeitraums war kein Kunde aktiv.',
    noOrders: 'Keine Bestellungen im Zeitraum.',
    noChurn: 'Niemand ist abgewandert, die erwartete Kundendauer ist daher offen.',
    noResponses: 'Keine Umfrageantworten im Zeitraum.',
  },
  npsDetail: (responses, promoters, detractors) =>
    `${responses} Antworten · ${promoters} Promotoren · ${detractors} Kritiker`,
  customersDetail: (start, end, lost, fresh) =>
    `${start} zu Beginn aktiv, ${end} am Ende (${lost} verloren, ${fresh} neu)`,
  trends: {
    title: 'Verlauf',
    lede: 'Jede Kennzahl über die Zeiträume des Berichts, ganzer Shop. Geldbeträge je Währung, nie zusammengezählt.',
    empty: 'Dieser Bericht enthält keine Zeiträume.',
  },
  cohorts: {
    title: 'Kohorten',
    lede: 'Kunden nach dem Monat ihrer ersten Bestellung: der Anteil, der in jedem Folgemonat erneut bestellt hat.',
    cohort: 'Erstbestellung',
    customers: 'Kunden',
    monthsSince: 'Monate seit der Erstbestellung',
    month: (n) => `M${n}`,
    revenueTitle: (currency) => `Umsatz je Kunde nach Kohorte · ${currency}`,
    revenueLede: 'Kumulierter Umsatz je Kohortenkunde nach Monaten seit der Erstbestellung.',
    empty: 'Noch keine Kohorten: im Berichtszeitraum hat kein Kunde gezählt bestellt.',
  },
  journeys: {
    title: 'Journey-Trichter',
    lede: 'Wer in jede Journey eingetreten ist, was ihre E-Mails erreicht haben und wie viele das Ziel der Journey erreicht haben.',
    empty: 'Im Berichtszeitraum ist niemand in eine Journey eingetreten.',
    entered: 'Eingetreten',
    heldOut: 'Kontrollgruppe',
    sent: 'E-Mails gesendet',
    delivered: 'Zugestellt',
    opened: 'Geöffnet',
    clicked: 'Geklickt',
    goalReached: 'Ziel erreicht',
    holdoutGoal: (rate) => `Kontrollgruppe: ${rate}`,
    ofEntered: 'der Eingetretenen',
    ofSent: 'der gesendeten',
    ofDelivered: 'der zugestellten',
    ofOpened: 'der geöffneten',
    ofTreated: 'der Empfänger',
    message: 'Nachricht',
    unsubscribed: 'Abgemeldet',
    bounced: 'Unzustellbar',
    complained: 'Beschwerden',
    noMessages: 'Diese Journey hat keine E-Mails gesendet.',
  },
  uplift: {
    title: 'Wirkung gegenüber der Kontrollgruppe',
    lede: 'Zielerreichung der Kunden mit Journey minus der zufällig zurückgehaltenen. Der Balken ist das 95-%-Konfidenzintervall: schneidet er die Null, kann der Effekt Zufall sein.',
    empty: 'Keine Journey in diesem Bericht hat eine Kontrollgruppe.',
    journey: 'Journey',
    treated: 'Mit Journey',
    holdout: 'Kontrollgruppe',
    absolute: 'Wirkung',
    relative: 'Relativ',
    interval: '95-%-Intervall',
    pValue: 'p-Wert',
    revenue: 'Umsatz je Kunde',
    notEnough: 'Zu wenige Daten',
    significant: 'signifikant',
    notSignificant: 'nicht signifikant',
    axis: 'Wirkung auf die Zielerreichung (Prozentpunkte)',
  },
  email: {
    title: 'E-Mail-Zustellung',
    lede: 'Amazon SES beobachtet harte Bounces und Beschwerden. Über der Prüfschwelle kann es das Konto prüfen, über der Sperrschwelle den Versand anhalten.',
    sent: 'Gesendet',
    delivered: 'Zugestellt',
    unsubscribed: 'Abgemeldet',
    bounce: 'Harte Bounce-Rate',
    complaint: 'Beschwerderate',
    limits: (review, pause) => `SES prüft ab ${review}, sperrt ab ${pause}`,
    ok: 'In Ordnung',
    review: 'Wird geprüft',
    pause: 'Sperre droht',
    noSends: 'Im Berichtszeitraum wurden keine E-Mails gesendet, daher gibt es keine Raten.',
  },
  markets: {
    title: 'Märkte',
    lede: (period) => `Dieselben Kennzahlen je Markt, ${period}.`,
    market: 'Markt',
    active: 'Aktiv',
    fresh: 'Neu',
    orders: 'Bestellungen',
    retentionTrend: 'Kundenbindungsrate nach Markt',
  },
  definitions: {
    title: 'So sind die Kennzahlen definiert',
    items: [
      ['Aktiv', 'hat im Aktivitätsfenster vor diesem Zeitpunkt bestellt (nicht voll erstattet).'],
      ['Kundenbindungsrate', '(am Ende aktiv − Neukunden) ÷ zu Beginn aktiv.'],
      ['Abwanderungsrate', 'zu Beginn aktiv, am Ende nicht mehr ÷ zu Beginn aktiv.'],
      ['Lebenszeitwert', 'Bestellwert × Kaufhäufigkeit × 1 ÷ Abwanderungsrate (in Zeiträumen), je Währung.'],
      ['NPS', 'Anteil der Antworten 9–10 minus Anteil 0–6, × 100; je Kunde zählt eine Antwort.'],
      ['Wirkung', 'Zwei-Stichproben-Test der Zielerreichung, Empfänger gegen die zufällige Kontrollgruppe.'],
    ],
    window: 'Aktivitätsfenster',
    days: (n) => `${n} Tage`,
  },
  loyalty: LOYALTY_MESSAGES.de,
  footer: 'Erstellt mit retention-journeys · npx journeys report',
  dash: '—',
};

export const MESSAGES: Record<ReportLocale, Messages> = { en, de };
