import { resolve } from 'node:path';
import { CERT_FILES, machineNames, makeLocalCertificate } from '../server/tls/local-cert';

// `npm run cert [-- --out DIR] [extra names or addresses…]`: a certificate for HTTPS on a home
// network, signed by a local authority that each phone trusts once. docs/deploy.md explains.
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const dir = resolve(outAt >= 0 && args[outAt + 1] !== undefined ? args[outAt + 1]! : 'certs');
const extra = args.filter((_arg, i) => outAt < 0 || (i !== outAt && i !== outAt + 1));
const names = [...new Set([...extra, ...machineNames()])];

const made = await makeLocalCertificate(dir, names);
const line = (text = '') => process.stdout.write(`${text}\n`);
line();
line(`  A certificate for ${names.join(', ')}`);
line(`  is in ${dir}. Start the server with it:`);
line();
line(`    DUOLOGUE_TLS_CERT=${resolve(dir, CERT_FILES.cert)} DUOLOGUE_TLS_KEY=${resolve(dir, CERT_FILES.key)} npm start`);
line();
if (made.newAuthority) {
  line('  A new local authority signed it. Phones do not know it yet, so each one shows a warning');
  line('  until it trusts it once: send the file below to the phone (mail it, or open it from a USB stick),');
} else {
  line('  The same local authority as last time signed it: phones that trust it already need nothing new.');
  line('  A new phone trusts it once: send it the file below (mail it, or open it from a USB stick),');
}
line(`    ${resolve(dir, CERT_FILES.caCert)}`);
line('  then install it:');
line('    iPhone: open the file, Settings > Profile Downloaded > Install; then Settings > General > About >');
line('            Certificate Trust Settings, and switch on "Duologue local authority".');
line('    Android: Settings > Security > Encryption & credentials > Install a certificate > CA certificate.');
line(`  Before you switch it on, check that the phone shows this SHA-256 fingerprint:\n    ${made.caFingerprint}`);
line();
line(`  Keep ${CERT_FILES.caKey} on this computer only: whoever has it can make certificates those phones trust.`);
line('  For partners in two places, a real certificate behind Caddy or nginx is the better road: no phone');
line('  installs anything, and the address works from anywhere. See docs/deploy.md.');
line();
