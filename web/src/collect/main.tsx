import { render } from 'preact';
import { Form } from './Form';
import './collect.css';

render(<Form />, document.getElementById('form')!);
