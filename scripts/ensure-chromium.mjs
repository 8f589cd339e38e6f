// Runs before `pnpm test`: the inspector's browser test drives Debian's Chromium at /usr/bin/chromium
// (playwright-core never downloads a browser). On a fresh machine where we are root with apt-get, it
// installs the `chromium` package; otherwise it says in one line why that test will be skipped and
// how to enable it. It never fails: a fresh checkout's `pnpm test` must not stop here.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
const ENABLE = 'install Debian\'s chromium (as root: apt-get install -y chromium) to run it';

function hasAptGet() {
  return spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
}

function aptGet(args) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  return spawnSync('apt-get', args, { env, stdio: 'inherit' }).status === 0;
}

if (!existsSync(CHROMIUM)) {
  if (process.platform !== 'linux' || !hasAptGet()) {
    console.log(`${CHROMIUM} is missing and there is no apt-get here: the inspector's browser test will be skipped; ${ENABLE}`);
  } else if (process.getuid?.() !== 0) {
    console.log(`${CHROMIUM} is missing and this is not root: the inspector's browser test will be skipped; ${ENABLE}`);
  } else {
    console.log(`${CHROMIUM} is missing: installing Debian's chromium for the inspector's browser test (apt-get)`);
    const installed = aptGet(['update']) && aptGet(['install', '-y', 'chromium']) && existsSync(CHROMIUM);
    if (!installed) {
      console.log(`apt-get could not install chromium: the inspector's browser test will be skipped; ${ENABLE}`);
    }
  }
}
