/** The names the local runtime gives the product tables and the workspace of its API key. */

import type { ProductTableNames } from './tables';

/** The product tables' names in the local runtime (the CRM tables keep the names from the config). */
export const LOCAL_TABLE_NAMES: ProductTableNames = {
  webhooks: 'webhooks',
  apiKeys: 'webhooks-api-keys',
  deliveryLog: 'webhooks-delivery-log',
};

/** The workspace of the local API key. */
export const LOCAL_WORKSPACE_ID = 'default';
