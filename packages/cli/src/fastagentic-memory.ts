#!/usr/bin/env node
import { runCli } from './create-program.js';

process.exitCode = await runCli(process.argv);
