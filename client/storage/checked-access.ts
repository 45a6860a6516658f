import type { CID } from "multiformats/cid";

import type { StorageBackend, StorageOperation } from "../errors.js";
import { InvalidArgumentError, NotFoundError, StorageError } from "../errors.js";

import type { ContentRef } from "./content-ref.js";
import { parseContentRef, verifyContent } from "./content-ref.js";
import { toStorageError } from "./storage-errors.js";

/**
 * What every ContentStore backend does around its own I/O, so that all of them answer alike: a
 * closed store and a put of anything but bytes are refused, a backend's own "no such block"
 * becomes NotFoundError (or `has` false), any other failure StorageError, and what is read is
 * checked against its ref before anyone sees it.
 */

/** Tells a backend's "this store holds no such block" apart from its other failures. */
export type NotFoundTest = (error: unknown) => boolean;

/** StorageError "closed" once the store is closed. */
export function assertOpen(backend: StorageBackend, closed: boolean, operation: StorageOperation): void {
  if (closed) {
    throw new StorageError(backend, operation, "closed");
  }
}

/** The CID a ref names, for a block store (Helia, Kubo), once the store is known to be open. */
export function openBlock(backend: StorageBackend, closed: boolean, operation: StorageOperation, ref: ContentRef): CID {
  assertOpen(backend, closed, operation);
  return parseContentRef(ref);
}

/** InvalidArgumentError unless a put was given bytes. */
export function assertBytes(bytes: unknown): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    throw new InvalidArgumentError("bytes", "a Uint8Array");
  }
}

/** The bytes of `ref` as `read` fetches them, verified against the ref (IntegrityError otherwise). */
export async function readVerified(
  backend: StorageBackend,
  ref: ContentRef,
  read: () => Promise<Uint8Array>,
  isNotFound: NotFoundTest,
): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await read();
  } catch (error) {
    if (isNotFound(error)) {
      throw new NotFoundError(ref);
    }
    throw toStorageError(backend, "get", error);
  }
  verifyContent(ref, bytes);
  return bytes;
}

/** Whether the store holds a block, as `probe` answers; a not-found failure of the probe is false. */
export async function probeHas(
  backend: StorageBackend,
  probe: () => Promise<boolean>,
  isNotFound: NotFoundTest,
): Promise<boolean> {
  try {
    return await probe();
  } catch (error) {
    if (isNotFound(error)) {
      return false;
    }
    throw toStorageError(backend, "has", error);
  }
}
