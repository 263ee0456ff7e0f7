/**
 * The one error a mapping template ever raises. `kind` says whose fault it is: `syntax` when the
 * template cannot be parsed (found once, at deployment), `limit` when a render ran past one of
 * its bounds, `runtime` for everything Java would have thrown while rendering (AWS answers
 * those with a 500 and "Internal server error").
 */
export type TemplateErrorKind = 'syntax' | 'limit' | 'runtime';

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    readonly kind: TemplateErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export const syntaxError = (message: string): TemplateError => new TemplateError('syntax', message);
export const limitError = (message: string): TemplateError => new TemplateError('limit', message);
export const runtimeError = (message: string): TemplateError => new TemplateError('runtime', message);
