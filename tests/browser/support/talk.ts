import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import en from '../../../client/src/i18n/en';
import { launchPhone, type LaunchOptions, type Phone } from './chromium';

export type { Phone };

/** What a test can name a screen by: the English words the client shows. */
export { en };

/** A shortcut: the button with exactly this name. */
export function button(page: Page, name: string) {
  return page.getByRole('button', { name, exact: true });
}

/** Creates a talk on phone A through the start screen and returns the invite link it shows. */
export async function createTalk(
  a: Phone,
  name: string,
  options: { topic?: string; method?: 'imago' | 'speaker-listener'; breakMinutes?: 20 | 30 | 45 | 60 } = {},
): Promise<string> {
  await a.page.goto('/');
  await a.page.getByLabel(en.start.name).fill(name);
  if (options.topic) await a.page.locator('#start-topic').fill(options.topic);
  if (options.breakMinutes) await a.page.locator('#start-break').selectOption(String(options.breakMinutes));
  if (options.method === 'speaker-listener') await a.page.getByRole('radio', { name: new RegExp(en.start.speakerListener) }).check();
  await button(a.page, en.start.submit).click();
  const link = a.page.getByLabel(en.invite.linkLabel);
  await expect.poll(() => link.inputValue()).toContain('#invite=');
  return link.inputValue();
}

/** Opens the invite link on phone B and joins under `name`; stops at "Is now a good time?". */
export async function joinTalk(b: Phone, link: string, name: string): Promise<void> {
  await b.page.goto(link);
  await b.page.getByLabel(en.join.name).fill(name);
  await button(b.page, en.join.submit).click();
  await b.page.getByRole('heading', { name: en.join.nowAsk }).waitFor();
}

/** The inviter sees their partner arrive ("Sam is here") and goes on to the check-in. */
export async function welcomePartner(inviter: Phone, name: string): Promise<void> {
  await inviter.page.getByRole('heading', { name: en.invite.partnerHere.replace('{name}', name) }).waitFor();
  await button(inviter.page, en.invite.checkIn).click();
}

/** Taps a button that moves both phones, then says yes on its confirmation sheet. */
export async function confirmed(page: Page, name: string): Promise<void> {
  await button(page, name).click();
  await page.locator('dialog[open] [data-test=confirm-yes]').click();
}

/** Answers the private check-in. */
export async function checkIn(phone: Phone, answers: { calm: number; tendency: 'pursue' | 'withdraw' | 'unsure'; safe: boolean }): Promise<void> {
  const { page } = phone;
  await page.getByRole('heading', { name: en.checkin.title }).waitFor();
  await page.getByRole('radio', { name: String(answers.calm), exact: true }).check();
  await page.getByRole('radio', { name: en.checkin[answers.tendency] }).check();
  await page.getByRole('radio', { name: answers.safe ? en.checkin.yes : en.checkin.no, exact: true }).check();
  await button(page, en.checkin.submit).click();
}

/** Two phones from the start screen to the first step of the dialogue (A speaks first). */
export async function startDialogue(
  url: string,
  method: 'imago' | 'speaker-listener' = 'imago',
  options: LaunchOptions = {},
): Promise<{ a: Phone; b: Phone; roomPath: string }> {
  const a = await launchPhone(url, undefined, options);
  const b = await launchPhone(url, undefined, options);
  const link = await createTalk(a, 'Alex', { topic: 'How we split the evenings', method });
  await joinTalk(b, link, 'Sam');
  await button(b.page, en.join.now).click();
  await welcomePartner(a, 'Sam');
  await checkIn(a, { calm: 6, tendency: 'pursue', safe: true });
  await checkIn(b, { calm: 5, tendency: 'withdraw', safe: true });
  await expect.poll(() => roleOf(a.page)).toBe(en.dialogue.speaker);
  await expect.poll(() => roleOf(b.page)).toBe(en.dialogue.listener);
  return { a, b, roomPath: new URL(a.page.url()).pathname };
}

/** The role banner's headline ("You have the floor" / "You're listening"), or null. */
export async function roleOf(page: Page): Promise<string | null> {
  const banner = page.locator('[data-test=role-banner] .role');
  return (await banner.count()) === 0 ? null : ((await banner.textContent()) ?? '').trim();
}

/** The current step's heading text. */
export async function stepOf(page: Page): Promise<string> {
  return ((await page.locator('[data-test=step-heading]').textContent()) ?? '').trim();
}
