import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';

export interface WrittenRecord {
  table: string;
  /** The object the table holds: its events are `<object>.created`. */
  object: string;
  id: string;
  /** When the write returned (epoch ms). */
  writtenAt: number;
}

/**
 * Creates `count` CRM records spread round-robin over `tables` (default config: table name = object
 * name), `concurrency` writes at a time; ids are `<idPrefix>-<n>` from `startAt`.
 */
export async function writeCrmRecords(
  dynamo: DynamoDBClient,
  {
    count,
    tables,
    idPrefix,
    concurrency = 16,
    startAt = 0,
  }: { count: number; tables: readonly string[]; idPrefix: string; concurrency?: number; startAt?: number },
): Promise<WrittenRecord[]> {
  const records: WrittenRecord[] = Array.from({ length: count }, (_, i) => {
    const table = tables[(startAt + i) % tables.length] as string;
    return { table, object: table, id: `${idPrefix}-${startAt + i}`, writtenAt: 0 };
  });
  let next = 0;
  const worker = async () => {
    while (next < records.length) {
      const record = records[next++] as WrittenRecord;
      await dynamo.send(
        new PutItemCommand({
          TableName: record.table,
          Item: {
            id: { S: record.id },
            name: { S: `Record ${record.id}` },
            score: { N: String(next) },
          },
        }),
      );
      record.writtenAt = Date.now();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return records;
}
