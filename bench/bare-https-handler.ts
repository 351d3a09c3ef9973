// A third yardstick: the bare handler plus what any handler that signs and sends AWS requests
// itself loads from Node (HTTPS with TLS, and crypto for SigV4), with no SDK at all. Every
// Careline function that calls DynamoDB starts from here.
import { createHmac } from 'node:crypto';
import { Agent } from 'node:https';
import middy from '@middy/core';
import * as z from 'zod';

const schema = z.object({ id: z.string() });
let agent: Agent | undefined;
export const handler = middy().handler(async (event: unknown) => {
  agent ??= new Agent({ keepAlive: true });
  createHmac('sha256', 'key').update('x');
  return schema.parse(event);
});
