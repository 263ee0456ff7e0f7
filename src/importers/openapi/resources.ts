/**
 * The resource tree: every OpenAPI path becomes a resource, with a resource for each leading
 * segment (so `/pets/{petId}` also yields `/pets`) under the always-present root `/`.
 */
import type { Resource } from '../../model/rest-api.js';
import type { ImportContext, SourcePath } from './context.js';
import type { IdAllocator } from './ids.js';
import type { LocationMap } from './locations.js';

export class ResourceTreeBuilder {
  readonly resources: Record<string, Resource> = {};
  readonly root: Resource;
  private readonly byPath = new Map<string, Resource>();
  /** Resources whose own path item has been seen; the others are located at a descendant's. */
  private readonly declared = new Set<string>();

  constructor(
    private readonly ids: IdAllocator,
    private readonly locations: LocationMap,
  ) {
    this.root = { id: ids.resource('/'), path: '/', resourceMethods: {} };
    this.resources[this.root.id] = this.root;
    this.byPath.set('/', this.root);
  }

  /** The resource for the path `key`, created with any missing ancestors; undefined (with a problem) for malformed paths. */
  ensure(ctx: ImportContext, key: string, sourcePath: SourcePath): Resource | undefined {
    if (!key.startsWith('/')) {
      ctx.problem(sourcePath, `'${key}' is not a path: paths must start with '/'`);
      return undefined;
    }
    if (key === '/') return this.root;
    const segments = key.slice(1).split('/');
    if (segments.includes('')) {
      ctx.problem(sourcePath, `'${key}' has an empty path segment (a doubled or trailing '/')`);
      return undefined;
    }
    let parent = this.root;
    let path = '';
    for (const pathPart of segments) {
      path += `/${pathPart}`;
      let resource = this.byPath.get(path);
      if (!resource) {
        resource = { id: this.ids.resource(path), parentId: parent.id, pathPart, path, resourceMethods: {} };
        this.resources[resource.id] = resource;
        this.byPath.set(path, resource);
        this.locate(resource, sourcePath);
      }
      parent = resource;
    }
    if (!this.declared.has(parent.id)) {
      this.declared.add(parent.id);
      this.locate(parent, sourcePath);
    }
    return parent;
  }

  private locate(resource: Resource, sourcePath: SourcePath): void {
    const at = ['resources', resource.id];
    // The tree fields are all spelled by the path key itself.
    for (const field of [[], ['pathPart'], ['path'], ['parentId'], ['id']]) this.locations.add([...at, ...field], sourcePath);
  }
}
