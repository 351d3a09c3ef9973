import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type {
  BatchGetCommandInput,
  BatchGetCommandOutput,
  BatchWriteCommandInput,
  BatchWriteCommandOutput,
  DeleteCommandInput,
  DeleteCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  TransactWriteCommandInput,
  TransactWriteCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import aws4 from 'aws4';
import pRetry from 'p-retry';

/**
 * Careline's DynamoDB client: the eight item operations the stores use, with plain JavaScript
 * values in and out (the document client's shapes). Requests are signed with aws4 (SigV4) and
 * sent over a keep-alive agent; values are converted by the SDK's own util-dynamodb. It exists
 * because the SDK's client costs three times as much CPU per request and several times a bare
 * handler's start-up to import (docs/decisions.md, "DynamoDB client"). It has no Scan: nothing
 * in the product reads a whole table.
 */
export interface DocumentClient {
  get(input: GetCommandInput): Promise<Output<GetCommandOutput>>;
  put(input: PutCommandInput): Promise<Output<PutCommandOutput>>;
  update(input: UpdateCommandInput): Promise<Output<UpdateCommandOutput>>;
  delete(input: DeleteCommandInput): Promise<Output<DeleteCommandOutput>>;
  query(input: QueryCommandInput): Promise<Output<QueryCommandOutput>>;
  batchGet(input: BatchGetCommandInput): Promise<Output<BatchGetCommandOutput>>;
  batchWrite(input: BatchWriteCommandInput): Promise<Output<BatchWriteCommandOutput>>;
  transactWrite(input: TransactWriteCommandInput): Promise<Output<TransactWriteCommandOutput>>;
}

type Output<T> = Omit<T, '$metadata'>;

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface DynamoConnection {
  /** Set for DynamoDB Local; unset in AWS. */
  endpoint?: string;
  region?: string;
  /**
   * Where credentials come from, asked before every request (it keeps and refreshes its own, as
   * the SDK's providers do); by default the environment, as Lambda sets it, read once.
   */
  credentials?: () => Promise<AwsCredentials>;
  /** Attempts per request, counting the first (throttling, 500/502/503/504 and network errors are retried); 4 by default, as the SDK makes for DynamoDB. */
  maxAttempts?: number;
}

/** A DynamoDB error response, named as the SDK names it (`ConditionalCheckFailedException`, …). */
export class DynamoDBError extends Error {
  readonly statusCode: number;
  readonly retryable: boolean;
  /** The item as stored (attribute values, not converted), when the request asked for it on a failed condition. */
  readonly Item?: Record<string, unknown>;
  readonly CancellationReasons?: { Code?: string; Message?: string; Item?: Record<string, unknown> }[];

  constructor(name: string, message: string, statusCode: number, body: Record<string, unknown> = {}) {
    super(message || name);
    this.name = name;
    this.statusCode = statusCode;
    this.retryable = RETRYABLE_STATUS.has(statusCode) || THROTTLING_ERRORS.has(name) || TRANSIENT_ERRORS.has(name);
    if (body.Item) this.Item = body.Item as Record<string, unknown>;
    if (body.CancellationReasons) this.CancellationReasons = body.CancellationReasons as DynamoDBError['CancellationReasons'];
  }
}

// The SDK's throttling and transient error names and statuses that DynamoDB can answer with.
const THROTTLING_ERRORS = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'TransactionInProgressException']);
const TRANSIENT_ERRORS = new Set(['InternalServerError', 'RequestTimeout', 'RequestTimeoutException']);
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const NETWORK_ERRORS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);
const REQUEST_TIMEOUT_MS = 10_000;
const MARSHALL = { removeUndefinedValues: true } as const;

type Item = Record<string, unknown>;
type Wire = Record<string, unknown>;

/** DynamoDB's JSON protocol, unconverted: an operation's request in, its answer out (signed, retried). */
export type WireCall = (operation: string, payload: Record<string, unknown>) => Promise<Record<string, unknown>>;

/**
 * The signed, retried JSON requests under the document client. `target` names the API
 * (`DynamoDB_20120810`, or `DynamoDBStreams_20120810` for the local stream reader).
 */
export function createWireClient(connection: DynamoConnection = {}, target = 'DynamoDB_20120810'): WireCall {
  const region = connection.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const url = new URL(connection.endpoint ?? regionalEndpoint(region));
  const secure = url.protocol === 'https:';
  const transport = secure ? https : http;
  const agent = new transport.Agent({ keepAlive: true, maxSockets: 50 });
  // DynamoDB Local (on this machine) takes any credentials; any other endpoint is signed as in AWS.
  const onThisMachine = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  const credentials = connection.credentials ?? once(onThisMachine ? localCredentials : environmentCredentials);
  const retries = (connection.maxAttempts ?? 4) - 1;

  const send = async (operation: string, payload: Wire): Promise<Wire> => {
    const body = JSON.stringify(payload, refuseBinary);
    const request = aws4.sign(
      {
        host: url.host,
        path: '/',
        method: 'POST',
        service: 'dynamodb',
        region,
        body,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `${target}.${operation}` },
      },
      await credentials(),
    );
    return new Promise<Wire>((resolve, reject) => {
      const call = transport.request(
        { protocol: url.protocol, hostname: url.hostname, port: url.port, path: '/', method: 'POST', headers: request.headers, agent, timeout: REQUEST_TIMEOUT_MS },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            let parsed: Wire;
            try {
              parsed = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Wire) : {};
            } catch {
              // Not retried when the status says the request was carried out (it may have written).
              reject(new DynamoDBError('InvalidResponse', `DynamoDB answered ${status} with a body that is not JSON`, status));
              return;
            }
            if (status >= 200 && status < 300) resolve(parsed);
            else reject(errorOf(status, parsed, response.headers['x-amzn-errortype']));
          });
        },
      );
      call.on('timeout', () => call.destroy(Object.assign(new Error(`no answer from DynamoDB within ${REQUEST_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' })));
      call.on('error', reject);
      call.end(body);
    });
  };

  const call = (operation: string, payload: Wire) =>
    pRetry(() => send(operation, payload), {
      retries,
      minTimeout: 50,
      maxTimeout: 2_000,
      randomize: true,
      shouldRetry: ({ error }) => isRetryable(error),
      // Throttling waits longer, as the SDK does: a random pause of up to 0.5 s, 1 s, 2 s, …
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        if (retriesLeft > 0 && error instanceof DynamoDBError && THROTTLING_ERRORS.has(error.name)) {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(4_000, 500 * 2 ** (attemptNumber - 1))));
        }
      },
    });

  return call;
}

export function createDocumentClient(connection: DynamoConnection = {}): DocumentClient {
  const call = createWireClient(connection);

  /** One item's request (Get, Put, Update, Delete): its item, key and values converted, and the item it returns. */
  const single = async (operation: string, input: object): Promise<Wire> => {
    const out = await call(operation, itemRequest(input as Wire));
    return { ...out, Item: fromWire(out.Item), Attributes: fromWire(out.Attributes) };
  };

  return {
    get: (input) => single('GetItem', input) as Promise<Output<GetCommandOutput>>,
    put: (input) => single('PutItem', input) as Promise<Output<PutCommandOutput>>,
    update: (input) => single('UpdateItem', input) as Promise<Output<UpdateCommandOutput>>,
    delete: (input) => single('DeleteItem', input) as Promise<Output<DeleteCommandOutput>>,
    async query(input) {
      const out = await call('Query', { ...input, ExpressionAttributeValues: toWire(input.ExpressionAttributeValues), ExclusiveStartKey: toWire(input.ExclusiveStartKey) });
      return { ...out, Items: (out.Items as Wire[] | undefined)?.map(fromWire), LastEvaluatedKey: fromWire(out.LastEvaluatedKey) } as Output<QueryCommandOutput>;
    },
    async batchGet(input) {
      const requestItems = mapValues(input.RequestItems ?? {}, (request) => ({ ...request, Keys: request.Keys?.map(toWire) }));
      const out = await call('BatchGetItem', { ...input, RequestItems: requestItems });
      return {
        ...out,
        Responses: mapValues((out.Responses ?? {}) as Record<string, Wire[]>, (items) => items.map(fromWire)),
        UnprocessedKeys: mapValues((out.UnprocessedKeys ?? {}) as Record<string, { Keys?: Wire[] }>, (request) => ({ ...request, Keys: request.Keys?.map(fromWire) })),
      } as Output<BatchGetCommandOutput>;
    },
    async batchWrite(input) {
      const out = await call('BatchWriteItem', { ...input, RequestItems: mapValues(input.RequestItems ?? {}, (requests) => requests.map((r) => writeRequest(r, toWire))) });
      return { ...out, UnprocessedItems: mapValues((out.UnprocessedItems ?? {}) as Record<string, Wire[]>, (requests) => requests.map((r) => writeRequest(r, fromWire))) } as Output<BatchWriteCommandOutput>;
    },
    async transactWrite(input) {
      const items = (input.TransactItems ?? []).map((item) => mapValues(item as Record<string, Wire>, itemRequest));
      // One token for every attempt: DynamoDB runs a retried transaction once (within 10 minutes).
      const token = input.ClientRequestToken ?? randomUUID();
      return (await call('TransactWriteItems', { ...input, ClientRequestToken: token, TransactItems: items })) as Output<TransactWriteCommandOutput>;
    },
  };
}

/** DynamoDB's public endpoint in a region (the China regions have their own domain). */
export function regionalEndpoint(region: string): string {
  return `https://dynamodb.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

/** Careline stores no binary attributes; this client does not convert them (JSON would garble them). */
function refuseBinary(this: unknown, key: string, value: unknown): unknown {
  if ((this as Record<string, unknown>)[key] instanceof Uint8Array) throw new TypeError(`binary attribute values are not supported (at "${key}")`);
  return value;
}

function toWire(value: Item | undefined): Wire | undefined {
  return value === undefined ? undefined : (marshall(value, MARSHALL) as Wire);
}

function fromWire(value: unknown): Item | undefined {
  return value === undefined ? undefined : unmarshall(value as Parameters<typeof unmarshall>[0]);
}

/** A request on one item (alone, or as a part of a transaction), converted for the wire. */
function itemRequest(part: Wire): Wire {
  return {
    ...part,
    ...(part.Item ? { Item: toWire(part.Item as Item) } : {}),
    ...(part.Key ? { Key: toWire(part.Key as Item) } : {}),
    ...(part.ExpressionAttributeValues ? { ExpressionAttributeValues: toWire(part.ExpressionAttributeValues as Item) } : {}),
  };
}

function writeRequest(request: { PutRequest?: { Item?: unknown }; DeleteRequest?: { Key?: unknown } }, convert: (value: never) => unknown) {
  if (request.PutRequest) return { PutRequest: { Item: convert(request.PutRequest.Item as never) } };
  return { DeleteRequest: { Key: convert(request.DeleteRequest?.Key as never) } };
}

function mapValues<T, U>(record: Record<string, T>, fn: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value)]));
}

function errorOf(status: number, body: Wire, typeHeader: string | string[] | undefined): DynamoDBError {
  // "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", or the header's "Name:http://…".
  const type = String(body.__type ?? (Array.isArray(typeHeader) ? typeHeader[0] : typeHeader) ?? `HTTP${status}`);
  const name = type.split('#').pop()!.split(':')[0]!;
  return new DynamoDBError(name, String(body.message ?? body.Message ?? ''), status, body);
}

function isRetryable(error: unknown): boolean {
  if (error instanceof DynamoDBError) return error.retryable;
  return NETWORK_ERRORS.has(String((error as { code?: unknown }).code));
}

async function localCredentials(): Promise<AwsCredentials> {
  // DynamoDB Local accepts any credentials.
  return { accessKeyId: 'local', secretAccessKey: 'local' };
}

export async function environmentCredentials(): Promise<AwsCredentials> {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
  if (!accessKeyId || !secretAccessKey) throw new Error('No AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)');
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

/** The provider's first answer, kept (a failed one is asked for again). */
function once(provider: () => Promise<AwsCredentials>): () => Promise<AwsCredentials> {
  let held: Promise<AwsCredentials> | undefined;
  return () => {
    held ??= provider().catch((error: unknown) => {
      held = undefined;
      throw error;
    });
    return held;
  };
}
