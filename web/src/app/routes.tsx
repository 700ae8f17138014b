// Every screen of the staff app: its path, the roles that may open it, and its menu entry.
// A role not listed gets the "not allowed" page (the API refuses it too). To add a screen:
// write it under src/screens/, add a row here, add its messages to both tables.
import type { ComponentType } from 'preact';
import type { MessageKey } from '../lib/i18n';
import type { Params } from '../lib/router';
import type { Role } from './session';
import { Home } from '../screens/Home';
import { Password } from '../screens/Password';
import { ApiKeys } from '../screens/admin/ApiKeys';
import { Audit } from '../screens/admin/Audit';
import { CenterDetail, Centers } from '../screens/admin/Centers';
import { Companies } from '../screens/admin/Companies';
import { UserDetail, Users } from '../screens/admin/Users';

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
  { path: '/admin/companies', roles: ['admin', 'consultant'], view: Companies, menu: 'menu.companies' },
  { path: '/admin/centers', roles: STAFF, view: Centers, menu: 'menu.centers' },
  { path: '/admin/centers/:code', roles: STAFF, view: CenterDetail },
  { path: '/admin/users', roles: STAFF, view: Users, menu: 'menu.users' },
  { path: '/admin/users/:login', roles: ['admin', 'consultant', 'center_manager'], view: UserDetail },
  { path: '/admin/apikeys', roles: ['admin'], view: ApiKeys, menu: 'menu.apikeys' },
  { path: '/admin/audit', roles: ['admin'], view: Audit, menu: 'menu.audit' },
  { path: '/password', roles: ALL, view: Password, menu: 'menu.password' },
];
