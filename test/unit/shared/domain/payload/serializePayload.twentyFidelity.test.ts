import { NumberValueImpl as NumberValue } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CrmSourcesConfig, parseCrmSourcesConfig } from '../../../../../shared/config/crmSourcesConfig';
import { decodeDeliveryJob, encodeDeliveryJobs } from '../../../../../shared/domain/delivery/deliveryJob';
import { mapStreamRecord } from '../../../../../shared/domain/events/mapStreamRecord';
import { objectMetadataIdFor } from '../../../../../shared/domain/payload/objectMetadataId';
import { serializeTwentyPayload } from '../../../../../shared/domain/payload/serializePayload';
import { buildSignatureHeaders, generateWebhookSecret } from '../../../../../shared/domain/signing';
import { seededRandom } from '../../../../helpers/seededRandom';
import { insertRecord, modifyRecord, removeRecord } from '../../../../helpers/streamRecordFactories';
import {
  type TwentyAction,
  type TwentyRecord,
  twentyCallWebhookJobData,
  twentyDocumentedReceiverAccepts,
  twentyOrmEvent,
  twentyRequest,
} from '../../../../helpers/twentySenderOracle';

/**
 * Golden tests: for each kind of change, our `twenty`-format body is byte for byte the body Twenty's
 * sender (re-typed in test/helpers/twentySenderOracle.ts) builds for the same record, key order included,
 * and Twenty's signature over it equals ours.
 */

const WEBHOOK = { id: 'wh_golden', targetUrl: 'https://receiver.example.com/twenty', secret: 'whsec_golden' };
const PERSON_METADATA_ID = '20202020-e674-48e5-a542-72570eee7213';
const CHANGED_AT_SECONDS = 1_764_248_400; // the factories' ApproximateCreationDateTime
const EVENT_DATE = new Date(CHANGED_AT_SECONDS * 1000);

const withActors = parseCrmSourcesConfig({
  crmTables: [
    { tableName: 'person', object: 'person' },
    { tableName: 'company', object: 'company', softDeleteAttribute: null },
  ],
  userIdAttribute: 'updatedById',
  workspaceMemberIdAttribute: 'updatedByMemberId',
  objects: { person: { objectMetadataId: PERSON_METADATA_ID } },
  // Generated records carry no workspace: they belong to the default one.
  defaultWorkspaceId: 'default',
});

/** Our pipeline for one stream record: map, encode the job for a twenty-format webhook, decode, serialise. */
function ourBody(record: Parameters<typeof mapStreamRecord>[0], config: CrmSourcesConfig): string {
  const table = config.crmTables.find((t) => record.eventSourceARN?.includes(`:table/${t.tableName}/`));
  const result = mapStreamRecord(record, table ?? config.crmTables[0]!, config);
  if (result.kind !== 'event') throw new Error(`no event: ${JSON.stringify(result)}`);
  const [encoded] = encodeDeliveryJobs(result.event, [WEBHOOK.id], ['twenty']);
  const decoded = decodeDeliveryJob(encoded!.body);
  if (!decoded.ok) throw new Error(decoded.error);
  return serializeTwentyPayload(decoded.job, WEBHOOK.targetUrl);
}

function oracleBody(input: {
  eventName: string;
  action: TwentyAction;
  before?: TwentyRecord;
  after?: TwentyRecord;
  objectMetadataId: string;
  workspaceId: string;
  declaredDeleteShape?: boolean;
}): string {
  const record = input.after ?? input.before ?? {};
  const event = twentyOrmEvent({
    action: input.action,
    before: input.before,
    after: input.after,
    userId: record.updatedById,
    workspaceMemberId: record.updatedByMemberId,
    declaredDeleteShape: input.declaredDeleteShape,
  });
  if (event === undefined) throw new Error('Twenty emits no event for this change');
  const data = twentyCallWebhookJobData({
    webhook: WEBHOOK,
    eventName: input.eventName,
    objectMetadata: { id: input.objectMetadataId, nameSingular: input.eventName.split('.')[0] as string },
    workspaceId: input.workspaceId,
    eventDate: EVENT_DATE,
    event,
  });
  return twentyRequest(data, 1_700_000_000_000).body;
}

const live = {
  id: 'p-1',
  workspaceId: 'ws-golden',
  name: { firstName: 'Alice', lastName: 'Smith' },
  city: 'Paris',
  deletedAt: null,
  emails: ['alice@example.com'],
  score: 42.5,
  updatedById: 'u-1',
  updatedByMemberId: 'm-1',
};

describe('twenty format: golden bodies against the Twenty sender oracle', () => {
  it('created', () => {
    expect(ourBody(insertRecord(live), withActors)).toBe(
      oracleBody({
        eventName: 'person.created',
        action: 'created',
        after: live,
        objectMetadataId: PERSON_METADATA_ID,
        workspaceId: 'ws-golden',
      }),
    );
  });

  it('updated (with updatedFields)', () => {
    const after = { ...live, city: 'Lyon', score: 43, updatedById: 'u-2' };
    expect(ourBody(modifyRecord(live, after), withActors)).toBe(
      oracleBody({
        eventName: 'person.updated',
        action: 'updated',
        before: live,
        after,
        objectMetadataId: PERSON_METADATA_ID,
        workspaceId: 'ws-golden',
      }),
    );
  });

  it('soft delete: the trashed record, with deletedAt, and updatedFields', () => {
    const trashed = { ...live, deletedAt: '2025-11-27T13:00:00.000Z' };
    const body = ourBody(modifyRecord(live, trashed), withActors);
    expect(body).toBe(
      oracleBody({
        eventName: 'person.deleted',
        action: 'deleted',
        before: live,
        after: trashed,
        objectMetadataId: PERSON_METADATA_ID,
        workspaceId: 'ws-golden',
      }),
    );
    expect(JSON.parse(body)).toMatchObject({
      record: { deletedAt: '2025-11-27T13:00:00.000Z' },
      updatedFields: ['deletedAt'],
    });
  });

  it('restore', () => {
    const trashed = { ...live, deletedAt: '2025-11-27T13:00:00.000Z' };
    expect(ourBody(modifyRecord(trashed, live), withActors)).toBe(
      oracleBody({
        eventName: 'person.restored',
        action: 'restored',
        before: trashed,
        after: live,
        objectMetadataId: PERSON_METADATA_ID,
        workspaceId: 'ws-golden',
      }),
    );
  });

  it('destroy of a trashed record', () => {
    const trashed = { ...live, deletedAt: '2025-11-27T13:00:00.000Z' };
    expect(ourBody(removeRecord(trashed), withActors)).toBe(
      oracleBody({
        eventName: 'person.destroyed',
        action: 'destroyed',
        before: trashed,
        objectMetadataId: PERSON_METADATA_ID,
        workspaceId: 'ws-golden',
      }),
    );
  });

  it('hard delete of a live record with a soft-delete attribute: destroyed, as in Twenty', () => {
    expect(ourBody(removeRecord(live), withActors)).toBe(
      oracleBody({
        eventName: 'person.destroyed',
        action: 'destroyed',
        before: live,
        objectMetadataId: PERSON_METADATA_ID,
        workspaceId: 'ws-golden',
      }),
    );
  });

  it('hard delete without a soft-delete attribute: deleted with the record before it ({ before } shape)', () => {
    const company = { id: 'c-1', workspaceId: 'ws-golden', name: 'Acme', employees: 12 };
    expect(ourBody(removeRecord(company, { tableName: 'company' }), withActors)).toBe(
      oracleBody({
        eventName: 'company.deleted',
        action: 'deleted',
        before: company,
        // No objectMetadataId configured for company: the derived one.
        objectMetadataId: objectMetadataIdFor('ws-golden', 'company'),
        workspaceId: 'ws-golden',
        declaredDeleteShape: true,
      }),
    );
  });

  it('leaves userId and workspaceMemberId out when the record has none, as JSON.stringify drops undefined', () => {
    const { updatedById: _u, updatedByMemberId: _m, ...anonymous } = live;
    const body = ourBody(insertRecord(anonymous), withActors);
    expect(body).toBe(
      oracleBody({
        eventName: 'person.created',
        action: 'created',
        after: anonymous,
        objectMetadataId: PERSON_METADATA_ID,
        workspaceId: 'ws-golden',
      }),
    );
    expect(body).not.toContain('"userId"');
  });

  it('writes numbers as JavaScript does (Twenty reads them into JS numbers)', () => {
    const exact = {
      id: 'p-2',
      workspaceId: 'ws-golden',
      big: new NumberValue('12345678901234567890'),
      tiny: new NumberValue('0.0000001'),
      precise: new NumberValue('0.1000000000000000055511151231257827'),
      '10': 'integer-like keys come first in a JS object',
    };
    const body = ourBody(insertRecord(exact), withActors);
    expect(body).toContain('"big":12345678901234567000,"tiny":1e-7,"precise":0.1');
    expect(body).toBe(
      oracleBody({
        eventName: 'person.created',
        action: 'created',
        after: {
          id: 'p-2',
          workspaceId: 'ws-golden',
          big: Number('12345678901234567890'),
          tiny: 0.0000001,
          precise: 0.1,
          '10': 'integer-like keys come first in a JS object',
        },
        objectMetadataId: PERSON_METADATA_ID,
        workspaceId: 'ws-golden',
      }),
    );
  });
});

describe('twenty format: every body survives JSON.parse + JSON.stringify (property)', () => {
  const decimalText = fc
    .tuple(
      fc.boolean(),
      fc.stringMatching(/^(0|[1-9][0-9]{0,37})$/),
      fc.option(fc.stringMatching(/^[0-9]{1,20}$/), { nil: undefined }),
    )
    .map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`);
  const scalar = fc.oneof(
    fc.string({ unit: 'binary' }),
    decimalText.map((text) => new NumberValue(text)),
    fc.boolean(),
    fc.constant(null),
  );
  const value = fc.oneof(
    scalar,
    fc.array(scalar, { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }), scalar, { maxKeys: 4 }),
  );
  const record = fc.dictionary(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }).filter((k) => !['id', 'deletedAt'].includes(k)),
    value,
    { maxKeys: 8 },
  );
  const change = fc.constantFrom('created', 'updated', 'soft-delete', 'restored', 'destroyed', 'hard-delete');

  it("is idempotent and accepted by Twenty's documented receiver, whatever the record", () => {
    const random = seededRandom(16);
    fc.assert(
      fc.property(record, record, change, fc.string({ minLength: 1 }), (a, b, kind, userId) => {
        const before = { ...a, id: 'p-1', updatedById: userId };
        const after = { ...b, id: 'p-1', changed: 1 };
        const trashed = { ...before, deletedAt: '2025-11-27T13:00:00.000Z' };
        const stream =
          kind === 'created'
            ? insertRecord(before)
            : kind === 'updated'
              ? modifyRecord(before, after)
              : kind === 'soft-delete'
                ? modifyRecord(before, trashed)
                : kind === 'restored'
                  ? modifyRecord(trashed, before)
                  : kind === 'destroyed'
                    ? removeRecord(trashed)
                    : removeRecord(before, { tableName: 'company' });
        const body = ourBody(stream, withActors);
        expect(JSON.stringify(JSON.parse(body))).toBe(body);

        const secret = generateWebhookSecret();
        const headers = buildSignatureHeaders({
          secrets: [secret],
          deliveryId: 'msg_x',
          body: Buffer.from(body),
          now: new Date(1_700_000_000_000 + Math.floor(random() * 1e9)),
        });
        expect(twentyDocumentedReceiverAccepts(secret, body, headers)).toBe(true);
      }),
      { numRuns: 300, seed: 16 },
    );
  });
});
