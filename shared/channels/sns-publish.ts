import type { PublishCommandInput, PublishCommandOutput, SNSClient } from '@aws-sdk/client-sns';
import { type ClientSource, clientOf } from '../aws/lazy-client.ts';

/** One SNS Publish. The SNS SDK is loaded with the first one, not when the function starts (see lazy-client.ts). */
export async function snsPublish(source: ClientSource<SNSClient>, input: PublishCommandInput): Promise<PublishCommandOutput> {
  const [client, { PublishCommand }] = await Promise.all([clientOf(source), import('@aws-sdk/client-sns')]);
  return client.send(new PublishCommand(input));
}
