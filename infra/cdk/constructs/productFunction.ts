/** A product Lambda function as every one is built: Node runtime, esbuild bundle, log group and defaults. */

import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../../shared/observability/metricCatalog';
import { depsLockFilePath, projectRoot } from '../projectPaths';
import { acknowledge } from './nagAcknowledgements';

/** One place to move every function to a newer runtime (the esbuild target follows it). */
const LAMBDA_RUNTIME = Runtime.NODEJS_22_X;
const ESBUILD_TARGET = 'node22';

/**
 * Bundled ESM needs `require` for the CommonJS dependencies esbuild inlines (some of them require Node
 * built-ins at run time); this shim provides it.
 */
const ESM_REQUIRE_SHIM =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export interface ProductFunctionProps {
  entry: string;
  /** POWERTOOLS_SERVICE_NAME and the `service` dimension of the function's metrics. */
  serviceName: string;
  description: string;
  timeout: Duration;
  memorySize: number;
  environment: Record<string, string>;
  reservedConcurrentExecutions?: number;
  logRetention: RetentionDays;
  logLevel: string;
  removalPolicy: RemovalPolicy;
  /** Shell commands run after esbuild, from the project root, to add files to the function's asset. */
  afterBundling?: (inputDir: string, outputDir: string) => string[];
}

/**
 * A Lambda function with the project's production defaults: arm64, minified ESM bundled locally with
 * esbuild (AWS SDK included so the tested SDK version ships), no source maps, an explicit log group with
 * retention, and an execution role that may write only to that log group (no AWS managed policy, whose
 * `logs:*` on `*` a reviewer would reject). Callers add their own grants to `fn`.
 */
export class ProductFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ProductFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.serviceName} function`,
    });
    this.logGroup.grantWrite(role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      projectRoot,
      depsLockFilePath,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: false,
        target: ESBUILD_TARGET,
        bundleAwsSDK: true,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_SHIM,
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
        ...(props.afterBundling === undefined
          ? {}
          : {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: props.afterBundling,
              },
            }),
      },
    });
    acknowledge(
      this.fn,
      'AwsSolutions-L1',
      'The runtime is pinned on purpose: handlers are bundled for and tested on Node.js 22 (esbuild target node22), a Lambda runtime in standard support. Moving to a newer runtime is a deliberate, tested change made in one place (LAMBDA_RUNTIME), not a side effect of a new cdk-nag release.',
    );
  }
}
