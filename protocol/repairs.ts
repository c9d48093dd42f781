/**
 * The fixed catalog of repair phrases. Ids are `group.name`; the words live in the
 * client's locale files, so the server never handles what a repair says.
 */
export const REPAIR_GROUPS = ['feel', 'calm', 'sorry', 'stop', 'yes', 'appreciate'] as const;
export type RepairGroup = (typeof REPAIR_GROUPS)[number];

export const REPAIR_PHRASES = [
  'feel.scared',
  'feel.sad',
  'feel.unheard',
  'feel.blamed',
  'feel.overwhelmed',
  'calm.need-break',
  'calm.slow-down',
  'calm.breathe',
  'calm.too-much',
  'sorry.too-harsh',
  'sorry.my-part',
  'sorry.try-again',
  'stop.off-track',
  'stop.one-thing',
  'stop.not-fair',
  'yes.agree-part',
  'yes.compromise',
  'yes.your-point',
  'appreciate.thank-you',
  'appreciate.trying',
  'appreciate.love-you',
] as const;

export type RepairPhrase = (typeof REPAIR_PHRASES)[number];

/** The catalog as `GET /api/repairs` serves it. */
export const REPAIR_CATALOG: ReadonlyArray<{ id: RepairPhrase; group: RepairGroup }> = REPAIR_PHRASES.map((id) => ({
  id,
  group: id.slice(0, id.indexOf('.')) as RepairGroup,
}));
