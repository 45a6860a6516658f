// npm run replay -- <files or folders> --out <dir> [options]: the HSE waiting-list gas-cost replay.
// The command line itself is replay/cli.ts.
import { main } from "../replay/cli.js";

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
