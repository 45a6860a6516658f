#!/usr/bin/env node
import { run } from "./program.js";

const code = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
// Exit explicitly once the output is flushed: an RPC provider or a store left open by a failed
// command must not keep the process alive.
await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
await new Promise<void>((resolve) => process.stderr.write("", () => resolve()));
process.exit(code);
