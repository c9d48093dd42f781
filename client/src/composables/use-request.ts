import { ref } from 'vue';
import { requestErrorText } from '../i18n';

/**
 * A form's request to the server: `busy` while it runs, and what went wrong in plain
 * words when it fails. What the person typed stays in the form, so nothing is lost.
 */
export function useRequest() {
  const busy = ref(false);
  const failure = ref<string | null>(null);

  async function run(task: () => Promise<void>): Promise<void> {
    failure.value = null;
    busy.value = true;
    try {
      await task();
    } catch (error) {
      failure.value = requestErrorText(error);
    } finally {
      busy.value = false;
    }
  }

  return { busy, failure, run };
}
