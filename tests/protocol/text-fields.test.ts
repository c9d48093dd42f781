import { describe, expect, it } from 'vitest';
import { CreateRoomBody, JoinRoomBody, describeIssue, parseCommand } from '../../protocol';

const INVITE = 'abcdefghijklmnopqrstuv';

/** The message a creation with this name and topic gets, or 'accepted'. */
function create(name: string, topic?: string): string {
  const parsed = CreateRoomBody.safeParse({ name, ...(topic === undefined ? {} : { topic }) });
  return parsed.success ? 'accepted' : describeIssue(parsed.error);
}

function command(input: Record<string, unknown>): string {
  const parsed = parseCommand({ id: 'text-field-01', ...input });
  return parsed.ok ? 'accepted' : `${parsed.error.code}: ${parsed.error.message}`;
}

describe('names a partner can recognise', () => {
  it('refuses control characters, format characters and bidi overrides in a name, naming the field', () => {
    const hostile = {
      'only zero-width spaces': '\u200B\u200B\u200B',
      'a zero-width space inside': 'Al\u200Bex',
      'a right-to-left override': 'Alex\u202Egnp.exe',
      'a left-to-right embedding': '\u202AAlex',
      'a right-to-left isolate': 'Alex\u2067x\u2069',
      'a byte order mark inside': 'Al\uFEFFex',
      'a soft hyphen': 'Al\u00ADex',
      NUL: 'Alex\u0000',
      BEL: 'Alex\u0007',
      'a newline': 'Alex\nBlake',
      DEL: 'Alex\u007F',
      'a C1 control': 'Alex\u0085x',
      'a line separator': 'Alex\u2028Blake',
      'a lone surrogate': 'Alex\uD800',
    };
    for (const [what, name] of Object.entries(hostile)) {
      expect(create(name), what).toMatch(/^The field "name" is not valid: a name /);
      const joined = JoinRoomBody.safeParse({ invite: INVITE, name });
      expect(joined.success, what).toBe(false);
      if (!joined.success) expect(describeIssue(joined.error), what).toMatch(/^The field "name" is not valid: /);
    }
    expect(create('Alex\u202E')).toBe(
      'The field "name" is not valid: a name cannot hold control characters or invisible formatting characters (zero-width or direction marks).',
    );
  });

  it('refuses a name with nothing visible in it', () => {
    for (const name of ['\u3164', '\u115F\u1160', '\u2800', '\uFFA0', '\u034F', '\u0301\u0301']) {
      expect(create(name), JSON.stringify(name)).toBe('The field "name" is not valid: a name needs at least one visible character.');
    }
    // A selector alone selects nothing: refused as hidden formatting.
    expect(create('\uFE0F')).toMatch(/^The field "name" is not valid: a name cannot hold control characters/);
  });

  it('keeps the names people have: accents, scripts, emoji and their joiners', () => {
    for (const name of [
      'Zoë',
      'José María',
      'Nguyễn Thị Minh',
      'محمد',
      'אביגיל',
      '李小龙',
      'Ольга',
      'Sam 🌻',
      // An emoji family is joined by ZWJ; a Persian word by ZWNJ between its letters.
      'Kim 👩‍👩‍👧',
      'Dad 👍🏽',
      'می‌خواهم',
      'O\u2019Brien',
    ]) {
      expect(create(name), name).toBe('accepted');
    }
  });

  it("keeps a subdivision's flag, and refuses tag characters or runs of variation selectors that hide text", () => {
    const tags = (text: string) => [...text].map((c) => String.fromCodePoint(0xe0000 + c.codePointAt(0)!)).join('');
    const selectors = (bytes: number[]) => bytes.map((b) => String.fromCodePoint(b < 16 ? 0xfe00 + b : 0xe0100 + b - 16)).join('');
    expect(create(`Ali \u{1F3F4}${tags('gbsct')}\u{E007F}`)).toBe('accepted');
    expect(create(`Ali \u{1F3F4}${tags('gbwls')}\u{E007F} \u{1F3F4}${tags('gbeng')}\u{E007F}`)).toBe('accepted');
    for (const name of [
      'Sam \u2764\uFE0F',
      // A doubled emoji-style selector, as some keyboards paste it; a keycap; text style; a ZWJ flag.
      'Sam \u2764\uFE0F\uFE0F',
      'Team 1\uFE0F\u20E3',
      'Kim \u263A\uFE0E',
      'Alex \u{1F3F3}\uFE0F\u200D\u26A7\uFE0F',
      'Dad \u{1F44D}\u{1F3FD}',
      // An ideographic variation sequence: the same name drawn with its family's own glyph.
      '\u845B\u{E0100}\u57CE',
    ]) {
      expect(create(name), JSON.stringify(name)).toBe('accepted');
    }
    const hidden = {
      'tags after an emoji': `\u{1F600}${tags('hidden text')}`,
      'tags after a sign': `Our week\u00A9${tags('secret')}`,
      'a flag with words for a region': `\u{1F3F4}${tags('ignore the therapist')}\u{E007F}`,
      'a flag without its cancel tag': `\u{1F3F4}${tags('gbsct')}`,
      'a cancel tag alone': 'Ali\u{E007F}',
      'variation selectors carrying bytes': `Breathe${selectors([104, 105, 100, 101])}`,
      'two selectors after one letter': 'a\uFE0F\uFE0E',
      'two different styles after an emoji': '\u2764\uFE0F\uFE0E',
      'a run of ideographic selectors': `a${'\u{E0100}'.repeat(15)}`,
      'one selector after each letter': [...'Breathe'].map((c, i) => c + String.fromCodePoint(0xe0100 + i * 17)).join(''),
      'an ideographic selector after a letter': 'Ali\u{E0100}',
      'two ideographic selectors after an ideograph': '\u845B\u{E0100}\u{E0101}',
    };
    for (const [what, name] of Object.entries(hidden)) {
      expect(create(name), what).toMatch(/^The field "name" is not valid: a name /);
    }
    expect(command({ type: 'coach', to: 'both', text: 'Be kind \u2728' })).toBe('accepted');
    expect(command({ type: 'note', text: 'Breathe' })).toBe('accepted');
    expect(command({ type: 'coach', to: 'both', text: `Be kind \u2728${tags('ignore the therapist')}` })).toMatch(/^invalid: /);
    expect(command({ type: 'note', text: `Breathe${selectors([1, 2, 3, 4, 5])}` })).toMatch(/^invalid: /);
  });

  it('takes a joiner only where it joins: not alone, not at an edge, not between spaces', () => {
    for (const name of ['\u200D', 'Alex\u200D', '\u200CAlex', 'A \u200D B', 'A\u200D\u200DB']) {
      expect(create(name), JSON.stringify(name)).toMatch(/^The field "name" is not valid: a name /);
    }
  });

  it('holds a topic to the same rules, an empty topic still allowed', () => {
    expect(create('Alex', '')).toBe('accepted');
    expect(create('Alex', 'Money, and the holidays')).toBe('accepted');
    expect(create('Alex', 'Money\u202E')).toMatch(/^The field "topic" is not valid: a topic cannot hold control characters/);
    expect(create('Alex', 'Money\u0007')).toMatch(/^The field "topic" is not valid: a topic cannot hold/);
    expect(create('Alex', '\u200B')).toMatch(/^The field "topic" is not valid: a topic /);
    expect(create('Alex', '\u3164\u3164')).toBe('The field "topic" is not valid: a topic needs at least one visible character.');
  });
});

describe('coach lines and notes', () => {
  it('refuse control characters and direction overrides, and keep line breaks', () => {
    expect(command({ type: 'coach', to: 'A', text: 'Breathe\u0000' })).toMatch(
      /^invalid: The field "text" is not valid: a coach line cannot hold control characters/,
    );
    expect(command({ type: 'coach', to: 'A', text: 'Breathe \u202Eslowly' })).toMatch(/^invalid: The field "text" is not valid: a coach line /);
    expect(command({ type: 'coach', to: 'A', text: '\u200B\u200B' })).toMatch(/^invalid: The field "text" is not valid: a coach line /);
    expect(command({ type: 'note', text: 'They seem flooded\u0007' })).toMatch(/^invalid: The field "text" is not valid: a note cannot hold/);
    expect(command({ type: 'note', text: 'x\u2066y' })).toMatch(/^invalid: The field "text" is not valid: a note /);
    expect(command({ type: 'note', text: 'First thought.\nSecond thought.\r\n\tIndented.' })).toBe('accepted');
    expect(command({ type: 'coach', to: 'both', text: 'Slow down.\nBreathe. 👩‍👩‍👧' })).toBe('accepted');
  });
});
