import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import { type IGrantable, type IPrincipal, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { CarelineData } from './careline-data.ts';

/** Every Careline function runs here; the bundle target below follows it. */
const LAMBDA_RUNTIME = Runtime.NODEJS_22_X;
const BUNDLE_TARGET = 'node22';

/** Entry paths in props are relative to the repository root, wherever `cdk` or the tests run from. */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Lets CommonJS-only dependencies call `require` inside the ESM bundle. */
const ESM_REQUIRE_SHIM = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export interface CarelineFunctionProps {
  /** Handler file relative to the repository root; it must export `handler`. */
  readonly entry: string;
  readonly description: string;
  /** Table and bus whose names the function receives (CARELINE_TABLE, CARELINE_BUS). Grants stay explicit. */
  readonly data: CarelineData;
  readonly memorySize?: number;
  readonly timeout?: Duration;
  readonly environment?: Record<string, string>;
  /**
   * Actions this function is granted on resource `*` because they support no resource-level
   * permissions (besides X-Ray's, which every function has); named here so the cdk-nag acknowledgment says so.
   */
  readonly unscopedActions?: string[];
  /** For functions invoked asynchronously (SNS, EventBridge): where invocations that keep failing go. */
  readonly deadLetterQueue?: IQueue;
  /** For functions invoked asynchronously: how often Lambda retries a failed invocation (Lambda's own default: 2). */
  readonly retryAttempts?: number;
}

/**
 * The one way Careline builds a Lambda function: runtime, architecture, bundling, logs,
 * tracing and the shared environment are decided here, so each function is a few props.
 */
export class CarelineFunction extends Construct implements IGrantable {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly grantPrincipal: IPrincipal;

  constructor(scope: Construct, id: string, props: CarelineFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });

    // An explicit role instead of CDK's default: the default attaches the AWSLambdaBasicExecutionRole
    // managed policy (logs:* on every log group); this role may write to its own log group only.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${id} function`,
    });
    this.logGroup.grantWrite(this.role);
    this.grantPrincipal = this.role;

    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(REPO_ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: props.retryAttempts ?? (props.deadLetterQueue ? 2 : undefined),
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      environment: {
        CARELINE_TABLE: props.data.table.tableName,
        CARELINE_BUS: props.data.bus.eventBusName,
        POWERTOOLS_SERVICE_NAME: 'careline',
        // The bundle is minified; source maps turn its stack traces back into file:line of the sources.
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE_TARGET,
        minify: true,
        sourceMap: true,
        // Prefer the ESM build of dependencies that ship both.
        mainFields: ['module', 'main'],
        // The Node.js runtime ships AWS SDK v3; bundling it would only grow cold starts.
        externalModules: ['@aws-sdk/*'],
        banner: ESM_REQUIRE_SHIM,
        // Bundle with the project's esbuild devDependency; no Docker on laptops or in CI.
        forceDockerBundling: false,
      },
    });

    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: `Careline runs on ${LAMBDA_RUNTIME.name} (Node.js LTS, supported by Lambda), the runtime the project chose and bundles for; a newer runtime is an upgrade made on purpose, changing LAMBDA_RUNTIME and BUNDLE_TARGET together once the handlers are tested on it.`,
    });
    const unscopedActions = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', ...(props.unscopedActions ?? [])];
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `${unscopedActions.join(', ')} support no resource-level permissions, so their resource must be *; X-Ray's are for active tracing.`,
    });
  }
}
