// Every screen of the staff app: its path, the roles that may open it, and its menu entry.
// A role not listed gets the "not allowed" page (the API refuses it too). To add a screen:
// write it under src/screens/, add a row here, add its messages to both tables.
import type { ComponentType } from 'preact';
import type { MessageKey } from '../lib/i18n';
import type { Params } from '../lib/router';
import type { Role } from './session';
import { Home } from '../screens/Home';
import { Password } from '../screens/Password';

export interface Route {
  path: string;
  roles: Role[];
  view: ComponentType<{ params: Params }>;
  menu?: MessageKey; /* shown in the menu of the roles above */
}

export const ALL: Role[] = ['admin', 'consultant', 'center_manager', 'supervisor', 'operator'];
export const STAFF: Role[] = ['admin', 'consultant', 'center_manager', 'supervisor'];

export const routes: Route[] = [
  { path: '/', roles: ALL, view: Home, menu: 'menu.home' },
  { path: '/password', roles: ALL, view: Password, menu: 'menu.password' },
];
