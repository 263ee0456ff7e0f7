/**
 * The asynchronous side of developer portals. On AWS, PublishPortal, DisablePortal and
 * PreviewPortal answer 202 and finish minutes later, and a new product REST endpoint page is
 * IN_PROGRESS while API Gateway reads the REST API's documentation. Portico has nothing to
 * build, so each reports its in-progress status for a short, fixed time after it was asked for
 * and its finished status from then on. The status is derived from the stored request time on
 * every read, so tools that poll for PUBLISHED see it on their first poll after the delay.
 */
import type { Portal, PreviewStatus, PublishStatus, PageStatus } from '../../model/portal.js';

/** How long PublishPortal reports PUBLISH_IN_PROGRESS, and DisablePortal DISABLE_IN_PROGRESS. */
export const PORTAL_TRANSITION_MS = 1000;
/** How long PreviewPortal reports PREVIEW_IN_PROGRESS before PREVIEW_READY. */
export const PORTAL_PREVIEW_MS = 1000;
/** How long a created or changed product REST endpoint page reports IN_PROGRESS. */
export const PAGE_PROCESSING_MS = 1000;

const elapsed = (since: string, ms: number, now: number): boolean => now - Date.parse(since) >= ms;

/**
 * The portal with a finished publish or disable folded into `settled`. Run before a change,
 * so the next transition starts from what the portal really is.
 */
export function settle(portal: Portal, now = Date.now()): Portal {
  const t = portal.transition;
  if (!t || !elapsed(t.requestedAt, PORTAL_TRANSITION_MS, now)) return portal;
  const finishedAt = new Date(Date.parse(t.requestedAt) + PORTAL_TRANSITION_MS).toISOString();
  const { transition: _done, ...rest } = portal;
  if (t.kind === 'disable') return { ...rest, settled: { ...portal.settled, status: 'DISABLED' } };
  const settled: NonNullable<Portal['settled']> = { status: 'PUBLISHED', lastPublished: finishedAt };
  if (t.description !== undefined) settled.lastPublishedDescription = t.description;
  return { ...rest, settled };
}

export interface PublishView {
  publishStatus?: PublishStatus;
  lastPublished?: string;
  lastPublishedDescription?: string;
}

/** What the portal reports about publishing now. A portal never published reports no status. */
export function publishView(portal: Portal, now = Date.now()): PublishView {
  const current = settle(portal, now);
  const view: PublishView = {
    publishStatus: current.settled?.status,
    lastPublished: current.settled?.lastPublished,
    lastPublishedDescription: current.settled?.lastPublishedDescription,
  };
  if (current.transition) view.publishStatus = current.transition.kind === 'publish' ? 'PUBLISH_IN_PROGRESS' : 'DISABLE_IN_PROGRESS';
  return view;
}

export const transitionInProgress = (portal: Portal, now = Date.now()): boolean => settle(portal, now).transition !== undefined;

export function previewStatus(portal: Portal, now = Date.now()): PreviewStatus | undefined {
  if (portal.previewRequestedAt === undefined) return undefined;
  return elapsed(portal.previewRequestedAt, PORTAL_PREVIEW_MS, now) ? 'PREVIEW_READY' : 'PREVIEW_IN_PROGRESS';
}

export const pageStatus = (lastModified: string, now = Date.now()): PageStatus =>
  elapsed(lastModified, PAGE_PROCESSING_MS, now) ? 'AVAILABLE' : 'IN_PROGRESS';
