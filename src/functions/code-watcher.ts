/**
 * Watches a function's code directory so edits reach the next invocation: changes are
 * debounced (editors write a file in several steps) and reported once. Byte-code caches and
 * editor scratch files are ignored, or a Python import would reload its own function forever.
 */
import { watch, type FSWatcher } from 'node:fs';

const IGNORED = /(^|[\\/])(__pycache__|\.git|\.cache)([\\/]|$)|\.pyc$|\.swp$|\.swx$|~$|(^|[\\/])4913$/;

export interface CodeWatchListener {
  /** Every relevant change, at once: the code may be half written from now on. */
  changing(): void;
  /** No change for the debounce interval: the code is whole again. */
  settled(): void;
}

export function watchCode(directory: string, debounceMs: number, listener: CodeWatchListener): () => void {
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  const fire = (): void => {
    timer = undefined;
    listener.settled();
  };
  try {
    watcher = watch(directory, { recursive: true, persistent: false }, (_event, filename) => {
      if (filename && IGNORED.test(filename.toString())) return;
      listener.changing();
      if (timer) clearTimeout(timer);
      timer = setTimeout(fire, debounceMs);
    });
    // A directory that disappears, or a watch limit reached, ends watching; serving goes on.
    watcher.on('error', () => close());
  } catch {
    watcher = undefined;
  }
  function close(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    watcher?.close();
    watcher = undefined;
  }
  return close;
}
