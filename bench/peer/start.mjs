// Starts axa-group's oauth2-mock-server as its README shows (one generated RS256 key) on a port
// the OS picks, and prints {"port": N} on one line so `cargo xtask bench` can drive it.
import { OAuth2Server } from 'oauth2-mock-server';

const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
await server.start(0, '127.0.0.1');
console.log(JSON.stringify({ port: server.address().port }));

const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
