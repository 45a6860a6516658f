#!/usr/bin/env node
// The `careledger` command: runs the TypeScript CLI through tsx's loader (Node >= 22.13).
import { register } from "tsx/esm/api";

register();
await import("../cli/main.ts");
