/**
 * The support lines the safety screen offers, by country, and how the phone's country is
 * guessed. Every number is a free national line published by the service itself; the
 * source of each is named beside it. When the country is not one listed here, the screen
 * offers the international directory alone, never another country's numbers.
 */

/** How a line is reached; the words come from the locale files (`safety.how.*`). */
export type HowToReach = 'call' | 'callOrText' | 'textWord' | 'web';

export interface Helpline {
  /** The service's own name, as it writes it. */
  name: string;
  how: HowToReach;
  /** The number as people write it, or the site's address for `web`. */
  number: string;
  /** The word to text, for `textWord`. */
  word?: string;
  href: string;
}

/** Countries with lines of their own (ISO 3166-1 alpha-2). */
export type HelpRegion = 'US' | 'GB' | 'IE' | 'CA' | 'AU' | 'NZ' | 'DE';

/** Each country's emergency number, for "if you are in danger now". */
export const EMERGENCY: Record<HelpRegion, string> = {
  US: '911',
  GB: '999',
  IE: '112',
  CA: '911',
  AU: '000',
  NZ: '111',
  DE: '110',
};

export const HELPLINES: Record<HelpRegion, Helpline[]> = {
  US: [
    // 988 Suicide & Crisis Lifeline, 988lifeline.org: call or text 988.
    { name: '988 Suicide & Crisis Lifeline', how: 'callOrText', number: '988', href: 'tel:988' },
    // Crisis Text Line, crisistextline.org: text HOME to 741741.
    { name: 'Crisis Text Line', how: 'textWord', number: '741741', word: 'HOME', href: 'sms:741741' },
    // National Domestic Violence Hotline, thehotline.org: 1-800-799-7233.
    { name: 'National Domestic Violence Hotline', how: 'call', number: '1-800-799-7233', href: 'tel:18007997233' },
  ],
  GB: [
    // Samaritans, samaritans.org: 116 123, free, day or night.
    { name: 'Samaritans', how: 'call', number: '116 123', href: 'tel:116123' },
    // National Domestic Abuse Helpline (run by Refuge), nationaldahelpline.org.uk: 0808 2000 247.
    { name: 'National Domestic Abuse Helpline', how: 'call', number: '0808 2000 247', href: 'tel:08082000247' },
  ],
  IE: [
    // Samaritans Ireland, samaritans.org: 116 123, free, day or night.
    { name: 'Samaritans', how: 'call', number: '116 123', href: 'tel:116123' },
  ],
  CA: [
    // 9-8-8 Suicide Crisis Helpline, 988.ca: call or text 9-8-8.
    { name: '9-8-8 Suicide Crisis Helpline', how: 'callOrText', number: '9-8-8', href: 'tel:988' },
  ],
  AU: [
    // Lifeline Australia, lifeline.org.au: 13 11 14.
    { name: 'Lifeline', how: 'call', number: '13 11 14', href: 'tel:131114' },
    // 1800RESPECT, 1800respect.org.au: the national domestic, family and sexual violence line.
    { name: '1800RESPECT', how: 'call', number: '1800 737 732', href: 'tel:1800737732' },
  ],
  NZ: [
    // Need to talk? 1737, 1737.org.nz: call or text 1737.
    { name: 'Need to talk? 1737', how: 'callOrText', number: '1737', href: 'tel:1737' },
  ],
  DE: [
    // TelefonSeelsorge, telefonseelsorge.de: 0800 111 0 111 and 0800 111 0 222, free, day or night.
    { name: 'TelefonSeelsorge', how: 'call', number: '0800 111 0 111', href: 'tel:08001110111' },
    { name: 'TelefonSeelsorge', how: 'call', number: '0800 111 0 222', href: 'tel:08001110222' },
    // Hilfetelefon Gewalt gegen Frauen, hilfetelefon.de: 116 016.
    { name: 'Hilfetelefon Gewalt gegen Frauen', how: 'call', number: '116 016', href: 'tel:116016' },
    // Hilfetelefon Gewalt an Männern, maennerhilfetelefon.de: 0800 123 99 00.
    { name: 'Hilfetelefon Gewalt an Männern', how: 'call', number: '0800 123 99 00', href: 'tel:08001239900' },
  ],
};

/** Find A Helpline (findahelpline.com, by ThroughLine): free, confidential lines in many countries. */
export const INTERNATIONAL_DIRECTORY: Helpline = {
  name: 'Find A Helpline',
  how: 'web',
  number: 'findahelpline.com',
  href: 'https://findahelpline.com',
};

/** The time zones that lie in each of the countries above (IANA names, old links included). */
const ZONES: ReadonlyArray<[HelpRegion, RegExp]> = [
  ['GB', /^(Europe\/(London|Belfast)|GB|GB-Eire)$/],
  ['IE', /^(Europe\/Dublin|Eire)$/],
  ['DE', /^Europe\/(Berlin|Busingen)$/],
  ['NZ', /^(Pacific\/(Auckland|Chatham)|NZ|NZ-CHAT)$/],
  ['AU', /^Australia\//],
  [
    'CA',
    /^(Canada\/.+|America\/(St_Johns|Halifax|Glace_Bay|Moncton|Goose_Bay|Toronto|Montreal|Nipigon|Thunder_Bay|Iqaluit|Pangnirtung|Winnipeg|Rainy_River|Rankin_Inlet|Resolute|Regina|Swift_Current|Edmonton|Cambridge_Bay|Yellowknife|Inuvik|Dawson_Creek|Fort_Nelson|Creston|Vancouver|Whitehorse|Dawson|Atikokan|Blanc-Sablon))$/,
  ],
  [
    'US',
    /^(US\/.+|Pacific\/Honolulu|America\/((Indiana|Kentucky|North_Dakota)\/.+|New_York|Detroit|Chicago|Menominee|Denver|Boise|Phoenix|Los_Angeles|Anchorage|Juneau|Sitka|Metlakatla|Yakutat|Nome|Adak))$/,
  ],
];

function regionOfZone(zone: string): HelpRegion | null {
  return ZONES.find(([, pattern]) => pattern.test(zone))?.[0] ?? null;
}

function isHelpRegion(region: string): region is HelpRegion {
  return region in HELPLINES;
}

/** What the phone says about where it is: its languages (with region subtags) and time zone. */
export interface PhoneHints {
  languages: readonly string[];
  timeZone: string | undefined;
}

/** The country whose lines fit the phone, or null: then only the international directory. */
export interface HelpChoice {
  region: HelpRegion | null;
  lines: Helpline[];
}

/**
 * Guesses the phone's country. The time zone says where the phone is, so a listed zone
 * decides (an English phone set to US English, in London, gets UK numbers). A zone that says
 * nothing (`UTC`, `Etc/…`, none) leaves it to the first language with a listed region subtag
 * (`en-GB`, `de-DE`). A zone elsewhere in the world gets the directory alone.
 */
export function chooseHelplines(hints: PhoneHints): HelpChoice {
  const zone = hints.timeZone ?? '';
  const fromZone = regionOfZone(zone);
  const zoneSaysNothing = zone === '' || zone === 'UTC' || zone === 'GMT' || zone.startsWith('Etc/');
  let region: HelpRegion | null = fromZone;
  if (region === null && zoneSaysNothing) {
    for (const tag of hints.languages) {
      let subtag: string | undefined;
      try {
        // Only an explicit region subtag counts: "en" alone says nothing about a country.
        subtag = new Intl.Locale(tag).region;
      } catch {
        subtag = undefined;
      }
      if (subtag !== undefined && isHelpRegion(subtag)) {
        region = subtag;
        break;
      }
    }
  }
  return { region, lines: region === null ? [] : HELPLINES[region] };
}

/** The phone's own hints, read from the browser. */
export function phoneHints(): PhoneHints {
  let timeZone: string | undefined;
  try {
    timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    timeZone = undefined;
  }
  return { languages: navigator.languages ?? [navigator.language], timeZone };
}
