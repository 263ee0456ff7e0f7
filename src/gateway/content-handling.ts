/**
 * Binary and text payloads of non-proxy REST integrations: how `contentHandling`, the API's
 * binaryMediaTypes and the request's Content-Type / Accept decide whether a body is passed
 * through, read as UTF-8 text, base64-encoded or base64-decoded on its way to the integration
 * and back to the client. These are AWS's two tables in "Content type conversions in API
 * Gateway".
 */
import { isUtf8 } from 'node:buffer';
import type { ContentHandlingStrategy } from '../model/rest-api.js';
import { apiConfigurationError } from './errors.js';

export type ContentHandling = ContentHandlingStrategy | undefined;

/**
 * Integration request: the client's body as the integration (or its mapping template) receives
 * it. `isBinary`: whether the request Content-Type matches binaryMediaTypes; the Accept header
 * plays no part in this direction.
 * Throws API_CONFIGURATION_ERROR (500) when CONVERT_TO_BINARY meets a body that is not base64.
 */
export function convertRequestBody(body: Buffer, isBinary: boolean, contentHandling: ContentHandling): Buffer {
  if (isBinary) return contentHandling === 'CONVERT_TO_TEXT' ? encodeBase64(body) : body;
  return contentHandling === 'CONVERT_TO_BINARY' ? decodeBase64OrFail(body) : toUtf8Text(body);
}

/** What the integration response direction needs to know about the payload and the client. */
export interface ResponsePayloadKind {
  /** The integration response's Content-Type matches binaryMediaTypes. */
  payloadIsBinary: boolean;
  /** The first media type of the client's Accept matches binaryMediaTypes. */
  acceptIsBinary: boolean;
}

/**
 * Integration response: the backend's body as the client receives it. Unlike the request
 * direction this takes two inputs: without contentHandling, the payload's type (its
 * Content-Type) and the type the client asked for (its Accept) together decide, so a text
 * payload sent to a client accepting a binary type is base64-decoded, and a binary payload
 * sent to a client accepting text is base64-encoded.
 * Throws API_CONFIGURATION_ERROR (500) when a body that must be base64-decoded is not base64.
 */
export function convertResponseBody(body: Buffer, kind: ResponsePayloadKind, contentHandling: ContentHandling): Buffer {
  if (kind.payloadIsBinary) {
    if (contentHandling === 'CONVERT_TO_BINARY') return body;
    if (contentHandling === 'CONVERT_TO_TEXT') return encodeBase64(body);
    return kind.acceptIsBinary ? body : encodeBase64(body);
  }
  if (contentHandling === 'CONVERT_TO_BINARY') return decodeBase64OrFail(body);
  if (contentHandling === 'CONVERT_TO_TEXT') return toUtf8Text(body);
  return kind.acceptIsBinary ? decodeBase64OrFail(body) : toUtf8Text(body);
}

/**
 * A body treated as text: read as UTF-8, each malformed sequence becoming U+FFFD, so binary
 * bytes that reach a text payload are lost rather than passed on. Valid UTF-8 is returned as is.
 */
export function toUtf8Text(body: Buffer): Buffer {
  return isUtf8(body) ? body : Buffer.from(body.toString('utf8'), 'utf8');
}

export function encodeBase64(body: Buffer): Buffer {
  return Buffer.from(body.toString('base64'), 'latin1');
}

// Standard alphabet only (RFC 4648 section 4): '-' and '_' are not read as '+' and '/'.
const BASE64_TEXT = /^[A-Za-z0-9+/ \t\r\n]*(?:=[ \t\r\n]*){0,2}$/;
const WHITESPACE = /[ \t\r\n]/;
const ALL_WHITESPACE = /[ \t\r\n]+/g;

/**
 * Decodes base64 text, ignoring spaces, tabs and line breaks anywhere in it. Returns undefined
 * when the rest is not base64: a character outside the standard alphabet, data after '=', more
 * than two '=', or a length that is not a multiple of four. The length rule is why AWS refuses
 * "this is a UTF8 text typed object" under CONVERT_TO_BINARY (26 characters without its spaces)
 * while it would accept "my text string". Node's own decoder would silently skip the bad
 * characters and decode whatever remains.
 */
export function decodeBase64(text: Buffer): Buffer | undefined {
  // latin1 maps each byte to one character, so a non-ASCII byte cannot pass as the alphabet.
  const source = text.toString('latin1');
  if (!BASE64_TEXT.test(source)) return undefined;
  const compact = WHITESPACE.test(source) ? source.replace(ALL_WHITESPACE, '') : source;
  if (compact.length % 4 !== 0) return undefined;
  return Buffer.from(compact, 'base64');
}

// "If the conversion fails, it returns a 500 response, which indicates an API configuration error."
function decodeBase64OrFail(body: Buffer): Buffer {
  const decoded = decodeBase64(body);
  if (decoded === undefined) throw apiConfigurationError();
  return decoded;
}
