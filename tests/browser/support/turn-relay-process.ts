import Turn from 'node-turn';

// The test relay's own process (support/turn.ts): `node --import tsx turn-relay-process.ts <port> <user> <password>`.
// Killed to cut a call, it takes every allocation with it; node-turn stopped in place would leave
// allocations that throw on its closed socket.
const [port, user, password] = process.argv.slice(2);
if (!port || !user || !password) throw new Error('usage: turn-relay-process.ts <port> <user> <password>');
new Turn({
  listeningPort: Number(port),
  listeningIps: ['127.0.0.1'],
  relayIps: ['127.0.0.1'],
  authMech: 'long-term',
  credentials: { [user]: password },
  debugLevel: 'OFF',
  log: () => undefined,
}).start();
process.stdout.write('ready\n');
