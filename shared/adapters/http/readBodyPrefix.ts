/**
 * Reads at most `maxBytes` of a response body and abandons the rest: a receiver cannot make the
 * sender buffer megabytes. Leaving the loop early destroys the stream (and that connection).
 * `truncated` says reading stopped at the limit (more bytes may or may not have followed).
 */
export async function readBodyPrefix(
  body: AsyncIterable<Uint8Array>,
  maxBytes: number,
): Promise<{ prefix: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of body) {
    const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    chunks.push(buffer.subarray(0, maxBytes - size));
    size += Math.min(buffer.length, maxBytes - size);
    if (size >= maxBytes) {
      truncated = true;
      break;
    }
  }
  return { prefix: Buffer.concat(chunks), truncated };
}
