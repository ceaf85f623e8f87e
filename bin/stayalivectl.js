#!/usr/bin/env node
import '../dist/cli/stayalivectl.js';
