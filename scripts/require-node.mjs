// Runs first in `npm run demo` and `npm test`: on a Node.js older than Hardhat 3 needs, print one
// sentence saying what to install, and stop before anything else fails with a cryptic error.
// Plain JavaScript with no imports, so that it runs on any Node.js that npm itself runs on.
const REQUIRED = [22, 13];
const parts = process.versions.node.split(".").map(Number);
const ok = parts[0] > REQUIRED[0] || (parts[0] === REQUIRED[0] && parts[1] >= REQUIRED[1]);
if (!ok) {
  console.error(
    "CareLedger needs Node.js " +
      REQUIRED.join(".") +
      " or newer but this is Node.js " +
      process.versions.node +
      ": install Node 22 (`nvm install 22`, or `npm install node@22` and put its node_modules/node/bin first on PATH), then run `npm install` again.",
  );
  process.exit(1);
}
