import { useEffect, useState } from 'react';
import type { AnchorHTMLAttributes, MouseEvent, ReactNode } from 'react';
import { routeOf } from './routes';
import type { Route } from './routes';

// History routing without a library: pushState, popstate, and links that stay in the app.

const CHANGED = 'mreg:navigate';

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGED));
  if (!options.replace) window.scrollTo(0, 0);
}

export function currentRoute(): Route {
  return routeOf(window.location.pathname, window.location.search);
}

/** The page the address bar names, re-read on every navigation (links, back and forward). */
export function useRoute(): { route: Route; location: string } {
  const [location, setLocation] = useState(() => window.location.pathname + window.location.search);
  useEffect(() => {
    const update = () => setLocation(window.location.pathname + window.location.search);
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGED, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGED, update);
    };
  }, []);
  const [pathname, search = ''] = location.split('?');
  return { route: routeOf(pathname ?? '/', search), location };
}

/** An `<a>` that navigates inside the app (a modified click or another target still opens a tab). */
export function Link({ to, children, ...rest }: { to: string; children: ReactNode } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'>) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || rest.target) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a {...rest} href={to} onClick={onClick}>
      {children}
    </a>
  );
}
