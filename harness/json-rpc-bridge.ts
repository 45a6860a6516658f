import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/** What Hardhat's in-process network offers: an EIP-1193 `request`. */
export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

interface JsonRpcCall {
  jsonrpc?: string;
  id?: number | string | null;
  method?: unknown;
  params?: unknown;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * Serves an in-process EVM (Hardhat's EDR) over JSON-RPC on 127.0.0.1, so that parties running as
 * separate processes share the embedded chain the way they would share any node. Single and batch
 * requests; errors keep their code and revert data, so the SDK in the other processes decodes custom
 * errors exactly as against `hardhat node`.
 */
export async function serveJsonRpc(provider: Eip1193Provider): Promise<{ url: string; close(): Promise<void> }> {
  const answer = async (call: JsonRpcCall): Promise<unknown> => {
    const id = call.id ?? null;
    if (typeof call.method !== "string") {
      return { jsonrpc: "2.0", id, error: { code: -32600, message: "invalid request" } };
    }
    try {
      const params = Array.isArray(call.params) ? call.params : [];
      return { jsonrpc: "2.0", id, result: await provider.request({ method: call.method, params }) };
    } catch (error) {
      const failure = error as { code?: unknown; message?: unknown; data?: unknown };
      return {
        jsonrpc: "2.0",
        id,
        error: {
          code: typeof failure.code === "number" ? failure.code : -32603,
          message: typeof failure.message === "string" ? failure.message : "internal error",
          ...(failure.data === undefined ? {} : { data: failure.data }),
        },
      };
    }
  };
  const server = createServer((request, response) => {
    void readBody(request).then(
      async (body) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          parsed = undefined;
        }
        const reply =
          parsed === undefined
            ? { jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } }
            : Array.isArray(parsed)
              ? await Promise.all(parsed.map((call) => answer(call as JsonRpcCall)))
              : await answer(parsed as JsonRpcCall);
        response.writeHead(200, { "content-type": "application/json" });
        response.end(
          JSON.stringify(reply, (_key, value: unknown) =>
            typeof value === "bigint" ? `0x${value.toString(16)}` : value,
          ),
        );
      },
      () => {
        response.writeHead(413);
        response.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new RangeError("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
