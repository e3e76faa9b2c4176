/** Every benchmark `npm run bench` can run. */

import type { Benchmark } from '../lib/types';
import { coldStart } from './coldStart';
import { costModel } from './costModel';
import { deliveryPath } from './deliveryPath';
import { endToEnd } from './endToEnd';
import { isolation } from './isolation';
import { latency } from './latency';
import { mapperPurePath } from './mapperPurePath';
import { scale } from './scale';
import { secretCache } from './secretCache';

/** Every benchmark, in the order a full run executes them. */
export const benchmarks: Benchmark[] = [
  mapperPurePath,
  deliveryPath,
  secretCache,
  coldStart,
  endToEnd,
  costModel,
  isolation,
  latency,
  scale,
];
