import { describe, expect, it } from 'vitest';
import { BindError, bindSql, type Identifier, param } from '../../analytics/binder.ts';
import { addMoney, divideMoney, fromUnits, toMoneyByCurrency, toUnits } from '../../analytics/money.ts';
import { defaultRange, periodsBetween } from '../../analytics/periods.ts';

describe('bindSql', () => {
  it('binds dates, integers, identifiers and rows of dates', () => {
    const sql = bindSql(
      'SELECT {{dim}} FROM t WHERE time >= {{ start }} AND n <= {{n}} AND x IN (VALUES {{rows}})',
      {
        dim: param.identifier('market'),
        start: param.date('2025-01-01'),
        n: param.int(30),
        rows: param.dateRows([
          ['2025-01-01', '2025-02-01'],
          ['2025-02-01', '2025-03-01'],
        ]),
        unused: param.int(1),
      },
    );
    expect(sql).toBe(
      "SELECT market FROM t WHERE time >= '2025-01-01' AND n <= 30 AND x IN (VALUES ('2025-01-01', '2025-02-01'), ('2025-02-01', '2025-03-01'))",
    );
    expect(bindSql('{{t}}', { t: param.date('2025-01-01T10:00:00.000Z') })).toBe(
      "'2025-01-01T10:00:00.000Z'",
    );
  });

  it('refuses anything that is not a checked date, integer or listed identifier', () => {
    const bad: [string, () => unknown][] = [
      ['quote', () => bindSql('{{d}}', { d: param.date("2025-01-01' OR '1'='1") })],
      ['not a day', () => bindSql('{{d}}', { d: param.date('2025-02-30') })],
      ['float', () => bindSql('{{n}}', { n: param.int(1.5) })],
      ['NaN', () => bindSql('{{n}}', { n: param.int(Number.NaN) })],
      [
        'identifier',
        () => bindSql('{{i}}', { i: param.identifier('market; DROP TABLE records' as Identifier) }),
      ],
      [
        'ragged rows',
        () => bindSql('{{r}}', { r: param.dateRows([['2025-01-01'], ['2025-01-01', '2025-01-02']]) }),
      ],
      ['no rows', () => bindSql('{{r}}', { r: param.dateRows([]) })],
      ['unbound', () => bindSql('{{missing}}', {})],
      ['malformed', () => bindSql('{{ 1x }}', {})],
    ];
    for (const [name, bind] of bad) expect(bind, name).toThrow(BindError);
  });
});

describe('periods', () => {
  it('splits [from, to) into calendar periods with the active window before each boundary', () => {
    expect(periodsBetween('2025-01-01', '2025-03-01', 'month', 365)).toEqual([
      {
        start: '2025-01-01',
        end: '2025-02-01',
        activeFromAtStart: '2024-01-02',
        activeFromAtEnd: '2024-02-02',
      },
      {
        start: '2025-02-01',
        end: '2025-03-01',
        activeFromAtStart: '2024-02-02',
        activeFromAtEnd: '2024-03-01',
      }, // 2024 is a leap year
    ]);
    expect(periodsBetween('2025-01-01', '2025-05-15', 'quarter', 365).map((p) => [p.start, p.end])).toEqual([
      ['2025-01-01', '2025-04-01'],
      ['2025-04-01', '2025-05-15'],
    ]);
  });

  it('defaults to the 12 whole periods before the current one (weeks start on Monday)', () => {
    const now = new Date('2026-12-01T08:00:00Z'); // a Tuesday
    expect(defaultRange(now, 'month')).toEqual({ from: '2025-12-01', to: '2026-12-01' });
    expect(defaultRange(now, 'week')).toEqual({ from: '2026-09-07', to: '2026-11-30' });
    expect(defaultRange(now, 'quarter')).toEqual({ from: '2023-10-01', to: '2026-10-01' });
    expect(defaultRange(now, 'year', 2)).toEqual({ from: '2024-01-01', to: '2026-01-01' });
  });
});

describe('money', () => {
  it('adds decimal strings exactly, per currency', () => {
    const sums = new Map<string, bigint>();
    for (const a of ['0.1', '0.2', '59.9000', '-10']) addMoney(sums, 'EUR', a);
    addMoney(sums, 'USD', '12');
    expect(toMoneyByCurrency(sums)).toEqual({ EUR: '50.20', USD: '12.00' });
    expect(fromUnits(toUnits('1.2345'))).toBe('1.2345');
    expect(divideMoney(sums, 3)).toEqual({ EUR: '16.73', USD: '4.00' });
    expect(divideMoney(sums, 0)).toEqual({});
    expect(() => toUnits('1e3')).toThrow(RangeError);
  });
});
