/** Paths the CDK app bundles from: the repository root, the lock file and the Lambda entry files. */

import { join, resolve } from 'node:path';

/** The repository root: bundling, the lock file and the default config path are relative to it. */
export const projectRoot = resolve(import.meta.dirname, '../..');

export const depsLockFilePath = join(projectRoot, 'package-lock.json');

/** Lambda entry files; infra names them for bundling and never imports their code. */
export const handlerEntries = {
  subscriptionsApi: join(projectRoot, 'functions/subscriptions-api/handler.ts'),
  eventMapper: join(projectRoot, 'functions/event-mapper/handler.ts'),
  delivery: join(projectRoot, 'functions/delivery/handler.ts'),
  crmStreamCheck: join(projectRoot, 'functions/crm-stream-check/handler.ts'),
} as const;
