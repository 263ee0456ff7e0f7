/**
 * The self-signed X.509 certificates GenerateClientCertificate hands out: a fresh RSA 2048 key
 * and a certificate valid for 365 days, good for TLS client authentication. A backend trusts
 * the certificate to know a request came through the gateway.
 */
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateRsaKeyPair = promisify(generateKeyPair);

/** AWS's client certificates are valid for 365 days. */
export const CLIENT_CERTIFICATE_VALIDITY_DAYS = 365;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface GeneratedCertificate {
  pemEncodedCertificate: string;
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  /** Epoch seconds. */
  notBefore: number;
  notAfter: number;
}

/** A positive serial number of 16 random bytes, as RFC 5280 asks (at most 20 octets, not negative). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

/**
 * Generates a key and a certificate for it. The key comes from node:crypto, which generates off
 * the event loop; node-forge builds and signs the certificate.
 */
export async function generateClientCertificate(commonName: string, now = new Date()): Promise<GeneratedCertificate> {
  const { publicKey, privateKey } = await generateRsaKeyPair('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + CLIENT_CERTIFICATE_VALIDITY_DAYS * DAY_MS);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  const subject = [
    { name: 'commonName', value: commonName },
    { name: 'organizationalUnitName', value: 'API Gateway client certificate' },
    { name: 'organizationName', value: 'Portico' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', clientAuth: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return {
    pemEncodedCertificate: forge.pki.certificateToPem(cert),
    privateKeyPem: privateKey,
    notBefore: notBefore.getTime() / 1000,
    notAfter: notAfter.getTime() / 1000,
  };
}
