import { App, type CfnElement, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it, vi } from 'vitest';
import { FindingsAsErrors } from '../../infra/app-builder.ts';
import { buildTestApp } from './careline-app.ts';

/** Every acknowledgment in the tree, where it was made, and its reason. */
function acknowledgments(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the Careline app, errors and warnings alike', () => {
    const { app } = buildTestApp();
    // Synthesis runs the checks as `cdk synth` does (and would throw with the report) ...
    expect(() => app.synth()).not.toThrow();
    // ... and running the pack directly lists any finding, whatever its level, by rule and resource.
    const findings = new AwsSolutionsChecks().validateScope(app).violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.ruleName} (${violation.severity}) at ${resource.constructPath}`),
    );
    expect(findings).toEqual([]);
  });

  it('acknowledges only these findings, each where it arises and with a reason', () => {
    const { app, stack } = buildTestApp();
    const tableId = stack.getLogicalId(stack.data.table.node.defaultChild as CfnElement);
    const found = acknowledgments(app);
    expect(found.map(({ path, id }) => `${path}: ${id}`).sort()).toEqual(
      [
        'Careline/Api/HttpApi/POST--webhooks--{platform}--{shopId}: AwsSolutions-APIG4',
        'Careline/Api/Webhook/Function: AwsSolutions-L1',
        'Careline/Api/Webhook/Role: AwsSolutions-IAM5[Resource::*]',
        `Careline/Api/Webhook/Role: AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
        'Careline/OrderStream/Failures: AwsSolutions-SQS3',
        'Careline/OrderStream/Publisher/Function: AwsSolutions-L1',
        'Careline/OrderStream/Publisher/Role: AwsSolutions-IAM5[Resource::*]',
        'Careline/OrderStream/Publisher/Role: AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        `Careline/OrderStream/Publisher/Role: AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
        'Careline/Api/HttpApi/GET--u--{token}: AwsSolutions-APIG4',
        'Careline/Api/HttpApi/POST--u--{token}: AwsSolutions-APIG4',
        'Careline/Engine/Dispatcher/Function: AwsSolutions-L1',
        'Careline/Engine/Dispatcher/Role: AwsSolutions-IAM5[Resource::*]',
        'Careline/Engine/Dispatcher/Role: AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        `Careline/Engine/Dispatcher/Role: AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
        'Careline/Engine/RuleDlq: AwsSolutions-SQS3',
        'Careline/Messaging/InboundSms/Function: AwsSolutions-L1',
        'Careline/Messaging/InboundSms/Role: AwsSolutions-IAM5[Resource::*]',
        `Careline/Messaging/InboundSms/Role: AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
        'Careline/Messaging/InboundSmsDlq: AwsSolutions-SQS3',
        'Careline/Messaging/Mailer/Function: AwsSolutions-L1',
        'Careline/Messaging/Mailer/Role: AwsSolutions-IAM5[Resource::*]',
        'Careline/Messaging/MailerDlq: AwsSolutions-SQS3',
        'Careline/Unsubscribe/Function: AwsSolutions-L1',
        'Careline/Unsubscribe/Role: AwsSolutions-IAM5[Resource::*]',
        `Careline/Unsubscribe/Role: AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
        'Careline/UnsubscribeSecret: AwsSolutions-SMG4',
      ].sort(),
    );
    for (const { reason } of found) expect(reason.length).toBeGreaterThan(60);
  });
});

describe('FindingsAsErrors', () => {
  /**
   * Two tables without point-in-time recovery, a finding cdk-nag rates a warning. One is
   * acknowledged in the `Pack::Rule` form the CDK CLI suggests; the other is not.
   */
  function appWithAnUnacknowledgedWarning(wrap: boolean): App {
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Probe');
    const tableProps = { partitionKey: { name: 'pk', type: AttributeType.STRING }, removalPolicy: RemovalPolicy.DESTROY };
    new Table(stack, 'Unacknowledged', tableProps);
    const acknowledged = new Table(stack, 'Acknowledged', tableProps);
    Validations.of(acknowledged).acknowledge({ id: 'AwsSolutions::AwsSolutions-DDB3', reason: 'Probe: acknowledged as the CLI suggests.' });
    const pack = new AwsSolutionsChecks(app);
    Validations.of(app).addPlugins(wrap ? new FindingsAsErrors(pack) : pack);
    return app;
  }

  it('fails synthesis on an unacknowledged warning', () => {
    const synth = () => appWithAnUnacknowledgedWarning(true).synth();
    expect(synth).toThrow(/Probe\/Unacknowledged\/Resource[\s\S]*AwsSolutions-DDB3/);
    expect(synth).not.toThrow(/Probe\/Acknowledged/);
  });

  it('is needed: without it CDK only prints the warning once another finding of the pack is acknowledged', () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(() => appWithAnUnacknowledgedWarning(false).synth()).not.toThrow();
      expect(printed.mock.calls.join('\n')).toMatch(/WARNING[\s\S]*Probe\/Unacknowledged/);
    } finally {
      printed.mockRestore();
    }
  });
});
