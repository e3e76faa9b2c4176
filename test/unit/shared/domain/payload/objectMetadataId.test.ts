import { describe, expect, it } from 'vitest';
import { objectMetadataIdFor, uuidV5 } from '../../../../../shared/domain/payload/objectMetadataId';

describe('objectMetadataIdFor', () => {
  it('is a version 5 UUID per (workspace, object), stable across calls', () => {
    // RFC 9562 test vector: "www.example.com" in the DNS namespace.
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
    const id = objectMetadataIdFor('ws-1', 'person');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(objectMetadataIdFor('ws-1', 'person')).toBe(id);
    expect(objectMetadataIdFor('ws-2', 'person')).not.toBe(id);
    expect(objectMetadataIdFor('ws-1', 'company')).not.toBe(id);
  });
});
