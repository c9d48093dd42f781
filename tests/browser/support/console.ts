import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import consoleEn from '../../../client/src/i18n/console-en';
import { button, en, joinTalk, type Phone } from './talk';

/** The console's English words, which a test names its screens by. */
export { consoleEn };

/** A text with its `{placeholders}` filled in, as the client shows it. */
export function say(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? `{${key}}`));
}

/** The invite link the console shows for one partner's seat. */
export function inviteField(page: Page, seat: 'A' | 'B') {
  return page.getByLabel(say(consoleEn.invites.linkFor, { seat: consoleEn.seat[seat] }), { exact: true });
}

export interface TherapistRoom {
  /** The console's address for this room. */
  consolePath: string;
  roomId: string;
  links: Record<'A' | 'B', string>;
}

/** Opens a room from the console's home and waits for its two invites. */
export async function openTherapistRoom(
  t: Phone,
  options: { name: string; topic?: string; breakMinutes?: number },
): Promise<TherapistRoom> {
  const { page } = t;
  await page.goto('/moderator');
  await page.getByLabel(consoleEn.create.name).fill(options.name);
  if (options.topic) await page.getByLabel(consoleEn.create.topic, { exact: true }).fill(options.topic);
  if (options.breakMinutes) await page.getByLabel(consoleEn.create.breakLength).selectOption(String(options.breakMinutes));
  await button(page, consoleEn.create.submit).click();
  await page.waitForURL('**/moderator/room/**');
  const links = { A: '', B: '' };
  for (const seat of ['A', 'B'] as const) {
    await expect.poll(() => inviteField(page, seat).inputValue()).toContain('#invite=');
    links[seat] = await inviteField(page, seat).inputValue();
  }
  const consolePath = new URL(page.url()).pathname;
  return { consolePath, roomId: consolePath.split('/').pop()!, links };
}

/** A partner opens their link, names themself, and goes in now. */
export async function joinAsPartner(phone: Phone, link: string, name: string): Promise<void> {
  await joinTalk(phone, link, name);
  await button(phone.page, en.join.now).click();
  await phone.page.waitForURL('**/room/**');
}

/** A partner card of the console. */
export function partnerCard(page: Page, seat: 'A' | 'B') {
  return page.locator(`[data-test=partner-${seat}]`);
}
