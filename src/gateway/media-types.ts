/**
 * Matching Content-Type / Accept values against an API's binaryMediaTypes (with `*` wildcards
 * such as `image/*` or `*\/*`), compiled once per deployment.
 */

export type MediaTypeMatcher = (headerValue: string | undefined) => boolean;

const NEVER: MediaTypeMatcher = () => false;

export function compileBinaryMediaTypes(binaryMediaTypes: string[]): MediaTypeMatcher {
  if (binaryMediaTypes.length === 0) return NEVER;
  const patterns = binaryMediaTypes.map((type) => {
    // binaryMediaTypes are stored with '/' escaped as '~1' by the management API.
    const normalised = type.replace(/~1/g, '/').trim().toLowerCase();
    const source = normalised.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^,;]*');
    return new RegExp(`^${source}$`);
  });
  return (headerValue) => {
    if (!headerValue) return false;
    // Only the first media type counts, as AWS decides on the first Accept entry.
    const first = headerValue.split(',')[0]!.split(';')[0]!.trim().toLowerCase();
    return patterns.some((p) => p.test(first));
  };
}
