import { shallowRef, type ShallowRef } from 'vue';

/**
 * The origin links are built from (`GET /api/address`): DUOLOGUE_PUBLIC_URL, or this
 * computer's LAN address in place of `localhost`, or the address this page came from.
 */
export interface PublicAddress {
  origin: string;
  source: 'configured' | 'lan' | 'request';
  /** The origin names this computer only: no other phone can open a link to it. */
  localOnly: boolean;
}

const LOOPBACK = /^(localhost|.*\.localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;
const address = shallowRef<PublicAddress | null>(null);
let asked = false;

/** The address as this page sees it, when the server cannot be asked. */
function ownAddress(): PublicAddress {
  return { origin: location.origin, source: 'request', localOnly: LOOPBACK.test(location.hostname) };
}

function isAddress(body: unknown): body is PublicAddress {
  const value = body as Partial<PublicAddress> | null;
  return typeof value?.origin === 'string' && /^https?:\/\//.test(value.origin) && typeof value.localOnly === 'boolean';
}

async function load(): Promise<void> {
  try {
    const response = await fetch('/api/address', { cache: 'no-store' });
    const body: unknown = await response.json();
    address.value = response.ok && isAddress(body) ? body : ownAddress();
  } catch {
    address.value = ownAddress();
  }
}

/** The public address (null until known), asked of the server once per page. */
export function usePublicAddress(): Readonly<ShallowRef<PublicAddress | null>> {
  if (!asked) {
    asked = true;
    void load();
  }
  return address;
}

/** `link` moved onto `origin` when it points at this page's own origin; any other link unchanged. */
export function onOrigin(link: string, origin: string): string {
  const url = new URL(link, location.href);
  if (url.origin !== location.origin) return link;
  return `${origin}${url.pathname}${url.search}${url.hash}`;
}
