/** Actions a CRM record change can produce (docs/domain.md, "From a DynamoDB stream record to an event"). */
export const CRM_ACTIONS = ['created', 'updated', 'deleted', 'restored', 'destroyed'] as const;
export type CrmAction = (typeof CRM_ACTIONS)[number];

/** The synthetic event sent by `POST /webhooks/{id}/test`; it bypasses operation matching. */
export const TEST_EVENT_NAME = 'webhook.test';

/** One CRM change, independent of any webhook. */
export interface CrmEvent {
  /** Stable for the same stream record, so reprocessing never invents a new event. */
  eventId: string;
  /** `<objectNameSingular>.<action>`, e.g. `person.created`. */
  name: string;
  /** camelCase object name, e.g. `person`. */
  object: string;
  action: CrmAction | 'test';
  workspaceId: string;
  recordId: string | undefined;
  /** When the change happened, ISO 8601 UTC. */
  timestamp: string;
  /** The record (after the change; before it for deletes) as exact JSON text: numbers keep full precision. */
  dataJson: string;
  /**
   * The record after the change, when `dataJson` holds the one before it (soft deletes: the trashed
   * record). `twenty`-format webhooks get this one, as Twenty sends it.
   */
  recordAfterJson?: string;
  /** Top-level attribute names that changed (`updated`, soft-delete `deleted` and `restored` events). */
  updatedFields?: string[];
  /** Twenty's `objectMetadata.id`, when configured for the object (else derived when serialising). */
  objectMetadataId?: string;
  /** From the source's `userIdAttribute` / `workspaceMemberIdAttribute`, when the record has them. */
  userId?: string;
  workspaceMemberId?: string;
}
