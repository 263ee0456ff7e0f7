/**
 * Ids for the imported API's parts. Re-importing a changed document keeps the ids of resources,
 * models, validators and authorizers that still exist, so stages, method settings and clients
 * that refer to them keep working.
 */
import { newResourceId, newShortId } from '../../model/ids.js';
import type { RestApiDocument } from '../../model/rest-api.js';
import { isObject } from './context.js';

export class IdAllocator {
  private readonly used = new Set<string>();
  private readonly resources = new Map<string, string>();
  private readonly models = new Map<string, string>();
  private readonly validators = new Map<string, string>();
  private readonly authorizers = new Map<string, string>();

  constructor(previous?: RestApiDocument) {
    if (!previous) return;
    const remember = (into: Map<string, string>, records: unknown, keyOf: (r: Record<string, unknown>) => unknown) => {
      if (!isObject(records)) return;
      for (const record of Object.values(records)) {
        if (!isObject(record)) continue;
        const key = keyOf(record);
        if (typeof key === 'string' && typeof record.id === 'string' && !into.has(key)) into.set(key, record.id);
      }
    };
    remember(this.resources, previous.resources, (r) => r.path);
    remember(this.models, previous.models, (r) => r.name);
    remember(this.validators, previous.requestValidators, (r) => r.name);
    remember(this.authorizers, previous.authorizers, (r) => r.name);
  }

  resource(path: string): string {
    return this.take(this.resources.get(path), newResourceId);
  }

  model(name: string): string {
    return this.take(this.models.get(name), newShortId);
  }

  validator(name: string): string {
    return this.take(this.validators.get(name), newShortId);
  }

  authorizer(name: string): string {
    return this.take(this.authorizers.get(name), newShortId);
  }

  private take(previous: string | undefined, generate: () => string): string {
    let id = previous;
    while (id === undefined || this.used.has(id)) id = generate();
    this.used.add(id);
    return id;
  }
}
