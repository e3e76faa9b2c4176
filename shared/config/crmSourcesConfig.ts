/**
 * The CRM sources config: which DynamoDB tables hold CRM records and how to read them, its schema and
 * parsers.
 */

import * as z from 'zod/mini';
import './zodEnglishErrors';

/**
 * Which DynamoDB tables hold CRM records and how to read them. Shared by the CDK app
 * (validated at synth time) and the local runtime; the event mapper receives it as JSON
 * in the CRM_SOURCES_CONFIG environment variable. `zod/mini` keeps classic zod out of its bundle.
 */
const objectName = z
  .string()
  .check(
    z.regex(/^[a-z][a-zA-Z0-9]*$/, 'must be a camelCase object name such as "person" or "workspaceMember"'),
  );

const nonEmptyString = () => z.string().check(z.minLength(1));

/** Attribute names a source may set, overriding the config-wide ones (null: this source has none). */
const sourceAttributes = {
  /**
   * The attribute marking a record as in the trash (soft-deleted). `null` means the source hard-deletes
   * only: then a REMOVE of a live record is `<object>.deleted` rather than `<object>.destroyed`.
   */
  softDeleteAttribute: z.optional(z.nullable(nonEmptyString())),
  /** Record attribute naming the user who made the change (Twenty's `userId`); left out when absent. */
  userIdAttribute: z.optional(nonEmptyString()),
  /** Record attribute naming the workspace member who made the change (Twenty's `workspaceMemberId`). */
  workspaceMemberIdAttribute: z.optional(nonEmptyString()),
};

/** The event actions an object can mark as exact-only (CRM_ACTIONS of shared/domain/events/crmEvent). */
const crmAction = z.enum(['created', 'updated', 'deleted', 'restored', 'destroyed']);

/** Per-object settings, keyed by object name. */
export const crmObjectSchema = z.strictObject({
  /**
   * Twenty's `objectMetadata.id` for this object in `twenty`-format bodies. Default: a UUID derived from
   * the workspace and object name (`objectMetadataIdFor`), the same on every event.
   */
  objectMetadataId: z.optional(z.guid('must be a UUID such as "20202020-1c25-4d02-bf25-6aeccf7ea419"')),
  /**
   * Events of this object that only exact subscriptions (`workflowRun.updated`) receive, never the
   * wildcards `*.updated`, `workflowRun.*` or `*.*`: `true` for every action, or a list of actions.
   * Twenty does this for `workflowRun.updated` (a flood guard).
   */
  exactOnly: z.optional(z.union([z.literal(true), z.array(crmAction).check(z.minLength(1))])),
});

export const crmTableSchema = z
  .strictObject({
    /** DynamoDB table name. */
    tableName: z.string().check(z.regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'must be a valid DynamoDB table name')),
    /** Fixed object name for every item of this table (one table per object). */
    object: z.optional(objectName),
    /** Item attribute naming the object (single-table designs). */
    objectAttribute: z.optional(nonEmptyString()),
    /** Stream ARN of an existing table to import (AWS only). Without it the stack creates a demo table. */
    streamArn: z.optional(
      z
        .string()
        .check(
          z.regex(
            /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[^/]+\/stream\/.+$/,
            'must be a DynamoDB stream ARN',
          ),
        ),
    ),
    ...sourceAttributes,
  })
  .check(
    z.refine((t) => (t.object === undefined) !== (t.objectAttribute === undefined), {
      message:
        'set exactly one of "object" (one table per object) or "objectAttribute" (single-table design)',
    }),
  );

export const crmSourcesConfigSchema = z
  .strictObject({
    crmTables: z.array(crmTableSchema).check(z.minLength(1, 'configure at least one CRM table')),
    workspaceIdAttribute: z._default(nonEmptyString(), 'workspaceId'),
    /**
     * Workspace of records without the workspace attribute. Optional: without it such records are
     * skipped (counted as `RecordsSkipped{reason=no-default-workspace}`), never given to a tenant.
     */
    defaultWorkspaceId: z.optional(nonEmptyString()),
    idAttribute: z._default(nonEmptyString(), 'id'),
    softDeleteAttribute: z._default(z.nullable(nonEmptyString()), 'deletedAt'),
    userIdAttribute: sourceAttributes.userIdAttribute,
    workspaceMemberIdAttribute: sourceAttributes.workspaceMemberIdAttribute,
    /** Per-object settings (`objectMetadataId`, `exactOnly`), keyed by camelCase object name. */
    objects: z.optional(z.record(objectName, crmObjectSchema)),
  })
  .check(
    z.superRefine((config, ctx) => {
      const seen = new Set<string>();
      config.crmTables.forEach((table, index) => {
        if (seen.has(table.tableName)) {
          ctx.addIssue({
            code: 'custom',
            path: ['crmTables', index, 'tableName'],
            message: `table "${table.tableName}" is listed twice`,
          });
        }
        seen.add(table.tableName);
      });
    }),
  );

export type CrmTableConfig = z.infer<typeof crmTableSchema>;
export type CrmSourcesConfig = z.infer<typeof crmSourcesConfigSchema>;
export type CrmObjectConfig = z.infer<typeof crmObjectSchema>;

/** The attributes that apply to one table: its own overrides, else the config-wide ones. */
export interface SourceAttributes {
  softDeleteAttribute: string | null;
  userIdAttribute: string | undefined;
  workspaceMemberIdAttribute: string | undefined;
}

export function sourceAttributesOf(table: CrmTableConfig, config: CrmSourcesConfig): SourceAttributes {
  return {
    softDeleteAttribute:
      table.softDeleteAttribute === undefined ? config.softDeleteAttribute : table.softDeleteAttribute,
    userIdAttribute: table.userIdAttribute ?? config.userIdAttribute,
    workspaceMemberIdAttribute: table.workspaceMemberIdAttribute ?? config.workspaceMemberIdAttribute,
  };
}

/**
 * The local runtime's default: one table per standard CRM object, key `id`. Records without a workspace
 * belong to `default`, the local API key's workspace, so a bare `put-item` reaches the user's webhooks.
 */
export const defaultCrmSourcesConfig: CrmSourcesConfig = z.parse(crmSourcesConfigSchema, {
  crmTables: ['person', 'company', 'note', 'task', 'opportunity'].map((name) => ({
    tableName: name,
    object: name,
  })),
  defaultWorkspaceId: 'default',
});

/** Parses a config, throwing one readable error that names every bad field. */
export function parseCrmSourcesConfig(input: unknown, source = 'CRM sources config'): CrmSourcesConfig {
  const result = z.safeParse(crmSourcesConfigSchema, input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid ${source}:\n${problems.join('\n')}`);
  }
  return result.data;
}

/** Parses the config as the functions receive it (JSON in CRM_SOURCES_CONFIG); `component` names the reader. */
export function parseCrmSourcesJson(text: string, component: string): CrmSourcesConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `${component} configuration is invalid: CRM_SOURCES_CONFIG is not JSON (${(error as Error).message})`,
    );
  }
  return parseCrmSourcesConfig(parsed, 'CRM_SOURCES_CONFIG');
}
