import type { Construct } from 'constructs';
import { SENDER_ID, SENDER_ID_RULE } from '../shared/channels/sender-id.ts';

/**
 * Deploy-time settings read from CDK context (`cdk deploy -c key=value` or cdk.json).
 * All optional for now; later capabilities use them (see docs/deploy-notes.md):
 * - `smsSenderId`: alphanumeric sender id for SMS where the destination country allows one.
 * - `sesIdentity`: verified SES domain or address the mailer sends from.
 * - `opsAlertEmail`: address subscribed to operational alarms.
 * - `unsubscribeSecretVersion`: version id of the unsubscribe secret the functions get; changing it
 *   makes CloudFormation read the secret again (it does not notice a new value by itself).
 */
export interface DeployContext {
  readonly smsSenderId: string | undefined;
  readonly sesIdentity: string | undefined;
  readonly opsAlertEmail: string | undefined;
  readonly unsubscribeSecretVersion: string | undefined;
}

export function readDeployContext(scope: Construct): DeployContext {
  const smsSenderId = optionalString(scope, 'smsSenderId');
  if (smsSenderId !== undefined && !SENDER_ID.test(smsSenderId)) throw new Error(`CDK context "smsSenderId": ${SENDER_ID_RULE}`);
  return {
    smsSenderId,
    sesIdentity: optionalString(scope, 'sesIdentity'),
    opsAlertEmail: optionalString(scope, 'opsAlertEmail'),
    unsubscribeSecretVersion: optionalString(scope, 'unsubscribeSecretVersion'),
  };
}

/** An empty or missing value means "not set"; anything that is not a string is a mistake worth stopping for. */
function optionalString(scope: Construct, key: string): string | undefined {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`CDK context "${key}" must be a string, got ${JSON.stringify(value)}`);
  return value.trim() || undefined;
}
