// A second yardstick: the bare handler plus the AWS SDK's DynamoDB document client (what a handler
// built on the SDK loads; Careline's handlers use shared/store/dynamo-client.ts instead).
import middy from '@middy/core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';

const schema = z.object({ id: z.string() });
let client: DynamoDBDocumentClient | undefined;
export const handler = middy().handler(async (event: unknown) => {
  client ??= DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return schema.parse(event);
});
