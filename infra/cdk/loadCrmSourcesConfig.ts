/** Reads and validates the CRM sources config at synth time. */

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type CrmSourcesConfig, parseCrmSourcesConfig } from '../../shared/config/crmSourcesConfig';
import { SynthConfigurationError } from './synthConfigurationError';

/**
 * Reads and validates the CRM sources config at synth time, so a typo fails `cdk synth` with the file
 * and field named instead of failing the event mapper at its first cold start.
 */
export function loadCrmSourcesConfig(path: string, projectRoot: string): CrmSourcesConfig {
  const fullPath = resolve(projectRoot, path);
  if (!existsSync(fullPath)) {
    throw new SynthConfigurationError(
      `CRM sources config not found: ${fullPath} (set the path with -c crmSourcesConfig=<file>)`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(fullPath, 'utf8'));
  } catch (error) {
    throw new SynthConfigurationError(
      `CRM sources config ${fullPath} is not valid JSON: ${(error as Error).message}`,
    );
  }
  let config: CrmSourcesConfig;
  try {
    config = parseCrmSourcesConfig(json, `CRM sources config ${fullPath}`);
  } catch (error) {
    throw new SynthConfigurationError((error as Error).message);
  }
  assertStreamArnsMatchTables(config, fullPath);
  return config;
}

/** A stream ARN of another table would silently feed the wrong records: reject it at synth. */
function assertStreamArnsMatchTables(config: CrmSourcesConfig, source: string): void {
  const problems: string[] = [];
  config.crmTables.forEach((table, index) => {
    if (table.streamArn === undefined) return;
    const streamTable = /:table\/([^/]+)\/stream\//.exec(table.streamArn)?.[1];
    if (streamTable !== table.tableName) {
      problems.push(
        `  - crmTables.${index}.streamArn: belongs to table "${streamTable}", not "${table.tableName}"`,
      );
    }
  });
  if (problems.length > 0) {
    throw new SynthConfigurationError(`Invalid CRM sources config ${source}:\n${problems.join('\n')}`);
  }
}
