import type { SQSClient } from '@aws-sdk/client-sqs';

/** A request that real SQS would refuse, or that the delivery plane promised never to make. */
export interface SqsRuleViolation {
  command: string;
  rule: string;
}

/**
 * SQS rules fauxqs does not enforce, checked on every request an SQS client sends, so a test fails
 * when the code under test would break them on AWS:
 * - DelaySeconds is 0–900 (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-delay-queues.html);
 * - the delivery plane never parks retries with ChangeMessageVisibility (the 12 h-from-receipt
 *   visibility limit and the ~120,000 in-flight cap,
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html),
 *   so any visibility change is a violation here.
 * The offending request is refused with an error (as SQS would) and recorded in `violations`.
 */
export function guardSqsRules(sqs: SQSClient): { violations: SqsRuleViolation[] } {
  const violations: SqsRuleViolation[] = [];
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String((context as { commandName?: string }).commandName ?? 'unknown');
      const input = args.input as {
        DelaySeconds?: number;
        Entries?: { DelaySeconds?: number }[];
      };
      const found: string[] = [];
      if (command.startsWith('ChangeMessageVisibility'))
        found.push('no ChangeMessageVisibility in the delivery plane');
      const delays = [input.DelaySeconds, ...(input.Entries ?? []).map((entry) => entry.DelaySeconds)];
      for (const delay of delays) {
        if (delay !== undefined && (delay > 900 || delay < 0 || !Number.isInteger(delay))) {
          found.push(`DelaySeconds ${delay} outside 0–900`);
        }
      }
      if (found.length > 0) {
        for (const rule of found) violations.push({ command, rule });
        throw Object.assign(new Error(`SQS rule broken by ${command}: ${found.join('; ')}`), {
          name: 'InvalidParameterValue',
          $fault: 'client',
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'sqsRulesGuard' },
  );
  return { violations };
}
