import { Command } from 'commander';
import { config as zodConfig } from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { registerEngineCommands } from './engine-commands.ts';
import { registerJourneyCommands } from './journey-commands.ts';
import { registerReportCommands } from './report-commands.ts';
import { registerReadCommands } from './read-commands.ts';
import { registerShopCommands } from './shop-commands.ts';
import { CliError, type TargetOptions } from './target.ts';

// The runtime's schemas use zod/mini, which loads no locale; the CLI shows schema messages to people.
zodConfig(en());

const program = new Command('careline')
  .description('Careline operations: shops, customers, orders. Talks to the local stack (npm start) unless --aws is given.')
  .option('--aws', 'use AWS (standard credential chain) instead of the local stack')
  .option('--stack <name>', 'CloudFormation stack to read the table name from', 'Careline')
  .option('--region <region>', 'AWS region')
  .option('--table <name>', 'DynamoDB table name (skips the stack lookup)')
  .showHelpAfterError()
  .addHelpText('after', '\nExamples:\n  careline shop show demo\n  careline timeline demo 7012345678901234567\n  careline --aws --region eu-west-1 order tea-house 1001');

const target = (): TargetOptions => program.opts<TargetOptions>();
registerShopCommands(program, target);
registerReadCommands(program, target);
registerEngineCommands(program, target);
registerJourneyCommands(program, target);
registerReportCommands(program, target);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CliError) {
    console.error(`careline: ${error.message}`);
    process.exit(1);
  }
  console.error(`careline: unexpected error: ${(error as Error).message}`);
  process.exit(2);
}
