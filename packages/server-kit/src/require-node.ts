/**
 * Imported first by every entry point (the services, the CLI, `pnpm start`): an unsupported Node.js
 * gets one clear line and exit code 1 instead of a stack trace from deep inside a dependency. It has
 * no imports and uses only syntax that old Node versions parse, so it runs before anything can fail.
 * The range is the one in every package.json's "engines".
 */
const SUPPORTED = '>=24.11 <25';
const version = process.versions.node;
const [major, minor] = version.split('.').map(Number);

if (major !== 24 || (minor ?? 0) < 11) {
  process.stderr.write(
    `docstore needs Node.js ${SUPPORTED} (24 LTS); this is Node.js ${version}. ` +
      'Install Node.js 24, or run it through pnpm, whose scripts use the pinned Node.\n',
  );
  process.exit(1);
}

export {};
