/** The web console's routes: its page and hashed assets. */

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type ConsoleAssets, type ConsoleFile, encodedBody } from '../consoleAssets';
import {
  CONSOLE_CONTENT_SECURITY_POLICY,
  CONSOLE_PERMISSIONS_POLICY,
  IMMUTABLE_CACHE_CONTROL,
  PAGE_CACHE_CONTROL,
} from '../consoleSecurityHeaders';
import { problems } from '../problem';
import type { RouteDefinition, RouteResult } from '../routeDefinition';

const CONSOLE_PATH = '/console';
const CONSOLE_ASSETS_PATH = '/console/assets/{file}';

function fileResponse(
  file: ConsoleFile,
  event: APIGatewayProxyEventV2,
  cacheControl: string,
  extraHeaders: Record<string, string> = {},
): RouteResult {
  const { body, contentEncoding } = encodedBody(file, event.headers?.['accept-encoding']);
  return {
    statusCode: 200,
    headers: {
      'Content-Type': file.contentType,
      'Cache-Control': cacheControl,
      Vary: 'Accept-Encoding',
      ...extraHeaders,
      ...(contentEncoding === undefined ? {} : { 'Content-Encoding': contentEncoding }),
    },
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
}

function notBuilt(): never {
  throw problems.notFound('The web console is not part of this deployment (CONSOLE_ASSETS_DIR is not set).');
}

/**
 * The web console: a static page and its hashed assets, public like /openapi.json (they hold no data).
 * The page signs in with an API key the user pastes and calls the authenticated routes with it.
 */
export function consoleRoutes(assets: ConsoleAssets | undefined): RouteDefinition[] {
  return [
    {
      method: 'GET',
      path: CONSOLE_PATH,
      auth: false,
      async handle(event) {
        if (assets === undefined) notBuilt();
        return fileResponse(assets.indexPage(), event, PAGE_CACHE_CONTROL, {
          'Content-Security-Policy': CONSOLE_CONTENT_SECURITY_POLICY,
          'Permissions-Policy': CONSOLE_PERMISSIONS_POLICY,
        });
      },
    },
    {
      method: 'GET',
      path: CONSOLE_ASSETS_PATH,
      auth: false,
      async handle(event) {
        if (assets === undefined) notBuilt();
        const file = assets.asset(event.pathParameters?.file ?? '');
        if (file === undefined) throw problems.notFound('No console asset has this name.');
        return fileResponse(file, event, IMMUTABLE_CACHE_CONTROL);
      },
    },
  ];
}
