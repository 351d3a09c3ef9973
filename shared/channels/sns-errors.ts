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
  const name = (error as { name?: string })?.name ?? 'UnknownError';
  return { status: 'failed', permanent: PERMANENT.has(name), reason: name };
}
