/**
 * The apigatewayv2 developer portal model: portals, portal products, and the product pages and
 * product REST endpoint pages a product holds. Plain, JSON-serialisable records in AWS's own
 * member names (camelCase, as they travel on the wire), kept in the store's generic records.
 *
 * Publishing, disabling and previewing are asynchronous on AWS. A portal keeps the last
 * transition it was asked for (`transition`, `preview`) with the time it was asked, and what
 * it reports (PUBLISH_IN_PROGRESS or PUBLISHED, …) is derived from that time when it is read:
 * see management/v2/portal-status.ts.
 */

export const PORTAL_KIND = 'v2Portal';
export const PORTAL_PRODUCT_KIND = 'v2PortalProduct';
/** Keyed `${portalProductId}/${productPageId}`. */
export const PRODUCT_PAGE_KIND = 'v2ProductPage';
/** Keyed `${portalProductId}/${productRestEndpointPageId}`. */
export const PRODUCT_REST_ENDPOINT_PAGE_KIND = 'v2ProductRestEndpointPage';

export const pageKey = (portalProductId: string, pageId: string): string => `${portalProductId}/${pageId}`;

export const PUBLISH_STATUSES = ['PUBLISHED', 'PUBLISH_IN_PROGRESS', 'PUBLISH_FAILED', 'DISABLED', 'DISABLE_IN_PROGRESS', 'DISABLE_FAILED'] as const;
export type PublishStatus = (typeof PUBLISH_STATUSES)[number];
export type PreviewStatus = 'PREVIEW_IN_PROGRESS' | 'PREVIEW_READY' | 'PREVIEW_FAILED';
export const TRY_IT_STATES = ['ENABLED', 'DISABLED'] as const;
export type TryItState = (typeof TRY_IT_STATES)[number];
export type PageStatus = 'AVAILABLE' | 'IN_PROGRESS' | 'FAILED';

export interface CognitoConfig {
  appClientId: string;
  userPoolArn: string;
  userPoolDomain: string;
}

/** Exactly one member is set: Cognito sign-in, or `none` for a public portal. */
export interface PortalAuthorization {
  cognitoConfig?: CognitoConfig;
  none?: Record<string, never>;
}

/** The request side: a custom domain with its ACM certificate, or `none` for the default domain only. */
export interface PortalEndpointConfiguration {
  acmManaged?: { certificateArn: string; domainName: string };
  none?: Record<string, never>;
}

export interface CustomColors {
  accentColor: string;
  backgroundColor: string;
  errorValidationColor: string;
  headerColor: string;
  navigationColor: string;
  textColor: string;
}

export interface PortalContent {
  displayName: string;
  description?: string;
  theme: { customColors: CustomColors; logoLastUploaded?: string };
}

export interface StatusException {
  exception?: string;
  message?: string;
}

/** A publish or disable the portal was asked for, and when. */
export interface PortalTransition {
  kind: 'publish' | 'disable';
  requestedAt: string;
  /** PublishPortal's description, which becomes lastPublishedDescription. */
  description?: string;
}

export interface Portal {
  portalId: string;
  authorization: PortalAuthorization;
  endpointConfiguration: PortalEndpointConfiguration;
  includedPortalProductArns: string[];
  logoUri?: string;
  portalContent: PortalContent;
  rumAppMonitorName?: string;
  tags: Record<string, string>;
  lastModified: string;
  /** The last transition that completed before `transition` was asked for. */
  settled?: { status: 'PUBLISHED' | 'DISABLED'; lastPublished?: string; lastPublishedDescription?: string };
  transition?: PortalTransition;
  /** When PreviewPortal was last called. */
  previewRequestedAt?: string;
}

export interface PortalProduct {
  portalProductId: string;
  displayName: string;
  description: string;
  displayOrder?: DisplayOrder;
  /** The resource policy that shares the product with other accounts, as sent. */
  policyDocument?: string;
  tags: Record<string, string>;
  lastModified: string;
}

export interface DisplayOrder {
  contents?: { sectionName: string; productRestEndpointPageArns: string[] }[];
  overviewPageArn?: string;
  productPageArns?: string[];
}

export interface ProductPage {
  portalProductId: string;
  productPageId: string;
  displayContent: { title: string; body: string };
  lastModified: string;
}

export interface IdentifierParts {
  method: string;
  path: string;
  restApiId: string;
  stage: string;
}

export interface DisplayContentOverrides {
  body?: string;
  endpoint?: string;
  operationName?: string;
}

export interface ProductRestEndpointPage {
  portalProductId: string;
  productRestEndpointPageId: string;
  restEndpointIdentifier: { identifierParts: IdentifierParts };
  /** Absent when the page shows what the REST API itself says (the `none` display content). */
  overrides?: DisplayContentOverrides;
  tryItState: TryItState;
  lastModified: string;
}
