import type { SNSEvent } from 'aws-lambda';

/**
 * The SNS event the inbound-SMS function receives when a customer texts the sending number
 * (two-way SMS → SNS topic), for the simulator and tests.
 */
export function inboundSmsEvent(input: { originationNumber: string; messageBody: string; n: number; at: Date; destinationNumber?: string }): SNSEvent {
  const message = {
    originationNumber: input.originationNumber,
    destinationNumber: input.destinationNumber ?? '+18005550100',
    messageKeyword: 'KEYWORD',
    messageBody: input.messageBody,
    inboundMessageId: `inbound-${input.n}`,
  };
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:local:000000000000:careline-inbound-sms:sub',
        Sns: {
          Type: 'Notification',
          MessageId: `sns-${input.n}`,
          TopicArn: 'arn:aws:sns:local:000000000000:careline-inbound-sms',
          Subject: '',
          Message: JSON.stringify(message),
          Timestamp: input.at.toISOString(),
          SignatureVersion: '1',
          Signature: '',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: {},
        },
      },
    ],
  };
}
