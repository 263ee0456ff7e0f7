/**
 * Identifiers shaped like AWS's: lower-case alphanumerics of the length AWS uses per resource.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random id of `length` lower-case alphanumerics. */
export function randomId(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  // 36 does not divide 256, so the first few symbols are slightly likelier; ids only need to
  // be unique and AWS-shaped, not uniform.
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! % ALPHABET.length];
  return out;
}

/** REST API / HTTP API ids: 10 characters, e.g. `a1b2c3d4e5`. */
export const newApiId = (): string => randomId(10);
/** Resource ids: 10 characters on AWS. */
export const newResourceId = (): string => randomId(10);
/** Deployment ids: 6 characters on AWS. */
export const newDeploymentId = (): string => randomId(6);
/** Model, request validator and authorizer ids: 6 characters on AWS. */
export const newShortId = (): string => randomId(6);

/** Matches an API id as used in invoke URLs. */
export const API_ID_PATTERN = /^[a-z0-9]{10}$/;
