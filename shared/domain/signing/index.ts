export { buildSignatureHeaders, SIGNATURE_HEADERS } from './buildSignatureHeaders';
export { importedSecretError } from './importedSecret';
export { signStandardWebhooks, standardWebhooksSignature } from './signStandardWebhooks';
export { type RawBody, signTwentyV1 } from './signTwentyV1';
export { verifyStandardWebhooksSignature } from './verifyStandardWebhooksSignature';
export { DEFAULT_TOLERANCE_SECONDS, verifyTwentySignature } from './verifyTwentySignature';
export { generateWebhookSecret, SECRET_PREFIX, standardWebhooksKey } from './webhookSecret';
