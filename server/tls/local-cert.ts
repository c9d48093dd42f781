import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/** The files `npm run cert` writes into its folder. */
export const CERT_FILES = {
  /** The local authority's certificate: the one file a phone installs and trusts. */
  caCert: 'duologue-local-ca.pem',
  /** The authority's private key: stays on this computer, signs the next server certificate. */
  caKey: 'duologue-local-ca-key.pem',
  /** The server's certificate (DUOLOGUE_TLS_CERT), signed by the authority. */
  cert: 'cert.pem',
  /** The server's private key (DUOLOGUE_TLS_KEY). */
  key: 'key.pem',
} as const;

/** What `makeLocalCertificate` made. */
export interface LocalCertificate {
  dir: string;
  names: string[];
  /** False when an authority from an earlier run signed it: phones that trust it need nothing new. */
  newAuthority: boolean;
  /** The authority's SHA-256 fingerprint, to compare on the phone before trusting it. */
  caFingerprint: string;
}

/** The names and addresses this computer answers to: its host name (and `.local`), localhost, loopback and LAN addresses. */
export function machineNames(): string[] {
  const host = hostname().toLowerCase();
  const lan = Object.values(networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .filter((entry) => !entry.internal && !(entry.family === 'IPv6' && entry.address.startsWith('fe80')))
    .map((entry) => entry.address);
  const names = [host, host.includes('.') ? null : `${host}.local`, 'localhost', '127.0.0.1', '::1', ...lan];
  return [...new Set(names.filter((name): name is string => name !== null && name !== ''))];
}

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;
// Apple's limit for a certificate under a root a person installed: 825 days. 397 stays well inside.
const SERVER_DAYS = 397;

/**
 * Makes a small local certificate authority (once; later runs reuse it, so a phone trusts it
 * once) and a server certificate it signs for `names`, into `dir`. Keys are written readable
 * by their owner only.
 */
export async function makeLocalCertificate(dir: string, names: string[], now = new Date()): Promise<LocalCertificate> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caCertPath = join(dir, CERT_FILES.caCert);
  const caKeyPath = join(dir, CERT_FILES.caKey);
  const newAuthority = !(existsSync(caCertPath) && existsSync(caKeyPath));
  if (newAuthority) {
    const ca = await generate([{ name: 'commonName', value: `Duologue local authority (${hostname()})` }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notBeforeDate: now,
      notAfterDate: new Date(now.getTime() + 10 * YEAR_MS),
      extensions: [
        { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    });
    writeFileSync(caKeyPath, ca.private, { mode: 0o600 });
    writeFileSync(caCertPath, ca.cert, { mode: 0o644 });
  }
  const caCert = readFileSync(caCertPath, 'utf8');
  const server = await generate([{ name: 'commonName', value: names[0] ?? 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: new Date(now.getTime() + SERVER_DAYS * 24 * 60 * 60 * 1000),
    ca: { key: readFileSync(caKeyPath, 'utf8'), cert: caCert },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((name) => (isIP(name) === 0 ? { type: 2, value: name } : { type: 7, ip: name })) },
    ],
  });
  writeFileSync(join(dir, CERT_FILES.key), server.private, { mode: 0o600 });
  // The chain: the server's certificate, then the authority's, as TLS servers send it.
  writeFileSync(join(dir, CERT_FILES.cert), `${server.cert.trim()}\n${caCert.trim()}\n`, { mode: 0o644 });
  return { dir, names, newAuthority, caFingerprint: new X509Certificate(caCert).fingerprint256 };
}
