import net from 'node:net';

/** Whether `port` can be bound on all interfaces right now. */
export async function isPortFree(port: number, host = '0.0.0.0'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A port the OS says is free now. */
export async function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `preferred` if it is free, else any free port. */
export async function freePortNear(preferred: number): Promise<number> {
  return (await isPortFree(preferred)) ? preferred : anyFreePort();
}
