#!/usr/bin/env node
// The `careline` command: runs the TypeScript CLI through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

// Careline's Lambdas run on Node 22+; locally on Node 20 the SDK's notice about that is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../cli/main.ts');
