/** Success-shape scenarios (vpc-links), keyed like shapes.ts. */
import type { Entry } from './scenario.js';

export const VPC_LINK_SHAPE_SCENARIOS: Entry[] = [];
