import { t } from '../lib/i18n';
import { PageTitle } from '../app/ui';

export function NotFound() {
  return (
    <section>
      <PageTitle>{t('page.notfound.title')}</PageTitle>
      <p>{t('page.notfound.body')}</p>
      <p>
        <a href="/">{t('menu.home')}</a>
      </p>
    </section>
  );
}

export function Forbidden() {
  return (
    <section data-page="forbidden">
      <PageTitle>{t('page.forbidden.title')}</PageTitle>
      <p>{t('page.forbidden.body')}</p>
      <p>
        <a href="/">{t('menu.home')}</a>
      </p>
    </section>
  );
}
