// The yardstick for bundle size and cold import: a bare middy + zod handler.
import middy from '@middy/core';
import * as z from 'zod';

const schema = z.object({ id: z.string() });
export const handler = middy().handler(async (event: unknown) => schema.parse(event));
