import type { SendResult } from './channel.ts';

/** SNS errors that will not go away by trying again. */
const PERMANENT = new Set([
  'InvalidParameterException',
  'InvalidParameterValueException',
  'AuthorizationErrorException',
  'EndpointDisabledException',
  'OptedOutException',
  'ValidationException',
  'NotFoundException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSAccessDeniedException',
  'InvalidSecurityException',
]);

/** Maps an SNS error to a send result: permanent ones are recorded, the rest retried. */
export function classifySnsError(error: unknown): Extract<SendResult, { status: 'failed' }> {
  const { name = 'UnknownError', code } = (error ?? {}) as { name?: string; code?: unknown };
  // An error from Node rather than from SNS (the SDK could not be loaded, the connection
  // dropped) is a plain Error: its code says what happened.
  const reason = name === 'Error' && typeof code === 'string' ? code : name;
  return { status: 'failed', permanent: PERMANENT.has(name), reason };
}
