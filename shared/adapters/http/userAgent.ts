/** The User-Agent of webhook requests. */

import { version } from '../../../package.json';

/** Sent on every webhook request so receivers can recognise (and allow-list) the sender. */
export const USER_AGENT = `crm-webhooks/${version}`;
