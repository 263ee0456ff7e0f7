/**
 * Maps a caller set to `{}` on a method or integration response. AWS tells an empty map that was
 * sent (`responseTemplates: {}`, shown as `{}`) from one never sent or emptied by a patch (left
 * out of the answer); the model keeps maps always present, so the stored response carries the
 * names of the maps that were sent empty alongside them.
 */

export type ResponseMapName = 'responseParameters' | 'responseModels' | 'responseTemplates';

interface WithKeptEmpty {
  keptEmptyMaps?: ResponseMapName[];
}

/** Records which of `names` arrived in `body` as empty objects (and forgets the others). */
export function noteSentEmpty(target: object, body: Record<string, unknown>, names: readonly ResponseMapName[]): void {
  const sent = names.filter((name) => {
    const value = body[name];
    return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;
  });
  const t = target as WithKeptEmpty;
  if (sent.length > 0) t.keptEmptyMaps = sent;
  else delete t.keptEmptyMaps;
}

/** A patch removed an entry of `name`: once empty, AWS leaves it out like a map never sent. */
export function forgetSentEmpty(target: object, name: ResponseMapName): void {
  const t = target as WithKeptEmpty;
  if (!t.keptEmptyMaps) return;
  t.keptEmptyMaps = t.keptEmptyMaps.filter((n) => n !== name);
  if (t.keptEmptyMaps.length === 0) delete t.keptEmptyMaps;
}

/** The wire shape with the maps sent empty put back as `{}`. */
export function withSentEmpty(source: object, shape: Record<string, unknown>): Record<string, unknown> {
  const names = (source as WithKeptEmpty).keptEmptyMaps;
  if (!Array.isArray(names)) return shape;
  const out = { ...shape };
  for (const name of names) if (out[name] === undefined) out[name] = {};
  return out;
}
