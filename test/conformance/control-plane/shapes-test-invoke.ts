/** Success-shape scenarios (test-invoke), keyed like shapes.ts. */
import type { Entry } from './scenario.js';

export const TEST_INVOKE_SHAPE_SCENARIOS: Entry[] = [];
