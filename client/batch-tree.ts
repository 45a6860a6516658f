import { StandardMerkleTree } from "@openzeppelin/merkle-tree";

import type { RecordType } from "./care-types.js";

/** One record inside a batch; mirrors IRecordRegistry.BatchLeaf. */
export interface BatchLeaf {
  patient: string;
  commitment: string;
  recordType: RecordType;
  sensitive: boolean;
}

/** ABI types of a leaf, in the order RecordRegistry hashes them. */
export const BATCH_LEAF_ENCODING = ["address", "bytes32", "uint8", "bool"] as const;

type LeafTuple = [string, string, number, boolean];

/**
 * A Merkle tree over batch leaves, built with OpenZeppelin's StandardMerkleTree: double-hashed
 * leaves and sorted pairs, exactly what RecordRegistry verifies with MerkleProof.
 */
export class BatchTree {
  readonly #tree: StandardMerkleTree<LeafTuple>;
  readonly #index = new Map<string, number>();

  constructor(leaves: readonly BatchLeaf[]) {
    if (leaves.length === 0) throw new RangeError("A batch needs at least one record.");
    const tuples = leaves.map((l): LeafTuple => [l.patient, l.commitment, l.recordType, l.sensitive]);
    this.#tree = StandardMerkleTree.of(tuples, [...BATCH_LEAF_ENCODING]);
    for (const [i, [patient, commitment]] of this.#tree.entries()) {
      this.#index.set(BatchTree.#key(patient, commitment), i);
    }
  }

  get root(): string {
    return this.#tree.root;
  }

  get size(): number {
    return this.#index.size;
  }

  /** The inclusion proof of a leaf, identified by patient and commitment. */
  proof(patient: string, commitment: string): string[] {
    const index = this.#index.get(BatchTree.#key(patient, commitment));
    if (index === undefined) throw new RangeError("The record is not in this batch.");
    return this.#tree.getProof(index);
  }

  static #key(patient: string, commitment: string): string {
    return `${patient.toLowerCase()}:${commitment.toLowerCase()}`;
  }
}
