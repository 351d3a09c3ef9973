import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CarelineStore } from '../shared/store/careline-store.ts';
import { createDocumentClient } from '../shared/store/dynamo-client.ts';
import { readLocalState } from '../local/local-state.ts';

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
  if (!options.aws) {
    const local = readLocalState();
    if (!local) throw new CliError('Careline is not running locally: start it with `npm start` in another terminal, or pass --aws.');
    return new CarelineStore({ client: createDocumentClient({ endpoint: local.dynamodbEndpoint }), tableName: local.tableName });
  }
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const tableName = options.table ?? (await tableFromStack(options.stack ?? 'Careline', region));
  return new CarelineStore({ client: createDocumentClient(region ? { region } : {}), tableName });
}

async function tableFromStack(stackName: string, region: string | undefined): Promise<string> {
  const client = new CloudFormationClient(region ? { region } : {});
  try {
    const result = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const table = result.Stacks?.[0]?.Outputs?.find((output) => output.OutputKey === 'TableName')?.OutputValue;
    if (!table) throw new CliError(`Stack ${stackName} has no TableName output: deploy it with \`npx cdk deploy\`.`);
    return table;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`Cannot read stack ${stackName} (${(error as Error).name}): check your AWS credentials and region, or pass --table.`);
  } finally {
    client.destroy();
  }
}
