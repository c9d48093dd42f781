import { describe, expect, it } from 'vitest';
import { reachableAddresses, startBanner } from '../../server/main';

describe('what npm start tells a person', () => {
  it('lists the network addresses for the phones, then this computer', () => {
    const banner = startBanner(['http://localhost:3000', 'http://192.168.1.20:3000', 'http://10.0.0.5:3000']);
    const lines = banner.split('\n').map((line) => line.trim());
    const phones = lines.indexOf('On each phone, on the same Wi-Fi, open:');
    expect(phones).toBeGreaterThan(0);
    expect(lines.slice(phones + 1, phones + 3)).toEqual(['http://192.168.1.20:3000', 'http://10.0.0.5:3000']);
    expect(lines).toContain('On this computer: http://localhost:3000');
  });

  it('says plainly where to go when only one address is reachable', () => {
    expect(startBanner(['http://127.0.0.1:4000'])).toContain('Open: http://127.0.0.1:4000');
  });

  it('states the time scale when breaks run faster than the clock, and says nothing of it otherwise', () => {
    expect(startBanner(['http://127.0.0.1:4000'], 600)).toContain('\n  Breaks run 600× faster: DUOLOGUE_TIME_SCALE=600\n');
    expect(startBanner(['http://127.0.0.1:4000'], 1)).not.toContain('faster');
    expect(startBanner(['http://127.0.0.1:4000'])).not.toContain('DUOLOGUE_TIME_SCALE');
  });

  it('names localhost first for a wildcard host, and the host itself otherwise', () => {
    expect(reachableAddresses('0.0.0.0', 3000)[0]).toBe('http://localhost:3000');
    expect(reachableAddresses('127.0.0.1', 3000)).toEqual(['http://127.0.0.1:3000']);
    expect(reachableAddresses('::1', 3000)).toEqual(['http://[::1]:3000']);
  });

  it('says whether it speaks HTTP or HTTPS, and where invites point when that is configured', () => {
    const plain = startBanner(['http://localhost:3000', 'http://192.168.1.20:3000']);
    expect(plain).toContain('running over plain HTTP');
    expect(plain).not.toContain('HTTPS (and WSS)');
    const secure = startBanner(['https://localhost:3443', 'https://192.168.1.20:3443'], 1, 'https://talk.example.org');
    expect(secure).toContain('running over HTTPS (and WSS)');
    expect(secure).toContain('Invites point at DUOLOGUE_PUBLIC_URL: https://talk.example.org');
    expect(reachableAddresses('127.0.0.1', 3443, 'https')).toEqual(['https://127.0.0.1:3443']);
  });
});
