/**
 * REST API resource matching, compiled once per deployment into a segment tree.
 *
 * AWS's rules: the most specific resource wins — a literal segment before `{param}` before a
 * greedy `{proxy+}` — and a method falls back to the resource's ANY. Resources that have no
 * methods never capture a request, so `/pets` without methods still lets `/{proxy+}` answer.
 * Path parameter values are passed as they arrived (percent-encoded), as AWS passes them to
 * REST integrations.
 */

export interface RouteMatch<M> {
  method: M;
  resourcePath: string;
  /** Null when the resource has no path parameters, as AWS reports it. */
  pathParameters: Record<string, string> | null;
}

interface Node<M> {
  resourcePath: string;
  methods: Map<string, M>;
  literals: Map<string, Node<M>>;
  param?: { name: string; node: Node<M> };
  greedy?: { name: string; node: Node<M> };
}

const newNode = <M>(resourcePath: string): Node<M> => ({ resourcePath, methods: new Map(), literals: new Map() });

export class RestRouter<M> {
  private readonly root = newNode<M>('/');

  /** Adds a method on a resource path such as `/pets/{petId}` or `/{proxy+}`. */
  add(resourcePath: string, httpMethod: string, method: M): void {
    let node = this.root;
    for (const part of resourcePath.split('/').filter((p) => p !== '')) {
      if (part.startsWith('{') && part.endsWith('+}')) {
        const name = part.slice(1, -2);
        node.greedy ??= { name, node: newNode(joinPath(node.resourcePath, part)) };
        node = node.greedy.node;
      } else if (part.startsWith('{') && part.endsWith('}')) {
        const name = part.slice(1, -1);
        node.param ??= { name, node: newNode(joinPath(node.resourcePath, part)) };
        node = node.param.node;
      } else {
        let next = node.literals.get(part);
        if (!next) {
          next = newNode(joinPath(node.resourcePath, part));
          node.literals.set(part, next);
        }
        node = next;
      }
    }
    node.methods.set(httpMethod, method);
  }

  /** Finds the method for a request, or undefined (AWS then answers Missing Authentication Token). */
  match(httpMethod: string, path: string): RouteMatch<M> | undefined {
    // A trailing slash addresses the same resource; the greedy value never includes it.
    const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    const segments = trimmed === '/' ? [] : trimmed.slice(1).split('/');
    const params: [string, string][] = [];
    const node = this.find(this.root, segments, 0, params);
    if (!node) return undefined;
    const method = node.methods.get(httpMethod) ?? node.methods.get('ANY');
    if (method === undefined) return undefined;
    let pathParameters: Record<string, string> | null = null;
    if (params.length > 0) {
      pathParameters = {};
      for (const [name, value] of params) pathParameters[name] = value;
    }
    return { method, resourcePath: node.resourcePath, pathParameters };
  }

  private find(node: Node<M>, segments: string[], i: number, params: [string, string][]): Node<M> | undefined {
    if (i === segments.length) return node.methods.size > 0 ? node : undefined;
    const segment = segments[i]!;
    const literal = node.literals.get(segment);
    if (literal) {
      const found = this.find(literal, segments, i + 1, params);
      if (found) return found;
    }
    if (node.param && segment !== '') {
      params.push([node.param.name, segment]);
      const found = this.find(node.param.node, segments, i + 1, params);
      if (found) return found;
      params.pop();
    }
    if (node.greedy && node.greedy.node.methods.size > 0) {
      params.push([node.greedy.name, segments.slice(i).join('/')]);
      return node.greedy.node;
    }
    return undefined;
  }
}

function joinPath(parent: string, part: string): string {
  return parent === '/' ? `/${part}` : `${parent}/${part}`;
}
