import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  booleanVariable,
  integerVariable,
  parseEnvironment,
  requiredVariable,
} from '../../../../shared/config/environmentVariables';

const schema = z.object({
  TABLE: requiredVariable('TABLE'),
  LIMIT: z._default(integerVariable(1, 10), 5),
  LOCAL_MODE: booleanVariable,
});

describe('parseEnvironment', () => {
  it('applies defaults and treats empty values as absent', () => {
    expect(parseEnvironment(schema, { TABLE: 't', LIMIT: '', LOCAL_MODE: '' }, 'demo')).toEqual({
      TABLE: 't',
      LIMIT: 5,
      LOCAL_MODE: false,
    });
    expect(parseEnvironment(schema, { TABLE: 't', LIMIT: '7', LOCAL_MODE: '1' }, 'demo').LOCAL_MODE).toBe(
      true,
    );
  });

  it('names every bad variable and the component in one error', () => {
    expect(() => parseEnvironment(schema, { LIMIT: '11', LOCAL_MODE: 'yes' }, 'demo')).toThrow(
      /^demo configuration is invalid: TABLE: TABLE is required; LIMIT: .*; LOCAL_MODE: must be "true" or "false"$/,
    );
  });

  it('says the range of a whole-number variable, whatever is wrong with it', () => {
    const schema = z.object({ N: integerVariable(1, 10) });
    for (const value of ['11', '0', '2.5', 'ten']) {
      expect(() => parseEnvironment(schema, { N: value }, 'demo')).toThrow(
        'demo configuration is invalid: N: must be a whole number from 1 to 10',
      );
    }
  });

  it('keeps zod English messages in a process that never loads classic zod, as in the Lambda bundles', async () => {
    // zod/mini registers no locale of its own; without shared/config/zodEnglishErrors this reads "Invalid input".
    const script = `
      import * as z from 'zod/mini';
      import { parseEnvironment } from './shared/config/environmentVariables';
      try { parseEnvironment(z.object({ N: z.coerce.number().check(z.maximum(10)) }), { N: '11' }, 'demo'); }
      catch (error) { process.stdout.write(error.message); }`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: resolve(import.meta.dirname, '../../../..'), timeout: 30_000 },
    );
    expect(stdout).toBe('demo configuration is invalid: N: Too big: expected number to be <=10');
  });
});
