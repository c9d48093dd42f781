import { describe, expect, it } from 'vitest';
import { REPAIR_GROUPS, REPAIR_PHRASES } from '../../protocol/repairs';
import enPhone from '../../client/src/i18n/en';
import dePhone from '../../client/src/i18n/de';
import consoleEn from '../../client/src/i18n/console-en';
import consoleDe from '../../client/src/i18n/console-de';

// The console's words load in chunks of their own, under `console`: checked here as one locale.
const en = { ...enPhone, console: consoleEn };
const de = { ...dePhone, console: consoleDe };

/**
 * Every text of a locale by its path ("start.title"). A list's items share one path
 * ("dialogue.starters.mirror[]"): a locale may list more or fewer sentence starters than
 * English, but in the same shape. (Support lines are data, by country: lib/helplines.ts.)
 */
function leaves(value: unknown): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const walk = (node: unknown, at: string): void => {
    if (typeof node === 'string') found.set(at, [...(found.get(at) ?? []), node]);
    else if (Array.isArray(node)) {
      if (!found.has(`${at}[]`) && node.length === 0) found.set(`${at}[]`, []);
      for (const item of node) walk(item, `${at}[]`);
    } else if (node && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) walk(item, at ? `${at}.${key}` : key);
    } else throw new Error(`${at} holds ${typeof node}, not text`);
  };
  walk(value, '');
  return found;
}

/** The `{name}` placeholders of a message, sorted. */
function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\s*([^{}]*?)\s*\}/g)].map((m) => m[1] ?? '').sort();
}

/** How many plural forms a message has (vue-i18n splits them at a vertical bar). */
function pluralForms(text: string): number {
  return text.split('|').length;
}

/** The value at a dotted path, reading keys that contain dots or dashes literally. */
function at(messages: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), messages);
}

const locales = { en, de };
const english = leaves(en);

describe('the locale files', () => {
  it('give German exactly the keys of English', () => {
    expect([...leaves(de).keys()].sort()).toEqual([...english.keys()].sort());
  });

  it('keep every placeholder and plural form of English in German', () => {
    const german = leaves(de);
    const shape = (texts: string[]): string =>
      [...new Set(texts.map((text) => `${placeholders(text).join()}/${pluralForms(text)}`))].sort().join(' ');
    const differ = [...english].filter(([key, texts]) => shape(german.get(key) ?? ['?']) !== shape(texts));
    expect(differ.map(([key]) => key)).toEqual([]);
  });

  it.each(Object.entries(locales))('leave no text empty in %s', (_name, messages) => {
    const empty = [...leaves(messages)].filter(([, texts]) => texts.some((text) => text.trim() === '')).map(([key]) => key);
    expect(empty).toEqual([]);
  });

  it.each(Object.entries(locales))('give every repair phrase and group words in %s', (_name, messages) => {
    for (const group of REPAIR_GROUPS) expect(at(messages, 'repairs', 'groups', group), group).toMatch(/\S/);
    for (const id of REPAIR_PHRASES) {
      const [group = '', name = ''] = id.split('.');
      expect(at(messages, 'repairs', 'phrases', group, name), id).toMatch(/\S/);
    }
  });

  it('has no bare at sign, which vue-i18n would read as a linked message', () => {
    const linked = [...leaves(de)].filter(([, texts]) => texts.some((text) => text.replace(/\{'@'\}/g, '').includes('@'))).map(([key]) => key);
    expect(linked).toEqual([]);
  });
});
