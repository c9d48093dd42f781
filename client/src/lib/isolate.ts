/**
 * A value set apart for plain-text places (a screen reader's live line, a share sheet's text),
 * where no `<bdi>` can go: Unicode's first-strong isolate and pop-directional-isolate marks,
 * invisible, keep a right-to-left name from reordering the sentence around it.
 */
export function isolate(text: string): string {
  return `\u2068${text}\u2069`;
}

/** A locale sentence and the values it sets apart, for `IsolatedText`. */
export interface Sentence {
  keypath: string;
  values: Record<string, string | number>;
}

export function sentence(keypath: string, values: Record<string, string | number> = {}): Sentence {
  return { keypath, values };
}
