import type { SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import * as z from 'zod';

/** What the email channel publishes on the email topic, and the mailer reads. */
export const emailMessageSchema = z.object({
  version: z.literal(1),
  shopId: z.string(),
  customerId: z.string(),
  messageKey: z.string(),
  kind: z.string(),
  to: z.email(),
  subject: z.string().max(998),
  text: z.string().max(100_000),
  unsubscribeUrl: z.url().optional(),
});
export type EmailMessage = z.infer<typeof emailMessageSchema>;

/** The SES v2 request for one email, with one-click unsubscribe headers (RFC 8058) when there is a link. */
export function sendEmailInput(message: EmailMessage, from: string): SendEmailCommandInput {
  return {
    FromEmailAddress: from,
    Destination: { ToAddresses: [message.to] },
    Content: {
      Simple: {
        Subject: { Data: message.subject, Charset: 'UTF-8' },
        Body: { Text: { Data: message.text, Charset: 'UTF-8' } },
        ...(message.unsubscribeUrl
          ? {
              Headers: [
                { Name: 'List-Unsubscribe', Value: `<${message.unsubscribeUrl}>` },
                { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
              ],
            }
          : {}),
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

export function isPermanentSesError(error: unknown): boolean {
  return PERMANENT_SES_ERRORS.has((error as { name?: string })?.name ?? '');
}
