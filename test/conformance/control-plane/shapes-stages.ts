/** Success-shape scenarios (stages), keyed like shapes.ts. */
import type { Entry } from './scenario.js';

export const STAGE_SHAPE_SCENARIOS: Entry[] = [];
