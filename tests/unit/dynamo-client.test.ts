import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDocumentClient, DynamoDBError, environmentCredentials, regionalEndpoint } from '../../shared/store/dynamo-client.ts';

// The client's HTTP edge, against a local stand-in for DynamoDB that answers as told: what it
// signs and sends, and which answers it retries. Its behaviour against DynamoDB Local itself is
// in tests/integration/dynamo-client.test.ts.
type Answer = { status: number; body?: unknown; raw?: string; type?: string } | 'hang-up';
let server: Server;
let endpoint: string;
let answers: Answer[] = [];
const received: { headers: IncomingMessage['headers']; body: Record<string, unknown> }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      const answer = answers.shift() ?? { status: 200, body: {} };
      if (answer === 'hang-up') return void request.socket.destroy();
      response.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0', ...(answer.type ? { 'x-amzn-errortype': answer.type } : {}) });
      response.end(answer.raw ?? (answer.body === undefined ? '' : JSON.stringify(answer.body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  answers = [];
  received.length = 0;
  vi.unstubAllEnvs();
});

const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session-token' });
const throttled = { status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' } };

describe('the DynamoDB client over HTTP', () => {
  it('sends the operation as DynamoDB JSON, signed with SigV4 for the region and its session token', async () => {
    answers = [{ status: 200, body: { Item: { pk: { S: 'a' }, n: { N: '5' }, tags: { SS: ['x'] } } } }];
    const client = createDocumentClient({ endpoint, region: 'eu-west-1', credentials });
    const result = await client.get({ TableName: 'careline', Key: { pk: 'a', sk: 'b' } });
    expect(result.Item).toEqual({ pk: 'a', n: 5, tags: new Set(['x']) });
    const [request] = received;
    expect(request?.headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
    expect(request?.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(request?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=\S*x-amz-target\S*, Signature=[0-9a-f]{64}$/);
    expect(request?.headers['x-amz-security-token']).toBe('session-token');
    expect(request?.body).toEqual({ TableName: 'careline', Key: { pk: { S: 'a' }, sk: { S: 'b' } } });
  });

  it('retries throttling and server errors, then answers', async () => {
    answers = [throttled, { status: 500, body: { __type: 'InternalServerError', message: 'oops' } }, { status: 200, body: { Attributes: { n: { N: '1' } } } }];
    const client = createDocumentClient({ endpoint, credentials });
    const result = await client.update({ TableName: 't', Key: { pk: 'a', sk: 'b' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 }, ReturnValues: 'ALL_NEW' });
    expect(result.Attributes).toEqual({ n: 1 });
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => JSON.stringify(r.body))).size).toBe(1);
  });

  it('retries a connection that dropped', async () => {
    answers = ['hang-up', { status: 200, body: {} }];
    await createDocumentClient({ endpoint, credentials }).put({ TableName: 't', Item: { pk: 'a', sk: 'b' } });
    expect(received).toHaveLength(2);
  });

  it('gives up after its attempts, with the last error', async () => {
    answers = [throttled, throttled, throttled, throttled];
    const failure = await createDocumentClient({ endpoint, credentials, maxAttempts: 3 })
      .put({ TableName: 't', Item: { pk: 'a', sk: 'b' } })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DynamoDBError);
    expect(failure).toMatchObject({ name: 'ThrottlingException', retryable: true, message: 'Rate of requests exceeds the allowed throughput.' });
    expect(received).toHaveLength(3);
  });

  it('makes 4 attempts by default', async () => {
    const unavailable = { status: 503, body: { __type: 'ServiceUnavailable', message: 'try later' } };
    answers = [unavailable, unavailable, unavailable, unavailable, { status: 200, body: {} }];
    await expect(createDocumentClient({ endpoint, credentials }).put({ TableName: 't', Item: { pk: 'a', sk: 'b' } })).rejects.toMatchObject({ name: 'ServiceUnavailable', statusCode: 503 });
    expect(received).toHaveLength(4);
  });

  it('sends a retried transaction with the same token, so that DynamoDB carries it out once', async () => {
    answers = ['hang-up', { status: 200, body: {} }];
    await createDocumentClient({ endpoint, credentials }).transactWrite({
      TransactItems: [{ Update: { TableName: 't', Key: { pk: 'a', sk: 'b' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } } }],
    });
    expect(received).toHaveLength(2);
    const tokens = received.map((r) => r.body.ClientRequestToken);
    expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(tokens[1]).toBe(tokens[0]);
    expect(received[0]?.body.TransactItems).toEqual([{ Update: { TableName: 't', Key: { pk: { S: 'a' }, sk: { S: 'b' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } } }]);
  });

  it('refuses binary values before sending anything', async () => {
    const client = createDocumentClient({ endpoint, credentials });
    await expect(client.put({ TableName: 't', Item: { pk: 'a', sk: 'b', data: new Uint8Array([1, 2, 3]) } })).rejects.toThrow(/binary attribute values are not supported/);
    expect(received).toHaveLength(0);
  });

  it('does not retry a failed condition or a refused request', async () => {
    answers = [
      { status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed' } },
      { status: 400, body: { __type: 'com.amazon.coral.validate#ValidationException', Message: 'One or more parameter values were invalid' } },
    ];
    const client = createDocumentClient({ endpoint, credentials });
    await expect(client.put({ TableName: 't', Item: { pk: 'a', sk: 'b' }, ConditionExpression: 'attribute_not_exists(pk)' })).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    await expect(client.put({ TableName: 't', Item: { pk: 'a', sk: 'b' } })).rejects.toMatchObject({ name: 'ValidationException', message: 'One or more parameter values were invalid' });
    expect(received).toHaveLength(2);
  });

  it('names an error from its header when the body has no type, and takes an empty body for an empty answer', async () => {
    answers = [{ status: 400, body: {}, type: 'AccessDeniedException:http://internal.amazon.com/coral/' }, { status: 200, body: undefined }];
    const client = createDocumentClient({ endpoint, credentials });
    await expect(client.get({ TableName: 't', Key: { pk: 'a', sk: 'b' } })).rejects.toMatchObject({ name: 'AccessDeniedException', retryable: false });
    expect((await client.get({ TableName: 't', Key: { pk: 'a', sk: 'b' } })).Item).toBeUndefined();
  });

  it('refuses an answer that is not JSON, retrying it only when the status says the request was not carried out', async () => {
    answers = [{ status: 200, raw: '<html>proxy</html>' }, { status: 502, raw: '<html>bad gateway</html>' }, { status: 200, body: {} }];
    const client = createDocumentClient({ endpoint, credentials });
    await expect(client.update({ TableName: 't', Key: { pk: 'a', sk: 'b' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } })).rejects.toMatchObject({ name: 'InvalidResponse', retryable: false });
    expect(received).toHaveLength(1);
    await client.get({ TableName: 't', Key: { pk: 'a', sk: 'b' } });
    expect(received).toHaveLength(3);
  });

  it('signs for DynamoDB Local with fixed credentials, and in AWS with those in the environment', async () => {
    await createDocumentClient({ endpoint }).get({ TableName: 't', Key: { pk: 'a', sk: 'b' } });
    expect(received[0]?.headers.authorization).toContain('Credential=local/');

    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDFROMENV');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'token');
    expect(await environmentCredentials()).toEqual({ accessKeyId: 'AKIDFROMENV', secretAccessKey: 'secret', sessionToken: 'token' });
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    // Refused before anything is sent.
    await expect(createDocumentClient({ region: 'ap-east-1' }).get({ TableName: 't', Key: { pk: 'a', sk: 'b' } })).rejects.toThrow(/No AWS credentials in the environment/);
  });

  it('asks a given provider before every request (it keeps and refreshes its own credentials)', async () => {
    let calls = 0;
    const rotating = async () => ({ accessKeyId: `AKID${++calls}`, secretAccessKey: 'secret' });
    const client = createDocumentClient({ endpoint, credentials: rotating });
    for (let i = 0; i < 3; i++) await client.get({ TableName: 't', Key: { pk: 'a', sk: 'b' } });
    expect(received.map((r) => /Credential=(AKID\d)/.exec(String(r.headers.authorization))?.[1])).toEqual(['AKID1', 'AKID2', 'AKID3']);
    expect(calls).toBe(3);
  });

  it("addresses DynamoDB's endpoint in the region, with the China regions' own domain", () => {
    expect(regionalEndpoint('us-east-1')).toBe('https://dynamodb.us-east-1.amazonaws.com');
    expect(regionalEndpoint('ap-east-1')).toBe('https://dynamodb.ap-east-1.amazonaws.com');
    expect(regionalEndpoint('cn-north-1')).toBe('https://dynamodb.cn-north-1.amazonaws.com.cn');
    expect(regionalEndpoint('cn-northwest-1')).toBe('https://dynamodb.cn-northwest-1.amazonaws.com.cn');
  });
});
