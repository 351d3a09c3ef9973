import { CfnOutput, type RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CarelineApi, WEBHOOK_PATH } from './constructs/careline-api.ts';
import { CarelineData } from './constructs/careline-data.ts';
import { OrderStreamPublisher } from './constructs/order-stream-publisher.ts';
import { type DeployContext, readDeployContext } from './deploy-context.ts';

export interface CarelineStackProps extends StackProps {
  /** RETAIN unless given: see CarelineDataProps. */
  readonly tableRemovalPolicy?: RemovalPolicy;
}

/**
 * All of Careline in one environment-agnostic stack: the stateful data construct, and the
 * stateless constructs that use it: the HTTP API with the webhook function, and the publisher
 * of domain events from the table stream.
 */
export class CarelineStack extends Stack {
  readonly deployContext: DeployContext;
  readonly data: CarelineData;
  readonly api: CarelineApi;
  readonly orderStream: OrderStreamPublisher;

  constructor(scope: Construct, id: string, props: CarelineStackProps = {}) {
    super(scope, id, props);
    this.deployContext = readDeployContext(this);

    this.data = new CarelineData(this, 'Data', { tableRemovalPolicy: props.tableRemovalPolicy });
    this.api = new CarelineApi(this, 'Api', { data: this.data });
    this.orderStream = new OrderStreamPublisher(this, 'OrderStream', { data: this.data });

    new CfnOutput(this, 'TableName', { value: this.data.table.tableName, description: 'DynamoDB table (CARELINE_TABLE for the careline CLI)' });
    new CfnOutput(this, 'EventBusName', { value: this.data.bus.eventBusName, description: 'EventBridge bus receiving domain events (source "careline")' });
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'WebhookUrlTemplate', {
      value: `${this.api.url}${WEBHOOK_PATH.slice(1)}`,
      description: 'Webhook URL to give a platform, with {platform} and {shopId} filled in',
    });
  }
}
