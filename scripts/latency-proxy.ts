// A loopback HTTP proxy that adds latency: what a distant deployment looks like to the suite.
import * as http from 'node:http';

/** A loopback HTTP proxy that holds every response for delayMs. */
export function delayingProxy(targetPort: number, delayMs: number): Promise<{ port: number; close(): void }> {
  const server = http.createServer((req, res) => {
    const up = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.on('end', () =>
        setTimeout(() => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          res.end(Buffer.concat(chunks));
        }, delayMs),
      );
    });
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as { port: number }).port,
        close: () => {
          server.closeAllConnections();
          server.close();
        },
      }),
    ),
  );
}
