/** `npm start`: starts the local runtime, prints how to use it and stops it cleanly on a signal. */

import { functionSettingsProblems } from './checkFunctionSettings';
import { assertJavaAvailable, JavaMissingError } from './emulators/dynamoDbLocal';
import {
  importProductHandlers,
  LOCAL_WORKSPACE_ID,
  type LocalRuntime,
  startLocalRuntime,
} from './localRuntime';
import { type LocalSettings, LocalSettingsError, readLocalSettings } from './localSettings';
import { PortBusyError } from './portCheck';
import { startStatusLine } from './statusLine';

/** A second stop signal this soon after the first is the same signal delivered twice (see shutdown). */
const DUPLICATE_SIGNAL_WINDOW_MS = 1000;

/** Problems the user can fix: shown as a message, without a stack trace. */
function isUserFixable(error: unknown): error is Error {
  return (
    error instanceof JavaMissingError || error instanceof PortBusyError || error instanceof LocalSettingsError
  );
}

function demoCommand(runtime: LocalRuntime): string {
  const apiPort = new URL(runtime.apiUrl).port;
  const dynamoDbPort = new URL(runtime.dynamoDbEndpoint).port;
  const env = [
    ...(apiPort === '3000' ? [] : [`PORT=${apiPort}`]),
    ...(dynamoDbPort === '8000' ? [] : [`DYNAMODB_PORT=${dynamoDbPort}`]),
  ];
  return [...env, 'npm run demo'].join(' ');
}

/**
 * The banner: where everything is, and commands that work pasted into a fresh shell. The aws CLI line
 * carries a region (v1 reads only AWS_DEFAULT_REGION) and dummy credentials, because a machine without
 * `aws configure` has neither; with dummy credentials a forgotten --endpoint-url is refused by AWS
 * instead of writing to a real account.
 */
function banner(runtime: LocalRuntime, crmSourcesOrigin: string): string {
  const keyNote = runtime.apiKeyFromEnv
    ? '(from WEBHOOKS_API_KEY)'
    : '(generated for this run; set WEBHOOKS_API_KEY to keep one across restarts)';
  const dynamoDbPort = new URL(runtime.dynamoDbEndpoint).port;
  const table = runtime.crmTables[0];
  return [
    '',
    'CRM webhooks are running locally.',
    '',
    `  API            ${runtime.apiUrl}   (OpenAPI: ${runtime.apiUrl}/openapi.json)`,
    `  Console        ${runtime.consoleUrl}   (sign in with the API key below)`,
    `  API key        ${runtime.apiKey}   ${keyNote}, workspace "${LOCAL_WORKSPACE_ID}"`,
    `  DynamoDB       ${runtime.dynamoDbEndpoint}   CRM tables: ${runtime.crmTables.join(', ')} (DynamoDB Local, Java pid ${runtime.dynamoDbPid})`,
    `  CRM config     ${crmSourcesOrigin}`,
    `  SQS            ${runtime.sqsEndpoint}`,
    '',
    'In another terminal, set the variables the docs use:',
    `  export API=${runtime.apiUrl} KEY=${runtime.apiKey}`,
    'Create a webhook (any loopback or http:// URL works locally):',
    `  curl -s -X POST $API/webhooks -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" \\`,
    `    -d '{"targetUrl":"http://127.0.0.1:4000/hook","operations":["person.*"]}'`,
    'Then write a record, with the helper:',
    `  ${dynamoDbPort === '8000' ? '' : `DYNAMODB_PORT=${dynamoDbPort} `}npm run put-record -- ${table} '{"id":"p1","firstName":"Ada"}'`,
    'or with the AWS CLI (dummy credentials and region; without --endpoint-url it would go to real AWS):',
    `  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=us-east-1 \\`,
    `    aws dynamodb put-item --endpoint-url ${runtime.dynamoDbEndpoint} --table-name ${table} \\`,
    `    --item '{"id":{"S":"p1"},"firstName":{"S":"Ada"}}'`,
    `Or run the guided demo in another terminal: ${demoCommand(runtime)}`,
    '',
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}

/**
 * Every setting, the runtime's and the functions' (which they would otherwise read only once the
 * emulators run), checked before anything starts: one line per problem, all of them at once.
 */
function readAllSettings(env: NodeJS.ProcessEnv): LocalSettings {
  let settings: LocalSettings | undefined;
  const problems: string[] = [];
  try {
    settings = readLocalSettings(env);
  } catch (error) {
    if (!(error instanceof LocalSettingsError)) throw error;
    problems.push(...error.problems);
  }
  // With the runtime's own settings wrong, the functions' are still checked, against the defaults.
  problems.push(...functionSettingsProblems(settings ?? readLocalSettings({}), env));
  if (settings === undefined || problems.length > 0) throw new LocalSettingsError(problems);
  return settings;
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const settings = readAllSettings(process.env);
  assertJavaAvailable();
  const runtime = await startLocalRuntime(settings, importProductHandlers, {
    onPollError: (error) =>
      console.error(`[poller] ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`),
  });
  console.log(banner(runtime, settings.crmSourcesOrigin));
  console.log(`Ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s.`);

  const status = startStatusLine(async () => {
    await runtime.refreshCounters();
    return runtime.counters.snapshot();
  });

  let stopping = false;
  let firstSignalAt = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      // `kill -INT -- -<pgid>` (and Ctrl+C, which signals the terminal's whole foreground process group)
      // reaches this process directly and again through any wrapper in the group that relays what it
      // received (the tsx CLI does), within milliseconds. That is one request to stop, not an impatient
      // user asking to skip the graceful stop.
      if (Date.now() - firstSignalAt < DUPLICATE_SIGNAL_WINDOW_MS) return;
      console.error(`\n${signal} again: exiting now.`);
      process.exit(130);
    }
    stopping = true;
    firstSignalAt = Date.now();
    status.stop();
    console.log(`${signal}: stopping (finishing in-flight work)...`);
    const forced = setTimeout(() => {
      console.error('Shutdown took too long; exiting.');
      process.exit(1);
    }, 20_000);
    forced.unref();
    runtime.stop().then(
      () => {
        console.log('Stopped.');
        process.exit(0);
      },
      (error) => {
        console.error('Error while stopping:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  // A closed terminal must not leave the emulators running either.
  process.on('SIGHUP', shutdown);
  // A crash must not leave DynamoDB Local's Java process behind.
  process.on('exit', () => {
    if (!stopping && runtime.dynamoDbPid > 0) {
      try {
        process.kill(runtime.dynamoDbPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

main().catch((error: unknown) => {
  if (isUserFixable(error)) {
    console.error(`\n${error.message}\n`);
  } else {
    console.error('\nThe local runtime failed to start:', error);
  }
  process.exit(1);
});
