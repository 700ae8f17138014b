import { render } from 'preact';
import { App } from './app/App';
import { lang } from './lib/i18n';
import { interceptLinks } from './lib/router';
import './styles/app.css';

document.documentElement.lang = lang();
const root = document.getElementById('app')!;
interceptLinks(root);
render(<App />, root);
