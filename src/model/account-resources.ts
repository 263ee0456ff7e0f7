/**
 * More account-level records of API Gateway (v1): VPC links, client certificates and the access
 * associations of private custom domain names. Like the records in usage-plan.ts they live in
 * the store's generic record table under RECORD_KINDS; member names are AWS's wherever the
 * wire shows them.
 */
import type { Tags } from './usage-plan.js';

export interface VpcLink {
  /** 6 lower-case alphanumerics. */
  id: string;
  name: string;
  description?: string;
  /** Exactly one Network Load Balancer ARN, as AWS requires. */
  targetArns: string[];
  tags: Tags;
  /**
   * Epoch milliseconds from which the link reports AVAILABLE. AWS provisions a link
   * asynchronously after CreateVpcLink answers PENDING; the status is derived from this at
   * read time, so no background job has to flip it.
   */
  availableAt: number;
}

export interface ClientCertificate {
  /** 6 lower-case alphanumerics. */
  clientCertificateId: string;
  description?: string;
  /** The self-signed X.509 certificate, PEM; what the backend is given to trust. */
  pemEncodedCertificate: string;
  /** The certificate's RSA private key, PKCS#8 PEM. Kept for presenting the certificate; never on the wire. */
  privateKeyPem: string;
  /** Epoch seconds: the certificate's notBefore and notAfter. */
  createdDate: number;
  expirationDate: number;
  tags: Tags;
}

export interface DomainNameAccessAssociation {
  /** The private custom domain name the association grants access to (lower case). */
  domainName: string;
  /**
   * The domain's regional target when the association was made. A domain deleted and created
   * again under the same name gets a new one, so associations of the old domain stop counting.
   */
  domainTarget: string;
  accessAssociationSourceType: 'VPCE';
  /** The VPC endpoint id, `vpce-…`. */
  accessAssociationSource: string;
  tags: Tags;
}
