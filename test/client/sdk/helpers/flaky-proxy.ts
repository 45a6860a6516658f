import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/**
 * A JSON-RPC proxy on 127.0.0.1 in front of a local node that fails requests on purpose: every
 * `failEvery`-th request gets an HTTP 503 (the node never sees it), the way an overloaded gateway
 * answers. Counts what it forwarded per method.
 */
export class FlakyProxy {
  failEvery = 0;
  failures = 0;
  readonly forwarded = new Map<string, number>();
  #requests = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<FlakyProxy> {
    let proxy: FlakyProxy | undefined;
    const server = createServer((request, response) => {
      void proxy?.handle(target, request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no address");
    proxy = new FlakyProxy(server, `http://127.0.0.1:${address.port}`);
    return proxy;
  }

  count(method: string): number {
    return this.forwarded.get(method) ?? 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(target: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    this.#requests++;
    if (this.failEvery > 0 && this.#requests % this.failEvery === 0) {
      this.failures++;
      response.writeHead(503, { "content-type": "text/plain" });
      response.end("service unavailable");
      return;
    }
    for (const method of methodsOf(body)) this.forwarded.set(method, (this.forwarded.get(method) ?? 0) + 1);
    const upstream = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body });
    response.writeHead(upstream.status, { "content-type": "application/json" });
    response.end(await upstream.text());
  }
}

function methodsOf(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as { method?: string } | { method?: string }[];
    return (Array.isArray(parsed) ? parsed : [parsed]).map((item) => item.method ?? "unknown");
  } catch {
    return ["unparseable"];
  }
}
