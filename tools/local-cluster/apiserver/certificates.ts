// A throwaway certificate authority for the local API server: a self-signed CA and a server
// certificate for 127.0.0.1 and localhost, both made fresh at every start. The keys are ECDSA
// P-256, which Node generates in about a millisecond (RSA-2048 takes up to seconds).
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import forge from 'node-forge';

export interface ServerCertificates {
  /** PEM of the CA certificate that clients must trust. */
  caPem: string;
  /** PEM of the server certificate, signed by the CA. */
  certPem: string;
  /** PEM (PKCS #8) of the server certificate's private key. */
  keyPem: string;
}

const VALIDITY_DAYS = 7;
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
/** Position of subjectPublicKeyInfo in a version 3 TBSCertificate (RFC 5280, section 4.1). */
const SPKI_INDEX = 6;
/** Position of the signature algorithm in a TBSCertificate. */
const SIGNATURE_ALGORITHM_INDEX = 2;

/** node-forge exports pki.getTBSCertificate, but @types/node-forge does not declare it. */
const forgeTbs = forge.pki as unknown as { getTBSCertificate(certificate: forge.pki.Certificate): forge.asn1.Asn1 };

interface EcKeyPair {
  /** DER of the SubjectPublicKeyInfo. */
  publicKeyDer: Buffer;
  privateKeyPem: string;
}

/** Generates a CA and a server certificate valid for 127.0.0.1 and localhost. */
export function generateServerCertificates(): ServerCertificates {
  const caKeys = generateEcKeyPair();
  const serverKeys = generateEcKeyPair();
  const caName = [{ name: 'commonName', value: 'local-cluster-ca' }];

  const ca = certificateTemplate(caName, caName, [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
  ]);
  const server = certificateTemplate([{ name: 'commonName', value: 'kube-apiserver' }], caName, [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
      ],
    },
  ]);

  return {
    caPem: signCertificate(ca, caKeys.publicKeyDer, caKeys.privateKeyPem),
    certPem: signCertificate(server, serverKeys.publicKeyDer, caKeys.privateKeyPem),
    keyPem: serverKeys.privateKeyPem,
  };
}

function generateEcKeyPair(): EcKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyDer: publicKey, privateKeyPem: privateKey };
}

/**
 * Fills subject, issuer, validity, serial number and extensions. node-forge encodes only RSA
 * keys, so the template carries a placeholder RSA key that signCertificate replaces.
 */
function certificateTemplate(
  subject: forge.pki.CertificateField[],
  issuer: forge.pki.CertificateField[],
  extensions: object[],
): forge.pki.Certificate {
  const certificate = forge.pki.createCertificate();
  const placeholder = new forge.jsbn.BigInteger('1');
  certificate.publicKey = forge.pki.setRsaPublicKey(placeholder, placeholder);
  // A positive serial number: the leading byte stays below 0x80.
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  certificate.serialNumber = serial.toString('hex');
  const notBefore = new Date(Date.now() - 60_000);
  certificate.validity.notBefore = notBefore;
  certificate.validity.notAfter = new Date(notBefore.getTime() + VALIDITY_DAYS * 24 * 3600 * 1000);
  certificate.setSubject(subject);
  certificate.setIssuer(issuer);
  certificate.setExtensions(extensions);
  // getTBSCertificate needs an algorithm; signCertificate replaces it with ECDSA.
  certificate.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption;
  return certificate;
}

/** Puts the EC public key and the ECDSA algorithm into the TBSCertificate, signs it, returns PEM. */
function signCertificate(template: forge.pki.Certificate, publicKeyDer: Buffer, issuerKeyPem: string): string {
  const { asn1 } = forge;
  const algorithm = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(ECDSA_WITH_SHA256).getBytes()),
  ]);
  const tbs = forgeTbs.getTBSCertificate(template);
  const fields = tbs.value as forge.asn1.Asn1[];
  fields[SIGNATURE_ALGORITHM_INDEX] = algorithm;
  fields[SPKI_INDEX] = asn1.fromDer(publicKeyDer.toString('binary'));
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, issuerKeyPem);
  const certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    algorithm,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\u0000${signature.toString('binary')}`),
  ]);
  const der = Buffer.from(asn1.toDer(certificate).getBytes(), 'binary');
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').trimEnd()}\n-----END CERTIFICATE-----\n`;
}
