/**
 * Benchmark: a healthy webhook's write → receipt latency with and without another workspace's hanging
 * endpoints.
 */

import { type AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { importProductHandlers, LOCAL_TABLE_NAMES, startLocalRuntime } from '../../infra/local/localRuntime';
import { readLocalSettings } from '../../infra/local/localSettings';
import { ApiKeyStore } from '../../shared/adapters/dynamodb/apiKeyStore';
import { tagAsBenchTraffic } from '../lib/awsRequestCounter';
import { startHangingEndpoints } from '../lib/hangingEndpoints';
import { itemTemplates, writeAtRate } from '../lib/loadGenerator';
import { pairedFigure, quantile } from '../lib/stats';
import type { Benchmark, BenchOptions, Figure } from '../lib/types';
import { VerifyingReceiver } from '../lib/verifyingReceiver';

const CRM_TABLE = 'person';
const HANGING_WORKSPACE = 'ws-hanging';
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const P95_RATIO_TARGET = 1.5;

interface PhaseLatencies {
  /** p50/p95/p99 of each third of the phase (by write time): the samples of the figures. */
  thirds: { p50: number; p95: number; p99: number }[];
  expected: number;
  delivered: number;
  /** Deliveries still missing at the deadline are counted at the deadline (a lower bound on their latency). */
  censored: number;
}

function sizes(options: BenchOptions) {
  return options.smoke
    ? { hangingWebhooks: 5, hangingRecords: 4, healthyRate: 10, seconds: 3, waitMs: 15_000 }
    : { hangingWebhooks: 30, hangingRecords: 8, healthyRate: 20, seconds: 15, waitMs: 60_000 };
}

/**
 * Issue 13's `isolation` figure on the local stack: a healthy webhook's CRM write → receipt latency
 * with and without another workspace's endpoints that accept and never answer (with jobs pending to
 * each of them), as a ratio.
 */
export const isolation: Benchmark = {
  name: 'isolation',
  description:
    'local stack: healthy webhook write→receipt p50/p95/p99 with and without another workspace’s hanging endpoints',
  fastInSmoke: false,
  async run({ options, progress }) {
    const size = sizes(options);
    const receiver = new VerifyingReceiver();
    const receiverUrl = await receiver.start();
    const hanging = await startHangingEndpoints(size.hangingWebhooks);
    progress.stage('isolation: starting the local runtime');
    // The hanging endpoints open breakers by design; their WARN lines would bury the figures.
    process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
    const runtime = await startLocalRuntime(
      readLocalSettings({
        PORT: '0',
        DYNAMODB_PORT: '0',
        SQS_PORT: '0',
        SECRETS_MANAGER_PORT: '0',
        AWS_REGION: 'us-east-1',
      }),
      importProductHandlers,
    );
    const client = new DynamoDBClient({
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
      endpoint: runtime.dynamoDbEndpoint,
      maxAttempts: 1,
    });
    tagAsBenchTraffic(client);
    try {
      const createWebhook = async (apiKey: string, targetUrl: string) => {
        const response = await fetch(`${runtime.apiUrl}/webhooks`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ targetUrl, operations: ['person.*'], description: 'isolation benchmark' }),
        });
        if (response.status !== 201)
          throw new Error(`creating a webhook answered ${response.status}: ${await response.text()}`);
        return (await response.json()) as { secret: string };
      };
      const healthy = await createWebhook(runtime.apiKey, `${receiverUrl}/hook/0`);
      receiver.setSecret(0, healthy.secret);
      const hangingKey = (
        await new ApiKeyStore(client, LOCAL_TABLE_NAMES.apiKeys).create(HANGING_WORKSPACE, {
          name: 'hanging',
        })
      ).key;
      for (const url of hanging.urls) await createWebhook(hangingKey, url);
      // The local runtime reads webhooks through short caches: let them see the new ones.
      await new Promise((resolve) => setTimeout(resolve, 2_000));

      const templates = itemTemplates(50);
      const healthyPhase = async (label: string, idPrefix: string): Promise<PhaseLatencies> => {
        progress.stage(`isolation: ${label}: ${size.healthyRate} healthy writes/s for ${size.seconds} s`);
        const writeTimes = new Map<string, number>();
        const first = receiver.receipts.length;
        const write = await writeAtRate({
          client,
          table: CRM_TABLE,
          rate: size.healthyRate,
          seconds: size.seconds,
          concurrency: 16,
          idPrefix,
          templates,
          onWrite: (id, at) => writeTimes.set(id, at),
        });
        const deadline = performance.now() + size.waitMs;
        const mine = () => receiver.receipts.slice(first).filter((r) => writeTimes.has(r.recordId));
        while (mine().length < write.written && performance.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const arrived = new Map(mine().map((r) => [r.recordId, r.receivedAt]));
        const end = performance.now();
        const firstWrite = Math.min(...writeTimes.values());
        const thirdMs = (size.seconds * 1000) / 3;
        const buckets: number[][] = [[], [], []];
        for (const [id, at] of writeTimes) {
          const latency = (arrived.get(id) ?? end) - at;
          buckets[Math.min(2, Math.floor((at - firstWrite) / thirdMs))]?.push(latency);
        }
        const result = {
          thirds: buckets.map((b) => ({
            p50: quantile(b, 0.5),
            p95: quantile(b, 0.95),
            p99: quantile(b, 0.99),
          })),
          expected: writeTimes.size,
          delivered: arrived.size,
          censored: writeTimes.size - arrived.size,
        };
        progress.stage(
          `isolation: ${label}: ${result.delivered}/${result.expected} delivered, p95 per third ${result.thirds.map((t) => t.p95.toFixed(0)).join(' / ')} ms`,
        );
        return result;
      };

      const alone = await healthyPhase('without hanging endpoints', 'alone');
      progress.stage(
        `isolation: ${size.hangingRecords} records to ${size.hangingWebhooks} hanging endpoints in ${HANGING_WORKSPACE} (${size.hangingRecords * size.hangingWebhooks} deliveries pending)`,
      );
      const hangingTemplates = templates.map(
        (t): Record<string, AttributeValue> => ({ ...t, workspaceId: { S: HANGING_WORKSPACE } }),
      );
      await writeAtRate({
        client,
        table: CRM_TABLE,
        rate: Number.POSITIVE_INFINITY,
        seconds: 0.001,
        concurrency: size.hangingRecords,
        idPrefix: 'hanging',
        templates: hangingTemplates,
      });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const withHanging = await healthyPhase('with hanging endpoints', 'beside-hanging');

      const figures: Figure[] = (['p50', 'p95', 'p99'] as const).map((p) =>
        pairedFigure({
          id: `isolation.healthy.${p}`,
          benchmark: 'isolation',
          title: `healthy webhook write→receipt ${p} beside ${size.hangingWebhooks} hanging endpoints`,
          unit: 'ms',
          higherIsBetter: false,
          values: withHanging.thirds.map((t) => t[p]),
          baseline: {
            title: 'the same webhook and rate, no hanging endpoints',
            values: alone.thirds.map((t) => t[p]),
          },
          ...(p === 'p95'
            ? { target: { on: 'ratio' as const, comparison: '<=' as const, threshold: P95_RATIO_TARGET } }
            : {}),
          notes: `${withHanging.delivered}/${withHanging.expected} delivered within ${size.waitMs / 1000} s of the last write (missing ones counted at that deadline); ${size.hangingRecords * size.hangingWebhooks} deliveries pending to the hanging endpoints; thirds of the ${size.seconds} s phase`,
        }),
      );
      return {
        figures,
        details: { size, alone, withHanging },
        highlights: [
          `isolation: healthy p95 ${alone.thirds.map((t) => t.p95.toFixed(0)).join('/')} ms alone → ${withHanging.thirds.map((t) => t.p95.toFixed(0)).join('/')} ms beside hanging endpoints; ${withHanging.delivered}/${withHanging.expected} delivered`,
        ],
      };
    } finally {
      client.destroy();
      await runtime.stop();
      await hanging.stop();
      await receiver.stop();
    }
  },
};
