import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumAvailable, mustRunBrowserTests, type Phone } from './support/chromium';
import { darkScreen, saveScreen, seriousViolations } from './support/screens';
import { startServer, type BrowserTestServer } from './support/server';
import { button, en, startDialogue, stepOf } from './support/talk';

const run = chromiumAvailable || mustRunBrowserTests;
/** One protocol minute in 600 ms: the 20-minute minimum of a break lasts 12 s, time to look. */
const TIME_SCALE = 100;

/** Minutes since midnight of the first "h:mm" in a text (a clock time), for comparing two. */
function minuteOf(text: string | null): number {
  const match = /(\d{1,2}):(\d{2})/.exec(text ?? '');
  if (!match) throw new Error(`no time in "${text}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Two clock times agree: equal, or one minute apart when a request crossed a minute's edge. */
function sameTime(a: string | null, b: string | null): boolean {
  return Math.abs(minuteOf(a) - minuteOf(b)) <= 1;
}

async function animationOf(page: Page, selector: string): Promise<string> {
  return page
    .locator(selector)
    .first()
    .evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { animationName: string } }).getComputedStyle(el).animationName);
}

/**
 * In the page: taps the button named `first`, then the one named `second` as soon as the step's
 * heading has changed and `second` takes taps again (it rests while the first tap is unanswered).
 */
async function doubleTap({ first, second }: { first: string; second: string }): Promise<void> {
  interface Node {
    textContent: string | null;
    disabled?: boolean;
    click(): void;
  }
  const page = globalThis as unknown as {
    document: { querySelector(s: string): Node | null; querySelectorAll(s: string): Iterable<Node>; body: unknown };
    MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void; disconnect(): void };
  };
  const doc = page.document;
  const named = (name: string): Node => {
    const found = [...doc.querySelectorAll('button')].find((b) => b.textContent?.trim() === name);
    if (!found) throw new Error(`no button "${name}"`);
    return found;
  };
  const heading = (): string | null | undefined => doc.querySelector('[data-test=step-heading]')?.textContent;
  const before = heading();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the step did not change')), 10_000);
    const observer = new page.MutationObserver(() => {
      if (heading() === before || named(second).disabled) return;
      observer.disconnect();
      clearTimeout(timer);
      named(second).click();
      resolve();
    });
    observer.observe(doc.body, { subtree: true, childList: true, characterData: true, attributes: true });
    named(first).click();
  });
}

describe.skipIf(!run)('moments on both phones', () => {
  let server: BrowserTestServer;
  let a: Phone;
  let b: Phone;

  beforeAll(async () => {
    server = await startServer({ timeScale: TIME_SCALE });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await server?.stop();
  });

  it('shows a repair phrase once on both phones, then folds it away (at once under reduced motion); the sheet closes from its top', async () => {
    ({ a, b } = await startDialogue(server.url));
    await button(b.page, en.repairs.button).click();
    await b.page.getByRole('heading', { name: en.repairs.title }).waitFor();
    await b.page.locator('dialog[open] [data-test=sheet-close]').click();
    await expect.poll(() => b.page.locator('dialog[open]').count()).toBe(0);

    await button(b.page, en.repairs.button).click();
    await button(b.page, en.repairs.phrases.appreciate['thank-you']).click();
    for (const phone of [a, b]) await phone.page.locator('[data-test=recent-repair]').getByText(en.repairs.phrases.appreciate['thank-you']).waitFor();
    expect(await animationOf(a.page, '[data-test=recent-repair]')).not.toBe('none');
    for (const phone of [a, b]) await phone.page.locator('[data-test=recent-repair]').waitFor({ state: 'detached', timeout: 15_000 });
    // Gone for good: a reload does not bring an old phrase back.
    await a.page.reload();
    await a.page.locator('[data-test=role-banner]').waitFor();
    expect(await a.page.locator('[data-test=recent-repair]').count()).toBe(0);

    await b.page.emulateMedia({ reducedMotion: 'reduce' });
    await button(a.page, en.repairs.button).click();
    await button(a.page, en.repairs.phrases.sorry['too-harsh']).click();
    await b.page.locator('[data-test=recent-repair]').waitFor();
    expect(await animationOf(b.page, '[data-test=recent-repair]')).toBe('none');
    await b.page.locator('[data-test=recent-repair]').waitFor({ state: 'detached', timeout: 15_000 });
    await b.page.emulateMedia({ reducedMotion: 'no-preference' });
    // Two phones to set up, and two phrases of nine seconds each.
  }, 90_000);

  it("takes the second tap of a quick double tap on the step's button for nothing, not for the wrap-up", async () => {
    const wrapUp = button(a.page, en.dialogue.wrapUp);
    const sheet = a.page.locator('dialog[open]');
    // The step's button, and the wrap-up link the moment the step changes on screen (where the
    // change may put it under the thumb). Both taps come from inside the page, so the gap
    // between them is a thumb's, whatever else the machine is doing.
    await a.page.evaluate(doubleTap, { first: en.dialogue.action.share, second: en.dialogue.wrapUp });
    await expect.poll(() => stepOf(b.page)).toBe(en.dialogue.steps.mirror);
    expect(await sheet.count()).toBe(0);
    // A tap of its own, a moment later, asks as always.
    await a.page.waitForTimeout(800);
    await wrapUp.click();
    await sheet.getByText(en.confirm.wrapUpTitle).waitFor();
    await sheet.getByRole('button', { name: en.confirm.keepTalking }).click();
    await expect.poll(() => sheet.count()).toBe(0);
  });

  it('promises the same return time in the sheet as the break then keeps, under a time scale', async () => {
    await button(a.page, en.flood.button).click();
    const minimum = a.page.getByRole('radio').first();
    await expect.poll(() => minimum.isChecked()).toBe(true);
    const promised = await a.page.locator('dialog[open] .choice').first().textContent();
    await a.page.locator('[data-test=flood-start]').click();
    await a.page.getByRole('heading', { name: en.break.mine }).waitFor();
    // "You'll be back at …", the break screen's lead line.
    expect(sameTime(await a.page.locator('[data-test=break] .lead').first().textContent(), promised)).toBe(true);
  });

  it('keeps "ready when you are" from the caller during the protected minimum, and tells only the caller to ask for more time', async () => {
    await button(b.page, en.break.readyWhenThey).click();
    await b.page.getByText(en.break.youReady.replace('{name}', 'Alex')).waitFor();
    // A phrase from the caller after that: once it shows, the caller's phone has had Sam's
    // "ready" too (one connection keeps its order). Inside the 12 s minimum, not a word of it.
    await button(a.page, en.repairs.button).click();
    await button(a.page, en.repairs.phrases.calm.breathe).click();
    await a.page.locator('[data-test=recent-repair]').getByText(en.repairs.phrases.calm.breathe).waitFor();
    expect(await a.page.locator('[data-test=they-ready]').count()).toBe(0);
    expect(await b.page.getByText(/ask for/).count()).toBe(0);
    expect(await button(b.page, en.break.extend).count()).toBe(0);
    // Nor does Sam's phone ring Alex's during Alex's break; Alex may call.
    expect(await b.page.locator('[data-test=call-start]').count()).toBe(0);
    await b.page.locator('[data-test=call-their-break]').getByText(en.call.theirBreak.replaceAll('{name}', 'Alex')).waitFor();
    expect(await a.page.locator('[data-test=call-start]').isEnabled()).toBe(true);
    expect(await a.page.locator('[data-test=call-their-break]').count()).toBe(0);
  });

  it('lets the caller take back "I need more time", and makes "10 min more" say and keep its return time', async () => {
    await button(a.page, en.break.extend).click();
    await a.page.locator('[data-test=extend-cancel]').click();
    await button(a.page, en.break.extend).waitFor();
    expect(await a.page.locator('[data-test=extend-cancel]').count()).toBe(0);

    await button(a.page, en.break.extend).click();
    const tenMore = a.page.getByRole('button', { name: /^10 min more, back at / });
    const label = await tenMore.textContent();
    await saveScreen(a.page, '29-extend');
    expect(await seriousViolations(a.page)).toEqual([]);
    expect(await darkScreen(a.page, '29-extend')).toEqual([]);
    await tenMore.click();
    await expect.poll(async () => sameTime(await a.page.locator('[data-test=return-time]').textContent(), label)).toBe(true);
    // One return time on both phones.
    await expect.poll(async () => sameTime(await b.page.locator('[data-test=return-time]').textContent(), label)).toBe(true);
  });

  it('says "ready when you are" once the minimum is past; when due, asks the caller before stopping for both', async () => {
    await a.page.locator('[data-test=they-ready]').getByText(en.break.theyReady.replace('{name}', 'Sam')).waitFor({ timeout: 20_000 });
    await a.page.getByRole('heading', { name: en.break.due }).waitFor({ timeout: 20_000 });
    await a.page.getByText(en.break.dueMine).waitFor();
    await b.page.getByText(en.break.dueTheirs.replace('{name}', 'Alex')).waitFor();
    expect(await b.page.getByText(en.break.dueMine).count()).toBe(0);
    await saveScreen(b.page, '30-due-other');

    await button(a.page, en.break.stop).click();
    await a.page.getByRole('heading', { name: en.confirm.stopTitle }).waitFor();
    expect(await darkScreen(a.page, '31-stop-confirm')).toEqual([]);
    await button(a.page, en.confirm.notNow).click();
    await expect.poll(() => a.page.locator('dialog[open]').count()).toBe(0);
    expect(await a.page.getByRole('heading', { name: en.break.due }).count()).toBe(1);

    await button(a.page, en.break.stop).click();
    await a.page.locator('dialog[open] [data-test=confirm-yes]').click();
    for (const phone of [a, b]) await phone.page.getByRole('heading', { name: en.closing.title }).waitFor();
    await b.page.getByText(en.confirm.wrappedUp.replace('{name}', 'Alex')).waitFor();
  });
});
