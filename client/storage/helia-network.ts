import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { withBitswap } from "@helia/bitswap";
import { withLibp2pLight, type HeliaWithLibp2p } from "@helia/libp2p";
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from "@libp2p/crypto/keys";
import { identify } from "@libp2p/identify";
import { noise } from "@libp2p/noise";
import { tcp } from "@libp2p/tcp";
import { yamux } from "@libp2p/yamux";
import { multiaddr } from "@multiformats/multiaddr";
import type { Helia } from "helia";
import type { CID } from "multiformats/cid";

import { ContentUnreachableError, InvalidArgumentError } from "../errors.js";
import { writeFileAtomic } from "./atomic-file.js";
import { concat } from "./durable-fs-blockstore.js";
import type { HeliaNetworkOptions } from "./helia-store.js";

const DEFAULT_FETCH_TIMEOUT_MS = 10_000;

/** A started Helia node with libp2p and bitswap, and the peers it keeps dialling. */
export interface NetworkedHelia {
  readonly helia: HeliaWithLibp2p;
  readonly peers: Set<string>;
  dialPeers(): Promise<void>;
  /** A block from the peers, or ContentUnreachableError. */
  fetch(cid: CID, ref: string): Promise<Uint8Array>;
}

/**
 * Adds libp2p (TCP, noise, yamux, identify) and bitswap to an offline Helia node and starts it.
 * Only the configured peers are dialled: no bootstrap list, no DHT, no mDNS, so an organisation's
 * node talks to the organisations it names and nothing else.
 */
export async function startNetworkedHelia(
  light: Helia,
  directory: string,
  options: HeliaNetworkOptions,
): Promise<NetworkedHelia> {
  const listen = [...(options.listen ?? [])];
  const peers = new Set(options.peers ?? []);
  for (const address of [...listen, ...peers]) {
    try {
      multiaddr(address);
    } catch {
      throw new InvalidArgumentError("network", "multiaddrs such as /ip4/127.0.0.1/tcp/4101");
    }
  }
  const fetchTimeoutMs = options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const helia = withBitswap(
    withLibp2pLight(light, {
      privateKey: await peerKeyOf(directory),
      addresses: { listen },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify() },
    }),
  ) as HeliaWithLibp2p;
  await helia.start();

  const dialPeers = async (): Promise<void> => {
    const connected = new Set(helia.libp2p.getConnections().map((connection) => connection.remotePeer.toString()));
    await Promise.allSettled(
      [...peers]
        .filter(
          (peer) =>
            !connected.has(
              multiaddr(peer)
                .getComponents()
                .find((c) => c.name === "p2p")?.value ?? "",
            ),
        )
        .map((peer) => helia.libp2p.dial(multiaddr(peer), { signal: AbortSignal.timeout(fetchTimeoutMs) })),
    );
  };
  await dialPeers();

  return {
    helia,
    peers,
    dialPeers,
    fetch: async (cid, ref) => {
      // Peers that restarted since the last read are dialled again before asking.
      await dialPeers();
      const chunks: Uint8Array[] = [];
      try {
        for await (const chunk of helia.blockstore.get(cid, { signal: AbortSignal.timeout(fetchTimeoutMs) })) {
          chunks.push(chunk);
        }
      } catch {
        throw new ContentUnreachableError(ref, helia.libp2p.getConnections().length, fetchTimeoutMs);
      }
      return concat(chunks);
    },
  };
}

/** The node's Ed25519 identity, created on first start and kept in `<directory>/peer-key` (mode 0600). */
async function peerKeyOf(directory: string): Promise<Awaited<ReturnType<typeof generateKeyPair>>> {
  const path = join(directory, "peer-key");
  try {
    return privateKeyFromProtobuf(await readFile(path)) as Awaited<ReturnType<typeof generateKeyPair>>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const key = await generateKeyPair("Ed25519");
  await writeFileAtomic(path, privateKeyToProtobuf(key), { mode: 0o600 });
  return key;
}
