// Runs under whatever `node` npm found first. If the `node` package's binary was not installed
// (its install script was skipped), npm silently falls back to the system Node 20, which cannot
// strip TypeScript types and lacks Promise.withResolvers (libp2p crashes). Fail fast and say why.
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`palisade: Node ${process.versions.node} found, Node >= 22.18 is required. ` +
    'Run `npm ci` (it installs Node 22 through the "node" package; its install script must be allowed) ' +
    'and use `npm start` / `npm test` / `npx palisade`.')
  process.exit(1)
}
