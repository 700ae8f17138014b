// Who is signed in. The server keeps the session in an HttpOnly cookie; the app keeps the user
// record (GET /me) and the CSRF token that comes with it.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export type Role = 'admin' | 'consultant' | 'center_manager' | 'supervisor' | 'operator';
export const ROLES: Role[] = ['admin', 'consultant', 'center_manager', 'supervisor', 'operator'];

export interface Me {
  login: string;
  role: Role;
  display_name: string;
  disabled: boolean;
  center: string | null;
  team: string | null;
  business_name: string | null;
  csrf_token: string;
  companies?: number;
}

export interface Session {
  me: Me;
  signOut: () => Promise<void>;
  refresh: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in screen');
  return s;
}

export function roleLabelKey(r: Role): `role.${Role}` {
  return `role.${r}`;
}
