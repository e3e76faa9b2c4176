/**
 * Benchmark: the delivery handler, SQS batches to signed POSTs at a local 204 receiver, against bare undici
 * POSTs.
 */

import { randomBytes } from 'node:crypto';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { Agent, request } from 'undici';
import type { DeliveryConfig } from '../../functions/delivery/config';
import { startSecretsManagerLocal } from '../../infra/local/emulators/secretsManagerLocal';
import { createLambdaContext } from '../../infra/local/lambdaContext';
import { USER_AGENT } from '../../shared/adapters/http/userAgent';
import type { WebhookHttpClient } from '../../shared/adapters/http/webhookHttpClient';
import { CredentialKeyring } from '../../shared/adapters/secrets/credentialKeyring';
import { DEFAULT_SECRET_CACHE_BYTES } from '../../shared/adapters/secrets/secretValueCache';
import { defaultCrmSourcesConfig } from '../../shared/config/crmSourcesConfig';
import { sealCredential } from '../../shared/domain/credentials/sealedCredential';
import { signingSecretContext } from '../../shared/domain/credentials/signingSecretContext';
import type { DeliveryAttempt } from '../../shared/domain/delivery/deliveryAttempt';
import { encodeDeliveryJobs } from '../../shared/domain/delivery/deliveryJob';
import { mapStreamRecord } from '../../shared/domain/events/mapStreamRecord';
import { DEFAULT_BREAKER_POLICY } from '../../shared/domain/health/endpointHealth';
import { DEFAULT_RETRY_POLICY } from '../../shared/domain/retry';
import { generateWebhookSecret } from '../../shared/domain/signing';
import type { Webhook } from '../../shared/domain/webhooks/webhook';
import { streamRecordMix } from '../fixtures/crmRecords';
import { deliveryJobRecord } from '../fixtures/sqsRecords';
import { matchingWebhooks } from '../fixtures/webhooks';
import { loadDeliveryBundle } from '../lib/deliveryBundle';
import { startNoContentReceiver } from '../lib/noContentReceiver';
import { quietObservability } from '../lib/quietObservability';
import { measureRates, pairedFigure, quantile, type Rates, repeatFor } from '../lib/stats';
import type { Benchmark } from '../lib/types';

const WEBHOOKS = 10;
/** Lambda's SQS batch size in the CDK stack; every job of a batch is delivered concurrently. */
const BATCH_SIZE = 10;

/** Real delivery jobs: person records mapped and fanned out exactly as the event mapper does. */
function deliveryJobBodies(events: number, webhookIds: readonly string[]) {
  const records = streamRecordMix({
    count: events,
    tableName: 'person',
    minItemBytes: 1024,
    maxItemBytes: 4096,
  });
  const table = defaultCrmSourcesConfig.crmTables[0] as (typeof defaultCrmSourcesConfig.crmTables)[number];
  return records.flatMap((record) => {
    const mapped = mapStreamRecord(record, table, defaultCrmSourcesConfig);
    if (mapped.kind !== 'event') return [];
    return encodeDeliveryJobs(mapped.event, webhookIds);
  });
}

/** Figure 2: signed POSTs/s through the real delivery handler vs a bare undici POST loop. */
export const deliveryPath: Benchmark = {
  name: 'delivery',
  description: 'delivery handler: SQS batches → signed POSTs to a local 204 receiver, vs bare undici POSTs',
  fastInSmoke: true,
  async run({ options, progress }) {
    progress.stage('delivery: bundling the delivery code as the stack deploys it (esbuild, minified)');
    const {
      buildDeliveryHandler,
      createWebhookHttpClient,
      CredentialKeyring: BundledCredentialKeyring,
      EnvelopeSigningSecrets,
      decodeDeliveryJob,
      InProcessDeliveryLimiter,
      serializePayload,
      buildSignatureHeaders,
      Logger,
      Metrics,
    } = await loadDeliveryBundle();
    const lanes = Math.max(1, Math.round(options.concurrency / BATCH_SIZE));
    const concurrency = lanes * BATCH_SIZE;
    const receiver = await startNoContentReceiver();
    const secretsManager = await startSecretsManagerLocal();
    const secretsClient = new SecretsManagerClient({ endpoint: secretsManager.endpoint });
    const httpClients: WebhookHttpClient[] = [];
    const laneHttpClient = () => {
      const client = createWebhookHttpClient({ policy: { allowLoopback: true }, connectTimeoutMs: 10_000 });
      httpClients.push(client);
      return client;
    };
    const bareAgent = new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 60_000 });
    try {
      progress.stage(
        `delivery: receiver at ${receiver.url}; ${WEBHOOKS} webhooks with secrets sealed under a key in local Secrets Manager (envelope mode, the default)`,
      );
      const keySecret = await secretsClient.send(
        new CreateSecretCommand({
          Name: 'crm-webhooks/signing-key',
          SecretString: randomBytes(48).toString('base64url'),
        }),
      );
      const keyring = new CredentialKeyring(secretsClient, keySecret.ARN as string);
      const { version: keyVersion, key } = await keyring.current();
      const webhooks: Webhook[] = [];
      const secretOf = new Map<string, string>();
      for (const webhook of matchingWebhooks(WEBHOOKS, () => receiver.url)) {
        const secret = generateWebhookSecret();
        const sealedSecret = sealCredential({
          plaintext: secret,
          key,
          keyVersion,
          context: signingSecretContext(webhook.workspaceId, webhook.id),
        });
        webhooks.push({ ...webhook, sealedSecret });
        secretOf.set(webhook.id, secret);
      }
      const byId = new Map(webhooks.map((w) => [w.id, w]));
      const jobs = deliveryJobBodies(
        options.smoke ? 50 : 300,
        webhooks.map((w) => w.id),
      );
      // The baseline sends the very requests a delivery sends (same body bytes, same headers with
      // signatures of the same length), computed beforehand: the ratio is then the cost of the
      // handler's own work (decode, sign, outcome, log), not of a bigger request.
      const signedAt = new Date();
      const bareRequests = jobs.map((job) => {
        const decoded = decodeDeliveryJob(job.body);
        if (!decoded.ok) throw new Error(decoded.error);
        const body = Buffer.from(serializePayload(decoded.job, byId.get(job.webhookId) as Webhook));
        const signatureHeaders = buildSignatureHeaders({
          secrets: [secretOf.get(job.webhookId) as string],
          deliveryId: decoded.job.deliveryId,
          body,
          now: signedAt,
        });
        return {
          body,
          headers: { ...signatureHeaders, 'content-type': 'application/json', 'user-agent': USER_AGENT },
        };
      });

      const outcomes = new Map<string, number>();
      const writes = { recordFailure: 0, recordSuccess: 0, disable: 0, resent: 0, deadLettered: 0 };
      const config: DeliveryConfig = {
        webhooksTable: 'webhooks',
        deliveryLogTable: 'delivery-log',
        deliveriesQueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/deliveries',
        deadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/deliveries-dlq',
        slowLaneQueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/deliveries-slow',
        primaryLaneTimeoutMs: 10_000,
        primaryLaneSlowAfterMs: 10_000,
        breakerPolicy: DEFAULT_BREAKER_POLICY,
        secretNamePrefix: 'crm-webhooks',
        secretStore: 'envelope',
        signingKeySecretId: keySecret.ARN as string,
        signingSecretCacheBytes: DEFAULT_SECRET_CACHE_BYTES,
        webhookCacheTtlSeconds: 5,
        retryPolicy: DEFAULT_RETRY_POLICY,
        requestTimeoutMs: 10_000,
        autoDisableAfterHours: 120,
        deliveryLogTtlDays: 30,
        deliveryLogSuccessSampleRate: 1,
        deliveryConcurrency: BATCH_SIZE,
        localMode: true,
      };
      // One handler per lane, as each concurrent Lambda execution is its own container: its own caches,
      // HTTP pool and Powertools instances (a shared Metrics would be flushed by the other lanes).
      const laneHandler = (http: WebhookHttpClient = laneHttpClient()) =>
        buildDeliveryHandler(config, {
          webhookStore: {
            get: async (_workspaceId, id) => byId.get(id),
            recordFailure: async () => {
              writes.recordFailure++;
              return undefined;
            },
            recordSuccess: async () => {
              writes.recordSuccess++;
            },
            disable: async () => {
              writes.disable++;
              return true;
            },
            openBreaker: async () => {},
            markSlow: async () => {},
            acquireProbeLease: async () => false,
          },
          deliveryLog: {
            recordBatch: async (attempts: readonly DeliveryAttempt[]) => {
              for (const attempt of attempts) {
                outcomes.set(attempt.outcome, (outcomes.get(attempt.outcome) ?? 0) + 1);
              }
              return { unprocessed: [] };
            },
          },
          deadLetters: {
            put: async () => {
              writes.deadLettered++;
            },
          },
          // The fixture's webhooks set no limits: the limiter is never called (as on AWS).
          limiter: new InProcessDeliveryLimiter(),
          jobQueues: {
            send: async (_destination, messages) => {
              writes.resent += messages.length;
              return messages.map((m) => ({ entryId: m.entryId, status: 'sent' as const }));
            },
          },
          // Each lane (container) has its own keyring and cache, as each Lambda container does.
          signingSecrets: new EnvelopeSigningSecrets(
            new BundledCredentialKeyring(secretsClient, keySecret.ARN as string),
          ),
          http,
          ...quietObservability('delivery', { Logger, Metrics }),
          now: () => new Date(),
        });
      const handlers = Array.from({ length: lanes }, () => laneHandler());
      // For the breakdown only (details): the same handler with an HTTP port that answers 204 at once,
      // i.e. the handler's own work without I/O, and the HTTP client alone sending the bare requests.
      const instantAnswer: WebhookHttpClient = {
        post: async () => ({ kind: 'response', status: 204, responseBody: '', durationMs: 0 }),
        close: async () => {},
      };
      const handlersWithoutIo = Array.from({ length: lanes }, () => laneHandler(instantAnswer));
      const soloClient = laneHttpClient();

      let cursor = 0;
      const nextBatch = (): SQSRecord[] =>
        Array.from({ length: BATCH_SIZE }, () => {
          const job = jobs[cursor++ % jobs.length] as (typeof jobs)[number];
          return deliveryJobRecord(job.body, job.webhookId);
        });
      const handlerRun = (seconds: number, laneHandlers = handlers) =>
        measureRates(async () => {
          const deadline = performance.now() + seconds * 1000;
          let sent = 0;
          await Promise.all(
            laneHandlers.map(async (handler) => {
              while (performance.now() < deadline) {
                const response = (await handler(
                  { Records: nextBatch() },
                  createLambdaContext({ functionName: 'delivery', timeoutMs: 60_000 }),
                )) as SQSBatchResponse;
                if (response.batchItemFailures.length > 0) {
                  throw new Error(`delivery benchmark: ${response.batchItemFailures.length} jobs failed`);
                }
                sent += BATCH_SIZE;
              }
            }),
          );
          return sent;
        });
      // `concurrency` workers sending the prepared requests in turn for `seconds`: the bare undici loop
      // and the HTTP client alone differ only in how one request is sent.
      let requestCursor = 0;
      const requestLoop = (
        seconds: number,
        send: (request: (typeof bareRequests)[number]) => Promise<void>,
      ) =>
        measureRates(async () => {
          const deadline = performance.now() + seconds * 1000;
          let sent = 0;
          await Promise.all(
            Array.from({ length: concurrency }, async () => {
              while (performance.now() < deadline) {
                await send(
                  bareRequests[requestCursor++ % bareRequests.length] as (typeof bareRequests)[number],
                );
                sent++;
              }
            }),
          );
          return sent;
        });
      const bareRun = (seconds: number) =>
        requestLoop(seconds, async ({ body, headers }) => {
          const response = await request(receiver.url, {
            method: 'POST',
            dispatcher: bareAgent,
            body,
            headers,
          });
          await response.body.dump();
          if (response.statusCode !== 204) throw new Error(`bare POST answered ${response.statusCode}`);
        });
      // undici's lower-level API, as the webhook HTTP client uses it: no response stream or promise per request.
      const target = new URL(receiver.url);
      const bareDispatchRun = (seconds: number) =>
        requestLoop(
          seconds,
          ({ body, headers }) =>
            new Promise<void>((resolve, reject) => {
              bareAgent.dispatch(
                { origin: target.origin, path: target.pathname, method: 'POST', body, headers },
                {
                  // Its presence marks the handler as undici 7's controller API.
                  onRequestStart: () => {},
                  onResponseStart: (_controller, status) => {
                    if (status !== 204) reject(new Error(`bare dispatch answered ${status}`));
                  },
                  onResponseEnd: () => resolve(),
                  onResponseError: (_controller, error) => reject(error),
                },
              );
            }),
        );
      const clientRun = (seconds: number) =>
        requestLoop(seconds, async ({ body, headers }) => {
          // The client adds content-type and user-agent itself.
          const { 'content-type': _type, 'user-agent': _agent, ...signatureHeaders } = headers;
          const result = await soloClient.post({
            url: receiver.url,
            body,
            headers: signatureHeaders,
            timeoutMs: 10_000,
          });
          if (result.kind !== 'response' || result.status !== 204)
            throw new Error(`HTTP client POST gave ${result.kind}`);
        });

      progress.stage(
        `delivery: warm-up (concurrency ${concurrency}: ${lanes} invocations × ${BATCH_SIZE} jobs)`,
      );
      const warmUp = Math.min(1, options.durationSeconds);
      await bareRun(warmUp);
      await handlerRun(warmUp);
      await clientRun(warmUp);
      await bareDispatchRun(warmUp);
      await handlerRun(warmUp, handlersWithoutIo);

      // The work no delivery can skip, without HTTP: decode the job, build the body, both signatures.
      // Its CPU per job added to a bare POST's bounds the ratio this benchmark can reach on a CPU-bound sender.
      let floorCursor = 0;
      const floorRun = () =>
        repeatFor(Math.min(1, options.durationSeconds), () => {
          for (let i = 0; i < 100; i++) {
            const job = jobs[floorCursor++ % jobs.length] as (typeof jobs)[number];
            const decoded = decodeDeliveryJob(job.body);
            if (!decoded.ok) throw new Error(decoded.error);
            const body = Buffer.from(serializePayload(decoded.job, byId.get(job.webhookId) as Webhook));
            buildSignatureHeaders({
              secrets: [secretOf.get(job.webhookId) as string],
              deliveryId: decoded.job.deliveryId,
              body,
              now: new Date(),
            });
          }
          return 100;
        });

      const handlerRates: Rates[] = [];
      const bareRates: Rates[] = [];
      // Measured in every repetition, next to the POST loops, so each ratio compares like with like.
      const floorRates: Rates[] = [];
      const withoutIoRates: Rates[] = [];
      const clientRates: Rates[] = [];
      const bareDispatchRates: Rates[] = [];
      const breakdownSeconds = Math.min(1, options.durationSeconds);
      for (let rep = 1; rep <= options.repetitions; rep++) {
        progress.stage(`delivery: repetition ${rep}/${options.repetitions}`);
        floorRates.push(await floorRun());
        withoutIoRates.push(await handlerRun(breakdownSeconds, handlersWithoutIo));
        clientRates.push(await clientRun(breakdownSeconds));
        bareDispatchRates.push(await bareDispatchRun(breakdownSeconds));
        if (rep % 2 === 1) {
          bareRates.push(await bareRun(options.durationSeconds));
          handlerRates.push(await handlerRun(options.durationSeconds));
        } else {
          handlerRates.push(await handlerRun(options.durationSeconds));
          bareRates.push(await bareRun(options.durationSeconds));
        }
      }
      const delivered = outcomes.get('delivered') ?? 0;
      const received = await receiver.counts();
      if (delivered === 0 || [...outcomes.keys()].some((o) => o !== 'delivered')) {
        throw new Error(
          `delivery benchmark: unexpected outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`,
        );
      }
      const floor = {
        cpuMicrosPerOp: quantile(
          floorRates.map((r) => r.cpuMicrosPerOp),
          0.5,
        ),
      };
      const averageBody = Math.round(
        bareRequests.reduce((n, r) => n + r.body.length, 0) / bareRequests.length,
      );
      const cpuMicros = (rates: Rates[]) =>
        Math.round(
          quantile(
            rates.map((r) => r.cpuMicrosPerOp),
            0.5,
          ),
        );
      return {
        highlights: [
          `Delivery CPU per POST in the sending process: ${cpuMicros(handlerRates)} µs through the handler, ${cpuMicros(bareRates)} µs bare undici.`,
          `Decode + payload + both signatures alone: ${floor.cpuMicrosPerOp.toFixed(1)} µs per job, so a CPU-bound sender can reach at most ${(cpuMicros(bareRates) / (cpuMicros(bareRates) + floor.cpuMicrosPerOp)).toFixed(2)}× the bare loop even if everything else were free.`,
          `Breakdown: the handler without I/O (its HTTP port answers at once) ${cpuMicros(withoutIoRates)} µs per job; the HTTP client alone ${cpuMicros(clientRates)} µs per POST; a bare undici dispatch (the API the client uses, cheaper than request) ${cpuMicros(bareDispatchRates)} µs per POST.`,
        ],
        figures: [
          pairedFigure({
            id: 'delivery.postsPerSecond',
            benchmark: 'delivery',
            title: `Delivery: signed POSTs through the handler (concurrency ${concurrency})`,
            unit: 'POST/s',
            higherIsBetter: true,
            values: handlerRates.map((r) => r.wall),
            baseline: {
              title: `bare undici POST loop sending the same requests (body and headers computed beforehand), concurrency ${concurrency}, same receiver`,
              values: bareRates.map((r) => r.wall),
            },
            target: { on: 'ratio', comparison: '>=', threshold: 0.85 },
            notes:
              'Real buildDeliveryHandler, bundled as the stack deploys it (esbuild, minified) (decode, webhook cache, envelope-mode signing secrets (key from the local Secrets Manager, opened secrets cached), signing, SSRF-guarded undici client with loopback allowed, outcome handling) with in-memory webhook table, attempt log, dead-letter index and re-send queues; one handler instance per concurrent invocation (like Lambda containers); receiver in its own process.',
          }),
          pairedFigure({
            id: 'delivery.cpuMicrosPerPost',
            benchmark: 'delivery',
            title: 'Delivery: CPU per signed POST through the handler',
            unit: 'µs',
            higherIsBetter: false,
            values: handlerRates.map((r) => r.cpuMicrosPerOp),
            baseline: {
              title:
                'the floor: a bare undici POST of the same request (same repetition) + decode, payload and both signatures alone',
              values: bareRates.map((r, i) => r.cpuMicrosPerOp + (floorRates[i] as Rates).cpuMicrosPerOp),
            },
            target: { on: 'ratio', comparison: '<=', threshold: 1.25 },
            notes: `CPU time of this process per POST (less sensitive to other load than POST/s). Decode + payload + signatures alone: ${floor.cpuMicrosPerOp.toFixed(1)} µs per job. The floor's POST is undici's \`request\`; the handler's client uses the cheaper \`dispatch\`, whose bare figure is in the breakdown (details.cpuMicrosBreakdown.bareUndiciDispatch).`,
          }),
        ],
        details: {
          concurrency,
          invocationLanes: lanes,
          batchSize: BATCH_SIZE,
          webhooks: WEBHOOKS,
          distinctJobs: jobs.length,
          averageBodyBytes: averageBody,
          // CPU time of this process per POST: less sensitive to other load on the machine than POST/s.
          /** decode + payload + signatures, no HTTP: the part of the handler's work no delivery can skip. */
          unavoidableCpuMicrosPerJob: floor.cpuMicrosPerOp,
          cpuMicrosPerPost: {
            handler: handlerRates.map((r) => Math.round(r.cpuMicrosPerOp)),
            bareUndici: bareRates.map((r) => Math.round(r.cpuMicrosPerOp)),
          },
          /**
           * Where the handler's CPU goes, per repetition (loops of at most 1 s): the same handler
           * with an HTTP port that answers 204 at once (decode, signing and the handler's own work, no
           * I/O), and the webhook HTTP client alone sending the bare loop's requests. The handler costs
           * more than the two added up: the rest is the interleaving of both (mostly garbage collection).
           */
          cpuMicrosBreakdown: {
            handlerWithoutIo: withoutIoRates.map((r) => Math.round(r.cpuMicrosPerOp)),
            httpClientAlone: clientRates.map((r) => Math.round(r.cpuMicrosPerOp)),
            /** The same requests through undici's `dispatch` with an empty handler, the client's own API. */
            bareUndiciDispatch: bareDispatchRates.map((r) => Math.round(r.cpuMicrosPerOp)),
          },
          attemptsLogged: Object.fromEntries(outcomes),
          receiver: received,
          webhookTableWrites: writes,
          secretsManagerRequests: { ...secretsManager.requestCounts },
        },
      };
    } finally {
      await Promise.all(httpClients.map((client) => client.close()));
      await bareAgent.close();
      secretsClient.destroy();
      await secretsManager.stop();
      await receiver.stop();
    }
  },
};
