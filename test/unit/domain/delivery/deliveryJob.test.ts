import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDeliveryJob, encodeDeliveryJobs } from '../../../../shared/domain/delivery/deliveryJob';
import { deliveryIdFor } from '../../../../shared/domain/delivery/stableIds';
import type { CrmEvent } from '../../../../shared/domain/events/crmEvent';

const event: CrmEvent = {
  eventId: 'evt_1',
  name: 'person.updated',
  object: 'person',
  action: 'updated',
  workspaceId: 'ws-1',
  recordId: 'p-1',
  timestamp: '2025-02-10T15:30:50.000Z',
  dataJson: '{"id":"p-1","big":12345678901234567890}',
  updatedFields: ['big'],
};

describe('encodeDeliveryJobs / decodeDeliveryJob', () => {
  it('makes one job per webhook that decodes back to the event', () => {
    const jobs = encodeDeliveryJobs(event, ['wh-1', 'wh-2']);
    expect(jobs.map((j) => j.webhookId)).toEqual(['wh-1', 'wh-2']);
    for (const { webhookId, deliveryId, body } of jobs) {
      expect(deliveryId).toBe(deliveryIdFor(webhookId, 'evt_1'));
      expect(decodeDeliveryJob(body)).toEqual({
        ok: true,
        job: {
          v: 1,
          deliveryId,
          webhookId,
          workspaceId: 'ws-1',
          eventId: 'evt_1',
          event: 'person.updated',
          object: 'person',
          action: 'updated',
          recordId: 'p-1',
          timestamp: '2025-02-10T15:30:50.000Z',
          updatedFields: ['big'],
          dataJson: '{"id":"p-1","big":12345678901234567890}',
        },
      });
    }
  });

  it('is deterministic: the same event gives byte-identical bodies', () => {
    expect(encodeDeliveryJobs(event, ['wh-1'])).toEqual(encodeDeliveryJobs({ ...event }, ['wh-1']));
  });

  it('returns nothing for no webhooks and leaves out absent optional fields', () => {
    expect(encodeDeliveryJobs(event, [])).toEqual([]);
    const { updatedFields: _u, ...created } = event;
    const [job] = encodeDeliveryJobs(
      { ...created, recordId: undefined, action: 'created', name: 'person.created' },
      ['w'],
    );
    const parsed = JSON.parse(job!.body);
    expect(parsed).not.toHaveProperty('updatedFields');
    expect(parsed).not.toHaveProperty('recordId');
    expect(decodeDeliveryJob(job!.body).ok).toBe(true);
  });

  it('round-trips any event (property)', () => {
    const str = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 });
    const eventArb = fc.record({
      eventId: str,
      name: str,
      object: str,
      action: fc.constantFrom('created', 'updated', 'deleted', 'restored', 'destroyed', 'test' as const),
      workspaceId: str,
      recordId: fc.option(str, { nil: undefined }),
      timestamp: str,
      dataJson: fc.json(),
      updatedFields: fc.option(fc.array(str, { maxLength: 4 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(eventArb, fc.uniqueArray(str, { minLength: 1, maxLength: 3 }), (e, webhookIds) => {
        const event = { ...e } as CrmEvent;
        if (event.updatedFields === undefined) delete event.updatedFields;
        for (const { body, webhookId, deliveryId } of encodeDeliveryJobs(event, webhookIds)) {
          const decoded = decodeDeliveryJob(body);
          if (!decoded.ok) throw new Error(decoded.error);
          const { job } = decoded;
          expect(job.webhookId).toBe(webhookId);
          expect(job.deliveryId).toBe(deliveryId);
          expect(job.dataJson).toBe(event.dataJson);
          expect(job.event).toBe(event.name);
          expect(job.recordId).toBe(event.recordId);
          expect(job.updatedFields).toEqual(event.updatedFields);
          expect(job.timestamp).toBe(event.timestamp);
        }
      }),
    );
  });

  it('reports bad bodies as error values', () => {
    expect(decodeDeliveryJob('not json')).toEqual({ ok: false, error: 'message body is not JSON' });
    const missing = decodeDeliveryJob('{"v":1}');
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error).toMatch(/^message body is not a delivery job: .*deliveryId/);
    const [job] = encodeDeliveryJobs(event, ['w']);
    const v2 = decodeDeliveryJob(job!.body.replace('"v":1', '"v":2'));
    expect(v2.ok).toBe(false);
  });

  it('accepts a redrive count', () => {
    const [job] = encodeDeliveryJobs(event, ['w']);
    const body = JSON.stringify({ ...JSON.parse(job!.body), redriveCount: 2 });
    const decoded = decodeDeliveryJob(body);
    expect(decoded.ok && decoded.job.redriveCount).toBe(2);
  });
});
