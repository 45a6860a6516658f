import { parentPort } from "node:worker_threads";

import { serializeCryptoError } from "./crypto-errors.js";
import { rewrapKey, sealAndWrap, unwrapAndOpen } from "./record-crypto.js";
import type { CryptoRequest, CryptoResponse } from "./worker-protocol.js";

/** Worker-thread side of WorkerRecordCrypto: runs one request at a time and answers by id. */
if (parentPort === null) throw new Error("crypto-worker must run in a worker thread");
const port = parentPort;

port.on("message", (request: CryptoRequest) => {
  let response: CryptoResponse;
  try {
    switch (request.op) {
      case "seal": {
        const draft = sealAndWrap(request.plaintext, request.context, request.recipients);
        response = { id: request.id, ok: true, op: "seal", draft };
        break;
      }
      case "open":
        response = { id: request.id, ok: true, op: "open", plaintext: unwrapAndOpen(request.input) };
        break;
      case "rewrap":
        response = { id: request.id, ok: true, op: "rewrap", wrapped: rewrapKey(request.input) };
        break;
    }
  } catch (error) {
    response = { id: request.id, ok: false, error: serializeCryptoError(error) };
  }
  port.postMessage(response);
});
