/**
 * YAML parsing for OpenAPI documents that keeps where every mapping key and sequence item starts,
 * so problems found later can name a line.
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { jsonPointer } from '../../model/validate.js';

export interface YamlSyntaxProblem {
  offset: number;
  message: string;
}

export class YamlSyntaxErrors extends Error {
  constructor(readonly problems: YamlSyntaxProblem[]) {
    super(problems.map((p) => p.message).join('\n'));
    this.name = 'YamlSyntaxErrors';
  }
}

export interface YamlWithOffsets {
  value: unknown;
  /** JSON pointer → offset of the mapping key (maps) or of the item (sequences). */
  offsets: Map<string, number>;
  /** JSON pointer → the source spelling of a number, which `1.0` loses when read as 1. */
  numbers: Map<string, string>;
}

/** Parses one YAML document; throws YamlSyntaxErrors listing every error the parser reports. */
export function parseYamlWithOffsets(text: string): YamlWithOffsets {
  // prettyErrors off: messages stay one line; positions are turned into lines by the caller.
  const doc = parseDocument(text, { prettyErrors: false, merge: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new YamlSyntaxErrors(doc.errors.map((e) => ({ offset: e.pos[0], message: e.message })));
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    // Alias expansion limits and similar; the document parsed but cannot be turned into data.
    throw new YamlSyntaxErrors([{ offset: 0, message: (err as Error).message }]);
  }
  const positions: Positions = { offsets: new Map(), numbers: new Map() };
  const root = doc.contents as YamlNode | null;
  positions.offsets.set(jsonPointer([]), root?.range?.[0] ?? 0);
  if (root) collectPositions(root, [], positions);
  return { value, ...positions };
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' || typeof key === 'number' ? String(key) : undefined;
}

interface Positions {
  offsets: Map<string, number>;
  numbers: Map<string, string>;
}

function collectPositions(node: unknown, path: string[], positions: Positions): void {
  const { offsets } = positions;
  if (isAlias(node)) return;
  if (isScalar(node)) {
    if (typeof node.value === 'number' && typeof node.source === 'string') positions.numbers.set(jsonPointer(path), node.source);
  } else if (isMap(node)) {
    for (const pair of node.items) {
      const key = keyText(pair.key);
      if (key === undefined) continue;
      const childPath = [...path, key];
      const start = (pair.key as YamlNode | null)?.range?.[0] ?? (pair.value as YamlNode | null)?.range?.[0];
      if (start !== undefined && !offsets.has(jsonPointer(childPath))) offsets.set(jsonPointer(childPath), start);
      collectPositions(pair.value, childPath, positions);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const childPath = [...path, String(i)];
      const start = (item as YamlNode | null)?.range?.[0];
      if (start !== undefined) offsets.set(jsonPointer(childPath), start);
      collectPositions(item, childPath, positions);
    });
  }
}
