/** The HTTP API (API Gateway) in front of the management function, with the web console's public routes. */

import type { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from './nagAcknowledgements';

export interface ManagementApiProps {
  handler: IFunction;
  throttleRateLimit: number;
  throttleBurstLimit: number;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
}

/** The web console's public routes: its page and its hashed static assets (no data, no auth). */
const CONSOLE_ROUTE_PATHS = ['/console', '/console/{proxy+}'] as const;

/**
 * The HTTP API in front of the management function. One `$default` route sends every request to the
 * function, whose own router authenticates and answers 404/405 with problem+json (API Gateway's would
 * be plain text). The web console's routes are declared on their own, explicitly without authorizer,
 * so the template shows which paths are public; they go to the same function.
 */
export class ManagementApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: ManagementApiProps) {
    super(scope, id);

    const integration = new HttpLambdaIntegration('ApiIntegration', props.handler);
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'CRM webhooks management API',
      createDefaultStage: false,
      defaultIntegration: integration,
    });
    for (const path of CONSOLE_ROUTE_PATHS) {
      this.httpApi.addRoutes({
        path,
        methods: [HttpMethod.GET],
        integration,
        authorizer: new HttpNoneAuthorizer(),
      });
    }

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRateLimit, burstLimit: props.throttleBurstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        // No headers, query strings or bodies: the Authorization header carries the API key.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            httpMethod: '$context.httpMethod',
            routeKey: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            userAgent: '$context.identity.userAgent',
          }),
        ),
      },
    });

    acknowledge(
      this.httpApi,
      'AwsSolutions-APIG4',
      'Authorization is enforced by the API function itself: every route except GET /openapi.json and the web console (GET /console and its hashed static assets) requires "Authorization: Bearer <apiKey>", checked against SHA-256 hashes in the API keys table and scoped to the key\'s workspace. A Lambda authorizer would add a second cold start and duplicate that lookup; /openapi.json and the console hold no data and are public by design (the console calls the API with the key its user pastes).',
    );
  }

  get url(): string {
    return this.stage.url;
  }
}
