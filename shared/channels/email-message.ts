import type { SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import * as z from 'zod/mini';

/**
 * An address SES can deliver to: the HTML5 form rule (ASCII, punycode domains allowed) with at
 * least one dot in the domain. The email channel and the mailer share it, so an address the
 * channel accepts is never one the mailer drops.
 */
const EMAIL_ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** SNS refuses a message over 256 KB (262,144 bytes). */
export const MAX_EMAIL_MESSAGE_BYTES = 262_144;

/** What the email channel publishes on the email topic, and the mailer reads. */
export const emailMessageSchema = z.object({
  version: z.literal(1),
  shopId: z.string().check(z.minLength(1)),
  customerId: z.string().check(z.minLength(1)),
  messageKey: z.string().check(z.minLength(1)),
  kind: z.string().check(z.minLength(1)),
  to: z.email({ pattern: EMAIL_ADDRESS }).check(z.maxLength(254)),
  subject: z.string().check(z.maxLength(998)),
  text: z.string().check(z.minLength(1), z.maxLength(100_000)),
  unsubscribeUrl: z.optional(z.url({ protocol: /^https?$/ }).check(z.maxLength(2048))),
});
export type EmailMessage = z.infer<typeof emailMessageSchema>;

/**
 * The SES v2 request for one email. With an unsubscribe link it carries `List-Unsubscribe`; over
 * HTTPS also `List-Unsubscribe-Post` (RFC 8058 one-click, which mailbox providers only honour
 * for an HTTPS link).
 */
export function sendEmailInput(message: EmailMessage, from: string): SendEmailCommandInput {
  const link = message.unsubscribeUrl;
  const headers = link
    ? [
        { Name: 'List-Unsubscribe', Value: `<${link}>` },
        ...(link.startsWith('https://') ? [{ Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' }] : []),
      ]
    : undefined;
  return {
    FromEmailAddress: from,
    Destination: { ToAddresses: [message.to] },
    Content: {
      Simple: {
        // A line break in a subject would end the header; templates should not make one, this makes sure.
        Subject: { Data: message.subject.replace(/[\r\n]+/g, ' '), Charset: 'UTF-8' },
        Body: { Text: { Data: message.text, Charset: 'UTF-8' } },
        ...(headers ? { Headers: headers } : {}),
      },
    },
  };
}

/** SES errors that trying again will not fix: logged and dropped, never retried forever. */
const PERMANENT_SES_ERRORS = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'AccountSuspendedException',
  'SendingPausedException',
  'BadRequestException',
  'NotFoundException',
]);

/**
 * Permanent SES errors by name. Everything else — TooManyRequestsException, LimitExceededException
 * (a sending quota that refills), 5xx, timeouts, network errors — is worth another attempt.
 */
export function isPermanentSesError(error: unknown): boolean {
  return PERMANENT_SES_ERRORS.has(errorName(error));
}

export function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' && name ? name : 'UnknownError';
}
