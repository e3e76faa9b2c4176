import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeDeliveryJob,
  encodeDeliveryJob,
  encodeDeliveryJobs,
} from '../../../../../shared/domain/delivery/deliveryJob';
import { deliveryIdFor } from '../../../../../shared/domain/delivery/stableIds';
import type { CrmEvent } from '../../../../../shared/domain/events/crmEvent';

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
      dataJson: fc.object().map((value) => JSON.stringify(value)),
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

  it('carries the record as raw JSON, last, so its numbers are never re-escaped or read', () => {
    const [job] = encodeDeliveryJobs(event, ['wh-1']);
    expect(job!.body).toBe(
      `{"v":1,"deliveryId":"${deliveryIdFor('wh-1', 'evt_1')}","webhookId":"wh-1","workspaceId":"ws-1",` +
        '"eventId":"evt_1","event":"person.updated","object":"person","action":"updated","recordId":"p-1",' +
        '"timestamp":"2025-02-10T15:30:50.000Z","updatedFields":["big"],' +
        '"data":{"id":"p-1","big":12345678901234567890}}',
    );
    // Any JSON parser reads the body; only the decoder keeps the number's digits.
    expect(JSON.parse(job!.body).data.id).toBe('p-1');
  });

  it('finds the record after envelope strings that look like its key', () => {
    const tricky: CrmEvent = {
      ...event,
      recordId: '","data":{"x":1}',
      updatedFields: [',"data":', '\\', '\\"'],
      dataJson: '{"note":",\\"data\\":{}","n":1.50}',
    };
    for (const { body } of encodeDeliveryJobs(tricky, ['w,"data":1'])) {
      const decoded = decodeDeliveryJob(body);
      if (!decoded.ok) throw new Error(decoded.error);
      expect(decoded.job.recordId).toBe(tricky.recordId);
      expect(decoded.job.updatedFields).toEqual(tricky.updatedFields);
      expect(decoded.job.webhookId).toBe('w,"data":1');
      expect(decoded.job.dataJson).toBe(tricky.dataJson);
    }
  });

  it('reports bad bodies as error values', () => {
    const [job] = encodeDeliveryJobs(event, ['w']);
    const body = job!.body;
    const bad = [
      'not json',
      '{"v":1}',
      body.replace('"v":1', '"v":2'),
      body.replace('"deliveryId"', '"delivery"'),
      body.slice(0, -1),
      `${body}}`.replace(',"data":{', ',"data":['),
      body.replace(',"data":{"id":"p-1","big":12345678901234567890}}', ',"data":"text"}'),
      body.replace('{"v":1,', '{"v":1,,'),
      // The previous format (record as an escaped string field) is not read.
      JSON.stringify({ ...JSON.parse(body), data: undefined, dataJson: event.dataJson }),
    ];
    for (const candidate of bad) {
      const decoded = decodeDeliveryJob(candidate);
      expect(decoded.ok, candidate).toBe(false);
      if (!decoded.ok) expect(decoded.error).toMatch(/^message body is not a delivery job: /);
    }
    const missing = decodeDeliveryJob(`{"v":1,"data":{}}`);
    expect(missing.ok).toBe(false);
    const noDeliveryId = decodeDeliveryJob(`{"v":1,"webhookId":"w","data":{}}`);
    expect(!noDeliveryId.ok && noDeliveryId.error).toMatch(/deliveryId/);
  });

  it('re-encodes a decoded job byte for byte, and carries a redrive count', () => {
    const [job] = encodeDeliveryJobs(event, ['w']);
    const decoded = decodeDeliveryJob(job!.body);
    if (!decoded.ok) throw new Error(decoded.error);
    expect(encodeDeliveryJob(decoded.job)).toBe(job!.body);
    const redriven = encodeDeliveryJob({ ...decoded.job, redriveCount: 2 });
    expect(redriven.endsWith(',"redriveCount":2,"data":{"id":"p-1","big":12345678901234567890}}')).toBe(true);
    const again = decodeDeliveryJob(redriven);
    expect(again.ok && again.job.redriveCount).toBe(2);
    expect(again.ok && again.job.dataJson).toBe(event.dataJson);
  });
});
