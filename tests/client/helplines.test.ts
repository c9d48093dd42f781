import { describe, expect, it } from 'vitest';
import { HELPLINES, INTERNATIONAL_DIRECTORY, chooseHelplines } from '../../client/src/lib/helplines';

const numbers = (languages: string[], timeZone: string | undefined) => chooseHelplines({ languages, timeZone }).lines.map((l) => l.href);

describe('the safety screen follows the phone\'s country, not only its language', () => {
  it('gives an English phone in the UK, Ireland, Canada, Australia or New Zealand its local lines', () => {
    expect(chooseHelplines({ languages: ['en-US', 'en'], timeZone: 'Europe/London' }).region).toBe('GB');
    expect(numbers(['en-US'], 'Europe/London')).toContain('tel:116123');
    expect(chooseHelplines({ languages: ['en-US'], timeZone: 'Europe/Dublin' }).region).toBe('IE');
    expect(chooseHelplines({ languages: ['en-US'], timeZone: 'America/Toronto' }).region).toBe('CA');
    expect(chooseHelplines({ languages: ['fr-CA'], timeZone: 'America/Vancouver' }).region).toBe('CA');
    expect(numbers(['en-US'], 'Australia/Sydney')).toContain('tel:131114');
    expect(chooseHelplines({ languages: ['en-GB'], timeZone: 'Australia/Perth' }).region).toBe('AU');
    expect(numbers(['en-US'], 'Pacific/Auckland')).toEqual(['tel:1737']);
  });

  it('gives a phone in the US the US lines, with no other country\'s', () => {
    for (const zone of ['America/New_York', 'America/Los_Angeles', 'America/Indiana/Indianapolis', 'Pacific/Honolulu']) {
      expect(chooseHelplines({ languages: ['en-US'], timeZone: zone }).region, zone).toBe('US');
    }
    expect(numbers(['es-US', 'en'], 'America/Chicago')).toEqual(['tel:988', 'sms:741741', 'tel:18007997233']);
  });

  it('gives a phone in Germany German numbers and no US ones, whatever its language', () => {
    for (const languages of [['de-DE'], ['en-US'], ['tr-TR', 'de']]) {
      const hrefs = numbers(languages, 'Europe/Berlin');
      expect(hrefs).toEqual(['tel:08001110111', 'tel:08001110222', 'tel:116016', 'tel:08001239900']);
      expect(hrefs.some((h) => h.includes('988') || h.includes('741741'))).toBe(false);
    }
  });

  it('reads the language\'s region when the time zone says nothing', () => {
    expect(chooseHelplines({ languages: ['en-GB'], timeZone: 'UTC' }).region).toBe('GB');
    expect(chooseHelplines({ languages: ['fr', 'en-IE'], timeZone: 'Etc/GMT-1' }).region).toBe('IE');
    expect(chooseHelplines({ languages: ['de-DE'], timeZone: undefined }).region).toBe('DE');
    // "en" alone names no country.
    expect(chooseHelplines({ languages: ['en'], timeZone: 'UTC' }).region).toBeNull();
  });

  it('offers only the international directory elsewhere, never another country\'s numbers', () => {
    // A German-speaking phone in Vienna, an English one in Paris, a US-English one in Tokyo.
    for (const [languages, zone] of [[['de-AT'], 'Europe/Vienna'], [['de-DE'], 'Europe/Vienna'], [['en-GB'], 'Europe/Paris'], [['en-US'], 'Asia/Tokyo']] as const) {
      expect(chooseHelplines({ languages, timeZone: zone }), zone).toEqual({ region: null, lines: [] });
    }
    expect(INTERNATIONAL_DIRECTORY.href).toBe('https://findahelpline.com');
  });

  it('lists each country\'s lines with a name and a way to reach them', () => {
    for (const [region, lines] of Object.entries(HELPLINES)) {
      expect(lines.length, region).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line.name).toMatch(/\S/);
        expect(line.href).toMatch(/^(tel:\d+|sms:\d+)$/);
        if (line.how === 'textWord') expect(line.word).toMatch(/^[A-Z]+$/);
      }
    }
  });
});
