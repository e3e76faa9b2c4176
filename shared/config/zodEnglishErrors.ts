/**
 * Imported for its side effect by every module that builds schemas with `zod/mini`. Classic `zod`
 * registers English messages when its first schema is built; `zod/mini` registers none (issues read
 * "Invalid input"), so without this the Lambda bundles, which no longer load classic zod, would lose
 * messages such as "Too big: expected number to be <=3600". Only the English locale is bundled.
 */

import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());
