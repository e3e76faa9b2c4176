/** Makes fauxqs accept message bodies with characters above U+FFFF, as SQS does. */

import { firstInvalidCharacter } from './sqsRules';

/**
 * fauxqs 1.9 rejects every message body with a character above U+FFFF (emoji, `𝄞`, `𠜎`) as
 * `InvalidMessageContents`: its character check is a regular expression without the `u` flag, so each
 * UTF-16 surrogate half fails it. Real SQS accepts #x10000 to #x10FFFF
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html), and CRM
 * data holds such characters, so the local stack must too. Fixed upstream (kibertoad/fauxqs#278) only in
 * releases that need Node 22.
 *
 * The patch replaces that one check with SQS's own set, on the module instance fauxqs uses, so bodies are
 * stored, sized and MD5-summed by fauxqs exactly as sent (no re-encoding, no change to the wire format).
 * It checks itself and throws if fauxqs's layout changed, rather than leaving the bug in silently.
 */
let patched: Promise<void> | undefined;

export function patchFauxqsUnicodeCheck(): Promise<void> {
  patched ??= (async () => {
    const entry = import.meta.resolve('fauxqs');
    const module = (await import(new URL('./sqs/sqsTypes.js', entry).href)) as {
      INVALID_MESSAGE_BODY_CHAR?: RegExp;
    };
    const check = module.INVALID_MESSAGE_BODY_CHAR;
    if (!(check instanceof RegExp)) {
      throw new Error('fauxqs layout changed: sqs/sqsTypes.js no longer exports INVALID_MESSAGE_BODY_CHAR');
    }
    Object.defineProperty(check, 'test', {
      value: (text: string) => firstInvalidCharacter(text) !== undefined,
      configurable: true,
    });
    if (check.test('🦊𝄞𠜎') || !check.test('\u0000') || !check.test('\uD83E')) {
      throw new Error('patching fauxqs character check failed');
    }
  })();
  return patched;
}
