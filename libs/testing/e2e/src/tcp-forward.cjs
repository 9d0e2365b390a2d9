// A TCP forwarder for the network-namespace topology (network-namespaces.ts): `node tcp-forward.cjs '<json>'`,
// the JSON a list of {from: {host, port}, to: {host, port}}. Each listener pipes every connection to its target.
// Run inside a namespace it gives that namespace's loopback the servers' ports; run on the bridge it forwards to
// the host's loopback, where the servers listen. Prints "ready" once every listener is up.
'use strict';
const net = require('node:net');

const routes = JSON.parse(process.argv[2] || '[]');
let pending = routes.length;
for (const { from, to } of routes) {
  const server = net.createServer((client) => {
    const upstream = net.connect(to.port, to.host);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  server.on('error', (error) => {
    process.stderr.write(`tcp-forward ${from.host}:${from.port}: ${error.message}\n`);
    process.exit(1);
  });
  server.listen(from.port, from.host, () => {
    pending -= 1;
    if (pending === 0) process.stdout.write('ready\n');
  });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
