/** Success-shape scenarios (structure), keyed like shapes.ts. */
import type { Entry } from './scenario.js';

export const STRUCTURE_SHAPE_SCENARIOS: Entry[] = [];
