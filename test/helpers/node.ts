// The node launcher is shared with the scripts and the organisations harness; tests import it here.
export * from "../../harness/hardhat-node.js";
