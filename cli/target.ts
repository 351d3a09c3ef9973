import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CarelineStore } from '../shared/store/careline-store.ts';
import { MessageStore } from '../shared/store/message-store.ts';
import { TaskStore } from '../shared/store/task-store.ts';
import { createDocumentClient, type DocumentClient } from '../shared/store/dynamo-client.ts';
import { readLocalState } from '../local/local-state.ts';
import { JourneyStore } from '../shared/store/journey-store.ts';

export interface TargetOptions {
  aws?: boolean;
  stack?: string;
  region?: string;
  table?: string;
}

export class CliError extends Error {
  override name = 'CliError';
}

/**
 * The CLI talks to the local stack by default (found through .careline/local.json) and to AWS
 * with --aws, using the standard credential chain and the table named in the stack's outputs.
 */
export async function openStore(options: TargetOptions): Promise<CarelineStore> {
  return (await openStores(options)).store;
}

export interface Stores {
  store: CarelineStore;
  tasks: TaskStore;
  messages: MessageStore;
  journeys: JourneyStore;
}

export async function openStores(options: TargetOptions): Promise<Stores> {
  let client: DocumentClient;
  let tableName: string;
  if (!options.aws) {
    const local = readLocalState();
    if (!local) throw new CliError('Careline is not running locally: start it with `npm start` in another terminal, or pass --aws.');
    client = createDocumentClient({ endpoint: local.dynamodbEndpoint });
    tableName = local.tableName;
  } else {
    // The SDK's standard chain (environment, profiles, SSO) finds the region and the credentials.
    const cloudFormation = new CloudFormationClient(options.region ? { region: options.region } : {});
    try {
      tableName = options.table ?? (await tableFromStack(cloudFormation, options.stack ?? 'Careline'));
      const region = await cloudFormation.config.region().catch(() => {
        throw new CliError('No AWS region is set: pass --region or set AWS_REGION.');
      });
      client = createDocumentClient({ region, credentials: cloudFormation.config.credentials });
    } finally {
      cloudFormation.destroy();
    }
  }
  return {
    store: new CarelineStore({ client, tableName }),
    tasks: new TaskStore({ client, tableName }),
    messages: new MessageStore({ client, tableName }),
    journeys: new JourneyStore({ client, tableName }),
  };
}

async function tableFromStack(client: CloudFormationClient, stackName: string): Promise<string> {
  try {
    const result = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const table = result.Stacks?.[0]?.Outputs?.find((output) => output.OutputKey === 'TableName')?.OutputValue;
    if (!table) throw new CliError(`Stack ${stackName} has no TableName output: deploy it with \`npx cdk deploy\`.`);
    return table;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`Cannot read stack ${stackName} (${(error as Error).name}): check your AWS credentials and region, or pass --table.`);
  }
}
