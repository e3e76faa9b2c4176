/** Reads and parses request bodies: size limit, base64, media type and JSON. */

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { problems } from './problem';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i;

/**
 * The request body as a string, or undefined when there is none. Enforces the size limit on the
 * decoded bytes and refuses invalid base64 (Buffer.from would silently drop bad characters).
 * Why not @middy/http-json-body-parser: it answers malformed JSON with 415 and does not check base64.
 */
export function readRawBody(event: APIGatewayProxyEventV2, maxBytes: number): string | undefined {
  const body = event.body;
  if (body === undefined || body === null || body === '') return undefined;
  if (typeof body !== 'string') throw problems.badRequest('The request body could not be read.');
  if (event.isBase64Encoded) {
    // Four base64 characters carry three bytes: no need to decode a body that is far too large.
    if (Math.floor((body.length * 3) / 4) - 2 > maxBytes) throw problems.payloadTooLarge(maxBytes);
    if (!BASE64.test(body)) throw problems.badRequest('The request body is not valid base64.');
    const bytes = Buffer.from(body, 'base64');
    if (bytes.length > maxBytes) throw problems.payloadTooLarge(maxBytes);
    return decodeUtf8(bytes);
  }
  // Every UTF-16 code unit takes at least one UTF-8 byte: a string this long is too large without counting.
  if (body.length > maxBytes || Buffer.byteLength(body, 'utf8') > maxBytes) {
    throw problems.payloadTooLarge(maxBytes);
  }
  return body;
}

function decodeUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw problems.badRequest('The request body is not valid UTF-8.');
  }
}

/** Parses a required JSON body: 415 for another media type, 400 when absent or malformed. */
export function parseJsonBody(event: APIGatewayProxyEventV2, maxBytes: number): unknown {
  const raw = readRawBody(event, maxBytes);
  const contentType = event.headers?.['content-type'];
  if (raw === undefined) throw problems.badRequest('This request needs a JSON body.');
  if (contentType === undefined || !JSON_MEDIA_TYPE.test(contentType)) {
    throw problems.unsupportedMediaType('Send the body as JSON with "Content-Type: application/json".');
  }
  try {
    return JSON.parse(raw);
  } catch (error) {
    // JSON.parse messages quote the position, never large parts of the input.
    const reason = error instanceof SyntaxError ? error.message.slice(0, 200) : 'not JSON';
    throw problems.malformedJson(`The request body is not valid JSON: ${reason}`);
  }
}
