import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  booleanVariable,
  integerVariable,
  parseEnvironment,
  requiredVariable,
} from '../../../shared/config/environmentVariables';

const schema = z.object({
  TABLE: requiredVariable('TABLE'),
  LIMIT: integerVariable(1, 10).default(5),
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
});
