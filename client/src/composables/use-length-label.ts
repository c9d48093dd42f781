import { useI18n } from 'vue-i18n';

/** Words for a break length in protocol minutes: "20 min", "2 h", "1 day". */
export function useLengthLabel(): (minutes: number) => string {
  const { t } = useI18n();
  return (minutes) => {
    if (minutes >= 1440) return t('common.day');
    if (minutes >= 60 && minutes % 60 === 0) return t('common.hours', { n: minutes / 60 });
    return t('common.minutes', { n: minutes });
  };
}
