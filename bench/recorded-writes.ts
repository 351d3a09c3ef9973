import { BatchWriteCommand, DeleteCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentClient } from '../shared/store/dynamo-client.ts';

/** A write request as a store sent it: the client operation and its input. */
export interface RecordedWrite {
  op: 'put' | 'update' | 'delete' | 'batchWrite';
  input: Record<string, unknown>;
}

const WRITES = new Set<string>(['put', 'update', 'delete', 'batchWrite']);

/** A client that hands every write request to `record` (the input as given, not a copy) before sending it. */
export function recordingClient(client: DocumentClient, record: (write: RecordedWrite) => void): DocumentClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      const method = Reflect.get(target, property, receiver) as (input: unknown) => Promise<unknown>;
      if (typeof property !== 'string' || !WRITES.has(property)) return method;
      return (input: Record<string, unknown>) => {
        record({ op: property as RecordedWrite['op'], input });
        return method.call(target, input);
      };
    },
  });
}

/** Where a raw replay goes: Careline's own client, or the AWS SDK's document client. */
export type RawTarget = { careline: DocumentClient } | { sdk: DynamoDBDocumentClient };

/** Sends one recorded write as it is (the caller readdresses it to its table first). */
export function sendRaw(target: RawTarget, write: RecordedWrite): Promise<unknown> {
  if ('careline' in target) return target.careline[write.op](write.input as never);
  const input = write.input as never;
  switch (write.op) {
    case 'put':
      return target.sdk.send(new PutCommand(input));
    case 'update':
      return target.sdk.send(new UpdateCommand(input));
    case 'delete':
      return target.sdk.send(new DeleteCommand(input));
    case 'batchWrite':
      return target.sdk.send(new BatchWriteCommand(input));
  }
}
