import { describe, expect, it } from 'vitest';
import { deliveryIdFor, eventIdFor } from '../../../../../shared/domain/delivery/stableIds';

describe('stable ids', () => {
  it('derive the event id from the table and the stream eventID', () => {
    expect(eventIdFor('person', 'e1')).toBe(eventIdFor('person', 'e1'));
    expect(eventIdFor('person', 'e1')).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(eventIdFor('person', 'e2')).not.toBe(eventIdFor('person', 'e1'));
    expect(eventIdFor('company', 'e1')).not.toBe(eventIdFor('person', 'e1'));
    // The separator keeps ("ab", "c") and ("a", "bc") apart.
    expect(eventIdFor('ab', 'c')).not.toBe(eventIdFor('a', 'bc'));
  });

  it('derive the delivery id from the webhook and the event', () => {
    expect(deliveryIdFor('wh', 'evt')).toBe(deliveryIdFor('wh', 'evt'));
    expect(deliveryIdFor('wh', 'evt')).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(deliveryIdFor('wh2', 'evt')).not.toBe(deliveryIdFor('wh', 'evt'));
    expect(deliveryIdFor('wh', 'evt2')).not.toBe(deliveryIdFor('wh', 'evt'));
  });

  it('is a valid Standard Webhooks message id (no spaces, no dots, no commas)', () => {
    expect(deliveryIdFor('w h.,', 'e')).toMatch(/^[A-Za-z0-9_]+$/);
  });
});
