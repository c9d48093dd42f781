import { nextTick } from 'vue';

/**
 * After a form's text was sent and its box emptied, its submit button is disabled and the
 * keyboard would fall to the page's body: it goes back to the box, ready for the next one. Only
 * then: by the time the answer comes the person may be typing elsewhere, and keeps their place.
 */
export async function focusBoxAgain(form: HTMLFormElement | null, box: HTMLElement | null): Promise<void> {
  await nextTick();
  const active = document.activeElement;
  if (active === null || active === document.body || (form?.contains(active) ?? false)) box?.focus();
}
