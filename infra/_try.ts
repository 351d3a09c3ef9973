import { readFileSync, readdirSync } from 'node:fs';
const { buildApp } = await import('./app-builder.ts');
const { app } = buildApp({ context: { 'aws:cdk:bundling-stacks': [] } });
const t2 = Date.now();
try { const a = app.synth(); console.log('synth ok', a.directory, readdirSync(a.directory));
  for (const f of readdirSync(a.directory)) if (f.includes('valid')) console.log(readFileSync(a.directory + '/' + f, 'utf8').slice(0, 4000));
} catch (e) { console.log('synth threw', String(e).slice(0, 3000)); }
console.log('synth ms', Date.now() - t2);
