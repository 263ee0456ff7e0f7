/** Success-shape scenarios (documentation), keyed like shapes.ts. */
import type { Entry } from './scenario.js';

export const DOCUMENTATION_SHAPE_SCENARIOS: Entry[] = [];
