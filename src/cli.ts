#!/usr/bin/env node
// The `keymint` command for operators (src/cli/): accounts, users, projects, access keys,
// signing keys, tokens, migrations. Works on DATABASE_URL, or on the embedded DATA_DIR:
// through the running server's control socket when a server holds it, else directly.
import { localContext } from './cli/context.js';
import { processIo } from './cli/io.js';
import { runCommand } from './cli/run.js';

const argv = process.argv.slice(2);
process.exitCode = await runCommand(argv, localContext(processIo(), argv));
