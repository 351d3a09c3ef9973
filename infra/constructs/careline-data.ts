import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, type CfnTable, ProjectionType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TABLE } from '../../shared/store/keys.ts';

export interface CarelineDataProps {
  /**
   * What CloudFormation does with the table when it leaves the stack. RETAIN unless a
   * throwaway stack says otherwise: the table is every shop's customer history.
   */
  readonly tableRemovalPolicy?: RemovalPolicy;
}

/**
 * The stateful half of Careline: the one DynamoDB table (keys as the store spells them,
 * shared/store/keys.ts) and the domain-event bus.
 * Kept apart from functions and API so that stateless changes never put data at risk.
 */
export class CarelineData extends Construct {
  readonly table: Table;
  readonly bus: EventBus;

  constructor(scope: Construct, id: string, props: CarelineDataProps = {}) {
    super(scope, id);

    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Webhook delivery ids and other short-lived markers expire on their own.
      timeToLiveAttribute: TABLE.ttlAttribute,
      // Domain events are derived from order changes on this stream (functions/order-stream), which needs both images.
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      removalPolicy: props.tableRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    // Sparse: only pending tasks carry the index keys, so the dispatcher reads what is due, never scans.
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE.dueIndex.name,
      partitionKey: { name: TABLE.dueIndex.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.dueIndex.sortKey, type: AttributeType.STRING },
      // Only what the dispatcher reads before a claim: a claim then writes the table, not the index.
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...TABLE.dueIndex.projected],
    });

    // One bus per stack, so two Careline stacks in one account and region never collide.
    this.bus = new EventBus(this, 'Bus', { eventBusName: `careline-${Stack.of(this).stackName}` });
  }

  /**
   * Grants read/write on the table and its indexes. CDK grants the indexes as
   * `<table arn>/index/*`, a wildcard cdk-nag reports; it is acknowledged here, once, with why.
   */
  grantTableReadWrite(grantee: { readonly role: IRole }): void {
    this.table.grantReadWriteData(grantee.role);
    const tableLogicalId = Stack.of(this).getLogicalId(this.table.node.defaultChild as CfnTable);
    Validations.of(grantee.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${tableLogicalId}.Arn>/index/*]`,
      reason: `The wildcard covers only this table's own indexes (today just ${TABLE.dueIndex.name}, the due-task index): Query on an index needs the index ARN, and no other table is reachable.`,
    });
  }
}
