import { writeFileSync } from 'node:fs';
import { startDynamoDbLocal } from '../dynamodb-local.ts';
import { capacityLine, excerpt, simHtml, summary } from './present.ts';
import { type SimOptions, simulate } from './simulate.ts';

export interface RunOptions extends Omit<SimOptions, 'endpoint' | 'onProgress'> {
  html?: string;
  /** Where the progress bar goes (stderr); none when not a terminal. */
  progress?: boolean;
}

/**
 * The preview as people run it (`npm run demo`, `careline simulate`): starts its own in-memory
 * DynamoDB Local, runs the simulation with a progress bar, prints an excerpt for a few customers
 * and the summary, and writes the HTML report when asked.
 */
export async function runPreview(options: RunOptions): Promise<void> {
  const started = performance.now();
  const dynamo = await startDynamoDbLocal({ sustained: true, heapMb: 1024 });
  try {
    let shown = -1;
    const onProgress = (done: number) => {
      const percent = Math.floor(done * 100);
      if (percent === shown) return;
      shown = percent;
      if (options.progress ?? process.stderr.isTTY) {
        const filled = Math.round(done * 30);
        process.stderr.write(`\r  simulating [${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${String(percent).padStart(3)}%  ${((performance.now() - started) / 1000).toFixed(0)} s`);
      } else if (percent % 25 === 0) {
        process.stderr.write(`  simulating: ${percent}%\n`);
      }
    };
    const result = await simulate({ ...options, endpoint: dynamo.endpoint, onProgress });
    if (options.progress ?? process.stderr.isTTY) process.stderr.write('\n');
    const wallMs = performance.now() - started;
    console.log(`\nA few customers, day by day (their local time):\n\n${excerpt(result)}`);
    console.log(summary(result));
    console.log(capacityLine(result));
    console.log(`\n  Wall time                ${(wallMs / 1000).toFixed(1)} s (${result.webhooks} webhooks, ${result.sent.length} messages, DynamoDB Local in memory)`);
    if (options.html) {
      writeFileSync(options.html, simHtml(result, wallMs));
      console.log(`  Report                   ${options.html}`);
    }
  } finally {
    await dynamo.stop();
  }
}
