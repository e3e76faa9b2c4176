/** Checks the functions' settings before the emulators start, so a typo is one message, not a crash later. */

import { loadDeliveryConfig } from '../../functions/delivery/config';
import { loadEventMapperConfig } from '../../functions/event-mapper/config';
import { loadSubscriptionsApiConfig } from '../../functions/subscriptions-api/config';
import { ConfigurationError } from '../../shared/config/environmentVariables';
import { handlerEnvironment } from './localRuntime';
import type { LocalSettings } from './localSettings';

/** Stand-ins for the endpoints and queue URLs the runtime only knows once the emulators run. */
const PLACEHOLDER_ENDPOINT = 'http://127.0.0.1:1';
const PLACEHOLDER_QUEUES = {
  deliveriesQueueUrl: `${PLACEHOLDER_ENDPOINT}/000000000000/deliveries`,
  slowLaneQueueUrl: `${PLACEHOLDER_ENDPOINT}/000000000000/deliveries-slow`,
  deadLetterQueueUrl: `${PLACEHOLDER_ENDPOINT}/000000000000/deliveries-dlq`,
  mapperFailureQueueUrl: `${PLACEHOLDER_ENDPOINT}/000000000000/mapper-failures`,
};

/**
 * The functions read their own settings (RETRY_DELAYS_SECONDS, REQUEST_TIMEOUT_MS, …) at cold start,
 * which the runtime reaches only after the emulators have started. Reading them here first, from the
 * environment the runtime will give them, turns a typo into one line per problem before anything starts.
 * Returns the problems (`NAME: what is wrong`), each once, however many functions read the variable.
 */
export function functionSettingsProblems(settings: LocalSettings, userEnv: NodeJS.ProcessEnv): string[] {
  const env = {
    ...userEnv,
    ...handlerEnvironment(
      settings,
      { dynamoDb: PLACEHOLDER_ENDPOINT, sqs: PLACEHOLDER_ENDPOINT, secretsManager: PLACEHOLDER_ENDPOINT },
      PLACEHOLDER_QUEUES,
      userEnv,
    ),
  };
  const problems = new Set<string>();
  for (const load of [loadSubscriptionsApiConfig, loadEventMapperConfig, loadDeliveryConfig]) {
    try {
      load(env);
    } catch (error) {
      if (error instanceof ConfigurationError) {
        for (const problem of error.problems) problems.add(problem);
      } else {
        problems.add((error as Error).message);
      }
    }
  }
  return [...problems];
}
