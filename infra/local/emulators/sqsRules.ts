/**
 * Amazon SQS's documented request rules, as pure checks. The local SQS guard (`sqsRulesGuard.ts`) applies
 * them in front of fauxqs, which enforces some of them loosely or not at all. Each rule names the AWS page
 * it comes from; the error codes and messages are the ones SQS answers with.
 */

/** The rules the guard enforces, as reported in its violation list. */
export type SqsRule =
  | 'message-characters'
  | 'message-size'
  | 'batch-size'
  | 'batch-entries'
  | 'delay-seconds'
  | 'visibility-from-receipt'
  | 'in-flight-quota';

/** What SQS answers: the error code (JSON `__type` suffix, or a batch entry's `Code`) and its message. */
export interface SqsRuleError {
  rule: SqsRule;
  code: string;
  message: string;
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html (MessageBody):
// "#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF". With the `u` flag the class
// works on code points, so emoji and other astral characters pass and lone surrogates do not.
const INVALID_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
// ("Message size": 1,048,576 bytes, message attributes included; a batch's total is capped at the same).
const MAX_MESSAGE_BYTES = 1_048_576;
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
// ("Batched message ID": up to 10 entries per batch request).
const MAX_BATCH_ENTRIES = 10;
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html (DelaySeconds:
// "Valid values: 0 to 900. Maximum: 15 minutes.").
const MAX_DELAY_SECONDS = 900;
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html:
// "The maximum visibility timeout is 12 hours from the time that Amazon SQS receives the ReceiveMessage
// request. Extending the visibility timeout does not reset the 12-hour maximum."
const MAX_VISIBILITY_FROM_RECEIPT_SECONDS = 43_200;
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html
// ("Messages per queue (in flight)": approximately 120,000 for a standard queue).
export const STANDARD_QUEUE_IN_FLIGHT_QUOTA = 120_000;

export interface MessageAttributeValue {
  DataType?: string;
  StringValue?: string;
  BinaryValue?: string;
}

/** The first character SQS does not accept, as `#xNN` (SQS's notation), or undefined. */
export function firstInvalidCharacter(text: string): string | undefined {
  const match = INVALID_CHARACTER.exec(text);
  if (!match) return undefined;
  return `#x${(match[0].codePointAt(0) ?? 0).toString(16).toUpperCase()}`;
}

/**
 * Bytes SQS counts for a message: the UTF-8 body plus each attribute's name, type and value
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html:
 * "the message body plus all attribute names, data types and values count toward the size").
 * A binary value counts its decoded bytes.
 */
function messageSizeBytes(body: string, attributes: Record<string, MessageAttributeValue> = {}): number {
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, attribute] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(attribute.DataType ?? '', 'utf8');
    if (attribute.StringValue !== undefined) size += Buffer.byteLength(attribute.StringValue, 'utf8');
    if (attribute.BinaryValue !== undefined) size += Buffer.from(attribute.BinaryValue, 'base64').length;
  }
  return size;
}

export interface SendEntry {
  MessageBody?: unknown;
  DelaySeconds?: unknown;
  MessageAttributes?: Record<string, MessageAttributeValue>;
}

/** The first rule one message (SendMessage, or one SendMessageBatch entry) breaks, or undefined. */
export function checkMessage(entry: SendEntry): SqsRuleError | undefined {
  const body = typeof entry.MessageBody === 'string' ? entry.MessageBody : '';
  const texts = [
    body,
    ...Object.values(entry.MessageAttributes ?? {}).flatMap((a) =>
      // String attribute values have the body's character restrictions
      // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_MessageAttributeValue.html).
      typeof a.StringValue === 'string' ? [a.StringValue] : [],
    ),
  ];
  for (const text of texts) {
    const invalid = firstInvalidCharacter(text);
    if (invalid !== undefined) {
      return {
        rule: 'message-characters',
        code: 'InvalidMessageContents',
        message: `Invalid binary character '${invalid}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].`,
      };
    }
  }
  if (messageSizeBytes(body, entry.MessageAttributes) > MAX_MESSAGE_BYTES) {
    return {
      rule: 'message-size',
      code: 'InvalidParameterValue',
      message: `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`,
    };
  }
  const delay = entry.DelaySeconds;
  if (
    delay !== undefined &&
    !(Number.isInteger(delay) && (delay as number) >= 0 && (delay as number) <= MAX_DELAY_SECONDS)
  ) {
    return {
      rule: 'delay-seconds',
      code: 'InvalidParameterValue',
      message: `Value ${String(delay)} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= ${MAX_DELAY_SECONDS}.`,
    };
  }
  return undefined;
}

/** A batch request with more than 10 entries (SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibilityBatch). */
export function checkBatchEntryCount(count: number): SqsRuleError | undefined {
  if (count <= MAX_BATCH_ENTRIES) return undefined;
  return {
    rule: 'batch-entries',
    code: 'TooManyEntriesInBatchRequest',
    message: `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${count}.`,
  };
}

/** A SendMessageBatch whose messages together exceed 1 MiB. */
export function checkBatchSize(entries: SendEntry[]): SqsRuleError | undefined {
  const total = entries.reduce(
    (sum, e) =>
      sum + messageSizeBytes(typeof e.MessageBody === 'string' ? e.MessageBody : '', e.MessageAttributes),
    0,
  );
  if (total <= MAX_MESSAGE_BYTES) return undefined;
  return {
    rule: 'batch-size',
    code: 'BatchRequestTooLong',
    message: `Batch requests cannot be longer than ${MAX_MESSAGE_BYTES} bytes. You have sent ${total} bytes.`,
  };
}

/**
 * A ChangeMessageVisibility that would keep the message invisible past 12 hours after its receipt. The new
 * timeout counts from the call, so the limit is on (time since receipt + new timeout).
 */
export function checkVisibilityFromReceipt(
  receivedAtMs: number,
  nowMs: number,
  visibilityTimeoutSeconds: number,
): SqsRuleError | undefined {
  const elapsedSeconds = Math.max(0, (nowMs - receivedAtMs) / 1000);
  if (elapsedSeconds + visibilityTimeoutSeconds <= MAX_VISIBILITY_FROM_RECEIPT_SECONDS) return undefined;
  return {
    rule: 'visibility-from-receipt',
    code: 'InvalidParameterValue',
    message: `Value ${visibilityTimeoutSeconds} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [${MAX_VISIBILITY_FROM_RECEIPT_SECONDS} seconds]`,
  };
}

/** A short-polling receive on a queue at its in-flight quota (a long poll gets an empty answer instead). */
export function inFlightQuotaError(limit: number): SqsRuleError {
  return {
    rule: 'in-flight-quota',
    code: 'OverLimit',
    message: `The maximum number of in flight messages (${limit}) for this queue has been reached.`,
  };
}
