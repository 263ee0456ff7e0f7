/** Success-shape scenarios (integrations-account), keyed like shapes.ts. */
import type { Entry } from './scenario.js';

export const INTEGRATION_ACCOUNT_SHAPE_SCENARIOS: Entry[] = [];
