import { readFileSync } from 'node:fs';
import type { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app-builder.ts';

/** The feature flags and other context `cdk synth` reads from cdk.json, so tests see the template the CLI makes. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson: unknown = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));
  return isRecord(cdkJson) && isRecord(cdkJson.context) ? cdkJson.context : {};
}

/**
 * The Careline app as `cdk synth` builds it, with asset bundling skipped: the template is
 * the same, only the code asset is not built (esbuild is exercised by a real `cdk synth`).
 */
export function buildTestApp(context: Record<string, unknown> = {}) {
  return buildApp({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context } });
}

/** Renders a CloudFormation string expression readably: `{Ref: X}` is `<X>`, `Fn::GetAtt` is `<X.Attr>`, a join is concatenated. */
export function renderIntrinsic(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isRecord(value)) {
    if (typeof value.Ref === 'string') return `<${value.Ref}>`;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.join('.')}>`;
    const join = value['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) return join[1].map(renderIntrinsic).join(join[0]);
  }
  throw new Error(`Cannot render ${JSON.stringify(value)}`);
}

export interface Permission {
  action: string;
  /** The resource, rendered; `NOT <arn pattern>` for a statement that allows everything but it (NotResource). */
  resource: string;
}

/** Every (action, resource) pair that the inline policies attached to a role allow. */
export function permissionsOfRole(template: Template, roleLogicalId: string): Permission[] {
  const permissions: Permission[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roles: unknown[] = policy.Properties.Roles ?? [];
    if (!roles.some((role) => renderIntrinsic(role) === `<${roleLogicalId}>`)) continue;
    for (const statement of policy.Properties.PolicyDocument.Statement) {
      if (statement.Effect !== 'Allow') continue;
      const resources = statement.NotResource ? [statement.NotResource].flat().map((r) => `NOT ${renderIntrinsic(r)}`) : [statement.Resource].flat().map(renderIntrinsic);
      for (const action of [statement.Action].flat()) {
        for (const resource of resources) permissions.push({ action, resource });
      }
    }
  }
  return permissions;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
