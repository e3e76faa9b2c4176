/**
 * What the delivery benchmark runs, bundled as the stack deploys the delivery function (see
 * `loadDeliveryBundle`): the handler, the adapters it is given, and the work of the floor it is compared with.
 */

export { Logger } from '@aws-lambda-powertools/logger';
export { Metrics } from '@aws-lambda-powertools/metrics';
export { buildDeliveryHandler } from '../../functions/delivery/buildDeliveryHandler';
export { createWebhookHttpClient } from '../../shared/adapters/http/webhookHttpClient';
export { CredentialKeyring } from '../../shared/adapters/secrets/credentialKeyring';
export { EnvelopeSigningSecrets } from '../../shared/adapters/secrets/envelopeSigningSecrets';
export { decodeDeliveryJob } from '../../shared/domain/delivery/deliveryJob';
export { InProcessDeliveryLimiter } from '../../shared/domain/limits/inProcessDeliveryLimiter';
export { serializePayload } from '../../shared/domain/payload/serializePayload';
export { buildSignatureHeaders } from '../../shared/domain/signing';
