/**
 * Finished requests of stages that write logs or traces wait here for the end of the event
 * loop's turn, and are then counted, logged and traced together, in the order they finished.
 * (A stage with metrics only is counted at once: a few additions cost less than queueing.)
 *
 * Why not at once: a busy listener answers dozens of requests in one turn (about 48 per turn
 * under the benchmark's load), each one running through Node's HTTP code, the router and the
 * integration. Recording each between two of those requests made its code and data cold every
 * time; recording them in one loop after the turn's requests keeps them hot. Measured on the
 * bench API's MOCK route with metrics and a JSON access log (main-thread CPU per request, five
 * fresh processes each, medians): 27.8 µs recording at once, 23.9 µs recording per turn, 22.2 µs
 * with nothing observed.
 *
 * A request's record is complete when it is queued (status, length, latency and the client's
 * address are all taken by then), so recording later changes no value, only when the counters
 * and lines appear: before the turn ends. Readers that must see everything so far (a metrics
 * scrape, a log flush, shutting down) call `recordQueuedObservations` first.
 */
import type { RequestObservation } from './request-observation.js';

/** What records a finished request (a stage's observer). */
export interface ObservationRecorder {
  record(obs: RequestObservation): void;
}

/**
 * More than this many waiting requests are recorded at once rather than at the end of the turn,
 * so that a turn that somehow finishes a flood of requests still holds a bounded queue.
 */
const MAX_WAITING = 4096;

/** Recorder, observation, recorder, observation, …: two slots per request, no pair objects. */
let waiting: (ObservationRecorder | RequestObservation)[] = [];
/** The array the last batch was recorded from, emptied, for the next turn's requests. */
let spare: (ObservationRecorder | RequestObservation)[] = [];
let scheduled = false;

/** Queues a finished request for recording at the end of this turn. */
export function queueObservation(recorder: ObservationRecorder, obs: RequestObservation): void {
  waiting.push(recorder, obs);
  if (waiting.length >= 2 * MAX_WAITING) return recordQueuedObservations();
  if (!scheduled) {
    scheduled = true;
    setImmediate(recordQueuedObservations);
  }
}

/**
 * Records every request waiting so far. Recorders never throw. Each batch is taken out of the
 * queue before it is recorded, so a recorder that asks for the queue to be recorded (a flush
 * reached from inside) sees only what came after, and nothing is recorded twice.
 */
export function recordQueuedObservations(): void {
  scheduled = false;
  while (waiting.length > 0) {
    const batch = waiting;
    waiting = spare;
    for (let i = 0; i < batch.length; i += 2) {
      (batch[i] as ObservationRecorder).record(batch[i + 1] as RequestObservation);
    }
    batch.length = 0;
    spare = batch;
  }
}
