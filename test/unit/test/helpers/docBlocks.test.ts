import { describe, expect, it } from 'vitest';
import { docBlocks, jsonShapeMismatch, outputMismatch } from '../../../helpers/docBlocks';

const guide = [
  '# Guide',
  '',
  '```sh skip="needs an AWS account"',
  'npx cdk deploy',
  '```',
  '',
  '```sh wait status=404,409',
  'curl -s $API/webhooks',
  '```',
  '',
  '```json',
  '{"data":[],"nextCursor":null}',
  '```',
  '',
  '```bash needs=aws exit=2',
  'aws dynamodb list-tables',
  '```',
  '',
  'Some prose.',
  '',
  '```text',
  'not the output of the block above: prose comes between',
  '```',
  '',
  '```ts',
  'const notAShellBlock = true;',
  '```',
].join('\n');

describe('docBlocks', () => {
  it('finds sh and bash blocks in order, with their attributes and the output shown right after them', () => {
    const blocks = docBlocks(guide);
    expect(blocks).toEqual([
      {
        line: 3,
        code: 'npx cdk deploy',
        skip: 'needs an AWS account',
        wait: false,
        exit: 0,
        allowedStatuses: [],
      },
      {
        line: 7,
        code: 'curl -s $API/webhooks',
        wait: true,
        exit: 0,
        allowedStatuses: [404, 409],
        expected: { kind: 'json', text: '{"data":[],"nextCursor":null}' },
      },
      { line: 15, code: 'aws dynamodb list-tables', needs: 'aws', wait: false, exit: 2, allowedStatuses: [] },
    ]);
  });
});

describe('jsonShapeMismatch', () => {
  const shown = {
    id: 'wh_WwMa7roUSWqG60kOUhnguA',
    status: 'active',
    attempts: 1,
    createdAt: '2026-11-27T13:24:54.281Z',
    secret: 'whsec_baC4T4PLORLgTgElxBP2VWtBXBGl/h5aoPYfqx1M+6I=',
    data: [{ outcome: 'delivered' }],
    nextCursor: null,
  };
  const actual = {
    id: 'wh_Q1w2e3r4t5y6u7i8o9p0aa',
    status: 'active',
    attempts: 3,
    createdAt: '2026-12-04T22:00:00.000Z',
    secret: 'whsec_AAAA',
    data: [{ outcome: 'delivered' }, { outcome: 'failed' }],
    nextCursor: null,
  };

  it('accepts other generated ids, secrets, times and numbers', () => {
    expect(jsonShapeMismatch(shown, actual)).toBeUndefined();
  });

  it.each([
    [{ ...actual, status: 'disabled' }, '$.status: expected "active", got "disabled"'],
    [{ ...actual, extra: 1 }, 'not in the doc: extra'],
    [{ ...actual, data: [] }, '$.data: expected a non-empty array'],
    [{ ...actual, data: [{ outcome: 'failed' }] }, '$.data[0].outcome'],
    [{ ...actual, id: 'evt_abc' }, '$.id'],
    [{ ...actual, nextCursor: 'eyJ' }, '$.nextCursor: expected null'],
  ])('names where %j departs from the shown value', (value, reason) => {
    expect(jsonShapeMismatch(shown, value)).toContain(reason);
  });
});

describe('outputMismatch', () => {
  const npmOutput = [
    '',
    '> crm-webhooks@0.1.0 api-key',
    '> tsx infra/cli/apiKeys.ts create --workspace acme',
    '',
    'API key for workspace "acme" (shown only now, store it safely):',
    '  cwk_Zz9-yX8_wV7uT6sR5qP4oN3mL2kJ1iH0gF9eD8cB7aA',
    'Key id (to revoke it later): 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  ].join('\n');
  const shownText = [
    'API key for workspace "acme" (shown only now, store it safely):',
    '  cwk_u8DhiRhz7aKtzmIwawYMP8QYcPQGPFt09toCrij0rt0',
    'Key id (to revoke it later): 9fe995629cc5f50a08dd2f38a0e943aa11ba30f6c9ee7e0ef03e89625fd123b2',
  ].join('\n');

  it('finds the shown lines in order among others, generated tokens and … standing for any', () => {
    expect(outputMismatch({ kind: 'text', text: shownText }, npmOutput)).toBeUndefined();
    expect(outputMismatch({ kind: 'text', text: '> crm-webhooks@… api-key' }, npmOutput)).toBeUndefined();
  });

  it('fails on a changed line, a changed order or a missing line', () => {
    expect(outputMismatch({ kind: 'text', text: shownText.replace('acme', 'other') }, npmOutput)).toMatch(
      /no line matching/,
    );
    const reversed = shownText.split('\n').reverse().join('\n');
    expect(outputMismatch({ kind: 'text', text: reversed }, npmOutput)).toMatch(/no line matching/);
    expect(outputMismatch({ kind: 'text', text: 'API key revoked.' }, npmOutput)).toMatch(/no line matching/);
  });

  it('compares the last JSON line of the output with a json block', () => {
    const output = '{"status":"disabled"}\nnoise\n{"status":"active"}\n';
    expect(outputMismatch({ kind: 'json', text: '{"status":"active"}' }, output)).toBeUndefined();
    expect(outputMismatch({ kind: 'json', text: '{"status":"disabled"}' }, output)).toContain('$.status');
    expect(outputMismatch({ kind: 'json', text: '{}' }, 'no json here')).toBe('the output has no JSON line');
  });
});
