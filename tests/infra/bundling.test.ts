import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, expect, it } from 'vitest';
import { buildTestApp } from './careline-app.ts';

/**
 * One synthesis with bundling on, as `cdk synth` and `cdk deploy` do it: every handler is
 * built by the local esbuild (no Docker), and each bundle is checked where it lands.
 */
interface Bundle {
  functionId: string;
  directory: string;
  code: string;
}
let bundles: Bundle[];

beforeAll(() => {
  const { app, stack } = buildTestApp({ 'aws:cdk:bundling-stacks': ['**'] });
  const assembly = app.synth();
  bundles = Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function')).map(([functionId, fn]) => {
    const directory = join(assembly.directory, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
    return { functionId, directory, code: readFileSync(join(directory, 'index.mjs'), 'utf8') };
  });
});

it('builds one bundle per function', () => {
  expect(bundles.length).toBeGreaterThanOrEqual(2);
  expect(new Set(bundles.map(({ directory }) => directory)).size).toBe(bundles.length);
});

it('builds ES modules that export handler and let CommonJS dependencies require', () => {
  for (const { code } of bundles) {
    expect(code.split('\n')[0]).toBe("import { createRequire } from 'module'; const require = createRequire(import.meta.url);");
    expect(code).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
  }
});

it('leaves the AWS SDK to the Lambda runtime instead of bundling it', () => {
  for (const { code } of bundles) {
    // Every handler loads part of the SDK from the runtime: util-dynamodb (under Careline's own
    // DynamoDB client), or the SES client for the mailer.
    expect(code).toMatch(/from\s*"@aws-sdk\/(util-dynamodb|client-sesv2)"/);
    // Strings from the SDK's own code (its user agent, util-dynamodb's conversion options), which
    // minification would keep if it were bundled.
    expect(code).not.toContain('aws-sdk-js');
    expect(code).not.toContain('convertClassInstanceToMap');
  }
});

it('loads the SNS and EventBridge SDKs when a function first calls them, not when it starts', () => {
  const dynamic = (service: string) => bundles.filter(({ code }) => code.includes(`import("@aws-sdk/${service}")`)).length;
  for (const { code } of bundles) expect(code).not.toMatch(/from\s*"@aws-sdk\/client-(sns|eventbridge)"/);
  // The dispatcher sends through SNS and publishes stalled parcels; the order stream alerts ops and publishes.
  expect(dynamic('client-sns')).toBeGreaterThanOrEqual(2);
  expect(dynamic('client-eventbridge')).toBeGreaterThanOrEqual(2);
});

it('minifies, with a source map beside each bundle', () => {
  for (const { directory, code } of bundles) {
    expect(code.split('\n').length).toBeLessThan(code.length / 1000);
    expect(code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
    expect(existsSync(join(directory, 'index.mjs.map'))).toBe(true);
  }
});
