/**
 * The signing secret, from Secrets Manager (SIGNING_SECRET_ARN) or, locally and in benches, from
 * SIGNING_SECRET. Imported only by the compositions of roles that sign or check tokens
 * (roles.ts: `signingSecret`), so the Secrets Manager client is in no other bundle.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AppConfig } from '../config.ts';

export async function signingSecret(
  config: Pick<AppConfig, 'signingSecret' | 'signingSecretArn'>,
): Promise<string> {
  let secret = config.signingSecret;
  if (!secret && config.signingSecretArn) {
    const answer = await new SecretsManagerClient({}).send(
      new GetSecretValueCommand({ SecretId: config.signingSecretArn }),
    );
    secret = answer.SecretString;
  }
  if (!secret) throw new Error('the signing secret is empty');
  return secret;
}
