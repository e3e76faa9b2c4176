/** Signing and verifying webhook requests: the Twenty and Standard Webhooks schemes and their secrets. */

export { buildSignatureHeaders } from './buildSignatureHeaders';
export { signStandardWebhooks } from './signStandardWebhooks';
export { signTwentyV1 } from './signTwentyV1';
export { verifyStandardWebhooksSignature } from './verifyStandardWebhooksSignature';
export { verifyTwentySignature } from './verifyTwentySignature';
export { generateWebhookSecret, standardWebhooksKey } from './webhookSecret';
