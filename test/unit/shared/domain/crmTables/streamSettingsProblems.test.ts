import { describe, expect, it } from 'vitest';
import { streamSettingsProblems } from '../../../../../shared/domain/crmTables/streamSettingsProblems';

const streamArn = 'arn:aws:dynamodb:eu-west-1:123456789012:table/person/stream/2026-01-01T00:00:00.000';
const table = { tableName: 'person', streamArn };

describe('streamSettingsProblems', () => {
  it('finds nothing wrong with an enabled NEW_AND_OLD_IMAGES stream at the configured ARN', () => {
    expect(
      streamSettingsProblems(table, {
        found: true,
        streamEnabled: true,
        streamViewType: 'NEW_AND_OLD_IMAGES',
        latestStreamArn: streamArn,
      }),
    ).toEqual([]);
  });

  it.each(['NEW_IMAGE', 'OLD_IMAGE', 'KEYS_ONLY'])(
    'refuses the %s view type, saying how to fix it',
    (viewType) => {
      const problems = streamSettingsProblems(table, {
        found: true,
        streamEnabled: true,
        streamViewType: viewType,
        latestStreamArn: streamArn,
      });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`CRM table "person" streams ${viewType}, not NEW_AND_OLD_IMAGES`);
      expect(problems[0]).toContain(
        'disable the stream and enable it with StreamViewType=NEW_AND_OLD_IMAGES',
      );
      expect(problems[0]).toContain('aws dynamodb update-table --table-name person');
    },
  );

  it('refuses a disabled or absent stream, and says nothing more about it', () => {
    const problems = streamSettingsProblems(table, {
      found: true,
      streamEnabled: false,
      latestStreamArn: streamArn,
    });
    expect(problems).toEqual([expect.stringContaining('CRM table "person" has no enabled stream')]);
  });

  it('refuses a stream ARN that is not the latest, naming the latest', () => {
    const latest = streamArn.replace('2026-01-01', '2026-06-01');
    const problems = streamSettingsProblems(table, {
      found: true,
      streamEnabled: true,
      streamViewType: 'NEW_AND_OLD_IMAGES',
      latestStreamArn: latest,
    });
    expect(problems).toEqual([
      `CRM table "person": the configured streamArn ${streamArn} is not the table's latest stream (${latest}); an older stream receives no new changes. Set "streamArn" to ${latest}.`,
    ]);
  });

  it('reports a wrong view type and a stale ARN together', () => {
    expect(
      streamSettingsProblems(table, {
        found: true,
        streamEnabled: true,
        streamViewType: 'KEYS_ONLY',
        latestStreamArn: `${streamArn}0`,
      }),
    ).toHaveLength(2);
  });

  it('refuses a table that does not exist', () => {
    expect(streamSettingsProblems(table, { found: false })).toEqual([
      'CRM table "person" does not exist in this account and region (DescribeTable: ResourceNotFoundException).',
    ]);
  });
});
