/** Configuration from the environment: a missing or malformed variable fails fast, by name. */
import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '../../functions/config.ts';

const minimal = { TABLE_NAME: 'journeys', SIGNING_SECRET: 'local-signing-secret-0123' };

describe('configFromEnv', () => {
  it('applies the documented defaults to a minimal environment', () => {
    const config = configFromEnv(minimal);
    expect(config).toMatchObject({
      tableName: 'journeys',
      eventBusName: 'default',
      shopEventSource: 'shop',
      defaultLocale: 'en',
      defaultTimeZone: 'Europe/Berlin',
      timerShards: 4,
      retentionDays: 30,
      signingSecret: 'local-signing-secret-0123',
      configurationSetName: undefined,
    });
  });

  it('reads the frequency cap, 3 per P7D unless set', () => {
    expect(configFromEnv(minimal).frequencyCap).toEqual({ max: 3, per: 'P7D' });
    expect(
      configFromEnv({ ...minimal, FREQUENCY_CAP_MAX: '2', FREQUENCY_CAP_PER: 'P14D' }).frequencyCap,
    ).toEqual({ max: 2, per: 'P14D' });
    expect(() => configFromEnv({ ...minimal, FREQUENCY_CAP_PER: 'a week' })).toThrow(/FREQUENCY_CAP_PER/);
    expect(() => configFromEnv({ ...minimal, FREQUENCY_CAP_MAX: '0' })).toThrow(/FREQUENCY_CAP_MAX/);
  });

  it('coerces numeric variables', () => {
    expect(configFromEnv({ ...minimal, TIMER_SHARDS: '8', RETENTION_DAYS: '7' })).toMatchObject({
      timerShards: 8,
      retentionDays: 7,
    });
  });

  it('fails without TABLE_NAME, naming the variable', () => {
    const { TABLE_NAME: _, ...env } = minimal;
    expect(() => configFromEnv(env)).toThrow(ConfigError);
    expect(() => configFromEnv(env)).toThrow(/TABLE_NAME/);
  });

  it('fails with an empty TABLE_NAME, naming the variable', () => {
    expect(() => configFromEnv({ ...minimal, TABLE_NAME: '' })).toThrow(/TABLE_NAME/);
  });

  it('fails without any signing secret, naming both variables', () => {
    const { SIGNING_SECRET: _, ...env } = minimal;
    expect(() => configFromEnv(env)).toThrow(ConfigError);
    expect(() => configFromEnv(env)).toThrow(/SIGNING_SECRET_ARN.*SIGNING_SECRET/);
  });

  it('accepts a secret ARN instead of the secret (Lambda)', () => {
    const config = configFromEnv({
      TABLE_NAME: 't',
      SIGNING_SECRET_ARN: 'arn:aws:secretsmanager:eu-central-1:1:secret:x',
    });
    expect(config.signingSecret).toBeUndefined();
    expect(config.signingSecretArn).toMatch(/^arn:/);
  });

  it('fails on a too-short secret, a bad shard count or a bad URL, naming each variable', () => {
    expect(() => configFromEnv({ ...minimal, SIGNING_SECRET: 'short' })).toThrow(/SIGNING_SECRET/);
    expect(() => configFromEnv({ ...minimal, TIMER_SHARDS: '0' })).toThrow(/TIMER_SHARDS/);
    expect(() => configFromEnv({ ...minimal, TIMER_SHARDS: 'many' })).toThrow(/TIMER_SHARDS/);
    expect(() => configFromEnv({ ...minimal, SHOP_URL: 'not a url' })).toThrow(/SHOP_URL/);
  });

  it('reports every problem at once', () => {
    expect(() => configFromEnv({ SIGNING_SECRET: 'short', TIMER_SHARDS: '0' })).toThrow(
      /TABLE_NAME.*;.*(TIMER_SHARDS|SIGNING_SECRET).*;/,
    );
  });
});
