#!/usr/bin/env node
// Runs the compiled daemon (npm run build / npm ci builds dist/).
import '../dist/cli/stayalive.js';
