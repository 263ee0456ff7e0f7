/**
 * `$util`: API Gateway's helper functions for mapping templates.
 *
 * - escapeJavaScript: Apache Commons Lang's StringEscapeUtils.escapeJavaScript, which AWS
 *   documents: `"`, `'`, `\` and `/` get a backslash, control characters their short or `\u`
 *   escape, and every non-ASCII character a `\uXXXX` escape. A non-string argument is escaped as
 *   its Java string form, null as "null".
 * - urlEncode / urlDecode: java.net.URLEncoder / URLDecoder in UTF-8 (form encoding: space is
 *   `+`). A null argument gives null, which prints nothing (as AWS's recorded
 *   `$util.urlEncode($input.body.attr)` shows).
 * - base64Encode / base64Decode: the UTF-8 bytes of the text, standard alphabet with padding;
 *   decoding also accepts the URL-safe alphabet and missing padding.
 * - parseJson: JSON text → a value the template can walk, like `$input.path`.
 */
import type { Budget } from './vtl/budget.js';
import { runtimeError } from './vtl/errors.js';
import { parseJson } from './vtl/json.js';
import { javaString } from './vtl/print.js';
import { HostObject, type Value } from './vtl/values.js';

const hex = (c: number): string => c.toString(16).toUpperCase();

export function escapeJavaScript(s: string): string {
  let out = '';
  let plain = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let escaped: string;
    if (c > 0xfff) escaped = `\\u${hex(c)}`;
    else if (c > 0xff) escaped = `\\u0${hex(c)}`;
    else if (c > 0x7f) escaped = `\\u00${hex(c)}`;
    else if (c < 32) {
      switch (c) {
        case 8: escaped = '\\b'; break;
        case 9: escaped = '\\t'; break;
        case 10: escaped = '\\n'; break;
        case 12: escaped = '\\f'; break;
        case 13: escaped = '\\r'; break;
        default: escaped = c > 0xf ? `\\u00${hex(c)}` : `\\u000${hex(c)}`;
      }
    } else if (c === 39 || c === 34 || c === 92 || c === 47) {
      escaped = `\\${s[i]}`;
    } else continue;
    out += s.slice(plain, i) + escaped;
    plain = i + 1;
  }
  return plain === 0 ? s : out + s.slice(plain);
}

const URL_SAFE = /^[A-Za-z0-9.*_-]*$/;

/** URLEncoder.encode(s, "UTF-8"): letters, digits and `.-*_` stay, space becomes `+`. */
export function urlEncode(s: string): string {
  // Most parameters are plain words: nothing to encode.
  if (URL_SAFE.test(s)) return s;
  let encoded: string;
  try {
    encoded = encodeURIComponent(s);
  } catch {
    // A lone surrogate: Java encodes it as '?'.
    encoded = encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, (ch, i: number) => {
      const code = ch.charCodeAt(0);
      const pairedHigh = code <= 0xdbff && /[\uDC00-\uDFFF]/.test(s[i + 1] ?? '');
      const pairedLow = code >= 0xdc00 && /[\uD800-\uDBFF]/.test(s[i - 1] ?? '');
      return pairedHigh || pairedLow ? ch : '?';
    }));
  }
  return encoded.replace(/[!'()~]/g, (ch) => `%${hex(ch.charCodeAt(0))}`).replace(/%20/g, '+');
}

/** URLDecoder.decode(s, "UTF-8"). Malformed `%` escapes are an IllegalArgumentException. */
export function urlDecode(s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '+') {
      out += ' ';
      i++;
    } else if (c === '%') {
      const bytes: number[] = [];
      while (s[i] === '%') {
        if (i + 2 >= s.length) throw runtimeError('IllegalArgumentException: URLDecoder: Incomplete trailing escape (%) pattern');
        const pair = s.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(pair)) throw runtimeError('IllegalArgumentException: URLDecoder: Illegal hex characters in escape (%) pattern');
        bytes.push(parseInt(pair, 16));
        i += 3;
      }
      out += new TextDecoder().decode(Uint8Array.from(bytes));
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

export function base64Encode(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

export function base64Decode(s: string): string {
  const clean = s.replace(/\s+/g, '');
  const body = clean.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/_-]*$/.test(body) || clean.length - body.length > 2 || body.length % 4 === 1) {
    throw runtimeError('IllegalArgumentException: Illegal base64 character or length');
  }
  const bytes = Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return new TextDecoder().decode(bytes);
}

export class UtilHost extends HostObject {
  property(): Value | undefined {
    return undefined;
  }

  invoke(name: string, args: Value[], budget: Budget): Value | undefined {
    if (args.length !== 1) return undefined;
    const arg = args[0]!;
    let result: string;
    switch (name) {
      case 'escapeJavaScript':
        result = escapeJavaScript(javaString(arg, budget));
        break;
      case 'parseJson': {
        if (arg === null) return null;
        const text = javaString(arg, budget);
        const parsed = parseJson(text, budget);
        if (parsed === undefined) throw runtimeError('$util.parseJson: the argument is not valid JSON');
        return parsed;
      }
      case 'urlEncode':
        if (arg === null) return null;
        result = urlEncode(javaString(arg, budget));
        break;
      case 'urlDecode':
        if (arg === null) return null;
        result = urlDecode(javaString(arg, budget));
        break;
      case 'base64Encode':
        if (arg === null) return null;
        result = base64Encode(javaString(arg, budget));
        break;
      case 'base64Decode':
        if (arg === null) return null;
        result = base64Decode(javaString(arg, budget));
        break;
      default:
        return undefined;
    }
    budget.tick(result.length >> 10);
    budget.charge(result.length);
    return result;
  }
}

/** `$util` holds no state: one instance serves every render. */
export const UTIL = new UtilHost();
