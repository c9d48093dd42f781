import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../server/client-build';
import { firstLanAddress } from '../../server/http/public-origin';
import { CERT_FILES } from '../../server/tls/local-cert';
import { chromiumAvailable, launchPhone, LONDON, mustRunBrowserTests, type Extras } from './support/chromium';
import { saveScreen, seriousViolations } from './support/screens';
import { startServer, type BrowserTestServer } from './support/server';
import { button, checkIn, createTalk, en, joinTalk, roleOf, welcomePartner, type Phone } from './support/talk';

// The page's globals as the functions given to page.evaluate use them (the tests compile without the DOM's types).
declare const window: { isSecureContext: boolean };
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare const document: { activeElement: { value: string; selectionStart: number | null; selectionEnd: number | null } | null };

// Without Chromium the suite skips locally, and fails under CI=true (launch throws).
const run = chromiumAvailable || mustRunBrowserTests;

/** A free TCP port on 127.0.0.1, for a server whose public address must be known before it starts. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

async function screen(page: Page, name: string): Promise<void> {
  await saveScreen(page, name);
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
}

/** From the invite to the dialogue's first step on two phones (A speaks first). */
async function talkUntilDialogue(a: Phone, b: Phone, link: string): Promise<void> {
  await joinTalk(b, link, 'Sam');
  await button(b.page, en.join.now).click();
  await welcomePartner(a, 'Sam');
  await checkIn(a, { calm: 6, tendency: 'pursue', safe: true });
  await checkIn(b, { calm: 5, tendency: 'withdraw', safe: true });
  await expect.poll(() => roleOf(a.page)).toBe(en.dialogue.speaker);
}

/** Sam calls the shortest break; both phones wait it out and go on at the same step. */
async function breakAndReturn(a: Phone, b: Phone, onBreak: () => Promise<void>): Promise<void> {
  await button(b.page, en.flood.button).click();
  await b.page.locator('[data-test=flood-start]').click();
  await b.page.getByRole('heading', { name: en.break.mine }).waitFor();
  await a.page.getByRole('heading', { name: en.break.theirs.replace('{name}', 'Sam') }).waitFor();
  await onBreak();
  await b.page.getByRole('heading', { name: en.break.due }).waitFor({ timeout: 30_000 });
  // Both say they are ready: the one who called it, then the one who waited, whose phone says so.
  await button(b.page, en.break.ready).click();
  await a.page.getByText(en.break.callerBack.replace('{name}', 'Sam')).waitFor();
  await button(a.page, en.break.ready).click();
  await expect.poll(() => roleOf(a.page)).toBe(en.dialogue.speaker);
  await expect.poll(() => roleOf(b.page)).toBe(en.dialogue.listener);
}

describe.skipIf(!run)('two phones over HTTPS with a certificate from npm run cert', () => {
  const certDir = mkdtempSync(join(tmpdir(), 'duologue-cert-'));
  const HOST_NAME = 'duologue.test';
  let server: BrowserTestServer;
  let publicUrl: string;
  let extras: Extras;
  let a: Phone;
  let b: Phone;

  beforeAll(async () => {
    // The command a person runs, with one more name: the test's stand-in for a home server's name.
    const said = execFileSync('npm', ['run', '--silent', 'cert', '--', '--out', certDir, HOST_NAME], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(said).toContain(CERT_FILES.caCert);
    const port = await freePort();
    publicUrl = `https://${HOST_NAME}:${port}`;
    server = await startServer({
      port,
      env: {
        DUOLOGUE_TLS_CERT: join(certDir, CERT_FILES.cert),
        DUOLOGUE_TLS_KEY: join(certDir, CERT_FILES.key),
        DUOLOGUE_PUBLIC_URL: publicUrl,
      },
    });
    // Chromium trusts this certificate's key alone (nothing else is waved through), and finds the name at 127.0.0.1.
    const spki = createHash('sha256')
      .update(createPublicKey(readFileSync(join(certDir, CERT_FILES.key))).export({ type: 'spki', format: 'der' }))
      .digest('base64');
    extras = {
      args: [`--host-resolver-rules=MAP ${HOST_NAME} 127.0.0.1`, `--ignore-certificate-errors-spki-list=${spki}`],
      permissions: ['clipboard-read', 'clipboard-write', 'notifications'],
    };
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await server?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  it('serves HTTPS, and the banner line says so', () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const line = server.process.lines.find((l) => l.includes('"scheme"'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ scheme: 'https', msg: expect.stringContaining('over HTTPS') });
  });

  it('builds the invite from DUOLOGUE_PUBLIC_URL, not from the address the inviter opened', async () => {
    // Alex opens the server as https://localhost: the invite still points at the public name.
    a = await launchPhone(`https://localhost:${new URL(server.url).port}`, LONDON, extras);
    b = await launchPhone(publicUrl, LONDON, extras);
    const link = await createTalk(a, 'Alex');
    expect(link.startsWith(`${publicUrl}/join/`)).toBe(true);
    expect(await a.page.evaluate(() => window.isSecureContext)).toBe(true);
    // Over HTTPS the clipboard works: no fallback hint, no "needs https" line.
    await button(a.page, en.common.copy).click();
    await a.page.getByRole('button', { name: en.common.copied }).waitFor();
    expect(await a.page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    expect(await a.page.locator('[data-test=press-to-copy], [data-test=scan-instead], [data-test=address-local-only]').count()).toBe(0);
    await screen(a.page, 'reach-https-invite');
    const sockets: string[] = [];
    b.page.on('websocket', (ws) => sockets.push(ws.url()));
    await talkUntilDialogue(a, b, link);
    expect(new URL(b.page.url()).origin).toBe(publicUrl);
    // The talk's channel rides the same certificate: WSS on the public name's port.
    expect(sockets.some((url) => url.startsWith(`wss://${HOST_NAME}:${new URL(publicUrl).port}/socket.io/`))).toBe(true);
  });

  it('carries the talk through a break over WSS, with the screen kept on', async () => {
    await breakAndReturn(a, b, async () => {
      // Secure context: wake lock exists, so no "may dim" line; the reminder toggle is offered.
      for (const phone of [a, b]) expect(await phone.page.locator('[data-test=may-dim]').count()).toBe(0);
      await b.page.getByLabel(en.break.remind).waitFor();
      await screen(b.page, 'reach-https-break');
    });
  });
});

const lan = firstLanAddress();

describe.skipIf(!run)('plain http on the LAN address: every secure-context feature says what it cannot do', () => {
  let server: BrowserTestServer;
  let lanUrl: string;
  let a: Phone;
  let b: Phone;

  beforeAll(async () => {
    if (lan === null) {
      if (mustRunBrowserTests) throw new Error('This machine has no non-loopback IPv4 address: the LAN test cannot run.');
      return;
    }
    // The wildcard host, as `npm start` listens: the LAN address reaches it.
    server = await startServer({ env: { HOST: '0.0.0.0' } });
    lanUrl = `http://${lan}:${new URL(server.url).port}`;
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await server?.stop();
  });

  it('tells a talk started on localhost that its invite uses the LAN address', async (context) => {
    if (lan === null) return context.skip('no non-loopback IPv4 address on this machine');
    const local = await launchPhone(`http://127.0.0.1:${new URL(server.url).port}`);
    try {
      await local.page.goto('/');
      const note = local.page.locator('[data-test=address-lan]');
      await note.waitFor();
      expect(await note.innerText()).toContain(lanUrl);
      await screen(local.page, 'reach-start-lan-note');
      const link = await createTalk(local, 'Alex');
      expect(link.startsWith(`${lanUrl}/join/`)).toBe(true);
    } finally {
      await local.close();
    }
  });

  it('on http://<LAN>, copy selects the link with a hint, the QR code stands in for sharing', async (context) => {
    if (lan === null) return context.skip('no non-loopback IPv4 address on this machine');
    a = await launchPhone(lanUrl);
    b = await launchPhone(lanUrl);
    const link = await createTalk(a, 'Alex');
    expect(link.startsWith(`${lanUrl}/join/`)).toBe(true);
    expect(await a.page.evaluate(() => window.isSecureContext)).toBe(false);
    expect(await button(a.page, en.common.share).count()).toBe(0);
    await a.page.locator('[data-test=scan-instead]').waitFor();
    expect(await a.page.locator('.qr svg').count()).toBe(1);
    await button(a.page, en.common.copy).click();
    await a.page.getByText(en.invite.pressToCopy).waitFor();
    const selected = await a.page.evaluate(() => {
      const input = document.activeElement;
      return input === null ? null : input.value.slice(input.selectionStart ?? 0, input.selectionEnd ?? 0);
    });
    expect(selected).toBe(link);
    await screen(a.page, 'reach-http-invite');
    await talkUntilDialogue(a, b, link);
  });

  it('says on the break screen that the screen may dim, and offers no reminder it cannot give', async (context) => {
    if (lan === null) return context.skip('no non-loopback IPv4 address on this machine');
    await breakAndReturn(a, b, async () => {
      for (const phone of [a, b]) {
        await phone.page.getByText(en.break.mayDim).waitFor();
        expect(await phone.page.locator('[data-test=remind]').count()).toBe(0);
      }
      await screen(a.page, 'reach-http-break');
    });
  });
});
