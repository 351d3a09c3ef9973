import { App, type IPolicyValidationContext, type IPolicyValidationPlugin, type PolicyValidationPluginReport, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, type NagPack } from 'cdk-nag';
import { CarelineStack } from './stack.ts';

export const STACK_ID = 'Careline';

export interface BuildAppOptions {
  /** CDK context, as `cdk.json` or `-c key=value` would give it (tests pass theirs here). */
  readonly context?: Record<string, unknown>;
}

/**
 * Builds the Careline app exactly as `cdk synth` and `cdk deploy` see it, without synthesizing:
 * infra/app.ts and the infra tests both start here.
 */
export function buildApp(options: BuildAppOptions = {}): { app: App; stack: CarelineStack } {
  const app = new App(options.context ? { context: options.context } : {});
  const stack = new CarelineStack(app, STACK_ID, {
    description: 'Careline: order webhooks in, the right SMS or email out',
  });
  Validations.of(app).addPlugins(new FindingsAsErrors(new AwsSolutionsChecks(app)));
  return { app, stack };
}

/**
 * Reports every unacknowledged cdk-nag finding as an error. CDK fails synthesis on a pack's
 * warnings only until one of its findings is acknowledged in the `AwsSolutions::AwsSolutions-X`
 * form its CLI suggests; from then on warnings pass silently. Here a finding is fixed or
 * acknowledged with a reason, never left standing as a warning.
 */
export class FindingsAsErrors implements IPolicyValidationPlugin {
  readonly name: string;

  constructor(private readonly pack: NagPack) {
    this.name = pack.name;
  }

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const report = this.pack.validate(context);
    return {
      ...report,
      success: report.violations.length === 0,
      violations: report.violations.map((violation) => ({ ...violation, severity: 'error' })),
    };
  }
}
